"""The tie arrays: one growable buffer per column, adding, ending and compacting ties.

Ties are undirected and stored once, as ``(src, dst)`` with ``src < dst``. The table is
kept sorted by pair key ``src * n + dst`` (the merged "head", indexed by
:mod:`~thriving.sim.network.index`). New ties are appended to an unsorted "tail" (with a
sorted index of its keys, so finding a pair needs no sort) and merged into the head
every few weeks; ended ties are flagged dead and removed at the merge. Ties to form in
a week are queued and added together, so the week's new pairs are deduplicated once.

The functions take a :class:`~thriving.sim.network.table.TieTable` and keep its columns
and the package-private bookkeeping it declares up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from thriving.sim.network.draws import mix_tie_keys, pair_keys
from thriving.sim.network.index import _ranges, incident_ties, row_pointer

if TYPE_CHECKING:  # the table composes this module, so the import is for types only
    from thriving.sim.network.table import TieTable

#: Per-tie columns and their dtypes. Stored in growable buffers; the table's attributes
#: of the same names are views of the used part.
COLUMNS = {
    "src": np.int32,
    "dst": np.int32,
    "key": np.int64,
    "strength": np.float32,
    "closeness": np.float32,
    "household": bool,
    "bridging": bool,
    "alive": bool,
    "same_group": bool,  # both ends in the same group (kept up to date by weekly_contact)
    "contact_limit": np.uint32,  # see contact_limit() (kept up to date with same_group)
    "key_mix": np.uint64,  # mix_tie_keys(key): the week-independent part of the draws
    "strong_seen": bool,  # strong when the per-resident sums were last brought up to date
    "alive_seen": bool,  # alive then
}


def _per_tie(value, dtype, k: int) -> np.ndarray:
    """``value`` (one per tie, or one for all) as a (k,) array of ``dtype``."""
    value = np.asarray(value, dtype)
    if value.shape == (k,):
        return value
    if value.ndim == 0:
        return np.full(k, value, dtype)  # cheaper than a broadcast view
    return np.broadcast_to(value, (k,))


def _insert_sorted(keys, index, new_keys, new_index) -> tuple[np.ndarray, np.ndarray]:
    """Insert sorted ``new_keys`` (and their ``new_index``) into sorted ``keys`` (``index``).

    The same as ``np.insert`` at ``np.searchsorted(keys, new_keys)`` for both arrays, with
    the positions worked out once.
    """
    pos = np.searchsorted(keys, new_keys) + np.arange(new_keys.size)
    total = keys.size + new_keys.size
    old = np.ones(total, bool)
    old[pos] = False
    out_keys = np.empty(total, keys.dtype)
    out_keys[pos] = new_keys
    out_keys[old] = keys
    out_index = np.empty(total, index.dtype)
    out_index[pos] = new_index
    out_index[old] = index
    return out_keys, out_index


def empty_buffers() -> dict[str, np.ndarray]:
    """One empty buffer per column of :data:`COLUMNS`."""
    return {name: np.empty(0, dtype) for name, dtype in COLUMNS.items()}


def refresh_views(table: TieTable) -> None:
    """Point the table's column attributes at the used part of the buffers."""
    for name, buf in table._buf.items():
        setattr(table, name, buf[: table.m])


def append(table: TieTable, **values: np.ndarray | bool | int) -> None:
    """Append ties, growing the buffers geometrically (amortised O(1) per tie)."""
    k = np.size(values["key"])  # the other columns may be one value for all
    need = table.m + k
    if need > table._buf["key"].size:
        capacity = max(need, int(1.3 * need), 1024)
        for name, buf in table._buf.items():
            grown = np.empty(capacity, buf.dtype)
            grown[: table.m] = buf[: table.m]
            table._buf[name] = grown
    for name, v in values.items():
        table._buf[name][table.m : need] = v
    table.m = need
    refresh_views(table)


def add(
    table: TieTable,
    a: np.ndarray,
    b: np.ndarray,
    strength: np.ndarray | float,
    closeness: np.ndarray | float,
    household: np.ndarray | bool = False,
) -> int:
    """Form ties between ``a[i]`` and ``b[i]``; pairs already tied are left alone.

    A pair whose earlier tie was dropped since the last merge is tied again, and a live
    tie that becomes a household tie takes the household's strength and closeness.

    Parameters
    ----------
    table : TieTable
    a, b : (k,) int
        The two ends of each tie (in either order; a pair with a negative end or with
        both ends the same is skipped).
    strength : (k,) float or float, share of weeks in contact
        Starting strength of each tie (or one for all).
    closeness : (k,) float or float, probability of contact per week
        Each tie's own weekly chance of contact (or one for all).
    household : (k,) bool or bool
        Household ties (closeness 1, never dropped).

    Returns
    -------
    int
        Ties actually formed (new or revived).
    """
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    k = a.size
    strength = _per_tie(strength, np.float32, k)
    closeness = _per_tie(closeness, np.float32, k)
    household = _per_tie(household, bool, k)
    ok = (a != b) & (a >= 0) & (b >= 0)
    keys = pair_keys(a, b, table.n)
    keys, first = np.unique(keys[ok], return_index=True)
    idx = np.flatnonzero(ok)[first]
    if keys.size == 0:
        return 0
    lo, hi = np.divmod(keys, table.n)
    existing = _find_existing(table, keys, lo, hi)
    known = existing >= 0
    revived = _revive_or_upgrade(table, existing[known], idx[known], strength, closeness, household)
    new = ~known
    _append_new(table, keys[new], idx[new], lo[new], hi[new], strength, closeness, household)
    return int(np.count_nonzero(new) + revived)


def _find_existing(table: TieTable, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Row of the tie of each pair (sorted distinct ``keys``, ends ``lo < hi``), or -1."""
    # In the merged head, the pair's row of the CSR index holds it if anywhere (a few
    # ties a row: far fewer cache misses than a binary search of the whole table); in
    # the small tail, a binary search of its sorted keys.
    r0, r1 = table._indptr[lo], table._indptr[lo + 1]
    look = _ranges(r0, r1)
    asked = np.repeat(np.arange(keys.size), r1 - r0)
    hit = table.dst[look] == hi.astype(np.int32)[asked]  # int32 as dst (hi < n)
    existing = np.full(keys.size, -1, np.int64)
    existing[asked[hit]] = look[hit]
    tail_keys, tail_index = table._tail_keys, table._tail_index
    if tail_keys.size:
        tp = np.searchsorted(tail_keys, keys)
        found = (tp < tail_keys.size) & (tail_keys[np.minimum(tp, tail_keys.size - 1)] == keys)
        existing[found] = tail_index[tp[found]]
    return existing


def _revive_or_upgrade(
    table: TieTable,
    rows: np.ndarray,
    asked: np.ndarray,
    strength: np.ndarray,
    closeness: np.ndarray,
    household: np.ndarray,
) -> int:
    """Revive the dropped ties at ``rows``; make live ones household ties if asked.

    ``asked`` is each row's position in the per-tie arguments of :func:`add`. Returns
    how many ties were revived.
    """
    revive_sel = ~table.alive[rows]
    revive_at = rows[revive_sel]
    src_idx = asked[revive_sel]
    table.alive[revive_at] = True
    table.strength[revive_at] = strength[src_idx]
    table.closeness[revive_at] = closeness[src_idx]
    table.household[revive_at] = household[src_idx]
    table._same_group_stale.append(revive_at)  # new closeness: contact limit to redo
    # Live ties that become household ties (two friends move in together) take the
    # household's strength and closeness.
    upgrade_sel = ~revive_sel & household[asked] & ~table.household[rows]
    if upgrade_sel.any():
        upgrade_at = rows[upgrade_sel]
        from_idx = asked[upgrade_sel]
        table.household[upgrade_at] = True
        table.strength[upgrade_at] = strength[from_idx]
        table.closeness[upgrade_at] = closeness[from_idx]
        table._same_group_stale.append(upgrade_at)
    return int(revive_at.size)


def _append_new(
    table: TieTable,
    new_keys: np.ndarray,
    new_idx: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    strength: np.ndarray,
    closeness: np.ndarray,
    household: np.ndarray,
) -> None:
    """Append the pairs not yet in the table (sorted ``new_keys``) to its tail.

    ``lo`` and ``hi`` are the pairs' ends, ``new_idx`` their positions in the per-tie
    arguments of :func:`add`.
    """
    # Keep a sorted index of the unmerged tail, so next week's look-ups need no sort.
    if new_keys.size:
        table._tail_keys, table._tail_index = _insert_sorted(
            table._tail_keys,
            table._tail_index,
            new_keys,
            np.arange(table.m, table.m + new_keys.size),
        )
    lo = lo.astype(np.int32)
    hi = hi.astype(np.int32)
    append(
        table,
        src=lo,
        dst=hi,
        key=new_keys,
        strength=strength[new_idx],
        closeness=closeness[new_idx],
        household=household[new_idx],
        bridging=table.ward[lo] != table.ward[hi],
        alive=True,
        strong_seen=False,
        alive_seen=False,
        same_group=False,
        contact_limit=0,  # set with same_group, before the ties next meet
        key_mix=mix_tie_keys(new_keys),
    )
    table._same_group_stale.append(np.arange(table.m - new_keys.size, table.m))


def queue(
    table: TieTable,
    a: np.ndarray,
    b: np.ndarray,
    strength: np.ndarray | float,
    closeness: np.ndarray | float,
    household: np.ndarray | bool = False,
) -> None:
    """Queue ties to form at the next :func:`flush` (one dedupe for the week)."""
    a = np.asarray(a, np.int64)
    k = a.size
    table._queued.append(
        (
            a,
            np.asarray(b, np.int64),
            _per_tie(strength, np.float32, k),
            _per_tie(closeness, np.float32, k),
            _per_tie(household, bool, k),
        )
    )


def flush(table: TieTable) -> int:
    """Form all queued ties; returns how many were formed."""
    if not table._queued:
        return 0
    parts = list(zip(*table._queued, strict=True))
    table._queued = []
    return add(table, *(np.concatenate(p) for p in parts))


def remove_residents(table: TieTable, slots: np.ndarray) -> np.ndarray:
    """End every tie of the residents in ``slots`` (death or moving away).

    Returns
    -------
    ndarray of int
        Slots of residents who lost a household tie, once per tie lost (a resident
        whose two household partners both left appears twice).
    """
    if slots.size == 0:
        return np.empty(0, np.int64)
    hit = incident_ties(table, slots)
    hit = hit[table.alive[hit]]
    hh = hit[table.household[hit]]
    partners = np.concatenate([table.src[hh], table.dst[hh]]).astype(np.int64)
    gone = np.zeros(table.n, bool)
    gone[slots] = True
    partners = partners[~gone[partners]]
    table.alive[hit] = False
    return np.sort(partners)


def household_partners(
    table: TieTable, residents: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Live household ties of ``residents`` (distinct slots), with the other end.

    Returns
    -------
    tie : (k,) int64
        Index of each household tie of the residents (a tie between two of them
        appears once, for the first end in the table).
    partner : (k,) int64
        The tie's other end, seen from the resident it was found for.
    owner : (k,) int64
        The resident it was found for.
    """
    residents = np.asarray(residents, np.int64)
    hit = incident_ties(table, residents)
    hit = hit[table.alive[hit] & table.household[hit]]
    mark = np.zeros(table.n, bool)
    mark[residents] = True
    src = table.src[hit].astype(np.int64)
    dst = table.dst[hit].astype(np.int64)
    from_src = mark[src]
    owner = np.where(from_src, src, dst)
    partner = np.where(from_src, dst, src)
    return hit, partner, owner


def end_ties(table: TieTable, ties: np.ndarray) -> None:
    """End the given ties (by index), household or not, as a separation does."""
    table.alive[ties] = False


def merge(table: TieTable) -> None:
    """Remove dead ties, merge the tail into the sorted head, rebuild the indexes."""
    keep = table.alive.copy()
    # Ties dropped since the per-resident sums were last brought up to date are still
    # counted in them; removing them now would leave the sums wrong, so recount in
    # full next time (the model summarises just before merging, so this is a
    # safeguard for other callers).
    if table._sums is not None and ((table.alive_seen | table.strong_seen) & ~keep).any():
        table._sums = None
    kept = _merged_order(table, keep)
    m = kept.size
    # Row numbers change: the ties whose same-group flag is still to be set are found
    # again at their new rows (those dropped are gone).
    if table._same_group_stale:
        new_row = np.full(table.m, -1, np.int64)
        new_row[kept] = np.arange(m)
        stale = new_row[np.concatenate(table._same_group_stale)]
        table._same_group_stale = [stale[stale >= 0]]
    for name, buf in table._buf.items():
        if name != "alive":  # all alive after the merge
            buf[:m] = buf[kept]
    table.m = m
    refresh_views(table)
    table.alive[:] = True
    table.n_head = m
    table._indptr = row_pointer(table.src, table.n)
    table._csc = None
    table._tail_keys = np.empty(0, np.int64)
    table._tail_index = np.empty(0, np.int64)
    # The per-resident sums do not depend on the order of ties, and their "seen" flags
    # moved with the ties, so they stay valid through the merge.


def _merged_order(table: TieTable, keep: np.ndarray) -> np.ndarray:
    """Rows of the ties to keep (``keep``), in pair-key order: the merged table."""
    h = table.n_head
    head = np.flatnonzero(keep[:h])  # live head rows, in key order
    if table._tail_index.size == table.m - h:  # the tail's rows in key order, kept by add
        tail = table._tail_index[keep[table._tail_index]]
    else:
        tail = h + np.flatnonzero(keep[h:])
        tail = tail[np.argsort(table.key[tail], kind="stable")]
    # Merge two sorted runs of distinct keys: each tail tie goes after the head ties
    # with smaller keys (and after the tail ties before it).
    at = np.searchsorted(table.key[head], table.key[tail]) + np.arange(tail.size)
    m = head.size + tail.size
    from_tail = np.zeros(m, bool)
    from_tail[at] = True
    kept = np.empty(m, np.int64)
    kept[at] = tail
    kept[~from_tail] = head
    return kept
