"""Meeting someone new: the closest in age of three residents met.

One rule picks the partner of every new tie that is not made in a group or through a
friend: chance encounters (``network.form_new_ties()``), the neighbours an in-mover
meets (``in_movers``) and the introductions community connectors broker (``levers``).
The resident meets three others, in their own ward or anywhere in the borough, and the
tie is with the closest in age (age homophily). Its closeness is then drawn from the
new ties' Beta distribution (``network.beta_one_b()``), as for every new tie.

This module imports nothing of the model (the network package uses it).
"""

from __future__ import annotations

import numpy as np

#: Residents met, of whom the closest in age becomes the new tie.
CANDIDATES = 3


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


def meet_closest_in_age(
    residents: np.ndarray,
    candidate_u: np.ndarray,
    age: np.ndarray,
    ward: np.ndarray,
    ward_start: np.ndarray,
    ward_count: np.ndarray,
    nearby: np.ndarray | None = None,
) -> np.ndarray:
    """Whom each resident meets: the closest in age of three residents met.

    Parameters
    ----------
    residents : (k,) int
        Residents meeting someone (a resident may appear more than once).
    candidate_u : (3, k) float in [0, 1)
        One uniform per candidate met: picks a slot of the resident's ward, or of the
        borough.
    age : (n,) float, years
    ward : (n,) int
    ward_start, ward_count : (wards,) int
        First slot and number of slots of each ward (slots are contiguous by ward).
    nearby : (k,) bool, optional
        Whether each meets residents of their own ward (True) or of the whole borough
        (False); all in their own ward if not given.

    Returns
    -------
    partner : (k,) int64
        The closest in age of the candidates (never the resident; a candidate who is
        the resident counts as infinitely far in age).

    Examples
    --------
    >>> age = np.array([30.0, 31.0, 60.0, 45.0])
    >>> ward = np.zeros(4, np.int64)
    >>> u = np.array([[0.3], [0.6], [0.9]])  # slots 1, 2 and 3 of the ward
    >>> meet_closest_in_age(np.array([0]), u, age, ward, np.array([0]), np.array([4])).tolist()
    [1]
    """
    w = ward[residents]
    local = ward_start[w] + np.floor(candidate_u * ward_count[w])
    if nearby is None:
        tries = local.astype(np.int64)
    else:
        anywhere = np.floor(candidate_u * age.size)
        tries = np.where(nearby, local, anywhere).astype(np.int64)
    return closest_in_age(residents, tries, age)
