"""Health and care need, acute episodes, and mortality.

Need has two parts: chronic need, which accumulates with age (faster when lonely,
slower when active, slower on an early-help caseload), and acute need from episodes
(infections, falls, flare-ups) that recovers over weeks. The acute part is what makes
regression to the mean real: a resident picked for frequent attendance is often at the
peak of an episode and would have improved anyway.
"""

from __future__ import annotations

import numpy as np

from thriving.config.schema import HealthConfig
from thriving.sim.demography import annual_death_probability, weekly_hazard

#: Excess need (need units) beyond which the mortality hazard ratio stops growing.
EXCESS_NEED_RANGE = (-3.0, 6.0)


def chronic_need_growth(
    age: np.ndarray,
    frailty: np.ndarray,
    lonely: np.ndarray,
    member: np.ndarray,
    slowing: np.ndarray,
    cfg: HealthConfig,
) -> np.ndarray:
    """Weekly growth of chronic need.

    Parameters
    ----------
    age : (n,) float, years
    frailty : (n,) float
    lonely, member : (n,) bool
    slowing : (n,) float in [0, 1]
        Extra relative slowing (early-help caseload).
    cfg : HealthConfig

    Returns
    -------
    (n,) float32, need units per week
    """
    base = cfg.need_growth_at_50 * np.exp(cfg.need_growth_per_year_of_age * (age - 50.0))
    modifier = (1.0 + cfg.lonely_need_acceleration * lonely) * (
        1.0 - cfg.active_need_slowing * member
    )
    # frailty * base / 52 * modifier * (1 - slowing), float32 factors converted once
    # (as numpy would) rather than in slower mixed-type loops.
    growth = _times(frailty, base) / 52.0
    return _times(_times(growth, modifier), 1.0 - slowing).astype(np.float32)


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a * b``, both converted to numpy's common dtype first (the same numbers)."""
    dtype = np.result_type(a, b)
    return np.asarray(a, dtype) * np.asarray(b, dtype)


def episode_probability(chronic_need: np.ndarray, cfg: HealthConfig) -> np.ndarray:
    """Weekly chance of an acute episode, rising with chronic need.

    Parameters
    ----------
    chronic_need : (n,) float
    cfg : HealthConfig

    Returns
    -------
    (n,) float in [0, 1]
    """
    rate = cfg.episode_rate / 52.0 * (1.0 + cfg.episode_need_slope * chronic_need)
    return -np.expm1(-rate)


def update_acute_need(
    acute_need: np.ndarray,
    episode: np.ndarray,
    size_uniform: np.ndarray,
    cfg: HealthConfig,
) -> np.ndarray:
    """Recover from past episodes and add this week's (exponential sizes).

    Parameters
    ----------
    acute_need : (n,) float
    episode : (n,) bool
    size_uniform : (n,) float in [0, 1)
    cfg : HealthConfig

    Returns
    -------
    (n,) float32
    """
    recovered = acute_need * np.float32(np.exp(-1.0 / cfg.episode_recovery_weeks))
    # Sizes only for this week's episodes (few residents): without one, need is what
    # it recovered to, as adding the zero of ``episode * size`` would leave it.
    hit = np.flatnonzero(episode)
    size = -cfg.episode_size * np.log1p(-size_uniform[hit])
    out = recovered.astype(np.float32)
    out[hit] = recovered[hit] + size
    return out


def mortality_relative_risk(
    excess_need: np.ndarray,
    lonely: np.ndarray,
    isolated: np.ndarray,
    cfg: HealthConfig,
) -> np.ndarray:
    """Relative hazard of death against others of the same age.

    Parameters
    ----------
    excess_need : (n,) float
        Need above the average for the resident's age.
    lonely, isolated : (n,) bool
    cfg : HealthConfig

    Returns
    -------
    (n,) float
    """
    log_rr = (
        np.log(cfg.mortality_need_hr) * np.clip(excess_need, *EXCESS_NEED_RANGE)
        + np.log(cfg.mortality_lonely_hr) * lonely
        + np.log(cfg.mortality_isolated_hr) * isolated
    )
    return np.exp(log_rr)


def largest_relative_risk(cfg: HealthConfig) -> float:
    """A bound no relative risk of :func:`mortality_relative_risk` can exceed.

    The largest product of the three hazard ratios, with a margin (one part in a
    million) far wider than the rounding of the risks as computed.

    Examples
    --------
    >>> cfg = HealthConfig()
    >>> risks = mortality_relative_risk(np.linspace(-9, 9, 19), np.ones(19, bool),
    ...                                 np.ones(19, bool), cfg)
    >>> bool(risks.max() <= largest_relative_risk(cfg))
    True
    """
    need = np.log(cfg.mortality_need_hr) * np.array(EXCESS_NEED_RANGE)
    log_max = (
        need.max()
        + max(np.log(cfg.mortality_lonely_hr), 0.0)
        + max(np.log(cfg.mortality_isolated_hr), 0.0)
    )
    return float(np.exp(log_max)) * (1.0 + 1e-6)


def weekly_death_probability(base_hazard: np.ndarray, relative_risk: np.ndarray, norm):
    """Chance of dying this week.

    Parameters
    ----------
    base_hazard : (n,) float, per week
        Life-table hazard at each resident's age (see :func:`base_weekly_hazard`).
    relative_risk : (n,) float
    norm : (n,) float
        Divides the relative risks so deaths at each age match the life table (set
        during burn-in and then frozen).

    Returns
    -------
    (n,) float in [0, 1]
    """
    return -np.expm1(-base_hazard * relative_risk / norm)


def base_weekly_hazard(age: np.ndarray) -> np.ndarray:
    """Life-table weekly hazard of death at each age (pre-pandemic level).

    Parameters
    ----------
    age : (n,) float, years

    Returns
    -------
    (n,) float, per week
    """
    return weekly_hazard(annual_death_probability(age))
