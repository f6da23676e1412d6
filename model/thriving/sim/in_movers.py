"""In-movers: new residents in the slots of those who died or moved away (ODD 7.2).

Each takes a vacated slot with fresh attributes (``PopulationBuilder.renew()``), settles
into a household (``HouseholdChanges.settle_in_movers()``), starts with loneliness at
their own target (with the support of the family and friends they arrive with) and
meets neighbours: ``NEWCOMER_TIES`` new ties, each with the closest in age of three
residents of the ward (``meeting.meet_closest_in_age()``), of a closeness drawn as
every new tie's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from thriving.config.schema import Scenario
from thriving.sim import loneliness, network
from thriving.sim.household_changes import HouseholdChanges
from thriving.sim.meeting import CANDIDATES, meet_closest_in_age
from thriving.sim.population import Population, PopulationBuilder
from thriving.sim.rng import counter_uniforms

#: Ties an in-mover makes on arrival (neighbours, workmates, people met settling in).
NEWCOMER_TIES = 6


class ForgetsResidents(Protocol):
    """Anything holding per-resident state that in-movers must not inherit (levers)."""

    def reset_slots(self, slots: np.ndarray) -> None:
        """Forget the residents of these slots."""


def start_loneliness(pop: Population, slots: np.ndarray, settings: Scenario) -> None:
    """In-movers' loneliness starts at their own target, with a full support clique.

    As the initial residents' does, but with a support clique: they arrive with family
    and friends from elsewhere (ties outside the borough the model does not hold). From
    there it drifts with the ties they make here.
    """
    cfg = settings.loneliness
    k = slots.size
    target = loneliness.loneliness_target(
        pop.loneliness_trait[slots],
        pop.age[slots],
        pop.lives_alone[slots],
        np.full(k, cfg.support_clique, np.float32),
        np.zeros(k, bool),
        pop.chronic_need[slots] + pop.acute_need[slots],  # need, of these only
        pop.deprivation[slots],
        np.zeros(k, np.float32),
        cfg,
    )
    pop.loneliness[slots] += target - pop.loneliness_trait[slots]
    pop.lonely[slots] = pop.loneliness[slots] > cfg.threshold


class InMovers:
    """Fills the slots vacated each week.

    Parameters
    ----------
    pop : Population
    ties : network.TieTable
    builder : PopulationBuilder
    households : HouseholdChanges
    levers : sequence of objects with ``reset_slots(slots)``
        Levers, which forget the residents who left.
    settings : Scenario
    ward_start, ward_count : (wards,) int
        First slot and number of slots of each ward.
    population_key, network_key : int
        Counter keys of the ``population`` and ``network`` streams.
    """

    def __init__(
        self,
        pop: Population,
        ties: network.TieTable,
        builder: PopulationBuilder,
        households: HouseholdChanges,
        levers: Sequence[ForgetsResidents],
        settings: Scenario,
        ward_start: np.ndarray,
        ward_count: np.ndarray,
        population_key: int,
        network_key: int,
    ):
        self.pop = pop
        self.ties = ties
        self.builder = builder
        self.households = households
        self.levers = levers
        self.settings = settings
        self.ward_start = ward_start
        self.ward_count = ward_count
        self.population_key = population_key
        self.network_key = network_key

    def arrive(self, vacated: np.ndarray, week: int) -> None:
        """In-movers take the vacated slots: fresh attributes, a household, some ties."""
        if vacated.size == 0:
            return
        self.households.remove_residents(vacated)
        self.builder.renew(self.pop, vacated, week, self.population_key)
        for lever in self.levers:
            lever.reset_slots(vacated)
        self.households.settle_in_movers(vacated, week)
        start_loneliness(self.pop, vacated, self.settings)
        self.meet_neighbours(vacated, week)
        self.ties.flush()

    def meet_neighbours(self, vacated: np.ndarray, week: int) -> None:
        """Newcomers meet neighbours: the closest in age of three residents of the ward."""
        pop = self.pop
        who = np.repeat(vacated, NEWCOMER_TIES)
        d = counter_uniforms(
            self.network_key,
            (vacated[:, None] * NEWCOMER_TIES + np.arange(NEWCOMER_TIES)).ravel(),
            week,
            CANDIDATES + 1,
        )
        net = self.settings.network
        partner = meet_closest_in_age(
            who, d[:CANDIDATES], pop.age, pop.ward, self.ward_start, self.ward_count
        )
        closeness = network.beta_one_b(d[CANDIDATES], net.closeness_mean)
        self.ties.queue(who, partner, net.new_tie_strength, closeness)
