//! Same scenario and seed, same bytes: whatever the thread count, the shard
//! split, or an interruption in the middle.

use crate::common;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn profspace() -> Command {
    Command::cargo_bin("profspace").unwrap()
}

const TABLES: [&str; 11] = [
    "design.csv",
    "runs.csv",
    "ticks.csv",
    "aggregate.csv",
    "failures.csv",
    "teams.csv",
    "agents.csv",
    "runs.parquet",
    "ticks.parquet",
    "teams.parquet",
    "agents.parquet",
];

const SMALL_SWEEP: &str = "name = \"small\"\nticks = 30\nreplications = 3\n\
    [organization]\nteams = 4\nteam_size = 5\n\
    [output]\nformat = \"parquet\"\nteams_every = 10\nagents_at = [30, 0]\n\
    [sweep.grid]\ncoupling = [\"zero_sum\", \"freedom_safety\"]\n\"managers.focus\" = [0.2, 0.8]\n";

struct Case {
    _dir: tempfile::TempDir,
    root: PathBuf,
    scenario: PathBuf,
}

fn case(text: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let scenario = root.join("s.toml");
    fs::write(&scenario, text).unwrap();
    Case {
        _dir: dir,
        root,
        scenario,
    }
}

fn sweep(c: &Case, out: &str, extra: &[&str]) -> PathBuf {
    let out = c.root.join(out);
    common::profspace_on("sweep", &c.scenario, &out, extra).success();
    out
}

/// Asserts that the tables of two folders are byte-identical (a table
/// missing from both is fine).
fn assert_same(a: &Path, b: &Path) {
    for t in TABLES {
        let (x, y) = (fs::read(a.join(t)).ok(), fs::read(b.join(t)).ok());
        assert!(
            x == y,
            "{t} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
    assert!(a.join("runs.csv").is_file());
}

#[test]
fn run_is_identical_for_one_and_two_threads_and_seed_matters() {
    let c = case(
        "ticks = 40\nreplications = 6\n[organization]\nteams = 5\nteam_size = 6\n\
         [output]\nteams_every = 5\nagents_at = [0, 17, 40]\n",
    );
    let run = |out: &str, extra: &[&str]| {
        let out = c.root.join(out);
        common::profspace_on("run", &c.scenario, &out, extra).success();
        out
    };
    let one = run("t1", &["--threads", "1"]);
    let two = run("t2", &["--threads", "2"]);
    assert_same(&one, &two);
    let other = run("seed", &["--threads", "2", "--seed", "43"]);
    assert_ne!(
        fs::read(one.join("runs.csv")).unwrap(),
        fs::read(other.join("runs.csv")).unwrap()
    );
    assert_ne!(
        fs::read(one.join("ticks.csv")).unwrap(),
        fs::read(other.join("ticks.csv")).unwrap()
    );
}

#[test]
fn sweep_is_identical_for_one_and_two_threads() {
    let c = case(SMALL_SWEEP);
    let one = sweep(&c, "t1", &["--threads", "1"]);
    let two = sweep(&c, "t2", &["--threads", "2"]);
    assert_same(&one, &two);
    let runs = fs::read_to_string(one.join("runs.csv")).unwrap();
    assert!(
        runs.starts_with("run,point,replicate,seed,coupling,managers.focus,autonomy,"),
        "{runs}"
    );
    assert_eq!(runs.lines().count(), 1 + 4 * 3);
    let aggregate = fs::read_to_string(one.join("aggregate.csv")).unwrap();
    assert!(
        aggregate.starts_with(
            "point,coupling,managers.focus,n,autonomy_mean,autonomy_sd,autonomy_ci95,"
        )
    );
    assert_eq!(aggregate.lines().count(), 1 + 4);
    // 12 runs × ticks 0, 10, 20 × 4 teams; 12 runs × ticks 0 and 30 × 20
    // professionals, in run order.
    let teams = fs::read_to_string(one.join("teams.csv")).unwrap();
    assert!(teams.starts_with("run,point,replicate,tick,team,autonomy,"));
    assert_eq!(teams.lines().count(), 1 + 12 * 3 * 4);
    let agents = fs::read_to_string(one.join("agents.csv")).unwrap();
    assert!(agents.starts_with("run,point,replicate,tick,team,professional,autonomy,"));
    assert_eq!(agents.lines().count(), 1 + 12 * 2 * 20);
    let ticks: Vec<&str> = agents
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(&ticks[..21], &[&["0"; 20][..], &["30"][..]].concat()[..]);
}

#[test]
fn replicates_share_seeds_across_points() {
    let c = case(SMALL_SWEEP);
    let out = sweep(&c, "s", &[]);
    let mut seeds: Vec<Vec<String>> = vec![Vec::new(); 3];
    for line in fs::read_to_string(out.join("runs.csv"))
        .unwrap()
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split(',').collect();
        seeds[f[2].parse::<usize>().unwrap()].push(f[3].to_string());
    }
    for (r, s) in seeds.iter().enumerate() {
        assert_eq!(s.len(), 4);
        assert!(
            s.iter().all(|x| x == &s[0]),
            "replicate {r} has different seeds: {s:?}"
        );
    }
    assert_ne!(seeds[0][0], seeds[1][0]);
}

/// `format = "parquet"` adds a Parquet copy of each run table, listed
/// with its digest in the manifest; a later run without it leaves no stale
/// copy behind.
#[test]
fn parquet_copies_are_listed_and_never_left_stale() {
    let c = case(SMALL_SWEEP);
    let out = sweep(&c, "p", &["--threads", "1"]);
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    for t in ["runs", "ticks", "teams", "agents"] {
        let name = format!("{t}.parquet");
        let bytes = fs::read(out.join(&name)).unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "{name} is not a Parquet file");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1", "{name} is cut short");
        assert!(
            manifest.contains(&format!("\"{name}\"")),
            "{name} not in the manifest"
        );
    }
    // A damaged copy is caught like a damaged CSV table.
    let runs = out.join("runs.parquet");
    let mut bytes = fs::read(&runs).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&runs, &bytes).unwrap();
    profspace()
        .args(["compare", out.to_str().unwrap(), "--by", "coupling"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("runs.parquet is damaged"));
    // The same folder run again as CSV only: no Parquet file stays.
    fs::write(
        &c.scenario,
        SMALL_SWEEP.replace("format = \"parquet\"\n", ""),
    )
    .unwrap();
    common::profspace_on("sweep", &c.scenario, &out, &["--overwrite"]).success();
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    for t in ["runs", "ticks", "teams", "agents"] {
        assert!(
            !out.join(format!("{t}.parquet")).exists(),
            "a stale {t}.parquet"
        );
        assert!(
            !manifest.contains(&format!("{t}.parquet")),
            "{t}.parquet still listed"
        );
    }
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let c = case(SMALL_SWEEP);
    let full = sweep(&c, "full", &[]);
    let s0 = sweep(&c, "s0", &["--shard", "0/2"]);
    let s1 = sweep(&c, "s1", &["--shard", "1/2"]);
    let merged = c.root.join("merged");
    profspace()
        .args([
            "merge",
            s1.to_str().unwrap(),
            s0.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
            "--no-plots",
        ])
        .assert()
        .success();
    assert_same(&full, &merged);
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_shards() {
    let c = case(SMALL_SWEEP);
    let s0 = sweep(&c, "s0", &["--shard", "0/2"]);
    let s1 = sweep(&c, "s1", &["--shard", "1/2"]);
    let merge = |dirs: &[&Path], out: &str| {
        let mut cmd = profspace();
        cmd.arg("merge");
        for d in dirs {
            cmd.arg(d);
        }
        let out = c.root.join(out);
        cmd.args(["--out", out.to_str().unwrap(), "--no-plots"])
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone()
    };
    let err = String::from_utf8(merge(&[&s0], "m1")).unwrap();
    assert!(err.contains("shard 1/2 is missing"), "{err}");

    // A duplicated run: copy a row of shard 0 onto the end of its runs.csv.
    let dup = c.root.join("dup");
    fs::create_dir_all(&dup).unwrap();
    for f in fs::read_dir(&s0).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_file() {
            fs::copy(f.path(), dup.join(f.file_name())).unwrap();
        }
    }
    let runs = fs::read_to_string(dup.join("runs.csv")).unwrap();
    let second = runs.lines().nth(1).unwrap().to_string();
    let mut lines: Vec<&str> = runs.lines().collect();
    lines.insert(2, &second);
    fs::write(dup.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    // As it is, the shard no longer matches its manifest: refused as damaged.
    let err = String::from_utf8(merge(&[&dup, &s1], "m2")).unwrap();
    assert!(err.contains("runs.csv is damaged"), "{err}");
    // With its digest brought in line (a shard written wrongly, not damaged
    // later), merge's own check of the runs still finds the duplicate.
    let manifest_path = dup.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&manifest_path).unwrap()).unwrap();
    let bytes = fs::read(dup.join("runs.csv")).unwrap();
    let digest = std::process::Command::new("sha256sum")
        .arg(dup.join("runs.csv"))
        .output()
        .unwrap();
    let digest = String::from_utf8(digest.stdout).unwrap();
    manifest["files"]["runs.csv"] = serde_json::json!({
        "bytes": bytes.len(),
        "sha256": digest.split_whitespace().next().unwrap(),
    });
    fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let err = String::from_utf8(merge(&[&dup, &s1], "m2")).unwrap();
    assert!(err.contains("appears twice"), "{err}");

    // A shard of another scenario.
    let other = case(&SMALL_SWEEP.replace("ticks = 30", "ticks = 31"));
    let foreign = sweep(&other, "s1", &["--shard", "1/2"]);
    let err = String::from_utf8(merge(&[&s0, &foreign], "m3")).unwrap();
    assert!(err.contains("another scenario"), "{err}");
}

/// Starts a sweep, kills it with SIGKILL once `runs.csv.part` holds at least
/// `after` rows, and returns the output folder.
pub fn kill_midway(scenario: &Path, out: &Path, after: usize) -> bool {
    let mut child = common::spawn_sweep(scenario, out, &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut killed = false;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if common::part_rows(out) > after {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.wait();
    killed
}

#[test]
fn a_killed_sweep_resumes_to_identical_bytes() {
    let text = "name = \"long\"\nticks = 150\nreplications = 8\n[organization]\nteams = 10\nteam_size = 10\n\
                [output]\nformat = \"parquet\"\nteams_every = 10\nagents_at = [0, 150]\n\
                [sweep.grid]\n\"managers.focus\" = { from = 0.1, to = 0.9, steps = 12 }\n";
    let c = case(text);
    let full = sweep(&c, "full", &["--threads", "1"]);
    let out = c.root.join("killed");
    assert!(
        kill_midway(&c.scenario, &out, 20),
        "the sweep finished before it could be killed"
    );
    assert!(
        !out.join("runs.csv").exists(),
        "an unfinished sweep has a runs.csv under its final name"
    );
    // Without --resume the unfinished folder is protected.
    common::profspace_on("sweep", &c.scenario, &out, &[])
        .code(2)
        .stderr(predicates::str::contains("--resume"));
    // A changed scenario may not resume it.
    let changed = c.root.join("changed.toml");
    fs::write(&changed, text.replace("ticks = 150", "ticks = 151")).unwrap();
    common::profspace_on("sweep", &changed, &out, &["--resume"])
        .code(2)
        .stderr(predicates::str::contains("different scenario"));
    common::profspace_on("sweep", &c.scenario, &out, &["--resume"]).success();
    assert_same(&full, &out);
    let rows = |t: &str| fs::read_to_string(out.join(t)).unwrap().lines().count();
    assert_eq!(rows("teams.csv"), 1 + 96 * 15 * 10);
    assert_eq!(rows("agents.csv"), 1 + 96 * 2 * 100);
}

#[test]
fn sensitivity_indices_are_identical_for_any_thread_count() {
    let text = "name = \"sa\"\nticks = 20\nreplications = 2\n[organization]\nteams = 3\nteam_size = 4\n\
                [output]\nticks_every = 0\n\
                [sensitivity]\nmethod = \"morris\"\noutputs = [\"essential\", \"autonomy\"]\ntrajectories = 6\nlevels = 4\nbootstrap = 200\n\
                [sensitivity.parameters]\n\"managers.focus\" = { from = 0.1, to = 0.9 }\n\"managers.connection\" = { from = 0.1, to = 0.9 }\n";
    let c = case(text);
    let run = |out: &str, extra: &[&str]| {
        let out = c.root.join(out);
        common::profspace_on("sensitivity", &c.scenario, &out, extra).success();
        fs::read(out.join("sensitivity.csv")).unwrap()
    };
    let one = run("t1", &["--threads", "1"]);
    let two = run("t2", &["--threads", "2"]);
    assert_eq!(one, two, "sensitivity.csv depends on the thread count");
    let text = String::from_utf8(one.clone()).unwrap();
    assert!(
        text.starts_with("method,output,parameter,mu,mu_star,sigma,mu_star_lo,mu_star_hi\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 2 * 2);
    let other = run("seed", &["--seed", "7"]);
    assert_ne!(one, other, "a different seed gave the same indices");
}

/// `replay DIR --run N` runs run N again with its seed and parameters,
/// recording more, into its own folder: its runs.csv row is the original's,
/// byte for byte, and its ticks are every tick.
#[test]
fn a_replayed_run_gives_the_original_row_and_records_more() {
    let c = case(SMALL_SWEEP);
    let out = sweep(&c, "sweep", &[]);
    let original = fs::read_to_string(out.join("runs.csv")).unwrap();
    for run in [0u64, 9] {
        let replay = c.root.join(format!("replay-{run}"));
        profspace()
            .args(["replay", out.to_str().unwrap(), "--run", &run.to_string()])
            .args([
                "--ticks-every",
                "1",
                "--agents-at",
                "5",
                "--no-plots",
                "--out",
            ])
            .arg(&replay)
            .assert()
            .success();
        let got = fs::read_to_string(replay.join("runs.csv")).unwrap();
        let row = |text: &str| {
            text.lines()
                .find(|l| l.starts_with(&format!("{run},")))
                .unwrap()
                .to_string()
        };
        assert_eq!(row(&got), row(&original), "run {run}");
        assert_eq!(got.lines().count(), 2, "one run replayed");
        let ticks = fs::read_to_string(replay.join("ticks.csv")).unwrap();
        assert_eq!(
            ticks.lines().count(),
            1 + 30,
            "every tick of the replayed run"
        );
        let agents = fs::read_to_string(replay.join("agents.csv")).unwrap();
        assert_eq!(
            agents.lines().count(),
            1 + 4 * 5,
            "the professionals at tick 5"
        );
    }
    profspace()
        .args(["replay", out.to_str().unwrap(), "--run", "12", "--no-plots"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("numbered 0 to 11"));
}
