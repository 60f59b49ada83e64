//! `profspace._profspace`: the Python binding of the profspace library.
//!
//! A thin layer: it turns Python values into a [`Scenario`], runs the same
//! runner as the command line into a result folder (so that every table is
//! byte for byte the CLI's), and turns errors into Python exceptions. The
//! friendly API (`profspace.run`, DataFrames, the EMA adapter) is the Python
//! package around it, in `python/profspace/`.

use profspace::calibrate::{Generation, Watch};
use profspace::error::Error;
use profspace::model;
use profspace::scenario::{self, Limits, Override, Scenario, ScenarioError as Invalid};
use profspace::sweep::{self, Options, Plan, Progress, Reason, Stop};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

create_exception!(
    _profspace,
    ScenarioError,
    PyException,
    "A scenario that cannot be run: `problems` lists each (key, line, message), \
     `key` and `line` are the first problem's, and str() is the command line's message."
);
create_exception!(
    _profspace,
    ProfspaceError,
    PyException,
    "A run that could not be done: a result folder in the way or damaged, a file \
     that cannot be written; the message says what to do."
);

/// Where a scenario comes from.
enum Source {
    Path(PathBuf),
    Text(String),
}

impl<'py> FromPyObject<'_, 'py> for Source {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let (kind, value): (String, Bound<'py, PyAny>) = obj.extract()?;
        match kind.as_str() {
            "path" => Ok(Source::Path(value.extract()?)),
            "text" => Ok(Source::Text(value.extract()?)),
            "dict" => {
                let table = to_toml(&value, "scenario")?;
                let toml::Value::Table(t) = table else {
                    return Err(PyTypeError::new_err("a scenario dict must be a mapping"));
                };
                let text = toml::to_string(&t).map_err(|e| {
                    PyTypeError::new_err(format!(
                        "the scenario dict cannot be written as TOML: {e}"
                    ))
                })?;
                Ok(Source::Text(text))
            }
            other => Err(PyTypeError::new_err(format!(
                "unknown scenario kind {other}"
            ))),
        }
    }
}

/// A Python value as a TOML value: dicts, lists, strings, booleans, whole
/// and real numbers.
fn to_toml(v: &Bound<'_, PyAny>, at: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let n: i64 = v.extract().map_err(|_| {
            PyTypeError::new_err(format!("{at}: {v} is too large for a whole number"))
        })?;
        return Ok(toml::Value::Integer(n));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{at}: the key {k} is not text")))?;
            let inner = to_toml(&x, &format!("{at}[{key:?}]"))?;
            t.insert(key, inner);
        }
        return Ok(toml::Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut a = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            a.push(to_toml(&x?, &format!("{at}[{i}]"))?);
        }
        return Ok(toml::Value::Array(a));
    }
    // numpy scalars and the like: as a real number when they convert.
    if let Ok(x) = v.extract::<f64>() {
        return Ok(toml::Value::Float(x));
    }
    Err(PyTypeError::new_err(format!(
        "{at}: {} values cannot go in a scenario (use numbers, text, booleans, lists and dicts)",
        v.get_type().name()?
    )))
}

/// The overrides of `set=`, `seed=`, `replications=` and `ticks=`, named as
/// the Python call wrote them in messages.
fn overrides(
    set: Vec<(String, Bound<'_, PyAny>)>,
    seed: Option<u64>,
    replications: Option<u64>,
    ticks: Option<u64>,
) -> PyResult<Vec<Override>> {
    let mut list = Vec::new();
    for (key, value) in set {
        let v = to_toml(&value, &format!("set[{key:?}]"))?;
        let mut o = Override::set(&format!("{key}={v}")).map_err(|m| {
            scenario_error("set", vec![scenario::Problem::new("", None, m.to_string())])
        })?;
        o.flag = format!("set[{key:?}] = {v}");
        list.push(o);
    }
    let named = |mut o: Override, flag: String| {
        o.flag = flag;
        o
    };
    list.extend(seed.map(|n| named(Override::seed(n), format!("seed={n}"))));
    list.extend(ticks.map(|n| named(Override::ticks(n), format!("ticks={n}"))));
    list.extend(
        replications.map(|n| named(Override::replications(n), format!("replications={n}"))),
    );
    Ok(list)
}

fn scenario_error(origin: &str, problems: Vec<scenario::Problem>) -> PyErr {
    invalid(Invalid::new(origin, problems))
}

/// A scenario error as a `ScenarioError` with its problems as attributes.
fn invalid(e: Invalid) -> PyErr {
    Python::attach(|py| {
        let err = ScenarioError::new_err(e.to_string());
        let value = err.value(py);
        let problems = PyList::empty(py);
        for p in &e.problems {
            let d = PyDict::new(py);
            let _ = d.set_item("key", &p.path);
            let _ = d.set_item("line", p.line);
            let _ = d.set_item("message", &p.message);
            let _ = d.set_item("origin", p.origin.as_deref().unwrap_or(&e.origin));
            let _ = problems.append(d);
        }
        let first = e.problems.first();
        let _ = value.setattr("problems", problems);
        let _ = value.setattr("key", first.map(|p| p.path.clone()));
        let _ = value.setattr("line", first.and_then(|p| p.line));
        err
    })
}

fn error(e: Error) -> PyErr {
    match e {
        Error::Scenario(s) => invalid(s),
        other => ProfspaceError::new_err(other.to_string()),
    }
}

fn threads(n: Option<usize>) -> usize {
    n.filter(|&n| n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

fn load(source: &Source, list: &[Override], threads: usize) -> PyResult<Scenario> {
    let limits = Limits::detect(threads as u64);
    match source {
        Source::Path(p) => Scenario::load_overridden(p, &limits, list),
        Source::Text(t) => {
            Scenario::from_toml_overridden(t, "<scenario>", "scenario", &limits, list)
        }
    }
    .map_err(invalid)
}

/// Stops the runner when Python has a pending Ctrl-C. Python runs signal
/// handlers on its main thread only, so only that thread asks.
struct Interrupts<'a> {
    main: ThreadId,
    stop: &'a Stop,
    hit: AtomicBool,
}

impl<'a> Interrupts<'a> {
    fn new(stop: &'a Stop) -> Self {
        Interrupts {
            main: std::thread::current().id(),
            stop,
            hit: AtomicBool::new(false),
        }
    }

    fn poll(&self) {
        if std::thread::current().id() != self.main || self.hit.load(Ordering::Relaxed) {
            return;
        }
        if Python::attach(|py| py.check_signals()).is_err() {
            self.hit.store(true, Ordering::Relaxed);
            self.stop.request(Reason::Interrupt);
        }
    }

    fn raise_if_hit(&self, done: u64, total: u64, out: &Path) -> PyResult<()> {
        if self.hit.load(Ordering::Relaxed) {
            return Err(PyKeyboardInterrupt::new_err(format!(
                "stopped: {done} of {total} runs are written to {}; run again with resume=True to finish",
                out.display()
            )));
        }
        Ok(())
    }
}

impl Progress for Interrupts<'_> {
    fn start(&self, _total: u64, _done: u64) {
        self.poll();
    }
    fn advance(&self, _done: u64) {
        self.poll();
    }
    fn finish(&self) {}
}

impl Watch for Interrupts<'_> {
    fn phase(&self, _: Option<u32>, _: f64, _: u64, _: u64) {
        self.poll();
    }
    fn advance(&self, _done: u64) {
        self.poll();
    }
    fn generation(&self, _: &Generation) {}
    fn predictive(&self, _: u64) {}
    fn finish(&self) {}
}

/// What the Python side says about the folder.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Folder {
    out: PathBuf,
    resume: bool,
    overwrite: bool,
    plots: bool,
}

fn options(f: &Folder, threads: usize, command: &str) -> Options {
    Options {
        out: f.out.clone(),
        threads,
        resume: f.resume,
        fresh: false,
        overwrite: f.overwrite,
        keep_previous: false,
        command: command.to_string(),
        command_line: vec!["python".into(), format!("profspace.{command}(…)")],
    }
}

/// Draws the charts of a finished folder; a failure is returned as a warning.
fn charts(out: &Path, plots: bool) -> Option<String> {
    if !plots {
        return None;
    }
    profspace::plot::plot_dir(out, &profspace::plot::PlotOptions::default())
        .err()
        .map(|e| format!("charts not drawn: {e}"))
}

/// Runs a scenario (plain or swept) into `folder.out`; returns what the
/// runner reports as a dict.
#[pyfunction]
#[pyo3(signature = (source, set, seed, replications, ticks, threads, folder, command))]
#[allow(clippy::too_many_arguments)]
fn execute(
    py: Python<'_>,
    source: Source,
    set: Vec<(String, Bound<'_, PyAny>)>,
    seed: Option<u64>,
    replications: Option<u64>,
    ticks: Option<u64>,
    threads: Option<usize>,
    folder: Folder,
    command: &str,
) -> PyResult<Py<PyDict>> {
    let n = self::threads(threads);
    let list = overrides(set, seed, replications, ticks)?;
    let s = load(&source, &list, n)?;
    let plan = Plan::new(&s, None);
    let opts = options(&folder, n, command);
    let stop = Stop::new();
    let watch = Interrupts::new(&stop);
    let outcome = py
        .detach(|| sweep::execute(&plan, &opts, &watch, &stop))
        .map_err(error)?;
    if !outcome.complete {
        watch.raise_if_hit(outcome.done, outcome.total, &folder.out)?;
    } else if watch.hit.load(Ordering::Relaxed) {
        // Ctrl-C came as the last run finished: the results are complete.
        return Err(PyKeyboardInterrupt::new_err(format!(
            "interrupted as the last run finished; the results are complete in {}",
            folder.out.display()
        )));
    }
    let warning = if outcome.complete {
        py.detach(|| charts(&folder.out, folder.plots))
    } else {
        None
    };
    let d = PyDict::new(py);
    d.set_item("complete", outcome.complete)?;
    d.set_item("done", outcome.done)?;
    d.set_item("total", outcome.total)?;
    d.set_item("failures", outcome.failures)?;
    d.set_item("notes", outcome.notes)?;
    d.set_item("warning", warning)?;
    d.set_item("name", &s.name)?;
    Ok(d.unbind())
}

/// Calibrates a scenario with a `[calibrate]` section into `folder.out`.
#[pyfunction]
#[pyo3(signature = (source, set, seed, threads, folder))]
fn calibrate(
    py: Python<'_>,
    source: Source,
    set: Vec<(String, Bound<'_, PyAny>)>,
    seed: Option<u64>,
    threads: Option<usize>,
    folder: Folder,
) -> PyResult<Py<PyDict>> {
    let n = self::threads(threads);
    let list = overrides(set, seed, None, None)?;
    let s = load(&source, &list, n)?;
    if s.calibrate.is_none() {
        return Err(scenario_error(
            "<scenario>",
            vec![scenario::Problem::new(
                "calibrate",
                None,
                "the scenario has no [calibrate] section: add its priors and targets \
                 (profspace's scenarios/calibrate.toml has one)"
                    .to_string(),
            )],
        ));
    }
    let opts = options(&folder, n, "calibrate");
    let stop = Stop::new();
    let watch = Interrupts::new(&stop);
    let outcome = py
        .detach(|| profspace::calibrate::run(&s, &opts, &watch, &stop))
        .map_err(error)?;
    if watch.hit.load(Ordering::Relaxed) {
        return Err(PyKeyboardInterrupt::new_err(format!(
            "stopped: every accepted particle is kept in {}; run again with resume=True to finish",
            folder.out.display()
        )));
    }
    let warning = if outcome.complete && folder.plots {
        py.detach(|| {
            profspace::plot::plot_calibration(
                &folder.out,
                &folder.out.join("plots"),
                profspace::plot::Format::Png,
            )
            .err()
            .map(|e| format!("charts not drawn: {e}"))
        })
    } else {
        None
    };
    let d = PyDict::new(py);
    d.set_item("complete", outcome.complete)?;
    d.set_item("computed", outcome.computed)?;
    d.set_item("notes", outcome.notes)?;
    d.set_item("ending", outcome.ending.map(|e| e.name()))?;
    d.set_item("warning", warning)?;
    d.set_item("name", &s.name)?;
    Ok(d.unbind())
}

/// Checks a scenario; returns its name, model and number of runs, or raises
/// `ScenarioError`.
#[pyfunction]
#[pyo3(signature = (source, set))]
fn check(
    py: Python<'_>,
    source: Source,
    set: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<Py<PyDict>> {
    let list = overrides(set, None, None, None)?;
    let s = load(&source, &list, threads(None))?;
    let plan = Plan::new(&s, None);
    let d = PyDict::new(py);
    d.set_item("name", &s.name)?;
    d.set_item("model", s.model.name())?;
    d.set_item("runs", plan.total_runs())?;
    d.set_item("sweep", s.sweep.is_some() || s.sensitivity.is_some())?;
    d.set_item("calibrate", s.calibrate.is_some())?;
    Ok(d.unbind())
}

/// Every scenario key: the engine's, then each model's.
#[pyfunction]
fn params(py: Python<'_>) -> PyResult<Py<PyList>> {
    let out = PyList::empty(py);
    let base = Scenario::default();
    let add = |p: &scenario::Param, defaults: &dyn std::any::Any, model: Option<&str>| {
        let d = PyDict::new(py);
        d.set_item("key", p.path)?;
        d.set_item("model", model)?;
        d.set_item("default", p.default_text(defaults))?;
        d.set_item("allowed", p.kind.range())?;
        d.set_item("meaning", p.meaning)?;
        d.set_item("concept", p.concept)?;
        d.set_item("sweepable", p.sweepable)?;
        out.append(d)
    };
    for p in scenario::ENGINE_PARAMS {
        add(p, &base, None)?;
    }
    for m in model::all() {
        let defaults = m.defaults();
        for p in m.params() {
            add(p, defaults.as_any(), Some(m.name()))?;
        }
    }
    Ok(out.unbind())
}

/// Every metric of every model's runs table.
#[pyfunction]
fn metrics(py: Python<'_>) -> PyResult<Py<PyList>> {
    let out = PyList::empty(py);
    for m in model::all() {
        for x in m.run_metrics() {
            let d = PyDict::new(py);
            d.set_item("model", m.name())?;
            d.set_item("name", x.name)?;
            d.set_item("meaning", x.meaning)?;
            d.set_item("scale", x.scale)?;
            d.set_item("direction", x.direction.word())?;
            d.set_item("unit", x.unit.word())?;
            d.set_item("defined_in", x.defined_in)?;
            out.append(d)?;
        }
    }
    Ok(out.unbind())
}

#[pymodule]
fn _profspace(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("ProfspaceError", m.py().get_type::<ProfspaceError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(execute, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(params, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    Ok(())
}
