//! Global sensitivity analysis for stochastic simulation models.
//!
//! Pure math, no I/O, no threads, fully deterministic: every random choice
//! comes from [`crate::rng::seeded`]`(seed, stream)` (ChaCha8 seeded from the
//! analysis seed), with separate ChaCha streams for separate purposes (scramble keys, Morris design,
//! bootstrap group draws, bootstrap replicate draws), so equal inputs and
//! seed give bit-identical outputs. Invalid inputs are a usage error
//! ([`crate::error::Error::Usage`]) naming the function and the condition
//! (the `try_` functions; the others panic with the same words).
//!
//! This file owns the module layout, the re-exports and [`scale`]. The
//! submodules own:
//!
//! * [`sobol_seq`]: Owen-scrambled Sobol' low-discrepancy points;
//! * [`saltelli`]: the Saltelli design and the first-order / total Sobol'
//!   estimators with a bootstrap that accounts for replication noise;
//! * [`morris`]: Morris one-at-a-time trajectories and elementary effects;
//! * [`bootstrap`]: the shared two-stage resampling and percentile helpers.
//!
//! Workflow: build a design in the unit hypercube, map each coordinate to
//! the parameter's range with [`scale`], run the model `R ≥ 1` times per
//! design point (the same `R` everywhere), and pass the outputs as
//! `y[point][replicate]` to the analysis.

pub mod bootstrap;
pub mod morris;
pub mod saltelli;
pub mod sobol_seq;

pub use bootstrap::{BootstrapConfig, percentile, percentile_interval};
pub use morris::{
    MorrisIndex, morris_analyze, morris_design, try_morris_analyze, try_morris_design,
};
pub use saltelli::{SaltelliDesign, SobolIndex, sobol_analyze, try_sobol_analyze};
pub use sobol_seq::{SOBOL_MAX_DIMS, SOBOL_MAX_POINTS, sobol_points, try_sobol_points};

/// Maps `unit ∈ [0, 1]` linearly onto `[from, to]` (`from + unit·(to − from)`;
/// `from > to` gives a decreasing map).
pub fn scale(unit: f64, from: f64, to: f64) -> f64 {
    from + unit * (to - from)
}

/// Test functions with known sensitivity indices, shared by the tests.
#[cfg(test)]
pub(crate) mod test_models {
    use std::f64::consts::PI;

    pub const ISHIGAMI_A: f64 = 7.0;
    pub const ISHIGAMI_B: f64 = 0.1;

    /// Ishigami function of unit-cube inputs mapped to `[-π, π]^3`.
    pub fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|&v| super::scale(v, -PI, PI)).collect();
        x[0].sin() + ISHIGAMI_A * x[1].sin().powi(2) + ISHIGAMI_B * x[2].powi(4) * x[0].sin()
    }

    /// `(V, [S1], [ST])` of the Ishigami function.
    pub fn ishigami_analytic() -> (f64, [f64; 3], [f64; 3]) {
        let (a, b) = (ISHIGAMI_A, ISHIGAMI_B);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * 8.0 / 225.0;
        let v = v1 + v2 + v13;
        (v, [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    pub const G_A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];

    /// Sobol' G function on the unit cube.
    pub fn g_function(u: &[f64]) -> f64 {
        u.iter()
            .zip(G_A)
            .map(|(&x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// `(V, [S1], [ST])` of the G function.
    pub fn g_analytic() -> (f64, Vec<f64>, Vec<f64>) {
        let vi: Vec<f64> = G_A
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
            .collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = prod - 1.0;
        let s1 = vi.iter().map(|x| x / v).collect();
        let st = vi.iter().map(|x| x * prod / (1.0 + x) / v).collect();
        (v, s1, st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_endpoints_and_midpoint() {
        assert_eq!(scale(0.0, -2.0, 6.0), -2.0);
        assert_eq!(scale(1.0, -2.0, 6.0), 6.0);
        assert_eq!(scale(0.5, -2.0, 6.0), 2.0);
        assert_eq!(scale(0.25, 1.0, 0.0), 0.75);
    }

    #[test]
    fn analytic_reference_values() {
        let (_, s1, st) = test_models::ishigami_analytic();
        let want_s1 = [0.3139, 0.4424, 0.0];
        let want_st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!((s1[i] - want_s1[i]).abs() < 1e-4, "S1[{i}] = {}", s1[i]);
            assert!((st[i] - want_st[i]).abs() < 1e-4, "ST[{i}] = {}", st[i]);
        }
    }
}
