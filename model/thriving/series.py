"""Weekly series of a results folder, as arrays: bands, pairs, payback and ward effects.

What the pictures of ``thriving plot`` (and the report) are computed from, without
matplotlib. A results folder is either a sweep (``thriving sweep``: ``manifest.json``,
``runs/<id>.parquet`` and ``runs/<id>.wards.parquet``, ``runs/<id>.json``) or a single
run (``thriving run``: ``timeseries.csv``, ``timeseries_by_ward.csv``, ``summary.json``);
:func:`open_results` reads either.

Series are read one run at a time and only the columns asked for, into one array of
shape (runs, weeks) per column (:func:`load_weekly`; a sweep of 1,000 ten-year runs takes
about 4 MB a column), or ward by year, (runs, wards, years) (:func:`load_ward_years`).
The rest are pure functions on those arrays:

* :func:`rolling_mean` smooths weekly noise (a centred mean over a few weeks);
* :func:`band` gives the median and the 10-90 % range across runs;
* :func:`pair_rows` and :func:`paired_difference` pair each scenario run with its
  baseline run (same seed, same values of the varied settings the baseline has);
* :func:`yearly_totals`, :func:`cumulative_discounted` and :func:`payback_year` give
  cumulative cost avoided against cumulative investment (HM Treasury Green Book
  discounting, :func:`thriving.recording.discount_factors`);
* :func:`ward_effect` gives each ward's paired difference per 1,000 adults a year;
* :func:`group_runs` says which runs are drawn together (a scenario, or a scenario at
  one point of a grid).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ThrivingError
from .recording import discount_factors

WEEKS_PER_YEAR = 52

#: The quantiles of a band: 10 % and 90 % of runs.
BAND_QUANTILES: tuple[float, float] = (0.10, 0.90)


# --------------------------------------------------------------------------------------
# What can be drawn
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """A weekly measure, named as analysts name it.

    Attributes
    ----------
    column : str
        Column of the weekly series (:data:`thriving.recording.BOROUGH_COLUMNS`).
    title : str
        What it is, capitalised for a title ("GP appointments").
    unit : str
        Its unit for an axis ("appointments per week").
    kind : str
        ``"count"`` (borough total per week), ``"share"`` (0 to 1, shown as %) or
        ``"mean"`` (an average per adult).
    aliases : tuple of str
        Other names ``--metric`` accepts.
    """

    column: str
    title: str
    unit: str
    kind: str
    aliases: tuple[str, ...] = ()


#: The five services, in the order analysts list them.
SERVICE_METRICS: tuple[Metric, ...] = (
    Metric("gp_appointments", "GP appointments", "appointments per week", "count", ("gp",)),
    Metric("ae_attendances", "A&E attendances", "attendances per week", "count", ("ae",)),
    Metric(
        "emergency_admissions",
        "Emergency admissions",
        "admissions per week",
        "count",
        ("admissions",),
    ),
    Metric(
        "social_care_hours",
        "Social care home-care hours",
        "home-care hours per week",
        "count",
        ("social_care",),
    ),
    Metric(
        "mental_health_referrals",
        "Talking-therapies referrals",
        "referrals per week",
        "count",
        ("mental_health",),
    ),
)

#: Loneliness and the social network.
NETWORK_METRICS: tuple[Metric, ...] = (
    Metric("lonely_share", "Adults who are lonely", "% of adults", "share", ("lonely",)),
    Metric(
        "mean_strong_ties",
        "Strong ties per adult",
        "strong ties per adult (mean)",
        "mean",
        ("strong_ties",),
    ),
    Metric("isolated_share", "Adults with no strong tie", "% of adults", "share", ("isolated",)),
    Metric(
        "bridging_share",
        "Ties that bridge wards",
        "% of ties",
        "share",
        ("bridging",),
    ),
    Metric(
        "participation_rate",
        "Adults in a community group",
        "% of adults",
        "share",
        ("participation",),
    ),
)

METRICS: dict[str, Metric] = {m.column: m for m in SERVICE_METRICS + NETWORK_METRICS}


def resolve_metrics(names: Iterable[str]) -> list[Metric]:
    """The metrics named (by column or alias), in the order given, without repeats.

    Parameters
    ----------
    names
        Column names (``gp_appointments``) or short names (``gp``, ``lonely``).

    Returns
    -------
    list of Metric
        All metrics, services first, when ``names`` is empty.

    Raises
    ------
    ThrivingError
        Naming the unknown metric and the nearest known name (exit code 2).

    Examples
    --------
    >>> [m.column for m in resolve_metrics(["ae", "gp_appointments", "gp"])]
    ['ae_attendances', 'gp_appointments']
    >>> resolve_metrics(["gp_apointments"])
    Traceback (most recent call last):
    ...
    thriving.errors.ThrivingError: unknown metric 'gp_apointments'; did you mean 'gp_appointments'?
    """
    lookup: dict[str, Metric] = {}
    for metric in METRICS.values():
        lookup[metric.column] = metric
        for alias in metric.aliases:
            lookup[alias] = metric
    chosen: dict[str, Metric] = {}
    for name in names:
        key = name.strip().lower()
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
            hint = (
                f"did you mean {close[0]!r}?" if close else "the metrics are: " + ", ".join(METRICS)
            )
            raise ThrivingError(f"unknown metric {name!r}; {hint}", exit_code=2)
        chosen.setdefault(lookup[key].column, lookup[key])
    return list(chosen.values()) if chosen else list(METRICS.values())


# --------------------------------------------------------------------------------------
# A results folder, opened for reading
# --------------------------------------------------------------------------------------

#: Summary values kept for each run (the rest of a run's summary is not needed here).
KEPT_SUMMARY = (
    "price_year",
    "discount_rate",
    "years",
    "burn_in_years",
    "first_investment_year",
    "borough_adults",
    "residents_simulated",
)


@dataclass(frozen=True)
class RunInfo:
    """Who a finished run is.

    Attributes
    ----------
    run_id : str
    scenario : str
        The scenario's label.
    seed : int
    replicate : int
    point : dict
        Values of the varied settings this run has (dotted path to value).
    is_baseline : bool
    baseline_run_id : str or None
        The baseline run it is paired with (None for a baseline run, or a single run).
    summary : dict
        The run's price year, discount rate, years, burn-in years, first investment
        year, borough adults and residents simulated.
    """

    run_id: str
    scenario: str
    seed: int
    replicate: int
    point: Mapping[str, Any]
    is_baseline: bool
    baseline_run_id: str | None
    summary: Mapping[str, Any]


@dataclass
class Results:
    """A results folder: its finished runs and how to read their series.

    Made by :func:`open_results`.

    Attributes
    ----------
    path : Path
    kind : str
        ``"sweep"`` or ``"run"``.
    runs : list of RunInfo
        Finished runs, in the sweep's order.
    baseline : str or None
        Label of the baseline scenario (None for a single run).
    labels : list of str
        Scenario labels, baseline first, in the experiment's order.
    design : str
        ``"none"`` (nothing varied), ``"grid"`` (``vary``) or ``"sample"`` (a sampling
        design: Latin hypercube, Sobol or Morris).
    varied : list of str
        Dotted paths of the varied settings.
    wards_file : str or None
        The ward table the runs used (None: the one shipped with Thriving).
    not_done : int
        Runs of the sweep left out because they have not (wholly) finished.
    """

    path: Path
    kind: str
    runs: list[RunInfo]
    baseline: str | None
    labels: list[str]
    design: str = "none"
    varied: list[str] = field(default_factory=list)
    wards_file: str | None = None
    not_done: int = 0

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

    def read_weekly(self, run_id: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly borough series, as float64 arrays."""
        if self.kind == "sweep":
            return _read_parquet(self.path / "runs" / f"{run_id}.parquet", columns)
        return _read_csv(self.path / "timeseries.csv", columns)

    def read_wards(self, run_id: str, columns: Sequence[str]) -> dict[str, np.ndarray]:
        """Some columns of a run's weekly series by ward (``ward`` as names)."""
        if self.kind == "sweep":
            return _read_parquet(self.path / "runs" / f"{run_id}.wards.parquet", columns)
        return _read_csv(self.path / "timeseries_by_ward.csv", columns)


def open_results(path: str | os.PathLike[str]) -> Results:
    """Open a results folder of ``thriving sweep`` or ``thriving run``.

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
    folder = Path(path)
    if not folder.is_dir():
        raise ThrivingError(f"{folder} is not a folder")
    if (folder / "timeseries.csv").is_file() and (folder / "summary.json").is_file():
        return _open_single_run(folder)
    if (folder / "manifest.json").is_file():
        return _open_sweep(folder)
    raise ThrivingError(
        f"{folder} is not a results folder: it has neither a sweep's manifest.json nor a "
        "run's timeseries.csv and summary.json (give the folder that thriving sweep or "
        "thriving run wrote)"
    )


def _open_sweep(folder: Path) -> Results:
    from .store import ResultsFolder

    store = ResultsFolder(folder)
    manifest = store.read_manifest()
    experiment = manifest.get("experiment") or {}
    runs: list[RunInfo] = []
    not_done = 0
    for entry in manifest.get("runs", []):
        record = store.read_record(entry["run_id"])
        if record is None:
            not_done += 1
            continue
        summary = record.get("summary") or {}
        runs.append(
            RunInfo(
                run_id=record["run_id"],
                scenario=str(record.get("scenario", entry.get("scenario"))),
                seed=int(record.get("seed", entry.get("seed", 0))),
                replicate=int(record.get("replicate", entry.get("replicate", 0))),
                point=dict(record.get("point") or {}),
                is_baseline=bool(record.get("is_baseline", entry.get("is_baseline"))),
                baseline_run_id=record.get("baseline_run_id"),
                summary={k: summary.get(k) for k in KEPT_SUMMARY},
            )
        )
    if not runs:
        total = len(manifest.get("runs", []))
        raise ThrivingError(
            f"{folder} has no finished runs to plot ({total} in the sweep, none finished); "
            "run the sweep again to complete it"
        )
    labels = list(experiment.get("labels") or dict.fromkeys(r.scenario for r in runs))
    baseline = experiment.get("baseline")
    if baseline is None:
        baseline = next((r.scenario for r in runs if r.is_baseline), None)
    if baseline is not None and baseline in labels:
        labels = [baseline] + [label for label in labels if label != baseline]
    design = "none"
    if experiment.get("sample"):
        design = "sample"
    elif experiment.get("vary") or len({_point_key(r.point) for r in runs}) > 1:
        design = "grid"
    wards_file = None
    for scenario in experiment.get("scenarios") or []:
        population = (scenario.get("scenario") or {}).get("population") or {}
        if population.get("wards_file"):
            wards_file = str(population["wards_file"])
            break
    return Results(
        path=folder,
        kind="sweep",
        runs=runs,
        baseline=baseline,
        labels=labels,
        design=design,
        varied=[str(v) for v in manifest.get("varied", [])],
        wards_file=wards_file,
        not_done=not_done,
    )


def _open_single_run(folder: Path) -> Results:
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {folder / 'summary.json'}: {exc}") from None
    label = str(summary.get("scenario", folder.name))
    wards_file = None
    scenario_file = folder / "scenario.yaml"
    if scenario_file.is_file():
        import yaml

        try:
            scenario = yaml.safe_load(scenario_file.read_text(encoding="utf-8")) or {}
            wards_file = (scenario.get("population") or {}).get("wards_file")
        except (OSError, yaml.YAMLError):
            wards_file = None
    run = RunInfo(
        run_id=folder.name,
        scenario=label,
        seed=int(summary.get("seed", 0)),
        replicate=0,
        point={},
        is_baseline=False,
        baseline_run_id=None,
        summary={k: summary.get(k) for k in KEPT_SUMMARY},
    )
    return Results(
        path=folder,
        kind="run",
        runs=[run],
        baseline=None,
        labels=[label],
        wards_file=str(wards_file) if wards_file else None,
    )


def _read_parquet(path: Path, columns: Sequence[str]) -> dict[str, np.ndarray]:
    import pyarrow.parquet as pq

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
    import pandas as pd

    try:
        frame = pd.read_csv(path, usecols=list(columns))
    except (OSError, ValueError) as exc:
        raise ThrivingError(f"cannot read {path}: {exc}") from None
    return {
        name: frame[name].to_numpy(dtype=object if name == "ward" else np.float64)
        for name in columns
    }


# --------------------------------------------------------------------------------------
# Loading series
# --------------------------------------------------------------------------------------


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


def load_weekly(results: Results, columns: Sequence[str]) -> Weekly:
    """Read some columns of every finished run's weekly borough series.

    Runs are read one at a time, only the columns asked for, so memory is the arrays
    returned: runs x weeks x 8 bytes per column.

    Parameters
    ----------
    results : Results
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
    n_runs = len(results.runs)
    for i, run in enumerate(results.runs):
        data = results.read_weekly(run.run_id, wanted)
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
    return Weekly(results.run_ids, weeks, years, {name: arrays[name] for name in columns})


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


def load_ward_years(results: Results, columns: Sequence[str], wards: Sequence[str]) -> WardYears:
    """Read every finished run's weekly series by ward, as yearly totals by ward.

    Parameters
    ----------
    results : Results
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
    import pandas as pd

    names = list(dict.fromkeys(["population", *columns]))
    position = {name: i for i, name in enumerate(wards)}
    n_wards = len(wards)
    n_years = max(int(run.summary.get("years") or 0) for run in results.runs) or 1
    out = {name: np.full((len(results.runs), n_wards, n_years), np.nan) for name in names}
    for i, run in enumerate(results.runs):
        data = results.read_wards(run.run_id, ["year", "ward", *names])
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
                grown = np.full((len(results.runs), n_wards, n_years), np.nan)
                grown[:, :, : out[name].shape[2]] = out[name]
                out[name] = grown
        cell = ward * n_years + year
        size = n_wards * n_years
        weeks = np.bincount(cell, minlength=size).reshape(n_wards, n_years)
        for name in names:
            total = np.bincount(cell, weights=data[name], minlength=size).reshape(n_wards, n_years)
            if name == "population":
                with np.errstate(invalid="ignore", divide="ignore"):
                    total = total / weeks
            total[weeks == 0] = np.nan
            out[name][i] = total
    return WardYears(results.run_ids, list(wards), out)


# --------------------------------------------------------------------------------------
# Pure functions: smoothing, bands, pairs
# --------------------------------------------------------------------------------------


def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling mean along the last axis (weeks), over ``window`` weeks.

    At the ends, where the window is cut short, the mean is over the weeks there are;
    NaN (weeks a shorter run does not have) are left out of every mean.

    Parameters
    ----------
    values : (..., weeks) float
    window : int
        Weeks in the window, 1 or more (1 returns a copy).

    Returns
    -------
    (..., weeks) float64

    Examples
    --------
    >>> rolling_mean(np.array([0.0, 3.0, 6.0, 3.0, 0.0]), 3).tolist()
    [1.5, 3.0, 4.0, 3.0, 1.5]
    >>> rolling_mean(np.array([1.0, 2.0, np.nan]), 3).tolist()
    [1.5, 1.5, 2.0]
    """
    if window < 1:
        raise ValueError(f"window must be 1 week or more (got {window})")
    values = np.asarray(values, dtype=np.float64)
    if window == 1:
        return values.copy()
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    shape = values.shape[:-1] + (1,)
    zero = np.zeros(shape)
    sums = np.concatenate([zero, np.cumsum(filled, axis=-1)], axis=-1)
    counts = np.concatenate([zero, np.cumsum(present, axis=-1)], axis=-1)
    n = values.shape[-1]
    start = np.clip(np.arange(n) - (window - 1) // 2, 0, n)
    stop = np.clip(np.arange(n) + window // 2 + 1, 0, n)
    total = sums[..., stop] - sums[..., start]
    count = counts[..., stop] - counts[..., start]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


@dataclass(frozen=True)
class Band:
    """Median and the 10-90 % range across runs (or pairs), at each time.

    Attributes
    ----------
    median, low, high : ndarray
        Same shape: the input without its first axis.
    n : int
        Runs (or pairs) the band is taken across.
    """

    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int


def band(values: np.ndarray, quantiles: tuple[float, float] = BAND_QUANTILES) -> Band:
    """Median and a range across runs (the first axis), ignoring NaN.

    Quantiles interpolate linearly between runs (numpy's default), so with few runs the
    10-90 % range lies just inside the lowest and highest run.

    Parameters
    ----------
    values : (runs, ...) float
    quantiles : (float, float)
        Low and high quantile, 0 to 1.

    Returns
    -------
    Band

    Examples
    --------
    >>> b = band(np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]]))
    >>> b.median.tolist(), b.low.tolist(), b.high.tolist(), b.n
    ([3.0, 30.0], [1.4, 14.0], [4.6, 46.0], 5)
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape[0] == 0:
        empty = np.full(values.shape[1:], np.nan)
        return Band(empty, empty.copy(), empty.copy(), 0)
    low, high = quantiles
    if not np.isnan(values).any():
        stats = np.quantile(values, [0.5, low, high], axis=0)  # vectorised: much faster
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
            stats = np.nanquantile(values, [0.5, low, high], axis=0)
    return Band(stats[0], stats[1], stats[2], int(values.shape[0]))


def pair_rows(runs: Sequence[RunInfo]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the scenario runs and of their paired baseline runs.

    A run is paired with the run its ``baseline_run_id`` names (the baseline run of the
    same seed and the same values of the varied settings the baseline has). Runs whose
    baseline run has not finished are left out, and so are baseline runs themselves.

    Parameters
    ----------
    runs : sequence of RunInfo

    Returns
    -------
    rows, baseline_rows : (pairs,) intp
        Positions in ``runs``.

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
    where = {run.run_id: i for i, run in enumerate(runs)}
    rows, base_rows = [], []
    for i, run in enumerate(runs):
        if run.is_baseline or run.baseline_run_id is None:
            continue
        j = where.get(run.baseline_run_id)
        if j is None:
            continue
        if runs[j].seed != run.seed:
            raise ValueError(
                f"run {run.run_id} (seed {run.seed}) is paired with {runs[j].run_id} "
                f"(seed {runs[j].seed}); paired runs must share a seed"
            )
        rows.append(i)
        base_rows.append(j)
    return np.asarray(rows, dtype=np.intp), np.asarray(base_rows, dtype=np.intp)


def paired_difference(values: np.ndarray, rows: np.ndarray, base_rows: np.ndarray) -> np.ndarray:
    """Each scenario run minus its paired baseline run.

    Parameters
    ----------
    values : (runs, ...) float
    rows, base_rows : (pairs,) int
        From :func:`pair_rows`.

    Returns
    -------
    (pairs, ...) float64

    Examples
    --------
    >>> paired_difference(np.array([[10.0], [12.0], [9.0]]), np.array([1, 2]), np.array([0, 0]))
    array([[ 2.],
           [-1.]])
    """
    values = np.asarray(values, dtype=np.float64)
    return values[np.asarray(rows)] - values[np.asarray(base_rows)]


# --------------------------------------------------------------------------------------
# Groups: which runs are drawn together
# --------------------------------------------------------------------------------------

#: Most scenario lines (besides the baseline) in one picture: the palette's colours.
MAX_GROUPS = 7


@dataclass(frozen=True)
class Group:
    """Runs drawn as one line and band: one scenario, or one scenario at a grid point.

    Attributes
    ----------
    label : str
        For legends: the scenario's label in plain words, with the point's values for
        a grid ("Social prescribing, budget per year £200,000").
    scenario : str
        The scenario's label as in results.
    point : dict
        The grid point's values this group's runs have (empty otherwise).
    is_baseline : bool
    rows : (runs,) intp
        Positions of the group's runs in :attr:`Results.runs`.
    """

    label: str
    scenario: str
    point: Mapping[str, Any]
    is_baseline: bool
    rows: np.ndarray


@dataclass(frozen=True)
class Grouping:
    """The groups of a results folder, and what the choice of groups left out.

    Attributes
    ----------
    groups : list of Group
        Baseline group(s) first, then the others in the experiment's order.
    note : str
        A plain sentence for a picture's subtitle when runs were pooled or left out
        (empty otherwise).
    """

    groups: list[Group]
    note: str = ""

    @property
    def baselines(self) -> list[Group]:
        """The baseline group(s)."""
        return [g for g in self.groups if g.is_baseline]

    @property
    def scenarios(self) -> list[Group]:
        """The groups that are not baselines."""
        return [g for g in self.groups if not g.is_baseline]

    def group_of_row(self, n_runs: int) -> np.ndarray:
        """For each run, the position of its group in :attr:`groups` (-1 if none)."""
        out = np.full(n_runs, -1, dtype=np.intp)
        for k, group in enumerate(self.groups):
            out[group.rows] = k
        return out


def plain_label(label: str) -> str:
    """A scenario label in plain words.

    Examples
    --------
    >>> plain_label("social_prescribing")
    'Social prescribing'
    """
    text = label.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else label


def point_text(point: Mapping[str, Any]) -> str:
    """The varied values of a grid point, in words.

    Examples
    --------
    >>> point_text({"investments.social_prescribing.budget_per_year": 200000})
    'budget per year £200,000'
    >>> point_text({"loneliness.contagion_strength": 0.25, "population.residents": 2000})
    'contagion strength 0.25, residents 2,000'
    """
    parts = []
    for path, value in point.items():
        name = str(path).rsplit(".", 1)[-1].replace("_", " ")
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = str(value)
        elif float(value).is_integer():
            shown = f"{int(value):,}"
        else:
            shown = f"{value:,.3g}"
        if "budget" in name or str(path).endswith("_gbp"):
            shown = f"£{shown}"
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


def _point_key(point: Mapping[str, Any]) -> str:
    return json.dumps(dict(point), sort_keys=True, default=str)


def group_runs(results: Results, max_groups: int = MAX_GROUPS) -> Grouping:
    """Which runs are drawn together, one line and band each.

    * Nothing varied: one group per scenario (its replicates).
    * A sampling design (Latin hypercube, Sobol, Morris): one group per scenario, pooling
      every sampled point, so a band spans both the settings and chance.
    * A grid: one group per scenario and grid point, labelled with the point's values,
      if that gives at most ``max_groups`` groups besides the baseline(s); otherwise only
      the first grid point is drawn (the note says so).

    Parameters
    ----------
    results : Results
    max_groups : int

    Returns
    -------
    Grouping
    """
    order = {label: i for i, label in enumerate(results.labels)}
    keyed: dict[tuple[str, str], list[int]] = {}
    points: dict[tuple[str, str], Mapping[str, Any]] = {}
    by_point = results.design == "grid"
    for i, run in enumerate(results.runs):
        key = (run.scenario, _point_key(run.point) if by_point else "")
        keyed.setdefault(key, []).append(i)
        points.setdefault(key, dict(run.point) if by_point else {})
    note = ""
    if results.design == "sample":
        n_points = len({_point_key(r.point) for r in results.runs if not r.is_baseline})
        note = f"each band pools all {n_points:,} sampled parameter points"
    keys = sorted(keyed, key=lambda k: (order.get(k[0], len(order)), _first(keyed[k])))
    is_base = {k: k[0] == results.baseline for k in keys}
    if by_point and sum(not b for b in is_base.values()) > max_groups:
        first = results.runs[next(i for i, r in enumerate(results.runs) if not r.is_baseline)]
        wanted = _point_key(first.point)
        keys = [k for k in keys if k[1] == wanted or (is_base[k] and _fits(points[k], first.point))]
        keys = [k for k in keys if not is_base[k]] + [k for k in keys if is_base[k]][:1]
        keys.sort(key=lambda k: (order.get(k[0], len(order)), _first(keyed[k])))
        note = f"first grid point only ({point_text(first.point)})"
    groups = []
    for key in keys:
        scenario, _ = key
        label = plain_label(scenario)
        if points[key]:
            label = f"{label}, {point_text(points[key])}"
        groups.append(
            Group(label, scenario, points[key], is_base[key], np.asarray(keyed[key], np.intp))
        )
    return Grouping(groups, note)


def _first(rows: list[int]) -> int:
    return rows[0] if rows else 0


def _fits(base_point: Mapping[str, Any], point: Mapping[str, Any]) -> bool:
    """Whether a baseline's point agrees with a scenario's point on the paths it has."""
    return all(point.get(path) == value for path, value in base_point.items())


# --------------------------------------------------------------------------------------
# Money: yearly totals, discounting, payback
# --------------------------------------------------------------------------------------


def funded_spans(spend: np.ndarray, weeks: np.ndarray) -> list[tuple[int, int]]:
    """Spans of weeks in which any run spends on the investment.

    Parameters
    ----------
    spend : (runs, weeks) or (weeks,) float
        Weekly investment spend, £.
    weeks : (weeks,) int
        Week numbers.

    Returns
    -------
    list of (first week, last week)
        Inclusive, in order; empty if nothing is spent.

    Examples
    --------
    >>> funded_spans(np.array([[0, 5, 5, 0, 5], [0, 0, 5, 0, 0]]), np.arange(1, 6))
    [(2, 3), (5, 5)]
    """
    spend = np.atleast_2d(np.asarray(spend, dtype=np.float64))
    funded = np.nan_to_num(spend, nan=0.0).max(axis=0) > 0
    weeks = np.asarray(weeks)
    # Where funding switches on and off: edges of runs of True.
    edges = np.diff(np.concatenate([[0], funded.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1) - 1
    return [(int(weeks[a]), int(weeks[b])) for a, b in zip(starts, stops, strict=True)]


def yearly_totals(values: np.ndarray, years: np.ndarray, n_years: int | None = None) -> np.ndarray:
    """Sum weekly values within each year (the last axis), ignoring NaN.

    Parameters
    ----------
    values : (..., weeks) float
    years : (weeks,) int
        1-based year of each week.
    n_years : int, optional
        Years in the result (default: the largest year).

    Returns
    -------
    (..., n_years) float64
        Column ``k`` is year ``k + 1``.

    Examples
    --------
    >>> yearly_totals(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 1, 2, 2])).tolist()
    [3.0, 7.0]
    """
    years = np.asarray(years, dtype=np.int64)
    if n_years is None:
        n_years = int(years.max()) if years.size else 0
    onehot = np.zeros((years.size, n_years))
    onehot[np.arange(years.size), years - 1] = 1.0
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0) @ onehot


def cumulative_discounted(
    values: np.ndarray,
    years: np.ndarray,
    rate: float,
    n_years: int | None = None,
    first_year: int = 1,
) -> np.ndarray:
    """Cumulative present value, year by year, of weekly £ (HM Treasury Green Book).

    Each week's £ is discounted by its year's factor
    (:func:`thriving.recording.discount_factors`), then summed by year and accumulated.
    Present values are taken at ``first_year``, the year the investment starts (factor
    1 there, each later year ``1 + rate`` less), as ``thriving compare`` does.

    Parameters
    ----------
    values : (..., weeks) float
        £ per week.
    years : (weeks,) int
        1-based year of each week.
    rate : float
        Discount rate a year (0.035).
    n_years : int, optional
    first_year : int
        The year discounted at factor 1.

    Returns
    -------
    (..., n_years) float64
        Column ``k``: present value of everything up to the end of year ``k + 1``.

    Examples
    --------
    >>> cumulative_discounted(np.array([50.0, 50.0, 50.0, 50.0]), np.array([1, 1, 2, 2]), 0.25)
    array([100., 180.])
    >>> cumulative_discounted(np.array([0.0, 0.0, 50.0, 50.0]), np.array([1, 1, 2, 2]), 0.25,
    ...                       first_year=2)
    array([  0., 100.])
    """
    years = np.asarray(years)
    factor = discount_factors(years - (first_year - 1), rate)
    return np.cumsum(yearly_totals(np.asarray(values) * factor, years, n_years), axis=-1)


def payback_year(
    cumulative_avoided: np.ndarray, cumulative_investment: np.ndarray, first_year: int = 1
) -> np.ndarray:
    """The first year in which cumulative cost avoided reaches cumulative investment.

    The definition of ``thriving compare`` (``payback_year`` in comparison.csv), so the
    table and the pictures agree.

    Parameters
    ----------
    cumulative_avoided, cumulative_investment : (..., years) float
        Cumulative £ (present values) to the end of each year; column ``k`` is year
        ``k + 1``.
    first_year : int
        The earliest year payback can happen (the year the investment starts).

    Returns
    -------
    (...) float64
        The 1-based year, or NaN where it does not pay back within the years given
        (or nothing is invested).

    Examples
    --------
    >>> payback_year(np.array([0.0, 5.0, 12.0, 20.0]), np.array([10.0, 10.0, 10.0, 10.0]))
    array(3.)
    >>> payback_year(np.array([[1.0, 2.0], [3.0, 9.0]]), np.array([[5.0, 5.0], [5.0, 5.0]]))
    array([nan,  2.])
    """
    avoided = np.asarray(cumulative_avoided, dtype=np.float64)
    invested = np.asarray(cumulative_investment, dtype=np.float64)
    paid = (invested > 0) & (avoided >= invested)
    paid[..., : max(first_year - 1, 0)] = False
    first = np.argmax(paid, axis=-1).astype(np.float64) + 1.0
    return np.where(paid.any(axis=-1), first, np.nan)


@dataclass(frozen=True)
class Payback:
    """Cumulative cost avoided against cumulative investment of one group of pairs.

    Attributes
    ----------
    years : (n_years,) int
        1..N; values are to the end of each year.
    avoided_mean : (n_years,) float
        Mean over pairs of the cumulative service cost avoided (baseline run minus
        scenario run), £ present value.
    avoided : Band
        The same, median and 10-90 % range across pairs.
    investment_mean : (n_years,) float
        Mean over pairs of the cumulative investment, £ present value.
    year : float
        Payback year of the means (:func:`payback_year`; NaN: does not pay back).
    covered_at_end : bool
        Whether the mean cost avoided still covers the mean investment in the last year.
    pairs_paid_back : int
        Pairs whose own cumulative cost avoided covers their investment in the last year.
    """

    years: np.ndarray
    avoided_mean: np.ndarray
    avoided: Band
    investment_mean: np.ndarray
    year: float
    covered_at_end: bool
    pairs_paid_back: int

    @property
    def n(self) -> int:
        """Pairs."""
        return self.avoided.n

    def statement(self) -> str:
        """The payback in words ("pays back in year 4", "does not pay back within 8 years").

        Examples
        --------
        >>> b = band(np.zeros((2, 3)))
        >>> Payback(np.arange(1, 4), b.median, b, b.median, float("nan"), False, 0).statement()
        'does not pay back within 3 years'
        >>> Payback(np.arange(1, 4), b.median, b, b.median, 2.0, False, 1).statement()
        'pays back in year 2, behind again by year 3'
        """
        last = len(self.years)
        if math.isnan(self.year):
            return f"does not pay back within {last} years"
        text = f"pays back in year {int(self.year)}"
        return text if self.covered_at_end else f"{text}, behind again by year {last}"


def payback(
    cost: np.ndarray,
    base_cost: np.ndarray,
    investment: np.ndarray,
    years: np.ndarray,
    rate: float,
    first_year: int = 1,
) -> Payback:
    """Cumulative discounted cost avoided and investment of pairs, and the payback year.

    Parameters
    ----------
    cost, base_cost : (pairs, weeks) float
        Weekly service cost of the scenario runs and of their paired baseline runs, £.
    investment : (pairs, weeks) float
        Weekly investment spend of the scenario runs, £.
    years : (weeks,) int
        1-based year of each week.
    rate : float
        Discount rate a year.
    first_year : int
        The year investment starts: present values are taken there, and payback cannot
        come before it.

    Returns
    -------
    Payback
        The payback year is that of the means over pairs (as ``thriving compare``).

    Examples
    --------
    Two pairs, two years of four weeks at a discount rate of 0: each invests 10 in
    year 1 and avoids 4 a year (one pair) or 8 a year (the other).

    >>> years = np.array([1, 1, 2, 2])
    >>> base = np.full((2, 4), 10.0)
    >>> cost = np.array([[8.0, 8.0, 8.0, 8.0], [6.0, 6.0, 6.0, 6.0]])
    >>> spend = np.array([[5.0, 5.0, 0.0, 0.0]] * 2)
    >>> result = payback(cost, base, spend, years, 0.0)
    >>> result.statement(), result.pairs_paid_back, result.avoided_mean.tolist()
    ('pays back in year 2', 1, [6.0, 12.0])
    """
    n_years = int(np.max(years)) if np.size(years) else 0
    difference = np.asarray(base_cost, dtype=np.float64) - np.asarray(cost)
    avoided = cumulative_discounted(difference, years, rate, n_years, first_year)
    invested = cumulative_discounted(investment, years, rate, n_years, first_year)
    avoided_mean = avoided.mean(axis=0) if len(avoided) else np.full(n_years, np.nan)
    invested_mean = invested.mean(axis=0) if len(invested) else np.full(n_years, np.nan)
    year = float(payback_year(avoided_mean, invested_mean, first_year))
    covered = bool(n_years and invested_mean[-1] > 0 and avoided_mean[-1] >= invested_mean[-1])
    at_end = (invested[:, -1] > 0) & (avoided[:, -1] >= invested[:, -1]) if n_years else []
    return Payback(
        years=np.arange(1, n_years + 1),
        avoided_mean=avoided_mean,
        avoided=band(avoided),
        investment_mean=invested_mean,
        year=year,
        covered_at_end=covered,
        pairs_paid_back=int(np.sum(at_end)),
    )


# --------------------------------------------------------------------------------------
# Wards: who benefits
# --------------------------------------------------------------------------------------


def ward_effect(
    scenario: np.ndarray,
    baseline: np.ndarray,
    adults: np.ndarray,
    from_year: int = 1,
) -> np.ndarray:
    """Paired difference by ward, per 1,000 adults a year, from a year on.

    Parameters
    ----------
    scenario, baseline : (pairs, wards, years) float
        Yearly totals by ward of the scenario runs and of their paired baseline runs
        (£, person-years, appointments...).
    adults : (pairs, wards, years) float
        Adults in each ward each year (the baseline run's, as a yearly mean).
    from_year : int
        First year counted (1-based): the year investment starts.

    Returns
    -------
    (pairs, wards) float64
        Scenario minus baseline, per 1,000 adults a year, over years ``from_year`` to
        the end (negative: less cost, fewer lonely years).

    Examples
    --------
    One pair, two wards, two years; counting year 2 only.

    >>> scenario = np.array([[[50.0, 80.0], [10.0, 10.0]]])
    >>> baseline = np.array([[[50.0, 100.0], [10.0, 14.0]]])
    >>> adults = np.array([[[2000.0, 2000.0], [500.0, 500.0]]])
    >>> ward_effect(scenario, baseline, adults, from_year=2).tolist()
    [[-10.0, -8.0]]
    """
    if from_year < 1:
        raise ValueError(f"from_year is 1-based (got {from_year})")
    start = from_year - 1
    diff = np.asarray(scenario, dtype=np.float64)[..., start:] - np.asarray(baseline)[..., start:]
    people = np.asarray(adults, dtype=np.float64)[..., start:]
    years = np.sum(~np.isnan(diff), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a ward with no years: NaN
        per_year = np.nansum(diff, axis=-1) / years
        return np.where(years > 0, 1000.0 * per_year / np.nanmean(people, axis=-1), np.nan)
