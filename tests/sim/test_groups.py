"""Community groups: the group table, closures, joining and awareness (thriving.sim.groups)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thriving.config.schema import GroupsConfig
from thriving.sim import groups as gm
from thriving.sim.groups import GroupTable

generators = st.integers(0, 2**32 - 1).map(np.random.default_rng)


def table_with(wards, capacities, members=None, open_=None, week=0) -> GroupTable:
    table = GroupTable()
    table.add(np.array(wards), np.array(capacities), week)
    if members is not None:
        table.members = np.array(members, np.int32)
    if open_ is not None:
        table.open = np.array(open_, bool)
    return table


# ---------------------------------------------------------------------- table


def test_add_returns_new_ids_and_defaults():
    table = GroupTable()
    assert table.size == 0
    first = table.add(np.array([0, 2]), np.array([10, 20]), week=5)
    second = table.add(np.array([1]), np.array([30]), week=6, funded_until=60)
    assert first.tolist() == [0, 1] and second.tolist() == [2]
    assert table.open.all()
    assert table.funded_until.tolist() == [-1, -1, 60]
    assert table.opened_week.tolist() == [5, 5, 6]
    assert (table.closed_week == gm.NO_END).all()
    assert table.funded(60).tolist() == [False, False, True]
    assert table.funded(61).tolist() == [False, False, False]
    assert table.open_by_ward(3).tolist() == [1, 1, 1]


@pytest.mark.parametrize("closing", [[], [1], [0, 2], [0, 1, 2]])
def test_closed_groups_lose_members(closing):
    table = table_with([0, 0, 1], [10, 10, 10])
    member_group = np.array([-1, 0, 1, 1, 2, 0, -1, 2])
    before = member_group.copy()
    table.count_members(member_group)
    table.close(np.array(closing, np.int64), week=9, member_group=member_group)
    closed = np.isin(before, closing)
    assert (member_group[closed] == -1).all()
    np.testing.assert_array_equal(member_group[~closed], before[~closed])
    assert (~table.open[closing]).all()
    assert (table.closed_week[closing] == 9).all()
    assert (table.members[closing] == 0).all()
    table.count_members(member_group)
    assert (table.members[closing] == 0).all()
    assert table.open_by_ward(2).sum() == 3 - len(closing)


def test_count_members():
    table = table_with([0, 0, 1], [10, 10, 10])
    table.count_members(np.array([-1, 2, 2, 0, -1]))
    assert table.members.tolist() == [1, 0, 2]
    table.count_members(np.full(4, -1))
    assert table.members.tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("u", "mean", "expected"),
    [(0.0, 60.0, 30), (0.5, 60.0, 60), (np.nextafter(1.0, 0.0), 60.0, 90), (0.0, 2.0, 2)],
)
def test_draw_capacities(u, mean, expected):
    assert gm.draw_capacities(np.array([u]), mean).tolist() == [expected]


# ---------------------------------------------------------------------- opening and closing


def test_opening_rate_scales_with_adults_and_falls_with_deprivation():
    cfg = GroupsConfig()
    adults = np.array([0.0, 1_000.0, 2_000.0, 1_000.0])
    deprivation = np.array([0.5, 0.0, 0.0, 1.0])
    rate = gm.opening_rate_per_week(adults, deprivation, cfg, np.zeros(4))
    assert rate[0] == 0.0
    assert rate[2] == pytest.approx(2 * rate[1])
    assert rate[3] <= rate[1]
    stopped = gm.opening_rate_per_week(adults, deprivation, cfg, np.ones(4))
    assert (stopped == 0).all()


def test_funded_and_closed_groups_never_close(rng):
    table = table_with([0] * 4, [10] * 4, members=[0, 0, 0, 0], open_=[True, True, False, True])
    table.funded_until[:] = [-1, 50, -1, 10]
    cfg = GroupsConfig(closure_rate_under_attended=1.0, closure_rate_background=1.0)
    closing = gm.closures(table, week=20, cfg=cfg, key=7)
    assert closing.tolist() == [0, 3]  # group 1 is funded, group 2 already closed


def test_no_closures_at_zero_rates(rng):
    table = table_with([0] * 50, [10] * 50, members=[0] * 50)
    cfg = GroupsConfig(closure_rate_under_attended=0.0, closure_rate_background=0.0)
    assert gm.closures(table, week=1, cfg=cfg, key=7).size == 0


def test_closures_of_an_empty_table(rng):
    assert gm.closures(GroupTable(), week=1, cfg=GroupsConfig(), key=7).size == 0


# ---------------------------------------------------------------------- joining


@given(generators)
def test_join_probability_bounded_and_monotone(rng):
    n = 200
    cfg = GroupsConfig()
    propensity = rng.random(n)
    barrier = rng.random(n)
    exposure = rng.uniform(0, 10, n)
    aware = rng.random(n) < 0.5
    p = gm.join_probability(propensity, aware, barrier, exposure, cfg)
    assert ((p >= 0) & (p <= 1)).all()
    assert (p[~aware] == 0).all()
    more = gm.join_probability(propensity, aware, barrier, exposure + 1, cfg)
    assert (more >= p).all()
    assert (gm.join_probability(propensity, aware, np.ones(n), exposure, cfg) == 0).all()


@given(generators)
def test_awareness_gain_bounded_and_monotone(rng):
    n = 200
    cfg = GroupsConfig()
    exposure = rng.uniform(0, 10, n)
    outreach = rng.random(n)
    p = gm.awareness_gain_probability(exposure, outreach, cfg)
    assert ((p >= 0) & (p <= 1)).all()
    assert (p >= outreach - 1e-12).all()
    assert (gm.awareness_gain_probability(exposure + 1, outreach, cfg) >= p).all()
    assert (gm.awareness_gain_probability(np.zeros(n), np.zeros(n), cfg) == 0).all()


def test_place_joiners_prefers_a_friends_group_with_space():
    table = table_with([0, 1], [5, 5], members=[0, 5])
    joiners = np.array([0, 1, 2])
    preferred = np.array([1, 0, -1])  # group 1 is full: joiner 0 falls back to its ward
    ward = np.array([0, 0, 1])
    choice = gm.place_joiners(joiners, preferred, ward, table, 2, np.full(3, 0.5))
    assert choice.tolist() == [0, 0, -1]  # nowhere with space in ward 1


def test_place_joiners_first_come_first_served():
    table = table_with([0], [3], members=[1])
    joiners = np.arange(5)
    choice = gm.place_joiners(joiners, np.full(5, -1), np.zeros(5, np.int64), table, 1, np.zeros(5))
    assert choice.tolist() == [0, 0, -1, -1, -1]


def test_place_joiners_never_into_closed_groups():
    table = table_with([0, 0], [50, 50], open_=[False, True])
    choice = gm.place_joiners(
        np.arange(20), np.zeros(20, np.int64), np.zeros(20, np.int64), table, 1, np.full(20, 0.1)
    )
    assert (choice == 1).all()


def test_place_joiners_no_joiners():
    table = table_with([0], [3])
    none = np.array([], np.int64)
    assert gm.place_joiners(none, none, np.zeros(2, np.int64), table, 1, np.array([])).size == 0


def test_place_joiners_with_no_groups():
    choice = gm.place_joiners(
        np.arange(3), np.full(3, -1), np.zeros(3, np.int64), GroupTable(), 1, np.full(3, 0.5)
    )
    assert choice.tolist() == [-1, -1, -1]


@given(generators, st.integers(1, 30), st.integers(0, 300), st.integers(1, 5))
def test_place_joiners_never_exceeds_capacity(rng, n_groups, n_joiners, n_wards):
    n = n_joiners + 50
    ward = rng.integers(0, n_wards, n)
    capacity = rng.integers(2, 20, n_groups)
    table = table_with(
        rng.integers(0, n_wards, n_groups),
        capacity,
        members=rng.integers(0, capacity + 1),  # some groups full
        open_=rng.random(n_groups) < 0.8,
    )
    joiners = np.sort(rng.choice(n, n_joiners, replace=False))
    preferred = np.where(rng.random(n_joiners) < 0.5, rng.integers(0, n_groups, n_joiners), -1)
    choice = gm.place_joiners(joiners, preferred, ward, table, n_wards, rng.random(n_joiners))
    assert choice.shape == joiners.shape
    placed = choice[choice >= 0]
    new = np.bincount(placed, minlength=n_groups)
    assert (table.members + new <= table.capacity).all()
    assert table.open[placed].all()
    # Not a friend's group: then a group in the joiner's own ward.
    own = (choice >= 0) & (choice != preferred)
    assert (table.ward[choice[own]] == ward[joiners[own]]).all()
    # Refused only where the ward has no open group with space before anyone joins, or
    # the group drawn filled up (first come, first served).
    space = np.where(table.open, table.capacity - table.members, 0)
    ward_space = np.bincount(table.ward, weights=space, minlength=n_wards)
    refused = joiners[choice < 0]
    had_space = ward_space[ward[refused]] > 0
    full_now = np.where(table.open, table.capacity - table.members - new, 0) == 0
    if had_space.any():
        assert full_now[np.bincount(placed, minlength=n_groups) > 0].any()


def test_group_identity_does_not_depend_on_other_openings():
    """A grant-opened group does not shift the identity (and so the draws) of others."""
    plain, funded = GroupTable(), GroupTable()
    for table in (plain, funded):
        table.add(np.array([0, 1, 1]), np.array([20, 20, 20]), week=0, source="initial")
    funded.add(np.array([1, 1]), np.array([20, 20]), week=5, source="grant")
    a = plain.add(np.array([1, 0]), np.array([20, 20]), week=5)
    b = funded.add(np.array([1, 0]), np.array([20, 20]), week=5)
    np.testing.assert_array_equal(plain.identity[a], funded.identity[b])
    assert np.unique(funded.identity).size == funded.size
