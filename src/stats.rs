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
    fn mean_ci_of_a_known_sample() {
        let m = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.mean, 2.5);
        assert!((m.sd - 1.2909944487358056).abs() < 1e-12);
        assert!((m.ci95 - 3.182446305284263 * m.sd / 2.0).abs() < 1e-9);
        assert!(mean_ci(&[1.0]).sd.is_nan());
    }
}
