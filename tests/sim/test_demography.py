"""Demographic tables and the pure functions built on them (thriving.sim.demography)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from thriving.sim import demography as dg
from thriving.sim.demography import AGES, MAX_AGE, MIN_AGE

FINE_AGES = np.linspace(MIN_AGE, MAX_AGE + 5, 2_000)


# ---------------------------------------------------------------------- mortality


def test_death_probability_increases_with_age():
    q = dg.annual_death_probability(FINE_AGES)
    assert (np.diff(q) >= 0).all()
    assert q[-1] / q[0] > 1_000  # from young adults to the oldest: orders of magnitude


@pytest.mark.parametrize("age", [MIN_AGE, 40.0, 95.0, 104.9, 200.0])
def test_death_probability_bounded(age):
    q = dg.annual_death_probability(np.array([age]))[0]
    assert 0.0 < q <= dg.MAX_ANNUAL_DEATH_PROBABILITY < 1.0


def test_death_probability_matches_life_table_at_tabulated_ages():
    q = dg.annual_death_probability(dg._QX_AGES.astype(float))
    np.testing.assert_allclose(q, dg.PRE_PANDEMIC_MORTALITY_FACTOR * dg._QX, rtol=1e-12)


def test_weekly_hazard_compounds_to_the_annual_probability():
    q = dg.annual_death_probability(FINE_AGES)
    h = dg.weekly_hazard(q)
    np.testing.assert_allclose(1.0 - np.exp(-52.0 * h), q, rtol=1e-12)
    assert dg.weekly_hazard(np.array([0.0]))[0] == 0.0


# ---------------------------------------------------------------------- age structure


def test_living_alone_and_moves_bounded():
    alone = dg.living_alone_probability(FINE_AGES)
    assert ((alone >= 0) & (alone <= 1)).all()
    assert alone[-1] > alone[0]
    moves = dg.move_out_relative_rate(FINE_AGES)
    assert (moves > 0).all()
    assert (np.diff(moves) <= 0).all()  # young adults move most


def test_england_density_is_a_distribution():
    d = dg.england_adult_age_density()
    assert d.shape == AGES.shape
    assert (d > 0).all()
    assert d.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("share", [0.0, 1e-6, 0.2, 0.5, 1.0])
def test_ward_age_density_matches_share_65_plus(share):
    rows = dg.ward_age_density(np.array([share]))
    assert rows.shape == (1, AGES.size)
    assert (rows >= 0).all()
    assert rows.sum() == pytest.approx(1.0, abs=1e-12)
    clipped = min(max(share, 1e-3), 1 - 1e-3)
    assert rows[0, AGES >= 65].sum() == pytest.approx(clipped, abs=1e-12)


# ---------------------------------------------------------------------- stationary flows


@pytest.mark.parametrize("moves_per_year", [0.0, 0.04, 0.2, 0.5])
def test_stationary_flows_are_distributions_and_probabilities(moves_per_year):
    density = dg.ward_age_density(np.array([0.05, 0.2, 0.35]))
    inflow, move_rate = dg.stationary_flows(density, moves_per_year)
    assert inflow.shape == move_rate.shape == density.shape
    assert (inflow >= 0).all()
    np.testing.assert_allclose(inflow.sum(axis=1), 1.0, rtol=1e-12)
    assert (move_rate >= 0).all()
    deaths = dg.annual_death_probability(AGES)
    assert (move_rate + deaths <= 1.0 + 1e-12).all()


@pytest.mark.parametrize("moves_per_year", [0.0, 0.04, 0.2])
def test_stationary_flows_hold_the_age_structure(moves_per_year):
    """One year of ageing, deaths, moves and in-movers returns the same structure."""
    density = dg.ward_age_density(np.array([0.12, 0.3]))
    inflow, move_rate = dg.stationary_flows(density, moves_per_year)
    deaths = dg.annual_death_probability(AGES)
    stay = density * (1.0 - deaths - move_rate)
    aged = np.zeros_like(density)
    aged[:, 1:] = stay[:, :-1]
    leavers = 1.0 - stay[:, :-1].sum(axis=1)  # everyone who died, moved or aged out
    nxt = aged + inflow * leavers[:, None]
    np.testing.assert_allclose(nxt, density, atol=1e-12)


# ---------------------------------------------------------------------- sampling ages


def test_sample_ages_edge_uniforms_stay_in_range():
    density = dg.ward_age_density(np.array([0.1, 0.2, 0.3]))
    ward = np.array([0, 1, 2, 0, 1, 2])
    top = np.nextafter(1.0, 0.0)
    u = np.array([0.0, 0.0, 0.0, top, top, top])
    ages = dg.sample_ages(density, ward, u, np.zeros(6))
    np.testing.assert_array_equal(ages[:3], MIN_AGE)
    np.testing.assert_array_equal(ages[3:], AGES[-1])


def test_sample_ages_point_mass():
    density = np.zeros((2, AGES.size))
    density[0, 10] = 1.0
    density[1, 40] = 1.0
    rng = np.random.default_rng(0)
    ward = np.repeat([0, 1], 50)
    ages = dg.sample_ages(density, ward, rng.random(100), np.zeros(100))
    np.testing.assert_array_equal(ages[:50], AGES[10])
    np.testing.assert_array_equal(ages[50:], AGES[40])


@given(
    st.integers(0, 2**32 - 1).map(np.random.default_rng),
    hnp.arrays(np.float64, st.integers(1, 200), elements=st.floats(0, 1, exclude_max=True)),
)
def test_sample_ages_within_range(rng, uniforms):
    density = dg.ward_age_density(rng.uniform(0.01, 0.6, 4))
    ward = rng.integers(0, 4, uniforms.size)
    jitter = rng.random(uniforms.size)
    ages = dg.sample_ages(density, ward, uniforms, jitter)
    assert ((ages >= MIN_AGE) & (ages < MAX_AGE)).all()


def test_sample_ages_follow_each_wards_density(rng):
    density = dg.ward_age_density(np.array([0.05, 0.4]))
    k = 200_000
    ward = np.repeat([0, 1], k // 2)
    ages = dg.sample_ages(density, ward, rng.random(k), rng.random(k))
    for w in (0, 1):
        counts = np.bincount((ages[ward == w] - MIN_AGE).astype(int), minlength=AGES.size) / (
            k // 2
        )
        # Binomial sd of a year's share is at most sqrt(0.02 / 100,000) ~ 0.00045.
        np.testing.assert_allclose(counts, density[w], atol=0.003)
        assert (ages[ward == w] >= 65).mean() == pytest.approx(
            density[w, AGES >= 65].sum(), abs=0.005
        )


# ---------------------------------------------------------------------- AgeLookup


@pytest.mark.parametrize(
    "func",
    [
        dg.annual_death_probability,
        dg.living_alone_probability,
        lambda a: np.log(a) * a,
    ],
)
def test_age_lookup_matches_function_on_grid(func):
    lookup = dg.AgeLookup(func)
    np.testing.assert_array_equal(lookup(lookup.grid), func(lookup.grid))
    # Between grid points: the value at the grid point at or below.
    mid = lookup.grid[:-1] + lookup.step / 2
    np.testing.assert_array_equal(lookup(mid), func(lookup.grid[:-1]))


def test_age_lookup_clips_out_of_range_ages():
    lookup = dg.AgeLookup(lambda a: a)
    assert lookup(np.array([0.0]))[0] == MIN_AGE
    assert lookup(np.array([1_000.0]))[0] == lookup.grid[-1]
