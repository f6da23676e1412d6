"""How loneliness clusters in the social network: by network distance, and by tie type.

The method of Cacioppo, Fowler & Christakis (2009, *J Pers Soc Psychol* 97(6):977–991,
doi:10.1037/a0016076), after Christakis & Fowler (2007, *N Engl J Med* 357:370–379): for
every (ego, alter) pair at network distance ``d``, the probability that the alter is
lonely given that the ego is lonely, compared with the same probability in the same
network with loneliness shuffled among the residents (the topology and the prevalence
kept, any association between neighbours removed). Cacioppo et al. found the excess
significant up to three degrees of separation (friends, friends' friends, and their
friends), and larger through friends than through family.

An excess here can come from three sources the model holds apart: contagion (a lonely
tie raises a resident's risk), homophily (residents alike in loneliness form ties) and a
shared environment (residents of one household or ward share circumstances). A
*deficit* arises when lonely residents are hard to reach: they have fewer ties, so
alters at any distance are mostly the well-connected, who are rarely lonely.

In a shuffled network every (ego, alter) pair is lonely–lonely with probability
m(m−1)/(n(n−1)) and has a lonely ego with probability m/n (m lonely among n), so the
expected P(alter lonely | ego lonely) is (m−1)/(n−1) at every distance and for every tie
type, whatever the topology; the tests check this against explicit shuffles. The
uncertainty of the observed probability is a bootstrap over the lonely egos.

Pure numpy/scipy: breadth-first distances from a sample of lonely egos
(``scipy.sparse.csgraph``), in blocks so memory stays bounded at any population.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

#: Network distances reported (Cacioppo et al. report 1 to 4; the excess ends by 4).
MAX_DISTANCE = 5

#: Lonely egos whose alters are counted; more narrow the interval a little and cost a
#: breadth-first search each. All lonely residents when fewer.
MAX_EGOS = 1_000

#: Bootstrap resamples of the egos for the observed probability's interval.
BOOTSTRAPS = 200

#: Distances held at once: egos per block × residents (float64), about 40 MB.
_BLOCK_CELLS = 5_000_000


@dataclass(frozen=True)
class Clustering:
    """Loneliness among lonely residents' alters, against a shuffled network.

    Attributes
    ----------
    distance : (D,) int
        Network distances 1..D.
    observed : (D,) float
        P(alter lonely | ego lonely) over (ego, alter) pairs at each distance.
    interval : (D, 2) float
        95 % bootstrap interval of ``observed`` (resampling the lonely egos).
    expected : float
        The same probability with loneliness shuffled among residents: (m−1)/(n−1).
    pairs : (D,) int
        (lonely ego, alter) pairs counted at each distance.
    by_tie_type : dict of str to (float, int)
        For direct ties of each type: observed P(alter lonely | ego lonely) and the
        number of (lonely ego, alter) pairs (every lonely resident, not a sample).
    egos : int
        Lonely egos whose alters were counted at distance 1..D.
    prevalence : float
        Share of residents lonely.
    """

    distance: np.ndarray
    observed: np.ndarray
    interval: np.ndarray
    expected: float
    pairs: np.ndarray
    by_tie_type: dict[str, tuple[float, int]]
    egos: int
    prevalence: float

    @property
    def excess(self) -> np.ndarray:
        """Relative excess at each distance: observed ÷ expected − 1 (0 = none)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.observed / self.expected - 1.0

    def excess_by_tie_type(self) -> dict[str, float]:
        """Relative excess over direct ties of each type."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return {k: float(v[0] / self.expected - 1.0) for k, v in self.by_tie_type.items()}

    def table(self) -> list[dict[str, float]]:
        """One row per distance, for CSV or a calibration page."""
        return [
            {
                "distance": int(d),
                "observed": float(o),
                "observed_low": float(lo),
                "observed_high": float(hi),
                "expected": float(self.expected),
                "excess": float(x),
                "pairs": int(p),
            }
            for d, o, (lo, hi), x, p in zip(
                self.distance, self.observed, self.interval, self.excess, self.pairs, strict=True
            )
        ]


def adjacency(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency (CSR) of ``n`` residents from undirected ties."""
    src = np.asarray(src, np.int64)
    dst = np.asarray(dst, np.int64)
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    a = sp.csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(n, n))
    a.data[:] = 1  # a pair tied twice counts once
    return a


def loneliness_clustering(
    lonely: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    rng: np.random.Generator,
    tie_type: np.ndarray | None = None,
    type_names: tuple[str, ...] = (),
    max_distance: int = MAX_DISTANCE,
    max_egos: int = MAX_EGOS,
    bootstraps: int = BOOTSTRAPS,
) -> Clustering:
    """Clustering of loneliness by network distance and by tie type.

    Parameters
    ----------
    lonely : (n,) bool
        Whether each resident is lonely.
    src, dst : (k,) int
        The live ties (undirected; each pair once).
    rng : numpy.random.Generator
        For the sample of egos and the bootstrap (a diagnostic: it must not be one of
        the model's streams).
    tie_type : (k,) int, optional
        A code per tie (index into ``type_names``), for the direct-tie comparison by type.
    type_names : tuple of str
        Names of the tie types.
    max_distance : int
        Largest distance reported.
    max_egos : int
        Lonely egos sampled (all when fewer are lonely).
    bootstraps : int
        Bootstrap resamples of the egos.

    Returns
    -------
    Clustering

    Examples
    --------
    Two triangles, one all lonely, one not: every lonely ego's direct alters are lonely,
    where a shuffled network would give (3 − 1) / (6 − 1) = 0.4.

    >>> lonely = np.array([1, 1, 1, 0, 0, 0], bool)
    >>> src, dst = np.array([0, 1, 2, 3, 4, 5]), np.array([1, 2, 0, 4, 5, 3])
    >>> c = loneliness_clustering(lonely, src, dst, np.random.default_rng(1))
    >>> float(c.observed[0]), c.expected, float(c.excess[0])
    (1.0, 0.4, 1.5)
    """
    lonely = np.asarray(lonely, bool)
    n = lonely.size
    m = int(lonely.sum())
    distances = np.arange(1, max_distance + 1)
    lonely_slots = np.flatnonzero(lonely)
    egos = lonely_slots
    if egos.size > max_egos:
        egos = np.sort(rng.choice(lonely_slots, max_egos, replace=False))
    alters, lonely_alters = ego_counts(adjacency(n, src, dst), egos, lonely, distances)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = lonely_alters.sum(axis=0) / alters.sum(axis=0)
        interval = _bootstrap(alters, lonely_alters, rng, bootstraps)
    return Clustering(
        distance=distances,
        observed=observed,
        interval=interval,
        expected=(m - 1) / (n - 1) if n > 1 and m > 0 else float("nan"),
        pairs=alters.sum(axis=0).astype(np.int64),
        by_tie_type=_by_tie_type(lonely, src, dst, tie_type, type_names),
        egos=int(egos.size),
        prevalence=m / n if n else float("nan"),
    )


def ego_counts(
    a: sp.csr_matrix, egos: np.ndarray, lonely: np.ndarray, distances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Alters, and lonely alters, of each ego at each distance.

    Parameters
    ----------
    a : (n, n) sparse
        Adjacency.
    egos : (e,) int
        Residents whose alters are counted.
    lonely : (n,) bool
    distances : (D,) int

    Returns
    -------
    alters, lonely_alters : (e, D) float
    """
    n = a.shape[0]
    alters = np.zeros((egos.size, distances.size))
    lonely_alters = np.zeros((egos.size, distances.size))
    block = max(1, _BLOCK_CELLS // max(n, 1))
    weight = lonely.astype(np.float64)
    for start in range(0, egos.size, block):
        rows = slice(start, start + block)
        dist = dijkstra(
            a, directed=False, unweighted=True, indices=egos[rows], limit=float(distances[-1])
        )
        for j, d in enumerate(distances):
            at_d = dist == d
            alters[rows, j] = at_d.sum(axis=1)
            lonely_alters[rows, j] = at_d @ weight
    return alters, lonely_alters


def _bootstrap(
    alters: np.ndarray, lonely_alters: np.ndarray, rng: np.random.Generator, reps: int
) -> np.ndarray:
    """95 % interval of the ratio of sums, resampling egos with replacement."""
    e, d = alters.shape
    if not e or not reps:
        return np.full((d, 2), np.nan)
    pick = rng.integers(0, e, size=(reps, e))
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        # A distance no ego reaches has no ratio: its interval is NaN, said once here.
        warnings.simplefilter("ignore", RuntimeWarning)
        ratios = lonely_alters[pick].sum(axis=1) / alters[pick].sum(axis=1)
        return np.nanpercentile(ratios, [2.5, 97.5], axis=0).T


def _by_tie_type(
    lonely: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    tie_type: np.ndarray | None,
    names: tuple[str, ...],
) -> dict[str, tuple[float, int]]:
    """P(alter lonely | ego lonely) over direct ties of each type.

    Each tie gives two (ego, alter) pairs, one each way; a pair counts when its ego is
    lonely.
    """
    if tie_type is None:
        return {}
    src = np.asarray(src, np.int64)
    dst = np.asarray(dst, np.int64)
    tie_type = np.asarray(tie_type)
    return {
        name: direct_ties(lonely, src[tie_type == code], dst[tie_type == code])
        for code, name in enumerate(names)
    }


def direct_ties(lonely: np.ndarray, s: np.ndarray, d: np.ndarray) -> tuple[float, int]:
    """P(alter lonely | ego lonely) over the ties (s, d), both ways, and the pairs counted."""
    ego = np.concatenate([s, d])
    alter = np.concatenate([d, s])
    mine = lonely[ego]
    pairs = int(mine.sum())
    if not pairs:
        return float("nan"), 0
    return float(lonely[alter][mine].mean()), pairs
