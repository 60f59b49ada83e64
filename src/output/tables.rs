//! Every table a result folder can hold, declared once as data ([`Table`]):
//! its file name, its identifying columns, where its other columns come
//! from, what asks for it, who writes it and in which formats. The runner,
//! merge, resume, the size estimate, `explain`, the charts, the explorer and
//! the folder's own bookkeeping (what it owns, what it digests, what a
//! re-run keeps) read these descriptors instead of lists of their own.
//!
//! Adding a table is one entry in [`ALL`] plus the code that fills it (for a
//! streamed table: the model's recorded rows, see [`Recorded`]).

use crate::model::{Model, Recorded};
use crate::observe::Metric;
use crate::scenario::{Output, Scenario, recorded_rows};

/// Who writes a table, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `design.csv`: written when a run set starts.
    Design,
    /// Streamed in run order while runs finish (a `.part` file until the
    /// set is complete), one slice of each run's rows.
    Streamed,
    /// Written from the finished runs when an unsharded set is complete.
    Summary,
    /// Added to a finished folder by a later command (`compare`,
    /// `discover`, `advise`); kept when the same scenario runs again.
    Analysis,
    /// A calibration's tables (`profspace calibrate`).
    Calibration,
    /// A diagnosis (`profspace diagnose`).
    Diagnosis,
}

/// Whether a run set writes a streamed table.
#[derive(Clone, Copy, Debug)]
pub enum Written {
    /// Always.
    Always,
    /// When a run failed.
    OnFailure,
    /// When the scenario's `key` asks for it (`when` reads the key).
    Asked {
        /// The scenario key (`output.ticks_every`).
        key: &'static str,
        /// Whether the scenario's output settings ask for the table.
        when: fn(&Output) -> bool,
    },
}

/// The rows a model records for a streamed table: (the recorded numbers,
/// the table's metrics, how many whole numbers open each row after `run`,
/// `point`, `replicate`).
#[derive(Clone, Copy)]
pub struct Rows {
    /// The recorded numbers, row after row.
    pub values: fn(&Recorded) -> &[f64],
    /// The metrics after the identifying numbers.
    pub metrics: fn(&dyn Model) -> &[Metric],
    /// Identifying numbers per row after `run,point,replicate` (tick, team,
    /// agent).
    pub ids: usize,
    /// Rows per run of a scenario (point 0 of a plan), for the size
    /// estimate.
    pub per_run: fn(&Scenario) -> u64,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows {{ ids: {} }}", self.ids)
    }
}

/// One table of a result folder.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Its file name (`runs.csv`).
    pub file: &'static str,
    /// Who writes it.
    pub kind: Kind,
    /// What one row is and what follows the identifying columns (for
    /// `explain` and the folder's documentation).
    pub about: &'static str,
    /// The identifying columns that open every row (streamed tables; the
    /// model's word for an agent is added after `team` in `agents.csv`).
    pub id: &'static [&'static str],
    /// For a streamed table: whether a run set writes it.
    pub written: Written,
    /// For a streamed table recorded by the model: its rows.
    pub rows: Option<Rows>,
    /// Also written as a typed Parquet file when `output.format =
    /// "parquet"`.
    pub parquet: bool,
    /// Name prefixes of the charts drawn from it (analyses: moved with it).
    pub charts: &'static [&'static str],
}

const RUN_ID: &[&str] = &["run", "point", "replicate", "seed"];
const TICK_ID: &[&str] = &["run", "point", "replicate", "tick"];
const TEAM_ID: &[&str] = &["run", "point", "replicate", "tick", "team"];

const fn table(file: &'static str, kind: Kind, about: &'static str) -> Table {
    Table {
        file,
        kind,
        about,
        id: &[],
        written: Written::Always,
        rows: None,
        parquet: false,
        charts: &[],
    }
}

const fn analysis(
    file: &'static str,
    about: &'static str,
    charts: &'static [&'static str],
) -> Table {
    Table {
        charts,
        ..table(file, Kind::Analysis, about)
    }
}

/// `design.csv`.
pub const DESIGN: Table = Table {
    id: &["point"],
    ..table(
        "design.csv",
        Kind::Design,
        "one row per design point: the design parameters, then the resolved ones",
    )
};
/// `runs.csv`.
pub const RUNS: Table = Table {
    id: RUN_ID,
    parquet: true,
    ..table(
        "runs.csv",
        Kind::Streamed,
        "one row per run: the parameters, then the run metrics",
    )
};
/// `ticks.csv`.
pub const TICKS: Table = Table {
    id: TICK_ID,
    written: Written::Asked {
        key: "output.ticks_every",
        when: |o| o.ticks_every > 0,
    },
    rows: Some(Rows {
        values: |r| &r.ticks,
        metrics: |m| m.tick_metrics(),
        ids: 1,
        per_run: |s| s.model.estimated_tick_rows(&s.params, s.output.ticks_every),
    }),
    parquet: true,
    ..table(
        "ticks.csv",
        Kind::Streamed,
        "one row per recorded tick of a run: the tick metrics",
    )
};
/// `failures.csv`.
pub const FAILURES: Table = Table {
    id: RUN_ID,
    written: Written::OnFailure,
    ..table(
        "failures.csv",
        Kind::Streamed,
        "one row per failed run: its message",
    )
};
/// `teams.csv`.
pub const TEAMS: Table = Table {
    id: TEAM_ID,
    written: Written::Asked {
        key: "output.teams_every",
        when: |o| o.teams_every > 0,
    },
    rows: Some(Rows {
        values: |r| &r.teams,
        metrics: |m| m.team_metrics(),
        ids: 2,
        per_run: |s| recorded_rows(s).0,
    }),
    parquet: true,
    ..table(
        "teams.csv",
        Kind::Streamed,
        "one row per recorded tick and team: the team metrics",
    )
};
/// `agents.csv`.
pub const AGENTS: Table = Table {
    id: TEAM_ID,
    written: Written::Asked {
        key: "output.agents_at",
        when: |o| !o.agents_at.is_empty(),
    },
    rows: Some(Rows {
        values: |r| &r.agents,
        metrics: |m| m.agent_columns(),
        ids: 3,
        per_run: |s| recorded_rows(s).1,
    }),
    parquet: true,
    ..table(
        "agents.csv",
        Kind::Streamed,
        "one row per recorded tick and agent: the agent columns",
    )
};
/// `aggregate.csv`.
pub const AGGREGATE: Table = table(
    "aggregate.csv",
    Kind::Summary,
    "one row per design point: the parameters, n, and mean, sd and ci95 of every run metric",
);
/// `sensitivity.csv`.
pub const SENSITIVITY: Table = table(
    "sensitivity.csv",
    Kind::Summary,
    "the indices of a [sensitivity] analysis",
);
/// `contrasts.csv` (`profspace compare`).
pub const CONTRASTS: Table = analysis(
    "contrasts.csv",
    "paired contrasts between conditions (`profspace compare`)",
    &["contrast_"],
);
/// `discover.csv`: the boxes found (`profspace discover`).
pub const DISCOVER: Table = analysis(
    "discover.csv",
    "the boxes of a scenario discovery (`profspace discover`)",
    &["discover_"],
);
/// `discover_trajectory.csv`: the peeling trajectory.
pub const DISCOVER_TRAJECTORY: Table = analysis(
    "discover_trajectory.csv",
    "the peeling trajectory of a discovery",
    &[],
);
/// `discover_boxes.csv`: the limits of each box.
pub const DISCOVER_BOXES: Table = analysis(
    "discover_boxes.csv",
    "the limits of each box of a discovery",
    &[],
);
/// `discover_stability.csv`: how often each limit recurs in resamples.
pub const DISCOVER_STABILITY: Table = analysis(
    "discover_stability.csv",
    "how often each limit of a discovery recurs in resamples",
    &[],
);
/// `advice.csv` (`profspace advise`).
pub const ADVICE: Table = analysis(
    "advice.csv",
    "the effects of moving each lever (`profspace advise`)",
    &["advice."],
);
/// `particles.csv`: every generation of a calibration.
pub const PARTICLES: Table = table(
    "particles.csv",
    Kind::Calibration,
    "every particle of every generation of a calibration",
);
/// `generations.csv`: tolerance, acceptance and ESS per generation.
pub const GENERATIONS: Table = table(
    "generations.csv",
    Kind::Calibration,
    "tolerance, acceptance and effective sample size per generation",
);
/// `posterior.csv`: the posterior of each calibrated key.
pub const POSTERIOR: Table = table(
    "posterior.csv",
    Kind::Calibration,
    "the posterior of each calibrated key",
);
/// `predictive.csv`: posterior-predictive runs of the targets.
pub const PREDICTIVE: Table = table(
    "predictive.csv",
    Kind::Calibration,
    "posterior-predictive runs of the targets",
);
/// `diagnosis.csv` (`profspace diagnose`).
pub const DIAGNOSIS: Table = table(
    "diagnosis.csv",
    Kind::Diagnosis,
    "each team's levers and coupling (`profspace diagnose`)",
);

/// Every table, in the order a manifest lists their digests (streamed
/// tables in the order of their `.part` files and of [`STREAMED`]).
pub const ALL: [Table; 19] = [
    DESIGN,
    RUNS,
    TICKS,
    FAILURES,
    TEAMS,
    AGENTS,
    AGGREGATE,
    SENSITIVITY,
    CONTRASTS,
    DISCOVER,
    DISCOVER_TRAJECTORY,
    DISCOVER_BOXES,
    DISCOVER_STABILITY,
    ADVICE,
    PARTICLES,
    GENERATIONS,
    POSTERIOR,
    PREDICTIVE,
    DIAGNOSIS,
];

const fn count(kind: Kind) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < ALL.len() {
        if ALL[i].kind as u8 == kind as u8 {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Number of streamed tables.
pub const N_STREAMED: usize = count(Kind::Streamed);

/// The streamed tables, in the order of the `.part` files, of a run's rows
/// and of the journal's lengths.
pub const STREAMED: [Table; N_STREAMED] = {
    let mut out = [DESIGN; N_STREAMED];
    let (mut i, mut k) = (0, 0);
    while i < ALL.len() {
        if matches!(ALL[i].kind, Kind::Streamed) {
            out[k] = ALL[i];
            k += 1;
        }
        i += 1;
    }
    out
};

/// The place of the streamed table `t` in [`STREAMED`].
pub const fn slot(t: &Table) -> usize {
    let mut i = 0;
    while i < N_STREAMED {
        if same(STREAMED[i].file, t.file) {
            return i;
        }
        i += 1;
    }
    panic!("not a streamed table")
}

/// The table named `file`, if profspace writes one by that name.
pub fn named(file: &str) -> Option<&'static Table> {
    ALL.iter().find(|t| t.file == file)
}

/// The tables of one kind, in the order of [`ALL`].
pub fn of(kind: Kind) -> impl Iterator<Item = &'static Table> {
    ALL.iter().filter(move |t| t.kind == kind)
}

/// The file name of a table's Parquet copy (`runs.parquet`).
pub fn parquet_name(csv: &str) -> String {
    format!("{}.parquet", csv.strip_suffix(".csv").unwrap_or(csv))
}

/// Which streamed tables a run set with `output` writes, in the order of
/// [`STREAMED`]; `failed` says whether a run failed.
pub fn written(output: &Output, failed: bool) -> [bool; N_STREAMED] {
    STREAMED.map(|t| match t.written {
        Written::Always => true,
        Written::OnFailure => failed,
        Written::Asked { when, .. } => when(output),
    })
}

impl Table {
    /// The header fields of a streamed table of `model`, with the
    /// parameter columns `params` (of `runs.csv`).
    pub fn header(&self, model: &dyn Model, params: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self.id.iter().map(|s| s.to_string()).collect();
        if self.file == RUNS.file {
            out.extend(params.iter().cloned());
            out.extend(model.run_metrics().iter().map(|m| m.name.to_string()));
        } else if self.file == FAILURES.file {
            out.push("message".into());
        } else if let Some(rows) = self.rows {
            if rows.ids == 3 {
                out.push(model.agent_word().to_string());
            }
            out.extend((rows.metrics)(model).iter().map(|m| m.name.to_string()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_declared_once_and_streamed_slots_are_in_order() {
        for (i, t) in ALL.iter().enumerate() {
            assert_eq!(named(t.file).map(|t| t.file), Some(t.file));
            assert!(
                ALL[..i].iter().all(|u| u.file != t.file),
                "{} twice",
                t.file
            );
        }
        let names: Vec<&str> = STREAMED.iter().map(|t| t.file).collect();
        assert_eq!(
            names,
            [
                "runs.csv",
                "ticks.csv",
                "failures.csv",
                "teams.csv",
                "agents.csv"
            ]
        );
        assert_eq!(slot(&TEAMS), 3);
        assert_eq!(parquet_name("runs.csv"), "runs.parquet");
    }

    #[test]
    fn what_a_run_set_writes_follows_its_output_keys() {
        let mut o = Output {
            ticks_every: 0,
            teams_every: 2,
            agents_at: vec![],
            parquet: false,
        };
        assert_eq!(written(&o, false), [true, false, false, true, false]);
        o.agents_at = vec![3];
        assert_eq!(written(&o, true), [true, false, true, true, true]);
    }
}
