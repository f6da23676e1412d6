"""Household dynamics: who lives with whom, and how that changes with age.

Residents live alone or share a household (two or three adults joined by household
ties). Households change when a partner dies or moves away (the survivor may be left
alone), when in-movers settle (they move in with a partner who lived alone, or join an
existing household), and, among residents, when two people living alone move in
together (formation) or a couple separates.

Formation and separation rates are derived, not fitted: for each ward and year of age
they are the rates that make the census share living alone by age stationary, given the
model's own deaths, moves and in-movers (:func:`formation_separation_rates`). The
derivation assumes partners of about the same age, which the matching below keeps
(partners are found among residents of similar age in the same ward).

Everything here is a pure function of arrays; the model wires them together.

The balance
-----------
For the residents aged ``a`` in a ward (``D(a)``, a share ``p(a)`` living alone), a
year later the survivors ``S = D (1 - h)`` (``h`` = death plus move probability) are
aged ``a + 1`` and joined by in-movers ``I = D(a + 1) - S`` (the stationary
demography of :func:`thriving.sim.demography.stationary_flows`). Over the year:

- sharers whose partner left become alone: ``c(a) (1 - p(a)) h S``, where ``c`` is
  the share of sharers in a couple (in a three-adult household one departure
  leaves a couple, nobody alone);
- a share ``m`` of in-movers who do not live alone move in with a partner who did
  (the others join a couple's household): ``m (1 - p(a+1)) I`` leave the alone;
- in-movers who live alone arrive in the census share ``p(a+1)``.

The census share at ``a + 1`` then needs ``F`` residents to stop living alone::

    F = S (p(a) - p(a+1)) + c(a) (1 - p(a)) h S - m (1 - p(a+1)) I

What this balance leaves out (partners of different ages, households of three or
more, in-movers who find nobody to live with) can move the profile off the census
a little; an optional correction takes a share ``relaxation_per_year`` a year of
the current excess living alone, ``excess_alone``, into ``F``
(``F += relaxation_per_year * excess_alone * D(a)``), so any such drift decays.

When ``F > 0``, pairs of residents living alone move in together: each event takes
two out of living alone, so the rate per resident living alone is
``F / (2 p(a) D(a))``. When ``F < 0``, couples separate: each event leaves two
alone, so the rate per resident in a couple is ``-F / (2 c (1 - p(a)) D(a))``.
"""

from __future__ import annotations

import numpy as np

from thriving.sim.demography import AGES, MIN_AGE

#: Width of the age buckets (years) the residents living alone are sorted into.
_BUCKET_YEARS = 1.0
#: Age buckets per ward in the sort key (ages 18 to 145).
_BUCKETS = 128
#: Candidate positions looked at around a resident's place in the sorted list.
NEARBY_OFFSETS = np.array([-2, -1, 0, 1])


def share_in_couples(three_adult_share: float) -> float:
    """Share of adults in multi-adult households who live in a two-adult household.

    Parameters
    ----------
    three_adult_share : float in [0, 1]
        Share of multi-adult households that have three adults.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> round(share_in_couples(0.25), 4)
    0.6667
    """
    two = 2.0 * (1.0 - three_adult_share)
    return two / (two + 3.0 * three_adult_share)


def formation_separation_rates(
    age_density: np.ndarray,
    alone_share: np.ndarray,
    death_probability: np.ndarray,
    move_probability: np.ndarray,
    couple_share: float | np.ndarray,
    partner_share: float,
    excess_alone: float | np.ndarray = 0.0,
    relaxation_per_year: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Yearly rates of moving in together and of separating that hold the census profile.

    The balance they come from is in the module docstring ("The balance").

    Parameters
    ----------
    age_density : ndarray, shape (wards, ages)
        Residents by single year of age (any scale), from ``demography.AGES``.
    alone_share : ndarray, shape (wards, ages)
        Census share living alone at each age (the target), in [0, 1].
    death_probability : ndarray, shape (ages,) or (wards, ages)
        Probability of dying within a year.
    move_probability : ndarray, shape (wards, ages)
        Probability of moving out of the borough within a year.
    couple_share : float or ndarray of shape (ages,) or (wards, ages), in [0, 1]
        Share of residents in multi-adult households who are in a couple (two adults).
    partner_share : float in [0, 1]
        Share of in-movers not living alone who move in with a partner (``m``).
    excess_alone : float or ndarray of shape (ages,) or (wards, ages)
        Share living alone now less the census share (0 for the balance alone).
    relaxation_per_year : float, per year
        Share of the excess corrected in a year.

    Returns
    -------
    formation : ndarray, shape (wards, ages), per year
        Rate at which a resident living alone starts looking for, and moves in with, a
        resident of similar age who lives alone.
    separation : ndarray, shape (wards, ages), per year
        Rate at which a resident in a couple separates (both then live alone).

    Examples
    --------
    A flat age structure with no departures and a profile rising with age needs
    separations only:

    >>> d = np.ones((1, 3)); p = np.array([[0.1, 0.2, 0.3]])
    >>> f, s = formation_separation_rates(d, p, np.zeros(3), np.zeros((1, 3)), 1.0, 1.0)
    >>> f.tolist(), s.round(4).tolist()
    ([[0.0, 0.0, 0.0]], [[0.0556, 0.0625, 0.0]])
    """
    density = np.asarray(age_density, np.float64)
    p = np.asarray(alone_share, np.float64)
    h = np.clip(np.asarray(death_probability) + np.asarray(move_probability), 0.0, 1.0)
    h = np.broadcast_to(h, density.shape)
    c = np.broadcast_to(np.asarray(couple_share, np.float64), density.shape)
    survivors = density[:, :-1] * (1.0 - h[:, :-1])
    inflow = np.maximum(density[:, 1:] - survivors, 0.0)
    needed = (
        survivors * (p[:, :-1] - p[:, 1:])
        + c[:, :-1] * (1.0 - p[:, :-1]) * h[:, :-1] * survivors
        - partner_share * (1.0 - p[:, 1:]) * inflow
    )
    excess = np.broadcast_to(np.asarray(excess_alone, np.float64), density.shape)
    needed = needed + relaxation_per_year * excess[:, :-1] * density[:, :-1]
    alone = 2.0 * p[:, :-1] * density[:, :-1]
    couples = 2.0 * c[:, :-1] * (1.0 - p[:, :-1]) * density[:, :-1]
    formation = np.zeros_like(density)
    separation = np.zeros_like(density)
    with np.errstate(divide="ignore", invalid="ignore"):
        formation[:, :-1] = np.where(
            (needed > 0) & (alone > 0), needed / np.where(alone > 0, alone, 1.0), 0.0
        )
        separation[:, :-1] = np.where(
            (needed < 0) & (couples > 0), -needed / np.where(couples > 0, couples, 1.0), 0.0
        )
    return formation, separation


def couple_share_by_age(
    age: np.ndarray, lives_alone: np.ndarray, household_ties: np.ndarray, band_years: int = 5
) -> np.ndarray:
    """Share of residents not living alone who live in a couple, by year of age.

    Pooled in bands of ``band_years`` (a small sample has few residents of one year of
    age); a band with nobody sharing counts as all couples.

    Parameters
    ----------
    age : (n,) float, years
    lives_alone : (n,) bool
    household_ties : (n,) int
        Each resident's household ties (one for a member of a couple).
    band_years : int

    Returns
    -------
    ndarray of float in [0, 1], shape (len(demography.AGES),)

    Examples
    --------
    >>> age = np.array([20.0, 21.0, 22.0, 40.0])
    >>> ties = np.array([1, 2, 2, 1]); alone = np.zeros(4, bool)
    >>> couple_share_by_age(age, alone, ties)[[0, 22]].round(3).tolist()
    [0.333, 1.0]
    """
    n_bands = -(-AGES.size // band_years)
    band = np.clip((np.asarray(age) - MIN_AGE).astype(np.int64) // band_years, 0, n_bands - 1)
    sharing = ~np.asarray(lives_alone, bool)
    total = np.bincount(band[sharing], minlength=n_bands)
    couples = np.bincount(band[sharing & (household_ties == 1)], minlength=n_bands)
    share = np.where(total > 0, couples / np.maximum(total, 1), 1.0)
    return share[np.arange(AGES.size) // band_years]


def band_mean_by_age(age: np.ndarray, values: np.ndarray, band_years: int = 5) -> np.ndarray:
    """Mean of ``values`` over residents in bands of ``band_years``, by year of age.

    Parameters
    ----------
    age : (n,) float, years
    values : (n,) float or bool
    band_years : int

    Returns
    -------
    ndarray of float, shape (len(demography.AGES),); 0 for a band with nobody in it

    Examples
    --------
    >>> band_mean_by_age(np.array([20.0, 21.0, 40.0]), np.array([1.0, 0.0, 1.0]))[[0, 22]]
    array([0.5, 1. ])
    """
    n_bands = -(-AGES.size // band_years)
    band = np.clip((np.asarray(age) - MIN_AGE).astype(np.int64) // band_years, 0, n_bands - 1)
    total = np.bincount(band, minlength=n_bands)
    sums = np.bincount(band, weights=np.asarray(values, np.float64), minlength=n_bands)
    return (sums / np.maximum(total, 1))[np.arange(AGES.size) // band_years]


def sort_by_ward_and_age(
    residents: np.ndarray, ward: np.ndarray, age: np.ndarray, n_wards: int
) -> tuple[np.ndarray, np.ndarray]:
    """Residents sorted by ward, then by year of age: a list to find partners in.

    Parameters
    ----------
    residents : (k,) int
        Slots to sort (for example, those living alone).
    ward : (n,) int
        Ward of every slot.
    age : (n,) float, years
        Age of every slot.
    n_wards : int

    Returns
    -------
    slots : (k,) int64
        The residents, by ward and year of age.
    keys : (k,) int
        Their sort keys (``ward * 128 + whole years over 18``), ascending.

    Examples
    --------
    >>> ward = np.array([1, 0, 0]); age = np.array([30.0, 50.0, 20.0])
    >>> sort_by_ward_and_age(np.arange(3), ward, age, 2)[0].tolist()
    [2, 1, 0]
    """
    residents = np.asarray(residents, np.int64)
    keys = age_keys(ward[residents], age[residents], n_wards)
    order = np.argsort(keys, kind="stable")  # radix sort for 16-bit keys
    return residents[order], keys[order]


def age_keys(ward: np.ndarray, age: np.ndarray, n_wards: int) -> np.ndarray:
    """Sort keys of (ward, year of age): 16-bit when they fit, so sorting is a radix sort.

    Parameters
    ----------
    ward : (k,) int
    age : (k,) float, years
    n_wards : int

    Returns
    -------
    (k,) uint16 or int64
    """
    bucket = np.clip((np.asarray(age) - MIN_AGE) * (1.0 / _BUCKET_YEARS), 0, _BUCKETS - 1)
    dtype = np.uint16 if n_wards * _BUCKETS <= np.iinfo(np.uint16).max + 1 else np.int64
    return (np.asarray(ward, np.int64) * _BUCKETS + bucket.astype(np.int64)).astype(dtype)


def find_nearby(
    slots: np.ndarray,
    keys: np.ndarray,
    seekers: np.ndarray,
    ward: np.ndarray,
    age: np.ndarray,
    max_age_gap: float,
    n_wards: int,
    u: np.ndarray,
) -> np.ndarray:
    """For each seeker, a resident of the sorted list in their ward and of similar age.

    The seeker's place in the list is drawn among the residents of their year of age
    (or, if there are none, between the neighbouring years); one of the four listed
    around that place is taken at random, provided they are in the seeker's ward, within
    ``max_age_gap`` years of the seeker's age, and not the seeker.

    Parameters
    ----------
    slots, keys : (k,) arrays
        From :func:`sort_by_ward_and_age`.
    seekers : (s,) int
        Slots of the residents looking.
    ward : (n,) int
    age : (n,) float, years
    max_age_gap : float, years
    n_wards : int
    u : (1 + len(NEARBY_OFFSETS), s) float in [0, 1)
        Draws: the place in the list, then one per candidate (the smallest valid wins).

    Returns
    -------
    (s,) int64
        The resident found, or -1.

    Examples
    --------
    >>> ward = np.zeros(4, int); age = np.array([20.0, 21.0, 60.0, 61.0])
    >>> slots, keys = sort_by_ward_and_age(np.arange(4), ward, age, 1)
    >>> u = np.full((5, 1), 0.5)
    >>> find_nearby(slots, keys, np.array([0]), ward, age, 10.0, 1, u).tolist()
    [1]
    """
    seekers = np.asarray(seekers, np.int64)
    if seekers.size == 0 or slots.size == 0:
        return np.full(seekers.size, -1, np.int64)
    w = ward[seekers]
    qkey = age_keys(w, age[seekers], n_wards)
    lo = np.searchsorted(keys, qkey, side="left")
    hi = np.searchsorted(keys, qkey, side="right")
    place = lo + np.floor(u[0] * (hi - lo + 1)).astype(np.int64)
    pos = place[None, :] + NEARBY_OFFSETS[:, None]
    inside = (pos >= 0) & (pos < slots.size)
    cand = slots[np.clip(pos, 0, slots.size - 1)]
    valid = (
        inside
        & (ward[cand] == w[None, :])
        & (np.abs(age[cand] - age[seekers][None, :]) <= max_age_gap)
        & (cand != seekers[None, :])
    )
    score = np.where(valid, u[1 : 1 + NEARBY_OFFSETS.size], np.inf)
    best = np.argmin(score, axis=0)
    cols = np.arange(seekers.size)
    return np.where(np.isfinite(score[best, cols]), cand[best, cols], -1)


def first_come_pairs(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Which of the proposed pairs to keep so that nobody is in two pairs.

    A pair is kept when it is the first proposal (in list order) that either of its
    residents appears in. Kept pairs never share a resident; when proposals are few
    against the residents they could involve, nearly all are kept.

    Parameters
    ----------
    a, b : (k,) int
        The two residents of each proposed pair (``a[i] != b[i]``).
    n : int
        Resident slots.

    Returns
    -------
    (k,) bool

    Examples
    --------
    >>> first_come_pairs(np.array([0, 2, 1, 4]), np.array([1, 3, 2, 5]), 6).tolist()
    [True, True, False, True]
    """
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    k = a.size
    if k == 0:
        return np.zeros(0, bool)
    first = np.full(n, k, np.int64)
    order = np.arange(k)
    np.minimum.at(first, np.concatenate([a, b]), np.concatenate([order, order]))
    return (first[a] == order) & (first[b] == order)
