"""profspace as an EMA Workbench model.

>>> from ema_workbench import perform_experiments, RealParameter
>>> import profspace.ema
>>> model = profspace.ema.model(
...     {"ticks": 100, "replications": 3},
...     uncertainties={"managers.focus": (0.0, 1.0), "coupling": ["zero_sum", "freedom_safety"]},
...     outcomes=["purpose", "safety", "exits"],
... )
>>> experiments, outcomes = perform_experiments(model, 20)

Each experiment runs the scenario in-process with the experiment's values
set by key (as ``set=`` does) and returns each outcome's mean over the
replications of ``runs``: the final-window means the command line reports.
The seed is the scenario's for every experiment (common random numbers),
so two experiments differ only by their parameters. EMA's feature scoring,
PRIM and plots then work on profspace unchanged.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import profspace

__all__ = ["model"]


def _uncertainty(key: str, spec: Any):
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter
    from ema_workbench.em_framework.parameters import Parameter

    if isinstance(spec, Parameter):
        return spec
    if isinstance(spec, (list, set)) or (isinstance(spec, tuple) and any(isinstance(x, str) for x in spec)):
        return CategoricalParameter(key, list(spec))
    if isinstance(spec, tuple) and len(spec) == 2:
        low, high = spec
        if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
            return IntegerParameter(key, low, high)
        return RealParameter(key, float(low), float(high))
    raise TypeError(
        f"uncertainty {key!r}: give (low, high) for a number, a list of values for a choice, "
        f"or an ema_workbench parameter, not {spec!r}"
    )


def model(
    scenario: profspace.Scenario,
    uncertainties: Union[Mapping[str, Any], Iterable[Any]],
    outcomes: Sequence[str],
    *,
    name: str = "profspace",
    replications: Optional[int] = None,
    threads: Optional[int] = None,
    constants: Optional[Mapping[str, Any]] = None,
):
    """An ``ema_workbench.Model`` that runs ``scenario`` in-process.

    Parameters
    ----------
    scenario:
        A path, TOML text or a dict, as for :func:`profspace.run`. It must
        be a plain scenario (no ``[sweep]``): EMA chooses the points.
    uncertainties:
        Scenario keys and their ranges: ``{"managers.focus": (0.0, 1.0),
        "organization.team_size": (3, 15), "coupling": ["zero_sum",
        "freedom_safety"]}``, or a list of ema_workbench parameters named
        by scenario keys.
    outcomes:
        Metrics of ``runs`` (``profspace.metrics()`` lists them); each
        becomes a ``ScalarOutcome``: its mean over the replications.
    replications, threads:
        Override the scenario's replications; threads per experiment.
    constants:
        Keys held fixed in every experiment, as ``set=`` does.
    """
    from ema_workbench import Constant, Model, ScalarOutcome

    if profspace.check(scenario)["sweep"]:
        raise ValueError(
            "the scenario has a [sweep]: EMA chooses the points, so give a plain scenario "
            "and name the swept keys as uncertainties"
        )
    metric_names = set(profspace.metrics()["name"])
    unknown = [o for o in outcomes if o not in metric_names]
    if unknown:
        raise ValueError(
            f"unknown outcome(s) {unknown}: outcomes are metrics of runs "
            f"(profspace.metrics() lists them)"
        )
    if isinstance(uncertainties, Mapping):
        params = [_uncertainty(k, v) for k, v in uncertainties.items()]
    else:
        params = [_uncertainty(getattr(u, "name", None), u) for u in uncertainties]
    keys = [p.name for p in params] + list((constants or {}).keys())
    # Every key must be a scenario key with a valid value: check one point now
    # rather than fail in the middle of an experiment.
    probe = {p.name: _lowest(p) for p in params}
    probe.update(constants or {})
    profspace.check(scenario, set=probe)

    def function(**experiment):
        values = {k: _plain(v) for k, v in experiment.items() if k in keys}
        result = profspace.run(
            scenario, replications=replications, set=values, ticks_every=0, threads=threads
        )
        runs = result.runs
        return {o: float(runs[o].mean()) for o in outcomes}

    m = Model(name, function=function)
    m.uncertainties = params
    m.outcomes = [ScalarOutcome(o) for o in outcomes]
    if constants:
        m.constants = [Constant(k, v) for k, v in constants.items()]
    return m


def _lowest(p):
    if hasattr(p, "categories"):
        return _plain(list(p.categories)[0].value)
    return _plain(p.lower_bound)


def _plain(v):
    """numpy scalars as Python numbers, for the scenario."""
    if hasattr(v, "item"):
        return v.item()
    return v
