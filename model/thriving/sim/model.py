"""NeighbourhoodModel: the week, in order, and what is recorded.

Process order in one week (docs/odd.md §3): investments take effect → groups open and
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
from thriving.sim import demography, health, loneliness, network, services
from thriving.sim import groups as groups_mod
from thriving.sim.agents import CommunityGroup, Resident, Service
from thriving.sim.cohort import GPUseTracker
from thriving.sim.effects import (
    CloseGroups,
    ConnectToGroups,
    FundGroups,
    Introduce,
    LeverEffects,
    LeverView,
    LowerBarriers,
    MakeAware,
    OpenGroups,
    Refer,
    Request,
)
from thriving.sim.household_changes import HOUSEHOLD_REVIEW_WEEKS, HouseholdChanges
from thriving.sim.in_movers import InMovers
from thriving.sim.levers import build_levers, frequent_attender_weeks
from thriving.sim.mortality import Mortality
from thriving.sim.population import PopulationBuilder, ward_sizes
from thriving.sim.recording import Recorder
from thriving.sim.rng import Salt, counter_uniforms, make_streams, stream_key
from thriving.sim.ward_sums import WardIndex, ward_sum, ward_totals


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
        self._make_streams()
        self.week = 0
        # The order of the builders is the order of their draws: keep it.
        self._build_residents()
        self._build_ties_and_households()
        self._build_groups()
        self._build_services()
        self._build_levers()
        self._start_loneliness()
        self.mortality = Mortality(scenario.health)
        self.recorder = Recorder(self)
        self.gp_use = GPUseTracker(self) if track_gp_use else None

    # ------------------------------------------------------------------ builders

    def _make_streams(self) -> None:
        """The named random streams and the counter keys of the processes that use them."""
        self.streams = make_streams(self.seed)
        self.population_key = stream_key(self.seed, "population")
        self.network_key = stream_key(self.seed, "network")
        self.lever_key = stream_key(self.seed, "levers")
        self.tie_formation_key = stream_key(self.seed, "tie_formation")
        self.ties_key = stream_key(self.seed, "ties")
        self.groups_key = stream_key(self.seed, "groups")
        self.participation_key = stream_key(self.seed, "participation")
        self.households_key = stream_key(self.seed, "households")

    def _build_residents(self) -> None:
        """Residents, sorted by ward, and the ward layout of their slots."""
        self.builder = PopulationBuilder(self.settings, self.wards)
        self.pop = self.builder.initial(self.streams["population"])
        self.ward_start, self.ward_count = network.ward_ranges(self.pop.ward, self.wards.n_wards)
        #: Where each ward's residents are (for ward totals: ``ward_sums.ward_totals()``).
        self.ward_index = WardIndex.of(self.pop.ward, self.ward_start, self.ward_count)
        self.ward_residents = self.ward_count.astype(np.float64)
        # Borough adults per simulated resident (1 when the whole borough is simulated).
        self.scale = float(self.wards.adults.sum()) / self.pop.size

    def _build_ties_and_households(self) -> None:
        """The initial network (households included) and the household bookkeeping."""
        pop = self.pop
        # A tie ends when either of its residents leaves: about twice the yearly share of
        # adults who die or move away (used to start the network with the ties that
        # last, as in a network that has run for years).
        leaving = np.mean(
            demography.annual_death_probability(pop.age)
            + self.builder.weekly_move_probability(pop.ward, pop.age) * 52.0
        )
        self.ties = network.initial_ties(
            pop.ward,
            pop.age,
            pop.lives_alone,
            self.settings.network,
            self.streams["network"],
            leave_per_year=2.0 * float(leaving),
        )
        self.households = HouseholdChanges(
            pop,
            self.ties,
            self.builder,
            self.wards.n_wards,
            self.settings.population.partner_max_age_gap,
            self.population_key,
            self.households_key,
            self.streams["households"],
        )

    def _build_groups(self) -> None:
        """Community groups, with members near their long-run level from the start."""
        self.groups = groups_mod.GroupTable()
        self.group_agents: dict[int, CommunityGroup] = {}
        g = self.settings.groups
        # The borough's groups, shared among wards by largest remainder (rounding each
        # ward separately would leave a small sample with no groups at all).
        total_groups = int(round(g.groups_per_1000_adults * self.pop.size / 1000.0))
        per_ward = ward_sizes(total_groups, self.ward_residents)
        first_wards = np.repeat(np.arange(self.wards.n_wards), per_ward)
        caps = groups_mod.draw_capacities(
            self.streams["groups"].random(first_wards.size), g.mean_capacity
        )
        self.open_groups(first_wards, caps, week=0, source="initial")
        self._seed_memberships()

    def _build_services(self) -> None:
        """Services: Mesa agents holding capacity and waiting lists per ward."""
        sc = self.settings.services
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

    def _build_levers(self) -> None:
        """The investments, the week's combined effects, and the in-movers' arrival."""
        #: This week's effects of all levers combined (reset each week).
        self.effects = LeverEffects.none(self.pop.size, self.wards.n_wards)
        self.levers = build_levers(self._lever_view(0))
        self.frequent_attender_weeks = frequent_attender_weeks(self.levers)
        self.referrals: list[dict[str, np.ndarray]] = []
        self.in_movers = InMovers(
            self.pop,
            self.ties,
            self.builder,
            self.households,
            self.levers,
            self.settings,
            self.ward_start,
            self.ward_count,
            self.population_key,
            self.network_key,
        )

    def _start_loneliness(self) -> None:
        """Start loneliness at its long-run level.

        The drift towards the target takes years, and burn-in should settle networks,
        not loneliness from an arbitrary start. The population's start score already
        holds trait plus noise.
        """
        pop = self.pop
        summary = self._summarise()
        target = loneliness.loneliness_target(
            pop.loneliness_trait,
            pop.age,
            pop.lives_alone,
            summary.strong_ties,
            pop.group >= 0,
            pop.need,
            pop.deprivation,
            summary.lonely_strong_ties,
            self.settings.loneliness,
        )
        pop.loneliness += target - pop.loneliness_trait
        pop.lonely = pop.loneliness > self.settings.loneliness.threshold

    # ------------------------------------------------------------------ helpers

    @property
    def household_ties(self) -> np.ndarray:
        """(n,) int16: household ties of each resident (0: lives alone)."""
        return self.households.household_ties

    @property
    def modifiers(self) -> services.DemandModifiers:
        """Demand modifiers of all levers combined, this week."""
        return self.effects.modifiers

    def _lever_view(self, week: int) -> LeverView:
        """What levers read of the model this week."""
        return LeverView(
            pop=self.pop,
            wards=self.wards,
            ward_residents=self.ward_residents,
            ward_start=self.ward_start,
            ward_count=self.ward_count,
            scale=self.scale,
            groups=self.groups,
            settings=self.settings,
            lever_key=self.lever_key,
            levers_stream=self.streams["levers"],
            week=week,
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
        """Advance one week: the processes of ODD section 3, in their order."""
        week = self.week

        # 1. Investments take effect.
        effects = self.take_investments(week)

        # 2. Groups open and close.
        self.open_and_close_groups(week, effects.opening_reduction)

        # 3. Residents join and leave groups; awareness spreads and fades.
        member = self.join_and_leave_groups(week, effects.outreach)

        # 4. Ties form, strengthen and decay.
        summary = self.update_ties(week)

        # 5. Loneliness and need.
        episode = self.update_loneliness_and_need(member, summary, effects.need_slowing)

        # 6. Demand.
        demand = self.draw_demand(episode, effects.modifiers)

        # 7. Services serve, queue and escalate.
        flows = self._serve(demand)

        # 8. Deaths and in-movers.
        died, vacated = self.draw_deaths_and_moves(week)

        # 9. Record (before the slots are renewed, so the week's residents are counted).
        if self.gp_use is not None:
            self.gp_use.record(week, demand.gp, flows["gp"])
        self.recorder.record(week, demand, flows, self._ward_sum(died), summary)
        self.move_in(vacated, week)
        self.change_households(week)
        self.week += 1
        self.running = self.week < self.settings.weeks  # Mesa's run_model() stops here

    def take_investments(self, week: int) -> LeverEffects:
        """Each lever acts, in the scenario's order; returns their effects combined.

        A lever's requests are carried out as soon as it has acted, in the order it
        lists them, before the next lever acts: a lever sees the groups the one before
        it opened or closed and the residents it connected. Then this week's barrier is
        set from the base barrier and the (combined) barrier relief.
        """
        effects = self.effects
        effects.reset()
        view = self._lever_view(week)
        for lever in self.levers:
            action = lever.act(view)
            for request in action.requests:
                self._carry_out(request, week)
            effects.combine(action.effects)
        assert effects.barrier_relief is not None  # the combination holds every array
        np.multiply(self.pop.base_barrier, 1.0 - effects.barrier_relief, out=self.pop.barrier)
        return effects

    def _carry_out(self, request: Request, week: int) -> None:
        """Carry out one lever's request."""
        pop = self.pop
        match request:
            case OpenGroups():
                self.open_groups(
                    request.wards, request.capacities, week, request.funded_until, request.source
                )
            case FundGroups():
                self.groups.funded_until[request.groups] = request.until
            case CloseGroups():
                self.close_groups(request.groups, week)
            case MakeAware():
                pop.aware[request.residents] = True
            case LowerBarriers():
                pop.base_barrier[request.residents] *= request.factor
            case ConnectToGroups():
                self.connect_to_groups(request.residents, week)
            case Refer():
                self.record_referrals(request.referred, week, request.took_up, request.engaged)
            case Introduce():
                self.ties.queue(
                    request.residents, request.partners, request.strength, request.closeness
                )
            case _:
                raise TypeError(f"a lever made a request the model does not know: {request!r}")

    def open_and_close_groups(self, week: int, opening_reduction: np.ndarray | None) -> None:
        """Unfunded groups close by chance; volunteers open new ones in each ward."""
        assert opening_reduction is not None  # the week's combined effects hold every array
        s = self.settings
        self.groups.count_members(self.pop.group)
        closing = groups_mod.closures(self.groups, week, s.groups, self.groups_key)
        self.close_groups(closing, week)
        rate = groups_mod.opening_rate_per_week(
            self.ward_residents, self.wards.deprivation, s.groups, opening_reduction
        )
        new = self.streams["groups"].poisson(rate)
        if new.sum():
            new_wards = np.repeat(np.arange(self.wards.n_wards), new)
            caps = groups_mod.draw_capacities(
                self.streams["groups"].random(new_wards.size), s.groups.mean_capacity
            )
            self.open_groups(new_wards, caps, week)

    def join_and_leave_groups(self, week: int, outreach: np.ndarray | None) -> np.ndarray:
        """Members leave, others join; awareness spreads and fades. Returns who is a member.

        Uses last week's tie sums (this week's ties are not yet updated).
        """
        assert outreach is not None  # the week's combined effects hold every array
        s = self.settings
        pop = self.pop
        u = self.streams["participation"].random((4, pop.size), dtype=np.float32)
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
            summary.member_exposure[unaware], outreach[unaware], s.groups
        )
        aware[unaware] = u[3][unaware] < gain
        pop.aware = aware
        return member

    def update_ties(self, week: int) -> network.TieSummary:
        """Ties are met or not, strengthen or decay; new ties form. Returns the tie sums.

        The new ties are added together with those levers brokered this week.
        """
        s = self.settings
        pop = self.pop
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
        return summary

    def update_loneliness_and_need(
        self, member: np.ndarray, summary: network.TieSummary, need_slowing: np.ndarray | None
    ) -> np.ndarray:
        """Loneliness moves towards its target; need grows and recovers; everyone ages.

        Returns this week's acute episodes, (n,) bool.
        """
        assert need_slowing is not None  # the week's combined effects hold every array
        s = self.settings
        pop = self.pop
        n = pop.size
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
            pop.age, pop.frailty, pop.lonely, member, need_slowing, s.health
        )
        pop.acute_need = health.update_acute_need(pop.acute_need, episode, u_need[1], s.health)
        pop.age += 1.0 / 52.0
        return episode

    def draw_demand(
        self, episode: np.ndarray, modifiers: services.DemandModifiers
    ) -> services.ResidentDemand:
        """Entry to long-term care, and each resident's demand on each service."""
        s = self.settings
        pop = self.pop
        u_dem = self.streams["demand"].random((5, pop.size), dtype=np.float32)
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
            modifiers,
            s.services,
            u_dem,
        )
        window = self.frequent_attender_weeks
        pop.gp_recent += (demand.gp - pop.gp_recent) / np.float32(window)
        return demand

    def draw_deaths_and_moves(self, week: int) -> tuple[np.ndarray, np.ndarray]:
        """Who dies, and who moves away. Returns the deaths (n,) bool and vacated slots.

        Death risks are normalised to the life table during burn-in, then the norm is
        frozen (``mortality.Mortality``).
        """
        pop = self.pop
        p_move = self.builder.weekly_move_probability(pop.ward, pop.age)
        u = self.streams["mortality"].random(pop.size)
        norming = week < self.settings.burn_in_weeks or self.mortality.norm is None
        died, moved = self.mortality.draw(pop, p_move, u, norming)
        return died, np.flatnonzero(died | moved)

    def move_in(self, vacated: np.ndarray, week: int) -> None:
        """In-movers take the vacated slots (``in_movers.InMovers.arrive()``)."""
        self.in_movers.arrive(vacated, week)

    def change_households(self, week: int) -> None:
        """Household rates re-derived yearly; moving in together and separating reviewed."""
        if week % 52 == 51:
            self.households.tabulate_rates()
        if week % HOUSEHOLD_REVIEW_WEEKS == 0:
            self.households.form_and_separate(week)

    # ------------------------------------------------------------------ internals

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
        """Total of a per-resident array in each ward (``ward_sums.ward_sum()``)."""
        return ward_sum(values, self.ward_index)

    def _serve(self, demand: services.ResidentDemand) -> dict[str, np.ndarray]:
        """Ward totals through each service's capacity; escalation of unmet demand."""
        s = self.settings.services
        rng = self.streams["services"]
        gp_demand, mh_demand, ae_demand, adm_demand = ward_totals(
            [demand.gp, demand.mental_health, demand.ae, demand.admissions],
            self.ward_index,
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
        return self.result()

    def result(self):
        """The run's recorded tables and summary (after :meth:`run` or Mesa's ``run_model``).

        Returns
        -------
        RunResult
        """
        result = self.recorder.result()
        if self.gp_use is not None:
            result.gp_quarters = self.gp_use.table()
        return result
