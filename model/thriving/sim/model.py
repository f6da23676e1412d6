"""NeighbourhoodModel: the week, in order, and what is recorded.

Process order in one week (design.md §2): investments take effect → groups open and
close → residents join and leave groups → ties form, strengthen, decay → loneliness
and need update → demand is generated → services serve, queue and escalate → deaths
and in-movers → metrics are recorded.

Every step is a handful of vectorised operations over resident arrays and tie arrays;
there is no Python loop over residents or ties.
"""

from __future__ import annotations

import mesa
import numpy as np

from thriving.config.schema import Scenario
from thriving.config.wards import WardTable, load_ward_table
from thriving.sim import demography, health, households, loneliness, network, services
from thriving.sim import groups as groups_mod
from thriving.sim.agents import CommunityGroup, Resident, Service
from thriving.sim.cohort import GPUseTracker
from thriving.sim.demography import AgeLookup
from thriving.sim.levers import SocialPrescribing, build_levers
from thriving.sim.population import PopulationBuilder, expected_chronic_need, ward_sizes
from thriving.sim.recording import Recorder
from thriving.sim.rng import Salt, counter_uniforms, make_streams, stream_key

#: Five-year age bands (18-22, ..., 98+) within which mortality risk factors are
#: normalised to the life table.
MORTALITY_BANDS = 17

#: Ties an in-mover makes on arrival (neighbours, workmates, people met settling in).
NEWCOMER_TIES = 6

#: Share a year of any excess (or shortfall) living alone at an age that the yearly
#: household rates correct, beyond the balance they are derived from.
HOUSEHOLD_RELAXATION_PER_YEAR = 1.0
#: Weeks between reviews of who moves in together and who separates (households change
#: over months; reviewing every week cost a tenth of the model's time for no difference
#: in the profile).
HOUSEHOLD_REVIEW_WEEKS = 4


class NeighbourhoodModel(mesa.Model):
    """A borough of residents, ties, community groups and services, week by week.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario.
    seed : int
        Fixes the run exactly.
    wards : WardTable, optional
        The ward table; read from ``scenario.population.wards_file`` if not given.
    track_gp_use : bool
        Keep each resident's GP appointments by quarter (``RunResult.gp_quarters``),
        for before-and-after analyses of social prescribing; changes no result.

    Examples
    --------
    >>> from thriving.config.schema import Scenario
    >>> s = Scenario(name="tiny", population={"residents": 500},
    ...              horizon={"years": 1, "burn_in_years": 0})
    >>> m = NeighbourhoodModel(s, seed=1)
    >>> result = m.run()
    >>> len(result.timeseries)
    52
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        wards: WardTable | None = None,
        track_gp_use: bool = False,
    ):
        super().__init__(rng=seed)
        self.settings = scenario
        self.seed = int(seed)
        self.wards = wards if wards is not None else load_ward_table(scenario.population.wards_file)
        self.streams = make_streams(self.seed)
        self.population_key = stream_key(self.seed, "population")
        self.network_key = stream_key(self.seed, "network")
        self.lever_key = stream_key(self.seed, "levers")
        self.tie_formation_key = stream_key(self.seed, "tie_formation")
        self.ties_key = stream_key(self.seed, "ties")
        self.groups_key = stream_key(self.seed, "groups")
        self.participation_key = stream_key(self.seed, "participation")
        self.households_key = stream_key(self.seed, "households")
        self.week = 0

        # Residents.
        self.builder = PopulationBuilder(scenario, self.wards)
        self.pop = self.builder.initial(self.streams["population"])
        n = self.pop.size
        self.ward_start, self.ward_count = network.ward_ranges(self.pop.ward, self.wards.n_wards)
        self.ward_residents = self.ward_count.astype(np.float64)
        # Borough adults per simulated resident (1 when the whole borough is simulated).
        self.scale = float(self.wards.adults.sum()) / n
        self._wards_all_occupied = bool((self.ward_count > 0).all())

        # Ties. A tie ends when either of its residents leaves: about twice the yearly
        # share of adults who die or move away (used to start the network with the
        # ties that last, as in a network that has run for years).
        leaving = np.mean(
            demography.annual_death_probability(self.pop.age)
            + self.builder.weekly_move_probability(self.pop.ward, self.pop.age) * 52.0
        )
        self.ties = network.initial_ties(
            self.pop.ward,
            self.pop.age,
            self.pop.lives_alone,
            scenario.network,
            self.streams["network"],
            leave_per_year=2.0 * float(leaving),
        )
        hh = self.ties.household & self.ties.alive
        self.household_ties = (
            np.bincount(self.ties.src[hh], minlength=n)
            + np.bincount(self.ties.dst[hh], minlength=n)
        ).astype(np.int16)
        self._tabulate_household_rates()

        # Community groups, with members near their long-run level from the start.
        self.groups = groups_mod.GroupTable()
        self.group_agents: dict[int, CommunityGroup] = {}
        # The borough's groups, shared among wards by largest remainder (rounding each
        # ward separately would leave a small sample with no groups at all).
        total_groups = int(round(scenario.groups.groups_per_1000_adults * n / 1000.0))
        per_ward = ward_sizes(total_groups, self.ward_residents)
        first_wards = np.repeat(np.arange(self.wards.n_wards), per_ward)
        caps = groups_mod.draw_capacities(
            self.streams["groups"].random(first_wards.size), scenario.groups.mean_capacity
        )
        self.open_groups(first_wards, caps, week=0, source="initial")
        self._seed_memberships()

        # Services (Mesa agents holding capacity and waiting lists per ward).
        sc = scenario.services
        per_1000 = self.ward_residents / 1000.0
        self.services = {
            "gp": Service(
                self,
                "gp",
                sc.gp.capacity_per_1000_per_week * per_1000,
                sc.gp.abandon_rate,
                sc.gp.unit_cost_gbp,
            ),
            "ae": Service(self, "ae", None, 0.0, sc.ae.unit_cost_gbp),
            "admissions": Service(self, "admissions", None, 0.0, sc.admissions.unit_cost_gbp),
            "social_care": Service(
                self,
                "social_care",
                sc.social_care.capacity_hours_per_1000_per_week * per_1000,
                1.0,
                sc.social_care.unit_cost_gbp,
            ),
            "mental_health": Service(
                self,
                "mental_health",
                sc.mental_health.capacity_per_1000_per_week * per_1000,
                0.0,
                sc.mental_health.unit_cost_gbp,
            ),
        }

        # Lever state (reset each week, then set by the levers).
        self.modifiers = services.DemandModifiers.none(n)
        self.need_slowing = np.zeros(n, np.float32)
        self.outreach = np.zeros(n, np.float32)
        self.barrier_relief = np.zeros(n, np.float32)
        self.on_caseload = np.zeros(n, bool)
        self.opening_reduction = np.zeros(self.wards.n_wards)
        self.levers = build_levers(self)
        self.referrals: list[dict[str, np.ndarray]] = []

        # Start loneliness at its long-run level: the drift towards the target takes
        # years, and burn-in should settle networks, not loneliness from an arbitrary
        # start. The population's start score already holds trait plus noise.
        summary = self._summarise()
        target = loneliness.loneliness_target(
            self.pop.loneliness_trait,
            self.pop.age,
            self.pop.lives_alone,
            summary.strong_ties,
            self.pop.group >= 0,
            self.pop.need,
            self.pop.deprivation,
            summary.lonely_strong_ties,
            scenario.loneliness,
        )
        self.pop.loneliness += target - self.pop.loneliness_trait
        self.pop.lonely = self.pop.loneliness > scenario.loneliness.threshold

        self.mortality_norm: np.ndarray | None = None
        self._largest_risk = health.largest_relative_risk(scenario.health)
        self._death_hazard = AgeLookup(health.base_weekly_hazard)
        self._expected_need = AgeLookup(
            lambda a: expected_chronic_need(
                a, scenario.health.need_growth_at_50, scenario.health.need_growth_per_year_of_age
            )
        )
        self.recorder = Recorder(self)
        self.gp_use = GPUseTracker(self) if track_gp_use else None

    # ------------------------------------------------------------------ helpers

    def _tabulate_household_rates(self) -> None:
        """Weekly chances of moving in together and of separating, by ward and age.

        Derived (``households.formation_separation_rates()``) from the census share
        living alone by age (scaled to each ward's share, as residents are drawn), the
        life table, the ward's move rates and the current share of couples among
        residents sharing a home, by age, so that each age keeps its census share living
        alone. Worked out at the start and once a year (the mix of households changes
        slowly).
        """
        ages = demography.AGES
        # In-movers who do not live alone move in with a partner in the share of adults
        # sharing a home who live in couples when households are first formed.
        self.partner_share = households.share_in_couples(network.HOUSEHOLD_THREE_SHARE)
        target = np.clip(
            demography.living_alone_probability(ages + 0.5)[None, :]
            * self.builder.alone_factor[:, None],
            0.0,
            1.0,
        )
        # Couples among residents sharing a home, by age, as they are now.
        self.couple_share = households.couple_share_by_age(
            self.pop.age, self.pop.lives_alone, self.household_ties
        )
        # How far each age is from its census share now (pooled over wards in five-year
        # bands: each resident against their own ward's share).
        pop = self.pop
        year = np.clip(pop.age.astype(np.int64) - demography.MIN_AGE, 0, ages.size - 1)
        own_target = target[pop.ward, year]
        excess = households.band_mean_by_age(pop.age, pop.lives_alone - own_target)
        formation, separation = households.formation_separation_rates(
            self.builder.age_density,
            target,
            demography.annual_death_probability(ages),
            self.builder.move_rate,
            self.couple_share,
            self.partner_share,
            excess,
            HOUSEHOLD_RELAXATION_PER_YEAR,
        )
        # Probabilities per review (every HOUSEHOLD_REVIEW_WEEKS weeks), flat by (ward,
        # year of age) as the move table is.
        years = HOUSEHOLD_REVIEW_WEEKS / 52.0
        self._formation_per_review = (-np.expm1(-formation * years)).ravel()
        self._separation_per_review = (-np.expm1(-separation * years)).ravel()
        self._household_max_p = float(
            max(self._formation_per_review.max(), self._separation_per_review.max())
        )

    def resident(self, slot: int) -> Resident:
        """A view of one resident (for inspection)."""
        return Resident(self, slot)

    def open_groups(
        self, wards, capacities, week: int, funded_until: int = -1, source: str = "volunteers"
    ) -> np.ndarray:
        """Open new community groups (and their Mesa agents)."""
        ids = self.groups.add(wards, capacities, week, funded_until, source)
        for gid in ids:  # a few groups a week, not residents
            self.group_agents[int(gid)] = CommunityGroup(self, int(gid))
        return ids

    def close_groups(self, ids: np.ndarray, week: int) -> None:
        """Close community groups; members are left without a group."""
        self.groups.close(ids, week, self.pop.group)
        for gid in ids:
            agent = self.group_agents.pop(int(gid), None)
            if agent is not None:
                agent.remove()

    def _seed_memberships(self) -> None:
        """Start residents in groups at about their long-run chance of membership."""
        g = self.settings.groups
        pop = self.pop
        p_join = groups_mod.join_probability(
            pop.propensity, pop.aware, pop.barrier, np.full(pop.size, 0.5, np.float32), g
        )
        p_leave = g.leave_rate / 52.0
        u = self.streams["groups"].random((2, pop.size))
        want = np.flatnonzero(u[0] < p_join / (p_join + p_leave))
        choice = groups_mod.place_joiners(
            want, np.full(want.size, -1), pop.ward, self.groups, self.wards.n_wards, u[1, want]
        )
        pop.group[want] = choice
        self.groups.count_members(pop.group)

    def connect_to_groups(self, residents: np.ndarray, week: int) -> None:
        """Link workers find a place in a local group for residents not in one."""
        pop = self.pop
        free = residents[pop.group[residents] < 0]
        if free.size == 0:
            return
        u = counter_uniforms(self.lever_key ^ Salt.CONNECT_TO_GROUPS, free, week, 1)[0]
        choice = groups_mod.place_joiners(
            free, np.full(free.size, -1), pop.ward, self.groups, self.wards.n_wards, u
        )
        pop.group[free] = choice
        self.groups.count_members(pop.group)

    def record_referrals(
        self, referred: np.ndarray, week: int, took_up: np.ndarray, engaged: np.ndarray
    ) -> None:
        """Keep who was referred when, for before-and-after analyses.

        ``took_up`` and ``engaged`` flag, for each referred resident, whether they took
        up the referral and whether they engaged (bool arrays like ``referred``).
        """
        self.referrals.append(
            {
                # Counted like the series: week 1 is the first week after burn-in.
                "week": np.full(referred.size, week - self.settings.burn_in_weeks + 1, np.int32),
                "slot": referred.astype(np.int32),
                "occupant": self.pop.occupant[referred].copy(),
                "took_up": np.asarray(took_up, bool),
                "engaged": np.asarray(engaged, bool),
                "gp_per_year_before": self.pop.gp_recent[referred] * 52.0,
            }
        )

    # ------------------------------------------------------------------ the week

    def step(self) -> None:
        """Advance one week."""
        s = self.settings
        pop = self.pop
        n = pop.size
        week = self.week

        # 1. Investments take effect.
        self.modifiers.reset()
        self.need_slowing[:] = 0.0
        self.outreach[:] = 0.0
        self.barrier_relief[:] = 0.0
        self.on_caseload[:] = False
        self.opening_reduction[:] = 0.0
        for lever in self.levers:
            lever.apply(self, week)
        np.multiply(pop.base_barrier, 1.0 - self.barrier_relief, out=pop.barrier)

        # 2. Groups open and close.
        self.groups.count_members(pop.group)
        closing = groups_mod.closures(self.groups, week, s.groups, self.groups_key)
        self.close_groups(closing, week)
        rate = groups_mod.opening_rate_per_week(
            self.ward_residents, self.wards.deprivation, s.groups, self.opening_reduction
        )
        new = self.streams["groups"].poisson(rate)
        if new.sum():
            new_wards = np.repeat(np.arange(self.wards.n_wards), new)
            caps = groups_mod.draw_capacities(
                self.streams["groups"].random(new_wards.size), s.groups.mean_capacity
            )
            self.open_groups(new_wards, caps, week)

        # 3. Residents join and leave groups; awareness spreads and fades.
        u = self.streams["participation"].random((4, n), dtype=np.float32)
        member = pop.group >= 0
        leaving = member & (u[0] < s.groups.leave_rate / 52.0)
        self.groups.add_members(pop.group[leaving], -1)
        pop.group[leaving] = -1
        member &= ~leaving
        summary = self._tie_summary  # from last week (this week's ties not yet updated)
        p_join = groups_mod.join_probability(
            pop.propensity, pop.aware, pop.barrier, summary.member_exposure, s.groups
        )
        joiners = np.flatnonzero(~member & (u[1] < p_join))
        if joiners.size:
            d = counter_uniforms(self.participation_key, joiners, week, 2)
            friend = self.ties.random_neighbour(joiners, d[0])
            preferred = np.where(friend >= 0, pop.group[np.maximum(friend, 0)], -1)
            choice = groups_mod.place_joiners(
                joiners, preferred, pop.ward, self.groups, self.wards.n_wards, d[1]
            )
            pop.group[joiners] = choice
            self.groups.add_members(choice, +1)
            member[joiners[choice >= 0]] = True
        forget = s.groups.awareness_loss_rate / 52.0
        # The aware stay aware unless they forget (members never do); the unaware may
        # hear of the offer (its chance is worked out for them only).
        unaware = np.flatnonzero(~pop.aware)
        aware = member | (u[2] >= forget)
        gain = groups_mod.awareness_gain_probability(
            summary.member_exposure[unaware], self.outreach[unaware], s.groups
        )
        aware[unaware] = u[3][unaware] < gain
        pop.aware = aware

        # 4. Ties form, strengthen and decay.
        self.ties.weekly_contact(pop.group, s.network, self.ties_key, week)
        network.form_new_ties(
            self.ties,
            pop.group,
            pop.age,
            self.ward_start,
            self.ward_count,
            pop.ward,
            s.network,
            self.streams["tie_formation"],
            self.tie_formation_key,
            week,
        )
        self.ties.flush()
        summary = self._summarise()
        if week % s.network.merge_every_weeks == 0:
            self.ties.merge()

        # 5. Loneliness and need.
        target = loneliness.loneliness_target(
            pop.loneliness_trait,
            pop.age,
            pop.lives_alone,
            pop.strong_ties,
            member,
            pop.need,
            pop.deprivation,
            summary.lonely_strong_ties,
            s.loneliness,
        )
        shocks = self.streams["loneliness"].standard_normal(n, dtype=np.float32)
        pop.loneliness = loneliness.update_score(pop.loneliness, target, shocks, s.loneliness)
        pop.lonely = pop.loneliness > s.loneliness.threshold
        u_need = self.streams["need"].random((2, n), dtype=np.float32)
        episode = u_need[0] < health.episode_probability(pop.chronic_need, s.health)
        pop.chronic_need += health.chronic_need_growth(
            pop.age, pop.frailty, pop.lonely, member, self.need_slowing, s.health
        )
        pop.acute_need = health.update_acute_need(pop.acute_need, episode, u_need[1], s.health)
        pop.age += 1.0 / 52.0

        # 6. Demand.
        u_dem = self.streams["demand"].random((5, n), dtype=np.float32)
        need = pop.need
        sc = s.services.social_care
        # Long-term support is for long-term need: eligibility on chronic need, so an
        # acute episode alone does not make a lifelong client.
        entering = (
            (~pop.care_client)
            & (pop.chronic_need > sc.eligibility_need)
            & (u_dem[4] < sc.entry_rate / 52.0)
        )
        pop.care_client |= entering
        support = services.support_share(pop.strong_ties, s.loneliness.support_clique)
        demand = services.weekly_demand(
            need,
            pop.age,
            pop.lonely,
            support,
            episode,
            pop.care_client,
            self.modifiers,
            s.services,
            u_dem,
        )
        window = self._frequent_attender_weeks()
        pop.gp_recent += (demand.gp - pop.gp_recent) / np.float32(window)

        # 7. Services serve, queue and escalate.
        flows = self._serve(demand)

        # Mortality: relative risks from need, loneliness and isolation.
        age_index = self._death_hazard.grid_index(pop.age)  # both tables share the grid
        base_hazard = self._death_hazard.at(age_index)
        band = np.minimum(((pop.age - 18.0) * 0.2).astype(np.int64), MORTALITY_BANDS - 1)
        p_move = self.builder.weekly_move_probability(pop.ward, pop.age)
        u_m = self.streams["mortality"].random(n)
        norming = week < s.burn_in_weeks or self.mortality_norm is None
        if norming:
            who = slice(None)  # everyone's risk counts in the norm
        else:
            # A resident dies or moves when u < p_death + p_move, and p_death is below
            # base * rr / norm (1 - exp(-x) <= x), rr below its largest value: above
            # that bound, with a margin far wider than rounding, nobody dies or moves,
            # so the risks are worked out for the few below it only.
            bound = base_hazard * self._largest_risk / self.mortality_norm[band] + p_move
            who = np.flatnonzero(u_m < bound * (1.0 + 1e-9))
        excess_need = need[who] - self._expected_need.at(age_index[who])
        isolated = pop.strong_ties[who] == 0
        rr = health.mortality_relative_risk(excess_need, pop.lonely[who], isolated, s.health)
        if norming:
            # Normalise the risk factors within five-year age bands, so that deaths by
            # age follow the life table; the norm is frozen once investments can start,
            # so every scenario shares it and differs only through its effects.
            weighted = np.bincount(band, weights=base_hazard * rr, minlength=MORTALITY_BANDS)
            total = np.bincount(band, weights=base_hazard, minlength=MORTALITY_BANDS)
            self.mortality_norm = np.where(total > 0, weighted / np.maximum(total, 1e-300), 1.0)

        # 8. Deaths and in-movers.
        norm = self.mortality_norm[band[who]]
        p_death = health.weekly_death_probability(base_hazard[who], rr, norm)
        u = u_m[who]
        died = np.zeros(n, bool)
        moved = np.zeros(n, bool)
        died[who] = u < p_death
        moved[who] = ~died[who] & (u < p_death + p_move[who])
        vacated = np.flatnonzero(died | moved)
        deaths_by_ward = self._ward_sum(died)

        # 9. Record (before the slots are renewed, so the week's residents are counted).
        if self.gp_use is not None:
            self.gp_use.record(week, demand.gp, flows["gp"])
        self.recorder.record(week, demand, flows, deaths_by_ward, summary)

        self._renew(vacated, week)
        if week % 52 == 51:
            self._tabulate_household_rates()
        if week % HOUSEHOLD_REVIEW_WEEKS == 0:
            self._form_and_separate(week)
        self.week += 1

    # ------------------------------------------------------------------ internals

    def _frequent_attender_weeks(self) -> int:
        for lever in self.levers:
            if isinstance(lever, SocialPrescribing):
                return lever.entry.frequent_attender_weeks
        return 13

    @property
    def _tie_summary(self) -> network.TieSummary:
        if not hasattr(self, "_last_summary"):
            self._last_summary = self._summarise()
        return self._last_summary

    def _summarise(self) -> network.TieSummary:
        s = self.settings
        summary = self.ties.summarise(
            self.pop.lonely,
            self.pop.group >= 0,
            s.network.strong_threshold,
            s.groups.bridging_awareness_multiplier,
        )
        self.pop.ties = summary.ties
        self.pop.strong_ties = summary.strong_ties
        self._last_summary = summary
        return summary

    def _ward_sum(self, values: np.ndarray) -> np.ndarray:
        """Total of a per-resident array in each ward (slots are contiguous by ward)."""
        if self._wards_all_occupied:
            return np.add.reduceat(np.asarray(values, np.float64), self.ward_start)
        return np.bincount(self.pop.ward, weights=values, minlength=self.wards.n_wards)

    def _ward_counts(self, values: list[np.ndarray], bound: float) -> np.ndarray:
        """Totals in each ward of several per-resident counts, one row each (float64).

        The arrays hold whole numbers (flags, counts) whose total is at most ``bound``.
        They are summed as one stacked array: in float32 while every partial sum stays
        below 2**24, where float32 is exact, so the totals are exactly those of summing
        each array on its own, in fewer and cheaper passes.
        """
        stacked = np.empty((len(values), self.pop.size), np.float32 if bound < 2**24 else None)
        for row, v in zip(stacked, values, strict=True):  # a few arrays, not residents
            row[...] = v
        if self._wards_all_occupied:
            return np.add.reduceat(stacked, self.ward_start, axis=1).astype(np.float64)
        nw = self.wards.n_wards
        return np.stack([np.bincount(self.pop.ward, weights=r, minlength=nw) for r in stacked])

    def _serve(self, demand: services.ResidentDemand) -> dict[str, np.ndarray]:
        """Ward totals through each service's capacity; escalation of unmet demand."""
        s = self.settings.services
        rng = self.streams["services"]
        gp_demand, mh_demand, ae_demand, adm_demand = self._ward_counts(
            [demand.gp, demand.mental_health, demand.ae, demand.admissions],
            bound=services.MAX_EVENTS_PER_WEEK * self.pop.size,
        )
        gp = self.services["gp"].serve_week(gp_demand)
        gp_unmet = self.services["gp"].unmet
        care_demand = self._ward_sum(demand.care_hours)
        care = self.services["social_care"].serve_week(care_demand)
        care_unmet = self.services["social_care"].unmet
        self.services["mental_health"].serve_week(mh_demand)
        mh_waiting = self.services["mental_health"].waiting
        # Failure demand: unmet primary care and therapy waits turn up at A&E; unmet
        # home care ends in admissions. Poisson draws per ward keep the counts whole.
        # One uniform per ward and flow each week whatever the scenario (inverse-CDF
        # Poisson), so escalation draws stay paired across scenarios.
        u = rng.random((2, self.wards.n_wards))
        escalated_ae = services.ward_counts_from_uniform(
            gp_unmet * s.gp.escalation_to_ae + mh_waiting * s.mental_health.crisis_escalation,
            u[0],
        )
        escalated_adm = services.ward_counts_from_uniform(
            care_unmet / s.admissions.unmet_care_hours_per_admission
            + escalated_ae * s.admissions.from_ae_share,
            u[1],
        )
        ae = self.services["ae"].serve_week(ae_demand + escalated_ae)
        admissions = self.services["admissions"].serve_week(adm_demand + escalated_adm)
        return {
            "gp": gp,
            "gp_unmet": gp_unmet,
            "ae": ae,
            "admissions": admissions,
            "care_hours": care,
            "care_unmet": care_unmet,
            "mental_health": mh_demand,
            "mh_unmet": self.services["mental_health"].unmet,
        }

    def _renew(self, vacated: np.ndarray, week: int) -> None:
        """In-movers take the vacated slots: fresh attributes, a household, some ties."""
        if vacated.size == 0:
            return
        pop = self.pop
        bereaved = self.ties.remove_residents(vacated)
        if bereaved.size:
            np.subtract.at(self.household_ties, bereaved, 1)  # few residents a week
            self.household_ties[bereaved] = np.maximum(self.household_ties[bereaved], 0)
            pop.lives_alone[bereaved[self.household_ties[bereaved] == 0]] = True
        self.household_ties[vacated] = 0
        self.builder.renew(pop, vacated, week, self.population_key)
        for lever in self.levers:
            reset = getattr(lever, "reset_slots", None)
            if reset is not None:
                reset(vacated)
        self._settle_in_movers(vacated, week)
        # In-movers' loneliness starts at their own target, as the initial residents'
        # did, but with a support clique: they arrive with family and friends from
        # elsewhere (ties outside the borough the model does not hold). From there it
        # drifts with the ties they make here.
        s = self.settings
        k = vacated.size
        target = loneliness.loneliness_target(
            pop.loneliness_trait[vacated],
            pop.age[vacated],
            pop.lives_alone[vacated],
            np.full(k, s.loneliness.support_clique, np.float32),
            np.zeros(k, bool),
            pop.chronic_need[vacated] + pop.acute_need[vacated],  # need, of these only
            pop.deprivation[vacated],
            np.zeros(k, np.float32),
            s.loneliness,
        )
        pop.loneliness[vacated] += target - pop.loneliness_trait[vacated]
        pop.lonely[vacated] = pop.loneliness[vacated] > s.loneliness.threshold
        # Newcomers meet neighbours: the closest in age of three residents of the ward.
        who = np.repeat(vacated, NEWCOMER_TIES)
        d = counter_uniforms(
            self.network_key,
            (vacated[:, None] * NEWCOMER_TIES + np.arange(NEWCOMER_TIES)).ravel(),
            week,
            4,
        )
        w = pop.ward[who]
        tries = (self.ward_start[w] + np.floor(d[:3] * self.ward_count[w])).astype(np.int64)
        partner = network.closest_in_age(who, tries, pop.age)
        closeness = network.beta_one_b(d[3], self.settings.network.closeness_mean)
        self.ties.queue(who, partner, self.settings.network.new_tie_strength, closeness)
        self.ties.flush()

    def _settle_in_movers(self, vacated: np.ndarray, week: int) -> None:
        """In-movers who do not live alone move in with someone of similar age.

        A share ``partner_share`` look for a partner: a resident of the ward of similar
        age who lives alone. The others, and those who find no partner, join the
        existing household of a resident of similar age (the closest in age of 8 met in
        the ward who does not live alone). An in-mover who finds neither lives alone.
        """
        pop = self.pop
        sharing = vacated[~pop.lives_alone[vacated]]
        if sharing.size == 0:
            return
        n = pop.size
        nw = self.wards.n_wards
        max_gap = self.settings.population.partner_max_age_gap
        d = counter_uniforms(self.population_key ^ Salt.IN_MOVER_HOUSEHOLD, sharing, week, 14)
        taken = np.zeros(n, bool)
        taken[vacated] = True
        # 1. Partners: residents of similar age who live alone, sought by a share
        # ``partner_share`` of in-movers. Residents turning 18 (the youngest in-movers)
        # live with their family: they join a couple of any age.
        year = np.minimum(
            (pop.age[sharing] - demography.MIN_AGE).astype(np.int64), demography.AGES.size - 1
        )
        coming_of_age = year == 0
        wants = np.flatnonzero((d[0] < self.partner_share) & ~coming_of_age)
        movers = sharing[wants]
        alone = np.flatnonzero(pop.lives_alone & ~taken)
        slots, keys = households.sort_by_ward_and_age(alone, pop.ward, pop.age, nw)
        partner = households.find_nearby(
            slots, keys, movers, pop.ward, pop.age, max_gap, nw, d[1:6, wants]
        )
        found = partner >= 0
        keep = households.first_come_pairs(movers[found], partner[found], n)
        pair_a = movers[found][keep]
        pair_b = partner[found][keep]
        self._move_in_together(pair_a, pair_b)
        taken[pair_b] = True
        settled = np.zeros(n, bool)
        settled[pair_a] = True
        # 2. The others join the household of a couple of similar age in the ward (one
        # of the couple found as partners are, among residents in a couple); residents
        # turning 18 join a couple of any age in the ward (their family).
        col = np.flatnonzero(~settled[sharing])
        joining = sharing[col]
        in_couple = np.flatnonzero((self.household_ties == 1) & ~taken)
        slots, keys = households.sort_by_ward_and_age(in_couple, pop.ward, pop.age, nw)
        host = households.find_nearby(
            slots, keys, joining, pop.ward, pop.age, max_gap, nw, d[6:11, col]
        )
        family = np.flatnonzero(coming_of_age[col])
        if family.size and slots.size:
            w = pop.ward[joining[family]].astype(np.int64)
            lo = np.searchsorted(keys, households.age_keys(w, np.zeros(w.size), nw))
            hi = np.searchsorted(keys, households.age_keys(w + 1, np.zeros(w.size), nw))
            at = lo + np.floor(d[11, col[family]] * (hi - lo)).astype(np.int64)
            host[family] = np.where(hi > lo, slots[np.minimum(at, slots.size - 1)], -1)
        ok = host >= 0
        # One in-mover per couple a week: the first keeps them.
        hosts, first = np.unique(host[ok], return_index=True)
        joiners = joining[ok][first]
        _, partner_of, owner = self.ties.household_partners(hosts)
        mover_of = np.full(n, -1, np.int64)
        mover_of[hosts] = joiners
        # Both of a couple chosen: the one with the higher slot is not a host after all.
        clash = owner[(mover_of[partner_of] >= 0) & (owner > partner_of)]
        mover_of[clash] = -1
        kept = mover_of[hosts] >= 0
        hosts, joiners = hosts[kept], joiners[kept]
        partner_of, owner = partner_of[mover_of[owner] >= 0], owner[mover_of[owner] >= 0]
        a = np.concatenate([joiners, mover_of[owner]])
        b = np.concatenate([hosts, partner_of])
        self.ties.queue(a, b, strength=1.0, closeness=1.0, household=True)
        self.household_ties += np.bincount(np.concatenate([a, b]), minlength=n).astype(np.int16)
        settled[joiners] = True
        # 3. Nobody found: the in-mover lives alone after all.
        pop.lives_alone[sharing[~settled[sharing]]] = True

    def _move_in_together(self, a: np.ndarray, b: np.ndarray) -> None:
        """Residents ``a[i]`` and ``b[i]``, each living alone, form a household."""
        self.ties.queue(a, b, strength=1.0, closeness=1.0, household=True)
        self.household_ties[a] += 1
        self.household_ties[b] += 1
        self.pop.lives_alone[a] = False
        self.pop.lives_alone[b] = False

    def _form_and_separate(self, week: int) -> None:
        """Residents living alone move in together; couples separate (every 4 weeks).

        One uniform per slot per review from the ``households`` stream decides both (a
        resident lives alone or not, so at most one applies): below the chance per
        review (``HOUSEHOLD_REVIEW_WEEKS`` weeks) of the resident's ward and year of
        age, a resident living alone looks for a partner of similar age living alone in
        the ward (``households.find_nearby()``), and a resident in a couple separates
        (the household tie ends; both live alone).
        In-movers of this week take part from next week.
        """
        pop = self.pop
        n = pop.size
        u = self.streams["households"].random(n, dtype=np.float32)
        cand = np.flatnonzero(u < self._household_max_p)
        cand = cand[pop.entered_week[cand] != week]
        if cand.size == 0:
            return
        year = np.clip(pop.age[cand].astype(np.int64) - demography.MIN_AGE, 0, None)
        row = pop.ward[cand].astype(np.int64) * demography.AGES.size + np.minimum(
            year, demography.AGES.size - 1
        )
        alone = pop.lives_alone[cand]
        seekers = cand[alone & (u[cand] < self._formation_per_review[row])]
        in_couple = ~alone & (self.household_ties[cand] == 1)
        leaving = cand[in_couple & (u[cand] < self._separation_per_review[row])]
        nw = self.wards.n_wards
        if seekers.size:
            new = np.flatnonzero(pop.lives_alone & (pop.entered_week != week))
            slots, keys = households.sort_by_ward_and_age(new, pop.ward, pop.age, nw)
            d = counter_uniforms(self.households_key, seekers, week, 5)
            partner = households.find_nearby(
                slots,
                keys,
                seekers,
                pop.ward,
                pop.age,
                self.settings.population.partner_max_age_gap,
                nw,
                d,
            )
            found = partner >= 0
            keep = households.first_come_pairs(seekers[found], partner[found], n)
            self._move_in_together(seekers[found][keep], partner[found][keep])
        if leaving.size:
            tie, partner, owner = self.ties.household_partners(leaving)
            # Couples only: both ends have this one household tie.
            couple = self.household_ties[partner] == 1
            tie, partner, owner = tie[couple], partner[couple], owner[couple]
            tie, first = np.unique(tie, return_index=True)
            self.ties.end_ties(tie)
            ends = np.concatenate([owner[first], partner[first]])
            self.household_ties[ends] -= 1
            pop.lives_alone[ends] = True
        self.ties.flush()

    # ------------------------------------------------------------------ running

    def run(self, progress=None):
        """Run every week of the scenario (burn-in included).

        Parameters
        ----------
        progress : callable, optional
            Called with (weeks done, weeks in all) after each week.

        Returns
        -------
        RunResult
        """
        total = self.settings.weeks
        while self.week < total:
            self.step()
            if progress is not None:
                progress(self.week, total)
        result = self.recorder.result()
        if self.gp_use is not None:
            result.gp_quarters = self.gp_use.table()
        return result
