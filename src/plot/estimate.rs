//! The two estimates the charts compute themselves, both deterministic
//! (the same values in any order give the same numbers):
//!
//! - [`lowess`]: the trend line of a scatter chart, LOWESS (Cleveland
//!   1979) without robustness iterations: at each x₀, a straight line
//!   fitted by weighted least squares to the nearest `span · n` points
//!   (at least 3), with tricube weights (1 − (|x − x₀| / h)³)³, where h is
//!   the distance to the farthest of them.
//! - [`kde`]: the Gaussian kernel density estimate of a violin, with
//!   Silverman's rule of thumb for the bandwidth,
//!   h = 0.9 · min(sd, IQR / 1.34) · n^(−1/5).

/// The LOWESS trend of `points` (x, y) at each of `at`, with `span` the
/// share of the points each local fit uses. NaN where no fit exists (no
/// points).
pub(crate) fn lowess(points: &[(f64, f64)], span: f64, at: &[f64]) -> Vec<f64> {
    let mut pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let n = pts.len();
    if n == 0 {
        return vec![f64::NAN; at.len()];
    }
    let q = ((span * n as f64).ceil() as usize).clamp(3.min(n), n);
    at.iter().map(|&x0| local_line(&pts, q, x0)).collect()
}

/// The value at `x0` of the weighted line through the `q` points nearest
/// to `x0` (ties broken by position, so the result is deterministic).
fn local_line(pts: &[(f64, f64)], q: usize, x0: f64) -> f64 {
    let mut dist: Vec<(f64, usize)> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.0 - x0).abs(), i))
        .collect();
    dist.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let near = &dist[..q];
    let h = near[q - 1].0;
    let (mut sw, mut sx, mut sy) = (0.0, 0.0, 0.0);
    let weights: Vec<f64> = near
        .iter()
        .map(|&(d, _)| {
            if h > 0.0 {
                let u = (d / h).min(1.0);
                // A point at distance h keeps a tiny weight, so that the
                // fit never loses its farthest point entirely.
                (1.0 - u * u * u).powi(3).max(1e-6)
            } else {
                1.0
            }
        })
        .collect();
    for (&(_, i), &w) in near.iter().zip(&weights) {
        sw += w;
        sx += w * pts[i].0;
        sy += w * pts[i].1;
    }
    let (mx, my) = (sx / sw, sy / sw);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (&(_, i), &w) in near.iter().zip(&weights) {
        let dx = pts[i].0 - mx;
        sxx += w * dx * dx;
        sxy += w * dx * (pts[i].1 - my);
    }
    if sxx > 1e-12 * sw * (1.0 + mx * mx) {
        my + sxy / sxx * (x0 - mx)
    } else {
        my
    }
}

/// Silverman's rule-of-thumb bandwidth of `sorted` values (ascending,
/// finite): 0.9 · min(sd, IQR / 1.34) · n^(−1/5); when both spreads are
/// zero, a small positive width (1% of the magnitude, at least 1e-3) so a
/// constant sample still draws as a thin violin.
pub(crate) fn silverman(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let fallback = || {
        let m = sorted.get(n / 2).copied().unwrap_or(0.0).abs();
        (0.01 * m).max(1e-3)
    };
    if n < 2 {
        return fallback();
    }
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let var = sorted.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.max(0.0).sqrt();
    let iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    let h = 0.9 * spread * (n as f64).powf(-0.2);
    if h > 0.0 { h } else { fallback() }
}

/// The `p` quantile of `sorted` values (linear between order statistics).
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos - pos.floor());
    if i + 1 < n {
        sorted[i] + f * (sorted[i + 1] - sorted[i])
    } else {
        sorted[n - 1]
    }
}

/// The Gaussian kernel density of `sorted` values (ascending, finite) with
/// bandwidth `h` at each of `at`. Only values within 5 h of a point add to
/// it (the rest add less than 4e-6 of a kernel's peak), found by bisection,
/// so a large sample costs little.
pub(crate) fn kde(sorted: &[f64], h: f64, at: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    if n == 0 || h.is_nan() || h <= 0.0 {
        return vec![0.0; at.len()];
    }
    let norm = 1.0 / (n as f64 * h * (2.0 * std::f64::consts::PI).sqrt());
    at.iter()
        .map(|&x| {
            let lo = sorted.partition_point(|&v| v < x - 5.0 * h);
            let hi = sorted.partition_point(|&v| v <= x + 5.0 * h);
            sorted[lo..hi]
                .iter()
                .map(|&v| {
                    let u = (x - v) / h;
                    (-0.5 * u * u).exp()
                })
                .sum::<f64>()
                * norm
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowess_follows_a_line_and_a_curve() {
        // A straight line is reproduced exactly.
        let line: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 2.0 * i as f64 + 1.0)).collect();
        let fit = lowess(&line, 0.5, &[0.0, 7.5, 19.0]);
        for (f, x) in fit.iter().zip([0.0, 7.5, 19.0]) {
            assert!((f - (2.0 * x + 1.0)).abs() < 1e-9, "{f} at {x}");
        }
        // A parabola: the local fit follows the bend, a global line would not.
        let curve: Vec<(f64, f64)> = (0..41)
            .map(|i| {
                let x = i as f64 / 40.0;
                (x, (x - 0.5) * (x - 0.5))
            })
            .collect();
        let fit = lowess(&curve, 0.3, &[0.0, 0.5, 1.0]);
        assert!(fit[1] < 0.02 && fit[0] > 0.2 && fit[2] > 0.2, "{fit:?}");
        // Order of the points does not matter.
        let mut rev = curve.clone();
        rev.reverse();
        assert_eq!(lowess(&rev, 0.3, &[0.3]), lowess(&curve, 0.3, &[0.3]));
        // Degenerate inputs.
        assert!(lowess(&[], 0.5, &[1.0])[0].is_nan());
        assert_eq!(lowess(&[(1.0, 4.0), (1.0, 6.0)], 0.5, &[1.0]), vec![5.0]);
    }

    #[test]
    fn kde_integrates_to_one_with_silverman_bandwidth() {
        let v: Vec<f64> = (0..200).map(|i| (i as f64 / 199.0).powi(2)).collect();
        let h = silverman(&v);
        assert!(h > 0.01 && h < 0.2, "{h}");
        let grid: Vec<f64> = (0..=400).map(|i| -0.5 + 2.0 * i as f64 / 400.0).collect();
        let d = kde(&v, h, &grid);
        let area: f64 = d.iter().sum::<f64>() * 2.0 / 400.0;
        assert!((area - 1.0).abs() < 0.01, "{area}");
        // A constant sample still has a positive width.
        assert!(silverman(&[0.5; 10]) > 0.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0], 0.5), 2.0);
        assert_eq!(quantile(&[1.0, 2.0], 0.25), 1.25);
    }
}
