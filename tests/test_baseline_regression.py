"""Regression baseline: a fixed-seed baseline run reproduces its recorded summary.

``tests/baseline/summary.json`` holds the numeric totals and calibration measures of
``scenarios/baseline.yaml`` (2,000 residents, one year of burn-in, two reported years)
run with seed 2. Every number must match to ``rel=1e-9``.

If a model change is meant to change results, regenerate the file with
``python -m tests.update_baseline`` and review its diff in the pull request. NumPy only
guarantees identical random streams on the same build, so also regenerate (and review)
after upgrading numpy or moving to another platform. The README's test command installs
the exact versions in ``constraints.txt``, the ones the pins were made and checked with
(Python 3.11 with Mesa 3.3; 3.12 and 3.13 with Mesa 3.5; CI also swaps in Mesa 3.4): the
same numbers under each, because Thriving draws its own random numbers.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def load_updater():
    spec = importlib.util.spec_from_file_location("update_baseline", HERE / "update_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


updater = load_updater()


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(updater.BASELINE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rerun() -> dict:
    return updater.run_numbers()


def test_baseline_file_describes_its_run(recorded):
    assert recorded["seed"] == updater.SEED
    assert recorded["overrides"] == updater.OVERRIDES
    assert recorded["summary"]["residents_simulated"] == 2_000
    assert len(recorded["summary"]) + len(recorded["calibration"]) >= 20


@pytest.mark.parametrize("section", ["summary", "calibration"])
def test_baseline_numbers_reproduced(recorded, rerun, section):
    old, new = recorded[section], rerun[section]
    assert sorted(new) == sorted(old), "summary fields changed: regenerate the baseline"
    changed = {
        name: (old[name], new[name])
        for name in old
        if new[name] != pytest.approx(old[name], rel=1e-9)
    }
    assert not changed, f"changed (recorded, now): {changed}"
    assert new == pytest.approx(old, rel=1e-9)
