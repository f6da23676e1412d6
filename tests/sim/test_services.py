"""Service demand, capacity and queues (thriving.sim.services)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from thriving.config.schema import ServicesConfig
from thriving.sim import services as sv

generators = st.integers(0, 2**32 - 1).map(np.random.default_rng)
amounts = st.floats(0, 1e6, allow_nan=False)


# ---------------------------------------------------------------------- poisson_from_uniform


def test_poisson_rate_zero_is_zero():
    u = np.array([0.0, 0.5, np.nextafter(1.0, 0.0)])
    assert sv.poisson_from_uniform(np.zeros(3), u).tolist() == [0, 0, 0]


def test_poisson_no_residents():
    assert sv.poisson_from_uniform(np.array([]), np.array([])).size == 0


@pytest.mark.parametrize("rate", [1e-4, 0.01, 0.073, 0.5, 1.0, 3.7, 10.0, 25.0])
def test_poisson_matches_scipy_ppf(rate):
    # Avoid u exactly at a CDF step, where float rounding decides either way.
    u = (np.arange(1, 2_000) + 0.5) / 2_000
    got = sv.poisson_from_uniform(np.full(u.size, rate), u)
    expected = stats.poisson.ppf(u, rate)
    mismatch = got != expected
    if mismatch.any():  # only allowed within rounding of a step of the CDF
        edge = stats.poisson.cdf(np.minimum(got, expected)[mismatch], rate)
        np.testing.assert_allclose(u[mismatch], edge, atol=1e-12)
    assert got.dtype == np.int16


def test_poisson_counts_have_poisson_moments(rng):
    rate = np.full(200_000, 2.5)
    counts = sv.poisson_from_uniform(rate, rng.random(rate.size))
    assert counts.mean() == pytest.approx(2.5, abs=0.02)
    assert counts.var() == pytest.approx(2.5, abs=0.05)


def test_poisson_capped_at_max_events():
    counts = sv.poisson_from_uniform(np.array([500.0, 1e4]), np.array([0.5, 0.5]))
    assert counts.tolist() == [sv.MAX_EVENTS_PER_WEEK] * 2


@given(
    hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 80)),
    st.floats(0, 1 - 1e-9),  # below 1: uniform draws never reach 1, where the tail is endless
    st.floats(0, 20),
)
def test_poisson_monotone_in_rate(rates, u, extra):
    """Common random numbers: a higher rate never gives fewer events for the same draw."""
    rates = np.sort(rates)
    uniforms = np.full(rates.size, u)
    counts = sv.poisson_from_uniform(rates, uniforms)
    assert (np.diff(counts.astype(int)) >= 0).all()
    assert (sv.poisson_from_uniform(rates + extra, uniforms) >= counts).all()


@pytest.mark.parametrize("rate", [0.01, 4.0])
def test_poisson_top_uniform(rate):
    top = np.nextafter(1.0, 0.0)
    count = sv.poisson_from_uniform(np.array([rate]), np.array([top]))[0]
    assert count <= stats.poisson.ppf(top, rate) + 1


@given(
    hnp.arrays(np.float32, st.integers(1, 50), elements=st.floats(0, 1, exclude_max=True, width=32))
)
def test_poisson_monotone_in_uniform(u):
    u = np.sort(u)
    counts = sv.poisson_from_uniform(np.full(u.size, 1.7), u)
    assert (np.diff(counts.astype(int)) >= 0).all()
    assert (counts >= 0).all()


# ---------------------------------------------------------------------- serve


@pytest.mark.parametrize(
    ("demand", "capacity", "waiting", "abandon", "expected"),
    [
        (10.0, 0.0, 0.0, 0.0, (0.0, 10.0, 10.0)),  # zero capacity: all waits
        (10.0, 0.0, 5.0, 1.0, (0.0, 15.0, 0.0)),  # zero capacity, everyone gives up
        (0.0, 8.0, 0.0, 0.5, (0.0, 0.0, 0.0)),  # no demand
        (10.0, 8.0, 1.0, 0.5, (8.0, 3.0, 1.5)),
        (5.0, 8.0, 2.0, 0.0, (7.0, 0.0, 0.0)),  # the waiting list is served too
        (5.0, 8.0, 4.0, 0.0, (8.0, 1.0, 1.0)),  # abandon 0: all the unserved wait
        (5.0, 8.0, 4.0, 1.0, (8.0, 1.0, 0.0)),  # abandon 1: nobody waits
    ],
)
def test_serve_examples(demand, capacity, waiting, abandon, expected):
    out = sv.serve(np.array([demand]), np.array([capacity]), np.array([waiting]), abandon)
    assert tuple(float(x[0]) for x in out) == pytest.approx(expected)


wards = st.integers(1, 30)


@given(
    st.data(),
    wards,
    st.floats(0, 1),
)
def test_serve_within_capacity_and_conserves_demand(data, n, abandon):
    vec = hnp.arrays(np.float64, n, elements=amounts)
    demand, capacity, waiting = data.draw(vec), data.draw(vec), data.draw(vec)
    delivered, unmet, new_waiting = sv.serve(demand, capacity, waiting, abandon)
    assert (delivered <= capacity).all()
    assert (delivered <= demand + waiting).all()
    assert (delivered >= 0).all() and (unmet >= 0).all()
    np.testing.assert_allclose(delivered + unmet, demand + waiting, rtol=1e-12)
    assert (new_waiting <= unmet).all() and (new_waiting >= 0).all()
    # Work-conserving: something is unmet only where capacity is used up.
    assert (delivered[unmet > 0] == capacity[unmet > 0]).all()


@given(generators, st.floats(0, 1))
def test_serve_weeks_conserve_demand(rng, abandon):
    """Over many weeks: everything asked for is delivered, abandoned or still waiting."""
    capacity = rng.uniform(0, 50, 5)
    waiting = np.zeros(5)
    delivered_total = abandoned_total = demand_total = 0.0
    for _ in range(30):
        demand = rng.uniform(0, 60, 5)
        delivered, unmet, new_waiting = sv.serve(demand, capacity, waiting, abandon)
        demand_total += demand.sum()
        delivered_total += delivered.sum()
        abandoned_total += (unmet - new_waiting).sum()
        waiting = new_waiting
    assert demand_total == pytest.approx(delivered_total + abandoned_total + waiting.sum())


# ---------------------------------------------------------------------- weekly demand


def demand_inputs(rng, n=5_000):
    return dict(
        need=rng.exponential(0.5, n),
        age=rng.uniform(18, 100, n),
        lonely=rng.random(n) < 0.1,
        support=rng.random(n),
        episode=rng.random(n) < 0.05,
        care_client=rng.random(n) < 0.05,
        modifiers=sv.DemandModifiers.none(n),
        cfg=ServicesConfig(),
        u=rng.random((5, n)).astype(np.float32),
    )


def test_weekly_demand_shapes_and_ranges(rng):
    kw = demand_inputs(rng)
    d = sv.weekly_demand(**kw)
    n = kw["need"].size
    for name in ("gp", "ae", "admissions", "mental_health", "care_hours"):
        values = getattr(d, name)
        assert values.shape == (n,), name
        assert (values >= 0).all(), name
    assert (d.care_hours[~kw["care_client"]] == 0).all()
    assert (d.care_hours[kw["care_client"]] > 0).all()


def test_weekly_demand_lever_effects_only_lower_use(rng):
    """Same uniforms, lower rates: nobody's count goes up (common random numbers)."""
    kw = demand_inputs(rng)
    base = sv.weekly_demand(**kw)
    n = kw["need"].size
    mods = sv.DemandModifiers(
        gp_avoided_per_week=np.full(n, 0.1, np.float32),
        ae_multiplier=np.full(n, 0.8, np.float32),
        admissions_multiplier=np.full(n, 0.8, np.float32),
        escalation_multiplier=np.full(n, 0.5, np.float32),
    )
    helped = sv.weekly_demand(**{**kw, "modifiers": mods})
    for name in ("gp", "ae", "admissions"):
        assert (getattr(helped, name) <= getattr(base, name)).all(), name
    assert helped.gp.sum() < base.gp.sum()
    np.testing.assert_array_equal(helped.mental_health, base.mental_health)
    np.testing.assert_array_equal(helped.care_hours, base.care_hours)


def test_weekly_demand_rises_with_need(rng):
    kw = demand_inputs(rng)
    base = sv.weekly_demand(**kw)
    sicker = sv.weekly_demand(**{**kw, "need": kw["need"] + 1.0})
    for name in ("gp", "ae", "admissions"):
        assert (getattr(sicker, name) >= getattr(base, name)).all(), name
    assert (sicker.care_hours >= base.care_hours).all()


@pytest.mark.parametrize("support", [0.0, 0.5, 1.0])
def test_home_care_hours_bounded(support):
    cfg = ServicesConfig()
    need = np.linspace(0, 50, 101)
    hours = sv.home_care_hours(need, np.full(101, support), np.ones(101, bool), cfg)
    assert (hours <= cfg.social_care.max_hours + 1e-4).all()
    assert (np.diff(hours) >= 0).all()
    none = sv.home_care_hours(need, np.full(101, support), np.zeros(101, bool), cfg)
    assert (none == 0).all()


def test_support_share_clipped():
    share = sv.support_share(np.array([0.0, 2.0, 4.0, 9.0]), 4.0)
    assert share.tolist() == [0.0, 0.5, 1.0, 1.0]


def test_service_cost_adds_unit_costs():
    cfg = ServicesConfig()
    assert sv.service_cost(0, 0, 0, 0, 0, cfg) == 0
    total = sv.service_cost(2, 3, 1, 10, 4, cfg)
    assert total == pytest.approx(
        2 * cfg.gp.unit_cost_gbp
        + 3 * cfg.ae.unit_cost_gbp
        + cfg.admissions.unit_cost_gbp
        + 10 * cfg.social_care.unit_cost_gbp
        + 4 * cfg.mental_health.unit_cost_gbp
    )
    wards = sv.service_cost(np.array([1.0, 2.0]), 0, 0, 0, 0, cfg)
    assert wards.tolist() == [cfg.gp.unit_cost_gbp, 2 * cfg.gp.unit_cost_gbp]


def test_ward_counts_are_not_capped_and_centre_on_the_rate():
    u = (np.arange(1, 4_000) + 0.5) / 4_000
    for rate in (5.0, 400.0, 5_000.0):
        counts = sv.ward_counts_from_uniform(np.full(u.size, rate), u)
        assert counts.mean() == pytest.approx(rate, rel=0.01)
        assert counts.std() == pytest.approx(np.sqrt(rate), rel=0.05)
    assert sv.ward_counts_from_uniform(np.array([0.0]), np.array([0.9])).tolist() == [0.0]
