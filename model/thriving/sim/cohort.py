"""Each resident's GP appointments, quarter by quarter, for following referred residents.

An evaluation of social prescribing compares the GP use of the people referred in the
year before referral with the year after (``docs/before_after.md``). To show what that
measures, a run can keep every resident slot's GP appointments per 13-week quarter,
from the last year of burn-in (so that residents referred in year 1 have a year
before) to the end of the run, and who held the slot at each quarter's end.

What is counted is the appointments residents *had*, as a practice's records would
show them, not the appointments they wanted: when a ward's practices are full, part
of the week's demand waits or gives up (:func:`thriving.sim.services.serve`). The model
keeps waiting lists by ward, not by resident, so each resident's weekly demand is
scaled by the share of the ward's demand its practices delivered that week
(:func:`appointments_had`); over the residents of a ward, this adds up to the
appointments the practices delivered, as in the weekly series.

Who held a slot is kept as the week the holder moved in: an in-mover's attributes are
drawn from the slot and the week of arrival, so the same slot and moving-in week is
the same person in a scenario run and in its paired baseline run (common random
numbers), even when deaths differ between the two runs. Occupant numbers
(``Population.occupant``) can coincide for different people once they do.

Tracking is only done when it is needed (:func:`runs_to_track`): for runs of a
scenario that funds social prescribing, and for the baseline runs of an experiment in
which some scenario does. It reads the model's state and draws no random numbers, so
it changes no result.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from thriving.sim.model import NeighbourhoodModel

#: Weeks in a quarter (four make the model's 52-week year).
QUARTER_WEEKS = 13

#: Years of burn-in tracked before year 1 (a 'before' year for year-1 referrals).
YEARS_BEFORE = 1

#: Appointments are kept in hundredths (uint16) while the run goes on: exact to 0.005
#: of an appointment a quarter, and half the memory of float32.
HUNDREDTHS = 100

#: The most appointments a slot can show in a quarter (uint16 hundredths).
MAX_PER_QUARTER = np.iinfo(np.uint16).max / HUNDREDTHS

#: ``moved_in`` value of the residents who were there when the run began.
THERE_FROM_THE_START = np.iinfo(np.int16).min

#: Column of the table that holds the slot number.
SLOT_COLUMN = "slot"

#: Column of the table: who held each slot when tracking began.
MOVED_IN_AT_START = "moved_in_start"

_QUARTER_COLUMN = re.compile(r"^(gp|moved_in)_y(\d+)q([1-4])$")


# --------------------------------------------------------------------------------------
# Quarters
# --------------------------------------------------------------------------------------


def quarter_of_week(week: Any) -> Any:
    """Quarter of a week counted as in the series (week 1 = first week of year 1).

    Quarter 1 is weeks 1-13; quarter 0 is the last 13 weeks of burn-in, -3 to 0 its
    last year.

    Examples
    --------
    >>> [quarter_of_week(w) for w in (1, 13, 14, 52, 53, 0, -12, -13)]
    [1, 1, 2, 4, 5, 0, 0, -1]
    """
    return (week - 1) // QUARTER_WEEKS + 1


def quarter_name(quarter: int) -> str:
    """Year and quarter of a quarter number, as in column names (year 0 is burn-in).

    Examples
    --------
    >>> [quarter_name(q) for q in (-3, 0, 1, 4, 5)]
    ['y0q1', 'y0q4', 'y1q1', 'y1q4', 'y2q1']
    """
    year, within = divmod(quarter - 1, 4)
    return f"y{year + 1}q{within + 1}"


def quarter_from_name(name: str) -> int:
    """Quarter number of a name such as ``y1q1`` (inverse of :func:`quarter_name`).

    Examples
    --------
    >>> [quarter_from_name(n) for n in ("y0q1", "y0q4", "y1q1", "y2q1")]
    [-3, 0, 1, 5]
    """
    match = re.fullmatch(r"y(\d+)q([1-4])", name)
    if match is None:
        raise ValueError(f"{name!r} is not a quarter name such as y1q1")
    return 4 * (int(match.group(1)) - 1) + int(match.group(2))


# --------------------------------------------------------------------------------------
# Appointments had
# --------------------------------------------------------------------------------------


def appointments_had(
    wanted: np.ndarray, ward: np.ndarray, delivered: np.ndarray, n_wards: int
) -> np.ndarray:
    """Each resident's practice appointments this week, as records would show them.

    Practices serve each ward's demand (and its waiting list) up to capacity; the
    appointments delivered are shared among the residents who wanted one this week in
    proportion to what they wanted.

    Parameters
    ----------
    wanted : (n,) int
        Appointments each resident wanted this week.
    ward : (n,) int
        Each resident's ward.
    delivered : (wards,) float
        Appointments the ward's practices delivered this week.
    n_wards : int

    Returns
    -------
    (n,) float64, appointments

    Examples
    --------
    >>> appointments_had(np.array([2, 0, 1, 1]), np.array([0, 0, 1, 1]),
    ...                  np.array([1.0, 2.0]), 2).tolist()
    [1.0, 0.0, 1.0, 1.0]
    """
    wanted_by_ward = np.bincount(ward, weights=wanted, minlength=n_wards)
    share = np.divide(delivered, wanted_by_ward, out=np.zeros(n_wards), where=wanted_by_ward > 0)
    return wanted * share[ward]


# --------------------------------------------------------------------------------------
# The tracker
# --------------------------------------------------------------------------------------


class GPUseTracker:
    """Keeps every slot's GP appointments per quarter and who held it at each quarter end.

    Call :meth:`record` once a week, after services have served and before deaths and
    in-movers take effect; read :meth:`table` at the end of the run. Memory: 2 bytes per
    slot per quarter for appointments and 2 (or 4 in runs of more than 600 years) for
    who held the slot.

    Parameters
    ----------
    model : NeighbourhoodModel
    """

    def __init__(self, model: NeighbourhoodModel):
        self.model = model
        s = model.settings
        n = model.pop.size
        self.burn_in_weeks = s.burn_in_weeks
        self.start_week = max(0, s.burn_in_weeks - 52 * YEARS_BEFORE)
        self.n_quarters = (s.weeks - self.start_week) // QUARTER_WEEKS
        self.first_quarter = quarter_of_week(self.start_week - s.burn_in_weeks + 1)
        wide = s.weeks > np.iinfo(np.int16).max - 1
        self._week_type = np.int32 if wide else np.int16
        self.appointments = np.zeros((self.n_quarters, n), np.uint16)
        # Row 0: the holders when tracking starts; row q + 1: at the end of quarter q.
        self.moved_in = np.zeros((self.n_quarters + 1, n), self._week_type)
        self._quarter = np.zeros(n, np.float64)  # the quarter in progress

    def _holders(self) -> np.ndarray:
        """The week each slot's current holder moved in, counted as in the series."""
        entered = self.model.pop.entered_week
        weeks = entered - self.burn_in_weeks + 1
        return np.where(entered < 0, THERE_FROM_THE_START, weeks).astype(self._week_type)

    def record(self, week: int, wanted: np.ndarray, delivered: np.ndarray) -> None:
        """Add one week's appointments (nothing before tracking starts).

        Parameters
        ----------
        week : int
            The model's week (0-based, burn-in included).
        wanted : (n,) int
            Appointments each resident wanted this week (``ResidentDemand.gp``).
        delivered : (wards,) float
            Appointments each ward's practices delivered this week.
        """
        offset = week - self.start_week
        if offset < 0 or offset >= self.n_quarters * QUARTER_WEEKS:
            return
        quarter, week_in_quarter = divmod(offset, QUARTER_WEEKS)
        if week_in_quarter == 0:
            # This week's holders held the slot as the previous quarter closed (after
            # its last week's deaths and in-movers).
            self.moved_in[quarter] = self._holders()
        pop = self.model.pop
        self._quarter += appointments_had(wanted, pop.ward, delivered, self.model.wards.n_wards)
        if week_in_quarter == QUARTER_WEEKS - 1:
            hundredths = np.rint(np.minimum(self._quarter, MAX_PER_QUARTER) * HUNDREDTHS)
            self.appointments[quarter] = hundredths.astype(np.uint16)
            self._quarter[:] = 0.0

    def table(self) -> pd.DataFrame:
        """One row per slot: appointments in each quarter, and who held it at each end.

        Columns: ``slot``; ``gp_y0q1``, ``gp_y0q2``, ... (appointments had in the
        quarter by whoever held the slot, float32; year 0 is the last year of burn-in,
        ``y1q1`` the first 13 weeks of year 1); ``moved_in_start`` (the week the slot's
        holder when tracking began moved in) and ``moved_in_y0q1``, ... (when the slot
        changed hands during the quarter, the week its holder at the quarter's end moved
        in; empty when it did not). Weeks are counted as in the series: week 1 is the
        first week of year 1, 0 and below are burn-in; ``THERE_FROM_THE_START``
        (-32768) marks residents there when the run began.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        n = self.model.pop.size
        self.moved_in[self.n_quarters] = self._holders()  # after the last week's moves
        names = [quarter_name(self.first_quarter + q) for q in range(self.n_quarters)]
        columns: dict[str, np.ndarray] = {SLOT_COLUMN: np.arange(n, dtype=np.int32)}
        for q, name in enumerate(names):
            columns[f"gp_{name}"] = (self.appointments[q] / np.float32(HUNDREDTHS)).astype(
                np.float32
            )
        columns[MOVED_IN_AT_START] = self.moved_in[0]
        for q, name in enumerate(names):
            # Only the slots that changed hands: the rest are left empty (a few bytes in
            # Parquet rather than a week number for every resident in every quarter).
            unchanged = self.moved_in[q + 1] == self.moved_in[q]
            columns[f"moved_in_{name}"] = pd.arrays.IntegerArray(self.moved_in[q + 1], unchanged)
        return pd.DataFrame(columns)


# --------------------------------------------------------------------------------------
# Reading a table back
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GPQuarters:
    """A run's tracked GP use, as arrays.

    Attributes
    ----------
    first_quarter : int
        Number of the first tracked quarter (-3 when burn-in is a year or more).
    appointments : (quarters, slots) float64
        Appointments had in each quarter by whoever held each slot.
    moved_in : (quarters + 1, slots) int64
        Week the holder of each slot moved in: row 0 when tracking began, row ``q + 1``
        at the end of tracked quarter ``q``.
    """

    first_quarter: int
    appointments: np.ndarray
    moved_in: np.ndarray

    @property
    def last_quarter(self) -> int:
        """Number of the last tracked quarter."""
        return self.first_quarter + self.appointments.shape[0] - 1

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> GPQuarters:
        """Read the arrays back from :meth:`GPUseTracker.table` (or its Parquet file).

        Raises
        ------
        ValueError
            If the table does not have the tracker's columns.
        """
        gp: dict[int, str] = {}
        moved: dict[int, str] = {}
        for column in table.columns:
            match = _QUARTER_COLUMN.match(str(column))
            if match:
                quarter = quarter_from_name(f"y{match.group(2)}q{match.group(3)}")
                (gp if match.group(1) == "gp" else moved)[quarter] = column
        if not gp or sorted(gp) != sorted(moved) or MOVED_IN_AT_START not in table:
            raise ValueError("not a table of GP use by quarter (gp_y1q1, moved_in_y1q1, ...)")
        quarters = sorted(gp)
        if quarters != list(range(quarters[0], quarters[-1] + 1)):
            raise ValueError("the table of GP use by quarter has quarters missing")
        if SLOT_COLUMN in table:
            order = np.argsort(table[SLOT_COLUMN].to_numpy(), kind="stable")
        else:
            order = np.arange(len(table))
        appointments = np.stack([table[gp[q]].to_numpy(np.float64)[order] for q in quarters])
        holder = table[MOVED_IN_AT_START].to_numpy(np.int64)[order]
        rows = [holder]
        for q in quarters:
            # Empty where the slot did not change hands: the holder stays the same.
            changed = table[moved[q]].to_numpy(np.float64, na_value=np.nan)[order]
            holder = np.where(np.isnan(changed), holder, changed).astype(np.int64)
            rows.append(holder)
        return cls(quarters[0], appointments, np.stack(rows))
