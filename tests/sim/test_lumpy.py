"""What a budget buys is whole groups, places and referrals, unbiased at any sample size.

Issue 12 point 8: the groups a grant pays for were rounded down (``floor``), so at
5,000-10,000 residents about a quarter of them never opened while the budget was
charged in full. A dither per lever and run (``floor(x + u)``, u uniform) makes the
count right on average, with common random numbers across scenarios.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from thriving.config.schema import LEVERS, Scenario
from thriving.sim.levers import round_with_dither
from thriving.sim.model import NeighbourhoodModel
from thriving.sim.rng import Salt, counter_uniforms, stream_key

RESIDENTS = 2_000
BUDGET = 500_000.0  # £ a year: 167 groups of £3,000 in the borough, 1.80 in the sample


def grants(budget: float = BUDGET) -> Scenario:
    return Scenario(
        name="grants",
        population={"residents": RESIDENTS},
        horizon={"years": 1, "burn_in_years": 0},
        investments=[
            {
                "lever": "community_grants",
                "budget_per_year": budget,
                "start_year": 1,
                "end_year": 1,
                "ramp_up_weeks": 0,
            }
        ],
    )


def granted_groups(model: NeighbourhoodModel) -> int:
    model.step()  # week 0: the grant funds what the budget buys
    return int(np.count_nonzero(model.groups.funded(0)))


def test_rounding_is_unbiased_and_monotone():
    dithers = np.random.default_rng(0).random(20_000)
    for amount in (0.2, 2.7, 10.5):
        counts = np.array([round_with_dither(amount, u) for u in dithers])
        assert counts.mean() == pytest.approx(amount, abs=0.02)
        assert set(counts) <= {int(np.floor(amount)), int(np.floor(amount)) + 1}
    ramp = [round_with_dither(x, 0.4) for x in np.linspace(0, 5, 50)]
    assert ramp == sorted(ramp)


def test_the_groups_a_grant_buys_are_right_on_average_in_a_small_sample():
    scenario = grants()
    expected = None
    counts = []
    for seed in range(1, 41):
        model = NeighbourhoodModel(scenario, seed)
        expected = model.levers[0].groups_funded_per_year
        counts.append(granted_groups(model))
    assert expected == pytest.approx(BUDGET / 3_000 * RESIDENTS / 185_000, rel=0.05)
    assert int(np.floor(expected)) < expected  # floor() would lose the fraction every run
    sem = np.std(counts, ddof=1) / np.sqrt(len(counts))
    assert np.mean(counts) == pytest.approx(expected, abs=3.5 * sem + 1e-9)


def _dither(seed: int) -> float:
    """The grants lever's dither for a seed, as the lever draws it."""
    key = stream_key(seed, "levers") ^ Salt.LUMPY_ROUNDING
    return float(counter_uniforms(key, np.array([LEVERS.index("community_grants")]), 0, 1)[0, 0])


def test_the_dither_is_uniform_over_seeds_and_shared_by_paired_scenarios():
    assert stats.kstest([_dither(seed) for seed in range(1, 2_001)], "uniform").pvalue > 0.001
    for seed in (3, 4):
        a = NeighbourhoodModel(grants(BUDGET), seed).levers[0].dither
        b = NeighbourhoodModel(grants(2 * BUDGET), seed).levers[0].dither
        assert a == b == _dither(seed)
