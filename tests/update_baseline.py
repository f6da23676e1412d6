"""Regenerate the regression baseline: ``python -m tests.update_baseline``.

Runs the shipped ``scenarios/baseline.yaml`` (shrunk to 2,000 residents, one year of
burn-in and two reported years) with seed 2, and writes the summary's numeric totals
and calibration measures to ``tests/baseline/summary.json``.

Regenerate only when a change to the model is meant to change its results (or after
upgrading numpy, whose random streams are guaranteed identical only on the same
build), and review the diff of the JSON file in the pull request. Make it in a venv
installed with ``-c constraints.txt``: those are the versions the pins promise.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import mesa
import numpy as np

HERE = Path(__file__).resolve().parent
BASELINE_FILE = HERE / "baseline" / "summary.json"
SCENARIO_FILE = HERE.parent / "scenarios" / "baseline.yaml"
SEED = 2
OVERRIDES = {
    "population.residents": 2_000,
    "horizon.years": 2,
    "horizon.burn_in_years": 1,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def run_numbers() -> dict[str, dict[str, float]]:
    """Run the baseline and return its numeric summary, by section.

    Returns
    -------
    dict
        ``{"summary": {name: number}, "calibration": {name: number}}``.
    """
    from thriving.config.scenario import load_scenario
    from thriving.sim.model import NeighbourhoodModel

    scenario = load_scenario(SCENARIO_FILE, OVERRIDES)
    summary = NeighbourhoodModel(scenario, SEED).run().summary
    numbers = {k: float(v) for k, v in summary.items() if _is_number(v)}
    calibration = {k: float(v) for k, v in summary["calibration"].items()}
    return {
        "summary": dict(sorted(numbers.items())),
        "calibration": dict(sorted(calibration.items())),
    }


def main() -> None:
    """Run the baseline and write ``tests/baseline/summary.json``."""
    record = {
        "about": "Regression baseline; regenerate with: python -m tests.update_baseline",
        "scenario": "scenarios/baseline.yaml",
        "overrides": OVERRIDES,
        "seed": SEED,
        "generated_with": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mesa": mesa.__version__,
            "machine": platform.machine(),
        },
        **run_numbers(),
    }
    BASELINE_FILE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE_FILE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    n = len(record["summary"]) + len(record["calibration"])
    print(f"wrote {n} numbers to {BASELINE_FILE}")


if __name__ == "__main__":
    main()
