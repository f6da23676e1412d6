"""Per-tie weekly draws, addressed by the pair rather than the table row.

A tie is known by its pair key (:func:`pair_keys`), not by where it sits in the tie
table, so the same pair of residents meets (or not) in the same week of two scenarios
however differently their tables have grown: common random numbers extend to the
network. The draws are a multiply-xorshift hash of the key and the week, far cheaper
than a general counter-based generator.
"""

from __future__ import annotations

import sys

import numpy as np

#: Where the low half of a uint64 sits when it is viewed as two uint32 words.
_LOW_WORD = 0 if sys.byteorder == "little" else 1


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
    return tie_week_draws(mix_tie_keys(tie_keys), key, week).astype(np.uint16)


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


def tie_week_draws(key_mix: np.ndarray, key: int, week: int) -> np.ndarray:
    """:func:`tie_week_uniform16` from the mixed keys, as uint64 (all below 65,536).

    Parameters
    ----------
    key_mix : (k,) uint64
        :func:`mix_tie_keys` of the ties' pair keys.
    key : int
        Stream key.
    week : int

    Returns
    -------
    (k,) uint64, 0 to 65,535
    """
    salt = np.uint64((key ^ (week * 0x632BE59BD9B4E019)) & 0xFFFFFFFFFFFFFFFF)
    x = key_mix + salt
    x ^= x >> np.uint64(32)
    x *= np.uint64(0xD6E8FEB86659FD93)  # the top bits of a product mix all the bits
    x >>= np.uint64(48)
    return x


def met_this_week(key_mix: np.ndarray, limit: np.ndarray, key: int, week: int) -> np.ndarray:
    """Whether each tie's pair meets this week: its draw is below its contact limit.

    Parameters
    ----------
    key_mix : (k,) uint64
        :func:`mix_tie_keys` of the ties' pair keys.
    limit : (k,) uint32
        :func:`contact_limit` of each tie.
    key : int
        Stream key.
    week : int

    Returns
    -------
    (k,) bool
    """
    draws = tie_week_draws(key_mix, key, week)
    # The draws are below 65,536: compare the 32-bit words that hold them.
    return draws.view(np.uint32)[_LOW_WORD::2] < limit


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
