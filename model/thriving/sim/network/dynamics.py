"""The weekly update of the network: contact, strengthening and decay, and new ties.

Each week every tie's pair meets or not (:func:`weekly_contact`): its strength moves
towards contact and weak ties drop. New ties form (:func:`form_new_ties`) by focal
closure (members of the same group), triadic closure (a friend of a friend) and chance
encounters (the closest in age of a few residents met by chance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from thriving.config.schema import NetworkConfig
from thriving.sim.meeting import CANDIDATES, meet_closest_in_age
from thriving.sim.meeting import closest_in_age as closest_in_age  # re-exported
from thriving.sim.network.closeness import beta_one_b
from thriving.sim.network.draws import contact_limit, met_this_week
from thriving.sim.network.index import incident_ties, random_neighbour
from thriving.sim.rng import Salt, counter_uniforms

if TYPE_CHECKING:  # the table composes this module, so the import is for types only
    from thriving.sim.network.table import TieTable


# ---------------------------------------------------------------------- contact


def weekly_contact(table: TieTable, group: np.ndarray, cfg: NetworkConfig, key: int, week: int):
    """One week of meeting (or not): strengths move towards contact, weak ties drop.

    Parameters
    ----------
    table : TieTable
    group : (n,) int32
        Group of each resident (-1 for none); members of the same group meet more.
    cfg : NetworkConfig
    key : int
        Counter key of the ``ties`` stream.
    week : int
        Current week.
    """
    update_same_group(table, group, cfg.contact_same_group)
    # One draw per tie and week, addressed by the pair rather than the table row, so a
    # tie shared by two scenarios meets (or not) in both: common random numbers for the
    # network too. The pair meets when its draw (tie_week_uniform16) is below its
    # chance of contact times 65,536 (contact_limit, kept per tie).
    met = met_this_week(table.key_mix, table.contact_limit, key, week)
    rate = np.float32(1.0 / cfg.tie_memory_weeks)
    table.strength += rate * (met.astype(np.float32) - table.strength)
    keep = table.strength < cfg.drop_threshold  # weak...
    np.logical_not(keep, out=keep)
    keep |= table.household  # ...ties drop, household ties never
    table.alive &= keep


def update_same_group(table: TieTable, group: np.ndarray, bonus: float) -> None:
    """Bring the per-tie same-group flag, and with it the contact limit, up to date.

    Only the ties of residents whose group changed since last week, and ties formed or
    revived since, are looked at: a few hundred residents a week, not every tie.
    ``bonus`` is the extra chance of contact in the same group.
    """
    ties: slice | np.ndarray
    if table._group_seen is None or bonus != table._contact_bonus:
        ties = slice(None)
    else:
        moved = np.flatnonzero(group != table._group_seen)
        parts = [incident_ties(table, moved), *table._same_group_stale]
        ties = np.concatenate(parts) if parts else np.empty(0, np.int64)
    g = np.take(group, table.src[ties])
    same = (g >= 0) & (g == np.take(group, table.dst[ties]))
    table.same_group[ties] = same
    table.contact_limit[ties] = contact_limit(table.closeness[ties], same, bonus)
    table._same_group_stale = []
    table._group_seen = group.copy()
    table._contact_bonus = bonus


# ---------------------------------------------------------------------- new ties


def table_groups_fit_int16(ids: np.ndarray) -> bool:
    """Whether group ids can be sorted as 16-bit integers (radix sort)."""
    return ids.size == 0 or int(ids.max()) < np.iinfo(np.int16).max


def ward_ranges(ward: np.ndarray, n_wards: int) -> tuple[np.ndarray, np.ndarray]:
    """First slot and number of slots of each ward (slots are contiguous by ward)."""
    counts = np.bincount(ward, minlength=n_wards)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return starts, counts


def form_new_ties(
    table: TieTable,
    group: np.ndarray,
    age: np.ndarray,
    ward_start: np.ndarray,
    ward_count: np.ndarray,
    ward: np.ndarray,
    cfg: NetworkConfig,
    rng: np.random.Generator,
    key: int,
    week: int,
) -> dict[str, int]:
    """One week of new ties: focal closure, triadic closure and chance encounters.

    Every resident slot gets the same fixed number of draws each week (common random
    numbers); only who they meet depends on the network.

    Parameters
    ----------
    table : TieTable
    group : (n,) int32
    age : (n,) float
    ward_start, ward_count : (wards,) int
        Slot range of each ward.
    ward : (n,) int
    cfg : NetworkConfig
    rng : numpy.random.Generator
        The ``tie_formation`` stream: three draws per resident per week decide who
        meets someone new.
    key : int
        Counter key of the ``tie_formation`` stream, for whom they meet.
    week : int
        Current week.

    Returns
    -------
    dict of str to int
        Meetings by mechanism (queued ties; pairs already tied are not doubled).
    """
    u = rng.random((3, table.n), dtype=np.float32)
    formed = {}
    focal = np.flatnonzero((group >= 0) & (u[0] < cfg.focal_closure_rate))
    if focal.size:
        formed["focal"] = _focal_closure(table, focal, group, cfg, key, week)
    triadic = np.flatnonzero(u[1] < cfg.triadic_closure_rate)
    if triadic.size:
        formed["triadic"] = _triadic_closure(table, triadic, cfg, key, week)
    enc = np.flatnonzero(u[2] < cfg.encounter_rate)
    if enc.size:
        formed["encounter"] = _chance_encounters(
            table, enc, age, ward_start, ward_count, ward, cfg, key, week
        )
    return formed


def _focal_closure(table: TieTable, focal, group, cfg: NetworkConfig, key: int, week: int):
    """Members in ``focal`` meet another member of their group; returns how many met."""
    d = counter_uniforms(key ^ Salt.FOCAL_CLOSURE, focal, week, 2)
    members = np.flatnonzero(group >= 0)
    ids = group[members]
    # Group ids fit in 16 bits for any realistic borough: numpy then radix-sorts.
    if table_groups_fit_int16(ids):
        ids = ids.astype(np.int16)
    by_group = members[np.argsort(ids, kind="stable")]
    sizes = np.bincount(group[members])
    starts = np.cumsum(sizes) - sizes
    g = group[focal]
    partner = by_group[starts[g] + np.floor(d[0] * sizes[g]).astype(np.int64)]
    closeness = beta_one_b(d[1], cfg.closeness_mean)
    table.queue(focal, partner, cfg.new_tie_strength, closeness)
    return focal.size


def _triadic_closure(table: TieTable, triadic, cfg: NetworkConfig, key: int, week: int):
    """Residents in ``triadic`` meet a friend of a friend; returns how many met one."""
    d = counter_uniforms(key ^ Salt.TRIADIC_CLOSURE, triadic, week, 3)
    friend = random_neighbour(table, triadic, d[0])
    has = friend >= 0
    fof = np.full(triadic.size, -1, np.int64)
    fof[has] = random_neighbour(table, friend[has], d[1, has])
    ok = fof >= 0
    closeness = beta_one_b(d[2, ok], cfg.closeness_mean)
    table.queue(triadic[ok], fof[ok], cfg.new_tie_strength, closeness)
    return int(ok.sum())


def _chance_encounters(
    table: TieTable, enc, age, ward_start, ward_count, ward, cfg: NetworkConfig, key, week
):
    """Residents in ``enc`` meet someone by chance; returns how many did.

    The closest in age of three random residents, of the same ward (neighbours) or, as
    often as bridging ties are, anywhere in the borough (work, the town centre).
    """
    d = counter_uniforms(key ^ Salt.ENCOUNTERS, enc, week, 5)
    local = d[4] < cfg.same_ward_share
    partner = meet_closest_in_age(
        enc, d[:CANDIDATES], age, ward, ward_start, ward_count, nearby=local
    )
    closeness = beta_one_b(d[CANDIDATES], cfg.closeness_mean)
    table.queue(enc, partner, cfg.new_tie_strength, closeness)
    return enc.size
