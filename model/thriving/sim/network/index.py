"""The CSR index of the tie table: who is tied to whom, found without a search.

The merged part of the table (the "head", ``table.n_head`` ties) is sorted by pair key,
so with a row pointer it is the upper triangle of the adjacency matrix in CSR form: a
resident's ties as the lower end are one row, and as the higher end one column (a CSC
view built on demand). Sums over a resident's ties are two sparse matrix-vector
products; ties added since the last merge (the unsorted "tail") are scanned directly.

The functions take a :class:`~thriving.sim.network.table.TieTable` and read its
``src``, ``dst``, ``alive``, ``n``, ``n_head`` and ``_indptr`` (the row pointer, private
to this package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # the table composes this module, so the import is for types only
    from thriving.sim.network.table import TieTable


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


def row_pointer(src: np.ndarray, n: int) -> np.ndarray:
    """CSR row pointer of ties sorted by ``src``: resident r's ties are rows p[r]:p[r+1].

    Parameters
    ----------
    src : (k,) int32, sorted
        Lower end of each tie.
    n : int
        Resident slots.

    Returns
    -------
    (n + 1,) int64
    """
    counts = np.bincount(src, minlength=n)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr


def upper(table: TieTable, data: np.ndarray) -> sparse.csr_matrix:
    """The head as an upper-triangular CSR matrix with the given per-tie data."""
    return sparse.csr_matrix(
        (data[: table.n_head], table.dst[: table.n_head], table._indptr),
        shape=(table.n, table.n),
        copy=False,
    )


def column_index(table: TieTable) -> sparse.csc_matrix:
    """The head by column: for each resident, the ties where they are ``dst``.

    Built on first use after a merge and kept until the next (the head does not change
    in between); its ``data`` holds each entry's tie index.
    """
    if table._csc is None:
        edge_ids = np.arange(table.n_head, dtype=np.float64)
        table._csc = upper(table, edge_ids).tocsc()
    return table._csc


def incident_ties(table: TieTable, residents: np.ndarray) -> np.ndarray:
    """Indices of every tie (live or dead) touching ``residents``, each once.

    Uses the CSR rows and CSC columns of the merged head, plus a scan of the small
    unmerged tail, so the cost grows with the residents' ties, not the network.
    """
    residents = np.asarray(residents, np.int64)
    csc = column_index(table)
    mark = np.zeros(table.n, bool)
    mark[residents] = True
    r0, r1 = table._indptr[residents], table._indptr[residents + 1]
    c0, c1 = csc.indptr[residents], csc.indptr[residents + 1]
    rows = _ranges(r0, r1)
    cols = csc.data[_ranges(c0, c1)].astype(np.int64)
    # A tie between two of the residents is in both lists: keep its row entry only.
    # (np.take: indexing by the int32 ends directly is about half as fast.)
    cols = cols[~np.take(mark, table.src[cols])]
    h = table.n_head
    tail = np.flatnonzero(np.take(mark, table.src[h:]) | np.take(mark, table.dst[h:]))
    if h:
        tail += h
    return np.concatenate([rows, cols, tail])


def neighbour_sum(table: TieTable, tie_weight: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each resident, the sum over their ties of ``tie_weight * values[other]``.

    Parameters
    ----------
    table : TieTable
    tie_weight : (ties,) float32
        Weight of each tie (0 for dead ties).
    values : (n,) or (n, k) float32
        Value of each resident.

    Returns
    -------
    (n,) or (n, k) float
    """
    mat = upper(table, tie_weight)
    out = mat @ values + mat.T @ values
    if table.key.size > table.n_head:  # the tail, not yet in the CSR head
        s = table.src[table.n_head :]
        d = table.dst[table.n_head :]
        w = tie_weight[table.n_head :]
        if values.ndim == 1:
            out += np.bincount(s, weights=w * values[d], minlength=table.n)
            out += np.bincount(d, weights=w * values[s], minlength=table.n)
        else:
            for j in range(values.shape[1]):  # a few columns, not residents
                out[:, j] += np.bincount(s, weights=w * values[d, j], minlength=table.n)
                out[:, j] += np.bincount(d, weights=w * values[s, j], minlength=table.n)
    return out


def random_neighbour(table: TieTable, residents: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A random live tie of each resident (from the merged head), or -1.

    Parameters
    ----------
    table : TieTable
    residents : (k,) int
    u : (k,) float in [0, 1)

    Returns
    -------
    (k,) int64
        The other end of the chosen tie; -1 for a resident with no tie in the head or
        whose chosen tie has dropped since the merge.
    """
    residents = np.asarray(residents, np.int64)
    if table.n_head == 0:
        return np.full(residents.size, -1, np.int64)
    csc = column_index(table)
    row_start = table._indptr[residents]
    row_count = table._indptr[residents + 1] - row_start
    col_start = csc.indptr[residents]
    col_count = csc.indptr[residents + 1] - col_start
    total = row_count + col_count
    pick = np.floor(u * total).astype(np.int64)
    in_row = pick < row_count
    out = np.full(residents.size, -1, np.int64)
    edge = np.full(residents.size, -1, np.int64)
    r = in_row & (total > 0)
    edge[r] = row_start[r] + pick[r]
    out[r] = table.dst[edge[r]]
    c = ~in_row & (total > 0)
    csc_pos = col_start[c] + pick[c] - row_count[c]
    edge[c] = csc.data[csc_pos].astype(np.int64)
    out[c] = csc.indices[csc_pos]
    dead = (edge >= 0) & ~table.alive[np.maximum(edge, 0)]
    out[dead] = -1
    return out
