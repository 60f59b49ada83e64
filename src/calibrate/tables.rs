//! The files of a calibration folder: writing its four tables and the
//! `calibration` section of its manifest, and reading them back (for the
//! charts, the printed summary, `advise` and `diagnose`), each checked
//! before it is used.
//!
//! ```text
//! particles.csv    generation, particle, weight, distance, the keys, the simulated targets
//! generations.csv  generation, epsilon, accepted, simulations, acceptance_rate, ess
//! posterior.csv    parameter, mean, sd, q025, q50, q975, prior_mean, prior_sd
//! predictive.csv   draw, particle, the keys, the simulated targets, the other run metrics
//! ```

use super::smc::{self, Particle};
use super::space::Dim;
use super::{Calibration, Ending, Job};
use crate::error::{Error, Result};
use crate::output::folder::ResultFolder;
use crate::output::table::{push_f64, push_text, push_u64, push_value};
use crate::output::tables::{GENERATIONS, PARTICLES, POSTERIOR, PREDICTIVE};
use crate::params::Value;
use crate::scenario::calibrate::{Prior, Target};
use serde_json::{Value as Json, json};
use std::path::{Path, PathBuf};

/// A header line.
fn header(fields: impl IntoIterator<Item = String>) -> Vec<u8> {
    let mut buf = Vec::new();
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_text(&mut buf, &f);
    }
    buf.push(b'\n');
    buf
}

/// The keys' values and the simulated targets of a row (`,k1,k2,…,s1,…`).
fn push_particle(buf: &mut Vec<u8>, job: &Job, theta: &[f64], sims: &[f64]) {
    for (d, &x) in theta.iter().enumerate() {
        buf.push(b',');
        push_value(buf, &job.space.value(d, x));
    }
    for &x in sims {
        buf.push(b',');
        push_f64(buf, x);
    }
}

/// Writes the four tables (each atomically).
pub(super) fn write(folder: &ResultFolder, job: &Job, c: &Calibration) -> Result<()> {
    folder.write(PARTICLES.file, &particles_table(job, c))?;
    folder.write(GENERATIONS.file, &generations_table(c))?;
    folder.write(POSTERIOR.file, &posterior_table(job, c))?;
    folder.write(PREDICTIVE.file, &predictive_table(job, c))
}

/// The names of the targets.
fn target_names(job: &Job) -> Vec<String> {
    job.targets.iter().map(|t| t.metric.clone()).collect()
}

/// `particles.csv`: every generation's particles.
fn particles_table(job: &Job, c: &Calibration) -> Vec<u8> {
    let mut buf = header(
        ["generation", "particle", "weight", "distance", "seed"]
            .map(String::from)
            .into_iter()
            .chain(job.space.keys.iter().cloned())
            .chain(target_names(job)),
    );
    for (g, (pop, weights)) in c.populations.iter().enumerate() {
        for (j, (p, &w)) in pop.iter().zip(weights).enumerate() {
            push_u64(&mut buf, g as u64);
            buf.push(b',');
            push_u64(&mut buf, j as u64);
            buf.push(b',');
            push_f64(&mut buf, w);
            buf.push(b',');
            push_f64(&mut buf, p.distance);
            buf.push(b',');
            // The seed of its accepted attempt: its runs are
            // run_seed(seed, r), as `profspace replay` runs them again.
            push_u64(
                &mut buf,
                crate::rng::calibrate_seed(
                    job.seed,
                    g as u32,
                    j as u32,
                    p.attempts.saturating_sub(1),
                ),
            );
            push_particle(&mut buf, job, &p.theta, &p.sims);
            buf.push(b'\n');
        }
    }
    buf
}

/// `generations.csv`.
fn generations_table(c: &Calibration) -> Vec<u8> {
    let mut buf = header(
        [
            "generation",
            "epsilon",
            "accepted",
            "simulations",
            "acceptance_rate",
            "ess",
        ]
        .map(String::from),
    );
    for g in &c.generations {
        push_u64(&mut buf, u64::from(g.index));
        buf.push(b',');
        push_f64(&mut buf, g.epsilon);
        buf.push(b',');
        push_u64(&mut buf, u64::from(g.accepted));
        buf.push(b',');
        push_u64(&mut buf, g.simulations);
        for x in [g.acceptance_rate, g.ess] {
            buf.push(b',');
            push_f64(&mut buf, x);
        }
        buf.push(b'\n');
    }
    buf
}

/// `posterior.csv`: the last population summarised.
fn posterior_table(job: &Job, c: &Calibration) -> Vec<u8> {
    let mut buf = header(
        [
            "parameter",
            "mean",
            "sd",
            "q025",
            "q50",
            "q975",
            "prior_mean",
            "prior_sd",
        ]
        .map(String::from),
    );
    if let Some((pop, weights)) = c.populations.last() {
        for s in smc::summarise(&job.space, pop, weights) {
            push_text(&mut buf, &s.parameter);
            let q = s.q.unwrap_or([f64::NAN; 3]);
            for x in [s.mean, s.sd, q[0], q[1], q[2], s.prior.0, s.prior.1] {
                buf.push(b',');
                push_f64(&mut buf, x);
            }
            buf.push(b'\n');
        }
    }
    buf
}

/// `predictive.csv`: the targets first, then the model's other run
/// metrics.
fn predictive_table(job: &Job, c: &Calibration) -> Vec<u8> {
    let metrics = job.base.model.run_metrics();
    let order: Vec<usize> = job
        .columns
        .iter()
        .copied()
        .chain((0..metrics.len()).filter(|c| !job.columns.contains(c)))
        .collect();
    let mut buf = header(
        ["draw", "particle"]
            .map(String::from)
            .into_iter()
            .chain(job.space.keys.iter().cloned())
            .chain(order.iter().map(|&c| metrics[c].name.to_string())),
    );
    if let Some((pop, _)) = c.populations.last() {
        for (m, (i, all)) in c.predictive.iter().enumerate() {
            push_u64(&mut buf, m as u64);
            buf.push(b',');
            push_u64(&mut buf, u64::from(*i));
            let row: Vec<f64> = order.iter().map(|&c| all[c]).collect();
            push_particle(&mut buf, job, &pop[*i as usize].theta, &row);
            buf.push(b'\n');
        }
    }
    buf
}

/// The prior as JSON.
fn prior_json(key: &str, p: &Prior) -> Json {
    match p {
        Prior::Uniform { lo, hi } => json!({"key": key, "prior": "uniform", "lo": lo, "hi": hi}),
        Prior::Normal { mean, sd, lo, hi } => {
            json!({"key": key, "prior": "normal", "mean": mean, "sd": sd, "lo": lo, "hi": hi})
        }
        Prior::Choice(values) => json!({
            "key": key,
            "prior": "choice",
            "values": values.iter().map(Value::to_string).collect::<Vec<_>>(),
        }),
    }
}

/// The manifest's `calibration` section: the settings, priors and targets,
/// and once complete what it found (the last tolerance, why it ended, the
/// simulations, the seconds it took).
pub(super) fn manifest_section(
    job: &Job,
    result: Option<(&Calibration, f64)>,
) -> Vec<(String, Json)> {
    let spec = &job.spec;
    let mut section = json!({
        "algorithm": "ABC-SMC with adaptive tolerances (weighted quantile of the previous distances); Gaussian kernel with twice the weighted covariance; categorical keys keep their value with probability 0.7, else jump to another",
        "seed_derivation": "attempt a of particle j in generation g: s = calibrate_seed(master_seed, g, j, a); its proposal draws from ChaCha8(s), its replicate r runs with run_seed(s, r); see docs/calibrate.md",
        "particles": spec.particles,
        "generations": spec.generations,
        "quantile": spec.quantile,
        "replications": spec.replications,
        "min_epsilon": spec.min_epsilon,
        "min_acceptance": spec.min_acceptance,
        "max_simulations": spec.max_simulations,
        "priors": spec.priors.iter().map(|(k, p)| prior_json(k, p)).collect::<Vec<_>>(),
        "targets": spec.targets.iter().map(|t| json!({"metric": t.metric, "value": t.value, "sd": t.sd})).collect::<Vec<_>>(),
        "observed_file": spec.observed,
    });
    if let (Some((c, seconds)), Some(map)) = (result, section.as_object_mut()) {
        let generations: u64 = c.generations.iter().map(|g| g.simulations).sum();
        let predictive = c.predictive.len() as u64;
        map.insert("generations_run".into(), json!(c.generations.len()));
        map.insert(
            "epsilon".into(),
            json!(c.generations.last().map(|g| g.epsilon)),
        );
        map.insert("ending".into(), json!(c.ending.name()));
        map.insert(
            "simulations".into(),
            json!({
                "prior_sample": c.prior_simulations,
                "generations": generations,
                "predictive": predictive,
                "total": c.prior_simulations + generations + predictive,
            }),
        );
        map.insert("seconds".into(), json!((seconds * 1000.0).round() / 1000.0));
    }
    vec![("calibration".to_string(), section)]
}

/// A calibration folder read back: the manifest's calibration section and
/// the four tables, checked against each other.
#[derive(Clone, Debug)]
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// The priors, in order.
    pub priors: Vec<(String, Prior)>,
    /// The observed targets.
    pub targets: Vec<Target>,
    /// The generations.
    pub generations: Vec<super::Generation>,
    /// The last population: its particles' values (the index of a choice's
    /// value for a choice) and weights.
    pub last: Vec<(Vec<f64>, f64)>,
    /// Every population's particles: (generation, values, weight).
    pub all: Vec<(u32, Vec<f64>)>,
    /// Per row of `all`: the seed of its runs and its simulated targets.
    pub replays: Vec<(u64, Vec<f64>)>,
    /// The posterior rows: parameter, mean, sd, q025, q50, q975, prior
    /// mean, prior sd.
    pub posterior: Vec<(String, [f64; 7])>,
    /// The posterior-predictive draws' simulated targets.
    pub predictive: Vec<Vec<f64>>,
    /// Every run metric of the posterior-predictive draws, by name.
    pub predicted: Vec<(String, Vec<f64>)>,
    /// Why it ended, as the manifest says.
    pub ending: Option<String>,
    /// Simulations in all, as the manifest says.
    pub simulations: Option<u64>,
    /// Seconds it took, as the manifest says.
    pub seconds: Option<f64>,
    /// The resolved scenario, as the manifest holds it.
    pub scenario_toml: String,
    /// The master seed.
    pub seed: u64,
}

fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::folder(format!("{}: {what}", path.display()))
}

/// Rows of a CSV file with exactly the columns `want`, as text.
fn rows(path: &Path, want: &[String]) -> Result<Vec<Vec<String>>> {
    let (head, rows) = rows_any(path)?;
    if head != want {
        return Err(bad(
            path,
            format!(
                "its columns are {} but {} were expected",
                head.join(","),
                want.join(",")
            ),
        ));
    }
    Ok(rows)
}

/// The header and rows of a CSV file, as text.
fn rows_any(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(path, e))?;
    let head: Vec<String> = reader
        .headers()
        .map_err(|e| bad(path, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| bad(path, e))?;
        out.push(r.iter().map(str::to_string).collect());
    }
    Ok((head, out))
}

/// A number of a table (an empty field is NaN).
fn number(path: &Path, row: usize, field: &str) -> Result<f64> {
    if field.is_empty() {
        return Ok(f64::NAN);
    }
    field
        .parse()
        .map_err(|_| bad(path, format!("row {}: `{field}` is not a number", row + 2)))
}

/// The manifest of a complete folder, its tables checked against it, and
/// its `calibration` section.
fn checked_manifest(dir: &Path) -> Result<(crate::output::manifest::Existing, Json, PathBuf)> {
    use crate::output::manifest::{Read, Status};
    let folder = ResultFolder::new(dir);
    let path = folder.file(crate::output::folder::MANIFEST);
    let existing = match folder.manifest() {
        Read::Found(e) => e,
        Read::Missing => {
            return Err(Error::folder(format!(
                "{} has no manifest.json: it is not a result folder of profspace",
                dir.display()
            )));
        }
        Read::Unreadable(why) => return Err(bad(&path, why)),
    };
    if existing.status != Status::Complete {
        return Err(Error::folder(format!(
            "{} holds an unfinished calibration; finish it with --resume first",
            dir.display()
        )));
    }
    folder.verify(&existing.files)?;
    let text = std::fs::read(&path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let doc: Json = serde_json::from_slice(&text).map_err(|e| bad(&path, e))?;
    let Some(section) = doc.get("calibration").cloned() else {
        return Err(Error::folder(format!(
            "{} holds no calibration (its manifest has no `calibration` section); run profspace \
             calibrate first",
            dir.display()
        )));
    };
    Ok((*existing, section, path))
}

/// Keys with their priors.
type Priors = Vec<(String, Prior)>;

/// The priors and targets of a manifest's `calibration` section.
fn priors_and_targets(section: &Json, path: &Path) -> Result<(Priors, Vec<Target>)> {
    let malformed = |what: &str| {
        bad(
            path,
            format!("`calibration.{what}` is missing or malformed"),
        )
    };
    let list = |what: &str| {
        section
            .get(what)
            .and_then(Json::as_array)
            .ok_or_else(|| malformed(what))
    };
    let mut priors = Vec::new();
    for p in list("priors")? {
        let f = |k: &str| {
            p.get(k)
                .and_then(Json::as_f64)
                .ok_or_else(|| malformed("priors"))
        };
        let prior = match p.get("prior").and_then(Json::as_str) {
            Some("uniform") => Prior::Uniform {
                lo: f("lo")?,
                hi: f("hi")?,
            },
            Some("normal") => Prior::Normal {
                mean: f("mean")?,
                sd: f("sd")?,
                lo: f("lo")?,
                hi: f("hi")?,
            },
            Some("choice") => Prior::Choice(
                p.get("values")
                    .and_then(Json::as_array)
                    .and_then(|vs| {
                        vs.iter()
                            .map(|v| v.as_str().map(|s| Value::Text(s.to_string())))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| malformed("priors"))?,
            ),
            _ => return Err(malformed("priors")),
        };
        let key = p
            .get("key")
            .and_then(Json::as_str)
            .ok_or_else(|| malformed("priors"))?;
        priors.push((key.to_string(), prior));
    }
    let mut targets = Vec::new();
    for t in list("targets")? {
        let f = |k: &str| {
            t.get(k)
                .and_then(Json::as_f64)
                .ok_or_else(|| malformed("targets"))
        };
        let metric = t
            .get("metric")
            .and_then(Json::as_str)
            .ok_or_else(|| malformed("targets"))?;
        targets.push(Target {
            metric: metric.to_string(),
            value: f("value")?,
            sd: f("sd")?,
        });
    }
    Ok((priors, targets))
}

/// `generations.csv`.
fn read_generations(path: &Path) -> Result<Vec<super::Generation>> {
    let cols = [
        "generation",
        "epsilon",
        "accepted",
        "simulations",
        "acceptance_rate",
        "ess",
    ]
    .map(String::from);
    let mut out = Vec::new();
    for (i, r) in rows(path, &cols)?.iter().enumerate() {
        let x = |k: usize| number(path, i, &r[k]);
        out.push(super::Generation {
            index: x(0)? as u32,
            epsilon: x(1)?,
            accepted: x(2)? as u32,
            simulations: x(3)? as u64,
            acceptance_rate: x(4)?,
            ess: x(5)?,
        });
    }
    if out.is_empty() {
        return Err(bad(path, "it lists no generation"));
    }
    Ok(out)
}

/// The names and dimensions of the keys, to read their values.
struct Keys {
    names: Vec<String>,
    dims: Vec<Dim>,
}

impl Keys {
    /// A key's value as a number: the index of a choice's value.
    fn value(&self, path: &Path, row: usize, d: usize, field: &str) -> Result<f64> {
        match &self.dims[d] {
            Dim::Choice(values) => values
                .iter()
                .position(|v| v.to_string() == field)
                .map(|i| i as f64)
                .ok_or_else(|| {
                    bad(
                        path,
                        format!(
                            "row {}: `{field}` is not a value of `{}`",
                            row + 2,
                            self.names[d]
                        ),
                    )
                }),
            Dim::Real { .. } => number(path, row, field),
        }
    }
}

/// `particles.csv`: every particle (generation, values), and the last
/// generation's (values, weight).
type Particles = (Vec<(u32, Vec<f64>)>, Vec<(Vec<f64>, f64)>);

fn read_particles(
    path: &Path,
    keys: &Keys,
    metrics: &[String],
    last_g: u32,
    replays: &mut Vec<(u64, Vec<f64>)>,
) -> Result<Particles> {
    let cols: Vec<String> = ["generation", "particle", "weight", "distance", "seed"]
        .map(String::from)
        .into_iter()
        .chain(keys.names.iter().cloned())
        .chain(metrics.iter().cloned())
        .collect();
    let (mut all, mut last) = (Vec::new(), Vec::new());
    let first = 5 + keys.names.len();
    for (i, r) in rows(path, &cols)?.iter().enumerate() {
        let g = number(path, i, &r[0])? as u32;
        let theta = (0..keys.names.len())
            .map(|d| keys.value(path, i, d, &r[5 + d]))
            .collect::<Result<Vec<_>>>()?;
        let seed = r[4].parse::<u64>().map_err(|_| {
            bad(
                path,
                format!("row {}: seed `{}` is not a whole number", i + 2, r[4]),
            )
        })?;
        let sims = (0..metrics.len())
            .map(|k| number(path, i, &r[first + k]))
            .collect::<Result<Vec<_>>>()?;
        replays.push((seed, sims));
        if g == last_g {
            last.push((theta.clone(), number(path, i, &r[2])?));
        }
        all.push((g, theta));
    }
    if last.is_empty() {
        return Err(bad(
            path,
            format!("it has no particle of generation {last_g}"),
        ));
    }
    Ok((all, last))
}

/// `posterior.csv`.
fn read_posterior(path: &Path) -> Result<Vec<(String, [f64; 7])>> {
    let cols = [
        "parameter",
        "mean",
        "sd",
        "q025",
        "q50",
        "q975",
        "prior_mean",
        "prior_sd",
    ]
    .map(String::from);
    let mut out = Vec::new();
    for (i, r) in rows(path, &cols)?.iter().enumerate() {
        let mut xs = [0.0; 7];
        for (k, x) in xs.iter_mut().enumerate() {
            *x = number(path, i, &r[k + 1])?;
        }
        out.push((r[0].clone(), xs));
    }
    Ok(out)
}

/// `predictive.csv`: every run metric by name, and the targets per draw.
type Predicted = (Vec<(String, Vec<f64>)>, Vec<Vec<f64>>);

fn read_predictive(path: &Path, keys: &Keys, metrics: &[String]) -> Result<Predicted> {
    let (head, rows) = rows_any(path)?;
    let fixed: Vec<String> = ["draw", "particle"]
        .map(String::from)
        .into_iter()
        .chain(keys.names.iter().cloned())
        .chain(metrics.iter().cloned())
        .collect();
    if head.len() < fixed.len() || head[..fixed.len()] != fixed[..] {
        return Err(bad(
            path,
            format!(
                "its columns begin {} but {} were expected",
                head.join(","),
                fixed.join(",")
            ),
        ));
    }
    let first = 2 + keys.names.len();
    let mut predicted: Vec<(String, Vec<f64>)> = head[first..]
        .iter()
        .map(|h| (h.clone(), Vec::with_capacity(rows.len())))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        for (k, (_, col)) in predicted.iter_mut().enumerate() {
            col.push(number(path, i, &r[first + k])?);
        }
    }
    let targets = (0..rows.len())
        .map(|i| (0..metrics.len()).map(|k| predicted[k].1[i]).collect())
        .collect();
    Ok((predicted, targets))
}

impl Folder {
    /// Reads a complete calibration folder, its tables checked against the
    /// digests of its manifest first.
    pub fn read(dir: &Path) -> Result<Folder> {
        let (existing, section, manifest_path) = checked_manifest(dir)?;
        let (priors, targets) = priors_and_targets(&section, &manifest_path)?;
        let keys = Keys {
            names: priors.iter().map(|(k, _)| k.clone()).collect(),
            dims: priors.iter().map(|(_, p)| Dim::of(p)).collect(),
        };
        let metrics: Vec<String> = targets.iter().map(|t| t.metric.clone()).collect();
        let generations = read_generations(&dir.join(GENERATIONS.file))?;
        let last_g = generations.last().map_or(0, |g| g.index);
        let mut replays = Vec::new();
        let (all, last) = read_particles(
            &dir.join(PARTICLES.file),
            &keys,
            &metrics,
            last_g,
            &mut replays,
        )?;
        let posterior = read_posterior(&dir.join(POSTERIOR.file))?;
        let (predicted, predictive) = read_predictive(&dir.join(PREDICTIVE.file), &keys, &metrics)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            priors,
            targets,
            generations,
            last,
            all,
            replays,
            posterior,
            predictive,
            predicted,
            ending: section
                .get("ending")
                .and_then(Json::as_str)
                .map(str::to_string),
            simulations: section
                .get("simulations")
                .and_then(|s| s.get("total"))
                .and_then(Json::as_u64),
            seconds: section.get("seconds").and_then(Json::as_f64),
            scenario_toml: existing.scenario_toml.clone(),
            seed: existing.master_seed,
        })
    }

    /// The posterior row of `parameter`.
    pub fn posterior_of(&self, parameter: &str) -> Option<&[f64; 7]> {
        self.posterior
            .iter()
            .find(|(p, _)| p == parameter)
            .map(|(_, x)| x)
    }

    /// The calibration in words: each key's posterior mean and 95%
    /// credible interval, each choice's most likely value, the
    /// generations, simulations, the last tolerance and the time.
    pub fn words(&self) -> String {
        let mut parts = Vec::new();
        for (key, prior) in &self.priors {
            match prior {
                Prior::Choice(values) => {
                    let best = values
                        .iter()
                        .filter_map(|v| self.posterior_of(&format!("{key}:{v}")).map(|x| (v, x[0])))
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    if let Some((v, p)) = best {
                        parts.push(format!("P({v}) {}", probability(p)));
                    }
                }
                _ => {
                    if let Some(x) = self.posterior_of(key) {
                        parts.push(format!(
                            "{key} {} (95% credible {}–{})",
                            fmt2(x[0]),
                            fmt2(x[2]),
                            fmt2(x[4])
                        ));
                    }
                }
            }
        }
        let generations = self.generations.len();
        let mut tail = format!(
            "{generations} generation{}",
            if generations == 1 { "" } else { "s" }
        );
        if let Some(n) = self.simulations {
            tail.push_str(&format!(", {} simulations", thousands(n)));
        }
        if let Some(s) = self.seconds {
            tail.push_str(&format!(", {s:.1} s"));
        }
        if let Some(g) = self.generations.last() {
            tail.push_str(&format!("; final ε = {}", crate::params::sig3(g.epsilon)));
        }
        parts.push(tail);
        parts.join("; ")
    }
}

/// A posterior probability after `P(…)`: `= 0.93`, or `> 0.99` and
/// `< 0.01` at the ends (a finite population cannot say "certain").
pub fn probability(p: f64) -> String {
    if p > 0.99 {
        "> 0.99".into()
    } else if p < 0.01 {
        "< 0.01".into()
    } else {
        format!("= {p:.2}")
    }
}

/// Two decimals (`0.79`), or three significant digits below 0.005.
pub fn fmt2(x: f64) -> String {
    if x.abs() >= 0.005 || x == 0.0 {
        format!("{x:.2}")
    } else {
        crate::params::sig3(x)
    }
}

/// A whole number with thin spaces between thousands (`9 412`).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The ending named in a manifest, in words.
pub fn ending_words(name: &str) -> &'static str {
    [
        Ending::Generations,
        Ending::MinEpsilon,
        Ending::MaxSimulations,
        Ending::MinAcceptance,
    ]
    .into_iter()
    .find(|e| e.name() == name)
    .map_or("", Ending::words)
}

/// The particles of the last population as (values, weight), for callers
/// that resample it.
pub fn last_population(f: &Folder) -> (Vec<Particle>, Vec<f64>) {
    let particles = f
        .last
        .iter()
        .map(|(theta, _)| Particle {
            theta: theta.clone(),
            distance: f64::NAN,
            sims: Vec::new(),
            attempts: 0,
        })
        .collect();
    let weights = f.last.iter().map(|(_, w)| *w).collect();
    (particles, weights)
}
