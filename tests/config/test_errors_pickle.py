"""Errors cross process boundaries intact (sweeps run scenarios in worker processes)."""

import pickle

from thriving.config.errors import Problem, ScenarioError, ThrivingError


def test_scenario_error_survives_pickling():
    err = ScenarioError([Problem("a.yaml", 3, "name", "must not be empty")], exit_code=2)
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == "a.yaml:3: name: must not be empty"
    assert back.exit_code == 2
    assert back.problems == err.problems


def test_thriving_error_survives_pickling():
    back = pickle.loads(pickle.dumps(ThrivingError("plain message", exit_code=2)))
    assert str(back) == "plain message"
    assert back.exit_code == 2
