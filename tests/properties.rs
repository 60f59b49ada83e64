//! Property tests of the model's invariants over random valid scenarios:
//! every state stays in [0, 1] and finite, control + autonomy = 1 in every
//! zero-sum dyad at every tick, the headcount is constant, and the same seed
//! gives the same organisation.

use profspace::model::psm::Organisation;
use profspace::scenario::{Coupling, Scenario};
use proptest::prelude::*;

fn unit() -> impl Strategy<Value = f64> {
    0.0f64..=1.0
}

prop_compose! {
    fn scenario()(
        teams in 1u32..6, team_size in 1u32..9, peers in 0u32..6, peer_within in unit(),
        zero_sum in any::<bool>(), levers in prop::array::uniform7(unit()), spread in 0.0f64..0.5,
        traits in prop::array::uniform5(unit()), alpha in unit(), noise in 0.0f64..0.3, w in unit(),
        learn in unit(), cyn in unit(), effects0 in unit(), meaning in any::<bool>(),
        exit_base in 0.0f64..0.2, exit_sens in unit(), floor in unit(),
        licence in prop::array::uniform3(unit()), replace_after in 1u32..5, turbulence in unit(),
    ) -> Scenario {
        let mut s = Scenario::default();
        s.organization.teams = teams;
        s.organization.team_size = team_size;
        s.organization.peer_within = peer_within;
        // Keep the peers drawable: at most team_size − 1 inside, the rest outside.
        let within_max = team_size - 1;
        let outside_max = (teams - 1) * team_size;
        s.organization.peers = peers.min(within_max + outside_max);
        while s.organization.peers_within() > within_max
            || s.organization.peers - s.organization.peers_within() > outside_max
        {
            s.organization.peers -= 1;
        }
        s.coupling = if zero_sum { Coupling::ZeroSum } else { Coupling::FreedomSafety };
        let l = &mut s.managers.levers;
        [l.rationale, l.effect, l.focus, l.energy, l.connection, l.dominance, l.listening] = levers;
        s.managers.spread = spread;
        let t = &mut s.professionals.traits;
        [t.need, t.consequentialism, t.aspiration, t.standard, t.base_drive] = traits;
        s.dynamics.alpha = alpha;
        s.dynamics.noise = noise;
        s.dynamics.peer_weight = w;
        s.dynamics.learn = learn;
        s.dynamics.cynicism_rate = cyn;
        s.dynamics.effects0 = effects0;
        s.dynamics.meaning_dynamics = meaning;
        s.turnover.exit_base = exit_base;
        s.turnover.exit_sensitivity = exit_sens;
        s.turnover.engagement_floor = floor;
        [s.licence.initial, s.licence.rate, s.licence.revoke_below] = licence;
        s.licence.replace_after = replace_after;
        s.environment.turbulence = turbulence;
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn states_stay_in_the_unit_interval_and_zero_sum_conserves(s in scenario(), seed in any::<u64>()) {
        prop_assert!(s.check_rules(&Default::default()).is_ok(), "generator made an invalid scenario");
        let mut org = Organisation::new(&s, seed);
        let n = org.len();
        prop_assert_eq!(n as u64, s.professionals());
        for tick in 0..40 {
            let obs = org.step(tick);
            prop_assert_eq!(org.len(), n, "headcount changed at tick {}", tick);
            for (k, x) in obs.iter().enumerate() {
                prop_assert!(x.is_finite(), "observation {} is {} at tick {}", k, x, tick);
            }
            for (name, values) in org.state_arrays() {
                for (i, x) in values.iter().enumerate() {
                    prop_assert!((0.0..=1.0).contains(x), "{}[{}] = {} at tick {}", name, i, x, tick);
                }
            }
            if s.coupling == Coupling::ZeroSum {
                for i in 0..n {
                    let (a, c) = org.dyad(i);
                    prop_assert!((a + c - 1.0).abs() < 1e-12, "dyad {}: autonomy {} + control {} != 1 at tick {}", i, a, c, tick);
                }
            }
        }
        let (exits, _) = org.counts();
        prop_assert!(exits <= 40 * n as u64);
    }

    #[test]
    fn the_same_seed_gives_the_same_organisation(s in scenario(), seed in any::<u64>()) {
        let mut a = Organisation::new(&s, seed);
        let mut b = Organisation::new(&s, seed);
        for tick in 0..10 {
            prop_assert_eq!(a.step(tick), b.step(tick));
        }
    }
}
