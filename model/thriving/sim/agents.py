"""Mesa agents: services, community groups, and a light view of a resident.

The few rich entities (services, groups) are Mesa agents; a resident is a view onto
the population arrays, for inspection.

The hot path never loops over these: residents are arrays, services act on ward
totals, and groups are rows of a table. Agents give Mesa's tools (agent sets, reporters,
visualisation) a handle on the model without slowing the week down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from thriving.sim.services import serve

if TYPE_CHECKING:
    from thriving.sim.model import NeighbourhoodModel


class ArrayField:
    """Descriptor mapping an agent attribute onto one slot of a model array.

    Follows Mesa's ``PropertyDescriptor`` pattern: reading ``resident.age`` reads
    ``model.pop.age[resident.slot]``; writing writes the array.
    """

    def __init__(self, owner_path: str = "pop"):
        self.owner_path = owner_path

    def __set_name__(self, owner, name):
        self.name = name

    def _array(self, agent):
        return getattr(getattr(agent.model, self.owner_path), self.name)

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        value = self._array(agent)[agent.slot]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, agent, value):
        self._array(agent)[agent.slot] = value


class Resident(mesa.Agent):
    """A view of one resident slot (not registered with the model's agent set).

    Parameters
    ----------
    model : NeighbourhoodModel
    slot : int
    """

    age = ArrayField()
    ward = ArrayField()
    lives_alone = ArrayField()
    chronic_need = ArrayField()
    acute_need = ArrayField()
    loneliness = ArrayField()
    lonely = ArrayField()
    aware = ArrayField()
    barrier = ArrayField()
    group = ArrayField()
    ties = ArrayField()
    strong_ties = ArrayField()
    care_client = ArrayField()

    def __init__(self, model: NeighbourhoodModel, slot: int):
        # Deliberately bypass Agent.__init__: a view must not join model.agents.
        self.model = model
        self.slot = int(slot)
        self.unique_id = int(slot)

    @property
    def ward_name(self) -> str:
        """Name of the resident's ward."""
        return str(self.model.wards.names[self.ward])

    def __repr__(self) -> str:
        return (
            f"Resident(slot={self.slot}, age={self.age:.0f}, ward={self.ward_name!r}, "
            f"lonely={self.lonely}, ties={self.ties:.0f}, strong_ties={self.strong_ties:.0f})"
        )


class CommunityGroup(mesa.Agent):
    """A community group, a view onto a row of the model's group table."""

    def __init__(self, model: NeighbourhoodModel, group_id: int):
        super().__init__(model)
        self.group_id = int(group_id)

    @property
    def ward(self) -> int:
        """Ward index."""
        return int(self.model.groups.ward[self.group_id])

    @property
    def members(self) -> int:
        """Current members."""
        return int(self.model.groups.members[self.group_id])

    @property
    def capacity(self) -> int:
        """Places."""
        return int(self.model.groups.capacity[self.group_id])

    @property
    def funded(self) -> bool:
        """Funded by a grant this week."""
        return bool(self.model.groups.funded_until[self.group_id] >= self.model.week)


class Service(mesa.Agent):
    """A public service with weekly capacity per ward and a waiting list.

    Parameters
    ----------
    model : NeighbourhoodModel
    name : str
    capacity : (wards,) float or None
        Weekly capacity per ward; None means everyone is seen (emergency care).
    abandon : float
        Share of those waiting who give up each week.
    unit_cost_gbp : float
    """

    def __init__(self, model, name, capacity, abandon, unit_cost_gbp):
        super().__init__(model)
        self.name = name
        self.capacity = capacity
        self.abandon = abandon
        self.unit_cost_gbp = unit_cost_gbp
        n_wards = model.wards.n_wards
        self.waiting = np.zeros(n_wards)
        self.delivered = np.zeros(n_wards)
        self.unmet = np.zeros(n_wards)

    def serve_week(self, demand: np.ndarray) -> np.ndarray:
        """Serve this week's demand by ward; returns what was delivered."""
        if self.capacity is None:
            self.delivered = demand.astype(np.float64)
            self.unmet = np.zeros_like(self.delivered)
            return self.delivered
        self.delivered, self.unmet, self.waiting = serve(
            demand, self.capacity, self.waiting, self.abandon
        )
        return self.delivered
