//! Which lever to pull: for draws from a calibration's posterior (or each
//! team's, in a diagnosis), each lever moved by ±step, run paired with the
//! unmoved draw (the same seed), and the change of the outcome and of the
//! other windows summarised over the draws. Because the draws come from the
//! posterior, the uncertainty of the diagnosis carries into the advice: a
//! wide posterior gives wide intervals.

use super::smc;
use super::space::Dim;
use super::tables::{Folder, probability};
use super::{Job, diagnose};
use crate::error::{Error, Result};
use crate::output::folder::ResultFolder;
use crate::output::manifest;
use crate::output::table::{push_f64, push_text, push_u64};
use crate::output::tables::ADVICE;
use crate::params::Kind;
use crate::rng;
use crate::scenario::Scenario;
use crate::sweep::{Stop, run_tasks};
use std::path::Path;

/// The generation number of the advice draws in seeds.
const ADVICE_SEED: u32 = u32::MAX - 2;

/// How to advise.
#[derive(Clone, Debug)]
pub struct Options {
    /// How far each lever moves, up and down.
    pub step: f64,
    /// The outcome to improve (`None`: the model's, e.g. `essential`).
    pub metric: Option<String>,
    /// Draws from each posterior.
    pub draws: u32,
    /// Worker threads.
    pub threads: usize,
}

/// One move: a lever of a team moved up or down, and what it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    /// The team (a calibration's scenario name when there is no survey).
    pub team: String,
    /// The key moved.
    pub key: String,
    /// Its short word (the model's survey's, e.g. `focus`; else the key).
    pub word: String,
    /// +1 (raise) or −1 (lower).
    pub direction: i8,
    /// Per metric: (metric, mean change, 2.5% and 97.5% quantiles of the
    /// change over the draws, share of draws where it rose).
    pub effects: Vec<(String, f64, f64, f64, f64)>,
    /// Share of draws where the move was cut short at the key's range.
    pub clamped: f64,
    /// Its rank within the team on the outcome (1: the best).
    pub rank: usize,
}

/// The advice: every move of every team, ranked, and what it was about.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// The outcome metric.
    pub metric: String,
    /// The step.
    pub step: f64,
    /// The moves, by team in order, then by rank.
    pub moves: Vec<Move>,
}

/// The calibrations of a folder: a diagnosis's teams, or one calibration
/// (named by its scenario).
fn calibrations(dir: &Path) -> Result<Vec<(String, Folder)>> {
    match ResultFolder::new(dir).manifest() {
        manifest::Read::Found(e) if e.command == "diagnose" => Ok(diagnose::read(dir)?.teams),
        manifest::Read::Found(e) if e.command == "calibrate" => {
            let f = Folder::read(dir)?;
            let name = scenario_of(&f)?.name;
            Ok(vec![(name, f)])
        }
        manifest::Read::Found(e) => Err(Error::folder(format!(
            "{} holds a {}; advise works on the folder of a calibration or a diagnosis",
            dir.display(),
            e.command
        ))),
        _ => Err(Error::folder(format!(
            "{} holds no calibration or diagnosis (no readable manifest.json)",
            dir.display()
        ))),
    }
}

/// The scenario a calibration ran, from its manifest.
fn scenario_of(f: &Folder) -> Result<Scenario> {
    Scenario::from_toml(
        &f.scenario_toml,
        crate::output::folder::MANIFEST,
        "calibration",
    )
    .map_err(|e| {
        Error::folder(format!(
            "{}: the scenario in manifest.json cannot be read again: {e}",
            f.dir.display()
        ))
    })
}

/// The `p` quantile of sorted values (linear between order statistics).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = p * (n - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos - pos.floor());
    if i + 1 < n {
        sorted[i] + frac * (sorted[i + 1] - sorted[i])
    } else {
        sorted[n - 1]
    }
}

/// What one team's advice is about: its calibration as a job, the metrics
/// reported (the outcome first), the levers and their ranges.
struct Team<'a> {
    name: &'a str,
    folder: &'a Folder,
    job: Job,
    survey: Option<crate::model::Survey>,
    metric: String,
    /// Indices of the reported run metrics, the outcome first.
    reported: Vec<usize>,
    /// (dimension, lowest, highest) of each real key.
    levers: Vec<(usize, f64, f64)>,
}

impl<'a> Team<'a> {
    fn new(name: &'a str, folder: &'a Folder, metric: Option<&str>) -> Result<Team<'a>> {
        let s = scenario_of(folder)?;
        let job = Job::new(&s)?;
        let model = s.model;
        let survey = model.survey();
        let metric = metric
            .map(str::to_string)
            .or_else(|| survey.map(|v| v.outcome.to_string()))
            .unwrap_or_else(|| model.charts().primary.to_string());
        let names: Vec<&str> = model.run_metrics().iter().map(|m| m.name).collect();
        let Some(outcome) = names.iter().position(|n| *n == metric) else {
            let hint = crate::params::suggest(&metric, names.iter().copied())
                .map(|m| format!("did you mean `{m}`? "))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "--metric {metric}: not an output of model {}; {hint}the outputs are {}",
                model.name(),
                names.join(", ")
            )));
        };
        let others: Vec<String> = match survey {
            Some(v) => v
                .windows
                .iter()
                .map(|(_, m)| m.to_string())
                .chain(v.side_effects.iter().map(|m| m.to_string()))
                .collect(),
            None => folder.targets.iter().map(|t| t.metric.clone()).collect(),
        };
        let mut reported = vec![outcome];
        for m in others {
            if let Some(i) = names.iter().position(|n| *n == m)
                && !reported.contains(&i)
            {
                reported.push(i);
            }
        }
        let mut levers = Vec::new();
        for (d, dim) in job.space().dims.iter().enumerate() {
            if !matches!(dim, Dim::Real { .. }) {
                continue;
            }
            let key = &job.space().keys[d];
            match s.kind_of(key) {
                Ok((Kind::Float { min, max }, _)) => levers.push((d, min, max)),
                _ => return Err(Error::internal(format!("{key} is not a real key"))),
            }
        }
        if levers.is_empty() {
            return Err(Error::usage(format!(
                "{}: the calibration infers no real-valued key, so there is no lever to move",
                folder.dir.display()
            )));
        }
        Ok(Team {
            name,
            folder,
            job,
            survey,
            metric,
            reported,
            levers,
        })
    }

    /// Draw `d` from the posterior, run unmoved and with each move, paired:
    /// per move (lever × direction) the changes of the reported metrics
    /// and whether the move was cut short at the lever's range.
    fn draw(
        &self,
        d: usize,
        step: f64,
        population: &[super::smc::Particle],
        cumulative: &[f64],
    ) -> Result<Changes> {
        let seed = rng::calibrate_seed(self.folder.seed, ADVICE_SEED, d as u32, 0);
        let mut r = rng::seeded(seed, rng::CALIBRATE_STREAM);
        let theta = &population[smc::pick(cumulative, rng::uniform(&mut r))].theta;
        let at = |t: &[f64]| -> Result<Vec<f64>> {
            let p = self
                .job
                .params_at(t)
                .ok_or_else(|| Error::internal("a moved lever breaks the model's rules"))?;
            self.job.simulate_all(&p, seed)
        };
        let base = at(theta)?;
        let mut out = Vec::with_capacity(2 * self.levers.len());
        for &(dim, lo, hi) in &self.levers {
            for dir in [1.0, -1.0] {
                let want = theta[dim] + dir * step;
                let mut moved = theta.clone();
                moved[dim] = want.clamp(lo, hi);
                let after = at(&moved)?;
                out.push((
                    self.reported.iter().map(|&m| after[m] - base[m]).collect(),
                    moved[dim] != want,
                ));
            }
        }
        Ok(out)
    }

    /// Every move of the team, summarised over the draws and ranked by the
    /// mean change of the outcome.
    fn moves(&self, opts: &Options, stop: &Stop) -> Result<Vec<Move>> {
        let (population, weights) = super::tables::last_population(self.folder);
        let cumulative = smc::cumulative(&weights);
        let draws = opts.draws as usize;
        let mut results: Vec<Option<Changes>> = vec![None; draws];
        run_tasks(
            draws,
            opts.threads,
            stop,
            |d| self.draw(d, opts.step, &population, &cumulative),
            |d, result| {
                results[d] = Some(result.map_err(|e| {
                    Error::internal(format!(
                        "{}: draw {d} could not be run: {e}",
                        self.folder.dir.display()
                    ))
                })?);
                Ok(())
            },
        )?;
        if results.iter().any(Option::is_none) {
            return Err(Error::usage(
                "stopped before every draw was run; nothing was written",
            ));
        }
        let results: Vec<Changes> = results.into_iter().flatten().collect();
        let names = self.job.base().model.run_metrics();
        let mut moves = Vec::new();
        for (l, &(dim, _, _)) in self.levers.iter().enumerate() {
            for (k, direction) in [1i8, -1].into_iter().enumerate() {
                let mv = 2 * l + k;
                let effects = self
                    .reported
                    .iter()
                    .enumerate()
                    .map(|(j, &m)| {
                        let xs: Vec<f64> = results.iter().map(|r| r[mv].0[j]).collect();
                        summarise(names[m].name, xs)
                    })
                    .collect();
                let clamped =
                    results.iter().filter(|r| r[mv].1).count() as f64 / results.len() as f64;
                let key = self.job.space().keys[dim].clone();
                moves.push(Move {
                    team: self.name.to_string(),
                    word: self
                        .survey
                        .and_then(|v| v.levers.iter().find(|(k, _)| *k == key))
                        .map_or_else(|| key.clone(), |(_, w)| w.to_string()),
                    key,
                    direction,
                    effects,
                    clamped,
                    rank: 0,
                });
            }
        }
        moves.sort_by(|a, b| b.effects[0].1.total_cmp(&a.effects[0].1));
        for (i, m) in moves.iter_mut().enumerate() {
            m.rank = i + 1;
        }
        Ok(moves)
    }
}

/// Per move: the changes of the reported metrics, and whether it was cut
/// short at the lever's range.
type Changes = Vec<(Vec<f64>, bool)>;

/// A metric's changes over the draws: (metric, mean, 2.5% and 97.5%
/// quantiles, share of draws where it rose).
fn summarise(metric: &str, mut xs: Vec<f64>) -> (String, f64, f64, f64, f64) {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let positive = xs.iter().filter(|&&x| x > 0.0).count() as f64;
    (
        metric.to_string(),
        mean,
        quantile(&xs, 0.025),
        quantile(&xs, 0.975),
        positive / n,
    )
}

/// Advises on the calibration or diagnosis in `dir`.
pub fn advise(dir: &Path, opts: &Options, stop: &Stop) -> Result<Advice> {
    if !(opts.step > 0.0 && opts.step.is_finite()) {
        return Err(Error::usage(format!(
            "--step {}: a lever must move by a number above 0 (e.g. 0.1)",
            opts.step
        )));
    }
    if opts.draws < 2 {
        return Err(Error::usage("--draws must be at least 2"));
    }
    let found = calibrations(dir)?;
    let mut moves = Vec::new();
    let mut metric = String::new();
    for (name, folder) in &found {
        let team = Team::new(name, folder, opts.metric.as_deref())?;
        moves.extend(team.moves(opts, stop)?);
        metric = team.metric;
    }
    let advice = Advice {
        metric,
        step: opts.step,
        moves,
    };
    ResultFolder::new(dir).write(ADVICE.file, &table(&advice))?;
    Ok(advice)
}

/// `advice.csv`: `team,parameter,direction,metric,mean,q025,q975,
/// p_positive,rank,clamped`, a row per team, move and reported metric (the
/// outcome first), by rank.
pub fn table(a: &Advice) -> Vec<u8> {
    let mut buf =
        b"team,parameter,direction,metric,mean,q025,q975,p_positive,rank,clamped\n".to_vec();
    for m in &a.moves {
        for (metric, mean, lo, hi, p) in &m.effects {
            push_text(&mut buf, &m.team);
            buf.push(b',');
            push_text(&mut buf, &m.key);
            buf.extend_from_slice(if m.direction > 0 { b",+," } else { b",-," });
            push_text(&mut buf, metric);
            for x in [*mean, *lo, *hi, *p] {
                buf.push(b',');
                push_f64(&mut buf, x);
            }
            buf.push(b',');
            push_u64(&mut buf, m.rank as u64);
            buf.push(b',');
            push_f64(&mut buf, m.clamped);
            buf.push(b'\n');
        }
    }
    buf
}

/// A signed change with three decimals: `+0.061`, `−0.012`.
fn signed(x: f64) -> String {
    if x < 0.0 {
        format!("−{:.3}", -x)
    } else {
        format!("+{x:.3}")
    }
}

/// A 95% interval of a change: `0.048–0.074` when it is positive, else
/// `−0.010 to +0.020`.
fn interval(lo: f64, hi: f64) -> String {
    if lo >= 0.0 {
        format!("{lo:.3}–{hi:.3}")
    } else {
        format!("{} to {}", signed(lo), signed(hi))
    }
}

/// A team's advice in words: the best move with its change, interval and
/// probability, and how much less the second helps. "team B: raise
/// connection (+0.061 essential, 95% 0.048–0.074, P > 0.99); lowering focus
/// helps less (+0.012)".
pub fn words(a: &Advice, team: &str) -> String {
    let mut ranked: Vec<&Move> = a.moves.iter().filter(|m| m.team == team).collect();
    ranked.sort_by_key(|m| m.rank);
    let Some(best) = ranked.first() else {
        return format!("team {team}: no lever to move");
    };
    let (_, mean, lo, hi, p) = &best.effects[0];
    let verb = |m: &Move, ing: bool| match (m.direction > 0, ing) {
        (true, false) => "raise",
        (false, false) => "lower",
        (true, true) => "raising",
        (false, true) => "lowering",
    };
    let clamp_note = |m: &Move| {
        if m.clamped > 0.0 {
            format!("; at its limit in {:.0}% of the draws", 100.0 * m.clamped)
        } else {
            String::new()
        }
    };
    if *mean <= 0.0 {
        return format!(
            "team {team}: no move of {} raises {} (the least harmful, {} {}, changes it by {}, 95% {})",
            a.step,
            a.metric,
            verb(best, true),
            best.word,
            signed(*mean),
            interval(*lo, *hi)
        );
    }
    let mut text = format!(
        "team {team}: {} {} ({} {}, 95% {}, P {}{})",
        verb(best, false),
        best.word,
        signed(*mean),
        a.metric,
        interval(*lo, *hi),
        probability(*p),
        clamp_note(best)
    );
    if let Some(second) = ranked.get(1) {
        text.push_str(&format!(
            "; {} {} helps less ({})",
            verb(second, true),
            second.word,
            signed(second.effects[0].1)
        ));
    }
    text
}
