"""``TieTable``: the social network of one run, composing the network's modules.

The table holds the state (per-tie columns and the bookkeeping the modules keep); each
concept lives in its own module, and the methods here only hand over to them:

- :mod:`~thriving.sim.network.storage`: the tie arrays, adding, ending, compacting;
- :mod:`~thriving.sim.network.index`: the CSR index built from the edge arrays;
- :mod:`~thriving.sim.network.dynamics`: the weekly contact (strengthening and decay);
- :mod:`~thriving.sim.network.sums`: the incremental per-resident sums;
- :mod:`~thriving.sim.network.export`: a networkx graph of the live ties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from thriving.config.schema import NetworkConfig
from thriving.sim.network import dynamics, export, index, storage, sums
from thriving.sim.network.sums import TieSummary

if TYPE_CHECKING:  # networkx is imported only when exporting (see export.py)
    import networkx


class TieTable:
    """The social network of one run.

    Parameters
    ----------
    n : int
        Resident slots.
    ward : (n,) int array
        Ward of each slot (to flag bridging ties).

    Attributes
    ----------
    src, dst, key, strength, closeness, household, bridging, alive, ... : (m,) arrays
        One per column of :data:`~thriving.sim.network.storage.COLUMNS`: views of the
        used part of the column buffers (``m`` ties, live or dead).
    m : int
        Ties in the table (live or dead).
    n_head : int
        Ties in the merged, sorted head (the rest are the unmerged tail).
    """

    #: Per-tie columns and their dtypes (see :mod:`~thriving.sim.network.storage`).
    COLUMNS = storage.COLUMNS

    # The column views, set by storage.refresh_views() (declared for type checkers; a
    # test checks this list against storage.COLUMNS).
    src: np.ndarray
    dst: np.ndarray
    key: np.ndarray
    strength: np.ndarray
    closeness: np.ndarray
    household: np.ndarray
    bridging: np.ndarray
    alive: np.ndarray
    same_group: np.ndarray
    contact_limit: np.ndarray
    key_mix: np.ndarray
    strong_seen: np.ndarray
    alive_seen: np.ndarray

    def __init__(self, n: int, ward: np.ndarray):
        self.n = int(n)
        self.ward = ward
        self._buf = storage.empty_buffers()
        self.m = 0  # ties in the table (live or dead)
        self.n_head = 0
        # Index (index.py): row pointer of the head, and its by-column view when built.
        self._indptr = np.zeros(self.n + 1, np.int64)
        self._csc: sparse.csc_matrix | None = None
        # Storage (storage.py): ties queued for the week, and the unmerged tail's keys.
        self._queued: list[tuple[np.ndarray, ...]] = []
        self._tail_keys = np.empty(0, np.int64)  # sorted keys of the unmerged tail
        self._tail_index = np.empty(0, np.int64)  # their positions in the table
        # Contact (dynamics.py): what the same-group flags were last brought up to date with.
        self._group_seen: np.ndarray | None = None  # groups when same_group was updated
        self._contact_bonus: float | None = None  # contact_same_group of contact_limit
        self._same_group_stale: list[np.ndarray] = []  # ties whose same_group is unset
        # Sums (sums.py): the running sums and what they last saw.
        self._sums: TieSummary | None = None
        self._lonely_seen = np.zeros(self.n, bool)
        self._member_seen = np.zeros(self.n, bool)
        storage.refresh_views(self)

    # ------------------------------------------------------------------ storage

    @property
    def size(self) -> int:
        """Ties currently alive."""
        return int(np.count_nonzero(self.alive))

    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        strength: np.ndarray | float,
        closeness: np.ndarray | float,
        household: np.ndarray | bool = False,
    ) -> int:
        """Form ties between ``a[i]`` and ``b[i]`` now; pairs already tied are left alone.

        See :func:`~thriving.sim.network.storage.add`; returns the ties formed.
        """
        return storage.add(self, a, b, strength, closeness, household)

    def queue(
        self,
        a: np.ndarray,
        b: np.ndarray,
        strength: np.ndarray | float,
        closeness: np.ndarray | float,
        household: np.ndarray | bool = False,
    ) -> None:
        """Queue ties to form at the next :meth:`flush` (one dedupe for the week)."""
        storage.queue(self, a, b, strength, closeness, household)

    def flush(self) -> int:
        """Form all queued ties; returns how many were formed."""
        return storage.flush(self)

    def remove_residents(self, slots: np.ndarray) -> np.ndarray:
        """End residents' ties; see :func:`~thriving.sim.network.storage.remove_residents`."""
        return storage.remove_residents(self, slots)

    def household_partners(
        self, residents: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Household ties and partners; see :func:`.storage.household_partners`."""
        return storage.household_partners(self, residents)

    def end_ties(self, ties: np.ndarray) -> None:
        """End the given ties (by index), household or not, as a separation does."""
        storage.end_ties(self, ties)

    def merge(self) -> None:
        """Remove dead ties, merge the tail into the sorted head, rebuild the indexes."""
        storage.merge(self)

    # ------------------------------------------------------------------ index

    def incident_ties(self, residents: np.ndarray) -> np.ndarray:
        """Indices of every tie (live or dead) touching ``residents``, each once."""
        return index.incident_ties(self, residents)

    def neighbour_sum(self, tie_weight: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per resident, the sum of ``tie_weight * values[other]`` over their ties."""
        return index.neighbour_sum(self, tie_weight, values)

    def random_neighbour(self, residents: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A random live tie of each resident (from the merged head), or -1."""
        return index.random_neighbour(self, residents, u)

    # ------------------------------------------------------------------ dynamics

    def weekly_contact(self, group: np.ndarray, cfg: NetworkConfig, key: int, week: int) -> None:
        """One week of meeting (or not); see :func:`.dynamics.weekly_contact`."""
        dynamics.weekly_contact(self, group, cfg, key, week)

    # ------------------------------------------------------------------ sums

    def summarise(
        self,
        lonely: np.ndarray,
        member: np.ndarray,
        strong_threshold: float,
        bridging_multiplier: float,
    ) -> TieSummary:
        """Per-resident tie sums, kept up to date; see :func:`.sums.summarise`."""
        return sums.summarise(self, lonely, member, strong_threshold, bridging_multiplier)

    def summarise_in_full(
        self,
        lonely: np.ndarray,
        member: np.ndarray,
        strong: np.ndarray,
        bridging_multiplier: float,
    ) -> TieSummary:
        """The same sums as :meth:`summarise`, computed from scratch (sparse products)."""
        return sums.summarise_in_full(self, lonely, member, strong, bridging_multiplier)

    def ties_per_resident(self) -> np.ndarray:
        """Live ties of every resident, (n,) float32."""
        return sums.ties_per_resident(self)

    # ------------------------------------------------------------------ metrics, export

    def bridging_share(self) -> float:
        """Share of live ties that cross wards."""
        # count_nonzero, not sum: counting flags, it is many times faster.
        alive = int(np.count_nonzero(self.alive))
        return float(np.count_nonzero(self.bridging & self.alive) / alive) if alive else 0.0

    def to_networkx(self, strong_threshold: float = 0.5) -> networkx.Graph:
        """The live ties as a networkx Graph; see :func:`.export.to_networkx`."""
        return export.to_networkx(self, strong_threshold)
