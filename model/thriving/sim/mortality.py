"""Deaths and moves out of the borough, with death risks normalised to the life table.

Each resident's weekly death hazard is the life table's at their age times relative
risks from excess need, loneliness and isolation (``health``). So that deaths by age
still follow the life table, the risks are normalised within five-year age bands:
during burn-in the norm is the hazard-weighted mean relative risk of each band; once
investments can start it is frozen, so every scenario shares it and differs only
through its effects.
"""

from __future__ import annotations

import numpy as np

from thriving.config.schema import HealthConfig
from thriving.sim import health
from thriving.sim.demography import AgeLookup
from thriving.sim.population import Population, expected_chronic_need

#: Five-year age bands (18-22, ..., 98+) within which mortality risk factors are
#: normalised to the life table.
MORTALITY_BANDS = 17


class Mortality:
    """Who dies or moves away each week.

    Parameters
    ----------
    cfg : HealthConfig
        The scenario's ``health`` block.
    """

    def __init__(self, cfg: HealthConfig):
        self.cfg = cfg
        #: (MORTALITY_BANDS,) float: the frozen norm of each band (None until set).
        self.norm: np.ndarray | None = None
        self._largest_risk = health.largest_relative_risk(cfg)
        self._death_hazard = AgeLookup(health.base_weekly_hazard)
        self._expected_need = AgeLookup(
            lambda a: expected_chronic_need(
                a, cfg.need_growth_at_50, cfg.need_growth_per_year_of_age
            )
        )

    def draw(
        self, pop: Population, p_move: np.ndarray, u: np.ndarray, norming: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who dies and who moves out this week.

        A resident dies when ``u < p_death`` and moves when ``p_death <= u < p_death +
        p_move`` (one uniform per resident decides both).

        Parameters
        ----------
        pop : Population
        p_move : (n,) float
            Weekly chance of moving out of the borough.
        u : (n,) float
            The week's ``mortality`` uniforms.
        norming : bool
            Work out the norm afresh (burn-in, or no norm yet); else use the frozen one.

        Returns
        -------
        died, moved : (n,) bool
        """
        n = pop.size
        age_index = self._death_hazard.grid_index(pop.age)  # both tables share the grid
        base_hazard = self._death_hazard.at(age_index)
        band = np.minimum(((pop.age - 18.0) * 0.2).astype(np.int64), MORTALITY_BANDS - 1)
        if norming:
            who: slice | np.ndarray = slice(None)  # everyone's risk counts in the norm
        else:
            # A resident dies or moves when u < p_death + p_move, and p_death is below
            # base * rr / norm (1 - exp(-x) <= x), rr below its largest value: above
            # that bound, with a margin far wider than rounding, nobody dies or moves,
            # so the risks are worked out for the few below it only.
            assert self.norm is not None
            bound = base_hazard * self._largest_risk / self.norm[band] + p_move
            who = np.flatnonzero(u < bound * (1.0 + 1e-9))
        need = pop.chronic_need[who] + pop.acute_need[who]  # pop.need of these only
        excess_need = need - self._expected_need.at(age_index[who])
        isolated = pop.strong_ties[who] == 0
        rr = health.mortality_relative_risk(excess_need, pop.lonely[who], isolated, self.cfg)
        if norming:
            weighted = np.bincount(band, weights=base_hazard * rr, minlength=MORTALITY_BANDS)
            total = np.bincount(band, weights=base_hazard, minlength=MORTALITY_BANDS)
            self.norm = np.where(total > 0, weighted / np.maximum(total, 1e-300), 1.0)
        norm = self.norm
        assert norm is not None  # set above while norming, frozen since
        p_death = health.weekly_death_probability(base_hazard[who], rr, norm[band[who]])
        uw = u[who]
        died = np.zeros(n, bool)
        moved = np.zeros(n, bool)
        died[who] = uw < p_death
        moved[who] = ~died[who] & (uw < p_death + p_move[who])
        return died, moved
