"""Run one scenario with one seed: the library side of ``thriving run``.

A notebook or script does what the command line does::

    from thriving.config.scenario import load_scenario
    from thriving.runs.run import run_scenario
    from thriving.runs.outputs import write_run

    scenario = load_scenario("scenarios/baseline.yaml", {"population.residents": 20000})
    result = run_scenario(scenario, seed=1)
    write_run(result, scenario, "results/baseline-seed1")
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from thriving.config.errors import ThrivingError
from thriving.config.schema import Scenario
from thriving.sim.model import NeighbourhoodModel
from thriving.sim.recording import RunResult

#: Called with (weeks done, weeks in all, burn-in included) after each simulated week.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunTimings:
    """How long a run took.

    Attributes
    ----------
    setup_seconds : float
        Building the model: residents, ties, groups and services.
    run_seconds : float
        Simulating every week, burn-in included, and assembling the result tables.
    resident_weeks : int
        Residents simulated times weeks simulated (burn-in included).
    """

    setup_seconds: float
    run_seconds: float
    resident_weeks: int

    @property
    def resident_weeks_per_second(self) -> float:
        """Simulation speed: resident-weeks per second of ``run_seconds``."""
        return self.resident_weeks / self.run_seconds if self.run_seconds > 0 else 0.0


def check_seed(seed: object) -> int:
    """Return the seed as an int, or raise a ThrivingError saying what is allowed.

    Examples
    --------
    >>> check_seed(7)
    7
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    thriving.config.errors.ThrivingError: seed must be a whole number, 0 or more (got -1)
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ThrivingError(f"seed must be a whole number, 0 or more (got {seed!r})", exit_code=2)
    return int(seed)


def timed_run(
    scenario: Scenario, seed: int, progress: Progress | None = None
) -> tuple[RunResult, RunTimings]:
    """Run a scenario once and time it.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (from :func:`thriving.config.scenario.load_scenario`).
    seed : int
        Fixes the run exactly: the same scenario and seed give the same result.
    progress : callable, optional
        Called with (weeks done, weeks in all) after each week, burn-in included. It may
        raise (KeyboardInterrupt, for instance) to stop the run.

    Returns
    -------
    result : RunResult
    timings : RunTimings
    """
    seed = check_seed(seed)
    start = time.perf_counter()
    model = NeighbourhoodModel(scenario, seed)
    built = time.perf_counter()
    result = model.run(progress)
    done = time.perf_counter()
    timings = RunTimings(
        setup_seconds=built - start,
        run_seconds=done - built,
        resident_weeks=int(model.pop.size) * int(model.week),
    )
    return result, timings


def run_scenario(scenario: Scenario, seed: int, progress: Progress | None = None) -> RunResult:
    """Run a scenario once.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (from :func:`thriving.config.scenario.load_scenario`).
    seed : int
        Fixes the run exactly: the same scenario and seed give the same result.
    progress : callable, optional
        Called with (weeks done, weeks in all) after each week, burn-in included.

    Returns
    -------
    RunResult
        Weekly borough and ward series after burn-in, the summary and any referrals.

    Examples
    --------
    >>> s = Scenario(name="tiny", population={"residents": 300},
    ...              horizon={"years": 1, "burn_in_years": 0})
    >>> len(run_scenario(s, seed=1).timeseries)
    52
    """
    return timed_run(scenario, seed, progress)[0]
