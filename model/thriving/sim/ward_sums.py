"""Ward totals of per-resident arrays.

Resident slots are contiguous by ward (``network.ward_ranges()``), so a ward's total is
the sum of a run of slots: ``np.add.reduceat`` over the ward starts when every ward has
residents, ``np.bincount`` by ward otherwise (``reduceat`` cannot give an empty run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Largest whole number below which float32 counts every integer exactly (2**24).
FLOAT32_EXACT = 2**24


@dataclass(frozen=True)
class WardIndex:
    """Where each ward's residents are.

    Attributes
    ----------
    ward : (n,) int
        Ward of each resident slot.
    start, count : (wards,) int
        First slot and number of slots of each ward.
    all_occupied : bool
        Whether every ward has at least one slot.
    """

    ward: np.ndarray
    start: np.ndarray
    count: np.ndarray
    all_occupied: bool

    @classmethod
    def of(cls, ward: np.ndarray, start: np.ndarray, count: np.ndarray) -> WardIndex:
        """The index of slots sorted by ward, from each ward's first slot and count."""
        return cls(ward, start, count, bool((count > 0).all()))

    @property
    def n_wards(self) -> int:
        """Number of wards."""
        return int(self.start.size)


def ward_sum(values: np.ndarray, index: WardIndex) -> np.ndarray:
    """Total of a per-resident array in each ward, float64.

    Examples
    --------
    >>> index = WardIndex.of(np.array([0, 0, 1]), np.array([0, 2]), np.array([2, 1]))
    >>> ward_sum(np.array([1.5, 2.0, 4.0]), index).tolist()
    [3.5, 4.0]
    """
    if index.all_occupied:
        return np.add.reduceat(np.asarray(values, np.float64), index.start)
    return np.bincount(index.ward, weights=values, minlength=index.n_wards)


def ward_totals(values: Sequence[np.ndarray], index: WardIndex, bound: float) -> np.ndarray:
    """Totals in each ward of several per-resident counts, one row each (float64).

    The arrays hold whole numbers (flags, counts) whose total is at most ``bound``.
    They are summed as one stacked array: in float32 while every partial sum stays
    below 2**24, where float32 is exact, so the totals are exactly those of summing
    each array on its own, in fewer and cheaper passes.

    Parameters
    ----------
    values : sequence of (n,) arrays of whole numbers
    index : WardIndex
    bound : float
        Largest possible total of any one array.

    Returns
    -------
    (len(values), wards) float64

    Examples
    --------
    >>> index = WardIndex.of(np.array([0, 0, 1]), np.array([0, 2]), np.array([2, 1]))
    >>> ward_totals([np.array([1, 0, 1]), np.array([True, True, False])], index, 3).tolist()
    [[1.0, 1.0], [2.0, 0.0]]
    """
    dtype = np.float32 if bound < FLOAT32_EXACT else None
    stacked = np.empty((len(values), index.ward.size), dtype)
    for row, v in zip(stacked, values, strict=True):  # a few arrays, not residents
        row[...] = v
    if index.all_occupied:
        return np.add.reduceat(stacked, index.start, axis=1).astype(np.float64)
    nw = index.n_wards
    return np.stack([np.bincount(index.ward, weights=r, minlength=nw) for r in stacked])
