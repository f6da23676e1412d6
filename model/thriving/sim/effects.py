"""What investment levers do in a week: their effects, their requests, what they read.

A lever never reaches into the model. Each week it reads a :class:`LeverView` (the
resident arrays, the wards, the group table, its counter key and the week) and returns
a :class:`LeverAction`:

* :class:`LeverEffects`, what holds for this week only: outreach, slower need growth,
  barrier relief, fewer groups opening, and the demand modifiers. The model combines
  every lever's effects into one value (:meth:`LeverEffects.combine`) and the week's
  processes read that.
* requests, what changes the model's state: open, fund or close groups, make residents
  aware, lower their barriers, connect them to groups, log referrals, introduce new
  ties. The model carries out each lever's requests as soon as that lever has acted,
  in the order the lever lists them, before the next lever acts (so a lever sees the
  groups the one before it opened, as it always has).

Combining effects reproduces exactly what the levers did when they wrote into shared
arrays: outreach, need slowing, barrier relief and opening reduction take the largest
value of any lever; GP appointments avoided add up; multipliers multiply, in the order
of the levers, in the precision each lever computed its factor in (float64 for social
prescribing's decaying factors, float32 for the teams' fixed one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np

from thriving.config.schema import Scenario
from thriving.config.wards import WardTable
from thriving.sim.groups import GroupTable
from thriving.sim.population import Population
from thriving.sim.services import DemandModifiers


@dataclass(frozen=True)
class LeverView:
    """What a lever may read of the model in one week (read it, do not write it).

    Attributes
    ----------
    pop : Population
        Resident arrays (age, ward, need, GP use, barriers, ...).
    wards : WardTable
        The borough's wards.
    ward_residents : (wards,) float
        Simulated residents of each ward.
    ward_start, ward_count : (wards,) int
        First slot and number of slots of each ward (slots are contiguous by ward).
    scale : float
        Borough adults per simulated resident.
    groups : GroupTable
        Community groups, open and closed.
    settings : Scenario
        The resolved scenario.
    lever_key : int
        Counter key of the ``levers`` stream (salted per purpose with ``rng.Salt``).
    levers_stream : numpy.random.Generator
        The ``levers`` stream (connectors draw one uniform per resident a funded week).
    week : int
        Simulation week (burn-in included).
    """

    pop: Population
    wards: WardTable
    ward_residents: np.ndarray
    ward_start: np.ndarray
    ward_count: np.ndarray
    scale: float
    groups: GroupTable
    settings: Scenario
    lever_key: int
    levers_stream: np.random.Generator
    week: int


@dataclass
class LeverEffects:
    """Effects of levers that hold for one week; None where a lever has none.

    Attributes
    ----------
    outreach : (n,) float, optional
        Weekly chance from outreach that a resident not aware of the local groups hears
        of them (largest over levers).
    need_slowing : (n,) float32, optional
        Relative slowing of chronic need growth (largest over levers).
    barrier_relief : (n,) float32, optional
        Relative relief of each resident's barrier to taking part (largest over levers).
    opening_reduction : (wards,) float, optional
        Relative reduction in new groups opening in each ward (largest over levers).
    gp_avoided_per_week : (n,) float, optional
        GP appointments a week replaced by link-worker support (added over levers).
    ae_multiplier, admissions_multiplier, escalation_multiplier : (n,) float, optional
        Relative change in A&E attendances, admissions and episodes escalating
        (multiplied over levers).
    """

    outreach: np.ndarray | None = None
    need_slowing: np.ndarray | None = None
    barrier_relief: np.ndarray | None = None
    opening_reduction: np.ndarray | None = None
    gp_avoided_per_week: np.ndarray | None = None
    ae_multiplier: np.ndarray | None = None
    admissions_multiplier: np.ndarray | None = None
    escalation_multiplier: np.ndarray | None = None

    @classmethod
    def none(cls, residents: int, wards: int) -> LeverEffects:
        """No effect, with every array present (the start of a week's combination)."""
        mods = DemandModifiers.none(residents)
        return cls(
            outreach=np.zeros(residents, np.float32),
            need_slowing=np.zeros(residents, np.float32),
            barrier_relief=np.zeros(residents, np.float32),
            opening_reduction=np.zeros(wards),
            gp_avoided_per_week=mods.gp_avoided_per_week,
            ae_multiplier=mods.ae_multiplier,
            admissions_multiplier=mods.admissions_multiplier,
            escalation_multiplier=mods.escalation_multiplier,
        )

    def reset(self) -> None:
        """Back to no effect, in place (arrays of :meth:`none` only)."""
        for name in _LARGEST:
            getattr(self, name).fill(0.0)
        self.modifiers.reset()

    def combine(self, other: LeverEffects) -> None:
        """Add another lever's effects to these, in place (arrays of :meth:`none`).

        Examples
        --------
        >>> week = LeverEffects.none(3, 1)
        >>> week.combine(LeverEffects(outreach=np.array([0.25, 0.0, 0.5])))
        >>> week.combine(LeverEffects(outreach=np.array([0.5, 0.0, 0.125])))
        >>> week.outreach.tolist()  # the largest of any lever
        [0.5, 0.0, 0.5]
        """
        for name in _LARGEST:
            theirs = getattr(other, name)
            if theirs is not None:
                mine = getattr(self, name)
                np.maximum(mine, theirs, out=mine)
        if other.gp_avoided_per_week is not None:
            self.gp_avoided_per_week += other.gp_avoided_per_week
        for name in _PRODUCT:
            theirs = getattr(other, name)
            if theirs is not None:
                getattr(self, name)[...] *= theirs

    @property
    def modifiers(self) -> DemandModifiers:
        """The demand modifiers (views of these arrays; arrays of :meth:`none` only)."""
        arrays = (self.gp_avoided_per_week, *(getattr(self, name) for name in _PRODUCT))
        if any(a is None for a in arrays):
            raise ValueError("modifiers are defined for a week's combined effects only")
        return DemandModifiers(*arrays)


#: Effects combined by taking the largest value of any lever.
_LARGEST = ("outreach", "need_slowing", "barrier_relief", "opening_reduction")
#: Effects combined by multiplying, in the order of the levers.
_PRODUCT = ("ae_multiplier", "admissions_multiplier", "escalation_multiplier")


# ---------------------------------------------------------------------- requests


@dataclass(frozen=True)
class OpenGroups:
    """Open new community groups.

    Attributes
    ----------
    wards : (k,) int
        Ward of each new group.
    capacities : (k,) int
        Places in each.
    funded_until : int
        Last funded week (-1: unfunded).
    source : str
        Who opened them (``"grant"``, ...).
    """

    wards: np.ndarray
    capacities: np.ndarray
    funded_until: int = -1
    source: str = "volunteers"


@dataclass(frozen=True)
class FundGroups:
    """Fund open groups until a week (a grant rescues groups at risk of closing)."""

    groups: np.ndarray
    until: int


@dataclass(frozen=True)
class CloseGroups:
    """Close community groups; their members are left without a group."""

    groups: np.ndarray


@dataclass(frozen=True)
class MakeAware:
    """Residents hear of the local groups."""

    residents: np.ndarray


@dataclass(frozen=True)
class LowerBarriers:
    """A lasting fall in residents' base barrier: ``base_barrier *= factor``."""

    residents: np.ndarray
    factor: float


@dataclass(frozen=True)
class ConnectToGroups:
    """Find a place in a local group for each of these residents not in one."""

    residents: np.ndarray


@dataclass(frozen=True)
class Refer:
    """Log referrals to social prescribing (for before-and-after analyses).

    Attributes
    ----------
    referred : (k,) int
        Resident slots referred this week.
    took_up, engaged : (k,) bool
        Whether each took up the referral, and whether they engaged.
    """

    referred: np.ndarray
    took_up: np.ndarray
    engaged: np.ndarray


@dataclass(frozen=True)
class Introduce:
    """New ties between ``residents[i]`` and ``partners[i]`` (queued; added in step 4).

    Attributes
    ----------
    residents, partners : (k,) int
    strength : float
        Starting strength of the new ties.
    closeness : (k,) float
        Closeness of each.
    """

    residents: np.ndarray
    partners: np.ndarray
    strength: float
    closeness: np.ndarray


#: Any request a lever may make of the model.
Request: TypeAlias = (
    OpenGroups
    | FundGroups
    | CloseGroups
    | MakeAware
    | LowerBarriers
    | ConnectToGroups
    | Refer
    | Introduce
)


@dataclass
class LeverAction:
    """What one lever does in one week: its effects, and its requests in order."""

    effects: LeverEffects = field(default_factory=LeverEffects)
    requests: list[Request] = field(default_factory=list)
