"""Demand for public services, capacity, queues, escalation and costs.

Each resident's weekly use of a service is a Poisson count drawn by inverse CDF from one
uniform per resident per service (common random numbers: a scenario that lowers a
resident's rate lowers their count using the same draw). Capacity is per ward and per
week; what cannot be served waits (primary care, talking therapies) or goes unmet
(home care), and part of it escalates to A&E and emergency admissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from thriving.config.schema import MentalHealthConfig, PrimaryCareConfig, ServicesConfig

#: A number, or an array of them (one per ward).
ArrayOrFloat = TypeVar("ArrayOrFloat", float, np.ndarray)

MAX_EVENTS_PER_WEEK = 60  # a resident's weekly rates are far below this
LARGE_RATE = 30.0  # ward totals above this use the normal approximation
_ONE_LESS_MARGIN = 1.0 - 1e-12  # see poisson_from_uniform


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse CDF of one uniform each (monotone in the rate).

    Parameters
    ----------
    rate : (n,) float, events per week
    u : (n,) float in [0, 1)

    Returns
    -------
    (n,) int16

    Examples
    --------
    >>> poisson_from_uniform(np.array([0.1, 0.1, 2.0]), np.array([0.5, 0.95, 0.5])).tolist()
    [0, 1, 2]
    """
    rate = np.asarray(rate, np.float64)
    # A float64 uniform within rounding of 1 would walk the CDF to the cap whatever the
    # rate (float32 uniforms never come that close).
    if u.dtype == np.float64:
        u = np.minimum(u, 1.0 - 1e-12)
    else:  # compared with float64 below: convert once (exact), not in every comparison
        u = np.asarray(u, np.float64)
    count = np.zeros(rate.shape, np.int16)
    # exp(-rate) >= 1 - rate, so a uniform below 1 - rate (less a margin far wider than
    # the rounding of either side) is below the first step of the CDF: no event. Most
    # residents' weekly rates are small, so most never need exp(); the CDF is walked
    # for the others only, on arrays that shrink as they drop out.
    idx = np.flatnonzero(u >= _ONE_LESS_MARGIN - rate)
    r = rate[idx]
    uu = u[idx]
    p = np.exp(-r)
    cdf = p.copy()
    k = 0
    while True:
        more = uu >= cdf
        idx, r, uu, p, cdf = idx[more], r[more], uu[more], p[more], cdf[more]
        if not idx.size or k >= MAX_EVENTS_PER_WEEK:
            return count
        k += 1
        p *= r / k
        cdf += p
        count[idx] = k


def ward_counts_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts of ward totals (escalated demand) by inverse CDF of one uniform each.

    Exact (:func:`poisson_from_uniform`) for small rates; above ``LARGE_RATE`` the
    normal approximation, so a whole ward's failure demand is never capped.

    Parameters
    ----------
    rate : (wards,) float, events per week
    u : (wards,) float in [0, 1)

    Returns
    -------
    (wards,) float64

    Examples
    --------
    >>> ward_counts_from_uniform(np.array([0.5, 400.0]), np.array([0.5, 0.5])).tolist()
    [0.0, 400.0]
    """
    rate = np.asarray(rate, np.float64)
    out = poisson_from_uniform(np.minimum(rate, LARGE_RATE), u).astype(np.float64)
    large = rate > LARGE_RATE
    if large.any():
        from scipy.special import ndtri

        z = ndtri(np.clip(u[large], 1e-12, 1 - 1e-12))
        out[large] = np.maximum(np.round(rate[large] + np.sqrt(rate[large]) * z), 0.0)
    return out


@dataclass
class ResidentDemand:
    """Demand this week, by resident.

    Attributes
    ----------
    gp : (n,) int16, practice appointments wanted
    ae : (n,) int16, A&E attendances
    admissions : (n,) int16, emergency admissions
    mental_health : (n,) bool, talking-therapies referral
    care_hours : (n,) float32, home-care hours wanted (clients only)
    """

    gp: np.ndarray
    ae: np.ndarray
    admissions: np.ndarray
    mental_health: np.ndarray
    care_hours: np.ndarray


@dataclass
class DemandModifiers:
    """Effects of investment levers on each resident's service use.

    Attributes
    ----------
    gp_avoided_per_week : (n,) float
        Practice appointments replaced by link-worker support.
    ae_multiplier, admissions_multiplier : (n,) float
        Relative change in A&E and admission rates (social prescribing).
    escalation_multiplier : (n,) float
        Relative change in episodes ending in A&E or admission (early help).
    """

    gp_avoided_per_week: np.ndarray
    ae_multiplier: np.ndarray
    admissions_multiplier: np.ndarray
    escalation_multiplier: np.ndarray

    @classmethod
    def none(cls, n: int) -> DemandModifiers:
        """No lever effects."""
        zeros = np.zeros(n, np.float32)
        ones = np.ones(n, np.float32)
        return cls(zeros, ones, ones.copy(), ones.copy())

    def reset(self) -> None:
        """Back to no lever effects, in place."""
        self.gp_avoided_per_week.fill(0.0)
        self.ae_multiplier.fill(1.0)
        self.admissions_multiplier.fill(1.0)
        self.escalation_multiplier.fill(1.0)


def support_share(strong_ties: np.ndarray, support_clique: float) -> np.ndarray:
    """Share of a full support clique a resident has (0 to 1)."""
    return np.clip(strong_ties / support_clique, 0.0, 1.0)


def weekly_demand(
    need: np.ndarray,
    age: np.ndarray,
    lonely: np.ndarray,
    support: np.ndarray,
    episode: np.ndarray,
    care_client: np.ndarray,
    modifiers: DemandModifiers,
    cfg: ServicesConfig,
    u: np.ndarray,
) -> ResidentDemand:
    """Each resident's demand for each service this week.

    Parameters
    ----------
    need : (n,) float, need units
    age : (n,) float, years
    lonely, episode, care_client : (n,) bool
    support : (n,) float in [0, 1]
        Share of a full support clique (informal support).
    modifiers : DemandModifiers
    cfg : ServicesConfig
    u : (5, n) float in [0, 1)
        One uniform per resident per service (the ``demand`` stream).

    Returns
    -------
    ResidentDemand
    """
    gp_cfg, ae_cfg, adm_cfg = cfg.gp, cfg.ae, cfg.admissions
    # Every rate is the product and sum written in each comment, operation for
    # operation, so the numbers are exactly those of the formula; only the work is
    # less: a ratio that applies to the lonely multiplies their rates only (times 1.0
    # changes nothing), terms that are zero for most residents are added where they
    # are not, and float32 factors are made float64 once (as numpy would) rather than
    # in slower mixed-type loops.
    lonely_idx = np.flatnonzero(lonely)
    esc = np.asarray(modifiers.escalation_multiplier, np.float64)

    gp = _gp_appointments(need, lonely_idx, support, modifiers, gp_cfg, u[0])

    # ae: base/52 * (1 + slope*need) * where(lonely, ratio, 1)
    #     + episode * attendance * escalation_multiplier
    ae_rate = _times_ratio(
        ae_cfg.base_rate / 52.0 * (1.0 + ae_cfg.need_slope * need),
        lonely_idx,
        ae_cfg.lonely_rate_ratio,
    )
    # Acute episodes bring some residents to A&E; early help averts some of these.
    ep = np.flatnonzero(episode)
    ae_rate[ep] += ae_cfg.episode_attendance * esc[ep]
    ae = poisson_from_uniform(ae_rate * np.asarray(modifiers.ae_multiplier, np.float64), u[1])

    # admissions: base/52 * (1 + slope*need) * where(lonely, ratio, 1)
    #     * escalation_multiplier + ae * from_ae_share
    adm_rate = _times_ratio(
        adm_cfg.base_rate / 52.0 * (1.0 + adm_cfg.need_slope * need),
        lonely_idx,
        adm_cfg.lonely_rate_ratio,
    )
    adm_rate *= esc
    # Attendances admitted: one more admission chance per attendance.
    attended = np.flatnonzero(ae != 0)
    adm_rate[attended] += ae[attended] * adm_cfg.from_ae_share
    admissions = poisson_from_uniform(
        adm_rate * np.asarray(modifiers.admissions_multiplier, np.float64), u[2]
    )

    mental_health = _therapy_referrals(age, lonely_idx, cfg.mental_health, u[3])
    care_hours = home_care_hours(need, support, care_client, cfg)
    return ResidentDemand(gp, ae, admissions, mental_health, care_hours)


def _gp_appointments(
    need: np.ndarray,
    lonely_idx: np.ndarray,
    support: np.ndarray,
    modifiers: DemandModifiers,
    gp_cfg: PrimaryCareConfig,
    u: np.ndarray,
) -> np.ndarray:
    """GP appointments wanted this week (part of :func:`weekly_demand`), (n,) int."""
    # gp: base/52 * (1 + slope*need) * where(lonely, ratio, 1) * (1 - reduction*support)
    gp_rate = _times_ratio(
        gp_cfg.base_rate / 52.0 * (1.0 + gp_cfg.need_slope * need),
        lonely_idx,
        gp_cfg.lonely_rate_ratio,
    )
    gp_rate *= np.asarray(1.0 - gp_cfg.informal_support_reduction * support, np.float64)
    # Link-worker support replaces appointments, but never more than 70 % of a
    # resident's use: some appointments are clinical and cannot be replaced.
    avoided = np.asarray(modifiers.gp_avoided_per_week, np.float64)
    gp_rate = np.maximum(gp_rate - avoided, 0.3 * gp_rate)
    return poisson_from_uniform(gp_rate, u)


def _therapy_referrals(
    age: np.ndarray, lonely_idx: np.ndarray, mh_cfg: MentalHealthConfig, u: np.ndarray
) -> np.ndarray:
    """Talking-therapies referrals this week (part of :func:`weekly_demand`), (n,) bool."""
    # mental health: base/52 * age_ratio * where(lonely, ratio, 1); referred when
    # u < 1 - exp(-rate). That chance is below the rate itself, so only uniforms below
    # the rate (with a margin far above rounding) need it worked out.
    age_ratio = mh_cfg.young_adult_ratio + (0.5 - mh_cfg.young_adult_ratio) * np.clip(
        (age - 18.0) / 62.0, 0.0, 1.0
    )
    mh_rate = _times_ratio(
        mh_cfg.base_rate / 52.0 * age_ratio, lonely_idx, mh_cfg.lonely_rate_ratio
    )
    u_mh = np.asarray(u, np.float64)
    maybe = np.flatnonzero(u_mh < mh_rate * (1.0 + 1e-9))
    mental_health = np.zeros(mh_rate.shape, bool)
    mental_health[maybe] = u_mh[maybe] < -np.expm1(-mh_rate[maybe])
    return mental_health


def _times_ratio(rate: np.ndarray, who: np.ndarray, ratio: float) -> np.ndarray:
    """``rate * np.where(mask, ratio, 1.0)`` in float64, for ``who = flatnonzero(mask)``."""
    rate = rate.astype(np.float64)  # a fresh array, changed in place
    rate[who] *= ratio
    return rate


def home_care_hours(
    need: np.ndarray, support: np.ndarray, care_client: np.ndarray, cfg: ServicesConfig
) -> np.ndarray:
    """Home-care hours each client needs this week, less what informal carers give.

    Parameters
    ----------
    need : (n,) float
    support : (n,) float in [0, 1]
    care_client : (n,) bool
    cfg : ServicesConfig

    Returns
    -------
    (n,) float32, hours per week
    """
    sc = cfg.social_care
    # Worked out for clients only (a few per cent of residents); others need none.
    clients = np.flatnonzero(care_client)
    need, support = need[clients], support[clients]
    hours = sc.hours_at_eligibility + sc.hours_per_need * np.maximum(need - sc.eligibility_need, 0)
    hours = np.minimum(hours, sc.max_hours) * (1.0 - sc.informal_care_reduction * support)
    out = np.zeros(care_client.shape, np.float32)
    out[clients] = hours
    return out


def serve(demand: np.ndarray, capacity: np.ndarray, waiting: np.ndarray, abandon: float):
    """Serve this week's demand plus the waiting list, up to capacity, per ward.

    Parameters
    ----------
    demand, capacity, waiting : (wards,) float
    abandon : float in [0, 1]
        Share of the unserved who give up rather than wait another week.

    Returns
    -------
    delivered, unmet, new_waiting : (wards,) float

    Examples
    --------
    >>> d, u, w = serve(np.array([10.0]), np.array([8.0]), np.array([1.0]), 0.5)
    >>> d.tolist(), u.tolist(), w.tolist()
    ([8.0], [3.0], [1.5])
    """
    wanted = demand + waiting
    delivered = np.minimum(wanted, capacity)
    unmet = wanted - delivered
    return delivered, unmet, unmet * (1.0 - abandon)


def service_cost(
    gp: ArrayOrFloat,
    ae: ArrayOrFloat,
    admissions: ArrayOrFloat,
    care_hours: ArrayOrFloat,
    mh: ArrayOrFloat,
    cfg: ServicesConfig,
) -> ArrayOrFloat:
    """Cost of the services used, £ at the schema's price year (per ward, or a total).

    Examples
    --------
    >>> service_cost(1, 0, 0, 0, 0, ServicesConfig())
    45.0
    """
    return (
        gp * cfg.gp.unit_cost_gbp
        + ae * cfg.ae.unit_cost_gbp
        + admissions * cfg.admissions.unit_cost_gbp
        + care_hours * cfg.social_care.unit_cost_gbp
        + mh * cfg.mental_health.unit_cost_gbp
    )
