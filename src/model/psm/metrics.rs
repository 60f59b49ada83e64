//! The observables of the professional-space model, declared once: the tick
//! metrics (one column each in `ticks.csv` and `runs.csv`, in this order)
//! and the run metrics (the tick metrics summarised over the final window,
//! then `settle_tick`). The step tallies into arrays indexed by the
//! constants declared here; the glossary (`profspace metrics`,
//! `docs/metrics.md`) is printed from the same table.

use crate::observe::{Metric, Unit};

/// Where the states and shares are defined in `docs/ODD.md`.
const OBSERVATION: &str = "ODD §7, Observation";
/// Where the flows of a tick are defined.
const PHASE_A: &str = "ODD §7, Phase A";
/// Where the events are defined.
const PHASE_C: &str = "ODD §7, Phase C";

/// Tick metrics, in column order.
pub mod tick {
    use super::*;

    crate::metric_table! {
        AUTONOMY = Metric::level("autonomy", "mean autonomy a: the room professionals have to decide how to do their work (freedom)").higher().defined_in(OBSERVATION),
        SAFETY = Metric::level("safety", "mean safety s: the box, containment; the professional can work and speak up without fear").higher().defined_in(OBSERVATION),
        PURPOSE = Metric::level("purpose", "mean purpose p: the manager's rationale has become a motive of the professional").higher().defined_in(OBSERVATION),
        IDENTITY = Metric::level("identity", "mean identity id: the effects asked for fit what the professional stands for").higher().defined_in(OBSERVATION),
        MEANING = Metric::level("meaning", "mean meaning mn: the work makes sense (sensemaking); the catalyst of purpose, identity and drive").higher().defined_in(OBSERVATION),
        DRIVE = Metric::level("drive", "mean drive d: preparedness, intrinsic motivation").higher().defined_in(OBSERVATION),
        SKILL = Metric::level("skill", "mean skill q: craft, grows with room and safety").higher().defined_in(OBSERVATION),
        CYNICISM = Metric::level("cynicism", "mean cynicism cy: frustrated ambition turned sour").lower().defined_in(OBSERVATION),
        TRUST = Metric::level("trust", "mean trust of professionals in their own manager").higher().defined_in(OBSERVATION),
        STANDARD = Metric::level("standard", "mean standard of good work of professionals: 0 volume … 1 craft quality (drifts toward the managers' effects)").defined_in(OBSERVATION),
        EFFECTS = Metric::level("effects", "mean effect definition E of the managers, on the axis of standard: 0 volume … 1 craft quality").of_managers().defined_in(OBSERVATION),
        LICENCE = Metric::level("licence", "mean licence to lead L of the managers, granted by their teams' trust").higher().of_managers().defined_in(OBSERVATION),
        CONFLICT = Metric::level("conflict", "mean conflict k of the frame negotiation between manager and professional").lower().defined_in(PHASE_A),
        EXISTENTIAL = Metric::level("existential", "mean existential performance x: does it work? (craft: skill, room, safety and effort)").higher().defined_in(PHASE_A),
        FUNCTIONAL = Metric::level("functional", "mean functional performance fn: does it fit? (return: effort, alignment, energy)").higher().defined_in(PHASE_A),
        ESSENTIAL = Metric::level("essential", "mean essential performance: existential and functional integrated (their geometric mean)").higher().defined_in(PHASE_A),
        FIT = Metric::level("fit", "mean fit of the manager's effects with the professional's standard").higher().defined_in(PHASE_A),
        ALIENATED = Metric::share("alienated", "share with autonomy < 0.3 and meaning < 0.3: walls without space").lower().defined_in(OBSERVATION),
        DISORIENTED = Metric::share("disoriented", "share with autonomy ≥ 0.5, safety < 0.3 and purpose < 0.3: space without walls").lower().defined_in(OBSERVATION),
        INTEGRATED = Metric::share("integrated", "share with autonomy, safety, purpose, identity and meaning all > 0.5: the five windows open").higher().defined_in(OBSERVATION),
        EXITS = Metric::count("exits", "cumulative exits: professionals who left (each replaced at once by a hire)", Unit::HeadCount).lower().defined_in(PHASE_C),
        REVOCATIONS = Metric::count("revocations", "cumulative revocations of a manager's licence (each manager replaced)", Unit::Events).lower().defined_in(PHASE_C),
    }
}

/// The columns of `teams.csv`: the tick metrics over the team (means over
/// its professionals, its manager's values, its own event counts), then the
/// levers of its current manager.
pub mod team {
    use super::*;

    use crate::model::psm::params::{LEVERS as LEVER_TABLE, N_LEVERS};

    /// Where the levers are defined.
    const LEVERS_AT: &str = "ODD §2, Manager";

    /// The manager's levers, in the order of the scenario keys (their
    /// columns, from the model's one table of levers).
    pub static LEVERS: [Metric; N_LEVERS] = {
        let mut out = [Metric::level("", ""); N_LEVERS];
        let mut i = 0;
        while i < N_LEVERS {
            out[i] =
                Metric::level(LEVER_TABLE[i].name, LEVER_TABLE[i].column).defined_in(LEVERS_AT);
            i += 1;
        }
        out
    };

    /// Index of the first lever.
    pub const FIRST_LEVER: usize = super::tick::LEN;
    /// Number of columns after `team`.
    pub const LEN: usize = super::tick::LEN + N_LEVERS;

    /// The columns after `team`.
    pub static METRICS: [Metric; LEN] = {
        let mut out = [LEVERS[0]; LEN];
        let mut i = 0;
        while i < super::tick::LEN {
            out[i] = super::tick::METRICS[i];
            i += 1;
        }
        while i < LEN {
            out[i] = LEVERS[i - super::tick::LEN];
            i += 1;
        }
        out
    };
}

/// The columns of `agents.csv`: a professional's states (the state entering
/// the recorded tick), then its traits.
pub mod agent {
    use super::*;

    /// Where states and traits are defined.
    const STATE: &str = "ODD §2, State variables";

    crate::metric_table! {
        AUTONOMY = Metric::level("autonomy", "autonomy a of the professional").higher().defined_in(STATE),
        SAFETY = Metric::level("safety", "safety s of the professional").higher().defined_in(STATE),
        PURPOSE = Metric::level("purpose", "purpose p of the professional").higher().defined_in(STATE),
        IDENTITY = Metric::level("identity", "identity id of the professional").higher().defined_in(STATE),
        MEANING = Metric::level("meaning", "meaning mn of the professional").higher().defined_in(STATE),
        DRIVE = Metric::level("drive", "drive d of the professional").higher().defined_in(STATE),
        SKILL = Metric::level("skill", "skill q of the professional").higher().defined_in(STATE),
        CYNICISM = Metric::level("cynicism", "cynicism cy of the professional").lower().defined_in(STATE),
        TRUST = Metric::level("trust", "trust of the professional in their manager").higher().defined_in(STATE),
        STANDARD = Metric::level("standard", "trait that drifts: what good work means to the professional, 0 volume … 1 craft quality").defined_in(STATE),
        NEED = Metric::level("need", "trait: need for autonomy").defined_in(STATE),
        CONSEQUENTIALISM = Metric::level("consequentialism", "trait λ: weight of the logic of consequences (1 − λ: the logic of identity)").defined_in(STATE),
        ASPIRATION = Metric::level("aspiration", "trait: aspiration level").defined_in(STATE),
        BASE_DRIVE = Metric::level("base_drive", "trait: baseline intrinsic drive").defined_in(STATE),
    }
}

/// Run metrics, in column order: the tick metrics (final-window means, final
/// counts), then the settle tick.
pub mod run {
    use super::*;

    /// The settle tick of essential performance.
    pub const SETTLE: Metric = Metric::tick(
        "settle_tick",
        "first tick from which the trailing 10-tick mean of essential stays within 0.02 of its final-window mean (0: it never leaves that band)",
        Unit::Tick,
    )
    .defined_in(OBSERVATION);

    /// Index of `settle_tick`.
    pub const SETTLE_TICK: usize = super::tick::LEN;
    /// Number of run metrics.
    pub const LEN: usize = super::tick::LEN + 1;

    /// The run metrics.
    pub static METRICS: [Metric; LEN] = {
        let mut out = [SETTLE; LEN];
        let mut i = 0;
        while i < super::tick::LEN {
            out[i] = super::tick::METRICS[i];
            i += 1;
        }
        out
    };
}
