"""One run of a sweep: a resolved scenario, a parameter point and a seed.

Experiments expand into RunSpecs (``thriving.experiment``); the sweep executes them
(``thriving.sweep``). A RunSpec is plain data, picklable, so it can travel to a worker
process or a Dask cluster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .schema import Scenario

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
        (:func:`thriving.cohort.runs_to_track`). Not part of the run id: it changes
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
