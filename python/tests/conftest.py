"""Shared fixtures: the command-line binary the package is compared with."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs the `profspace` binary of this checkout (PROFSPACE_BIN, or the
    one `cargo build`/`cargo test` left in target/)."""
    candidates = [os.environ.get("PROFSPACE_BIN")] + [
        str(ROOT / "target" / p / "profspace") for p in ("debug", "release")
    ]
    found = [c for c in candidates if c and os.access(c, os.X_OK)]
    if not found:
        pytest.fail("no profspace binary: run `cargo build` first or set PROFSPACE_BIN")
    binary = found[0]

    def run(*args, check=True, cwd=None):
        return subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                              check=check, cwd=cwd)

    return run
