"""Stylised facts: each lever moves what it should, over 20 paired seeds.

Each scenario is run with the same 20 seeds as the baseline (common random numbers),
and the paired differences must point the right way with a one-sided t statistic below
-2 (or above 2). Budgets are large for the small sample simulated here, so that effects
of the expected direction are detectable in a test that runs in about a minute; the
shipped scenarios' realistic budgets give much smaller effects.
"""

from __future__ import annotations

import numpy as np
import pytest

from thriving.config.schema import Scenario
from thriving.sim.model import NeighbourhoodModel

SEEDS = range(1, 21)
RESIDENTS = 3_000
BASE = {
    "name": "test",
    "population": {"residents": RESIDENTS},
    "horizon": {"years": 3, "burn_in_years": 1},
}


def lever(name: str, budget: float, **extra) -> dict:
    return {
        "lever": name,
        "budget_per_year": budget,
        "start_year": 1,
        "end_year": 3,
        "wards": "all",
        "ramp_up_weeks": 4,
        **extra,
    }


def outcomes(scenario: Scenario, seed: int) -> dict[str, float]:
    ts = NeighbourhoodModel(scenario, seed).run().timeseries
    return {
        "lonely_share": float(ts["lonely_share"].mean()),
        "gp_appointments": float(ts["gp_appointments"].sum()),
        "emergency_admissions": float(ts["emergency_admissions"].sum()),
        "participation_rate": float(ts["participation_rate"].mean()),
    }


# Borough budgets (£ a year) giving a clear dose in a 3,000-resident sample.
SCENARIOS = {
    "baseline": [],
    "community_grants": [lever("community_grants", 1_500_000)],
    "social_prescribing": [lever("social_prescribing", 4_000_000)],
    "community_connectors": [lever("community_connectors", 3_000_000)],
    "access": [lever("access", 8_000_000)],
    "neighbourhood_teams": [lever("neighbourhood_teams", 8_000_000)],
    "closures": [lever("closures", 500_000, share_closed=0.8, opening_reduction=0.9)],
}


def run_one(job: tuple[str, int]) -> tuple[str, int, dict[str, float]]:
    name, seed = job
    return name, seed, outcomes(Scenario(**BASE, investments=SCENARIOS[name]), seed)


@pytest.fixture(scope="module")
def results() -> dict[tuple[str, int], dict[str, float]]:
    """Every scenario for every seed, run once on two worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(name, seed) for name in SCENARIOS for seed in SEEDS]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return {(name, seed): out for name, seed, out in pool.map(run_one, jobs, chunksize=4)}


def paired_t(results, name: str, metric: str) -> tuple[float, float]:
    diffs = np.array(
        [results[(name, seed)][metric] - results[("baseline", seed)][metric] for seed in SEEDS]
    )
    return diffs.mean(), diffs.mean() / (diffs.std(ddof=1) / np.sqrt(diffs.size))


@pytest.mark.parametrize(
    "name", ["community_grants", "social_prescribing", "community_connectors", "access"]
)
def test_lever_lowers_lonely_share(results, name):
    mean, t = paired_t(results, name, "lonely_share")
    assert mean < 0 and t < -2, f"{name}: mean difference {mean:.5f}, t = {t:.1f}"


def test_social_prescribing_lowers_gp_appointments(results):
    mean, t = paired_t(results, "social_prescribing", "gp_appointments")
    assert mean < 0 and t < -2, f"mean difference {mean:.1f}, t = {t:.1f}"


def test_neighbourhood_teams_lower_emergency_admissions(results):
    mean, t = paired_t(results, "neighbourhood_teams", "emergency_admissions")
    assert mean < 0 and t < -2, f"mean difference {mean:.1f}, t = {t:.1f}"


def test_closures_raise_loneliness(results):
    mean, t = paired_t(results, "closures", "lonely_share")
    assert mean > 0 and t > 2, f"mean difference {mean:.5f}, t = {t:.1f}"


def lonely_clustering(model: NeighbourhoodModel, rng: np.random.Generator) -> float:
    """Lonely-lonely ties relative to a null keeping homophily by ward and age band.

    The null shuffles who is lonely among residents of the same ward and ten-year age
    band, so it keeps whatever clustering homophily alone explains.
    """
    ties = model.ties
    src, dst = ties.src[ties.alive], ties.dst[ties.alive]
    lonely = model.pop.lonely
    observed = (lonely[src] & lonely[dst]).mean()
    age_band = np.minimum((model.pop.age - 18) // 10, 9).astype(np.int64)
    strata = model.pop.ward.astype(np.int64) * 10 + age_band
    null = []
    for _ in range(20):
        order = np.lexsort((rng.random(lonely.size), strata))
        shuffled = np.empty_like(lonely)
        shuffled[order] = lonely[order][np.lexsort((rng.random(lonely.size), strata[order]))]
        null.append((shuffled[src] & shuffled[dst]).mean())
    return float(observed / np.mean(null))


def test_without_contagion_loneliness_clusters_no_more_than_homophily_explains():
    ratios = {}
    for strength in (0.0, 3.0):
        values = []
        for seed in range(1, 4):
            scenario = Scenario(
                **{**BASE, "population": {"residents": 6_000}},
                loneliness={"contagion_strength": strength},
            )
            model = NeighbourhoodModel(scenario, seed)
            model.run()
            values.append(lonely_clustering(model, np.random.default_rng(seed)))
        ratios[strength] = float(np.mean(values))
    assert ratios[0.0] <= 1.0, ratios
    assert ratios[3.0] > ratios[0.0], ratios
