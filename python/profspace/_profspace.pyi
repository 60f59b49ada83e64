"""Type stubs of the compiled binding (python/rust/lib.rs); use the
functions of the ``profspace`` package rather than these."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

__version__: str

class ScenarioError(Exception):
    problems: List[Dict[str, Any]]
    key: Optional[str]
    line: Optional[int]

class ProfspaceError(Exception): ...

Source = Tuple[str, Any]
Folder = Dict[str, Any]

def execute(
    source: Source,
    set: Sequence[Tuple[str, Any]],
    seed: Optional[int],
    replications: Optional[int],
    ticks: Optional[int],
    threads: Optional[int],
    folder: Folder,
    command: str,
) -> Dict[str, Any]: ...
def calibrate(
    source: Source,
    set: Sequence[Tuple[str, Any]],
    seed: Optional[int],
    threads: Optional[int],
    folder: Folder,
) -> Dict[str, Any]: ...
def check(source: Source, set: Sequence[Tuple[str, Any]]) -> Dict[str, Any]: ...
def params() -> List[Dict[str, Any]]: ...
def metrics() -> List[Dict[str, Any]]: ...
