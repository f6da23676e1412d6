"""Weekly series as arrays: bands, pairs, payback and ward effects.

What the pictures of ``thriving plot`` (and the report) are computed from, without
matplotlib. The series are read by :class:`thriving.analysis.results.Results`
(:func:`thriving.analysis.results.open_results`): one array of shape (runs, weeks) per column
(:meth:`~thriving.analysis.results.Results.weekly`), or ward by year, (runs, wards, years)
(:meth:`~thriving.analysis.results.Results.ward_years`); runs are paired with their baseline runs
by :func:`thriving.analysis.results.pair_rows`. The rest are pure functions on those arrays:

* :func:`rolling_mean` smooths weekly noise (a centred mean over a few weeks);
* :func:`band` gives the median and the 10-90 % range across runs;
* :func:`run_minus_baseline` gives each scenario run minus its paired baseline run;
* :func:`yearly_totals`, :func:`cumulative_discounted` and :func:`payback_year` give
  cumulative cost avoided against cumulative investment (HM Treasury Green Book
  discounting, :func:`thriving.sim.recording.discount_factors`);
* :func:`ward_effect` gives each ward's paired difference per 1,000 adults a year;
* :func:`group_runs` says which runs are drawn together (a scenario, or a scenario at
  one point of a grid).
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from thriving.analysis.results import Results, point_key
from thriving.config.errors import ThrivingError
from thriving.metrics import NETWORK_PICTURES, SERVICE_PICTURES
from thriving.metrics import series as recorded_series
from thriving.sim.recording import discount_factors

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
        Column of the weekly series (:data:`thriving.metrics.BOROUGH_COLUMNS`).
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


def _metric(name: str) -> Metric:
    """The picture of a weekly series, in the words of the registry of outputs."""
    weekly = recorded_series(name)
    return Metric(weekly.name, weekly.label, weekly.unit, weekly.kind, weekly.aliases)


#: The five services, in the order analysts list them.
SERVICE_METRICS: tuple[Metric, ...] = tuple(_metric(name) for name in SERVICE_PICTURES)

#: Loneliness and the social network.
NETWORK_METRICS: tuple[Metric, ...] = tuple(_metric(name) for name in NETWORK_PICTURES)

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
    thriving.config.errors.ThrivingError: unknown metric 'gp_apointments'; did you mean ...
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


def run_minus_baseline(values: np.ndarray, rows: np.ndarray, base_rows: np.ndarray) -> np.ndarray:
    """Each scenario run minus its paired baseline run, in the units of ``values``.

    One difference per pair, for bands of differences
    (:func:`thriving.analysis.comparison.mean_paired_difference` sums the pairs up into
    a mean with its interval).

    Parameters
    ----------
    values : (runs, ...) float
    rows, base_rows : (pairs,) int
        From :func:`thriving.analysis.results.pair_rows`.

    Returns
    -------
    (pairs, ...) float64

    Examples
    --------
    >>> run_minus_baseline(np.array([[10.0], [12.0], [9.0]]), np.array([1, 2]), np.array([0, 0]))
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
        Positions of the group's runs in :attr:`thriving.analysis.results.Results.runs`.
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
    by_point = results.folder.by_point
    for i, run in enumerate(results.runs):
        key = (run.scenario, point_key(run.point) if by_point else "")
        keyed.setdefault(key, []).append(i)
        points.setdefault(key, dict(run.point) if by_point else {})
    note = ""
    if results.folder.design == "sampled":
        n_points = len({point_key(r.point) for r in results.runs if not r.is_baseline})
        note = f"each band pools all {n_points:,} sampled parameter points"
    keys = sorted(keyed, key=lambda k: (order.get(k[0], len(order)), _first(keyed[k])))
    is_base = {k: k[0] == results.baseline for k in keys}
    if by_point and sum(not b for b in is_base.values()) > max_groups:
        first = results.runs[next(i for i, r in enumerate(results.runs) if not r.is_baseline)]
        wanted = point_key(first.point)
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
    (:func:`thriving.sim.recording.discount_factors`), then summed by year and accumulated.
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
