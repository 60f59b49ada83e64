//! Small, order-deterministic statistics shared by the aggregate table,
//! the charts and the tests.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, sample standard deviation and the half-width of the 95% confidence
/// interval of the mean (Student's t), summed in the order given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanCi {
    /// Number of values.
    pub n: usize,
    /// Mean (NaN when empty).
    pub mean: f64,
    /// Sample standard deviation (NaN when n < 2).
    pub sd: f64,
    /// Half-width of the 95% CI (NaN when n < 2).
    pub ci95: f64,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// The 0.975 quantile of Student's t with `df` (possibly fractional, as
/// Welch's) degrees of freedom.
pub fn t975_real(df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// A contrast of paired samples `a[i]` and `b[i]` (the same replicate, so
/// the same random numbers, at two design points).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Pairs.
    pub n: usize,
    /// Mean of the differences `a[i] − b[i]`.
    pub mean_diff: f64,
    /// Sample standard deviation of the differences.
    pub sd_diff: f64,
    /// Half-width of the 95% t interval of the mean difference, paired:
    /// t(0.975, n − 1) · sd_diff / √n.
    pub ci95: f64,
    /// The same half-width were the samples independent (Welch):
    /// t(0.975, ν) · √(s_a²/n + s_b²/n), ν by Welch–Satterthwaite.
    pub ci95_unpaired: f64,
    /// Standardised effect d_z = mean_diff / sd_diff.
    pub d_z: f64,
}

/// The paired contrast of `a` against `b` (equal lengths; NaN where
/// undefined, e.g. fewer than two pairs).
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let m = mean_ci(&d);
    let (sa, sb) = (mean_ci(a), mean_ci(b));
    let n = d.len() as f64;
    let (va, vb) = (sa.sd * sa.sd / n, sb.sd * sb.sd / n);
    let se = (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va * va / (n - 1.0) + vb * vb / (n - 1.0));
    let ci95_unpaired = if se == 0.0 { 0.0 } else { t975_real(df) * se };
    Paired {
        n: d.len(),
        mean_diff: m.mean,
        sd_diff: m.sd,
        ci95: m.ci95,
        ci95_unpaired,
        d_z: m.mean / m.sd,
    }
}

/// Mean, sd and 95% CI of `values`.
pub fn mean_ci(values: &[f64]) -> MeanCi {
    let n = values.len();
    if n == 0 {
        return MeanCi {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            ci95: f64::NAN,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return MeanCi {
            n,
            mean,
            sd: f64::NAN,
            ci95: f64::NAN,
        };
    }
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    MeanCi {
        n,
        mean,
        sd,
        ci95: t975(n - 1) * sd / (n as f64).sqrt(),
    }
}

/// Mean and standard error of paired differences `a[i] − b[i]`.
pub fn paired_difference(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let m = mean_ci(&d);
    (m.mean, m.sd / (d.len() as f64).sqrt())
}

/// The standard normal distribution function, from `libm`'s `erfc` (the
/// same bits on every machine).
pub fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The mass of a normal with `mean` and `sd` inside `[lo, hi]`.
pub fn normal_mass(mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    phi((hi - mean) / sd) - phi((lo - mean) / sd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(9) - 2.262).abs() < 1e-3);
        assert!((t975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn welch_and_paired_intervals_of_a_known_sample() {
        // Differences 1, 1, 2, 2: mean 1.5, sd 0.5774, t(3) = 3.1824.
        let p = paired(&[3.0, 4.0, 6.0, 8.0], &[2.0, 3.0, 4.0, 6.0]);
        assert_eq!(p.n, 4);
        assert!((p.mean_diff - 1.5).abs() < 1e-12);
        assert!((p.ci95 - 3.182446305284263 * p.sd_diff / 2.0).abs() < 1e-9);
        assert!((p.d_z - 1.5 / p.sd_diff).abs() < 1e-12);
        // Welch: s_a² = 4.9167, s_b² = 2.9167, n = 4; ν = 5.6328; t = 2.486102 (scipy's
        // ttest_ind(equal_var=False) interval, and R's t.test, give the same).
        let se = ((4.916666666666667 + 2.9166666666666665) / 4.0f64).sqrt();
        assert!(
            (p.ci95_unpaired / se - 2.486102362090013).abs() < 1e-6,
            "{}",
            p.ci95_unpaired / se
        );
        assert!(p.ci95 < p.ci95_unpaired);
        assert!((t975_real(9.0) - t975(9)).abs() < 1e-12);
    }

    #[test]
    fn mean_ci_of_a_known_sample() {
        let m = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.mean, 2.5);
        assert!((m.sd - 1.2909944487358056).abs() < 1e-12);
        assert!((m.ci95 - 3.182446305284263 * m.sd / 2.0).abs() < 1e-9);
        assert!(mean_ci(&[1.0]).sd.is_nan());
    }

    #[test]
    fn paired_differences_of_a_known_sample() {
        // Differences 1, 2, 3, 6: mean 3, sd √(14/3), SE sd/2.
        let (m, se) = paired_difference(&[2.0, 4.0, 6.0, 10.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((m - 3.0).abs() < 1e-12, "{m}");
        assert!((se - (14.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12, "{se}");
    }

    #[test]
    fn the_normal_distribution_function_and_its_mass() {
        assert!((phi(0.0) - 0.5).abs() < 1e-15);
        assert!((phi(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        assert!((phi(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-12);
        assert!((normal_mass(0.0, 1.0, -1.0, 1.0) - 0.682_689_492_137_085_9).abs() < 1e-12);
        assert!((normal_mass(2.0, 0.5, 2.0, f64::INFINITY) - 0.5).abs() < 1e-15);
    }
}
