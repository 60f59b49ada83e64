//! `profspace slurm`: turns a sweep into a ready-to-submit Slurm folder: a
//! job array with one task per shard (each `sweep --shard K/N --resume`
//! into its own folder, so a pre-empted or requeued task resumes), a merge
//! job that depends on the array (`afterok`), a submit script and a README.
//! profspace does not distribute work itself; Slurm does.

use anyhow::{Context, Result};
use profspace::scenario::{Scenario, render_resolved};
use profspace::sweep::Plan;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Options of the generated jobs.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Number of shards (array tasks).
    pub shards: u64,
    /// Partition, if the cluster needs one.
    pub partition: Option<String>,
    /// Wall time per task (HH:MM:SS or D-HH:MM:SS).
    pub time: String,
    /// CPUs per task (also the threads of each shard).
    pub cpus_per_task: u32,
    /// Memory per task (e.g. 2G).
    pub mem: String,
    /// The generated folder; the shards write into `dir/shard-K-of-N`, the
    /// merge into `dir/merged`.
    pub dir: PathBuf,
}

/// Quotes a string for a POSIX shell.
fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=+@%,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("cannot read the current folder")?
            .join(p))
    }
}

/// Checks a Slurm time limit: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
pub fn valid_time(t: &str) -> bool {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    days.is_none_or(digits)
        && !rest.is_empty()
        && rest.split(':').count() <= 3
        && rest.split(':').all(digits)
}

/// What every generated file needs to know.
struct Jobs<'a> {
    s: &'a Scenario,
    opts: &'a SlurmOptions,
    plan: Plan,
    /// The folder (absolute); shards and the merge write inside it.
    dir: PathBuf,
    /// The profspace binary, quoted for the shell.
    bin: String,
    /// The Slurm job name.
    job: String,
}

impl Jobs<'_> {
    /// `#SBATCH` lines shared by the array and the merge.
    fn sbatch_head(&self, name: &str, cpus: u32, log: &str) -> String {
        let mut head = String::from("#!/bin/bash\n");
        let _ = writeln!(head, "#SBATCH --job-name={name}");
        let _ = writeln!(head, "#SBATCH --cpus-per-task={cpus}");
        let _ = writeln!(head, "#SBATCH --time={}", self.opts.time);
        let _ = writeln!(head, "#SBATCH --mem={}", self.opts.mem);
        if let Some(p) = &self.opts.partition {
            let _ = writeln!(head, "#SBATCH --partition={p}");
        }
        let _ = writeln!(
            head,
            "#SBATCH --output={}/{log}",
            self.dir.join("logs").display()
        );
        head
    }

    /// The job array: one task per shard.
    fn array(&self) -> String {
        let n = self.opts.shards;
        let mut array = String::from("#!/bin/bash\n");
        let _ = writeln!(array, "#SBATCH --job-name={}", self.job);
        let _ = writeln!(array, "#SBATCH --array=0-{}", n - 1);
        let rest = self.sbatch_head("", self.opts.cpus_per_task, "shard-%a.out");
        // The head's own job-name line is replaced by the two above.
        for line in rest.lines().skip(2) {
            let _ = writeln!(array, "{line}");
        }
        let _ = writeln!(array, "#SBATCH --requeue");
        let _ = writeln!(
            array,
            "# One task per shard: runs with run % {n} == $SLURM_ARRAY_TASK_ID ({} runs in all).\n\
             # --resume makes a requeued or re-submitted task continue where it stopped.\n\
             set -euo pipefail\n\
             k=\"$SLURM_ARRAY_TASK_ID\"\n\
             exec {} sweep {} --shard \"$k/{n}\" --resume --no-plots \\\n    \
             --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" \\\n    \
             --out {}/\"shard-$k-of-{n}\"",
            self.plan.total_runs(),
            self.bin,
            sh(&self.dir.join("scenario.toml").display().to_string()),
            sh(&self.dir.display().to_string()),
        );
        array
    }

    /// The merge job.
    fn merge(&self) -> String {
        let n = self.opts.shards;
        let shard_dirs: Vec<String> = (0..n)
            .map(|k| {
                sh(&self
                    .dir
                    .join(format!("shard-{k}-of-{n}"))
                    .display()
                    .to_string())
            })
            .collect();
        let mut merge = self.sbatch_head(&format!("{}-merge", self.job), 1, "merge.out");
        let _ = writeln!(
            merge,
            "# Runs after every array task succeeded (submit.sh uses --dependency=afterok).\n\
             # merge checks that the shards belong to this scenario and that no run is\n\
             # missing or duplicated, then writes files byte-identical to an unsharded sweep.\n\
             set -euo pipefail\n\
             exec {} merge \\\n    {} \\\n    --out {}",
            self.bin,
            shard_dirs.join(" \\\n    "),
            sh(&self.dir.join("merged").display().to_string())
        );
        merge
    }

    /// Submits the array, then the merge depending on it.
    fn submit(&self) -> String {
        format!(
            "#!/bin/bash\n\
             # Submits the job array, then the merge job to start when every task succeeded.\n\
             set -euo pipefail\n\
             cd {}\n\
             array=$(sbatch --parsable array.sbatch)\n\
             array=\"${{array%%;*}}\"\n\
             merge=$(sbatch --parsable --dependency=afterok:\"$array\" merge.sbatch)\n\
             merge=\"${{merge%%;*}}\"\n\
             echo \"array job $array ({} tasks), merge job $merge\"\n\
             echo \"$array $merge\" > {}\n",
            sh(&self.dir.display().to_string()),
            self.opts.shards,
            sh(&self.dir.join("jobs").display().to_string())
        )
    }

    /// The folder's README.
    fn readme(&self) -> String {
        let n = self.opts.shards;
        format!(
            "# Slurm jobs for `{name}`\n\n\
             Generated by `profspace slurm`: {points} design points × {reps} replications = {runs} runs,\n\
             split into {n} shards (shard k runs the runs with `run % {n} == k`, so shards are balanced).\n\n\
             | file | what |\n|---|---|\n\
             | `scenario.toml` | the resolved scenario the jobs run (fingerprint `{fp}`) |\n\
             | `array.sbatch` | the job array: task k runs `profspace sweep --shard k/{n} --resume` into `{results}/shard-k-of-{n}` |\n\
             | `merge.sbatch` | the merge, into `{results}/merged` |\n\
             | `submit.sh` | submits both, the merge with `--dependency=afterok` on the array |\n\
             | `logs/` | one log per task, and the merge's |\n\n\
             ## Submit\n\n```sh\n{dir}/submit.sh\n```\n\n\
             ## Watch\n\n```sh\nsqueue -u \"$USER\"                  # pending and running tasks\ntail -f {dir}/logs/shard-0.out    # one task's log\n```\n\n\
             ## Collect\n\nWhen the merge job has finished, `{results}/merged/` holds `runs.csv`, `ticks.csv`,\n\
             `aggregate.csv`, `design.csv`, `manifest.json` and `plots/`, byte-identical (the CSV files) to a\n\
             sweep of the same scenario on one machine.\n\n\
             ## When something goes wrong\n\n\
             - A task that was pre-empted, requeued or timed out: submit the array again (or only that\n  \
               task: `sbatch --array=K array.sbatch`); `--resume` keeps every finished run.\n\
             - The merge refuses incomplete or foreign shards and says which run or shard is missing;\n  \
               after fixing, run `sbatch merge.sbatch`.\n",
            name = self.s.name,
            points = self.plan.design.len(),
            reps = self.plan.replications,
            runs = self.plan.total_runs(),
            fp = self.s.fingerprint(),
            results = self.dir.display(),
            dir = self.dir.display(),
        )
    }
}

/// Writes `text` to `dir/name` (executable when `exec`).
fn write(dir: &Path, name: &str, text: &str, exec: bool) -> Result<PathBuf> {
    let path = dir.join(name);
    profspace::output::write_atomic(&path, text.as_bytes())?;
    #[cfg(unix)]
    if exec {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = exec;
    Ok(path)
}

/// Writes the Slurm folder; returns the files written.
pub fn generate(s: &Scenario, binary: &Path, opts: &SlurmOptions) -> Result<Vec<PathBuf>> {
    let dir = absolute(&opts.dir)?;
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let jobs = Jobs {
        s,
        opts,
        plan: Plan::new(s, None),
        bin: sh(&binary.display().to_string()),
        job: format!("profspace-{}", s.name),
        dir,
    };
    // The resolved scenario: the experiment does not change if the original
    // file is edited while the jobs wait in the queue.
    let scenario = format!(
        "# Resolved copy of the scenario for the Slurm jobs in this folder (fingerprint {}).\n{}",
        s.fingerprint(),
        render_resolved(s)
    );
    Ok(vec![
        write(&jobs.dir, "scenario.toml", &scenario, false)?,
        write(&jobs.dir, "array.sbatch", &jobs.array(), true)?,
        write(&jobs.dir, "merge.sbatch", &jobs.merge(), true)?,
        write(&jobs.dir, "submit.sh", &jobs.submit(), true)?,
        write(&jobs.dir, "README.md", &jobs.readme(), false)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_times_are_checked() {
        for ok in ["30", "10:00", "01:00:00", "2-00", "2-12:00:00"] {
            assert!(valid_time(ok), "{ok}");
        }
        for bad in ["", "1h", "1:2:3:4", "-1", "a-01:00"] {
            assert!(!valid_time(bad), "{bad}");
        }
    }

    #[test]
    fn shell_quoting_is_safe() {
        assert_eq!(sh("/a/b-c.toml"), "/a/b-c.toml");
        assert_eq!(sh("it's here"), "'it'\\''s here'");
    }
}
