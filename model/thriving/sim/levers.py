"""Investment levers: how money becomes activity, and activity changes residents.

Each lever turns its budget into quantities at stated unit costs (link workers, grants,
connectors, team members, residents supported), ramps up after its start, acts each
funded week through explicit mechanisms, and leaves behind what persists (ties, groups
that volunteers keep going, lower need, barriers removed) when funding stops.

Years count from the end of burn-in: year 1 is the first reported year.

A lever never reaches into the model: each week :meth:`Lever.act` reads a
:class:`~thriving.sim.effects.LeverView` and returns a
:class:`~thriving.sim.effects.LeverAction`, its effects for the week and its requests
(open groups, connect residents to groups, log referrals, introduce new ties, ...),
which the model carries out (``effects`` describes the order).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from thriving.config import schema
from thriving.config.wards import WardTable
from thriving.sim.effects import (
    CloseGroups,
    ConnectToGroups,
    FundGroups,
    Introduce,
    LeverAction,
    LeverEffects,
    LeverView,
    LowerBarriers,
    MakeAware,
    OpenGroups,
    Refer,
)
from thriving.sim.groups import draw_capacities
from thriving.sim.meeting import CANDIDATES, meet_closest_in_age
from thriving.sim.network import beta_one_b
from thriving.sim.population import Population
from thriving.sim.rng import Salt, counter_uniforms
from thriving.sim.services import poisson_from_uniform

#: GP appointments a resident's recent GP use averages over when no social prescribing
#: lever sets its own window (``frequent_attender_weeks``), weeks.
DEFAULT_FREQUENT_ATTENDER_WEEKS = 13

#: Weeks between reviews of who is on a neighbourhood team's caseload or receives access
#: support (teams and schemes review their lists periodically, not weekly).
CASELOAD_REVIEW_WEEKS = 4


def highest(candidates: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` candidates with the highest values, in slot order.

    Examples
    --------
    >>> highest(np.array([10, 11, 12]), np.array([0.5, 0.9, 0.1]), 2).tolist()
    [10, 11]
    """
    k = min(k, candidates.size)
    if k <= 0:
        return np.empty(0, np.int64)
    return np.sort(candidates[np.argpartition(-values, k - 1)[:k]])


def _without(chosen: np.ndarray, slots: np.ndarray, n: int) -> np.ndarray:
    """``np.setdiff1d(chosen, slots)`` for sorted, distinct ``chosen`` (from :func:`highest`).

    A flag per slot instead of sorting both lists: a few dozen slots leave each week.
    """
    if chosen.size == 0:
        return chosen
    gone = np.zeros(n, bool)
    gone[slots] = True
    return chosen[~gone[chosen]]


def round_with_dither(amount: float, dither: float) -> int:
    """``amount`` rounded down or up to a whole number: up with chance its fraction.

    ``floor(amount + dither)`` with ``dither`` uniform on [0, 1) is ``amount`` on
    average; with one dither for a whole run, a count that ramps up only ever grows.

    Examples
    --------
    >>> round_with_dither(2.6, 0.3), round_with_dither(2.69, 0.3), round_with_dither(2.71, 0.3)
    (2, 2, 3)
    """
    return int(np.floor(amount + dither))


def target_ward_mask(wards_field: schema.WardTarget, ward_table: WardTable) -> np.ndarray:
    """Boolean mask over wards for an investment's ``wards`` field."""
    mask = np.zeros(ward_table.n_wards, bool)
    if wards_field == "all":
        mask[:] = True
    elif isinstance(wards_field, schema.MostDeprived):
        mask[ward_table.index_of(ward_table.most_deprived(wards_field.most_deprived))] = True
    else:
        mask[ward_table.index_of(list(wards_field))] = True
    return mask


class Lever(ABC):
    """Common timing, targeting and spending of an investment.

    Parameters
    ----------
    entry : schema investment entry
    view : LeverView
        What the lever reads of the model (at the start of the run).
    """

    def __init__(self, entry, view: LeverView):
        self.entry = entry
        burn_in = view.settings.burn_in_weeks
        self.start_week = burn_in + 52 * (entry.start_year - 1)
        self.end_week = burn_in + 52 * entry.end_year  # first week after funding
        self.ward_mask = target_ward_mask(entry.wards, view.wards)
        self.resident_mask = self.ward_mask[view.pop.ward]
        self.residents_targeted = int(self.resident_mask.sum())
        adults = np.where(self.ward_mask, view.ward_residents, 0.0)
        self.spend_share = adults / adults.sum() if adults.sum() > 0 else adults
        self.active = entry.budget_per_year > 0
        # The share of the budget that falls on the simulated residents: a run of fewer
        # residents than the borough simulates a representative sample, so it buys a
        # proportionate share of link workers, grants, connectors and so on.
        self.sample_budget = entry.budget_per_year / view.scale
        # One dither per lever and run, for rounding what the budget buys (groups,
        # caseload places, supported residents) to whole ones: floor(x + u) with u
        # uniform is x on average, where floor(x) lost up to one whole group a run
        # (a quarter of the groups a grant paid for at 5,000-10,000 residents). Drawn by
        # the lever's name and the seed, so paired scenarios share it.
        code = np.array([schema.LEVERS.index(entry.lever)])
        self.dither = float(
            counter_uniforms(view.lever_key ^ Salt.LUMPY_ROUNDING, code, 0, 1)[0, 0]
        )

    def whole(self, amount: float) -> int:
        """``amount`` rounded to a whole number with this run's dither (unbiased)."""
        return round_with_dither(amount, self.dither)

    @property
    def name(self) -> str:
        """The lever's name."""
        return self.entry.lever

    def funded(self, week: int) -> bool:
        """Whether money is being spent this week."""
        return self.active and self.start_week <= week < self.end_week

    def intensity(self, week: int) -> float:
        """Share of full strength reached (ramps up linearly after the start)."""
        if not self.funded(week):
            return 0.0
        ramp = self.entry.ramp_up_weeks
        return 1.0 if ramp == 0 else min(1.0, (week - self.start_week + 1) / ramp)

    def spend(self, week: int) -> float:
        """Money spent this week across the borough, £.

        All of it from the start: the service is recruiting and setting up while it
        ramps up.
        """
        return self.entry.budget_per_year / 52.0 if self.funded(week) else 0.0

    @abstractmethod
    def act(self, view: LeverView) -> LeverAction:
        """Act this week: the lever's effects and requests (``view.week``)."""

    def reset_slots(self, slots: np.ndarray) -> None:  # noqa: B027 (a hook: most keep none)
        """Forget residents who left (their slots now hold in-movers)."""

    def frequent_attender_weeks(self) -> int | None:
        """Weeks of GP use that make a frequent attender, if this lever sets them."""
        return None


class CommunityGrants(Lever):
    """Grants keep at-risk groups going and open new ones in the target wards."""

    def __init__(self, entry: schema.CommunityGrants, view: LeverView):
        super().__init__(entry, view)
        self.groups_funded_per_year = self.sample_budget / entry.grant_per_group_gbp

    def act(self, view: LeverView) -> LeverAction:
        """Fund groups up to what the budget buys; funded groups reach out."""
        week = view.week
        action = LeverAction()
        if not self.funded(week):
            return action
        table = view.groups
        wanted = self.whole(self.groups_funded_per_year * self.intensity(week))
        in_target = self.ward_mask[table.ward]
        funded_now = table.funded(week) & in_target
        short = wanted - int(funded_now.sum())
        last_week = self.end_week - 1
        # Wards with a funded group once the rescued and new groups are funded.
        has_funded = np.zeros(view.wards.n_wards, bool)
        has_funded[table.ward[table.funded(week)]] = True
        if short > 0:
            # First rescue open groups that are struggling, fewest members first.
            at_risk = np.flatnonzero(
                table.open
                & in_target
                & ~funded_now
                & (table.members < view.settings.groups.min_members)
            )
            rescue = at_risk[np.argsort(table.members[at_risk], kind="stable")][:short]
            action.requests.append(FundGroups(rescue, last_week))
            has_funded[table.ward[rescue]] = True
            short -= rescue.size
        if short > 0:
            # Then open new groups, in target wards in proportion to their residents.
            u = counter_uniforms(view.lever_key ^ Salt.GRANT_GROUPS, np.arange(short), week, 2)
            cdf = np.cumsum(self.spend_share)
            wards = np.minimum(
                np.searchsorted(cdf, u[0] * cdf[-1], side="right"), view.wards.n_wards - 1
            )
            caps = draw_capacities(u[1], view.settings.groups.mean_capacity)
            action.requests.append(OpenGroups(wards, caps, last_week, source="grant"))
            has_funded[wards] = True
        # Outreach: residents of wards with a funded group may hear of the local offer.
        reach = (has_funded * self.entry.outreach_awareness)[view.pop.ward]  # by ward first
        action.effects.outreach = reach
        return action


class SocialPrescribing(Lever):
    """Link workers, to whom GPs refer patients with non-medical needs.

    Link workers connect those who engage to community groups; some practice demand is
    replaced.
    """

    def __init__(self, entry: schema.SocialPrescribing, view: LeverView):
        super().__init__(entry, view)
        self.link_workers = self.sample_budget / entry.cost_per_link_worker_gbp
        self.referrals_per_week = self.link_workers * entry.referrals_per_link_worker / 52.0
        # Referrals accumulate and are made whole as they add up; starting from the
        # dither makes the count unbiased (from 0, it fell short by up to one a run).
        self.carry = self.dither
        n = view.pop.size
        self.referred_week = np.full(n, -(10**6), np.int32)
        self.supported_week = np.full(n, -1, np.int32)  # took up the referral

    def reset_slots(self, slots: np.ndarray) -> None:
        """Forget residents who left (their slots now hold in-movers)."""
        self.referred_week[slots] = -(10**6)
        self.supported_week[slots] = -1

    def frequent_attender_weeks(self) -> int | None:
        """Weeks of GP use that make a frequent attender (``frequent_attender_weeks``)."""
        return self.entry.frequent_attender_weeks

    def act(self, view: LeverView) -> LeverAction:
        """Refer, connect, and apply the (decaying) effect on service use."""
        e = self.entry
        week = view.week
        action = LeverAction()
        if self.funded(week):
            self.carry += self.referrals_per_week * self.intensity(week)
            k = int(self.carry)
            self.carry -= k
            if k > 0:
                action.requests += self._refer(view, k)
        supported = np.flatnonzero(self.supported_week >= 0)
        if supported.size:
            years = (week - self.supported_week[supported]) / 52.0
            effect = (1.0 - e.effect_decay_per_year) ** years
            # Factors in float64, as they are computed (see effects.LeverEffects).
            n = self.supported_week.size
            avoided, ae, admissions = np.zeros(n), np.ones(n), np.ones(n)
            avoided[supported] = e.gp_appointments_avoided / 52.0 * effect
            ae[supported] = 1.0 - e.ae_reduction * effect
            admissions[supported] = 1.0 - e.admissions_reduction * effect
            action.effects = LeverEffects(
                gp_avoided_per_week=avoided, ae_multiplier=ae, admissions_multiplier=admissions
            )
        return action

    def _refer(self, view: LeverView, k: int) -> list[MakeAware | ConnectToGroups | Refer]:
        """Refer up to ``k`` residents this week; requests for those referred."""
        pop = view.pop
        week = view.week
        recently = (week - self.referred_week) < 52
        eligible = np.flatnonzero(self.resident_mask & ~recently & (pop.gp_recent > 0))
        if eligible.size == 0:
            return []
        k = min(k, eligible.size)
        if self.entry.targeting == "frequent_attenders":
            top = self._most_frequent_attenders(pop, eligible, k)
        else:
            top = self._referred_in_consultations(view, eligible, week, k)
        top = np.sort(top)
        self.referred_week[top] = week
        u = counter_uniforms(view.lever_key ^ Salt.REFERRAL_UPTAKE, top, week, 2)
        took_up = u[0] < self.entry.uptake
        engaged_flag = took_up & (u[1] < self.entry.engaged_share)
        engaged = top[engaged_flag]
        # Everyone who takes up the referral gets link-worker support (the service-use
        # effect); those who engage are also found a place in a community group.
        self.supported_week[top[took_up]] = week
        return [MakeAware(engaged), ConnectToGroups(engaged), Refer(top, took_up, engaged_flag)]

    @staticmethod
    def _most_frequent_attenders(pop: Population, eligible: np.ndarray, k: int) -> np.ndarray:
        """The k eligible residents with the most recent GP use (targeted schemes)."""
        # GPs refer their most frequent attenders; loneliness counts as much as four
        # extra appointments a year, need as one per unit.
        # gp_recent * 52 + 4 * lonely + need, in float64 as numpy would promote it
        # (pop.need of these residents only; float32 terms converted once).
        need = pop.chronic_need[eligible] + pop.acute_need[eligible]
        score = (pop.gp_recent[eligible] * 52.0).astype(np.float64)
        score += 4.0 * pop.lonely[eligible]
        score += need.astype(np.float64)
        return eligible[np.argpartition(-score, k - 1)[:k]]

    def _referred_in_consultations(
        self, view: LeverView, eligible: np.ndarray, week: int, k: int
    ) -> np.ndarray:
        """Draw k eligible residents, with chance proportional to their GP appointments.

        Every consultation is a chance to be referred, so a resident seeing the GP twice
        as often is twice as likely to be picked; a lonely resident is
        ``referral_lonely_odds_ratio`` times as likely again. Drawn without replacement
        by Efraimidis and Spirakis' keys (the k largest ``log(u) / weight``), with
        counter-based uniforms so each resident's draw is the same under every scenario.
        """
        pop = view.pop
        weight = pop.gp_recent[eligible].astype(np.float64)
        weight[pop.lonely[eligible]] *= self.entry.referral_lonely_odds_ratio
        u = counter_uniforms(view.lever_key ^ Salt.REFERRAL_DRAW, eligible, week, 1)[0]
        with np.errstate(divide="ignore"):  # u = 0 (one in 2**53) gives -inf: last
            keys = np.log(u) / weight  # weight > 0: gp_recent > 0 for the eligible
        return eligible[np.argpartition(-keys, k - 1)[:k]]


class CommunityConnectors(Lever):
    """Community connectors: asset-based neighbourhood workers.

    They reach residents, raise awareness, lower barriers and broker ties, half of them
    across wards (bridging).
    """

    def __init__(self, entry: schema.CommunityConnectors, view: LeverView):
        super().__init__(entry, view)
        self.connectors = self.sample_budget / entry.cost_per_connector_gbp
        self.reach_per_week = self.connectors * entry.residents_reached_per_connector / 52.0
        self.reached = np.zeros(view.pop.size, bool)

    def reset_slots(self, slots: np.ndarray) -> None:
        """In-movers have not been reached."""
        self.reached[slots] = False

    def act(self, view: LeverView) -> LeverAction:
        """Reach residents at random in the target wards this week."""
        week = view.week
        action = LeverAction()
        if not self.funded(week) or self.residents_targeted == 0:
            return action
        pop = view.pop
        p = min(1.0, self.reach_per_week * self.intensity(week) / self.residents_targeted)
        u = view.levers_stream.random(pop.size, dtype=np.float32)
        reached = np.flatnonzero(self.resident_mask & (u < p))
        if reached.size == 0:
            return action
        # Confidence and company to go along: a lasting fall in the barrier, once per
        # resident however often they are reached.
        first = reached[~self.reached[reached]]
        self.reached[first] = True
        action.requests += [
            MakeAware(reached),
            LowerBarriers(first, 1.0 - self.entry.barrier_reduction),
        ]
        draws = counter_uniforms(view.lever_key ^ Salt.INTRODUCTIONS_COUNT, reached, week, 1)
        # Introductions: Poisson number per resident, half in other wards.
        lam = self.entry.introductions_per_reach
        count = poisson_from_uniform(np.full(reached.size, lam), draws[0]).astype(np.int64)
        who = np.repeat(reached, count)
        if who.size == 0:
            return action
        d = counter_uniforms(
            view.lever_key ^ Salt.INTRODUCTIONS_MEETING, np.arange(who.size), week, 5
        )
        bridging = d[0] < 0.5
        net = view.settings.network
        partner = meet_closest_in_age(
            who,
            d[1 : 1 + CANDIDATES],
            pop.age,
            pop.ward,
            view.ward_start,
            view.ward_count,
            nearby=~bridging,
        )
        closeness = beta_one_b(d[1 + CANDIDATES], net.closeness_mean)
        action.requests.append(Introduce(who, partner, net.new_tie_strength, closeness))
        return action


class NeighbourhoodTeams(Lever):
    """Integrated early help for the residents with most need in the target wards.

    On the caseload, need grows more slowly and fewer episodes end in A&E or admission.
    """

    def __init__(self, entry: schema.NeighbourhoodTeams, view: LeverView):
        super().__init__(entry, view)
        self.team = self.sample_budget / entry.cost_per_fte_gbp
        self.caseload = self.team * entry.caseload_per_fte
        self.on_caseload = np.empty(0, np.int64)

    def reset_slots(self, slots: np.ndarray) -> None:
        """Residents who left come off the caseload."""
        self.on_caseload = _without(self.on_caseload, slots, self.resident_mask.size)

    def act(self, view: LeverView) -> LeverAction:
        """Work with the highest-need residents of the target wards, reviewed monthly."""
        week = view.week
        if not self.funded(week):
            return LeverAction()
        if (week - self.start_week) % CASELOAD_REVIEW_WEEKS == 0:
            k = self.whole(self.caseload * self.intensity(week))
            candidates = np.flatnonzero(self.resident_mask)
            self.on_caseload = highest(candidates, view.pop.need[candidates], k)
        caseload = self.on_caseload
        # Float32, as the combined arrays: the factors are those float32 arithmetic gave.
        n = self.resident_mask.size
        slowing = np.zeros(n, np.float32)
        slowing[caseload] = self.entry.need_growth_reduction
        escalation = np.ones(n, np.float32)
        escalation[caseload] = 1.0 - self.entry.escalation_reduction
        return LeverAction(LeverEffects(need_slowing=slowing, escalation_multiplier=escalation))


class Access(Lever):
    """Transport and digital inclusion for the residents facing the highest barriers.

    The barriers return gradually once funding stops.
    """

    def __init__(self, entry: schema.Access, view: LeverView):
        super().__init__(entry, view)
        self.supported = self.sample_budget / entry.cost_per_resident_gbp
        self.relief = np.zeros(view.pop.size, np.float32)
        self.chosen = np.empty(0, np.int64)  # supported this month (reviewed monthly)

    def reset_slots(self, slots: np.ndarray) -> None:
        """In-movers start without support."""
        self.relief[slots] = 0.0
        self.chosen = _without(self.chosen, slots, self.relief.size)

    def act(self, view: LeverView) -> LeverAction:
        """Support residents with the highest barriers; relief fades after funding."""
        week = view.week
        # Weekly factor so that the stated share of the relief is gone after a year.
        keep = (1.0 - min(self.entry.barrier_return_per_year, 1.0)) ** (1.0 / 52.0)
        self.relief *= np.float32(keep)
        if self.funded(week):
            if (week - self.start_week) % CASELOAD_REVIEW_WEEKS == 0:
                k = self.whole(self.supported * self.intensity(week))
                candidates = np.flatnonzero(self.resident_mask)
                self.chosen = highest(candidates, view.pop.base_barrier[candidates], k)
            self.relief[self.chosen] = self.entry.barrier_reduction
        # A copy: the relief fades in place next week, after the model has used it.
        return LeverAction(LeverEffects(barrier_relief=self.relief.copy()))


class Closures(Lever):
    """Disinvestment: community groups closed in the target wards.

    A share of the groups close at the start, and fewer new groups open while funding
    is withdrawn.
    """

    def spend(self, week: int) -> float:
        """Funding withdrawn counts as negative spend (a saving), £ this week."""
        return -self.entry.budget_per_year / 52.0 if self.in_period(week) else 0.0

    def in_period(self, week: int) -> bool:
        """Whether the closures are in force this week (a zero budget closes nothing)."""
        return self.active and self.start_week <= week < self.end_week

    def act(self, view: LeverView) -> LeverAction:
        """Close groups at the start; hold back openings for the period."""
        week = view.week
        action = LeverAction()
        if not self.in_period(week):
            return action
        if week == self.start_week:
            table = view.groups
            candidates = np.flatnonzero(table.open & self.ward_mask[table.ward])
            u = counter_uniforms(
                view.lever_key ^ Salt.GROUP_CLOSURES, table.identity[candidates], week, 1
            )[0]
            action.requests.append(CloseGroups(candidates[u < self.entry.share_closed]))
        action.effects.opening_reduction = self.ward_mask * self.entry.opening_reduction
        return action


LEVER_CLASSES: dict[str, type[Lever]] = {
    "community_grants": CommunityGrants,
    "social_prescribing": SocialPrescribing,
    "community_connectors": CommunityConnectors,
    "neighbourhood_teams": NeighbourhoodTeams,
    "access": Access,
    "closures": Closures,
}


def build_levers(view: LeverView) -> list[Lever]:
    """One lever object per investment entry of the scenario."""
    return [LEVER_CLASSES[entry.lever](entry, view) for entry in view.settings.investments]


def frequent_attender_weeks(levers: list[Lever]) -> int:
    """Weeks of GP use behind the frequent-attender average.

    The first lever's that sets them (social prescribing), else
    ``DEFAULT_FREQUENT_ATTENDER_WEEKS``.
    """
    for lever in levers:
        weeks = lever.frequent_attender_weeks()
        if weeks is not None:
            return weeks
    return DEFAULT_FREQUENT_ATTENDER_WEEKS
