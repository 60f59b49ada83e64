"""The EMA Workbench adapter with the real ema_workbench package."""

import numpy as np
import pytest

import profspace
import profspace.ema

from ema_workbench import perform_experiments  # noqa: E402  (a hard requirement of this test)
from ema_workbench.analysis import feature_scoring, prim  # noqa: E402

SCENARIO = {"ticks": 40, "replications": 2, "organization": {"teams": 3, "team_size": 5}}


def test_perform_experiments_runs_profspace():
    model = profspace.ema.model(
        SCENARIO,
        uncertainties={
            "managers.focus": (0.0, 1.0),
            "managers.connection": (0.0, 1.0),
            "coupling": ["zero_sum", "freedom_safety"],
        },
        outcomes=["purpose", "safety", "exits"],
    )
    experiments, outcomes = perform_experiments(model, 20)
    assert len(experiments) == 20
    assert set(outcomes) == {"purpose", "safety", "exits"}
    for name in outcomes:
        assert outcomes[name].shape == (20,)
        assert np.all(np.isfinite(outcomes[name]))
    # each outcome is profspace's own mean for that experiment's values
    row = experiments.iloc[7]
    direct = profspace.run(
        SCENARIO,
        ticks_every=0,
        set={
            "managers.focus": float(row["managers.focus"]),
            "managers.connection": float(row["managers.connection"]),
            "coupling": str(row["coupling"]),
        },
    )
    assert outcomes["safety"][7] == direct.runs["safety"].mean()
    assert outcomes["purpose"].std() > 0, "the uncertainties changed nothing"
    # EMA's own analyses work on the results unchanged
    scores = feature_scoring.get_feature_scores_all(
        experiments[["managers.focus", "managers.connection"]], outcomes
    )
    assert scores.shape == (2, 3)
    box = prim.Prim(
        experiments[["managers.focus", "managers.connection"]],
        outcomes["safety"] > np.median(outcomes["safety"]),
        threshold=0.5,
    )
    box.find_box()


def test_bad_uncertainties_and_outcomes_are_refused_up_front():
    with pytest.raises(ValueError, match="unknown outcome"):
        profspace.ema.model(SCENARIO, uncertainties={"managers.focus": (0, 1)}, outcomes=["nope"])
    with pytest.raises(profspace.ScenarioError, match="managers.focus"):
        profspace.ema.model(SCENARIO, uncertainties={"managers.focus": (2.0, 3.0)}, outcomes=["purpose"])
    with pytest.raises(profspace.ScenarioError, match="not_a_key"):
        profspace.ema.model(SCENARIO, uncertainties={"not_a_key": (0.0, 1.0)}, outcomes=["purpose"])
