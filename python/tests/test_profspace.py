"""The Python package against the command line: same engine, same values."""

import csv
import threading
import _thread
import time
from pathlib import Path

import pandas as pd
import pytest

import profspace

SMALL = """
ticks = 30
replications = 3
seed = 11

[output]
ticks_every = 5
teams_every = 10
agents_at = [0, 30]

[organization]
teams = 3
team_size = 5
"""

SWEEP = SMALL + """
[sweep.grid]
"managers.focus" = [0.2, 0.8]
coupling = ["zero_sum", "freedom_safety"]
"""


def _cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _same_values(frame: pd.DataFrame, path: Path):
    """Every cell of the frame equals the CSV file's text read exactly."""
    header, rows = _cells(path)
    assert list(frame.columns) == header, path.name
    assert len(frame) == len(rows), path.name
    for j, name in enumerate(header):
        column = frame[name].tolist()
        for i, text in enumerate(rows):
            cell = text[j]
            value = column[i]
            if cell in ("true", "false"):
                expected = cell == "true"
                assert value is expected or value == expected, (path.name, name, i)
                continue
            try:
                expected = int(cell)
            except ValueError:
                try:
                    expected = float(cell)
                except ValueError:
                    expected = cell
            if isinstance(expected, float) and expected != expected:
                assert value != value, f"{path.name} row {i} {name}: {value} is not NaN"
            else:
                assert value == expected, f"{path.name} row {i} {name}: {value!r} != {cell!r}"
                assert type(value) is not str or isinstance(expected, str), (path.name, name)


def test_run_gives_the_cli_tables(tmp_path, cli):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    cli("run", scenario, "--out", tmp_path / "cli", "--no-plots")
    result = profspace.run(scenario, out=tmp_path / "py")
    for table in ("runs", "ticks", "teams", "agents"):
        frame = getattr(result, table)
        assert frame is not None and len(frame) > 0, table
        _same_values(frame, tmp_path / "cli" / f"{table}.csv")
        # the files themselves are the CLI's, byte for byte
        assert (tmp_path / "py" / f"{table}.csv").read_bytes() == (
            tmp_path / "cli" / f"{table}.csv"
        ).read_bytes(), table
    assert result.manifest["status"] == "complete"
    assert result.runs["seed"].dtype == "uint64"
    assert str(result.runs["coupling"].dtype) == "category"


def test_a_dict_and_overrides_are_the_same_scenario(tmp_path):
    as_text = profspace.run(SMALL, set={"managers.focus": 0.7}, seed=3, ticks_every=0)
    as_dict = profspace.run(
        {"ticks": 30, "replications": 3, "seed": 11,
         "output": {"ticks_every": 5, "teams_every": 10, "agents_at": [0, 30]},
         "organization": {"teams": 3, "team_size": 5},
         "managers": {"focus": 0.7}},
        seed=3, ticks_every=0,
    )
    pd.testing.assert_frame_equal(as_text.runs, as_dict.runs)
    assert as_text.ticks is None and as_text.folder is None
    assert set(as_text.runs["managers.focus"]) == {0.7}
    other = profspace.run(SMALL, set={"managers.focus": 0.7}, seed=4, ticks_every=0)
    assert not other.runs["purpose"].equals(as_text.runs["purpose"])


def test_sweep_gives_the_cli_tables_whatever_the_threads(tmp_path, cli):
    scenario = tmp_path / "sweep.toml"
    scenario.write_text(SWEEP)
    cli("sweep", scenario, "--out", tmp_path / "cli", "--no-plots")
    one = profspace.sweep(scenario, threads=1, out=tmp_path / "one")
    two = profspace.sweep(scenario, threads=2)
    assert len(one.runs) == 2 * 2 * 3
    for name in ("runs", "aggregate", "design", "ticks", "teams", "agents"):
        _same_values(one.tables[name], tmp_path / "cli" / f"{name}.csv")
        pd.testing.assert_frame_equal(one.tables[name], two.tables[name])


def test_check_and_the_error_of_a_bad_scenario(tmp_path, cli):
    info = profspace.check(SWEEP)
    assert info["runs"] == 12 and info["sweep"] and info["model"] == "professional_space"
    bad = tmp_path / "bad.toml"
    bad.write_text("ticks = 10\n[managers]\nfocus = 1.5\n")
    with pytest.raises(profspace.ScenarioError) as caught:
        profspace.run(bad)
    e = caught.value
    assert e.key == "managers.focus" and e.line == 3
    assert e.problems[0]["message"].startswith("1.5 is out of range")
    printed = cli("check", bad, check=False)
    assert printed.returncode == 2
    assert printed.stderr.strip() == f"error: {e}"
    with pytest.raises(profspace.ScenarioError) as caught:
        profspace.run({"ticks": 10}, set={"managers.focus": 2})
    assert caught.value.key == "managers.focus"
    assert 'set["managers.focus"] = 2' in str(caught.value)
    with pytest.raises(profspace.ScenarioError, match="did you mean `managers`"):
        profspace.check({"manager": {"focus": 0.5}})
    with pytest.raises(TypeError, match="a scenario is a path"):
        profspace.run(3.5)


def test_params_and_metrics_are_the_registries():
    p = profspace.params()
    focus = p[p["key"] == "managers.focus"].iloc[0]
    assert focus["default"] == "0.5" and focus["model"] == "professional_space"
    assert focus["sweepable"]
    m = profspace.metrics()
    assert {"purpose", "safety", "exits"} <= set(m["name"])


def test_a_damaged_table_is_not_read(tmp_path):
    profspace.run(SMALL, out=tmp_path / "r")
    runs = tmp_path / "r" / "runs.csv"
    text = runs.read_text()
    runs.write_text(text.replace("0.", "0.9", 1))
    with pytest.raises(profspace.ProfspaceError, match="checksum"):
        profspace.read(tmp_path / "r")


def test_finished_results_are_kept_unless_overwrite(tmp_path):
    profspace.run(SMALL, out=tmp_path / "r")
    with pytest.raises(profspace.ProfspaceError):
        profspace.run(SMALL, seed=99, out=tmp_path / "r")
    again = profspace.run(SMALL, seed=99, out=tmp_path / "r", overwrite=True)
    assert again.manifest["master_seed"] == 99


def test_the_gil_is_released_while_simulating(tmp_path):
    # runs.csv.part exists only while the runs are going (the finished table
    # is renamed runs.csv): another Python thread sees it only if the GIL is
    # released during the simulation.
    part = tmp_path / "r" / "runs.csv.part"
    seen = threading.Event()
    done = threading.Event()

    def watch():
        while not done.is_set():
            if part.exists():
                seen.set()
                return

    t = threading.Thread(target=watch)
    t.start()
    try:
        profspace.run(SMALL, replications=300, ticks_every=0, threads=1, out=tmp_path / "r")
    finally:
        done.set()
        t.join()
    assert not part.exists()
    assert seen.is_set(), "no other Python thread ran while profspace simulated"


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path):
    long = SMALL.replace("replications = 3", "replications = 3000").replace("ticks = 30", "ticks = 100")
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt, match="resume=True"):
        profspace.run(long, ticks_every=0, threads=1, out=tmp_path / "r")
    timer.cancel()
    assert not (tmp_path / "r" / "runs.csv").exists(), "a half table under its final name"
    finished = profspace.run(long, ticks_every=0, threads=1, out=tmp_path / "r", resume=True)
    fresh = profspace.run(long, ticks_every=0, threads=2)
    assert len(finished.runs) == 3000
    pd.testing.assert_frame_equal(finished.runs, fresh.runs)


def test_calibrate_returns_the_posterior():
    result = profspace.calibrate(
        """
        ticks = 40
        [organization]
        teams = 2
        team_size = 5
        [calibrate]
        particles = 40
        generations = 2
        [calibrate.priors]
        "managers.focus" = { uniform = [0.0, 1.0] }
        [calibrate.targets]
        purpose = { value = 0.45, sd = 0.05 }
        """,
        seed=5,
    )
    posterior = result.tables["posterior"]
    assert "managers.focus" in set(posterior["parameter"].astype(str))


def test_help_is_useful():
    doc = profspace.run.__doc__
    for word in ("scenario", "seed", "set", "threads", "ScenarioError", "KeyboardInterrupt"):
        assert word in doc, word


def test_parquet_tables_equal_the_csv_cell_for_cell(tmp_path):
    import pyarrow.parquet as pq

    scenario = SWEEP.replace("[output]\n", '[output]\nformat = "parquet"\n')
    profspace.sweep(scenario, out=tmp_path / "r")
    types = {}
    for name in ("runs", "ticks", "teams", "agents"):
        table = pq.read_table(tmp_path / "r" / f"{name}.parquet")
        header, rows = _cells(tmp_path / "r" / f"{name}.csv")
        assert table.column_names == header, name
        assert table.num_rows == len(rows) > 0, name
        for j, column in enumerate(header):
            values = table.column(j).to_pylist()
            types[(name, column)] = str(table.schema.field(j).type)
            for i, row in enumerate(rows):
                cell, value = row[j], values[i]
                if cell == "":
                    assert value is None, (name, column, i)
                elif isinstance(value, bool):
                    assert value == (cell == "true"), (name, column, i)
                elif isinstance(value, int):
                    assert value == int(cell), (name, column, i, value, cell)
                elif isinstance(value, float):
                    assert value == float(cell), (name, column, i, value, cell)
                else:
                    assert value == cell, (name, column, i, value, cell)
    assert types[("runs", "seed")] == "uint64"
    assert types[("runs", "run")] == "int64"
    assert types[("runs", "exits")] == "int64"
    assert types[("runs", "purpose")] == "double"
    assert types[("runs", "coupling")] == "string"
    assert types[("agents", "professional")] == "int64"
    manifest = profspace.read(tmp_path / "r").manifest
    for name in ("runs", "ticks", "teams", "agents"):
        assert f"{name}.parquet" in manifest["files"], name
