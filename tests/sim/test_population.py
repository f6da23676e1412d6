"""The synthetic population: ward sizes, initial residents, in-movers (thriving.sim.population)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from thriving.config.schema import Scenario
from thriving.config.wards import load_ward_table
from thriving.sim import demography
from thriving.sim.model import NeighbourhoodModel
from thriving.sim.population import PopulationBuilder, expected_chronic_need, ward_sizes
from thriving.sim.rng import make_streams, stream_key

WARDS = load_ward_table(None)


def scenario(residents: int = 2_000, **sections) -> Scenario:
    return Scenario(
        name="test",
        population={"residents": residents, **sections.pop("population", {})},
        horizon={"years": 1, "burn_in_years": 0},
        **sections,
    )


# ---------------------------------------------------------------------- ward_sizes


@pytest.mark.parametrize(
    ("residents", "adults", "expected"),
    [
        (0, [1.0, 2.0], [0, 0]),
        (1, [1.0, 1.0, 1.0], [1, 0, 0]),  # ties broken in table order
        (3, [5.0], [3]),
        (10, [1.0, 1.0, 2.0], [3, 2, 5]),
        (7, [0.0, 1.0, 0.0], [0, 7, 0]),  # an empty ward gets nobody
        (100, [1.0, 1.0, 1.0, 1.0], [25, 25, 25, 25]),
    ],
)
def test_ward_sizes_examples(residents, adults, expected):
    assert ward_sizes(residents, np.array(adults)).tolist() == expected


@given(
    st.integers(0, 500_000),
    hnp.arrays(np.float64, st.integers(1, 60), elements=st.floats(1.0, 1e5)),
)
def test_ward_sizes_sum_and_proportional(residents, adults):
    sizes = ward_sizes(residents, adults)
    assert sizes.sum() == residents
    assert (sizes >= 0).all()
    exact = residents * adults / adults.sum()
    assert (np.abs(sizes - exact) < 1.0 + 1e-9).all()


def test_ward_sizes_of_the_shipped_table():
    sizes = ward_sizes(185_000, WARDS.adults)
    assert sizes.sum() == 185_000
    assert sizes.size == WARDS.n_wards


# ---------------------------------------------------------------------- initial residents


@pytest.fixture(scope="module")
def built():
    s = scenario(3_000)
    builder = PopulationBuilder(s, WARDS)
    return s, builder, builder.initial(make_streams(4)["population"])


def test_initial_population_shapes_and_ranges(built):
    s, _, pop = built
    n = s.population.residents
    assert pop.size == n
    for name, values in pop.arrays().items():
        assert values.shape == (n,), name
        if values.dtype.kind == "f":
            assert np.isfinite(values).all(), name
    # Wards are contiguous blocks in table order, sized by ward_sizes.
    assert (np.diff(pop.ward) >= 0).all()
    np.testing.assert_array_equal(
        np.bincount(pop.ward, minlength=WARDS.n_wards), ward_sizes(n, WARDS.adults)
    )
    assert ((pop.age >= demography.MIN_AGE) & (pop.age < demography.MAX_AGE)).all()
    for name in ("propensity", "barrier", "base_barrier"):
        values = getattr(pop, name)
        assert ((values >= 0) & (values <= 1)).all(), name
    assert (pop.frailty > 0).all()
    assert (pop.chronic_need >= 0).all()
    assert (pop.acute_need == 0).all()
    assert (pop.group == -1).all()
    assert (pop.entered_week < 0).all()
    np.testing.assert_array_equal(pop.deprivation, WARDS.deprivation[pop.ward].astype(np.float32))


def test_initial_population_matches_ward_table(built):
    _, _, pop = built
    old = np.bincount(pop.ward, weights=pop.age >= 65) / np.bincount(pop.ward)
    alone = np.bincount(pop.ward, weights=pop.lives_alone) / np.bincount(pop.ward)
    # About 150 residents a ward: binomial sd of a share is about 0.035.
    assert np.abs(old - WARDS.share_65_plus).mean() < 0.04
    assert np.abs(alone - WARDS.share_living_alone).mean() < 0.04
    assert (pop.age >= 65).mean() == pytest.approx(
        np.average(WARDS.share_65_plus, weights=WARDS.adults), abs=0.02
    )


def test_initial_population_same_seed_same_arrays():
    s = scenario(500)
    builder = PopulationBuilder(s, WARDS)
    a = builder.initial(make_streams(9)["population"]).arrays()
    b = builder.initial(make_streams(9)["population"]).arrays()
    c = builder.initial(make_streams(10)["population"]).arrays()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["age"], c["age"])


@pytest.mark.parametrize("growth_per_year", [0.0, 0.055])
def test_expected_chronic_need_integrates_growth(growth_per_year):
    ages = np.array([18.0, 50.0, 80.0])
    need = expected_chronic_need(ages, 0.03, growth_per_year)
    assert need[0] == pytest.approx(0.0, abs=1e-12)
    grid = np.linspace(18.0, 80.0, 100_001)
    rate = 0.03 * np.exp(growth_per_year * (grid - 50.0))
    integral = np.sum((rate[1:] + rate[:-1]) / 2 * np.diff(grid))
    assert need[2] == pytest.approx(integral, rel=1e-6)
    assert (np.diff(need) > 0).all()


# ---------------------------------------------------------------------- in-movers


def test_renew_gives_fresh_residents(built):
    s, builder, pop = built
    pop = type(pop)(**{k: v.copy() for k, v in pop.arrays().items()})
    slots = np.array([0, 5, 2_999])
    pop.group[slots] = 3
    pop.acute_need[slots] = 2.0
    pop.care_client[slots] = True
    ward_before = pop.ward.copy()
    builder.renew(pop, slots, week=40, key=stream_key(4, "population"))
    np.testing.assert_array_equal(pop.ward, ward_before)  # a slot keeps its ward
    assert (pop.group[slots] == -1).all()
    assert (pop.acute_need[slots] == 0).all()
    assert not pop.care_client[slots].any()
    assert (pop.entered_week[slots] == 40).all()
    assert (pop.occupant[slots] == 1).all()
    assert (pop.occupant[1:5] == 0).all()


def test_renew_no_slots_changes_nothing(built):
    _, builder, pop = built
    before = {k: v.copy() for k, v in pop.arrays().items()}
    builder.renew(pop, np.array([], np.int64), week=3, key=1)
    for name, values in pop.arrays().items():
        np.testing.assert_array_equal(values, before[name])


def test_in_movers_same_attributes_whoever_else_moves_in(built):
    """Common random numbers: an in-mover's draws depend only on (slot, week)."""
    _, builder, pop = built

    def renewed(slots):
        p = type(pop)(**{k: v.copy() for k, v in pop.arrays().items()})
        builder.renew(p, np.array(slots), week=12, key=stream_key(4, "population"))
        return p

    few, many = renewed([7]), renewed([3, 7, 100, 2_000])
    for name in ("age", "lives_alone", "frailty", "chronic_need", "loneliness_trait", "barrier"):
        assert getattr(few, name)[7] == getattr(many, name)[7], name


def test_weekly_move_probability_bounded(built):
    _, builder, pop = built
    p = builder.weekly_move_probability(pop.ward.astype(np.int64), pop.age)
    assert ((p >= 0) & (p < 1)).all()
    young = builder.weekly_move_probability(np.zeros(1, np.int64), np.array([22.0]))
    old = builder.weekly_move_probability(np.zeros(1, np.int64), np.array([70.0]))
    assert young[0] > old[0]


# ---------------------------------------------------------------------- conservation


@settings(max_examples=4)
@given(st.integers(0, 2**32 - 1))
def test_population_conserved_over_a_short_run(seed):
    s = scenario(2_000, population={"moves_per_year": 0.5})
    model = NeighbourhoodModel(s, seed)
    ward = model.pop.ward.copy()
    for _ in range(8):
        model.step()
    pop = model.pop
    assert pop.size == 2_000
    for name, values in pop.arrays().items():
        assert values.shape == (2_000,), name
    np.testing.assert_array_equal(pop.ward, ward)
    assert ((pop.ward >= 0) & (pop.ward < WARDS.n_wards)).all()
    assert pop.occupant.sum() > 0  # people did move in
    renewed = pop.occupant > 0
    assert (pop.entered_week[renewed] >= 0).all()
    assert ((pop.age >= demography.MIN_AGE) & (pop.age < demography.MAX_AGE + 1)).all()
    groups = pop.group[pop.group >= 0]
    assert (groups < model.groups.size).all()
    assert model.groups.open[groups].all()
