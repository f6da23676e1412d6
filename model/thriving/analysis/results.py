"""Reading results folders: their runs, each run's pairing, numbers and weekly series.

This is the one place analysis code (comparisons, plots, reports) reads finished results
from. A results folder is either

- a **sweep folder** (``thriving sweep``): ``manifest.json``, ``summary.csv`` (one row per
  finished run), and in ``runs/`` each run's record ``<run_id>.json`` (who the run is,
  its facts and yearly costs), its weekly series ``<run_id>.parquet`` and by ward
  ``<run_id>.wards.parquet``; or
- a **single-run folder** (``thriving run``): ``summary.json``, ``manifest.json``,
  ``scenario.yaml``, ``timeseries.csv`` and ``timeseries_by_ward.csv``.

Two functions open them, and both give a :class:`Results`: the finished runs
(:class:`RunInfo`, who each run is and which baseline run it is paired with) of the
folders (:class:`Source`), with two views of them:

- the **summary numbers**, for ``thriving compare``: :func:`load_results` reads any
  number of folders of either kind, strictly (every number, fact and yearly list must be
  there); :attr:`Results.table` is one row per run and :attr:`Results.yearly` each run's
  yearly costs;
- the **weekly series**, for ``thriving plot`` and the report: :func:`open_results` reads
  one folder, leniently (runs that have not wholly finished are left out and counted);
  :meth:`Results.weekly` and :meth:`Results.ward_years` read the series a run at a time,
  only the columns asked for, into arrays of shape (runs, weeks) or (runs, wards, years).

Analyses that need a sweep folder's tables whole read them here too:
:func:`read_manifest`, :func:`read_summary_table` (summary.csv, as numbers or as the
text written), :func:`varied_columns`, :func:`finished_records` and
:func:`read_run_series` (the sensitivity analysis, before-after, the weekly export and
the report's facts).

Pairing
-------
Every run that is not a baseline names its paired baseline run (``baseline_run_id``, in
the folder ``baseline_source``): the run of the baseline scenario with the same seed
(common random numbers) and the same values of the varied settings the baseline has.
In a sweep the experiment made the pairs. Single-run folders read together are paired
here (:func:`load_results`): the scenario of the first single-run folder given is the
baseline, and every other single-run folder is paired with the baseline folder of the
same seed; a single run opened on its own has no baseline. :func:`pair_rows` finds each
pair's two runs; every pairing of runs looks baseline runs up with
:func:`baseline_positions`.

Labels
------
A scenario label (the scenario's ``name``) that appears in more than one sweep folder
(or in a sweep folder and among single-run folders) gets the folder's name added,
``social_prescribing (quickstart)``, so that each scenario keeps its own baseline.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

from thriving.config.errors import ThrivingError
from thriving.metrics import SUMMARY_NUMBERS
from thriving.runs.store import MANIFEST, RUNS, SUMMARY, ResultsFolder

__all__ = [
    "DESIGNS",
    "FACTS",
    "SINGLE_RUN_FILE",
    "YEARLY",
    "Results",
    "baseline_positions",
    "finished_records",
    "read_manifest",
    "read_run_series",
    "read_summary_table",
    "varied_columns",
    "RunInfo",
    "Source",
    "WardYears",
    "Weekly",
    "load_results",
    "open_results",
    "pair_rows",
    "point_key",
    "yearly_wide",
]

#: The summary file of a single-run folder (``thriving run``).
SINGLE_RUN_FILE = "summary.json"

#: Facts about how each run was made: what a comparison checks before comparing.
#: ``years`` and ``burn_in_years`` (horizon), ``residents_simulated`` (the sample),
#: ``borough_adults`` (the borough the results are scaled to), ``price_year`` and
#: ``discount_rate`` (the appraisal), ``first_investment_year`` (year of the run in which
#: the first lever with a budget starts; empty for a run without investment).
FACTS: tuple[str, ...] = (
    "years",
    "burn_in_years",
    "residents_simulated",
    "borough_adults",
    "price_year",
    "discount_rate",
    "first_investment_year",
)

#: Yearly lists of each run's summary (undiscounted £ in each year 1..N of the run),
#: and their column names in :attr:`Results.yearly`.
YEARLY: dict[str, str] = {
    "service_cost_gbp_by_year": "service_cost_gbp",
    "cash_releasing_cost_gbp_by_year": "cash_releasing_cost_gbp",
    "investment_gbp_by_year": "investment_gbp",
}

#: Columns of :attr:`Results.table` before the varied parameters, and after them.
ID_COLUMNS: tuple[str, ...] = ("run_id", "scenario", "seed", "replicate")
PAIRING_COLUMNS: tuple[str, ...] = (
    "is_baseline",
    "baseline_run_id",
    "baseline_source",
    "source",
    "design",
)

#: Designs: ``grid`` (a sweep over listed values, or nothing varied: compare point by
#: point), ``sampled`` (latin_hypercube, sobol, morris: points are draws of uncertain
#: assumptions, pooled) and ``single`` (single-run folders).
DESIGNS = ("grid", "sampled", "single")

#: The weekly series files of a single-run folder (borough totals, and by ward).
SINGLE_RUN_SERIES = "timeseries.csv"
SINGLE_RUN_WARD_SERIES = "timeseries_by_ward.csv"


# --------------------------------------------------------------------------------------
# Runs and folders
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """Who a finished run is, and what its summary says.

    Attributes
    ----------
    run_id : str
    scenario : str
        The scenario's label.
    seed : int
    replicate : int or None
        None for a single run read for its numbers (it has no replicates).
    point : dict
        Values of the varied settings this run has (dotted path to value).
    is_baseline : bool
    baseline_run_id : str or None
        The baseline run it is paired with (None for a baseline run, or a single run
        not paired).
    summary : dict
        The run's :data:`FACTS`: price year, discount rate, years, burn-in years, first
        investment year, borough adults and residents simulated.
    source : str
        The run's folder, as given.
    baseline_source : str or None
        The folder of the paired baseline run (None for a baseline run, or a run not
        paired).
    numbers : dict
        :data:`thriving.metrics.SUMMARY_NUMBERS` (totals over the years after burn-in,
        whole borough; £ present values discounted to year 1 of the run); read by
        :func:`load_results` only.
    yearly : dict
        The :data:`YEARLY` lists, by column name (undiscounted £ in each year 1..N);
        read by :func:`load_results` only.
    """

    run_id: str
    scenario: str
    seed: int
    replicate: int | None
    point: Mapping[str, Any]
    is_baseline: bool
    baseline_run_id: str | None
    summary: Mapping[str, Any]
    source: str = ""
    baseline_source: str | None = None
    numbers: Mapping[str, float] = field(default_factory=dict, repr=False)
    yearly: Mapping[str, Sequence[float]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Source:
    """One results folder that was read.

    Attributes
    ----------
    path : Path
        The folder, as given.
    kind : {"sweep", "run"}
        A sweep folder or a single-run folder.
    name : str
        The experiment's name (sweep) or the scenario's (single run).
    design : {"grid", "sampled", "single"}
        How its runs' points were made (see :data:`DESIGNS`).
    varied : tuple of str
        Varied or sampled parameters (dotted paths); empty for single runs.
    runs : int
        Finished runs read.
    baseline : str or None
        Label of the baseline scenario (None for a single run).
    labels : tuple of str
        Scenario labels, baseline first, in the experiment's order.
    by_point : bool
        Whether runs of a scenario differ in the values of settings listed in ``vary``
        (or of a run list's points), so that each point is drawn on its own; False for
        a sampled design, whose points are pooled.
    wards_file : str or None
        The ward table the runs used (None: the one shipped with Thriving).
    not_done : int
        Runs of the sweep left out because they have not (wholly) finished.
    """

    path: Path
    kind: str
    name: str
    design: str
    varied: tuple[str, ...] = ()
    runs: int = 0
    baseline: str | None = None
    labels: tuple[str, ...] = ()
    by_point: bool = False
    wards_file: str | None = None
    not_done: int = 0

    def __str__(self) -> str:
        return os.fspath(self.path)

    def read_weekly(self, run_id: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly borough series, as float64 arrays."""
        if self.kind == "sweep":
            return _read_parquet(ResultsFolder(self.path).series_file(run_id), columns)
        return _read_csv(self.path / SINGLE_RUN_SERIES, columns)

    def read_wards(self, run_id: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly series by ward (``ward`` as names)."""
        if self.kind == "sweep":
            return _read_parquet(ResultsFolder(self.path).wards_file(run_id), columns)
        return _read_csv(self.path / SINGLE_RUN_WARD_SERIES, columns)


@dataclass(frozen=True)
class Results:
    """Finished runs of one or more results folders, and their two views.

    Made by :func:`load_results` (for the summary numbers) or :func:`open_results` (one
    folder, for the weekly series).

    Attributes
    ----------
    sources : tuple of Source
        The folders, in the order given.
    runs : list of RunInfo
        Finished runs, folder by folder in the sweeps' order. A run is identified by
        ``(source, run_id)``: the same run may be in two folders.
    varied : tuple of str
        Every varied parameter, in order of first appearance (the varied columns).
    """

    sources: tuple[Source, ...]
    runs: list[RunInfo]
    varied: tuple[str, ...] = ()

    # -- The folder, when there is one --------------------------------------------------

    @property
    def folder(self) -> Source:
        """The one folder read (for the weekly view, which reads one folder)."""
        if len(self.sources) != 1:
            raise ValueError(f"{len(self.sources)} folders were read, not one")
        return self.sources[0]

    @property
    def path(self) -> Path:
        """The folder's path."""
        return self.folder.path

    @property
    def kind(self) -> str:
        """``"sweep"`` or ``"run"``."""
        return self.folder.kind

    @property
    def baseline(self) -> str | None:
        """Label of the baseline scenario (None for a single run)."""
        return self.folder.baseline

    @property
    def labels(self) -> tuple[str, ...]:
        """Scenario labels, baseline first, in the experiment's order."""
        return self.folder.labels

    @property
    def wards_file(self) -> str | None:
        """The ward table the runs used (None: the one shipped with Thriving)."""
        return self.folder.wards_file

    @property
    def not_done(self) -> int:
        """Runs left out because they have not (wholly) finished."""
        return sum(s.not_done for s in self.sources)

    def source(self, path: str) -> Source:
        """The :class:`Source` whose folder is ``path`` (as in :attr:`RunInfo.source`)."""
        for source in self.sources:
            if str(source) == path:
                return source
        raise KeyError(path)

    @property
    def run_ids(self) -> list[str]:
        """Ids of the finished runs, in order."""
        return [run.run_id for run in self.runs]

    def summary_value(self, key: str, default: Any = None) -> Any:
        """A summary value of the first run that has it (price year, discount rate...)."""
        for run in self.runs:
            value = run.summary.get(key)
            if value is not None:
                return value
        return default

    # -- The summary numbers --------------------------------------------------------------

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """One row per run: who it is, its pairing, its numbers and facts.

        Columns ``run_id, scenario, seed, replicate``, one column per varied parameter
        (dotted path; empty where a run does not have it), ``is_baseline``,
        ``baseline_run_id`` and ``baseline_source`` (the paired baseline run and its
        folder; empty for baseline runs), ``source`` (the folder, as given), ``design``
        (see :data:`DESIGNS`), the numbers of summary.csv
        (:data:`thriving.metrics.SUMMARY_NUMBERS`: totals over the years after burn-in,
        whole borough; £ present values discounted to year 1 of the run) and the facts
        (:data:`FACTS`).
        """
        designs = {str(s): s.design for s in self.sources}
        rows = [
            {
                "run_id": run.run_id,
                "scenario": run.scenario,
                "seed": run.seed,
                "replicate": run.replicate,
                **{name: run.point.get(name) for name in self.varied},
                "is_baseline": run.is_baseline,
                "baseline_run_id": run.baseline_run_id,
                "baseline_source": run.baseline_source,
                "source": run.source,
                "design": designs[run.source],
                **{name: run.numbers.get(name) for name in SUMMARY_NUMBERS},
                **{name: run.summary.get(name) for name in FACTS},
            }
            for run in self.runs
        ]
        columns = [*ID_COLUMNS, *self.varied, *PAIRING_COLUMNS, *SUMMARY_NUMBERS, *FACTS]
        frame = pd.DataFrame(rows, columns=columns)
        frame["first_investment_year"] = frame["first_investment_year"].astype("Int64")
        frame["replicate"] = frame["replicate"].astype("Int64")
        return frame

    @functools.cached_property
    def yearly(self) -> pd.DataFrame:
        """One row per run and year (1..N after burn-in): each run's yearly costs.

        Columns ``source, run_id, year, service_cost_gbp, cash_releasing_cost_gbp,
        investment_gbp`` (undiscounted £ at the run's prices).
        """
        rows = [
            {
                "source": run.source,
                "run_id": run.run_id,
                "year": year + 1,
                **{column: float(run.yearly[column][year]) for column in YEARLY.values()},
            }
            for run in self.runs
            if run.yearly
            for year in range(len(run.yearly["service_cost_gbp"]))
        ]
        return pd.DataFrame(rows, columns=["source", "run_id", "year", *YEARLY.values()])

    # -- The weekly series ----------------------------------------------------------------

    def read_weekly(self, run: RunInfo, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly borough series, as float64 arrays."""
        return self.source(run.source).read_weekly(run.run_id, columns)

    def read_wards(self, run: RunInfo, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly series by ward (``ward`` as names)."""
        return self.source(run.source).read_wards(run.run_id, columns)

    def weekly(self, columns: Sequence[str]) -> Weekly:
        """Read some columns of every run's weekly borough series.

        Runs are read one at a time, only the columns asked for, so memory is the arrays
        returned: runs x weeks x 8 bytes per column (a sweep of 1,000 ten-year runs takes
        about 4 MB a column).

        Parameters
        ----------
        columns : sequence of str
            Weekly columns (``gp_appointments``, ``investment_spend_gbp``...).

        Returns
        -------
        Weekly
        """
        wanted = list(dict.fromkeys(["week", "year", *columns]))
        arrays: dict[str, np.ndarray] = {}
        weeks = np.zeros(0, np.int64)
        years = np.zeros(0, np.int64)
        n_runs = len(self.runs)
        for i, run in enumerate(self.runs):
            data = self.read_weekly(run, wanted)
            n = len(data["week"])
            if n > len(weeks):  # the longest run so far sets the weeks
                weeks = data["week"].astype(np.int64)
                years = data["year"].astype(np.int64)
                for name in columns:
                    grown = np.full((n_runs, n), np.nan)
                    if name in arrays:
                        grown[:, : arrays[name].shape[1]] = arrays[name]
                    arrays[name] = grown
            for name in columns:
                arrays[name][i, :n] = data[name]
        return Weekly(self.run_ids, weeks, years, {name: arrays[name] for name in columns})

    def ward_years(self, columns: Sequence[str], wards: Sequence[str]) -> WardYears:
        """Read every run's weekly series by ward, as yearly totals by ward.

        Parameters
        ----------
        columns : sequence of str
            Weekly ward columns to total (``service_cost_gbp``, ``lonely_person_years``...).
            ``population`` is always read (as a yearly mean).
        wards : sequence of str
            Ward names, in the order wanted (the ward table's).

        Returns
        -------
        WardYears

        Raises
        ------
        ThrivingError
            If a run has a ward not in ``wards``.
        """
        names = list(dict.fromkeys(["population", *columns]))
        position = {name: i for i, name in enumerate(wards)}
        n_wards = len(wards)
        n_runs = len(self.runs)
        n_years = max(int(run.summary.get("years") or 0) for run in self.runs) or 1
        out = {name: np.full((n_runs, n_wards, n_years), np.nan) for name in names}
        for i, run in enumerate(self.runs):
            data = self.read_wards(run, ["year", "ward", *names])
            year = data["year"].astype(np.int64) - 1
            inverse, unique = pd.factorize(data["ward"])
            missing = [str(w) for w in unique if w not in position]
            if missing:
                raise ThrivingError(
                    f"run {run.run_id} has wards that are not in the ward table "
                    f"({', '.join(missing[:3])}); was the ward table changed after the run?"
                )
            ward = np.array([position[w] for w in unique], dtype=np.int64)[inverse]
            n_years = max(n_years, int(year.max()) + 1)
            if n_years > out[names[0]].shape[2]:
                for name in names:
                    grown = np.full((n_runs, n_wards, n_years), np.nan)
                    grown[:, :, : out[name].shape[2]] = out[name]
                    out[name] = grown
            cell = ward * n_years + year
            size = n_wards * n_years
            weeks = np.bincount(cell, minlength=size).reshape(n_wards, n_years)
            for name in names:
                total = np.bincount(cell, weights=data[name], minlength=size)
                total = total.reshape(n_wards, n_years)
                if name == "population":
                    with np.errstate(invalid="ignore", divide="ignore"):
                        total = total / weeks
                total[weeks == 0] = np.nan
                out[name][i] = total
        return WardYears(self.run_ids, list(wards), out)


@dataclass(frozen=True)
class Weekly:
    """Weekly series of many runs, one array per column.

    Attributes
    ----------
    run_ids : list of str
        Row ``i`` of every array is run ``run_ids[i]``.
    weeks : (weeks,) int64
        Week numbers, 1 = first week of year 1 (after burn-in).
    years : (weeks,) int64
        Year of each week, 1-based.
    values : dict of str to (runs, weeks) float64
        Runs shorter than the longest are padded with NaN.
    """

    run_ids: list[str]
    weeks: np.ndarray
    years: np.ndarray
    values: dict[str, np.ndarray]


@dataclass(frozen=True)
class WardYears:
    """Yearly totals by ward of many runs.

    Attributes
    ----------
    run_ids : list of str
    wards : list of str
        Ward names, in the ward table's order.
    values : dict of str to (runs, wards, years) float64
        Each column summed over the weeks of each year; ``population`` is the mean over
        the year's weeks instead (adults in the ward, scaled to the borough).
    """

    run_ids: list[str]
    wards: list[str]
    values: dict[str, np.ndarray]


# --------------------------------------------------------------------------------------
# Opening folders
# --------------------------------------------------------------------------------------


def load_results(paths: Sequence[str | os.PathLike[str]]) -> Results:
    """Read results folders (sweeps, single runs, or both) for their summary numbers.

    Every run listed in a sweep's summary.csv must have its record, facts and yearly
    costs; single-run folders are paired with each other (see the module's notes).

    Parameters
    ----------
    paths : sequence of path
        Results folders. Among single-run folders, the first one's scenario is the
        baseline.

    Returns
    -------
    Results

    Raises
    ------
    ThrivingError
        A folder is not a results folder, has no finished run, or is given twice; a
        single run has no baseline run of its seed among the folders.
    """
    if not paths:
        raise ThrivingError("no results folders given")
    seen: dict[Path, str] = {}
    sources: list[Source] = []
    runs: list[RunInfo] = []
    for path in paths:
        key = Path(path).resolve()
        if key in seen:
            raise ThrivingError(f"{os.fspath(path)} is given twice (as {seen[key]})")
        seen[key] = os.fspath(path)
        source, folder_runs = _read_folder(path, strict=True)
        sources.append(source)
        runs.extend(folder_runs)
    varied = tuple(dict.fromkeys(name for s in sources for name in s.varied))
    runs = _pair_single_runs(runs, sources)
    runs = _disambiguate_labels(runs, sources)
    return Results(tuple(sources), runs, varied)


def open_results(path: str | os.PathLike[str]) -> Results:
    """Open one results folder, of ``thriving sweep`` or ``thriving run``, for its series.

    Runs of a sweep that have not wholly finished are left out (and counted in
    :attr:`Results.not_done`); a single run is not paired.

    Parameters
    ----------
    path
        The folder.

    Returns
    -------
    Results

    Raises
    ------
    ThrivingError
        If the folder does not exist, is neither kind of results folder, or holds no
        finished run.
    """
    source, runs = _read_folder(path, strict=False)
    return Results((source,), runs, source.varied)


def _read_folder(path: str | os.PathLike[str], strict: bool) -> tuple[Source, list[RunInfo]]:
    """A sweep folder or a single-run folder, and its finished runs.

    ``strict``: for the numbers, every run listed in summary.csv must have its record,
    facts and yearly lists; otherwise runs without a whole record are left out.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ThrivingError(f"{os.fspath(path)} is not a folder")
    if (folder / SINGLE_RUN_FILE).is_file():
        return _read_single_run(folder, strict)
    if (folder / MANIFEST).is_file() or (folder / SUMMARY).exists() or (folder / RUNS).is_dir():
        return _read_sweep(folder, strict)
    raise ThrivingError(
        f"{os.fspath(path)} is not a results folder: it has neither {SUMMARY} and "
        f"{MANIFEST} (a sweep, from thriving sweep) nor {SINGLE_RUN_FILE} (a single run, "
        "from thriving run); give the folder that thriving sweep or thriving run wrote"
    )


def _read_sweep(path: Path, strict: bool) -> tuple[Source, list[RunInfo]]:
    """A sweep folder: who each run is from its record; numbers from summary.csv."""
    folder = ResultsFolder(path)
    manifest = folder.read_manifest()
    display = os.fspath(path)
    experiment = manifest.get("experiment") or {}
    varied = tuple(str(v) for v in manifest.get("varied") or ())
    if strict:
        runs = _summary_runs(folder, display, varied)
        not_done = 0
    else:
        runs, not_done = _finished_runs(folder, display, manifest)
    labels = list(experiment.get("labels") or dict.fromkeys(r.scenario for r in runs))
    baseline = experiment.get("baseline")
    if baseline is None:
        baseline = next((r.scenario for r in runs if r.is_baseline), None)
    if baseline is not None and baseline in labels:
        labels = [baseline] + [label for label in labels if label != baseline]
    sampled = bool(experiment.get("sample"))
    points = {point_key(r.point) for r in runs}
    source = Source(
        path=path,
        kind="sweep",
        name=str(manifest.get("name", path.name)),
        design="sampled" if sampled else "grid",
        varied=varied,
        runs=len(runs),
        baseline=baseline,
        labels=tuple(labels),
        by_point=not sampled and (bool(experiment.get("vary")) or len(points) > 1),
        wards_file=_sweep_wards_file(experiment),
        not_done=not_done,
    )
    return source, runs


def _finished_runs(
    folder: ResultsFolder, display: str, manifest: Mapping[str, Any]
) -> tuple[list[RunInfo], int]:
    """Runs of the manifest whose record and series files are whole; and how many not."""
    runs: list[RunInfo] = []
    not_done = 0
    for entry in manifest.get("runs", []):
        record = folder.read_record(entry["run_id"])
        if record is None:
            not_done += 1
            continue
        summary = record.get("summary") or {}
        is_baseline = bool(record.get("is_baseline", entry.get("is_baseline")))
        runs.append(
            RunInfo(
                run_id=record["run_id"],
                scenario=str(record.get("scenario", entry.get("scenario"))),
                seed=int(record.get("seed", entry.get("seed", 0))),
                replicate=int(record.get("replicate", entry.get("replicate", 0))),
                point=dict(record.get("point") or {}),
                is_baseline=is_baseline,
                baseline_run_id=record.get("baseline_run_id"),
                summary={k: summary.get(k) for k in FACTS},
                source=display,
                baseline_source=None if is_baseline else display,
            )
        )
    if not runs:
        total = len(manifest.get("runs", []))
        raise ThrivingError(
            f"{display} has no finished runs to plot ({total} in the sweep, none finished); "
            "run the sweep again to complete it"
        )
    return runs, not_done


def _summary_runs(folder: ResultsFolder, display: str, varied: tuple[str, ...]) -> list[RunInfo]:
    """The runs of summary.csv, with their numbers, facts and yearly lists."""
    if not folder.summary.exists():
        raise ThrivingError(
            f"{display} has no {SUMMARY} (the sweep has not written it yet); run the same "
            "thriving sweep command again to complete it"
        )
    try:
        table = pd.read_csv(folder.summary, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {folder.summary}: {exc}") from None
    needed = [*ID_COLUMNS, "is_baseline", "baseline_run_id", *SUMMARY_NUMBERS]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ThrivingError(
            f"{folder.summary} lacks the column{'s' * (len(missing) > 1)} "
            f"{', '.join(missing)}: it was made by another version of Thriving"
        )
    if table.empty:
        raise ThrivingError(f"{display} has no finished runs ({SUMMARY} is empty)")
    runs: list[RunInfo] = []
    for line in table.itertuples(index=False):
        cells = dict(zip(table.columns, line, strict=True))
        run_id = cells["run_id"]
        file = folder.record_file(run_id)
        record = _read_json(file, display, run_id)
        is_baseline = cells["is_baseline"].strip().upper() in ("TRUE", "1")
        summary = record.get("summary") or {}
        point = record.get("point") or {}
        runs.append(
            RunInfo(
                run_id=run_id,
                scenario=cells["scenario"],
                seed=int(cells["seed"]),
                replicate=int(cells["replicate"]),
                point={name: point.get(name) for name in varied},
                is_baseline=is_baseline,
                baseline_run_id=cells["baseline_run_id"] or None,
                summary=_facts(summary, file),
                source=display,
                baseline_source=None if is_baseline else display,
                numbers={name: _number(cells[name]) for name in SUMMARY_NUMBERS},
                yearly=_yearly_lists(summary, file),
            )
        )
    return runs


def _sweep_wards_file(experiment: Mapping[str, Any]) -> str | None:
    """The ward table of the first scenario that names one (None: the packaged one)."""
    for scenario in experiment.get("scenarios") or []:
        population = (scenario.get("scenario") or {}).get("population") or {}
        if population.get("wards_file"):
            return str(population["wards_file"])
    return None


def _read_single_run(path: Path, strict: bool) -> tuple[Source, list[RunInfo]]:
    """A single-run folder (``thriving run``): one run, paired by :func:`load_results`."""
    display = os.fspath(path)
    file = path / SINGLE_RUN_FILE
    summary = _read_json(file, display)
    manifest_file = path / MANIFEST
    manifest = _read_json(manifest_file, display) if manifest_file.exists() else {}
    if strict:
        try:
            seed = int(summary["seed"])
            label = str(summary["scenario"])
            numbers = {name: float(summary[name]) for name in SUMMARY_NUMBERS}
        except (KeyError, TypeError, ValueError) as exc:
            raise ThrivingError(
                f"{file} lacks {exc}: it was made by another version of Thriving"
            ) from None
        facts, yearly = _facts(summary, file), _yearly_lists(summary, file)
    else:
        seed = int(summary.get("seed", 0))
        label = str(summary.get("scenario", path.name))
        numbers, yearly = {}, {}
        facts = {k: summary.get(k) for k in FACTS}
    run = RunInfo(
        run_id=str(manifest.get("run_id") or f"{label}-seed{seed}"),
        scenario=label,
        seed=seed,
        replicate=None if strict else 0,
        point={},
        is_baseline=False,
        baseline_run_id=None,
        summary=facts,
        source=display,
        numbers=numbers,
        yearly=yearly,
    )
    source = Source(
        path=path,
        kind="run",
        name=label,
        design="single",
        runs=1,
        labels=(label,),
        wards_file=_single_run_wards_file(path),
    )
    return source, [run]


def _single_run_wards_file(path: Path) -> str | None:
    """The ward table a single run used, from its scenario.yaml (None: the packaged one)."""
    scenario_file = path / "scenario.yaml"
    if not scenario_file.is_file():
        return None

    try:
        scenario = yaml.safe_load(scenario_file.read_text(encoding="utf-8")) or {}
        wards_file = (scenario.get("population") or {}).get("wards_file")
    except (OSError, yaml.YAMLError):
        return None
    return str(wards_file) if wards_file else None


def _read_json(file: Path, folder: str, run_id: str | None = None) -> dict[str, Any]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if run_id is not None:
            raise ThrivingError(
                f"{folder}: {SUMMARY} lists run {run_id} but {RUNS}/{run_id}.json is "
                "missing; run the same thriving sweep command again to repair the folder"
            ) from None
        raise ThrivingError(f"{file} is missing") from None
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {file}: {exc}") from None
    if not isinstance(data, dict):
        raise ThrivingError(f"{file} is not a results file (expected a JSON object)")
    return data


def _number(text: str) -> float:
    """A number of summary.csv; an empty cell is NaN."""
    return float(text) if text != "" else float("nan")


def _facts(summary: Mapping[str, Any], file: Path) -> dict[str, Any]:
    """The run's :data:`FACTS`, from its summary; each must be there."""
    try:
        first = summary.get("first_investment_year")
        return {
            "years": int(summary["years"]),
            "burn_in_years": int(summary["burn_in_years"]),
            "residents_simulated": int(summary["residents_simulated"]),
            "borough_adults": float(summary["borough_adults"]),
            "price_year": str(summary["price_year"]),
            "discount_rate": float(summary["discount_rate"]),
            "first_investment_year": None if first is None else int(first),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ThrivingError(
            f"{file} lacks {exc}: it was made by another version of Thriving"
        ) from None


def _yearly_lists(summary: Mapping[str, Any], file: Path) -> dict[str, list[float]]:
    """The run's :data:`YEARLY` lists, by column name; each must be there."""
    try:
        return {column: list(summary[key]) for key, column in YEARLY.items()}
    except KeyError as exc:
        raise ThrivingError(
            f"{file} lacks {exc}: it was made by an older version of Thriving; run it again "
            "to compare it"
        ) from None


def _read_parquet(path: Path, columns: Sequence[str]) -> dict[str, np.ndarray]:
    try:
        table = pq.read_table(path, columns=list(columns))
    except (OSError, ValueError, KeyError) as exc:
        raise ThrivingError(f"cannot read {path}: {exc}") from None
    out = {}
    for name in columns:
        column = table.column(name)
        if name == "ward":  # names repeat every week: decode each name once
            encoded = column.combine_chunks().dictionary_encode()
            names = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
            out[name] = names[encoded.indices.to_numpy()]
        else:
            out[name] = column.to_numpy().astype(np.float64, copy=False)
    return out


def _read_csv(path: Path, columns: Sequence[str]) -> dict[str, np.ndarray]:
    try:
        frame = pd.read_csv(path, usecols=list(columns))
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {path}: {exc}") from None
    return {
        name: frame[name].to_numpy(dtype=object if name == "ward" else np.float64)
        for name in columns
    }


def point_key(point: Mapping[str, Any]) -> str:
    """A run's point as text, the same for the same values in any order.

    Examples
    --------
    >>> point_key({"b": 1, "a": 0.5}) == point_key({"a": 0.5, "b": 1})
    True
    """
    return json.dumps(dict(point), sort_keys=True, default=str)


# --------------------------------------------------------------------------------------
# Whole tables of a sweep folder (sensitivity, before-after, export, the report)
# --------------------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike[str]) -> tuple[ResultsFolder, dict[str, Any]]:
    """A sweep folder and its manifest (what was run, and how).

    Raises
    ------
    ThrivingError
        If ``path`` is not a sweep folder or its manifest cannot be read.
    """
    folder = ResultsFolder(path)
    return folder, folder.read_manifest()


def read_summary_table(folder: ResultsFolder, *, as_text: bool = False) -> pd.DataFrame:
    """A sweep's ``summary.csv``, one row per finished run.

    Parameters
    ----------
    folder : ResultsFolder
    as_text : bool
        Every cell as summary.csv writes it (``""`` when empty), for matching run ids
        and settings exactly; otherwise numbers are read as numbers (NaN when empty).

    Raises
    ------
    ThrivingError
        If the sweep has not written summary.csv yet, or it cannot be read.
    """
    try:
        if as_text:
            return pd.read_csv(folder.summary, dtype=str, keep_default_na=False)
        return pd.read_csv(folder.summary, low_memory=False)
    except FileNotFoundError:
        raise ThrivingError(
            f"{folder.path} has no {SUMMARY}: the sweep has not finished any run yet; "
            "run (or resume) it with thriving sweep"
        ) from None
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {folder.summary}: {exc}") from None


def varied_columns(table: pd.DataFrame, folder: ResultsFolder) -> list[str]:
    """The varied settings of a summary.csv table: its columns between who and pairing.

    Raises
    ------
    ThrivingError
        If the table is not a sweep's summary.csv.
    """
    columns = [str(c) for c in table.columns]
    try:
        return columns[columns.index(ID_COLUMNS[-1]) + 1 : columns.index(PAIRING_COLUMNS[0])]
    except ValueError:
        raise ThrivingError(
            f"{folder.summary} is not a sweep's summary (no replicate and is_baseline columns)"
        ) from None


def read_run_series(folder: ResultsFolder, run_id: str, *, wards: bool = False) -> pd.DataFrame:
    """One finished run's weekly series (by ward with ``wards``), every column."""
    path = folder.wards_file(run_id) if wards else folder.series_file(run_id)
    return pq.read_table(path).to_pandas()


def finished_records(
    folder: ResultsFolder, run_ids: Sequence[str], not_done: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each finished run's id and record (``runs/<run_id>.json``), in the order given.

    The ids of runs not finished are appended to ``not_done``.
    """
    for run_id in run_ids:
        record = folder.read_record(run_id)
        if record is None:
            not_done.append(run_id)
            continue
        yield run_id, record


# --------------------------------------------------------------------------------------
# Pairing, and labels
# --------------------------------------------------------------------------------------


def pair_rows(runs: Sequence[RunInfo]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the scenario runs and of their paired baseline runs.

    A run is paired with the baseline run its ``baseline_run_id`` names, in its
    ``baseline_source`` (the baseline run of the same seed and the same values of the
    varied settings the baseline has). Runs whose baseline run is not there (it has not
    finished) are left out, and so are baseline runs themselves.

    Parameters
    ----------
    runs : sequence of RunInfo

    Returns
    -------
    rows, baseline_rows : (pairs,) intp
        Positions in ``runs``, in the order of ``runs``.

    Raises
    ------
    ValueError
        If a pair's two runs have different seeds (the folder is inconsistent).

    Examples
    --------
    >>> def run(i, seed, base=None):
    ...     return RunInfo(i, "b" if base is None else "s", seed, 0, {}, base is None, base, {})
    >>> runs = [run("b1", 1), run("b2", 2), run("s2", 2, "b2"), run("s1", 1, "b1")]
    >>> [r.tolist() for r in pair_rows(runs)]
    [[2, 3], [1, 0]]
    """
    # Runs are named by (folder, run id): the same id may be in two folders.
    names = [(run.source, run.run_id) if run.is_baseline else None for run in runs]
    wanted = [
        None
        if run.is_baseline or run.baseline_run_id is None
        else (
            run.source if run.baseline_source is None else run.baseline_source,
            run.baseline_run_id,
        )
        for run in runs
    ]
    rows, base_rows = [], []
    for i, j in enumerate(baseline_positions(names, wanted)):
        if j < 0:
            continue
        run = runs[i]
        if runs[j].seed != run.seed:
            raise ValueError(
                f"run {run.run_id} (seed {run.seed}) is paired with {runs[j].run_id} "
                f"(seed {runs[j].seed}); paired runs must share a seed"
            )
        rows.append(i)
        base_rows.append(int(j))
    return np.asarray(rows, dtype=np.intp), np.asarray(base_rows, dtype=np.intp)


def baseline_positions(
    names: Sequence[Hashable | None], baselines: Sequence[Hashable | None]
) -> np.ndarray:
    """Where each run's paired baseline run is: the one pairing of runs by name.

    Every pairing of runs (:func:`pair_rows`, the sensitivity analysis's differences,
    the before-after follow-up) looks its baseline runs up here.

    Parameters
    ----------
    names : sequence
        Each run's name (a run id, or a (folder, run id) pair); None for a run that no
        other run is paired with. Where a name repeats, the last run of that name
        counts.
    baselines : sequence
        The name of the baseline run each run is paired with; None for a run without
        one (a baseline run itself).

    Returns
    -------
    (len(baselines),) intp
        The position in ``names`` of each run's baseline run; -1 where the run has no
        baseline run, or it is not among ``names`` (it has not finished).

    Examples
    --------
    >>> baseline_positions(["b1", "b2", "s1"], [None, None, "b2"]).tolist()
    [-1, -1, 1]
    >>> baseline_positions(["b1"], ["b9"]).tolist()
    [-1]
    """
    where = {name: i for i, name in enumerate(names) if name is not None}
    return np.array(
        [-1 if name is None else where.get(name, -1) for name in baselines], dtype=np.intp
    )


def _pair_single_runs(runs: list[RunInfo], sources: Sequence[Source]) -> list[RunInfo]:
    """Mark the first single run's scenario as the baseline; pair the others by seed."""
    kinds = {str(s): s.kind for s in sources}
    single = [i for i, run in enumerate(runs) if kinds[run.source] == "run"]
    if not single:
        return runs
    runs = list(runs)
    baseline_label = runs[single[0]].scenario
    by_seed: dict[int, int] = {}
    for i in single:
        if runs[i].scenario != baseline_label:
            continue
        runs[i] = dataclasses.replace(runs[i], is_baseline=True)
        seed = runs[i].seed
        if seed in by_seed:
            raise ThrivingError(
                f"{runs[by_seed[seed]].source} and {runs[i].source} are both runs of the "
                f"baseline {baseline_label!r} with seed {seed}; give one of them"
            )
        by_seed[seed] = i
    for i in single:
        if runs[i].is_baseline:
            continue
        seed = runs[i].seed
        base = by_seed.get(seed)
        if base is None:
            seeds = ", ".join(str(s) for s in sorted(by_seed))
            raise ThrivingError(
                f"{runs[i].source} (seed {seed}) has no baseline run with the same "
                f"seed among the folders given (the baseline is the first single-run "
                f"folder's scenario, {baseline_label!r}, run with seed {seeds}); run "
                f"thriving run for {baseline_label!r} with --seed {seed}, or leave this "
                "folder out"
            )
        runs[i] = dataclasses.replace(
            runs[i], baseline_run_id=runs[base].run_id, baseline_source=runs[base].source
        )
    return runs


def _disambiguate_labels(runs: list[RunInfo], sources: Sequence[Source]) -> list[RunInfo]:
    """Add the folder's name to labels found in more than one sweep (or sweep and runs)."""
    kinds = {str(s): s.kind for s in sources}
    # A group is one sweep folder, or all single-run folders together (one comparison).
    group = ["" if kinds[run.source] == "run" else run.source for run in runs]
    names = _group_names([s for s in sources if s.kind == "sweep"])
    groups_of: dict[str, set[str]] = {}
    for run, g in zip(runs, group, strict=True):
        groups_of.setdefault(run.scenario, set()).add(g)
    return [
        dataclasses.replace(run, scenario=f"{run.scenario} ({names[g]})")
        if len(groups_of[run.scenario]) > 1 and g != ""
        else run
        for run, g in zip(runs, group, strict=True)
    ]


def _group_names(sources: list[Source]) -> dict[str, str]:
    """A short name for each sweep folder: its own name, or its path where names repeat."""
    short = {str(s): s.path.name or str(s) for s in sources}
    counts: dict[str, int] = {}
    for name in short.values():
        counts[name] = counts.get(name, 0) + 1
    return {key: (name if counts[name] == 1 else key) for key, name in short.items()}


# --------------------------------------------------------------------------------------
# Yearly costs
# --------------------------------------------------------------------------------------


def yearly_wide(results: Results, column: str, keys: pd.DataFrame) -> pd.DataFrame:
    """One yearly series per run, as a table: a row per run of ``keys``, a column per year.

    Parameters
    ----------
    results : Results
    column : str
        ``service_cost_gbp``, ``cash_releasing_cost_gbp`` or ``investment_gbp``.
    keys : pandas.DataFrame
        Columns ``source`` and ``run_id``: the runs wanted, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        Rows in the order of ``keys`` (index reset), columns the years 1..N (undiscounted
        £); years a shorter run does not have are NaN.
    """
    wide = results.yearly.pivot_table(
        index=["source", "run_id"], columns="year", values=column, aggfunc="first"
    )
    index = list(zip(keys["source"], keys["run_id"], strict=True))
    return wide.reindex(index).reset_index(drop=True)
