"""Tiny sweeps shared by the sweep and export tests: baseline and social prescribing runs."""

from __future__ import annotations

from thriving.config.runspec import RunSpec, run_id
from thriving.config.schema import Scenario
from thriving.runs.sweep import RunList

SP_BUDGET = "investments.social_prescribing.budget_per_year"
TINY = {"population": {"residents": 300}, "horizon": {"years": 1, "burn_in_years": 0}}
WEEKS = 52
WARDS = 20


def tiny_scenario(name: str, budget: float | None = None, **extra) -> Scenario:
    """A 300-resident, one-year scenario; with a budget, social prescribing in year 1."""
    investments = []
    if budget is not None:
        investments = [
            {
                "lever": "social_prescribing",
                "budget_per_year": budget,
                "start_year": 1,
                "end_year": 1,
                "wards": "all",
            }
        ]
    data = {**TINY, **extra}
    return Scenario(name=name, investments=investments, **data)


def make_runs(
    name: str = "tiny",
    seeds: tuple[int, ...] = (11, 12),
    budgets: tuple[float, ...] = (100_000, 400_000),
    failing: Scenario | None = None,
) -> RunList:
    """Baseline and social prescribing at each budget, paired by seed.

    ``failing`` adds one run of that scenario (seed of the first replicate) after the
    others.
    """
    baseline = tiny_scenario("baseline")
    specs = []
    for replicate, seed in enumerate(seeds):
        base = RunSpec(
            run_id(baseline, seed),
            baseline,
            seed,
            replicate,
            "baseline",
            "baseline.yaml",
            is_baseline=True,
        )
        specs.append(base)
        for budget in budgets:
            scenario = tiny_scenario("social_prescribing", budget)
            specs.append(
                RunSpec(
                    run_id(scenario, seed),
                    scenario,
                    seed,
                    replicate,
                    "social_prescribing",
                    "social_prescribing.yaml",
                    {SP_BUDGET: budget},
                    False,
                    base.run_id,
                )
            )
    if failing is not None:
        seed = seeds[0]
        specs.append(
            RunSpec(
                run_id(failing, seed),
                failing,
                seed,
                0,
                failing.name,
                "broken.yaml",
                {},
                False,
                specs[0].run_id,
            )
        )
    return RunList(name, specs)
