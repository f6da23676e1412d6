"""The initial network: households, then local and bridging ties, with settled strengths.

Residents not living alone are grouped into households of two or three adults of
similar age in the same ward. Other ties come from pairing "stubs" sorted by ward and
age (homophily without a loop over residents). The ties that exist at the start are
those that lasted, so their closeness is the survival-weighted closeness of
:func:`~thriving.sim.network.closeness.surviving_closeness`, and their strengths are
those of ``INITIAL_CONTACT_WEEKS`` weeks of contact.
"""

from __future__ import annotations

import numpy as np

from thriving.config.schema import NetworkConfig
from thriving.sim.network.closeness import surviving_closeness
from thriving.sim.network.sums import STRONG_HYSTERESIS
from thriving.sim.network.table import TieTable

HOUSEHOLD_THREE_SHARE = 0.25  # share of multi-adult households with three adults
#: Weeks of contact the initial ties have had, for their strengths and strong status.
INITIAL_CONTACT_WEEKS = 26


def households(ward: np.ndarray, age: np.ndarray, lives_alone: np.ndarray, u: np.ndarray):
    """Group the residents not living alone into households of two or three adults.

    Residents are sorted by ward and (jittered) age and cut into consecutive households,
    so partners are of similar age and always in the same ward. A resident left over at
    the end of a ward lives alone.

    Parameters
    ----------
    ward, age : (n,) arrays
    lives_alone : (n,) bool
        Modified in place for leftover residents.
    u : (2, n) float in [0, 1)
        Draws for the age jitter and household sizes.

    Returns
    -------
    tuple of (k,) int64 arrays
        The two ends of each household tie.
    """
    sharing = np.flatnonzero(~lives_alone)
    order = np.lexsort((age[sharing] + 8.0 * (u[0, sharing] - 0.5), ward[sharing]))
    members = sharing[order]
    m = members.size
    if m < 2:
        lives_alone[members] = True
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Household sizes 2 or 3 laid end to end; a household may not span two wards.
    sizes = np.where(u[1, :m] < HOUSEHOLD_THREE_SHARE, 3, 2)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    starts = starts[starts < m]
    ends = np.minimum(np.append(starts[1:], m), m)
    hh_of = np.repeat(np.arange(starts.size), ends - starts)
    # Split households that straddle a ward boundary: restart at each new ward.
    w = ward[members]
    new_ward = np.concatenate([[True], w[1:] != w[:-1]])
    hh_id = np.cumsum(new_ward | np.concatenate([[True], hh_of[1:] != hh_of[:-1]])) - 1
    size_of = np.bincount(hh_id)[hh_id]
    lives_alone[members[size_of == 1]] = True
    a_list, b_list = [], []
    for offset in (1, 2):  # member k tied to members k+1 and k+2 of the same household
        j = np.arange(m - offset)
        same = hh_id[j] == hh_id[j + offset]
        a_list.append(members[j[same]])
        b_list.append(members[j[same] + offset])
    return np.concatenate(a_list).astype(np.int64), np.concatenate(b_list).astype(np.int64)


def pair_stubs(owner: np.ndarray, sort_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair tie "stubs" that are adjacent in ``sort_key`` order.

    Sorting stubs by (ward, age plus noise) and pairing neighbours gives ties between
    residents of similar age in the same ward: homophily without a loop over residents.

    Returns
    -------
    tuple of (k,) int64 arrays
    """
    order = np.argsort(sort_key, kind="stable")
    paired = owner[order]
    k = paired.size // 2
    a = paired[0 : 2 * k : 2].astype(np.int64)
    b = paired[1 : 2 * k : 2].astype(np.int64)
    keep = a != b
    return a[keep], b[keep]


def initial_ties(
    ward: np.ndarray,
    age: np.ndarray,
    lives_alone: np.ndarray,
    cfg: NetworkConfig,
    rng: np.random.Generator,
    leave_per_year: float = 0.12,
) -> TieTable:
    """Generate the initial network: households, then local and bridging ties.

    Parameters
    ----------
    ward, age : (n,) arrays
    lives_alone : (n,) bool
        Residents left without a household are set to live alone.
    cfg : NetworkConfig
    rng : numpy.random.Generator
        The ``network`` stream.
    leave_per_year : float
        Yearly rate at which a tie ends because one of its residents dies or moves away
        (about twice the share of adults leaving a year); shapes the initial ties'
        closeness (:func:`surviving_closeness`).

    Returns
    -------
    TieTable
    """
    n = ward.size
    table = TieTable(n, ward)
    ha, hb = households(ward, age, lives_alone, rng.random((2, n)))
    table.add(ha, hb, strength=1.0, closeness=1.0, household=True)
    household_degree = 2 * ha.size / n
    # Non-household ties: overdispersed (gamma-Poisson) numbers of stubs per resident.
    mean_other = max(cfg.mean_ties - household_degree, 0.0)
    sociability = rng.gamma(3.0, 1.0 / 3.0, n)
    stubs = rng.poisson(mean_other * sociability)
    spread = cfg.age_homophily_years / np.sqrt(2.0)
    # Ties that exist at a moment are the ones that lasted: fleeting acquaintances drop
    # within months and close ties last until someone dies or moves away, so the
    # initial ties' closeness follows that of new ties weighted by how long they last
    # (surviving_closeness), and each starts at its long-run strength. Starting from
    # new ties' closeness instead, strong ties grew for a decade or more (3.6 to 4.2
    # per adult over 16 years) as close ties accumulated.
    wanted = stubs
    # Pairing neighbouring stubs loses a few to self-pairs and repeats (more in dense
    # networks); a second round pairs the stubs left over.
    for _ in range(2):
        local = rng.binomial(wanted, cfg.same_ward_share)
        for counts, by_ward in ((local, True), (wanted - local, False)):
            owner = np.repeat(np.arange(n), counts)
            noisy_age = age[owner] + spread * rng.standard_normal(owner.size)
            sort_key = noisy_age + (1000.0 * ward[owner] if by_ward else 0.0)
            a, b = pair_stubs(owner, sort_key)
            closeness = surviving_closeness(rng.random(a.size), cfg, leave_per_year)
            table.add(a, b, strength=closeness, closeness=closeness)
        other = ~table.household[: table.m] & table.alive[: table.m]
        have = np.bincount(table.src[other], minlength=n) + np.bincount(
            table.dst[other], minlength=n
        )
        wanted = np.maximum(stubs - have, 0)
    table.merge()
    _settle_strengths(table, cfg, rng)
    return table


def _settle_strengths(table: TieTable, cfg: NetworkConfig, rng: np.random.Generator) -> None:
    """Give the initial ties the strength and strong status of months of contact.

    A tie's strength starts at its closeness, its long-run mean, but the strong ties of
    a settled network also count those a little below the threshold that were strong
    before (hysteresis), and strengths spread around their means. Without this, strong
    ties per adult started at 2.6 and reached their settled 4 only after months, and
    loneliness, started at its long-run level for that too-thin network, took years of
    burn-in and reported time to come down (8.8 % at the start, 6.0 % two years after
    burn-in). ``INITIAL_CONTACT_WEEKS`` weeks of contact (same draw test as
    :meth:`TieTable.weekly_contact`, without the same-group bonus, since groups are not
    yet seeded, and without dropping ties) from the ``network`` stream; vectorised
    over ties.
    """
    live = np.flatnonzero(table.alive[: table.m] & ~table.household[: table.m])
    closeness = table.closeness[live]
    strength = table.strength[live]
    seen = np.zeros(live.size, bool)
    rate = np.float32(1.0 / cfg.tie_memory_weeks)
    high = np.float32(cfg.strong_threshold)
    low = np.float32(cfg.strong_threshold - STRONG_HYSTERESIS)
    for _ in range(INITIAL_CONTACT_WEEKS):  # weeks, each vectorised over the ties
        met = rng.random(live.size, dtype=np.float32) < closeness
        strength += rate * (met.astype(np.float32) - strength)
        seen = (strength >= high) | (seen & (strength >= low))
    table.strength[live] = strength
    table.strong_seen[live] = seen
