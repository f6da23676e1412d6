"""Meeting someone new: the closest in age of three residents met.

One rule makes every new tie that is not made in a group or through a friend: chance
encounters (``network.form_new_ties()``), the neighbours an in-mover meets
(``in_movers``) and the introductions community connectors broker (``levers``). The
resident meets three others, in their own ward or anywhere in the borough, and the
tie is with the closest in age (age homophily); its closeness is drawn from the new
ties' Beta distribution.
"""

from __future__ import annotations

import numpy as np

from thriving.sim.network import beta_one_b, closest_in_age

#: Residents met, of whom the closest in age becomes the new tie.
CANDIDATES = 3


def meet_closest_in_age(
    residents: np.ndarray,
    candidate_u: np.ndarray,
    closeness_u: np.ndarray,
    age: np.ndarray,
    ward: np.ndarray,
    ward_start: np.ndarray,
    ward_count: np.ndarray,
    closeness_mean: float,
    nearby: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Whom each resident meets, and how close the new tie is.

    Parameters
    ----------
    residents : (k,) int
        Residents meeting someone (a resident may appear more than once).
    candidate_u : (3, k) float in [0, 1)
        One uniform per candidate met: picks a slot of the resident's ward, or of the
        borough.
    closeness_u : (k,) float in [0, 1)
        Uniform for the new tie's closeness.
    age : (n,) float, years
    ward : (n,) int
    ward_start, ward_count : (wards,) int
        First slot and number of slots of each ward (slots are contiguous by ward).
    closeness_mean : float in (0, 1)
        Mean closeness of new ties (``network.closeness_mean``).
    nearby : (k,) bool, optional
        Whether each meets residents of their own ward (True) or of the whole borough
        (False); all in their own ward if not given.

    Returns
    -------
    partner : (k,) int64
        The closest in age of the candidates (never the resident; a candidate who is
        the resident counts as infinitely far in age).
    closeness : (k,) float
        Closeness of each new tie.

    Examples
    --------
    >>> age = np.array([30.0, 31.0, 60.0, 45.0])
    >>> ward = np.zeros(4, np.int64)
    >>> u = np.array([[0.3], [0.6], [0.9]])  # slots 1, 2 and 3 of the ward
    >>> partner, closeness = meet_closest_in_age(
    ...     np.array([0]), u, np.array([0.5]), age, ward, np.array([0]), np.array([4]), 0.2
    ... )
    >>> partner.tolist()
    [1]
    """
    w = ward[residents]
    local = ward_start[w] + np.floor(candidate_u * ward_count[w])
    if nearby is None:
        tries = local.astype(np.int64)
    else:
        anywhere = np.floor(candidate_u * age.size)
        tries = np.where(nearby, local, anywhere).astype(np.int64)
    partner = closest_in_age(residents, tries, age)
    return partner, beta_one_b(closeness_u, closeness_mean)
