//! `agents.csv`, written when a scenario asks for it: one row per
//! professional at a few recorded ticks (`run,point,replicate,tick,team,
//! professional,` then one column per state or trait). It can hold
//! millions of rows, so it is read streaming: a row's fields are parsed
//! and dropped, and only the values of the chosen states are kept, per
//! (tick, group, state) as `f32`.
//!
//! A violin needs no more than a few hundred thousand values, so each
//! (tick, group, state) keeps at most [`MAX_VALUES`]: a systematic sample,
//! every k-th value in file order, k doubling (and every other kept value
//! dropped) whenever the cap is reached, so a thinned violin holds between
//! half the cap and the cap, and the same file always gives the same
//! sample.

use super::{column, csv_err, number, open_csv, require};
use crate::error::Result;
use crate::plot::invalid;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The most values one (tick, group, state) keeps.
pub(crate) const MAX_VALUES: usize = 200_000;

/// The identifying columns of `agents.csv`, before the states.
pub(crate) const ID_COLUMNS: [&str; 6] =
    ["run", "point", "replicate", "tick", "team", "professional"];

/// The state columns of `agents.csv` (every column but the identifying
/// ones), or `None` when the file is absent.
pub(crate) fn agent_states(path: &Path) -> Result<Option<Vec<String>>> {
    if !path.is_file() {
        return Ok(None);
    }
    let (_, header) = open_csv(path, false)?;
    Ok(Some(
        header
            .into_iter()
            .filter(|h| !ID_COLUMNS.contains(&h.as_str()))
            .collect(),
    ))
}

/// The kept values of one (tick, group, state): a systematic sample.
#[derive(Clone, Debug, Default)]
pub(crate) struct Bucket {
    values: Vec<f32>,
    stride: u64,
    seen: u64,
}

impl Bucket {
    fn push(&mut self, x: f64, cap: usize) {
        let stride = self.stride.max(1);
        if self.seen.is_multiple_of(stride) {
            self.values.push(x as f32);
            if self.values.len() >= cap {
                let kept: Vec<f32> = self.values.iter().copied().step_by(2).collect();
                self.values = kept;
                self.stride = stride * 2;
            }
        }
        self.seen += 1;
    }

    /// The kept values, ascending, as `f64`.
    pub fn sorted(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.values.iter().map(|&x| f64::from(x)).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    /// How many values the file had for it.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Whether only a sample of them is kept.
    pub fn thinned(&self) -> bool {
        self.stride > 1
    }
}

/// The values of some states per recorded tick and group.
#[derive(Clone, Debug)]
pub(crate) struct AgentValues {
    /// Recorded ticks, ascending.
    pub ticks: Vec<u64>,
    /// State names, in the order asked for.
    pub states: Vec<String>,
    /// Number of groups.
    pub groups: usize,
    /// `buckets[(t * groups + g) * states + k]`.
    buckets: Vec<Bucket>,
}

impl AgentValues {
    /// The values of state `k`, group `g`, tick index `t`.
    pub fn at(&self, t: usize, g: usize, k: usize) -> &Bucket {
        &self.buckets[(t * self.groups + g) * self.states.len() + k]
    }
}

/// Streams `agents.csv`, adding each row's `states` to the group
/// `group_of[point]` (rows of other points are skipped), at most `cap`
/// values per (tick, group, state).
pub(crate) fn read_agents(
    path: &Path,
    states: &[String],
    groups: usize,
    group_of: &BTreeMap<u64, usize>,
    cap: usize,
) -> Result<AgentValues> {
    require(path)?;
    let (mut r, header) = open_csv(path, false)?;
    let pc = column(path, &header, "point")?;
    let tc = column(path, &header, "tick")?;
    let cols: Vec<usize> = states
        .iter()
        .map(|s| column(path, &header, s))
        .collect::<Result<_, _>>()?;
    let block = groups * states.len();
    let mut slot_of: HashMap<u64, usize> = HashMap::new();
    let mut ticks: Vec<u64> = Vec::new();
    let mut buckets: Vec<Bucket> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let whole = |b: &[u8]| -> Option<u64> { std::str::from_utf8(b).ok()?.trim().parse().ok() };
    let mut line = 1usize;
    while r.read_byte_record(&mut rec).map_err(|e| csv_err(path, e))? {
        line += 1;
        let (Some(point), Some(tick)) = (whole(&rec[pc]), whole(&rec[tc])) else {
            return Err(invalid(
                path,
                format!("line {line}: the point or tick is not a whole number"),
            ));
        };
        let Some(&g) = group_of.get(&point) else {
            continue;
        };
        let slot = *slot_of.entry(tick).or_insert_with(|| {
            ticks.push(tick);
            buckets.resize(buckets.len() + block, Bucket::default());
            ticks.len() - 1
        });
        let base = slot * block + g * states.len();
        for (k, &c) in cols.iter().enumerate() {
            let text = std::str::from_utf8(&rec[c]).unwrap_or("\u{fffd}");
            let x = number(path, line, &states[k], text)?;
            if x.is_finite() {
                buckets[base + k].push(x, cap);
            }
        }
    }
    let mut order: Vec<usize> = (0..ticks.len()).collect();
    order.sort_by_key(|&s| ticks[s]);
    let mut sorted = Vec::with_capacity(buckets.len());
    for &s in &order {
        sorted.extend_from_slice(&buckets[s * block..(s + 1) * block]);
    }
    Ok(AgentValues {
        ticks: order.iter().map(|&s| ticks[s]).collect(),
        states: states.to_vec(),
        groups,
        buckets: sorted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_keeps_a_systematic_sample() {
        let mut b = Bucket::default();
        for i in 0..1000 {
            b.push(i as f64, 100);
        }
        assert!(b.thinned() && b.seen() == 1000);
        let v = b.sorted();
        assert!(v.len() >= 50 && v.len() <= 100, "{}", v.len());
        // Every k-th value from the first, k a power of two.
        let k = v[1] - v[0];
        assert!(
            v.windows(2).all(|w| w[1] - w[0] == k) && v[0] == 0.0,
            "{v:?}"
        );
        assert_eq!(k, 16.0);
        let mut small = Bucket::default();
        small.push(0.5, 100);
        assert!(!small.thinned() && small.sorted() == vec![0.5]);
    }

    #[test]
    fn agents_are_read_per_tick_group_and_state() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("agents.csv");
        std::fs::write(
            &p,
            "run,point,replicate,tick,team,professional,autonomy,safety\n\
             0,0,0,10,0,0,0.2,0.9\n0,0,0,0,0,0,0.5,0.5\n1,1,0,10,0,0,0.4,\n2,2,0,10,0,0,0.9,0.1\n",
        )
        .unwrap();
        assert_eq!(
            agent_states(&p).unwrap().unwrap(),
            vec!["autonomy", "safety"]
        );
        let groups: BTreeMap<u64, usize> = [(0, 0), (1, 1)].into_iter().collect();
        let a = read_agents(&p, &["safety".into(), "autonomy".into()], 2, &groups, 10).unwrap();
        assert_eq!(a.ticks, vec![0, 10]);
        assert_eq!(a.at(1, 0, 0).sorted(), vec![0.9f32 as f64]);
        assert_eq!(a.at(1, 1, 1).sorted(), vec![0.4f32 as f64]);
        assert!(a.at(1, 1, 0).sorted().is_empty()); // empty field
        assert_eq!(a.at(0, 0, 1).seen(), 1);
        let e = read_agents(&p, &["trust".into()], 2, &groups, 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("agents.csv") && e.contains("`trust`"), "{e}");
    }
}
