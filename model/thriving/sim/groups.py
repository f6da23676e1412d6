"""Community groups and participation: opening, closing, joining, leaving, awareness.

Groups are rows of a small table (a few per 1,000 adults); residents' memberships are
one array over residents (``Population.group``, one group each at most: a
simplification, since the calibration target is being in *a* group monthly).
"""

from __future__ import annotations

import numpy as np

from thriving.config.schema import GroupsConfig
from thriving.sim.rng import counter_uniforms

NO_END = np.iinfo(np.int32).max


class GroupTable:
    """All community groups ever opened in a run (closed ones stay, flagged closed).

    Attributes
    ----------
    ward : (g,) int16
    capacity : (g,) int32, members
    open : (g,) bool
    funded_until : (g,) int32, week
        Last week of grant funding (-1 if never funded).
    opened_week, closed_week : (g,) int32
    members : (g,) int32
        Current members (recomputed weekly).
    identity : (g,) uint64
        Who opened the group, in which week and ward, and its place among that week's
        openings there: the same group has the same identity under every scenario,
        whatever other groups a scenario opened, so its chance draws are paired.
    """

    #: Who opened a group (part of its identity).
    SOURCES = {"initial": 0, "volunteers": 1, "grant": 2}

    def __init__(self) -> None:
        self.ward = np.empty(0, np.int16)
        self.capacity = np.empty(0, np.int32)
        self.open = np.empty(0, bool)
        self.funded_until = np.empty(0, np.int32)
        self.opened_week = np.empty(0, np.int32)
        self.closed_week = np.empty(0, np.int32)
        self.members = np.empty(0, np.int32)
        self.identity = np.empty(0, np.uint64)

    @property
    def size(self) -> int:
        """Groups ever opened."""
        return int(self.ward.size)

    def add(
        self,
        ward: np.ndarray,
        capacity: np.ndarray,
        week: int,
        funded_until: int = -1,
        source: str = "volunteers",
    ):
        """Open new groups; returns their ids (rows of the table)."""
        ward = np.asarray(ward, np.int64)
        k = ward.size
        # Place of each new group among this call's openings in its ward.
        order = np.argsort(ward, kind="stable")
        starts = np.searchsorted(ward[order], ward[order])
        place = np.empty(k, np.int64)
        place[order] = np.arange(k) - starts
        identity = (
            (np.uint64(self.SOURCES[source]) << np.uint64(58))
            | (np.uint64(week) << np.uint64(36))
            | (ward.astype(np.uint64) << np.uint64(18))
            | place.astype(np.uint64)
        )
        self.identity = np.concatenate([self.identity, identity])
        first = self.size
        self.ward = np.concatenate([self.ward, np.asarray(ward, np.int16)])
        self.capacity = np.concatenate([self.capacity, np.asarray(capacity, np.int32)])
        self.open = np.concatenate([self.open, np.ones(k, bool)])
        self.funded_until = np.concatenate([self.funded_until, np.full(k, funded_until, np.int32)])
        self.opened_week = np.concatenate([self.opened_week, np.full(k, week, np.int32)])
        self.closed_week = np.concatenate([self.closed_week, np.full(k, NO_END, np.int32)])
        self.members = np.concatenate([self.members, np.zeros(k, np.int32)])
        return np.arange(first, first + k)

    def close(self, ids: np.ndarray, week: int, member_group: np.ndarray) -> None:
        """Close groups ``ids``; their members are left without a group."""
        if ids.size == 0:
            return
        self.open[ids] = False
        self.closed_week[ids] = week
        closed = np.zeros(self.size, bool)
        closed[ids] = True
        members = member_group >= 0
        out = np.flatnonzero(members)[closed[member_group[members]]]
        member_group[out] = -1
        self.members[ids] = 0

    def count_members(self, member_group: np.ndarray) -> None:
        """Recount members of every group."""
        counts = np.bincount(member_group + 1, minlength=self.size + 1)
        self.members = counts[1:].astype(np.int32)

    def add_members(self, groups: np.ndarray, change: int) -> None:
        """Add ``change`` members to each of ``groups`` (repeats count; -1 entries skipped).

        Keeps the counts of :meth:`count_members` when a few residents join or leave,
        without recounting every resident.
        """
        groups = groups[groups >= 0]
        self.members += change * np.bincount(groups, minlength=self.size).astype(np.int32)

    def funded(self, week: int) -> np.ndarray:
        """Open groups funded this week."""
        return self.open & (self.funded_until >= week)

    def open_by_ward(self, n_wards: int) -> np.ndarray:
        """Open groups in each ward."""
        return np.bincount(self.ward[self.open], minlength=n_wards)


def draw_capacities(u: np.ndarray, mean_capacity: float) -> np.ndarray:
    """Group sizes spread evenly from half to one and a half times the mean.

    Examples
    --------
    >>> draw_capacities(np.array([0.0, 0.5]), 40.0).tolist()
    [20, 40]
    """
    return np.maximum(np.round(mean_capacity * (0.5 + u)), 2).astype(np.int32)


def opening_rate_per_week(
    adults: np.ndarray,
    deprivation: np.ndarray,
    cfg: GroupsConfig,
    opening_reduction: np.ndarray,
) -> np.ndarray:
    """Expected new volunteer-led groups per ward per week.

    Parameters
    ----------
    adults : (wards,) float
        Residents of each ward (simulated).
    deprivation : (wards,) float in [0, 1]
    cfg : GroupsConfig
    opening_reduction : (wards,) float in [0, 1]
        Openings prevented by closures (disinvestment).

    Returns
    -------
    (wards,) float, groups per week
    """
    civic = 1.0 - cfg.deprivation_opening_penalty * deprivation
    return cfg.opening_rate * adults / 1000.0 / 52.0 * civic * (1.0 - opening_reduction)


def closures(table: GroupTable, week: int, cfg: GroupsConfig, key: int) -> np.ndarray:
    """Unfunded groups that close this week (under-attended, or background loss).

    Draws are addressed by the group's identity (who opened it, when, where) and the
    week, so a group open under two scenarios faces the same chance in both, however
    many other groups each has opened.

    Returns
    -------
    ndarray of int
        Ids of groups closing.
    """
    u = counter_uniforms(key, table.identity, week, 1)[0]
    at_risk = table.open & (table.funded_until < week)
    under = at_risk & (table.members < cfg.min_members)
    p = np.where(under, cfg.closure_rate_under_attended, 0.0)
    p = 1.0 - (1.0 - p) * (1.0 - cfg.closure_rate_background) ** (1.0 / 52.0)
    return np.flatnonzero(at_risk & (u < p))


def join_probability(
    propensity: np.ndarray,
    aware: np.ndarray,
    barrier: np.ndarray,
    member_exposure: np.ndarray,
    cfg: GroupsConfig,
) -> np.ndarray:
    """Weekly chance that a resident not in a group joins one (space permitting).

    Parameters
    ----------
    propensity : (n,) float in [0, 1]
    aware : (n,) bool
    barrier : (n,) float in [0, 1]
    member_exposure : (n,) float
        Ties who are members (bridging ties weighted up).
    cfg : GroupsConfig

    Returns
    -------
    (n,) float in [0, 1]
    """
    friends = np.minimum(member_exposure, 3.0)
    p = cfg.join_rate * propensity * aware * (1.0 - barrier) * (1.0 + cfg.friend_effect * friends)
    return np.minimum(p, 1.0)


def place_joiners(
    joiners: np.ndarray,
    preferred: np.ndarray,
    ward: np.ndarray,
    table: GroupTable,
    n_wards: int,
    u: np.ndarray,
) -> np.ndarray:
    """Assign joiners to groups with space.

    A friend's group if it has space, else a random open group with space in the
    joiner's own ward.

    Parameters
    ----------
    joiners : (k,) int
        Residents wanting to join.
    preferred : (k,) int
        A friend's group for each joiner, or -1.
    ward : (n,) int
    table : GroupTable
    n_wards : int
    u : (k,) float in [0, 1)

    Returns
    -------
    (k,) int
        Group joined, or -1 where there was no space.
    """
    if table.size == 0:
        return np.full(joiners.size, -1, np.int64)
    space = np.where(table.open, table.capacity - table.members, 0)
    choice = np.where((preferred >= 0) & (space[np.maximum(preferred, 0)] > 0), preferred, -1)
    # Random open group with space in the joiner's ward.
    has_space = np.flatnonzero(space > 0)
    by_ward = has_space[np.argsort(table.ward[has_space], kind="stable")]
    counts = np.bincount(table.ward[has_space], minlength=n_wards)
    starts = np.cumsum(counts) - counts
    w = ward[joiners]
    fallback = np.full(joiners.size, -1, np.int64)
    ok = counts[w] > 0
    fallback[ok] = by_ward[starts[w[ok]] + np.floor(u[ok] * counts[w[ok]]).astype(np.int64)]
    choice = np.where(choice >= 0, choice, fallback)
    # No more joiners than places: first come (in slot order), first served.
    chosen = np.flatnonzero(choice >= 0)
    order = chosen[np.argsort(choice[chosen], kind="stable")]
    g = choice[order]
    # Rank of each joiner within their group: position less where the group's run starts.
    position = np.arange(g.size)
    starts_here = np.ones(g.size, bool)
    starts_here[1:] = g[1:] != g[:-1]
    rank = position - np.maximum.accumulate(np.where(starts_here, position, 0))
    refused = order[rank >= space[g]]
    choice[refused] = -1
    return choice


def awareness_gain_probability(
    member_exposure: np.ndarray, outreach: np.ndarray, cfg: GroupsConfig
) -> np.ndarray:
    """Weekly chance an unaware resident learns of the local community offer.

    Parameters
    ----------
    member_exposure : (n,) float
        Ties who are members, bridging ties weighted up.
    outreach : (n,) float in [0, 1]
        Chance from outreach (funded groups, connectors, link workers).
    cfg : GroupsConfig

    Returns
    -------
    (n,) float in [0, 1]
    """
    from_ties = 1.0 - (1.0 - cfg.awareness_from_members) ** member_exposure
    return 1.0 - (1.0 - from_ties) * (1.0 - outreach)
