"""Social ties as edge arrays: generation, weekly dynamics, neighbour sums, export.

Ties are undirected and stored once, as ``(src, dst)`` with ``src < dst``. The table is
kept sorted by ``src * n + dst`` (a "head"), which makes it, with an index pointer, the
upper triangle of the adjacency matrix in CSR form: sums over a resident's ties are two
sparse matrix-vector products (rows and columns), not Python loops. New ties are
appended to an unsorted "tail" and merged into the head every few weeks; dropped ties
are flagged dead and removed at the merge.

A tie's ``strength`` is the remembered share of recent weeks in which the pair met (an
exponentially weighted contact frequency); its ``closeness`` is its own weekly chance
of contact. Household ties have closeness 1 and never drop.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from thriving.config.schema import NetworkConfig
from thriving.sim.rng import counter_uniforms

HOUSEHOLD_THREE_SHARE = 0.25  # share of multi-adult households with three adults
STRONG_HYSTERESIS = 0.1  # a strong tie stops being strong this far below the threshold
#: Weeks of contact the initial ties have had, for their strengths and strong status.
INITIAL_CONTACT_WEEKS = 26
#: Closeness values on which the closeness of the initial ties is tabulated.
CLOSENESS_GRID = np.linspace(0.0025, 0.9975, 200)


def tie_week_uniform16(tie_keys: np.ndarray, key: int, week: int) -> np.ndarray:
    """A 16-bit uniform for each tie and week, addressed by the pair, not the table row.

    A multiply-xorshift hash of the tie's key and the week: a few integer operations a
    tie (about 5 ms a week for 1.5 million ties), far cheaper than a general
    counter-based generator and uniform to 16 bits.

    Parameters
    ----------
    tie_keys : (k,) int64
        Pair keys (see :func:`pair_keys`).
    key : int
        Stream key.
    week : int

    Returns
    -------
    (k,) uint16

    Examples
    --------
    >>> a = tie_week_uniform16(np.array([5, 9]), 1, 3)
    >>> int(tie_week_uniform16(np.array([9]), 1, 3)[0]) == int(a[1])
    True
    """
    return _tie_week_draws(mix_tie_keys(tie_keys), key, week).astype(np.uint16)


def mix_tie_keys(tie_keys: np.ndarray) -> np.ndarray:
    """The first, week-independent step of :func:`tie_week_uniform16` (kept per tie).

    Parameters
    ----------
    tie_keys : (k,) int64

    Returns
    -------
    (k,) uint64
    """
    # uint64 array arithmetic wraps modulo 2**64 (no overflow warning for arrays).
    return tie_keys.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _tie_week_draws(key_mix: np.ndarray, key: int, week: int) -> np.ndarray:
    """:func:`tie_week_uniform16` from the mixed keys, as uint64 (all below 65,536)."""
    salt = np.uint64((key ^ (week * 0x632BE59BD9B4E019)) & 0xFFFFFFFFFFFFFFFF)
    x = key_mix + salt
    x ^= x >> np.uint64(32)
    x *= np.uint64(0xD6E8FEB86659FD93)  # the top bits of a product mix all the bits
    x >>= np.uint64(48)
    return x


_LOW_WORD = 0 if sys.byteorder == "little" else 1  # the low half of a uint64, as uint32


def contact_limit(closeness: np.ndarray, same_group: np.ndarray, bonus: float) -> np.ndarray:
    """65,536 times each tie's weekly chance of contact, rounded up (uint32).

    A tie's pair meets in a week when its 16-bit draw (:func:`tie_week_uniform16`) is
    below the chance times 65,536; for a whole-number draw that is the same as being
    below this limit, which compares integers with integers (no conversions).

    Parameters
    ----------
    closeness : (k,) float32
        The tie's own weekly chance of contact.
    same_group : (k,) bool
        Both ends are in the same group.
    bonus : float
        Extra chance for members of the same group (``contact_same_group``).

    Returns
    -------
    (k,) uint32, 0 to 65,536
    """
    p = closeness + np.float32(bonus) * same_group
    return np.ceil(np.minimum(p, 1.0) * np.float32(65536.0)).astype(np.uint32)


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


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(starts[i], stops[i])`` for all i, without a loop.

    Examples
    --------
    >>> _ranges(np.array([2, 7]), np.array([4, 8])).tolist()
    [2, 3, 7]
    """
    lengths = stops - starts
    ends = np.cumsum(lengths)  # where each range ends in the output
    total = int(ends[-1]) if ends.size else 0
    if total == 0:
        return np.empty(0, np.int64)
    # Output position p of range i holds starts[i] + p - (ends[i] - lengths[i]).
    offsets = np.repeat(stops - ends, lengths)
    return np.arange(total) + offsets


def pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Order-free int64 key of each pair: ``min * n + max``.

    Examples
    --------
    >>> pair_keys(np.array([3, 1]), np.array([1, 3]), 10).tolist()
    [13, 13]
    """
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    return lo * n + hi


def tie_lifetime_weeks(
    closeness: np.ndarray,
    new_tie_strength: float,
    tie_memory_weeks: float,
    drop_threshold: float,
    leave_per_year: float,
    horizon_weeks: int = 520,
    ties_each: int = 200,
) -> np.ndarray:
    """Expected life of a new tie, by its closeness: until it drops or an end leaves.

    A tie starts at ``new_tie_strength``, meets each week with chance ``closeness`` and
    its strength follows the contact (as :meth:`TieTable.weekly_contact`, without the
    same-group bonus); it drops below ``drop_threshold``. Either resident leaves the
    borough (death or move) at ``leave_per_year`` for the pair. Estimated by simulating
    ``ties_each`` ties per value for ``horizon_weeks``, with a fixed seed of its own (so
    the result is a deterministic function of its arguments and touches no model
    stream); a tie still alive then is expected to last until an end leaves.

    Parameters
    ----------
    closeness : (k,) float in (0, 1)
        Weekly chance of contact.
    new_tie_strength, tie_memory_weeks, drop_threshold : float
        As in ``network`` settings.
    leave_per_year : float
        Yearly rate at which a tie ends because one of its residents leaves.
    horizon_weeks, ties_each : int
        Length and size of the simulation.

    Returns
    -------
    (k,) float, weeks

    Examples
    --------
    >>> life = tie_lifetime_weeks(np.array([0.02, 0.2, 0.6]), 0.25, 10.0, 0.04, 0.1)
    >>> bool(life[0] < life[1] < life[2]), round(float(life[2]))  # close: about 52 / 0.1
    (True, 521)
    """
    rng = np.random.default_rng(20261124)
    c = np.repeat(np.asarray(closeness, float), ties_each)
    strength = np.full(c.size, new_tie_strength)
    alive = np.ones(c.size, bool)
    rate = 1.0 / tie_memory_weeks
    stay_per_week = np.exp(-leave_per_year / 52.0)
    life = np.zeros(c.size)
    stay = 1.0  # chance that both residents are still here
    for _ in range(horizon_weeks):  # weeks, not residents or ties: vectorised over ties
        life += alive * stay
        met = rng.random(c.size) < c
        strength += rate * (met - strength)
        alive &= strength >= drop_threshold
        stay *= stay_per_week
    life += alive * stay / (1.0 - stay_per_week)
    return life.reshape(-1, ties_each).mean(axis=1)


@functools.lru_cache(maxsize=16)
def _surviving_closeness_cdf(
    closeness_mean: float,
    new_tie_strength: float,
    tie_memory_weeks: float,
    drop_threshold: float,
    leave_per_year: float,
) -> np.ndarray:
    """Cumulative distribution of :func:`surviving_closeness` at the grid's cell edges."""
    b = 1.0 / closeness_mean - 1.0
    density = (1.0 - CLOSENESS_GRID) ** (b - 1.0)  # Beta(1, b), up to a constant
    life = tie_lifetime_weeks(
        CLOSENESS_GRID, new_tie_strength, tie_memory_weeks, drop_threshold, leave_per_year
    )
    cdf = np.concatenate([[0.0], np.cumsum(density * life)])
    return cdf / cdf[-1]


def surviving_closeness(u: np.ndarray, cfg: NetworkConfig, leave_per_year: float) -> np.ndarray:
    """Closeness of the ties that exist at a moment (the initial network), by inverse CDF.

    New ties' closeness is Beta(1, b) with mean ``cfg.closeness_mean``; the ties alive
    at any moment are those that lasted, so their closeness has that density weighted
    by each closeness's expected life (:func:`tie_lifetime_weeks`): few fleeting
    acquaintances, more close friends than among new ties.

    Parameters
    ----------
    u : (k,) float in [0, 1)
        Uniform draws.
    cfg : NetworkConfig
    leave_per_year : float
        Yearly rate at which a tie ends because one of its residents leaves.

    Returns
    -------
    (k,) float in (0, 1)

    Examples
    --------
    >>> cfg = NetworkConfig()
    >>> existing = surviving_closeness(np.linspace(0, 1, 1001)[:-1], cfg, 0.12)
    >>> new = beta_one_b(np.linspace(0, 1, 1001)[:-1], cfg.closeness_mean)
    >>> bool(existing.mean() > new.mean())
    True
    """
    cdf = _surviving_closeness_cdf(
        cfg.closeness_mean,
        cfg.new_tie_strength,
        cfg.tie_memory_weeks,
        cfg.drop_threshold,
        round(leave_per_year, 6),
    )
    edges = np.concatenate([[0.0], (CLOSENESS_GRID[1:] + CLOSENESS_GRID[:-1]) / 2, [1.0]])
    return np.interp(u, cdf, edges)


def beta_one_b(u: np.ndarray, mean: float) -> np.ndarray:
    """Inverse CDF of Beta(1, b) with the given mean (b = 1/mean - 1).

    Parameters
    ----------
    u : ndarray of float in [0, 1)
    mean : float in (0, 1)

    Returns
    -------
    ndarray of float in [0, 1)

    Examples
    --------
    >>> float(beta_one_b(np.array([0.0]), 0.3)[0])
    0.0
    """
    b = 1.0 / mean - 1.0
    return 1.0 - (1.0 - u) ** (1.0 / b)


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


class TieTable:
    """The social network of one run.

    Parameters
    ----------
    n : int
        Resident slots.
    ward : (n,) int array
        Ward of each slot (to flag bridging ties).
    """

    #: Per-tie columns and their dtypes. Stored in growable buffers; the attributes of
    #: the same names are views of the used part.
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

    def __init__(self, n: int, ward: np.ndarray):
        self.n = int(n)
        self.ward = ward
        self._buf = {name: np.empty(0, dtype) for name, dtype in self.COLUMNS.items()}
        self.m = 0  # ties in the table (live or dead)
        self.n_head = 0
        self._indptr = np.zeros(self.n + 1, np.int64)
        self._csc: sparse.csc_matrix | None = None
        self._queued: list[tuple[np.ndarray, ...]] = []
        self._sums: TieSummary | None = None
        self._group_seen: np.ndarray | None = None  # groups when same_group was updated
        self._contact_bonus: float | None = None  # contact_same_group of contact_limit
        self._same_group_stale: list[np.ndarray] = []  # ties whose same_group is unset
        self._tail_keys = np.empty(0, np.int64)  # sorted keys of the unmerged tail
        self._tail_index = np.empty(0, np.int64)  # their positions in the table
        self._lonely_seen = np.zeros(self.n, bool)
        self._member_seen = np.zeros(self.n, bool)
        self._refresh_views()

    def _refresh_views(self) -> None:
        for name, buf in self._buf.items():
            setattr(self, name, buf[: self.m])

    def _append(self, **values: np.ndarray) -> None:
        """Append ties, growing the buffers geometrically (amortised O(1) per tie)."""
        k = values["key"].size  # the other columns may be one value for all
        need = self.m + k
        if need > self._buf["key"].size:
            capacity = max(need, int(1.3 * need), 1024)
            for name, buf in self._buf.items():
                grown = np.empty(capacity, buf.dtype)
                grown[: self.m] = buf[: self.m]
                self._buf[name] = grown
        for name, v in values.items():
            self._buf[name][self.m : need] = v
        self.m = need
        self._refresh_views()

    # ------------------------------------------------------------------ structure

    @property
    def size(self) -> int:
        """Ties currently alive."""
        return int(np.count_nonzero(self.alive))

    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        strength: np.ndarray | float,
        closeness: np.ndarray | float,
        household: np.ndarray | bool = False,
    ) -> int:
        """Form ties between ``a[i]`` and ``b[i]``; pairs already tied are left alone.

        A pair whose earlier tie was dropped since the last merge is tied again.

        Returns
        -------
        int
            Ties actually formed.
        """
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        k = a.size
        strength = _per_tie(strength, np.float32, k)
        closeness = _per_tie(closeness, np.float32, k)
        household = _per_tie(household, bool, k)
        ok = (a != b) & (a >= 0) & (b >= 0)
        keys = pair_keys(a, b, self.n)
        keys, first = np.unique(keys[ok], return_index=True)
        idx = np.flatnonzero(ok)[first]
        if keys.size == 0:
            return 0
        # Existing ties: in the merged head, the pair's row of the CSR index holds it if
        # anywhere (a few ties a row: far fewer cache misses than a binary search of the
        # whole table); in the small tail, a binary search of its sorted keys.
        lo, hi = np.divmod(keys, self.n)
        r0, r1 = self._indptr[lo], self._indptr[lo + 1]
        look = _ranges(r0, r1)
        asked = np.repeat(np.arange(keys.size), r1 - r0)
        hit = self.dst[look] == hi.astype(np.int32)[asked]  # int32 as dst (hi < n)
        existing = np.full(keys.size, -1, np.int64)
        existing[asked[hit]] = look[hit]
        tail_keys, tail_index = self._tail_keys, self._tail_index
        if tail_keys.size:
            tp = np.searchsorted(tail_keys, keys)
            found = (tp < tail_keys.size) & (tail_keys[np.minimum(tp, tail_keys.size - 1)] == keys)
            existing[found] = tail_index[tp[found]]
        known = existing >= 0
        # Revive dropped ties in place; skip live ones.
        revive = existing[known]
        revive_sel = ~self.alive[revive]
        revive_at = revive[revive_sel]
        src_idx = idx[known][revive_sel]
        self.alive[revive_at] = True
        self.strength[revive_at] = strength[src_idx]
        self.closeness[revive_at] = closeness[src_idx]
        self.household[revive_at] = household[src_idx]
        self._same_group_stale.append(revive_at)  # new closeness: contact limit to redo
        # Live ties that become household ties (two friends move in together) take the
        # household's strength and closeness.
        upgrade_sel = ~revive_sel & household[idx[known]] & ~self.household[revive]
        if upgrade_sel.any():
            upgrade_at = revive[upgrade_sel]
            from_idx = idx[known][upgrade_sel]
            self.household[upgrade_at] = True
            self.strength[upgrade_at] = strength[from_idx]
            self.closeness[upgrade_at] = closeness[from_idx]
            self._same_group_stale.append(upgrade_at)
        new = ~known
        new_keys = keys[new]  # sorted (from np.unique)
        new_idx = idx[new]
        # Keep a sorted index of the unmerged tail, so next week's look-ups need no sort.
        if new_keys.size:
            self._tail_keys, self._tail_index = _insert_sorted(
                self._tail_keys,
                self._tail_index,
                new_keys,
                np.arange(self.m, self.m + new_keys.size),
            )
        lo = lo[new].astype(np.int32)
        hi = hi[new].astype(np.int32)
        self._append(
            src=lo,
            dst=hi,
            key=new_keys,
            strength=strength[new_idx],
            closeness=closeness[new_idx],
            household=household[new_idx],
            bridging=self.ward[lo] != self.ward[hi],
            alive=True,
            strong_seen=False,
            alive_seen=False,
            same_group=False,
            contact_limit=0,  # set with same_group, before the ties next meet
            key_mix=mix_tie_keys(new_keys),
        )
        self._same_group_stale.append(np.arange(self.m - new_keys.size, self.m))
        return int(new_keys.size + revive_at.size)

    def queue(self, a, b, strength, closeness, household=False) -> None:
        """Queue ties to form at the next :meth:`flush` (one dedupe for the week)."""
        a = np.asarray(a, np.int64)
        k = a.size
        self._queued.append(
            (
                a,
                np.asarray(b, np.int64),
                _per_tie(strength, np.float32, k),
                _per_tie(closeness, np.float32, k),
                _per_tie(household, bool, k),
            )
        )

    def flush(self) -> int:
        """Form all queued ties; returns how many were formed."""
        if not self._queued:
            return 0
        parts = list(zip(*self._queued, strict=True))
        self._queued = []
        return self.add(*(np.concatenate(p) for p in parts))

    def remove_residents(self, slots: np.ndarray) -> np.ndarray:
        """End every tie of the residents in ``slots`` (death or moving away).

        Returns
        -------
        ndarray of int
            Slots of residents who lost a household tie, once per tie lost (a resident
            whose two household partners both left appears twice).
        """
        if slots.size == 0:
            return np.empty(0, np.int64)
        hit = self.incident_ties(slots)
        hit = hit[self.alive[hit]]
        hh = hit[self.household[hit]]
        partners = np.concatenate([self.src[hh], self.dst[hh]]).astype(np.int64)
        gone = np.zeros(self.n, bool)
        gone[slots] = True
        partners = partners[~gone[partners]]
        self.alive[hit] = False
        return np.sort(partners)

    def household_partners(self, residents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        hit = self.incident_ties(residents)
        hit = hit[self.alive[hit] & self.household[hit]]
        mark = np.zeros(self.n, bool)
        mark[residents] = True
        src = self.src[hit].astype(np.int64)
        dst = self.dst[hit].astype(np.int64)
        from_src = mark[src]
        owner = np.where(from_src, src, dst)
        partner = np.where(from_src, dst, src)
        return hit, partner, owner

    def end_ties(self, ties: np.ndarray) -> None:
        """End the given ties (by index), household or not, as a separation does."""
        self.alive[ties] = False

    def incident_ties(self, residents: np.ndarray) -> np.ndarray:
        """Indices of every tie (live or dead) touching ``residents``, each once.

        Uses the CSR rows and CSC columns of the merged head, plus a scan of the small
        unmerged tail, so the cost grows with the residents' ties, not the network.
        """
        residents = np.asarray(residents, np.int64)
        csc = self._column_index()
        mark = np.zeros(self.n, bool)
        mark[residents] = True
        r0, r1 = self._indptr[residents], self._indptr[residents + 1]
        c0, c1 = csc.indptr[residents], csc.indptr[residents + 1]
        rows = _ranges(r0, r1)
        cols = csc.data[_ranges(c0, c1)].astype(np.int64)
        # A tie between two of the residents is in both lists: keep its row entry only.
        # (np.take: indexing by the int32 ends directly is about half as fast.)
        cols = cols[~np.take(mark, self.src[cols])]
        h = self.n_head
        tail = np.flatnonzero(np.take(mark, self.src[h:]) | np.take(mark, self.dst[h:]))
        if h:
            tail += h
        return np.concatenate([rows, cols, tail])

    def _column_index(self) -> sparse.csc_matrix:
        """The head by column: for each resident, the ties where they are ``dst``."""
        if self._csc is None:
            edge_ids = np.arange(self.n_head, dtype=np.float64)
            self._csc = self._upper(edge_ids).tocsc()
        return self._csc

    def merge(self) -> None:
        """Remove dead ties, merge the tail into the sorted head, rebuild the indexes."""
        keep = self.alive.copy()
        # Ties dropped since the per-resident sums were last brought up to date are
        # still counted in them; removing them now would leave the sums wrong, so
        # recount in full next time (the model summarises just before merging, so
        # this is a safeguard for other callers).
        if self._sums is not None and ((self.alive_seen | self.strong_seen) & ~keep).any():
            self._sums = None
        h = self.n_head
        head = np.flatnonzero(keep[:h])  # live head rows, in key order
        if self._tail_index.size == self.m - h:  # the tail's rows in key order, kept by add
            tail = self._tail_index[keep[self._tail_index]]
        else:
            tail = h + np.flatnonzero(keep[h:])
            tail = tail[np.argsort(self.key[tail], kind="stable")]
        # Merge two sorted runs of distinct keys: each tail tie goes after the head ties
        # with smaller keys (and after the tail ties before it).
        at = np.searchsorted(self.key[head], self.key[tail]) + np.arange(tail.size)
        m = head.size + tail.size
        from_tail = np.zeros(m, bool)
        from_tail[at] = True
        kept = np.empty(m, np.int64)
        kept[at] = tail
        kept[~from_tail] = head
        # Row numbers change: the ties whose same-group flag is still to be set are
        # found again at their new rows (those dropped are gone).
        if self._same_group_stale:
            new_row = np.full(self.m, -1, np.int64)
            new_row[kept] = np.arange(m)
            stale = new_row[np.concatenate(self._same_group_stale)]
            self._same_group_stale = [stale[stale >= 0]]
        for name, buf in self._buf.items():
            if name != "alive":  # all alive after the merge
                buf[:m] = buf[kept]
        self.m = m
        self._refresh_views()
        self.alive[:] = True
        self.n_head = m
        counts = np.bincount(self.src, minlength=self.n)
        self._indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(counts, out=self._indptr[1:])
        self._csc = None
        self._tail_keys = np.empty(0, np.int64)
        self._tail_index = np.empty(0, np.int64)
        # The per-resident sums do not depend on the order of ties, and their "seen"
        # flags moved with the ties, so they stay valid through the merge.

    def _upper(self, data: np.ndarray) -> sparse.csr_matrix:
        """The head as an upper-triangular CSR matrix with the given per-tie data."""
        return sparse.csr_matrix(
            (data[: self.n_head], self.dst[: self.n_head], self._indptr),
            shape=(self.n, self.n),
            copy=False,
        )

    def neighbour_sum(self, tie_weight: np.ndarray, values: np.ndarray) -> np.ndarray:
        """For each resident, the sum over their ties of ``tie_weight * values[other]``.

        Parameters
        ----------
        tie_weight : (ties,) float32
            Weight of each tie (0 for dead ties).
        values : (n,) or (n, k) float32
            Value of each resident.

        Returns
        -------
        (n,) or (n, k) float
        """
        upper = self._upper(tie_weight)
        out = upper @ values + upper.T @ values
        if self.key.size > self.n_head:  # the tail, not yet in the CSR head
            s = self.src[self.n_head :]
            d = self.dst[self.n_head :]
            w = tie_weight[self.n_head :]
            if values.ndim == 1:
                out += np.bincount(s, weights=w * values[d], minlength=self.n)
                out += np.bincount(d, weights=w * values[s], minlength=self.n)
            else:
                for j in range(values.shape[1]):  # a few columns, not residents
                    out[:, j] += np.bincount(s, weights=w * values[d, j], minlength=self.n)
                    out[:, j] += np.bincount(d, weights=w * values[s, j], minlength=self.n)
        return out

    def random_neighbour(self, residents: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A random live tie of each resident (from the merged head), or -1.

        Parameters
        ----------
        residents : (k,) int
        u : (k,) float in [0, 1)

        Returns
        -------
        (k,) int64
        """
        residents = np.asarray(residents, np.int64)
        if self.n_head == 0:
            return np.full(residents.size, -1, np.int64)
        csc = self._column_index()
        row_start = self._indptr[residents]
        row_count = self._indptr[residents + 1] - row_start
        col_start = csc.indptr[residents]
        col_count = csc.indptr[residents + 1] - col_start
        total = row_count + col_count
        pick = np.floor(u * total).astype(np.int64)
        in_row = pick < row_count
        out = np.full(residents.size, -1, np.int64)
        edge = np.full(residents.size, -1, np.int64)
        r = in_row & (total > 0)
        edge[r] = row_start[r] + pick[r]
        out[r] = self.dst[edge[r]]
        c = ~in_row & (total > 0)
        csc_pos = col_start[c] + pick[c] - row_count[c]
        edge[c] = csc.data[csc_pos].astype(np.int64)
        out[c] = csc.indices[csc_pos]
        dead = (edge >= 0) & ~self.alive[np.maximum(edge, 0)]
        out[dead] = -1
        return out

    # ------------------------------------------------------------------ dynamics

    def weekly_contact(self, group: np.ndarray, cfg: NetworkConfig, key: int, week: int) -> None:
        """One week of meeting (or not): strengths move towards contact, weak ties drop.

        Parameters
        ----------
        group : (n,) int32
            Group of each resident (-1 for none); members of the same group meet more.
        cfg : NetworkConfig
        key : int
            Counter key of the ``ties`` stream.
        week : int
            Current week.
        """
        self._update_same_group(group, cfg.contact_same_group)
        # One draw per tie and week, addressed by the pair rather than the table row,
        # so a tie shared by two scenarios meets (or not) in both: common random numbers
        # for the network too. The pair meets when its draw (tie_week_uniform16) is
        # below its chance of contact times 65,536 (contact_limit, kept per tie).
        draws = _tie_week_draws(self.key_mix, key, week)
        # The draws are below 65,536: compare the 32-bit words that hold them.
        met = draws.view(np.uint32)[_LOW_WORD::2] < self.contact_limit
        rate = np.float32(1.0 / cfg.tie_memory_weeks)
        self.strength += rate * (met.astype(np.float32) - self.strength)
        keep = self.strength < cfg.drop_threshold  # weak...
        np.logical_not(keep, out=keep)
        keep |= self.household  # ...ties drop, household ties never
        self.alive &= keep

    def _update_same_group(self, group: np.ndarray, bonus: float) -> None:
        """Bring the per-tie same-group flag, and with it the contact limit, up to date.

        Only the ties of residents whose group changed since last week, and ties formed
        or revived since, are looked at: a few hundred residents a week, not every tie.
        ``bonus`` is the extra chance of contact in the same group.
        """
        if self._group_seen is None or bonus != self._contact_bonus:
            ties = slice(None)
        else:
            moved = np.flatnonzero(group != self._group_seen)
            parts = [self.incident_ties(moved), *self._same_group_stale]
            ties = np.concatenate(parts) if parts else np.empty(0, np.int64)
        g = np.take(group, self.src[ties])
        same = (g >= 0) & (g == np.take(group, self.dst[ties]))
        self.same_group[ties] = same
        self.contact_limit[ties] = contact_limit(self.closeness[ties], same, bonus)
        self._same_group_stale = []
        self._group_seen = group.copy()
        self._contact_bonus = bonus

    def summarise(
        self,
        lonely: np.ndarray,
        member: np.ndarray,
        strong_threshold: float,
        bridging_multiplier: float,
    ) -> TieSummary:
        """Per-resident strong ties, lonely strong ties and member exposure.

        Kept up to date incrementally: only the ties whose strong or live status changed
        since the last call, and the ties of residents whose loneliness or membership
        changed, are visited. The sums are whole numbers (or whole multiples of the
        bridging weight), exact in float32, so they cannot drift;
        ``tests/test_tie_sums.py`` checks them against :meth:`summarise_in_full`.

        Parameters
        ----------
        lonely : (n,) bool
        member : (n,) bool
            Resident belongs to a group.
        strong_threshold : float
        bridging_multiplier : float
            Weight of a bridging tie in spreading awareness.

        Returns
        -------
        TieSummary
        """
        # Hysteresis: a tie becomes strong at the threshold and stays strong until it
        # falls a margin below it, so one missed week does not unmake a close friend.
        strong = self.strength >= strong_threshold
        strong |= self.strong_seen & (self.strength >= strong_threshold - STRONG_HYSTERESIS)
        strong &= self.alive
        if self._sums is None:
            self._sums = self.summarise_in_full(lonely, member, strong, bridging_multiplier)
        else:
            self._update_sums(strong, lonely, member, bridging_multiplier)
        self.strong_seen[:] = strong
        self.alive_seen[:] = self.alive
        self._lonely_seen = lonely.copy()
        self._member_seen = member.copy()
        return TieSummary(
            self._sums.ties.copy(),
            self._sums.strong_ties.copy(),
            self._sums.lonely_strong_ties.copy(),
            self._sums.member_exposure.copy(),
        )

    def _update_sums(self, strong, lonely, member, bridging_multiplier: float) -> None:
        sums = self._sums
        src, dst = self.src, self.dst
        # What to add to which sum: (sum, residents, amounts), in the order of old.
        terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        # 1. Residents whose loneliness or membership changed: their ties as they were.
        flipped = np.flatnonzero((lonely != self._lonely_seen) | (member != self._member_seen))
        if flipped.size:
            e = self.incident_ties(flipped)
            # The ends as int64: they index several arrays, each faster by int64.
            s_e, d_e = src[e].astype(np.int64), dst[e].astype(np.int64)
            d_lonely_s = lonely[s_e].astype(np.float32) - self._lonely_seen[s_e]
            d_lonely_d = lonely[d_e].astype(np.float32) - self._lonely_seen[d_e]
            was_strong = self.strong_seen[e]
            terms.append((sums.lonely_strong_ties, s_e, was_strong * d_lonely_d))
            terms.append((sums.lonely_strong_ties, d_e, was_strong * d_lonely_s))
            reach = self.alive_seen[e] * np.where(
                self.bridging[e], np.float32(bridging_multiplier), np.float32(1.0)
            )
            d_member_s = member[s_e].astype(np.float32) - self._member_seen[s_e]
            d_member_d = member[d_e].astype(np.float32) - self._member_seen[d_e]
            terms.append((sums.member_exposure, s_e, reach * d_member_d))
            terms.append((sums.member_exposure, d_e, reach * d_member_s))
        # 2. Ties that became (or stopped being) strong or live, valued as now.
        changed = np.flatnonzero((strong != self.strong_seen) | (self.alive != self.alive_seen))
        if changed.size:
            s_e, d_e = src[changed].astype(np.int64), dst[changed].astype(np.int64)
            d_strong = strong[changed].astype(np.float32) - self.strong_seen[changed]
            terms.append((sums.strong_ties, s_e, d_strong))
            terms.append((sums.strong_ties, d_e, d_strong))
            terms.append((sums.lonely_strong_ties, s_e, d_strong * lonely[d_e]))
            terms.append((sums.lonely_strong_ties, d_e, d_strong * lonely[s_e]))
            d_alive = self.alive[changed].astype(np.float32) - self.alive_seen[changed]
            terms.append((sums.ties, s_e, d_alive))
            terms.append((sums.ties, d_e, d_alive))
            reach = d_alive * np.where(
                self.bridging[changed], np.float32(bridging_multiplier), np.float32(1.0)
            )
            terms.append((sums.member_exposure, s_e, reach * member[d_e]))
            terms.append((sums.member_exposure, d_e, reach * member[s_e]))
        entries = sum(index.size for _, index, _ in terms)
        if _sums_exact(bridging_multiplier, self.m + entries):
            # Every partial sum is exact, so the order of adding makes no difference:
            # one unbuffered scatter-add per sum, over all of its terms at once.
            for target in (
                sums.lonely_strong_ties,
                sums.member_exposure,
                sums.strong_ties,
                sums.ties,
            ):
                mine = [(index, amount) for t, index, amount in terms if t is target]
                if mine:
                    index, amount = zip(*mine, strict=True)
                    amount = np.concatenate(amount)
                    # Most amounts are zero (adding them changes no sum, which is never
                    # -0.0): only the others are added.
                    nonzero = np.flatnonzero(amount != 0)  # (flags: faster than floats)
                    np.add.at(target, np.concatenate(index)[nonzero], amount[nonzero])
        else:  # a bridging weight float32 cannot add exactly: keep the order of rounding
            for target, index, amount in terms:
                _scatter_add(target, index, amount)

    def summarise_in_full(
        self,
        lonely: np.ndarray,
        member: np.ndarray,
        strong: np.ndarray,
        bridging_multiplier: float,
    ) -> TieSummary:
        """The same sums as :meth:`summarise`, computed from scratch (sparse products).

        ``strong`` flags the strong ties (each tie, bool).
        """
        alive = self.alive
        strong = (alive & strong).astype(np.float32)
        spread = np.where(self.bridging, np.float32(bridging_multiplier), np.float32(1.0))
        spread *= alive
        return TieSummary(
            ties=self.ties_per_resident(),
            strong_ties=self.neighbour_sum(strong, np.ones(self.n, np.float32)).astype(np.float32),
            lonely_strong_ties=self.neighbour_sum(strong, lonely.astype(np.float32)).astype(
                np.float32
            ),
            member_exposure=self.neighbour_sum(spread, member.astype(np.float32)).astype(
                np.float32
            ),
        )

    def ties_per_resident(self) -> np.ndarray:
        """Live ties of every resident, (n,) float32."""
        ones = np.ones(self.n, np.float32)
        return self.neighbour_sum(self.alive.astype(np.float32), ones).astype(np.float32)

    # ------------------------------------------------------------------ metrics

    def bridging_share(self) -> float:
        """Share of live ties that cross wards."""
        # count_nonzero, not sum: counting flags, it is many times faster.
        alive = np.count_nonzero(self.alive)
        return float(np.count_nonzero(self.bridging & self.alive) / alive) if alive else 0.0

    def to_networkx(self, strong_threshold: float = 0.5):
        """Export the live ties as a networkx Graph (for inspection and analysis).

        Nodes are resident slots; edges carry ``strength``, ``closeness``, ``household``,
        ``bridging`` and ``strong``. ``strong`` is as the model last counted it (with
        hysteresis); before any count, strength at or above ``strong_threshold``.
        """
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(self.n))
        a = self.alive
        counted = self._sums is not None
        strong = self.strong_seen if counted else self.strength >= strong_threshold
        graph.add_edges_from(
            (
                int(s),
                int(d),
                {
                    "strength": float(w),
                    "closeness": float(c),
                    "household": bool(h),
                    "bridging": bool(b),
                    "strong": bool(st),
                },
            )
            for s, d, w, c, h, b, st in zip(
                self.src[a],
                self.dst[a],
                self.strength[a],
                self.closeness[a],
                self.household[a],
                self.bridging[a],
                strong[a],
                strict=True,
            )
        )
        return graph


# ---------------------------------------------------------------------- generation


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


def table_groups_fit_int16(ids: np.ndarray) -> bool:
    """Whether group ids can be sorted as 16-bit integers (radix sort)."""
    return ids.size == 0 or int(ids.max()) < np.iinfo(np.int16).max


def ward_ranges(ward: np.ndarray, n_wards: int) -> tuple[np.ndarray, np.ndarray]:
    """First slot and number of slots of each ward (slots are contiguous by ward)."""
    counts = np.bincount(ward, minlength=n_wards)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return starts, counts


def closest_in_age(
    residents: np.ndarray,
    candidates: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """Of several candidate partners per resident, the one closest in age.

    Parameters
    ----------
    residents : (k,) int
    candidates : (c, k) int
        Candidate partners, one row per try.
    age : (n,) float

    Returns
    -------
    (k,) int64
    """
    gap = np.abs(age[candidates] - age[residents][None, :])
    gap[candidates == residents[None, :]] = np.inf
    best = np.argmin(gap, axis=0)
    return candidates[best, np.arange(residents.size)].astype(np.int64)


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
    n = table.n
    u = rng.random((3, n), dtype=np.float32)
    formed = {}
    # Focal closure: members meet another member of their group.
    member = group >= 0
    focal = np.flatnonzero(member & (u[0] < cfg.focal_closure_rate))
    if focal.size:
        d = counter_uniforms(key ^ 0xF0CA1, focal, week, 2)
        members = np.flatnonzero(member)
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
        formed["focal"] = focal.size
    # Triadic closure: meet a friend of a friend.
    triadic = np.flatnonzero(u[1] < cfg.triadic_closure_rate)
    if triadic.size:
        d = counter_uniforms(key ^ 0x7121AD, triadic, week, 3)
        friend = table.random_neighbour(triadic, d[0])
        has = friend >= 0
        fof = np.full(triadic.size, -1, np.int64)
        fof[has] = table.random_neighbour(friend[has], d[1, has])
        ok = fof >= 0
        closeness = beta_one_b(d[2, ok], cfg.closeness_mean)
        table.queue(triadic[ok], fof[ok], cfg.new_tie_strength, closeness)
        formed["triadic"] = int(ok.sum())
    # Chance encounters: the closest in age of three random residents, of the same ward
    # (neighbours) or, as often as bridging ties are, anywhere in the borough (work,
    # the town centre).
    enc = np.flatnonzero(u[2] < cfg.encounter_rate)
    if enc.size:
        d = counter_uniforms(key ^ 0xE4C0, enc, week, 5)
        w = ward[enc]
        local = d[4] < cfg.same_ward_share
        tries = np.where(
            local, ward_start[w] + np.floor(d[:3] * ward_count[w]), np.floor(d[:3] * n)
        ).astype(np.int64)
        partner = closest_in_age(enc, tries, age)
        closeness = beta_one_b(d[3], cfg.closeness_mean)
        table.queue(enc, partner, cfg.new_tie_strength, closeness)
        formed["encounter"] = enc.size
    return formed
