//! Step two of reading a scenario: the rules that tie several keys together
//! (the model's own rules, the memory a run needs, every design point of a
//! sweep), the rules for names that become folder names, and the reading of
//! a scenario file into text.

use super::Scenario;
use crate::params::{KeyLines, Problem};
use std::path::Path;

/// What the machine can hold; sizes beyond it are refused before allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Bytes available to the runs that execute at the same time.
    pub memory_bytes: u64,
    /// Runs executing at the same time.
    pub concurrent_runs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 8 << 30,
            concurrent_runs: 1,
        }
    }
}

impl Limits {
    /// Reads the available memory of this machine (Linux `/proc/meminfo`),
    /// falling back to 8 GiB where it cannot be read.
    pub fn detect(concurrent_runs: u64) -> Self {
        let available = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("MemAvailable:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
                    .map(|kb| kb * 1024)
            });
        Limits {
            memory_bytes: available.unwrap_or(8 << 30),
            concurrent_runs: concurrent_runs.max(1),
        }
    }
}

/// Formats a byte count for people.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = bytes as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

/// Whether `name` can be a folder name under `output/`: letters, digits,
/// `-`, `_` and `.`, not starting with `.`, at most 100 characters.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty; it names the output folder".into());
    }
    if name.starts_with('.') {
        return Some(format!(
            "\"{name}\" starts with '.'; the name must not make a hidden or parent folder"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_' || *c == '.'))
    {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("'{c}'")
        };
        return Some(format!(
            "\"{}\" contains {shown}; a name may hold letters, digits, '-', '_' and '.' (it names the folder under output/)",
            crate::params::ellipsis(&name.escape_debug().to_string())
        ));
    }
    None
}

/// Turns a file stem into a valid name (used only for the default name).
pub fn sanitize_name(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    while name.starts_with('.') {
        name.remove(0);
    }
    if name.is_empty() {
        "scenario".into()
    } else {
        name
    }
}

/// The largest scenario file read: far more than any scenario needs.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Reads a scenario file as text: a clear problem for a folder, a missing
/// file, something that is not a regular file (a pipe or a device, which
/// could block or never end), a file over [`MAX_SCENARIO_BYTES`], or bytes
/// that are not UTF-8 (with the line of the first bad byte).
pub(crate) fn read_text(path: &Path) -> Result<String, Problem> {
    use std::io::Read;
    let cannot = |why: String| Problem::file(format!("cannot read the scenario: {why}"));
    let meta = std::fs::metadata(path).map_err(|e| {
        cannot(if e.kind() == std::io::ErrorKind::NotFound {
            "no such file".to_string()
        } else {
            e.to_string()
        })
    })?;
    if meta.is_dir() {
        return Err(cannot("it is a directory, not a scenario file".into()));
    }
    if !meta.is_file() {
        return Err(cannot(
            "it is not a regular file (a pipe, socket or device); save the scenario in a file"
                .into(),
        ));
    }
    let too_big = |n: u64| {
        cannot(format!(
            "the file has {} but a scenario file is at most {}",
            human_bytes(n),
            human_bytes(MAX_SCENARIO_BYTES)
        ))
    };
    if meta.len() > MAX_SCENARIO_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::at_line(
            line,
            format!("the file is not UTF-8 text (invalid byte at offset {at}); save it as UTF-8"),
        )
    })
}

/// Checks the cross-field rules. `lines` gives the line of each key set in
/// the file (empty for scenarios built in code); a problem is reported at
/// the line of the key it names, or of the first related key that was set.
pub(crate) fn validate(s: &Scenario, limits: &Limits, lines: &KeyLines) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(msg) = name_problem(&s.name) {
        problems.push(Problem::new("name", lines.get("name").copied(), msg));
    }
    if s.sweep.is_some() || s.sensitivity.is_some() {
        // The swept values replace the base ones: check every point instead.
        problems.extend(super::sweep::validate_design(s, limits, lines));
        return problems;
    }
    let line = |key: &str| lines.get(key).copied();
    problems.extend(s.model.validate(&s.params, &line));
    problems.extend(recording_problems(s, &line));
    let recorded = recorded_bytes(s);
    let per_run = s.model.memory_per_run(&s.params).saturating_add(recorded);
    // A plain run's replications are all the runs there are.
    let at_once = limits.concurrent_runs.min(u64::from(s.replications).max(1));
    let need = per_run.saturating_mul(at_once);
    let runs = match at_once {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    if need > limits.memory_bytes && recorded > per_run / 2 {
        let key = if s.output.agents_at.is_empty() {
            "output.teams_every"
        } else {
            "output.agents_at"
        };
        problems.push(Problem::new(
            key,
            line(key),
            format!(
                "the rows a run records are too large for this machine: {} per run × {} at \
                 once ≈ {} but about {} is available; record fewer ticks (a larger \
                 output.teams_every, fewer output.agents_at) or run with fewer threads",
                human_bytes(per_run),
                runs,
                human_bytes(need),
                human_bytes(limits.memory_bytes)
            ),
        ));
    } else if need > limits.memory_bytes {
        // Reported at the model's first section of whole numbers (its
        // sizes: `organization`, `march`), at the first of them set.
        let int = |p: &&crate::params::Param| matches!(p.kind, crate::params::Kind::Int { .. });
        let section = s
            .model
            .params()
            .iter()
            .filter(int)
            .map(|p| p.section())
            .find(|sec| !sec.is_empty())
            .unwrap_or("");
        let at = s
            .model
            .params()
            .iter()
            .filter(int)
            .filter(|p| p.section() == section)
            .filter_map(|p| line(p.path))
            .min();
        problems.push(Problem::new(
            section,
            at,
            format!(
                "the organisation is too large for this machine: {} per run × {} at once ≈ {} \
                 but about {} is available; make it smaller or run with fewer threads",
                human_bytes(per_run),
                runs,
                human_bytes(need),
                human_bytes(limits.memory_bytes)
            ),
        ));
    }
    problems
}

/// What a run may record: teams and agents only of a model that has them,
/// agents only at ticks the run reaches.
fn recording_problems(s: &Scenario, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let model = s.model;
    if s.output.teams_every > 0 && model.team_metrics().is_empty() {
        problems.push(Problem::new(
            "output.teams_every",
            line("output.teams_every"),
            format!(
                "model = \"{}\" has no teams, so there is no teams.csv to write; remove this key",
                model.name()
            ),
        ));
    }
    if s.output.agents_at.is_empty() {
        return problems;
    }
    if model.agent_columns().is_empty() {
        problems.push(Problem::new(
            "output.agents_at",
            line("output.agents_at"),
            format!(
                "model = \"{}\" records no agents, so there is no agents.csv to write; remove this key",
                model.name()
            ),
        ));
    } else if let Some(ticks) = model.tick_rows(&s.params, 1)
        && let Some(bad) = s.output.agents_at.iter().find(|&&t| u64::from(t) > ticks)
    {
        problems.push(Problem::new(
            "output.agents_at",
            line("output.agents_at"),
            format!(
                "tick {bad} is after the end of the run; expected ticks from 0 to {ticks} \
                 (0 is the start, {ticks} the state after the last tick)"
            ),
        ));
    }
    problems
}

/// Bytes a run holds of the team and agent rows it records until they are
/// written: 8 bytes per number as computed and about 19 as text.
pub(crate) fn recorded_bytes(s: &Scenario) -> u64 {
    let (team_rows, agent_rows) = recorded_rows(s);
    let team = team_rows.saturating_mul(2 + s.model.team_metrics().len() as u64);
    let agent = agent_rows.saturating_mul(3 + s.model.agent_columns().len() as u64);
    team.saturating_add(agent).saturating_mul(27)
}

/// Rows of `teams.csv` and `agents.csv` one run writes.
pub fn recorded_rows(s: &Scenario) -> (u64, u64) {
    let population = s.model.population(&s.params);
    let team_ticks = match s.output.teams_every {
        0 => 0,
        every => s.model.estimated_tick_rows(&s.params, every),
    };
    (
        team_ticks.saturating_mul(population.teams),
        (s.output.agents_at.len() as u64).saturating_mul(population.agents),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_are_refused() {
        for bad in [
            "",
            "..",
            ".hidden",
            "a/b",
            "/abs",
            "a\\b",
            "tab\there",
            "nul\0",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?} accepted");
        }
        for good in ["default", "regimes-2", "run_1.v2", "régimes"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        assert_eq!(sanitize_name("../my scenario"), "_my_scenario");
    }

    #[test]
    fn oversize_organisation_is_refused_with_an_estimate() {
        let mut s = Scenario::default();
        s.set("organization.teams", &crate::params::Value::Int(10_000_000))
            .unwrap();
        s.set("organization.team_size", &crate::params::Value::Int(10_000))
            .unwrap();
        let p = validate(&s, &Limits::default(), &KeyLines::new());
        assert!(
            p.iter()
                .any(|p| p.message.contains("too large") && p.message.contains("TiB")),
            "{p:?}"
        );
    }
}
