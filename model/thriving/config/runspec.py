"""One run of a sweep: a resolved scenario, a parameter point and a seed.

Experiments expand into RunSpecs (``thriving.config.experiment``); the sweep executes them
(``thriving.runs.sweep``). A RunSpec is plain data, picklable, so it can travel to a worker
process or a Dask cluster.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from thriving.config.schema import Scenario

#: Length of run ids (hex digits of a SHA-256): short enough for file names, long enough
#: that two different runs never share one in practice.
RUN_ID_LENGTH = 16


def run_id(scenario: Scenario, seed: int) -> str:
    """Deterministic id of a run: a hash of the resolved scenario and the seed.

    The same scenario (every parameter, after ``extends`` and overrides) with the same
    seed always gets the same id, on any machine, so a sweep can tell which runs are
    already done.

    Parameters
    ----------
    scenario : Scenario
    seed : int

    Returns
    -------
    str
        Hex digits.

    Examples
    --------
    >>> s = Scenario(name="a")
    >>> run_id(s, 1) == run_id(Scenario(name="a"), 1)
    True
    >>> run_id(s, 1) == run_id(s, 2)
    False
    """
    payload = json.dumps(
        {"scenario": scenario.model_dump(mode="json"), "seed": int(seed)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:RUN_ID_LENGTH]


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to run, store and pair one run.

    Attributes
    ----------
    run_id : str
        From :func:`run_id`.
    scenario : Scenario
        The resolved scenario (experiment overrides and the point's values applied).
    seed : int
        Seed of the run (the same for every scenario at the same replicate).
    replicate : int
        Replicate number, 0-based.
    scenario_label : str
        Which scenario file the run comes from (its ``name``), for tables and plots.
    scenario_file : str
        Path of that file.
    point : dict
        Values of the varied parameters at this run (dotted path to value); empty when
        nothing is varied.
    is_baseline : bool
        Whether this is a run of the experiment's baseline (the counterfactual).
    baseline_run_id : str or None
        The paired baseline run: same seed and the same values of any varied parameter
        the baseline also has. None for baseline runs.
    track_gp_use : bool
        Whether the run keeps its residents' GP use by quarter and writes it, with its
        social-prescribing referrals, for before-and-after analyses
        (:func:`runs_to_track`). Not part of the run id: it changes
        which files a run writes, not its results.
    """

    run_id: str
    scenario: Scenario
    seed: int
    replicate: int
    scenario_label: str
    scenario_file: str
    point: dict[str, Any] = field(default_factory=dict)
    is_baseline: bool = False
    baseline_run_id: str | None = None
    track_gp_use: bool = False


# Which runs follow the GP use of the residents referred to social prescribing
# (thriving.sim.cohort does the following; the choice is the run list's).


def funds_social_prescribing(scenario: Scenario) -> bool:
    """Whether a scenario spends anything on social prescribing.

    Examples
    --------
    >>> from thriving.config.schema import Scenario
    >>> funds_social_prescribing(Scenario(name="b"))
    False
    >>> funds_social_prescribing(Scenario(name="sp", investments=[
    ...     {"lever": "social_prescribing", "budget_per_year": 1e5}]))
    True
    """
    return any(
        inv.lever == "social_prescribing" and inv.budget_per_year > 0
        for inv in scenario.investments
    )


def runs_to_track(specs: Iterable[RunSpec]) -> set[str]:
    """Ids of the runs whose residents' GP use is tracked.

    The runs of scenarios that fund social prescribing and, when there is any such
    run, every baseline run (the referred residents' paired selves are there). The
    rule depends only on the runs, so every run of a sweep gets the same answer
    whatever order they run in.

    Parameters
    ----------
    specs : iterable of RunSpec

    Returns
    -------
    set of str
    """
    specs = list(specs)
    funded = {s.run_id for s in specs if not s.is_baseline and funds_social_prescribing(s.scenario)}
    if not funded:
        return set()
    return funded | {s.run_id for s in specs if s.is_baseline}


def mark_gp_tracking(
    runs_at_points: Sequence[Sequence[tuple[str, RunSpec]]],
) -> tuple[tuple[tuple[str, RunSpec], ...], ...]:
    """Set ``track_gp_use`` on the runs of an experiment (by point, with their labels).

    Run ids, pairing and results are unchanged: the flag only says which extra files
    a run writes.
    """
    tracked = runs_to_track(spec for point in runs_at_points for _, spec in point)
    return tuple(
        tuple(
            (label, dataclasses.replace(spec, track_gp_use=spec.run_id in tracked))
            for label, spec in point
        )
        for point in runs_at_points
    )
