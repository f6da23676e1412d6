"""Investment levers: how money becomes activity, and activity changes residents.

Each lever turns its budget into quantities at stated unit costs (link workers, grants,
connectors, team members, residents supported), ramps up after its start, acts each
funded week through explicit mechanisms, and leaves behind what persists (ties, groups
that volunteers keep going, lower need, barriers removed) when funding stops.

Years count from the end of burn-in: year 1 is the first reported year.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from thriving.config import schema
from thriving.sim.groups import draw_capacities
from thriving.sim.network import beta_one_b, closest_in_age
from thriving.sim.rng import Salt, counter_uniforms
from thriving.sim.services import poisson_from_uniform

if TYPE_CHECKING:
    from thriving.sim.model import NeighbourhoodModel


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


def target_ward_mask(wards_field: schema.WardTarget, ward_table) -> np.ndarray:
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
    model : NeighbourhoodModel
    """

    def __init__(self, entry, model: NeighbourhoodModel):
        self.entry = entry
        burn_in = model.settings.burn_in_weeks
        self.start_week = burn_in + 52 * (entry.start_year - 1)
        self.end_week = burn_in + 52 * entry.end_year  # first week after funding
        self.ward_mask = target_ward_mask(entry.wards, model.wards)
        self.resident_mask = self.ward_mask[model.pop.ward]
        self.residents_targeted = int(self.resident_mask.sum())
        adults = np.where(self.ward_mask, model.ward_residents, 0.0)
        self.spend_share = adults / adults.sum() if adults.sum() > 0 else adults
        self.active = entry.budget_per_year > 0
        # The share of the budget that falls on the simulated residents: a run of fewer
        # residents than the borough simulates a representative sample, so it buys a
        # proportionate share of link workers, grants, connectors and so on.
        self.sample_budget = entry.budget_per_year / model.scale

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
    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Act on the model this week."""


class CommunityGrants(Lever):
    """Grants keep at-risk groups going and open new ones in the target wards."""

    def __init__(self, entry: schema.CommunityGrants, model: NeighbourhoodModel):
        super().__init__(entry, model)
        self.groups_funded_per_year = self.sample_budget / entry.grant_per_group_gbp

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Fund groups up to what the budget buys; funded groups reach out."""
        if not self.funded(week):
            return
        table = model.groups
        wanted = int(np.floor(self.groups_funded_per_year * self.intensity(week)))
        in_target = self.ward_mask[table.ward]
        funded_now = table.funded(week) & in_target
        short = wanted - int(funded_now.sum())
        last_week = self.end_week - 1
        if short > 0:
            # First rescue open groups that are struggling, fewest members first.
            at_risk = np.flatnonzero(
                table.open
                & in_target
                & ~funded_now
                & (table.members < model.settings.groups.min_members)
            )
            rescue = at_risk[np.argsort(table.members[at_risk], kind="stable")][:short]
            table.funded_until[rescue] = last_week
            short -= rescue.size
        if short > 0:
            # Then open new groups, in target wards in proportion to their residents.
            u = counter_uniforms(model.lever_key ^ Salt.GRANT_GROUPS, np.arange(short), week, 2)
            cdf = np.cumsum(self.spend_share)
            wards = np.minimum(
                np.searchsorted(cdf, u[0] * cdf[-1], side="right"), model.wards.n_wards - 1
            )
            caps = draw_capacities(u[1], model.settings.groups.mean_capacity)
            model.open_groups(wards, caps, week, funded_until=last_week, source="grant")
        # Outreach: residents of wards with a funded group may hear of the local offer.
        has_funded = np.zeros(model.wards.n_wards, bool)
        has_funded[table.ward[table.funded(week)]] = True
        reach = (has_funded * self.entry.outreach_awareness)[model.pop.ward]  # by ward first
        np.maximum(model.outreach, reach, out=model.outreach)


class SocialPrescribing(Lever):
    """Link workers, to whom GPs refer patients with non-medical needs.

    Link workers connect those who engage to community groups; some practice demand is
    replaced.
    """

    def __init__(self, entry: schema.SocialPrescribing, model: NeighbourhoodModel):
        super().__init__(entry, model)
        self.link_workers = self.sample_budget / entry.cost_per_link_worker_gbp
        self.referrals_per_week = self.link_workers * entry.referrals_per_link_worker / 52.0
        self.carry = 0.0
        n = model.pop.size
        self.referred_week = np.full(n, -(10**6), np.int32)
        self.supported_week = np.full(n, -1, np.int32)  # took up the referral

    def reset_slots(self, slots: np.ndarray) -> None:
        """Forget residents who left (their slots now hold in-movers)."""
        self.referred_week[slots] = -(10**6)
        self.supported_week[slots] = -1

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Refer, connect, and apply the (decaying) effect on service use."""
        e = self.entry
        if self.funded(week):
            self.carry += self.referrals_per_week * self.intensity(week)
            k = int(self.carry)
            self.carry -= k
            if k > 0:
                self._refer(model, week, k)
        supported = np.flatnonzero(self.supported_week >= 0)
        if supported.size:
            years = (week - self.supported_week[supported]) / 52.0
            effect = (1.0 - e.effect_decay_per_year) ** years
            mods = model.modifiers
            mods.gp_avoided_per_week[supported] += e.gp_appointments_avoided / 52.0 * effect
            mods.ae_multiplier[supported] *= 1.0 - e.ae_reduction * effect
            mods.admissions_multiplier[supported] *= 1.0 - e.admissions_reduction * effect

    def _refer(self, model: NeighbourhoodModel, week: int, k: int) -> None:
        pop = model.pop
        recently = (week - self.referred_week) < 52
        eligible = np.flatnonzero(self.resident_mask & ~recently & (pop.gp_recent > 0))
        if eligible.size == 0:
            return
        k = min(k, eligible.size)
        if self.entry.targeting == "frequent_attenders":
            top = self._most_frequent_attenders(pop, eligible, k)
        else:
            top = self._referred_in_consultations(model, eligible, week, k)
        top = np.sort(top)
        self.referred_week[top] = week
        u = counter_uniforms(model.lever_key ^ Salt.REFERRAL_UPTAKE, top, week, 2)
        took_up = u[0] < self.entry.uptake
        engaged_flag = took_up & (u[1] < self.entry.engaged_share)
        engaged = top[engaged_flag]
        # Everyone who takes up the referral gets link-worker support (the service-use
        # effect); those who engage are also found a place in a community group.
        self.supported_week[top[took_up]] = week
        pop.aware[engaged] = True
        model.connect_to_groups(engaged, week)
        model.record_referrals(top, week, took_up, engaged_flag)

    @staticmethod
    def _most_frequent_attenders(pop, eligible: np.ndarray, k: int) -> np.ndarray:
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
        self, model: NeighbourhoodModel, eligible: np.ndarray, week: int, k: int
    ) -> np.ndarray:
        """Draw k eligible residents, with chance proportional to their GP appointments.

        Every consultation is a chance to be referred, so a resident seeing the GP twice
        as often is twice as likely to be picked; a lonely resident is
        ``referral_lonely_odds_ratio`` times as likely again. Drawn without replacement
        by Efraimidis and Spirakis' keys (the k largest ``log(u) / weight``), with
        counter-based uniforms so each resident's draw is the same under every scenario.
        """
        pop = model.pop
        weight = pop.gp_recent[eligible].astype(np.float64)
        weight[pop.lonely[eligible]] *= self.entry.referral_lonely_odds_ratio
        u = counter_uniforms(model.lever_key ^ Salt.REFERRAL_DRAW, eligible, week, 1)[0]
        with np.errstate(divide="ignore"):  # u = 0 (one in 2**53) gives -inf: last
            keys = np.log(u) / weight  # weight > 0: gp_recent > 0 for the eligible
        return eligible[np.argpartition(-keys, k - 1)[:k]]


class CommunityConnectors(Lever):
    """Community connectors: asset-based neighbourhood workers.

    They reach residents, raise awareness, lower barriers and broker ties, half of them
    across wards (bridging).
    """

    def __init__(self, entry: schema.CommunityConnectors, model: NeighbourhoodModel):
        super().__init__(entry, model)
        self.connectors = self.sample_budget / entry.cost_per_connector_gbp
        self.reach_per_week = self.connectors * entry.residents_reached_per_connector / 52.0
        self.reached = np.zeros(model.pop.size, bool)

    def reset_slots(self, slots: np.ndarray) -> None:
        """In-movers have not been reached."""
        self.reached[slots] = False

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Reach residents at random in the target wards this week."""
        if not self.funded(week) or self.residents_targeted == 0:
            return
        pop = model.pop
        p = min(1.0, self.reach_per_week * self.intensity(week) / self.residents_targeted)
        u = model.streams["levers"].random(pop.size, dtype=np.float32)
        reached = np.flatnonzero(self.resident_mask & (u < p))
        if reached.size == 0:
            return
        pop.aware[reached] = True
        # Confidence and company to go along: a lasting fall in the barrier, once per
        # resident however often they are reached.
        first = reached[~self.reached[reached]]
        self.reached[first] = True
        pop.base_barrier[first] *= 1.0 - self.entry.barrier_reduction
        draws = counter_uniforms(model.lever_key ^ Salt.INTRODUCTIONS_COUNT, reached, week, 1)
        # Introductions: Poisson number per resident, half in other wards.
        lam = self.entry.introductions_per_reach
        count = poisson_from_uniform(np.full(reached.size, lam), draws[0]).astype(np.int64)
        who = np.repeat(reached, count)
        if who.size == 0:
            return
        d = counter_uniforms(
            model.lever_key ^ Salt.INTRODUCTIONS_MEETING, np.arange(who.size), week, 5
        )
        bridging = d[0] < 0.5
        n = pop.size
        ws, wc = model.ward_start, model.ward_count
        w = pop.ward[who]
        tries = np.where(bridging, np.floor(d[1:4] * n), ws[w] + np.floor(d[1:4] * wc[w])).astype(
            np.int64
        )
        partner = closest_in_age(who, tries, pop.age)
        closeness = beta_one_b(d[4], model.settings.network.closeness_mean)
        model.ties.queue(who, partner, model.settings.network.new_tie_strength, closeness)


class NeighbourhoodTeams(Lever):
    """Integrated early help for the residents with most need in the target wards.

    On the caseload, need grows more slowly and fewer episodes end in A&E or admission.
    """

    def __init__(self, entry: schema.NeighbourhoodTeams, model: NeighbourhoodModel):
        super().__init__(entry, model)
        self.team = self.sample_budget / entry.cost_per_fte_gbp
        self.caseload = self.team * entry.caseload_per_fte
        self.on_caseload = np.empty(0, np.int64)

    def reset_slots(self, slots: np.ndarray) -> None:
        """Residents who left come off the caseload."""
        self.on_caseload = _without(self.on_caseload, slots, self.resident_mask.size)

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Work with the highest-need residents of the target wards, reviewed monthly."""
        if not self.funded(week):
            return
        if (week - self.start_week) % CASELOAD_REVIEW_WEEKS == 0:
            k = int(self.caseload * self.intensity(week))
            candidates = np.flatnonzero(self.resident_mask)
            self.on_caseload = highest(candidates, model.pop.need[candidates], k)
        caseload = self.on_caseload
        model.need_slowing[caseload] = np.maximum(
            model.need_slowing[caseload], self.entry.need_growth_reduction
        )
        model.modifiers.escalation_multiplier[caseload] *= 1.0 - self.entry.escalation_reduction
        model.on_caseload[caseload] = True


class Access(Lever):
    """Transport and digital inclusion for the residents facing the highest barriers.

    The barriers return gradually once funding stops.
    """

    def __init__(self, entry: schema.Access, model: NeighbourhoodModel):
        super().__init__(entry, model)
        self.supported = self.sample_budget / entry.cost_per_resident_gbp
        self.relief = np.zeros(model.pop.size, np.float32)
        self.chosen = np.empty(0, np.int64)  # supported this month (reviewed monthly)

    def reset_slots(self, slots: np.ndarray) -> None:
        """In-movers start without support."""
        self.relief[slots] = 0.0
        self.chosen = _without(self.chosen, slots, self.relief.size)

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Support residents with the highest barriers; relief fades after funding."""
        # Weekly factor so that the stated share of the relief is gone after a year.
        keep = (1.0 - min(self.entry.barrier_return_per_year, 1.0)) ** (1.0 / 52.0)
        self.relief *= np.float32(keep)
        if self.funded(week):
            if (week - self.start_week) % CASELOAD_REVIEW_WEEKS == 0:
                k = int(self.supported * self.intensity(week))
                candidates = np.flatnonzero(self.resident_mask)
                self.chosen = highest(candidates, model.pop.base_barrier[candidates], k)
            self.relief[self.chosen] = self.entry.barrier_reduction
        np.maximum(model.barrier_relief, self.relief, out=model.barrier_relief)


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

    def apply(self, model: NeighbourhoodModel, week: int) -> None:
        """Close groups at the start; hold back openings for the period."""
        if not self.in_period(week):
            return
        if week == self.start_week:
            table = model.groups
            candidates = np.flatnonzero(table.open & self.ward_mask[table.ward])
            u = counter_uniforms(
                model.lever_key ^ Salt.GROUP_CLOSURES, table.identity[candidates], week, 1
            )[0]
            close = candidates[u < self.entry.share_closed]
            model.close_groups(close, week)
        np.maximum(
            model.opening_reduction,
            self.ward_mask * self.entry.opening_reduction,
            out=model.opening_reduction,
        )


LEVER_CLASSES: dict[str, type[Lever]] = {
    "community_grants": CommunityGrants,
    "social_prescribing": SocialPrescribing,
    "community_connectors": CommunityConnectors,
    "neighbourhood_teams": NeighbourhoodTeams,
    "access": Access,
    "closures": Closures,
}


def build_levers(model: NeighbourhoodModel) -> list[Lever]:
    """One lever object per investment entry of the scenario."""
    return [LEVER_CLASSES[entry.lever](entry, model) for entry in model.settings.investments]
