//! The peer network: every professional's directed ties, a fixed number per
//! professional stored flat (`ties[i * peers .. (i + 1) * peers]`).
//!
//! Ties are drawn without replacement and without self-ties by Floyd's
//! algorithm, O(peers) per professional, so building the network is linear
//! in the size of the organisation.

use rand::{Rng, RngExt};

/// Draws `k` distinct integers from `0..n` (Floyd 1987) into `out`.
/// Requires `k <= n`.
fn floyd_sample<R: Rng>(rng: &mut R, n: u32, k: u32, out: &mut Vec<u32>) {
    let start = out.len();
    for j in n - k..n {
        let t = rng.random_range(0..=j);
        if out[start..].contains(&t) {
            out.push(j);
        } else {
            out.push(t);
        }
    }
}

/// Builds the ties of `teams × team_size` professionals: `within` inside the
/// own team and `peers − within` in other teams. The caller has checked that
/// both can be drawn without repeats.
pub fn build<R: Rng>(rng: &mut R, teams: u32, team_size: u32, peers: u32, within: u32) -> Vec<u32> {
    let n = u64::from(teams) * u64::from(team_size);
    let mut ties = Vec::with_capacity((n * u64::from(peers)) as usize);
    let across = peers - within;
    for i in 0..n {
        let team = (i / u64::from(team_size)) as u32;
        let first = team * team_size;
        let own = (i as u32) - first;
        // Inside: draw from the team_size − 1 others, skipping oneself.
        let start = ties.len();
        floyd_sample(rng, team_size - 1, within, &mut ties);
        for t in &mut ties[start..] {
            *t = first + if *t >= own { *t + 1 } else { *t };
        }
        // Outside: draw from the professionals of the other teams, skipping
        // the own team's block.
        let start = ties.len();
        floyd_sample(rng, (teams - 1) * team_size, across, &mut ties);
        for t in &mut ties[start..] {
            if *t >= first {
                *t += team_size;
            }
        }
    }
    ties
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    #[test]
    fn ties_are_distinct_not_self_and_well_placed() {
        let mut r = rng::stream(&rng::run_key(1), 0, 0);
        let (teams, size, peers, within) = (7u32, 5u32, 6u32, 3u32);
        let ties = build(&mut r, teams, size, peers, within);
        assert_eq!(ties.len(), (teams * size * peers) as usize);
        for i in 0..teams * size {
            let mine = &ties[(i * peers) as usize..((i + 1) * peers) as usize];
            let team = i / size;
            for (k, &t) in mine.iter().enumerate() {
                assert!(t < teams * size && t != i, "tie {t} of {i}");
                assert_eq!(
                    t / size == team,
                    k < within as usize,
                    "tie {k} of {i} is {t}"
                );
                assert!(!mine[..k].contains(&t), "repeated tie {t} of {i}");
            }
        }
    }

    #[test]
    fn a_full_team_can_be_drawn() {
        let mut r = rng::stream(&rng::run_key(2), 0, 0);
        let ties = build(&mut r, 1, 4, 3, 3);
        for i in 0..4u32 {
            let mut mine: Vec<u32> = ties[(i * 3) as usize..((i + 1) * 3) as usize].to_vec();
            mine.sort();
            let expected: Vec<u32> = (0..4).filter(|&j| j != i).collect();
            assert_eq!(mine, expected);
        }
    }
}
