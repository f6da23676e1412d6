"""How close ties are: the weekly chance of contact of new ties and of existing ones.

A new tie's closeness is Beta(1, b) (:func:`beta_one_b`): most ties occasional, a few
close. The ties that exist at a moment are the ones that lasted, so their closeness is
that of new ties weighted by how long each closeness lasts (:func:`tie_lifetime_weeks`,
:func:`surviving_closeness`); that is the closeness of the initial network.
"""

from __future__ import annotations

import functools

import numpy as np

from thriving.config.schema import NetworkConfig

#: Closeness values on which the closeness of the initial ties is tabulated.
CLOSENESS_GRID = np.linspace(0.0025, 0.9975, 200)


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
    its strength follows the contact (as :func:`~thriving.sim.network.dynamics.weekly_contact`,
    without the same-group bonus); it drops below ``drop_threshold``. Either resident
    leaves the borough (death or move) at ``leave_per_year`` for the pair. Estimated by
    simulating ``ties_each`` ties per value for ``horizon_weeks``, with a fixed seed of
    its own (so the result is a deterministic function of its arguments and touches no
    model stream); a tie still alive then is expected to last until an end leaves.

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
    """Cumulative distribution of :func:`surviving_closeness` at the grid's cell edges.

    Cached: every run of a sweep with the same network settings uses the same table,
    and simulating the tie lifetimes takes a noticeable fraction of a second.
    """
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
        round(leave_per_year, 6),  # rounded so that float noise does not miss the cache
    )
    edges = np.concatenate([[0.0], (CLOSENESS_GRID[1:] + CLOSENESS_GRID[:-1]) / 2, [1.0]])
    return np.interp(u, cdf, edges)
