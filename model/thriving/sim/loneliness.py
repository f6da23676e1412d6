"""Loneliness: a continuous score that drifts towards each resident's own target.

The target is set by living alone, missing strong ties, group participation, need,
age, ward deprivation and, optionally, the loneliness of one's ties (contagion). The
score is a mean-reverting (Ornstein-Uhlenbeck) process; a resident is "often/always
lonely" while the score is above the threshold.
"""

from __future__ import annotations

import numpy as np

from thriving.config.schema import LonelinessConfig

YOUNG_EFFECT_ENDS_AT = 70.0  # years: the young-adult excess falls linearly to 0 here


def loneliness_target(
    trait: np.ndarray,
    age: np.ndarray,
    lives_alone: np.ndarray,
    strong_ties: np.ndarray,
    member: np.ndarray,
    need: np.ndarray,
    deprivation: np.ndarray,
    lonely_strong_ties: np.ndarray,
    cfg: LonelinessConfig,
) -> np.ndarray:
    """Score each resident's loneliness drifts towards.

    Parameters
    ----------
    trait : (n,) float, score
    age : (n,) float, years
    lives_alone, member : (n,) bool
    strong_ties : (n,) float
    need : (n,) float, need units
    deprivation : (n,) float in [0, 1]
    lonely_strong_ties : (n,) float
        Strong ties who are lonely.
    cfg : LonelinessConfig

    Returns
    -------
    (n,) float32, score

    Examples
    --------
    >>> cfg = LonelinessConfig()
    >>> one = np.ones(1)
    >>> alone = loneliness_target(0 * one, 40 * one, one > 0, 0 * one, one < 0, 0 * one,
    ...                           0 * one, 0 * one, cfg)
    >>> with_friends = loneliness_target(0 * one, 40 * one, one > 0, 4 * one, one < 0,
    ...                                  0 * one, 0 * one, 0 * one, cfg)
    >>> bool(alone[0] > with_friends[0])
    True
    """
    young = np.clip((YOUNG_EFFECT_ENDS_AT - age) / (YOUNG_EFFECT_ENDS_AT - 18.0), 0.0, 1.0)
    missing_support = np.clip(1.0 - strong_ties / cfg.support_clique, 0.0, 1.0)
    target = _running_sum(
        trait,
        cfg.young_adult_effect * young,
        cfg.living_alone_effect * lives_alone,
        cfg.support_effect * missing_support,
        -cfg.participation_effect * member,  # x - p*m is x + (-p)*m, bit for bit
        cfg.need_effect * need,
        cfg.deprivation_effect * deprivation,
        cfg.contagion_strength * cfg.contagion_per_lonely_tie * lonely_strong_ties,
    )
    return target.astype(np.float32)


def _running_sum(first: np.ndarray, *terms) -> np.ndarray:
    """``first + terms[0] + terms[1] ...`` left to right, each step in numpy's dtype.

    The same numbers as writing the sum out, with fewer temporary arrays and no mixed
    float32/float64 loops (a float32 term is converted once, as numpy would convert it).
    """
    total = np.array(first)  # a copy, added to in place
    for term in terms:
        dtype = np.result_type(total, term)
        if total.dtype != dtype:
            total = total.astype(dtype)
        total += np.asarray(term, dtype)
    return total


def update_score(
    score: np.ndarray, target: np.ndarray, shocks: np.ndarray, cfg: LonelinessConfig
) -> np.ndarray:
    """One week of the score's mean-reverting drift, with life events as noise.

    The noise is scaled so that the long-run spread around the target is ``noise_sd``
    whatever the persistence.

    Parameters
    ----------
    score, target : (n,) float
    shocks : (n,) float
        Standard normal draws (the ``loneliness`` stream).
    cfg : LonelinessConfig

    Returns
    -------
    (n,) float32
    """
    k = 1.0 / (52.0 * cfg.persistence_years)
    k = min(k, 1.0)
    sd = cfg.noise_sd * np.sqrt(k * (2.0 - k))
    return (score + k * (target - score) + sd * shocks).astype(np.float32)
