//! Calibration to observations: approximate Bayesian computation by
//! sequential Monte Carlo (ABC-SMC) with adaptive tolerances, as pyABC
//! does it, on any model behind [`crate::model::Model`].
//!
//! 1. **The prior sample.** `particles` draws from the prior are
//!    simulated; the first tolerance ε₀ is the `quantile` of their
//!    distances.
//! 2. **Generation 0** draws from the prior until each particle's
//!    simulation comes within ε₀; its weights are equal.
//! 3. **Generation t ≥ 1** proposes from the weighted population of t − 1,
//!    moved by the kernel of [`space`] (twice the weighted covariance; a
//!    jump kernel for categorical keys), and accepts within εₜ, the
//!    weighted `quantile` of the distances of t − 1. A particle's weight
//!    is prior(θ) / Σⱼ wⱼ K(θ | θⱼ), normalised.
//! 4. It stops after `generations`, or once ε ≤ `min_epsilon`, or when a
//!    generation would take more than `max_simulations` in all or have an
//!    acceptance rate below `min_acceptance` (that generation is then not
//!    used), and draws posterior-predictive runs from the last population.
//!
//! **Determinism.** Particle j of generation g tries attempts 0, 1, 2, …
//! until one is accepted; attempt a draws its proposal and its runs from
//! [`crate::rng::calibrate_seed`]`(master seed, g, j, a)` only. So each
//! particle, and everything computed from them, is the same whichever
//! thread ran it and however many there were. The particles are computed
//! by the sweep module's workers ([`crate::sweep::run_tasks`]).
//!
//! **Resume.** Each accepted particle goes to a journal (see [`journal`])
//! the moment it is known; `--resume` replays the journal instead of
//! simulating again, and the bytes of every table are those of an
//! uninterrupted run.
//!
//! The model does no I/O; this module reads and writes the folder, and
//! [`tables`] owns its files.

pub mod advise;
pub mod diagnose;
pub mod journal;
pub mod replay;
pub mod smc;
pub mod space;
pub mod survey;
pub mod tables;

use crate::error::{Error, Result};
use crate::model::{ModelParams, Recorded, Recording};
use crate::output::folder::{CALIBRATION_JOURNAL, MANIFEST, ResultFolder};
use crate::output::manifest::{self, FileDigest, Manifest, Status};
use crate::output::tables::{self as output_tables, Kind};
use crate::rng::{self, Rng};
use crate::scenario::calibrate::{Calibrate, Target};
use crate::scenario::{Design, Scenario};
use crate::sweep::{Decision, Options, Reason, Stop, catch_run, check_again, decide, run_tasks};
use journal::{Journal, PRIOR_SAMPLE, Records};
use smc::Particle;
use space::{Kernel, Space};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// The generation number of the prior sample in seeds.
const PRIOR_SEED: u32 = u32::MAX;
/// The generation number of the posterior-predictive draws in seeds.
const PREDICTIVE_SEED: u32 = u32::MAX - 1;
/// Most proposals drawn for one attempt before a calibration gives up
/// (only the model's own rules can refuse a proposal inside the prior).
const MAX_REDRAWS: u32 = 100_000;

/// Why a calibration ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It ran every generation asked for.
    Generations,
    /// The tolerance reached `min_epsilon`.
    MinEpsilon,
    /// The next generation would have needed more than `max_simulations`.
    MaxSimulations,
    /// The next generation's acceptance rate would have been below
    /// `min_acceptance`.
    MinAcceptance,
}

impl Ending {
    /// The name written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Ending::Generations => "generations",
            Ending::MinEpsilon => "min_epsilon",
            Ending::MaxSimulations => "max_simulations",
            Ending::MinAcceptance => "min_acceptance",
        }
    }

    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Ending::Generations => "it ran every generation asked for",
            Ending::MinEpsilon => "the tolerance reached min_epsilon",
            Ending::MaxSimulations => "the next generation would have exceeded max_simulations",
            Ending::MinAcceptance => {
                "the next generation's acceptance rate would have fallen below min_acceptance"
            }
        }
    }
}

/// One generation, as `generations.csv` has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// Its number, from 0.
    pub index: u32,
    /// Its tolerance.
    pub epsilon: f64,
    /// Particles accepted.
    pub accepted: u32,
    /// Particles simulated (each the mean of `replications` runs).
    pub simulations: u64,
    /// `accepted / simulations`.
    pub acceptance_rate: f64,
    /// Effective sample size of its weights.
    pub ess: f64,
}

/// Progress reports of a calibration.
pub trait Watch: Sync {
    /// A phase starts: the prior sample (`None`) or generation `g`, with its
    /// tolerance, particles to accept and particles already known.
    fn phase(&self, generation: Option<u32>, epsilon: f64, total: u64, done: u64);
    /// Particles known so far in the phase.
    fn advance(&self, done: u64);
    /// A generation is complete.
    fn generation(&self, g: &Generation);
    /// The posterior-predictive draws start.
    fn predictive(&self, total: u64);
    /// The calibration stops reporting.
    fn finish(&self);
}

/// A [`Watch`] that says nothing.
pub struct Quiet;

impl Watch for Quiet {
    fn phase(&self, _: Option<u32>, _: f64, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn generation(&self, _: &Generation) {}
    fn predictive(&self, _: u64) {}
    fn finish(&self) {}
}

/// What a calibration achieved.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Whether the tables are written.
    pub complete: bool,
    /// Whether the folder was complete already (nothing was run).
    pub already_complete: bool,
    /// What stopped an incomplete calibration.
    pub stopped_by: Option<Reason>,
    /// What was found and done to the folder first.
    pub notes: Vec<String>,
    /// Particles simulated in this session.
    pub computed: u64,
    /// Why the calibration ended (when complete).
    pub ending: Option<Ending>,
}

/// A calibration ready to run: the scenario's base, its priors as a space,
/// and where each target is among the run metrics.
pub struct Job {
    base: Scenario,
    spec: Calibrate,
    space: Space,
    targets: Vec<Target>,
    columns: Vec<usize>,
    fingerprint: String,
    seed: u64,
}

impl Job {
    /// The job of a scenario with a `[calibrate]` section.
    pub fn new(s: &Scenario) -> Result<Job> {
        let spec = s.calibrate.clone().ok_or_else(|| {
            Error::usage(
                "the scenario has no [calibrate] section; see scenarios/calibrate.toml for one",
            )
        })?;
        if let Some(what) = spec.missing() {
            return Err(Error::usage(what));
        }
        let metrics = s.model.run_metrics();
        let columns = spec
            .targets
            .iter()
            .map(|t| {
                metrics
                    .iter()
                    .position(|m| m.name == t.metric)
                    .ok_or_else(|| Error::internal(format!("`{}` is not a run metric", t.metric)))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut base = s.without_design();
        base.calibrate = None;
        Ok(Job {
            space: Space::new(&spec.priors),
            targets: spec.targets.clone(),
            columns,
            fingerprint: s.fingerprint(),
            seed: s.seed,
            spec,
            base,
        })
    }

    /// The scenario the particles start from (without `[calibrate]`).
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The calibration's settings.
    pub fn spec(&self) -> &Calibrate {
        &self.spec
    }

    /// The space of its priors.
    pub fn space(&self) -> &Space {
        &self.space
    }

    /// The model's parameters at `theta`, or `None` when the model's own
    /// rules refuse them.
    pub fn params_at(&self, theta: &[f64]) -> Option<ModelParams> {
        let mut s = self.base.clone();
        for (d, key) in self.space.keys.iter().enumerate() {
            s.set(key, &self.space.value(d, theta[d])).ok()?;
        }
        s.model
            .validate(&s.params, &|_| None)
            .is_empty()
            .then_some(s.params)
    }

    /// The targets simulated at `params`: the mean of `replications` runs
    /// seeded from `seed`.
    pub fn simulate(&self, params: &ModelParams, seed: u64) -> Result<Vec<f64>> {
        let all = self.simulate_all(params, seed)?;
        Ok(self.columns.iter().map(|&c| all[c]).collect())
    }

    /// Every run metric of the model at `params` (the mean of
    /// `replications` runs seeded from `seed`), in the model's order; an
    /// internal error when a run panics or returns the wrong number of
    /// metrics.
    pub fn simulate_all(&self, params: &ModelParams, seed: u64) -> Result<Vec<f64>> {
        let model = self.base.model;
        let reps = self.spec.replications;
        let mut sums = vec![0.0; model.run_metrics().len()];
        for r in 0..reps {
            let run = catch_run(|| {
                model.simulate(
                    params,
                    rng::run_seed(seed, r),
                    Recording::default(),
                    &mut Recorded::default(),
                )
            })?;
            if run.len() != model.run_metrics().len() {
                return Err(Error::internal(format!(
                    "model {} returned {} run metrics (expected {})",
                    model.name(),
                    run.len(),
                    model.run_metrics().len()
                )));
            }
            for (s, x) in sums.iter_mut().zip(&run) {
                *s += x;
            }
        }
        Ok(sums.iter().map(|s| s / f64::from(reps)).collect())
    }

    /// A proposal inside the prior that the model accepts: from the prior,
    /// or moved from a particle of the previous population.
    fn propose(
        &self,
        r: &mut Rng,
        from: Option<&Population<'_>>,
    ) -> Option<(Vec<f64>, ModelParams)> {
        for _ in 0..MAX_REDRAWS {
            let theta = match from {
                None => self.space.sample(r),
                Some(pop) => {
                    let i = smc::pick(&pop.cumulative, rng::uniform(r));
                    pop.kernel.perturb(&pop.particles[i].theta, r)
                }
            };
            if self.space.log_prior(&theta) == f64::NEG_INFINITY {
                continue;
            }
            if let Some(p) = self.params_at(&theta) {
                return Some((theta, p));
            }
        }
        None
    }

    /// One particle: attempts until one lands within `epsilon`.
    fn slot(
        &self,
        g: u32,
        j: u32,
        epsilon: f64,
        from: Option<&Population<'_>>,
        ctl: &Control,
    ) -> Slot {
        for a in 0u32.. {
            if ctl.halted() {
                return Slot::Halted;
            }
            if !ctl.take_attempt() {
                return Slot::Halted;
            }
            let seed = rng::calibrate_seed(self.seed, g, j, a);
            let mut r = rng::seeded(seed, rng::CALIBRATE_STREAM);
            let Some((theta, params)) = self.propose(&mut r, from) else {
                return Slot::Failed(format!(
                    "no proposal inside the prior passes the model's rules after {MAX_REDRAWS} \
                     draws; narrow the priors in [calibrate.priors]"
                ));
            };
            let sims = match self.simulate(&params, seed) {
                Ok(s) => s,
                Err(m) => {
                    return Slot::Failed(format!(
                        "the model failed on particle {j} of generation {g}: {m}"
                    ));
                }
            };
            let distance = smc::distance(&sims, &self.targets);
            if distance <= epsilon {
                return Slot::Accepted(Particle {
                    theta,
                    distance,
                    sims,
                    attempts: a + 1,
                });
            }
        }
        Slot::Halted
    }
}

/// A weighted population and its kernel, for the next generation's
/// proposals.
struct Population<'a> {
    particles: &'a [Particle],
    weights: &'a [f64],
    cumulative: Vec<f64>,
    kernel: Kernel,
}

impl<'a> Population<'a> {
    fn of(space: &Space, particles: &'a [Particle], weights: &'a [f64]) -> Population<'a> {
        let thetas: Vec<Vec<f64>> = particles.iter().map(|p| p.theta.clone()).collect();
        Population {
            particles,
            weights,
            cumulative: smc::cumulative(weights),
            kernel: Kernel::fit(space, &thetas, weights),
        }
    }
}

/// What became of one particle's slot.
enum Slot {
    Accepted(Particle),
    Halted,
    Failed(String),
}

/// The attempts of one generation so far, against its budget.
struct Control<'a> {
    stop: &'a Stop,
    over: AtomicBool,
    started: AtomicU64,
    budget: u64,
}

impl Control<'_> {
    fn halted(&self) -> bool {
        self.stop.requested() || self.over.load(Ordering::Relaxed)
    }

    /// Counts an attempt; false once the generation has started more than
    /// its budget (it would need more in any run: see [`generation`]).
    fn take_attempt(&self) -> bool {
        if self.started.fetch_add(1, Ordering::Relaxed) + 1 > self.budget {
            self.over.store(true, Ordering::Relaxed);
            return false;
        }
        true
    }
}

/// How a generation ended.
enum Run {
    /// Every particle accepted.
    Done(Vec<Particle>),
    /// A stop was requested.
    Stopped,
    /// It needs more attempts than its budget.
    OverBudget,
}

/// Where a calibration writes and what it tells.
struct Session<'a> {
    job: &'a Job,
    threads: usize,
    stop: &'a Stop,
    watch: &'a dyn Watch,
    records: Records,
    journal: Journal,
    computed: u64,
}

impl Session<'_> {
    /// Runs one generation (`g`: its seed number; `label`: its journal
    /// number). The budget is deterministic: a slot's attempts are, so the
    /// total a generation needs is, and a generation stops as over budget
    /// exactly when that total exceeds it, whichever thread ran what.
    fn generation(
        &mut self,
        g: u32,
        label: i64,
        epsilon: f64,
        from: Option<&Population<'_>>,
        budget: u64,
    ) -> Result<Run> {
        let n = self.job.spec.particles;
        let mut slots: Vec<Option<Particle>> = (0..n)
            .map(|j| self.records.get(&(label, j)).cloned())
            .collect();
        let recorded: u64 = slots.iter().flatten().map(|p| u64::from(p.attempts)).sum();
        let todo: Vec<u32> = (0..n).filter(|&j| slots[j as usize].is_none()).collect();
        let phase = (label >= 0).then_some(g);
        self.watch.phase(
            phase,
            epsilon,
            u64::from(n),
            u64::from(n) - todo.len() as u64,
        );
        if recorded > budget {
            return Ok(Run::OverBudget);
        }
        let ctl = Control {
            stop: self.stop,
            over: AtomicBool::new(false),
            started: AtomicU64::new(recorded),
            budget,
        };
        let job = self.job;
        let mut done = u64::from(n) - todo.len() as u64;
        let (journal, watch) = (&mut self.journal, self.watch);
        let mut computed = 0u64;
        run_tasks(
            todo.len(),
            self.threads,
            self.stop,
            |i| job.slot(g, todo[i], epsilon, from, &ctl),
            |i, slot| match slot {
                Slot::Accepted(p) => {
                    journal.append(label, todo[i], &p)?;
                    computed += u64::from(p.attempts);
                    slots[todo[i] as usize] = Some(p);
                    done += 1;
                    watch.advance(done);
                    Ok(())
                }
                Slot::Halted => Ok(()),
                Slot::Failed(m) => Err(Error::internal(m)),
            },
        )?;
        self.computed += computed;
        if ctl.over.load(Ordering::Relaxed) {
            return Ok(Run::OverBudget);
        }
        if slots.iter().any(Option::is_none) {
            return Ok(Run::Stopped);
        }
        Ok(Run::Done(slots.into_iter().flatten().collect()))
    }
}

/// A finished calibration: what the tables hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The generations, from 0.
    pub generations: Vec<Generation>,
    /// Each generation's particles and weights.
    pub populations: Vec<(Vec<Particle>, Vec<f64>)>,
    /// Particles simulated for the prior sample (to set ε₀).
    pub prior_simulations: u64,
    /// Why it ended.
    pub ending: Ending,
    /// The posterior-predictive draws: (particle, every run metric).
    pub predictive: Draws,
}

/// Runs the calibration of `s` into `opts.out` (see the module
/// documentation). `opts.command` names it in the manifest.
pub fn run(s: &Scenario, opts: &Options, watch: &dyn Watch, stop: &Stop) -> Result<Outcome> {
    let job = Job::new(s)?;
    run_job(&job, opts, watch, stop)
}

/// Where a calibration starts: a finished folder (`None`), or its start
/// time, the particles already in the journal, notes for the user, and the
/// digests of a finished folder of the same scenario it computes again.
type Start = Option<(String, Records, Vec<String>, Option<Vec<FileDigest>>)>;

/// Decides what to do with the folder (see [`decide`]) and reads the
/// journal of a calibration to resume.
fn start(folder: &ResultFolder, job: &Job, opts: &Options) -> Result<Start> {
    let journal_path = folder.state_dir().join(CALIBRATION_JOURNAL);
    let fingerprint = &job.fingerprint;
    let differs = |e: &manifest::Existing| -> Option<String> {
        if e.command != "calibrate" && e.command != opts.command {
            Some(format!("a {} (not a calibration)", e.command))
        } else if &e.fingerprint != fingerprint {
            Some(format!(
                "a different scenario (fingerprint {}, now {fingerprint})",
                e.fingerprint
            ))
        } else {
            None
        }
    };
    Ok(
        match decide(folder, opts, &differs, &|| journal_path.exists())? {
            Decision::Complete(e) => {
                folder.verify(&e.files).map_err(|err| {
                    Error::folder(format!(
                        "{err}. Run the same command without --resume to calibrate again"
                    ))
                })?;
                None
            }
            Decision::Fresh(notes) => Some((manifest::now(), Records::new(), notes, None)),
            Decision::Again(e) => {
                Some((manifest::now(), Records::new(), Vec::new(), Some(e.files)))
            }
            Decision::Resume(e) => {
                let found = journal::read(
                    &journal_path,
                    fingerprint,
                    job.space.dims.len(),
                    job.targets.len(),
                )?;
                let mut notes = Vec::new();
                let records = match found {
                    Some((records, bad)) => {
                        if bad > 0 {
                            notes.push(format!(
                                "{bad} line{} of the journal could not be used; {} computed again",
                                if bad == 1 { "" } else { "s" },
                                if bad == 1 {
                                    "its particle is"
                                } else {
                                    "their particles are"
                                }
                            ));
                        }
                        notes.push(format!(
                            "resuming: {} particle{} from the journal",
                            records.len(),
                            if records.len() == 1 { "" } else { "s" }
                        ));
                        records
                    }
                    None => {
                        notes.push(
                        "no usable journal was found: the calibration starts from the beginning"
                            .into(),
                    );
                        Records::new()
                    }
                };
                Some((e.started.clone(), records, notes, None))
            }
        },
    )
}

/// Runs a prepared job (see [`run`]).
pub fn run_job(job: &Job, opts: &Options, watch: &dyn Watch, stop: &Stop) -> Result<Outcome> {
    let started_at = Instant::now();
    let folder = ResultFolder::new(&opts.out);
    folder.create()?;
    let _lock = folder.lock()?;
    let mut outcome = Outcome {
        complete: true,
        already_complete: true,
        stopped_by: None,
        notes: Vec::new(),
        computed: 0,
        ending: None,
    };
    let Some((started, records, notes, again)) = start(&folder, job, opts)? else {
        return Ok(outcome);
    };
    outcome.already_complete = false;
    outcome.notes = notes;
    std::fs::create_dir_all(folder.state_dir())
        .map_err(|e| Error::io(format!("cannot create {}", folder.state_dir().display()), e))?;
    let journal_path = folder.state_dir().join(CALIBRATION_JOURNAL);
    let journal = Journal::create(&journal_path, &job.fingerprint, &records)?;
    let mut m = Manifest::running(
        &opts.command,
        &opts.command_line,
        started,
        &job.fingerprint,
        opts.threads,
    );
    write_manifest(&folder, job, &m, None)?;
    let mut session = Session {
        job,
        threads: opts.threads.max(1),
        stop,
        watch,
        records,
        journal,
        computed: 0,
    };
    let result = search(&mut session);
    watch.finish();
    outcome.computed = session.computed;
    m.finished = Some(manifest::now());
    let Some(result) = result? else {
        session.journal.sync()?;
        m.status = Status::Interrupted;
        m.interrupted_by = stop.reason().map(|r| r.name().to_string());
        write_manifest(&folder, job, &m, None)?;
        outcome.complete = false;
        outcome.stopped_by = stop.reason();
        return Ok(outcome);
    };
    tables::write(&folder, job, &result)?;
    let generations: u64 = result.generations.iter().map(|g| g.simulations).sum();
    let simulations = result.prior_simulations + generations + result.predictive.len() as u64;
    m.runs_done = simulations * u64::from(job.spec.replications);
    m.runs_total = m.runs_done;
    let names: Vec<&str> = output_tables::of(Kind::Calibration)
        .map(|t| t.file)
        .collect();
    m.files = folder.digests_of(&names)?;
    m.status = Status::Complete;
    let seconds = started_at.elapsed().as_secs_f64();
    write_manifest(&folder, job, &m, Some((&result, seconds)))?;
    session.journal.remove();
    if let Some(old) = &again {
        let note = check_again(
            &folder,
            old,
            &m.files,
            crate::output::tables::PARTICLES.file,
        )?;
        outcome.notes.extend(note);
    }
    outcome.ending = Some(result.ending);
    Ok(outcome)
}

/// The first tolerance: the `quantile` of the distances of a prior sample
/// (every particle's first attempt accepted). `None` when a stop was
/// requested.
fn first_tolerance(session: &mut Session<'_>) -> Result<Option<f64>> {
    let spec = &session.job.spec;
    let n = spec.particles;
    let max_sims = spec.max_simulations.unwrap_or(u64::MAX);
    let prior = match session.generation(PRIOR_SEED, PRIOR_SAMPLE, f64::INFINITY, None, max_sims)? {
        Run::Done(p) => p,
        Run::Stopped => return Ok(None),
        Run::OverBudget => {
            return Err(Error::usage(format!(
                "max_simulations = {max_sims} is below the {n} particles of the prior sample \
                 that sets the first tolerance; raise it"
            )));
        }
    };
    let distances: Vec<f64> = prior.iter().map(|p| p.distance).collect();
    let uniform = vec![1.0 / f64::from(n); n as usize];
    let epsilon = smc::weighted_quantile(&distances, &uniform, spec.quantile);
    if !epsilon.is_finite() {
        let missing = distances.iter().filter(|d| !d.is_finite()).count();
        return Err(Error::usage(format!(
            "{missing} of the {n} runs of the prior sample give no value for a target metric \
             (e.g. a count that needs events the runs do not have), so no tolerance can be set; \
             choose targets the model computes at these priors"
        )));
    }
    Ok(Some(epsilon))
}

/// The search itself: the prior sample, the generations, the predictive
/// draws. `None` when a stop was requested.
fn search(session: &mut Session<'_>) -> Result<Option<Calibration>> {
    let job = session.job;
    let spec = &job.spec;
    let n = spec.particles;
    let max_sims = spec.max_simulations.unwrap_or(u64::MAX);
    let acceptance_budget = spec
        .min_acceptance
        .map_or(u64::MAX, |m| (f64::from(n) / m).floor() as u64);
    let Some(first) = first_tolerance(session)? else {
        return Ok(None);
    };
    let mut total = u64::from(n);
    let mut generations: Vec<Generation> = Vec::new();
    let mut populations: Vec<(Vec<Particle>, Vec<f64>)> = Vec::new();
    let mut ending = Ending::Generations;
    for g in 0..spec.generations {
        // Proposals come from the last population, within the weighted
        // quantile of its distances.
        let from = populations
            .last()
            .map(|(p, w)| Population::of(&job.space, p, w));
        let epsilon = populations.last().map_or(first, |(p, w)| {
            let distances: Vec<f64> = p.iter().map(|p| p.distance).collect();
            smc::weighted_quantile(&distances, w, spec.quantile)
        });
        let budget = max_sims.saturating_sub(total).min(acceptance_budget);
        let particles = match session.generation(g, i64::from(g), epsilon, from.as_ref(), budget)? {
            Run::Done(p) => p,
            Run::Stopped => return Ok(None),
            Run::OverBudget if max_sims.saturating_sub(total) <= acceptance_budget => {
                ending = Ending::MaxSimulations;
                break;
            }
            Run::OverBudget => {
                ending = Ending::MinAcceptance;
                break;
            }
        };
        let weights = match &from {
            None => vec![1.0 / f64::from(n); n as usize],
            Some(pop) => smc::importance_weights(
                &job.space,
                &pop.kernel,
                pop.particles,
                pop.weights,
                &particles,
            ),
        };
        let simulations: u64 = particles.iter().map(|p| u64::from(p.attempts)).sum();
        total += simulations;
        let generation = Generation {
            index: g,
            epsilon,
            accepted: n,
            simulations,
            acceptance_rate: f64::from(n) / simulations as f64,
            ess: smc::ess(&weights),
        };
        session.watch.generation(&generation);
        generations.push(generation);
        populations.push((particles, weights));
        if g + 1 == spec.generations {
            break;
        }
        if spec.min_epsilon.is_some_and(|m| epsilon <= m) {
            ending = Ending::MinEpsilon;
            break;
        }
        if total >= max_sims {
            ending = Ending::MaxSimulations;
            break;
        }
    }
    let Some((particles, weights)) = populations.last() else {
        let (need, fix) = if ending == Ending::MaxSimulations {
            (max_sims.saturating_sub(total), "raise max_simulations")
        } else {
            (acceptance_budget, "lower min_acceptance")
        };
        return Err(Error::usage(format!(
            "generation 0 could not be completed: it needs more than {need} simulations; {fix}"
        )));
    };
    let Some(predictive) = predictive(session, particles, weights)? else {
        return Ok(None);
    };
    Ok(Some(Calibration {
        generations,
        populations,
        prior_simulations: u64::from(n),
        ending,
        predictive,
    }))
}

/// Posterior-predictive draws: (particle, every run metric).
type Draws = Vec<(u32, Vec<f64>)>;

/// The posterior-predictive draws: `particles` draws from the last
/// population by weight, each simulated with a seed of its own. `None` when
/// a stop was requested.
fn predictive(
    session: &mut Session<'_>,
    particles: &[Particle],
    weights: &[f64],
) -> Result<Option<Draws>> {
    let job = session.job;
    let n = job.spec.particles as usize;
    let cumulative = smc::cumulative(weights);
    session.watch.predictive(n as u64);
    let mut out: Vec<Option<(u32, Vec<f64>)>> = vec![None; n];
    let mut done = 0u64;
    let watch = session.watch;
    run_tasks(
        n,
        session.threads,
        session.stop,
        |m| {
            let seed = rng::calibrate_seed(job.seed, PREDICTIVE_SEED, m as u32, 0);
            let mut r = rng::seeded(seed, rng::CALIBRATE_STREAM);
            let i = smc::pick(&cumulative, rng::uniform(&mut r));
            let params = job.params_at(&particles[i].theta).ok_or_else(|| {
                Error::internal(format!("particle {i} no longer passes the model's rules"))
            })?;
            job.simulate_all(&params, seed).map(|all| (i as u32, all))
        },
        |m, result| {
            let row = result.map_err(|e| {
                Error::internal(format!("the model failed on predictive draw {m}: {e}"))
            })?;
            out[m] = Some(row);
            done += 1;
            watch.advance(done);
            Ok(())
        },
    )?;
    session.computed += done;
    if out.iter().any(Option::is_none) {
        return Ok(None);
    }
    Ok(Some(out.into_iter().flatten().collect()))
}

/// Writes the manifest: the scenario, the state, and (once complete) what
/// the calibration found and how long it took.
fn write_manifest(
    folder: &ResultFolder,
    job: &Job,
    m: &Manifest,
    result: Option<(&Calibration, f64)>,
) -> Result<()> {
    let mut full = job.base.clone();
    full.calibrate = Some(job.spec.clone());
    let design = Design::build(&job.base);
    let extra = tables::manifest_section(job, result);
    let bytes = manifest::render_with(m, &full, &design, job.spec.replications, None, extra)?;
    folder.write(MANIFEST, &bytes)
}
