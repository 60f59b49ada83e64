//! March's (1991) scenario keys: the `[march]` section of the registry, the
//! rule that ties two of them together, and the memory a run holds.

use super::MarchParams;
use crate::param;
use crate::params::{Kind, Param, Problem, UNIT, Value};

const BIG: i64 = 10_000_000;

/// Every key of the model, in the order of the documentation.
pub static PARAMS: &[Param] = &[
    param!(MarchParams, "march.dimensions", Kind::Int { min: 1, max: 100_000 }, dimensions: u => Int,
        "Dimensions of reality (m)", "March 1991: the external reality"),
    param!(MarchParams, "march.individuals", Kind::Int { min: 1, max: 1_000_000 }, individuals: u => Int,
        "Individuals in the organisation (n)", "March 1991: the members"),
    param!(MarchParams, "march.socialization", UNIT, socialization: f => Float,
        "Socialisation rate p1: how fast individuals adopt the code", "exploitation: learning from the code"),
    param!(MarchParams, "march.code_learning", UNIT, code_learning: f => Float,
        "Code learning rate p2: how fast the code learns from the superior group", "the organisation learns from its members"),
    param!(MarchParams, "march.turnover", UNIT, turnover: f => Float,
        "Turnover p3: probability per period that an individual is replaced by a newcomer", "exploration through newcomers"),
    param!(MarchParams, "march.turbulence", UNIT, turbulence: f => Float,
        "Turbulence p4: probability per period that each dimension of reality flips", "a changing environment"),
    param!(MarchParams, "march.fast_individuals", Kind::Int { min: 0, max: 1_000_000 }, fast_individuals: u => Int,
        "How many individuals (the first ones) socialise at fast_socialization", "heterogeneous socialisation"),
    param!(MarchParams, "march.fast_socialization", UNIT, fast_socialization: f => Float,
        "Socialisation rate of the fast individuals", "heterogeneous socialisation"),
    Param::new(
        "march.max_periods",
        Kind::Int { min: 1, max: BIG },
        "Cap on periods; a closed organisation stops earlier at equilibrium",
        "—",
        |h| {
            // Unset, the cap depends on turnover and turbulence.
            h.downcast_ref::<MarchParams>()
                .and_then(|p| p.max_periods.map(|n| Value::Int(i64::from(n))))
        },
        |h, v| match (h.downcast_mut::<MarchParams>(), v) {
            (Some(p), Value::Int(n)) => u32::try_from(*n).map(|n| p.max_periods = Some(n)).is_ok(),
            _ => false,
        },
    )
    .note("5000 if turnover and turbulence are 0, else 100"),
];

/// Bytes one run holds: beliefs and actions, reality and code.
pub fn memory_per_run(p: &MarchParams) -> u64 {
    let m = u64::from(p.dimensions);
    let n = u64::from(p.individuals);
    n.saturating_mul(m).saturating_mul(2).saturating_add(m * 16)
}

/// No more fast individuals than individuals.
pub fn validate(p: &MarchParams, line: &dyn Fn(&str) -> Option<usize>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if p.fast_individuals > p.individuals {
        problems.push(Problem::new(
            "march.fast_individuals",
            line("march.fast_individuals").or_else(|| line("march.individuals")),
            format!(
                "{} fast individuals but only {} individuals; expected at most {}",
                p.fast_individuals, p.individuals, p.individuals
            ),
        ));
    }
    problems
}
