"""Households as they change: bereavement, in-movers settling, moving in together, separating.

The wiring of the pure household functions (``households``) to the residents and their
ties: :class:`HouseholdChanges` keeps each resident's count of household ties, the
yearly rates of moving in together and separating, and carries out the changes (ODD
section 7.2).
"""

from __future__ import annotations

import numpy as np

from thriving.sim import demography, households, network
from thriving.sim.population import Population, PopulationBuilder
from thriving.sim.rng import Salt, counter_uniforms

#: Share a year of any excess (or shortfall) living alone at an age that the yearly
#: household rates correct, beyond the balance they are derived from.
HOUSEHOLD_RELAXATION_PER_YEAR = 1.0
#: Weeks between reviews of who moves in together and who separates (households change
#: over months; reviewing every week cost a tenth of the model's time for no difference
#: in the profile).
HOUSEHOLD_REVIEW_WEEKS = 4


class HouseholdChanges:
    """Who lives with whom, week by week.

    Parameters
    ----------
    pop : Population
    ties : network.TieTable
        The residents' ties (household ties among them).
    builder : PopulationBuilder
        Census shares living alone, age mix and move rates, by ward.
    n_wards : int
    partner_max_age_gap : float, years
        ``population.partner_max_age_gap``.
    population_key, households_key : int
        Counter keys of the ``population`` and ``households`` streams.
    stream : numpy.random.Generator
        The ``households`` stream (one uniform per resident slot a review).
    """

    def __init__(
        self,
        pop: Population,
        ties: network.TieTable,
        builder: PopulationBuilder,
        n_wards: int,
        partner_max_age_gap: float,
        population_key: int,
        households_key: int,
        stream: np.random.Generator,
    ):
        self.pop = pop
        self.ties = ties
        self.builder = builder
        self.n_wards = n_wards
        self.max_gap = partner_max_age_gap
        self.population_key = population_key
        self.households_key = households_key
        self.stream = stream
        n = pop.size
        hh = ties.household & ties.alive
        #: (n,) int16: household ties of each resident (0: lives alone).
        self.household_ties = (
            np.bincount(ties.src[hh], minlength=n) + np.bincount(ties.dst[hh], minlength=n)
        ).astype(np.int16)
        self.tabulate_rates()

    def tabulate_rates(self) -> None:
        """Chances per review of moving in together and of separating, by ward and age.

        Derived (``households.formation_separation_rates()``) from the census share
        living alone by age (scaled to each ward's share, as residents are drawn), the
        life table, the ward's move rates and the current share of couples among
        residents sharing a home, by age, so that each age keeps its census share living
        alone. Worked out at the start and once a year (the mix of households changes
        slowly).
        """
        ages = demography.AGES
        pop = self.pop
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
            pop.age, pop.lives_alone, self.household_ties
        )
        # How far each age is from its census share now (pooled over wards in five-year
        # bands: each resident against their own ward's share).
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
        self.formation_per_review = (-np.expm1(-formation * years)).ravel()
        self.separation_per_review = (-np.expm1(-separation * years)).ravel()
        self._max_p = float(max(self.formation_per_review.max(), self.separation_per_review.max()))

    def remove_residents(self, vacated: np.ndarray) -> None:
        """Residents leave: their ties end; partners left with no household live alone."""
        pop = self.pop
        bereaved = self.ties.remove_residents(vacated)
        if bereaved.size:
            np.subtract.at(self.household_ties, bereaved, 1)  # few residents a week
            self.household_ties[bereaved] = np.maximum(self.household_ties[bereaved], 0)
            pop.lives_alone[bereaved[self.household_ties[bereaved] == 0]] = True
        self.household_ties[vacated] = 0

    def settle_in_movers(self, vacated: np.ndarray, week: int) -> None:
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
        d = counter_uniforms(self.population_key ^ Salt.IN_MOVER_HOUSEHOLD, sharing, week, 14)
        taken = np.zeros(n, bool)
        taken[vacated] = True
        # Residents turning 18 (the youngest in-movers) live with their family.
        year = np.minimum(
            (pop.age[sharing] - demography.MIN_AGE).astype(np.int64), demography.AGES.size - 1
        )
        coming_of_age = year == 0
        settled = self._partners_for_in_movers(sharing, coming_of_age, d, taken)
        col = np.flatnonzero(~settled[sharing])
        joiners = self._join_couples(sharing[col], coming_of_age[col], d[:, col], taken)
        settled[joiners] = True
        # Nobody found: the in-mover lives alone after all.
        pop.lives_alone[sharing[~settled[sharing]]] = True

    def _partners_for_in_movers(
        self, sharing: np.ndarray, coming_of_age: np.ndarray, d: np.ndarray, taken: np.ndarray
    ) -> np.ndarray:
        """Partners for in-movers: residents of similar age in the ward who live alone.

        Sought by a share ``partner_share`` of in-movers (not those turning 18). Returns
        who settled, (n,) bool; partners found are marked ``taken``.
        """
        pop = self.pop
        n = pop.size
        wants = np.flatnonzero((d[0] < self.partner_share) & ~coming_of_age)
        movers = sharing[wants]
        alone = np.flatnonzero(pop.lives_alone & ~taken)
        slots, keys = households.sort_by_ward_and_age(alone, pop.ward, pop.age, self.n_wards)
        partner = households.find_nearby(
            slots, keys, movers, pop.ward, pop.age, self.max_gap, self.n_wards, d[1:6, wants]
        )
        found = partner >= 0
        keep = households.first_come_pairs(movers[found], partner[found], n)
        pair_a = movers[found][keep]
        pair_b = partner[found][keep]
        self.move_in_together(pair_a, pair_b)
        taken[pair_b] = True
        settled = np.zeros(n, bool)
        settled[pair_a] = True
        return settled

    def _join_couples(
        self, joining: np.ndarray, coming_of_age: np.ndarray, d: np.ndarray, taken: np.ndarray
    ) -> np.ndarray:
        """The other in-movers join the household of a couple in the ward.

        A couple of similar age (one of the couple found as partners are, among
        residents in a couple); residents turning 18 join a couple of any age in the
        ward (their family). Returns the in-movers who joined a household.
        """
        pop = self.pop
        n = pop.size
        nw = self.n_wards
        in_couple = np.flatnonzero((self.household_ties == 1) & ~taken)
        slots, keys = households.sort_by_ward_and_age(in_couple, pop.ward, pop.age, nw)
        host = households.find_nearby(
            slots, keys, joining, pop.ward, pop.age, self.max_gap, nw, d[6:11]
        )
        family = np.flatnonzero(coming_of_age)
        if family.size and slots.size:
            w = pop.ward[joining[family]].astype(np.int64)
            lo = np.searchsorted(keys, households.age_keys(w, np.zeros(w.size), nw))
            hi = np.searchsorted(keys, households.age_keys(w + 1, np.zeros(w.size), nw))
            at = lo + np.floor(d[11, family] * (hi - lo)).astype(np.int64)
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
        return joiners

    def move_in_together(self, a: np.ndarray, b: np.ndarray) -> None:
        """Residents ``a[i]`` and ``b[i]``, each living alone, form a household."""
        self.ties.queue(a, b, strength=1.0, closeness=1.0, household=True)
        self.household_ties[a] += 1
        self.household_ties[b] += 1
        self.pop.lives_alone[a] = False
        self.pop.lives_alone[b] = False

    def form_and_separate(self, week: int) -> None:
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
        u = self.stream.random(pop.size, dtype=np.float32)
        cand = np.flatnonzero(u < self._max_p)
        cand = cand[pop.entered_week[cand] != week]
        if cand.size == 0:
            return
        year = np.clip(pop.age[cand].astype(np.int64) - demography.MIN_AGE, 0, None)
        row = pop.ward[cand].astype(np.int64) * demography.AGES.size + np.minimum(
            year, demography.AGES.size - 1
        )
        alone = pop.lives_alone[cand]
        seekers = cand[alone & (u[cand] < self.formation_per_review[row])]
        in_couple = ~alone & (self.household_ties[cand] == 1)
        leaving = cand[in_couple & (u[cand] < self.separation_per_review[row])]
        if seekers.size:
            self._pair_seekers(seekers, week)
        if leaving.size:
            self._separate(leaving)
        self.ties.flush()

    def _pair_seekers(self, seekers: np.ndarray, week: int) -> None:
        """Residents living alone who look for a partner find one of similar age."""
        pop = self.pop
        nw = self.n_wards
        new = np.flatnonzero(pop.lives_alone & (pop.entered_week != week))
        slots, keys = households.sort_by_ward_and_age(new, pop.ward, pop.age, nw)
        d = counter_uniforms(self.households_key, seekers, week, 5)
        partner = households.find_nearby(
            slots, keys, seekers, pop.ward, pop.age, self.max_gap, nw, d
        )
        found = partner >= 0
        keep = households.first_come_pairs(seekers[found], partner[found], pop.size)
        self.move_in_together(seekers[found][keep], partner[found][keep])

    def _separate(self, leaving: np.ndarray) -> None:
        """Couples in which one decides to leave separate: the tie ends, both live alone."""
        tie, partner, owner = self.ties.household_partners(leaving)
        # Couples only: both ends have this one household tie.
        couple = self.household_ties[partner] == 1
        tie, partner, owner = tie[couple], partner[couple], owner[couple]
        tie, first = np.unique(tie, return_index=True)
        self.ties.end_ties(tie)
        ends = np.concatenate([owner[first], partner[first]])
        self.household_ties[ends] -= 1
        self.pop.lives_alone[ends] = True
