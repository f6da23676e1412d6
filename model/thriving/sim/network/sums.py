"""Per-resident sums over ties (ties, strong ties, lonely strong ties, member exposure).

The sums are kept up to date incrementally: each week only the ties whose strong or
live status changed, and the ties of residents whose loneliness or membership changed,
are visited. Every term is 0, +-1 or +-the bridging weight, so the sums are whole
numbers (or whole multiples of the weight), exact in float32, and cannot drift;
``tests/sim/test_tie_sums.py`` checks them against :func:`summarise_in_full`.

The functions take a :class:`~thriving.sim.network.table.TieTable` and keep its
package-private record of what the sums last saw (``_sums``, ``_lonely_seen``,
``_member_seen`` and the ``strong_seen`` and ``alive_seen`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from thriving.sim.network.index import incident_ties, neighbour_sum

if TYPE_CHECKING:  # the table composes this module, so the import is for types only
    from thriving.sim.network.table import TieTable

STRONG_HYSTERESIS = 0.1  # a strong tie stops being strong this far below the threshold


@dataclass
class TieSummary:
    """Per-resident sums over ties, recomputed each week.

    Attributes
    ----------
    ties : (n,) float32
        Number of live ties.
    strong_ties : (n,) float32
        Number of strong ties.
    lonely_strong_ties : (n,) float32
        Strong ties who are lonely (contagion exposure: loneliness spreads through the
        friends and family one is close to, Cacioppo et al. 2009).
    member_exposure : (n,) float32
        Ties who are group members, bridging ties counted with the bridging multiplier
        (awareness spreading and the friend effect on joining).
    """

    ties: np.ndarray
    strong_ties: np.ndarray
    lonely_strong_ties: np.ndarray
    member_exposure: np.ndarray


#: What to add to which sum: (sum, residents, amounts).
Term = tuple[np.ndarray, np.ndarray, np.ndarray]


def _sums_exact(bridging_multiplier: float, count: int) -> bool:
    """Whether sums of up to ``count`` terms in {0, +-1, +-weight} are exact in float32.

    The per-resident tie sums add such terms (the weight is the bridging multiplier).
    If the weight is a whole multiple of 2**-b (b up to 8) and ``count`` terms of the
    largest size stay below 2**24 such units, every partial sum is a whole number of
    units that float32 holds exactly, whatever the order of adding.

    Examples
    --------
    >>> _sums_exact(2.0, 1_000_000), _sums_exact(1.5, 1_000_000), _sums_exact(1.3, 10)
    (True, True, False)
    """
    w = float(np.float32(bridging_multiplier))
    for b in range(9):
        if (w * 2**b).is_integer():
            return count * max(abs(w), 1.0) * 2**b < 2**24
    return False


def _scatter_add(target: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``target[index] += values`` with repeats summed (np.add.at, or bincount if many)."""
    if index.size > target.size // 16:
        target += np.bincount(index, weights=values, minlength=target.size).astype(target.dtype)
    else:
        np.add.at(target, index, values)


def _bridging_weight(bridging: np.ndarray, multiplier: float) -> np.ndarray:
    """Weight of each tie in spreading awareness: the multiplier if bridging, else 1."""
    return np.where(bridging, np.float32(multiplier), np.float32(1.0))


def strong_now(table: TieTable, strong_threshold: float) -> np.ndarray:
    """Which live ties are strong this week, with hysteresis (each tie, bool).

    A tie becomes strong at the threshold and stays strong until it falls
    ``STRONG_HYSTERESIS`` below it, so one missed week does not unmake a close friend.
    """
    strong = table.strength >= strong_threshold
    strong |= table.strong_seen & (table.strength >= strong_threshold - STRONG_HYSTERESIS)
    strong &= table.alive
    return strong


def summarise(
    table: TieTable,
    lonely: np.ndarray,
    member: np.ndarray,
    strong_threshold: float,
    bridging_multiplier: float,
) -> TieSummary:
    """Per-resident strong ties, lonely strong ties and member exposure.

    Kept up to date incrementally (see the module docstring); recounted in full the
    first time and after a merge that removed ties the sums still counted.

    Parameters
    ----------
    table : TieTable
    lonely : (n,) bool
    member : (n,) bool
        Resident belongs to a group.
    strong_threshold : float
    bridging_multiplier : float
        Weight of a bridging tie in spreading awareness.

    Returns
    -------
    TieSummary
        A copy: later weeks do not change it.
    """
    strong = strong_now(table, strong_threshold)
    if table._sums is None:
        table._sums = summarise_in_full(table, lonely, member, strong, bridging_multiplier)
    else:
        _update_sums(table, strong, lonely, member, bridging_multiplier)
    table.strong_seen[:] = strong
    table.alive_seen[:] = table.alive
    table._lonely_seen = lonely.copy()
    table._member_seen = member.copy()
    sums = table._sums
    return TieSummary(
        sums.ties.copy(),
        sums.strong_ties.copy(),
        sums.lonely_strong_ties.copy(),
        sums.member_exposure.copy(),
    )


def summarise_in_full(
    table: TieTable,
    lonely: np.ndarray,
    member: np.ndarray,
    strong: np.ndarray,
    bridging_multiplier: float,
) -> TieSummary:
    """The same sums as :func:`summarise`, computed from scratch (sparse products).

    ``strong`` flags the strong ties (each tie, bool).
    """
    alive = table.alive
    strong = (alive & strong).astype(np.float32)
    spread = _bridging_weight(table.bridging, bridging_multiplier)
    spread *= alive
    ones = np.ones(table.n, np.float32)
    return TieSummary(
        ties=ties_per_resident(table),
        strong_ties=neighbour_sum(table, strong, ones).astype(np.float32),
        lonely_strong_ties=neighbour_sum(table, strong, lonely.astype(np.float32)).astype(
            np.float32
        ),
        member_exposure=neighbour_sum(table, spread, member.astype(np.float32)).astype(np.float32),
    )


def ties_per_resident(table: TieTable) -> np.ndarray:
    """Live ties of every resident, (n,) float32."""
    ones = np.ones(table.n, np.float32)
    return neighbour_sum(table, table.alive.astype(np.float32), ones).astype(np.float32)


def _update_sums(
    table: TieTable,
    strong: np.ndarray,
    lonely: np.ndarray,
    member: np.ndarray,
    bridging_multiplier: float,
) -> None:
    """Bring ``table._sums`` up to date with what changed since they were last seen."""
    # The terms in the order the sums were first written to add them (it matters only
    # when the additions round, see _add_terms).
    terms = _flipped_resident_terms(table, lonely, member, bridging_multiplier)
    terms += _changed_tie_terms(table, strong, lonely, member, bridging_multiplier)
    assert table._sums is not None  # made by the first full count
    _add_terms(terms, table._sums, table.m, bridging_multiplier)


def _flipped_resident_terms(
    table: TieTable, lonely: np.ndarray, member: np.ndarray, multiplier: float
) -> list[Term]:
    """Residents whose loneliness or membership changed: their ties as they were."""
    sums = table._sums
    assert sums is not None  # made by the first full count
    flipped = np.flatnonzero((lonely != table._lonely_seen) | (member != table._member_seen))
    if not flipped.size:
        return []
    e = incident_ties(table, flipped)
    # The ends as int64: they index several arrays, each faster by int64.
    s_e, d_e = table.src[e].astype(np.int64), table.dst[e].astype(np.int64)
    d_lonely_s = lonely[s_e].astype(np.float32) - table._lonely_seen[s_e]
    d_lonely_d = lonely[d_e].astype(np.float32) - table._lonely_seen[d_e]
    was_strong = table.strong_seen[e]
    reach = table.alive_seen[e] * _bridging_weight(table.bridging[e], multiplier)
    d_member_s = member[s_e].astype(np.float32) - table._member_seen[s_e]
    d_member_d = member[d_e].astype(np.float32) - table._member_seen[d_e]
    return [
        (sums.lonely_strong_ties, s_e, was_strong * d_lonely_d),
        (sums.lonely_strong_ties, d_e, was_strong * d_lonely_s),
        (sums.member_exposure, s_e, reach * d_member_d),
        (sums.member_exposure, d_e, reach * d_member_s),
    ]


def _changed_tie_terms(
    table: TieTable, strong: np.ndarray, lonely: np.ndarray, member: np.ndarray, multiplier: float
) -> list[Term]:
    """Ties that became (or stopped being) strong or live, valued as now."""
    sums = table._sums
    assert sums is not None  # made by the first full count
    alive, strong_seen, alive_seen = table.alive, table.strong_seen, table.alive_seen
    changed = np.flatnonzero((strong != strong_seen) | (alive != alive_seen))
    if not changed.size:
        return []
    s_e, d_e = table.src[changed].astype(np.int64), table.dst[changed].astype(np.int64)
    d_strong = strong[changed].astype(np.float32) - strong_seen[changed]
    d_alive = alive[changed].astype(np.float32) - alive_seen[changed]
    reach = d_alive * _bridging_weight(table.bridging[changed], multiplier)
    return [
        (sums.strong_ties, s_e, d_strong),
        (sums.strong_ties, d_e, d_strong),
        (sums.lonely_strong_ties, s_e, d_strong * lonely[d_e]),
        (sums.lonely_strong_ties, d_e, d_strong * lonely[s_e]),
        (sums.ties, s_e, d_alive),
        (sums.ties, d_e, d_alive),
        (sums.member_exposure, s_e, reach * member[d_e]),
        (sums.member_exposure, d_e, reach * member[s_e]),
    ]


def _add_terms(terms: list[Term], sums: TieSummary, ties: int, multiplier: float) -> None:
    """Add each term's amounts to its sum at its residents (repeats summed).

    ``ties`` is the size of the table, which bounds how large a sum can grow.
    """
    entries = sum(index.size for _, index, _ in terms)
    if not _sums_exact(multiplier, ties + entries):
        # A bridging weight float32 cannot add exactly: keep the order of rounding.
        for target, index, amount in terms:
            _scatter_add(target, index, amount)
        return
    # Every partial sum is exact, so the order of adding makes no difference: one
    # unbuffered scatter-add per sum, over all of its terms at once.
    for target in (sums.lonely_strong_ties, sums.member_exposure, sums.strong_ties, sums.ties):
        mine = [(index, amount) for t, index, amount in terms if t is target]
        if mine:
            indexes, amounts = zip(*mine, strict=True)
            amount = np.concatenate(amounts)
            # Most amounts are zero (adding them changes no sum, which is never -0.0):
            # only the others are added.
            nonzero = np.flatnonzero(amount != 0)  # (flags: faster than floats)
            np.add.at(target, np.concatenate(indexes)[nonzero], amount[nonzero])
