"""Residents as arrays: the synthetic adult population of a borough.

One slot per resident, for life; an in-mover takes the slot of a resident who died or
moved away, keeping the slot's ward. Every attribute is a numpy array indexed by slot
(structure of arrays), so a week is a handful of vectorised operations.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields

import numpy as np

from thriving.config.schema import Scenario
from thriving.config.wards import WardTable
from thriving.sim import demography
from thriving.sim.rng import counter_uniforms


@dataclass
class Population:
    """State of every resident slot.

    Attributes
    ----------
    ward : (n,) int16
        Ward index (fixed for the slot).
    age : (n,) float64, years
    lives_alone : (n,) bool
    frailty : (n,) float32
        Lifelong multiplier of how fast need accumulates (mean about 1).
    chronic_need : (n,) float32, need units
        Accumulated long-term health and care need (0 = none).
    acute_need : (n,) float32, need units
        Need from current acute episodes; recovers over weeks.
    loneliness : (n,) float32, score
        Continuous loneliness score; lonely when above the threshold.
    loneliness_trait : (n,) float32, score
        Lifelong disposition to loneliness.
    lonely : (n,) bool
        Often or always lonely this week.
    propensity : (n,) float32 in [0, 1]
        Trait: how keen the resident is to take part in community activity.
    aware : (n,) bool
        Knows of the local community offer.
    barrier : (n,) float32 in [0, 1]
        Current barrier to taking part (1 = cannot).
    base_barrier : (n,) float32 in [0, 1]
        Barrier without any access support.
    group : (n,) int32
        Community group the resident belongs to, or -1.
    ties : (n,) float32
        Number of social ties (computed weekly from the network).
    strong_ties : (n,) float32
        Number of strong ties (computed weekly).
    care_client : (n,) bool
        Receiving long-term adult social care support.
    gp_recent : (n,) float32, appointments per week
        Recent practice use (moving average over the frequent-attender window).
    entered_week : (n,) int32
        Week the current occupant entered the slot (negative for the initial residents).
    occupant : (n,) int32
        How many residents have held the slot before the current one.
    """

    ward: np.ndarray
    age: np.ndarray
    lives_alone: np.ndarray
    frailty: np.ndarray
    chronic_need: np.ndarray
    acute_need: np.ndarray
    loneliness: np.ndarray
    loneliness_trait: np.ndarray
    lonely: np.ndarray
    propensity: np.ndarray
    aware: np.ndarray
    barrier: np.ndarray
    base_barrier: np.ndarray
    group: np.ndarray
    ties: np.ndarray
    strong_ties: np.ndarray
    care_client: np.ndarray
    gp_recent: np.ndarray
    entered_week: np.ndarray
    occupant: np.ndarray
    deprivation: np.ndarray = field(repr=False)  # (n,) float32, the slot's ward score

    @property
    def size(self) -> int:
        """Number of resident slots."""
        return int(self.ward.size)

    @property
    def need(self) -> np.ndarray:
        """Total health-and-care need (chronic plus acute), need units."""
        return self.chronic_need + self.acute_need

    def arrays(self) -> dict[str, np.ndarray]:
        """All attribute arrays by name (for snapshots and tests)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@functools.cache
def _ndtri():
    """The inverse normal CDF of scipy (imported once, when first needed)."""
    from scipy.special import ndtri

    return ndtri


def ward_sizes(residents: int, adults: np.ndarray) -> np.ndarray:
    """Share ``residents`` among wards in proportion to their adults (largest remainder).

    Parameters
    ----------
    residents : int
        Adults to simulate.
    adults : ndarray of float, shape (wards,)
        Adults in each ward in the ward table.

    Returns
    -------
    ndarray of int, shape (wards,), summing to ``residents``

    Examples
    --------
    >>> ward_sizes(10, np.array([1.0, 1.0, 2.0])).tolist()
    [3, 2, 5]
    """
    exact = residents * adults / adults.sum()
    sizes = np.floor(exact).astype(np.int64)
    short = residents - sizes.sum()
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:short]] += 1
    return sizes


def expected_chronic_need(age: np.ndarray, growth_at_50: float, growth_per_year: float):
    """Chronic need accumulated from 18 to ``age`` by an average resident.

    Need grows at ``growth_at_50 * exp(growth_per_year * (age - 50))`` a year, so the
    accumulated need is its integral from age 18.

    Parameters
    ----------
    age : ndarray of float, years
    growth_at_50 : float, need units per year
    growth_per_year : float, per year of age

    Returns
    -------
    ndarray of float, need units
    """
    if growth_per_year == 0:
        return growth_at_50 * (age - demography.MIN_AGE)
    return (growth_at_50 / growth_per_year) * (
        np.exp(growth_per_year * (age - 50.0))
        - np.exp(growth_per_year * (demography.MIN_AGE - 50.0))
    )


def living_alone_factor(wards: WardTable, age_density: np.ndarray) -> np.ndarray:
    """Per-ward multiplier so each ward's share living alone matches the ward table.

    Parameters
    ----------
    wards : WardTable
    age_density : ndarray, shape (wards, ages)

    Returns
    -------
    ndarray of float, shape (wards,)
    """
    expected = age_density @ demography.living_alone_probability(demography.AGES + 0.5)
    return wards.share_living_alone / expected


class PopulationBuilder:
    """Draws residents (the initial population and in-movers) for one scenario.

    Parameters
    ----------
    scenario : Scenario
    wards : WardTable
    """

    #: Number of counter-based draws used for one in-mover.
    N_DRAWS = 11

    def __init__(self, scenario: Scenario, wards: WardTable):
        self.scenario = scenario
        self.wards = wards
        self.age_density = demography.ward_age_density(wards.share_65_plus)
        self.inflow_density, self.move_rate = demography.stationary_flows(
            self.age_density, scenario.population.moves_per_year
        )
        self.alone_factor = living_alone_factor(wards, self.age_density)
        # Weekly chance of moving out at each ward and age, from the yearly rate (the
        # same numbers as converting each resident's rate every week).
        self._weekly_move = -np.log1p(-self.move_rate) / 52.0
        self._move_ward: np.ndarray | None = None  # the ward array _move_row is for
        self._move_row = np.empty(0, np.int64)
        self._cdf = {
            False: demography.stacked_cdf(self.age_density),
            True: demography.stacked_cdf(self.inflow_density),
        }
        self.barrier_mean = np.clip(
            scenario.groups.barrier_mean
            + scenario.groups.barrier_deprivation * (wards.deprivation - 0.5),
            0.02,
            0.98,
        )

    def _attributes(self, ward: np.ndarray, u: np.ndarray, inflow: bool) -> dict:
        """Resident attributes from eleven uniform draws per resident (rows of ``u``)."""
        ndtri = _ndtri()  # inverse normal CDF, vectorised
        s = self.scenario
        density = self.inflow_density if inflow else self.age_density
        age = demography.sample_ages(density, ward, u[0], u[1], self._cdf[inflow])
        alone_p = np.clip(demography.living_alone_probability(age) * self.alone_factor[ward], 0, 1)
        lives_alone = u[2] < alone_p
        # Normal deviates for frailty, the loneliness trait and the start score, together.
        normal = ndtri(np.clip(u[[3, 4, 8]], 1e-12, 1 - 1e-12))
        sd = s.health.frailty_sd
        frailty = np.exp(sd * normal[0] - 0.5 * sd * sd)
        chronic = frailty * expected_chronic_need(
            age, s.health.need_growth_at_50, s.health.need_growth_per_year_of_age
        )
        lifelong = (u[9] < s.health.lifelong_condition_share) * (
            -s.health.lifelong_condition_need * np.log1p(-u[10])
        )
        chronic = chronic + lifelong
        trait = s.loneliness.trait_sd * normal[1]
        # Propensity: a power of a uniform, mean 0.4, most residents mildly keen and a
        # minority very keen (the "civic core").
        propensity = u[5] ** 1.5
        aware = u[6] < s.groups.awareness_initial
        # Barrier: Beta-like spread around the ward's mean (mean preserved by the power).
        m = self.barrier_mean[ward]
        barrier = u[7] ** ((1 - m) / m)
        start_score = trait + s.loneliness.noise_sd * normal[2]
        return {
            "age": age,
            "lives_alone": lives_alone,
            "frailty": frailty.astype(np.float32),
            "chronic_need": chronic.astype(np.float32),
            "loneliness_trait": trait.astype(np.float32),
            "loneliness": start_score.astype(np.float32),
            "propensity": propensity.astype(np.float32),
            "aware": aware,
            "barrier": barrier.astype(np.float32),
            "base_barrier": barrier.astype(np.float32),
        }

    def weekly_move_probability(self, ward: np.ndarray, age: np.ndarray) -> np.ndarray:
        """Chance each resident moves out of the borough this week.

        Parameters
        ----------
        ward : (n,) int
        age : (n,) float, years

        Returns
        -------
        (n,) float
        """
        year = np.clip(age.astype(np.int64) - demography.MIN_AGE, 0, demography.AGES.size - 1)
        # One flat index (a slot's ward never changes: its row is kept) gathers several
        # times faster than a two-array index.
        if ward is not self._move_ward:
            self._move_ward = ward
            self._move_row = ward.astype(np.int64) * demography.AGES.size
        return self._weekly_move.ravel()[self._move_row + year]

    def initial(self, rng: np.random.Generator) -> Population:
        """Create the borough's initial adult population.

        Parameters
        ----------
        rng : numpy.random.Generator
            The ``population`` stream.

        Returns
        -------
        Population
        """
        sizes = ward_sizes(self.scenario.population.residents, self.wards.adults)
        ward = np.repeat(np.arange(self.wards.n_wards, dtype=np.int16), sizes)
        n = ward.size
        u = rng.random((self.N_DRAWS, n))
        attrs = self._attributes(ward.astype(np.int64), u, inflow=False)
        return Population(
            ward=ward,
            age=attrs["age"],
            lives_alone=attrs["lives_alone"],
            frailty=attrs["frailty"],
            chronic_need=attrs["chronic_need"],
            acute_need=np.zeros(n, np.float32),
            loneliness=attrs["loneliness"],
            loneliness_trait=attrs["loneliness_trait"],
            lonely=np.zeros(n, bool),
            propensity=attrs["propensity"],
            aware=attrs["aware"],
            barrier=attrs["barrier"],
            base_barrier=attrs["base_barrier"],
            group=np.full(n, -1, np.int32),
            ties=np.zeros(n, np.float32),
            strong_ties=np.zeros(n, np.float32),
            care_client=np.zeros(n, bool),
            gp_recent=np.zeros(n, np.float32),
            entered_week=np.full(n, -1, np.int32),
            occupant=np.zeros(n, np.int32),
            deprivation=self.wards.deprivation[ward].astype(np.float32),
        )

    def renew(self, pop: Population, slots: np.ndarray, week: int, key: int) -> None:
        """Give ``slots`` to in-movers: fresh attributes, no group, no care, no history.

        Draws are counter-based on (slot, week), so an in-mover gets the same attributes
        under every scenario in which they arrive in the same slot and week.

        Parameters
        ----------
        pop : Population
            Modified in place.
        slots : ndarray of int
            Slots vacated this week (deaths and moves).
        week : int
            Current week.
        key : int
            Counter key of the ``population`` stream.
        """
        if slots.size == 0:
            return
        u = counter_uniforms(key, slots, week, self.N_DRAWS)
        attrs = self._attributes(pop.ward[slots].astype(np.int64), u, inflow=True)
        for name, values in attrs.items():
            getattr(pop, name)[slots] = values
        pop.acute_need[slots] = 0.0
        pop.lonely[slots] = False
        pop.group[slots] = -1
        pop.ties[slots] = 0.0
        pop.strong_ties[slots] = 0.0
        pop.care_client[slots] = False
        pop.gp_recent[slots] = 0.0
        pop.entered_week[slots] = week
        pop.occupant[slots] += 1
