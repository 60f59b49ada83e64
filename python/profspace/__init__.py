"""profspace from Python: the profspace engine, in-process.

The same engine as the ``profspace`` command line (no second
implementation): a scenario runs into a result folder exactly as
``profspace run`` or ``profspace sweep`` would write it, and its tables come
back as pandas DataFrames. For the same scenario and seed, the frames hold
the values of the CLI's CSV files.

>>> import profspace
>>> r = profspace.run({"ticks": 50, "replications": 3}, seed=7)
>>> r.runs[["run", "purpose", "safety"]]          # one row per run
>>> r.tables["aggregate"]                          # means and 95% CIs

A scenario is a path to a TOML file, a TOML string or a dict with the same
keys. ``profspace.params()`` lists the keys, ``profspace.metrics()`` the
columns. A scenario that cannot run raises :class:`ScenarioError` with the
command line's message, and the key and line of each problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _profspace
from ._profspace import ProfspaceError, ScenarioError

__all__ = [
    "Result",
    "ScenarioError",
    "ProfspaceError",
    "run",
    "sweep",
    "calibrate",
    "check",
    "params",
    "metrics",
    "read",
]
__version__ = _profspace.__version__

Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any], None]
"""A path to a TOML file, TOML text, a dict of keys, or None (the defaults)."""

# Columns that are labels, not numbers: read as pandas categoricals.
_CATEGORICAL = {"coupling", "condition", "model", "profile", "status", "parameter", "metric"}
# Whole numbers beyond int64 (seeds are 64-bit unsigned).
_UNSIGNED = {"seed"}


@dataclass
class Result:
    """The tables of a finished run, sweep or calibration.

    ``runs``, ``ticks``, ``teams`` and ``agents`` are the CLI's
    ``runs.csv``, ``ticks.csv``, ``teams.csv`` and ``agents.csv`` (``None``
    when the scenario did not record them); ``tables`` holds every table of
    the folder by name (``aggregate``, ``design``, ``posterior``, …);
    ``manifest`` is ``manifest.json`` as a dict; ``folder`` is where the
    files are (``None`` when they were written to a temporary folder and
    removed).
    """

    tables: Dict[str, Any]
    manifest: Dict[str, Any]
    folder: Optional[Path] = None
    notes: List[str] = field(default_factory=list)

    @property
    def runs(self):
        """One row per run: its id, seed, swept values and final-window metrics."""
        return self.tables.get("runs")

    @property
    def ticks(self):
        """One row per recorded tick of each run (``None`` if not recorded)."""
        return self.tables.get("ticks")

    @property
    def teams(self):
        """One row per recorded tick of each team (``None`` if not recorded)."""
        return self.tables.get("teams")

    @property
    def agents(self):
        """One row per professional at each tick of ``output.agents_at`` (``None`` if not recorded)."""
        return self.tables.get("agents")

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: {len(v)} rows" for k, v in sorted(self.tables.items()))
        where = f" in {self.folder}" if self.folder else ""
        return f"<profspace.Result {parts}{where}>"


def _source(scenario: Scenario) -> Tuple[str, Any]:
    if scenario is None:
        return ("text", "")
    if isinstance(scenario, Mapping):
        return ("dict", dict(scenario))
    if isinstance(scenario, os.PathLike):
        return ("path", os.fspath(scenario))
    if isinstance(scenario, str):
        looks_like_toml = "\n" in scenario or "=" in scenario or scenario.lstrip().startswith("[")
        if looks_like_toml and not os.path.exists(scenario):
            return ("text", scenario)
        return ("path", scenario)
    raise TypeError(
        f"a scenario is a path, TOML text or a dict, not {type(scenario).__name__}"
    )


def _settings(set: Optional[Mapping[str, Any]], ticks_every: Optional[int]) -> List[Tuple[str, Any]]:
    items = list((set or {}).items())
    if ticks_every is not None:
        items.append(("output.ticks_every", int(ticks_every)))
    for key, _ in items:
        if not isinstance(key, str):
            raise TypeError(f"set= keys are scenario keys as text, e.g. 'managers.focus', not {key!r}")
    return items


def _verified(folder: Path, manifest: Mapping[str, Any], name: str) -> Path:
    """The file, after its size and SHA-256 are checked against the manifest."""
    path = folder / name
    entry = manifest.get("files", {}).get(name)
    if entry is None:
        return path
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    if size != entry.get("bytes") or digest.hexdigest() != entry.get("sha256"):
        raise ProfspaceError(
            f"{path} does not match its checksum in manifest.json: it was changed or damaged "
            "after it was written; run the scenario again"
        )
    return path


def _read_table(path: Path):
    import pandas as pd

    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
    dtype = {c: "category" for c in header if c in _CATEGORICAL}
    dtype.update({c: "uint64" for c in header if c in _UNSIGNED})
    options = {}
    if int(pd.__version__.split(".")[0]) < 3:
        # Before pandas 3 the default parser may miss the last bit of a
        # double; round_trip reads back exactly the number written.
        options["float_precision"] = "round_trip"
    return pd.read_csv(path, dtype=dtype, keep_default_na=False, na_values=["NaN", "nan", ""],
                       true_values=["true"], false_values=["false"], **options)


def read(folder: Union[str, "os.PathLike[str]"]) -> Result:
    """Reads a finished result folder (from Python or the command line).

    Every table is checked against the SHA-256 in ``manifest.json`` first;
    a folder that is not finished raises :class:`ProfspaceError`.
    """
    folder = Path(folder)
    try:
        with open(folder / "manifest.json", encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise ProfspaceError(f"{folder} has no manifest.json: it is not a profspace result folder") from None
    if manifest.get("status") not in (None, "complete"):
        raise ProfspaceError(
            f"{folder} is not finished (status {manifest.get('status')!r}); resume it first"
        )
    tables = {}
    names = sorted(manifest.get("files", {}))
    for name in names:
        if "/" in name or not name.endswith((".csv", ".parquet")):
            continue
        # A Parquet copy holds the same values as its CSV table: read the CSV
        # (no pyarrow needed), the Parquet file only where it stands alone.
        if name.endswith(".parquet") and name[: -len(".parquet")] + ".csv" in names:
            continue
        tables[Path(name).stem] = _read_table(_verified(folder, manifest, name))
    return Result(tables=tables, manifest=manifest, folder=folder)


def _in_folder(out, plots: bool, work):
    """Runs ``work(folder)`` in ``out`` (kept) or a temporary folder (removed)."""
    if out is not None:
        folder = Path(out)
        report = work(folder)
        result = read(folder)
        result.notes = list(report.get("notes", []))
        return result, report
    if plots:
        raise ValueError("plots=True needs out= (a folder to keep the charts in)")
    tmp = Path(tempfile.mkdtemp(prefix="profspace-"))
    try:
        folder = tmp / "results"
        report = work(folder)
        result = read(folder)
        result.notes = list(report.get("notes", []))
        result.folder = None
        return result, report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _execute(command, scenario, seed, replications, set, ticks_every, threads, out, resume,
             overwrite, plots) -> Result:
    source = _source(scenario)
    settings = _settings(set, ticks_every)

    def work(folder: Path):
        report = _profspace.execute(
            source, settings, seed, replications, None, threads,
            {"out": str(folder), "resume": resume, "overwrite": overwrite, "plots": plots},
            command,
        )
        if report["failures"]:
            run, seed_, message = report["failures"][0]
            raise ProfspaceError(
                f"{len(report['failures'])} of {report['total']} runs failed; the first, run {run} "
                f"(seed {seed_}): {message}"
            )
        if report.get("warning"):
            import warnings

            warnings.warn(report["warning"], stacklevel=3)
        return report

    result, _ = _in_folder(out, plots, work)
    return result


def run(
    scenario: Scenario = None,
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    ticks_every: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = False,
    overwrite: bool = False,
    plots: bool = False,
) -> Result:
    """Runs a scenario, as ``profspace run`` does, and returns its tables.

    Parameters
    ----------
    scenario:
        A path to a TOML file, TOML text, a dict of keys (``{"ticks": 100,
        "managers": {"focus": 0.7}}``), or None for the defaults.
    seed, replications:
        Override the scenario's ``seed`` and ``replications``.
    set:
        More overrides by key, as ``--set`` does: ``{"managers.focus": 0.7,
        "coupling": "zero_sum"}``.
    ticks_every:
        Write every n-th tick to ``ticks`` (0: none).
    threads:
        Threads for the runs (default: every core). The results do not
        depend on it.
    out:
        A folder to keep the CSV files (and charts) in; by default they go
        to a temporary folder that is removed once read.
    resume, overwrite:
        As ``--resume`` and ``--overwrite``: finish an interrupted folder;
        replace another scenario's results in ``out``.
    plots:
        Draw the charts into ``out/plots`` (needs ``out``).

    Returns a :class:`Result`; raises :class:`ScenarioError` for a scenario
    that cannot run and :class:`ProfspaceError` for a folder in the way or a
    run that failed. Ctrl-C stops after the runs in progress and raises
    ``KeyboardInterrupt``; what finished stays in ``out`` for ``resume=True``.
    """
    return _execute("run", scenario, seed, replications, set, ticks_every, threads, out,
                    resume, overwrite, plots)


def sweep(
    scenario: Scenario,
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    ticks_every: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = False,
    overwrite: bool = False,
    plots: bool = False,
) -> Result:
    """Runs a scenario's ``[sweep]``, as ``profspace sweep`` does.

    The arguments are those of :func:`run`. ``result.runs`` has one row per
    run with the swept values as columns; ``result.tables["aggregate"]``
    the mean and 95% interval of each metric at each design point.
    """
    return _execute("sweep", scenario, seed, replications, set, ticks_every, threads, out,
                    resume, overwrite, plots)


def calibrate(
    scenario: Scenario,
    *,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    resume: bool = False,
    overwrite: bool = False,
    plots: bool = False,
) -> Result:
    """Calibrates a scenario's ``[calibrate]`` section (ABC-SMC), as
    ``profspace calibrate`` does.

    ``result.tables["posterior"]`` summarises each inferred key (mean, sd,
    95% interval); ``result.tables["particles"]`` holds every generation's
    weighted particles. The other arguments are those of :func:`run`.
    """
    source = _source(scenario)
    settings = _settings(set, None)

    def work(folder: Path):
        report = _profspace.calibrate(
            source, settings, seed, threads,
            {"out": str(folder), "resume": resume, "overwrite": overwrite, "plots": plots},
        )
        if report.get("warning"):
            import warnings

            warnings.warn(report["warning"], stacklevel=3)
        return report

    result, _ = _in_folder(out, plots, work)
    return result


def check(scenario: Scenario, *, set: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Checks a scenario without running it.

    Returns its name, model, number of runs and whether it has a
    ``[calibrate]`` section; raises :class:`ScenarioError` (with the key,
    line and message of every problem) when it cannot run.
    """
    return _profspace.check(_source(scenario), _settings(set, None))


def params():
    """Every scenario key as a DataFrame: key, model (None for the engine's
    keys), default, allowed values, meaning, the article's concept, and
    whether a sweep may vary it."""
    import pandas as pd

    return pd.DataFrame(_profspace.params())


def metrics():
    """Every metric (column of ``runs``) of every model as a DataFrame: its
    meaning, scale, direction (is more better?), unit and where the model's
    documentation defines it."""
    import pandas as pd

    return pd.DataFrame(_profspace.metrics())
