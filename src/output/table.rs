//! The CSV tables: their columns, in a fixed documented order, and the
//! formatting of their rows. Real numbers are written in the shortest form
//! that reads back to the same `f64` (ryu), counts as whole numbers, with `.`
//! as the decimal mark; identical values always give identical bytes.

use crate::observe::{Metric, MetricKind};
use crate::scenario::Value;

/// Appends one CSV field (quoted only when it must be).
pub fn push_text(buf: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Appends a real number; non-finite values are written as an empty field.
pub fn push_f64(buf: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        let mut b = ryu::Buffer::new();
        let s = b.format_finite(if x == 0.0 { 0.0 } else { x });
        buf.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
    }
}

/// Appends a whole number.
pub fn push_u64(buf: &mut Vec<u8>, x: u64) {
    buf.extend_from_slice(x.to_string().as_bytes());
}

/// Appends a parameter value.
pub fn push_value(buf: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Float(x) => push_f64(buf, *x),
        Value::Int(i) => buf.extend_from_slice(i.to_string().as_bytes()),
        Value::Bool(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Text(s) => push_text(buf, s),
        Value::List(v) => {
            let items: Vec<String> = v.iter().map(i64::to_string).collect();
            push_text(buf, &items.join(" "));
        }
    }
}

/// Appends a metric value as its kind is written.
pub fn push_metric(buf: &mut Vec<u8>, kind: MetricKind, x: f64) {
    match kind {
        MetricKind::Mean => push_f64(buf, x),
        MetricKind::Count | MetricKind::Tick => push_u64(buf, x.max(0.0).round() as u64),
    }
}

/// A header line of the fields `fields`.
pub fn header_line(fields: &[String]) -> Vec<u8> {
    let mut buf = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_text(&mut buf, f);
    }
    buf.push(b'\n');
    buf
}

fn header(fixed: &[&str], params: &[String], metrics: impl Iterator<Item = String>) -> Vec<u8> {
    let fields: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(params.iter().cloned())
        .chain(metrics)
        .collect();
    header_line(&fields)
}

/// `design.csv`: `point`, the swept parameters.
pub fn design_header(params: &[String]) -> Vec<u8> {
    header(&["point"], params, std::iter::empty())
}

/// `aggregate.csv`: `point`, the parameters, `n`, then mean, sd and 95% CI
/// half-width of every run metric.
pub fn aggregate_header(params: &[String], metrics: &[Metric]) -> Vec<u8> {
    let stats = metrics
        .iter()
        .flat_map(|m| ["mean", "sd", "ci95"].map(|s| format!("{}_{s}", m.name)));
    let mut fixed_then_n: Vec<String> = params.to_vec();
    fixed_then_n.push("n".into());
    header(&["point"], &fixed_then_n, stats)
}

/// The identifying fields of a run row: `run,point,replicate,seed`.
pub fn push_run_id(buf: &mut Vec<u8>, run: u64, point: u64, replicate: u32, seed: u64) {
    push_u64(buf, run);
    buf.push(b',');
    push_u64(buf, point);
    buf.push(b',');
    push_u64(buf, u64::from(replicate));
    buf.push(b',');
    push_u64(buf, seed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        let mut b = Vec::new();
        for x in [0.5, 1.0, 0.1 + 0.2, -0.0, 1e-9, f64::NAN] {
            push_f64(&mut b, x);
            b.push(b'|');
        }
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "0.5|1|0.30000000000000004|0|1e-9||"
        );
    }

    #[test]
    fn text_is_quoted_only_when_needed() {
        let mut b = Vec::new();
        push_text(&mut b, "zero_sum");
        b.push(b' ');
        push_text(&mut b, "a,\"b\"");
        assert_eq!(String::from_utf8(b).unwrap(), "zero_sum \"a,\"\"b\"\"\"");
    }

    #[test]
    fn aggregate_columns_follow_the_metrics() {
        let metrics = [
            Metric::level("autonomy", "mean autonomy"),
            Metric::level("safety", "mean safety"),
        ];
        let h = aggregate_header(&["managers.focus".into()], &metrics);
        assert_eq!(
            String::from_utf8(h).unwrap(),
            "point,managers.focus,n,autonomy_mean,autonomy_sd,autonomy_ci95,safety_mean,safety_sd,safety_ci95\n"
        );
    }
}
