//! Step two of reading a scenario: the rules that tie several keys together
//! (profile shares, peer ties that must fit the organisation, memory), and
//! the rules for names that become folder names.

use super::parse::KeyLines;
use super::{ModelKind, Problem, Scenario};

/// Bytes a run needs per professional, besides the peer ties (4 bytes each):
/// ten state and five trait arrays of `f64`, and the packed snapshot of
/// meaning, drive and safety the peers read (measured: 173 bytes per
/// professional in all at the default four ties, see PERFORMANCE.md).
pub const MEMORY_PER_PROFESSIONAL: u64 = (10 + 5 + 3) * 8;

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

/// Estimated bytes one run of `s` holds.
pub fn memory_per_run(s: &Scenario) -> u64 {
    match s.model {
        ModelKind::ProfessionalSpace => {
            let n = s.professionals();
            let per = MEMORY_PER_PROFESSIONAL + 4 * u64::from(s.organization.peers);
            // Per team: levers and manager state; per tick: the essential series.
            n.saturating_mul(per)
                .saturating_add(u64::from(s.organization.teams) * 128)
                .saturating_add(u64::from(s.ticks) * 8)
        }
        ModelKind::March1991 => {
            let m = u64::from(s.march.dimensions);
            let n = u64::from(s.march.individuals);
            n.saturating_mul(m).saturating_mul(2).saturating_add(m * 16)
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
            super::params::ellipsis(&name.escape_debug().to_string())
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

/// Checks the cross-field rules. `lines` gives the line of each key set in
/// the file (empty for scenarios built in code); a problem is reported at
/// the line of the key it names, or of the first related key that was set.
pub(crate) fn validate(s: &Scenario, limits: &Limits, lines: &KeyLines) -> Vec<Problem> {
    let mut problems = rules(s, limits);
    for p in &mut problems {
        if p.line.is_none() {
            let related: Vec<&str> = match p.path.as_str() {
                "organization.peers" => vec![
                    "organization.peers",
                    "organization.peer_within",
                    "organization.team_size",
                    "organization.teams",
                ],
                "organization" => vec![
                    "organization.teams",
                    "organization.team_size",
                    "organization.peers",
                ],
                "march" => vec!["march.individuals", "march.dimensions"],
                other => vec![other],
            };
            p.line = lines
                .get(&p.path)
                .or_else(|| related.iter().filter_map(|k| lines.get(*k)).min())
                .copied();
        }
    }
    problems
}

fn rules(s: &Scenario, limits: &Limits) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(msg) = name_problem(&s.name) {
        problems.push(Problem::new("name", None, msg));
    }
    if s.sweep.is_some() || s.sensitivity.is_some() {
        // The swept values replace the base ones: check every point instead.
        problems.extend(super::sweep::validate_design(s, limits));
        return problems;
    }
    match s.model {
        ModelKind::ProfessionalSpace => professional_space_rules(s, &mut problems),
        ModelKind::March1991 => {
            if s.march.fast_individuals > s.march.individuals {
                problems.push(Problem::new(
                    "march.fast_individuals",
                    None,
                    format!(
                        "{} fast individuals but only {} individuals; expected at most {}",
                        s.march.fast_individuals, s.march.individuals, s.march.individuals
                    ),
                ));
            }
        }
    }
    let per_run = memory_per_run(s);
    let need = per_run.saturating_mul(limits.concurrent_runs);
    if need > limits.memory_bytes {
        problems.push(Problem::new(
            match s.model {
                ModelKind::ProfessionalSpace => "organization",
                ModelKind::March1991 => "march",
            },
            None,
            format!(
                "the organisation is too large for this machine: {} per run × {} runs at once ≈ {} \
                 but about {} is available; make it smaller or run with fewer threads",
                human_bytes(per_run),
                limits.concurrent_runs,
                human_bytes(need),
                human_bytes(limits.memory_bytes)
            ),
        ));
    }
    problems
}

fn professional_space_rules(s: &Scenario, problems: &mut Vec<Problem>) {
    let o = &s.organization;
    let within = o.peers_within();
    let across = o.peers - within;
    if within > o.team_size - 1 {
        problems.push(Problem::new(
            "organization.peers",
            None,
            format!(
                "{within} peer ties inside the team (round({} × {})) cannot be drawn without repeats \
                 from the {} other members of a team of {}; lower peers or peer_within, or raise team_size",
                o.peers,
                o.peer_within,
                o.team_size - 1,
                o.team_size
            ),
        ));
    }
    let outside = u64::from(o.teams - 1) * u64::from(o.team_size);
    if u64::from(across) > outside {
        problems.push(Problem::new(
            "organization.peers",
            None,
            format!(
                "{across} peer ties outside the team cannot be drawn without repeats from the {outside} \
                 professionals of the other teams; lower peers, raise peer_within (1.0 keeps all ties inside) or add teams"
            ),
        ));
    }
    for (population, shares) in [
        (
            "managers.profiles",
            s.managers
                .profiles
                .iter()
                .map(|p| p.share)
                .collect::<Vec<_>>(),
        ),
        (
            "professionals.profiles",
            s.professionals.profiles.iter().map(|p| p.share).collect(),
        ),
    ] {
        if !shares.is_empty() {
            let sum: f64 = shares.iter().sum();
            if (sum - 1.0).abs() > 1e-9 {
                problems.push(Problem::new(
                    population,
                    None,
                    format!(
                        "the shares sum to {sum} ({}); they must sum to 1 within 1e-9",
                        shares
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(" + ")
                    ),
                ));
            }
        }
    }
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
    fn impossible_peers_are_refused() {
        let mut s = Scenario::default();
        s.organization.team_size = 2;
        s.organization.peers = 6;
        s.organization.peer_within = 0.5;
        let p = validate(&s, &Limits::default(), &KeyLines::new());
        assert!(
            p.iter().any(|p| p.message.contains("inside the team")),
            "{p:?}"
        );
        s.organization.teams = 1;
        s.organization.peer_within = 0.0;
        s.organization.team_size = 10;
        let p = validate(&s, &Limits::default(), &KeyLines::new());
        assert!(
            p.iter().any(|p| p.message.contains("outside the team")),
            "{p:?}"
        );
    }

    #[test]
    fn oversize_organisation_is_refused_with_an_estimate() {
        let mut s = Scenario::default();
        s.organization.teams = 10_000_000;
        s.organization.team_size = 10_000;
        let p = validate(&s, &Limits::default(), &KeyLines::new());
        assert!(
            p.iter()
                .any(|p| p.message.contains("too large") && p.message.contains("TiB")),
            "{p:?}"
        );
    }
}
