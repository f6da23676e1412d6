"""Comparing scenarios with their baseline: paired differences and a Green Book appraisal.

The science here is pure functions on the tables of :mod:`thriving.analysis.results`:

1. **Pairs.** Each scenario run is paired with its baseline run: the same seed (common
   random numbers), so that chance events are the same in both and the difference is
   the investment's effect plus what the investment changed. A grid sweep (``vary:``) is
   compared point by point (the varied values become columns after ``scenario``); a
   sampled sweep (latin_hypercube, sobol, morris) pools all its points: each pair is then
   a draw of the uncertain assumptions, and the result is a probabilistic one.
2. **Outcomes** (:data:`OUTCOMES`): for each scenario and outcome, the means, the mean
   of the paired differences (scenario - baseline) with its 95 % t-interval, the change
   in percent and the number of pairs (:func:`mean_paired_difference`).
3. **Cost-benefit** (HM Treasury Green Book; :data:`COST_BENEFIT`): cost avoided, all
   of it and its cash-releasing part; investment, with optional optimism bias; net
   benefit and benefit-cost ratio both ways; payback year both ways; the probability of
   a net saving both ways; £ of investment per lonely person-year averted
   (:func:`cost_benefit`).
4. **Comparability**: runs compared must share horizon, burn-in, population, borough,
   price year and discount rate (:func:`check_comparable`).

Present values
--------------
A run's summary discounts year 1 (the first year after burn-in) at factor 1 and year
``y`` by ``1 / (1 + r) ** (y - 1)`` (r = 3.5 %). The Green Book discounts from the start
of the appraisal, here the scenario's first investment year ``f``. With common random
numbers the years before ``f`` are identical in scenario and baseline (nothing differs
until the money starts), so their differences are zero and re-basing a present value
from year 1 to year ``f`` is multiplying it by ``(1 + r) ** (f - 1)``:

    sum over y >= f of d_y / (1 + r) ** (y - f)
        = (1 + r) ** (f - 1) * sum over y >= 1 of d_y / (1 + r) ** (y - 1)   when d_y = 0 for y < f.

Every £ present value in a scenario's rows of the comparison (outcomes and cost-benefit
alike) is re-based this way to that scenario's first investment year, so the rows agree
with each other; for a scenario whose investment starts in year 1 they are the run's
own present values. A note is added if the years before ``f`` do differ.

Below the science, :func:`compare_folders`, :func:`run_scenario_files` and
:func:`write_comparison` do the wiring for ``thriving compare``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from scipy import stats

from thriving.analysis.results import Results, load_results, pair_rows, yearly_wide
from thriving.analysis.series import (
    payback_year as first_year_covered,  # one definition, as plotted
)
from thriving.config.errors import ThrivingError
from thriving.metrics import COMPARED, COST_BENEFIT, COUNT_UNITS, DEFAULT_COMPARED
from thriving.runs.store import atomic_write
from thriving.runs.sweep import format_cell

__all__ = [
    "COLUMNS",
    "COMPARISON_FILE",
    "COST_BENEFIT",
    "DEFAULT_METRICS",
    "OUTCOMES",
    "Comparison",
    "PairedDifference",
    "check_comparable",
    "compare",
    "compare_folders",
    "cost_benefit",
    "format_table",
    "pair_runs",
    "mean_paired_difference",
    "payback_year",
    "write_comparison",
]

#: The file ``thriving compare`` writes.
COMPARISON_FILE = "comparison.csv"

#: Outcomes compared, with their plain names: totals over the years after burn-in for the
#: whole borough, and £ present values of service cost (all services, then each).
OUTCOMES: dict[str, str] = COMPARED

#: What each count outcome counts, for the unit column.
_COUNTS: dict[str, str] = COUNT_UNITS

#: Outcomes ``thriving compare`` prints when no ``--metric`` is given.
DEFAULT_METRICS: tuple[str, ...] = DEFAULT_COMPARED

#: Columns of comparison.csv around the varied parameters (which follow ``scenario``).
COLUMNS: tuple[str, ...] = (
    "metric",
    "baseline_mean",
    "scenario_mean",
    "mean_difference",
    "ci_low",
    "ci_high",
    "pct_change",
    "n_pairs",
    "unit",
)

#: Confidence level of the intervals.
CONFIDENCE = 0.95

#: Facts runs must share to be compared, with how to say they differ and what to do.
#: Each phrase takes the two folders and their values (already in words).
_COMPARABLE: dict[str, tuple[str, str]] = {
    "years": ("{a} was run for {va} but {b} for {vb}", "run them with the same horizon"),
    "burn_in_years": (
        "{a} had a burn-in of {va} but {b} of {vb}",
        "run them with the same horizon.burn_in_years",
    ),
    "borough_adults": (
        "{a} is scaled to a borough of {va} adults but {b} to {vb} adults",
        "run them with the same ward table (population.wards_file)",
    ),
    "residents_simulated": (
        "{a} simulated {va} residents but {b} {vb} residents",
        "run them with the same population (--population)",
    ),
    "price_year": (
        "{a} is in {va} prices but {b} in {vb} prices",
        "run them with the same appraisal.price_year",
    ),
    "discount_rate": (
        "{a} discounts at {va} a year but {b} at {vb}",
        "run them with the same appraisal.discount_rate",
    ),
}


# --------------------------------------------------------------------------------------
# Paired statistics
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedDifference:
    """Means of paired runs and the mean of their differences, with its interval.

    Attributes
    ----------
    baseline_mean, scenario_mean : float
        Means over the pairs.
    mean_difference : float
        Mean of (scenario - baseline) over the pairs.
    ci_low, ci_high : float
        95 % t-interval of the mean difference; NaN with one pair.
    pct_change : float
        ``100 * mean_difference / baseline_mean``, in percent; NaN when the baseline mean
        is 0.
    n_pairs : int
    """

    baseline_mean: float
    scenario_mean: float
    mean_difference: float
    ci_low: float
    ci_high: float
    pct_change: float
    n_pairs: int


def mean_interval(values: Any, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean of ``values`` and the t-interval of the mean (Student's t, n - 1 df).

    Parameters
    ----------
    values : (n,) array_like of float
        At least one value.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; ``low`` and ``high`` are NaN with one value.

    Examples
    --------
    >>> mean, low, high = mean_interval([1.0, 2.0, 3.0])
    >>> float(mean), round(float(low), 4), round(float(high), 4)
    (2.0, -0.4841, 4.4841)
    >>> mean_interval([5.0])
    (5.0, nan, nan)
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        raise ValueError("no values")
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def mean_paired_difference(
    baseline: Any, scenario: Any, confidence: float = CONFIDENCE
) -> PairedDifference:
    """The mean of paired differences (scenario - baseline) with its interval, and the means.

    A summary over pairs (one number per outcome), where
    :func:`thriving.analysis.series.run_minus_baseline` gives each pair's difference.

    Parameters
    ----------
    baseline, scenario : (n,) array_like of float
        Values of the same outcome in the baseline run and the scenario run of each pair
        (pair ``i`` is ``baseline[i]``, ``scenario[i]``).
    confidence : float
        Coverage of the interval (0.95).

    Returns
    -------
    PairedDifference

    Examples
    --------
    >>> d = mean_paired_difference([100.0, 110.0, 90.0], [95.0, 104.0, 86.0])
    >>> d.mean_difference, d.n_pairs, round(d.pct_change, 2)
    (-5.0, 3, -5.0)
    >>> round(d.ci_low, 3), round(d.ci_high, 3)
    (-7.484, -2.516)
    """
    b = np.asarray(baseline, dtype=float)
    s = np.asarray(scenario, dtype=float)
    if b.shape != s.shape or b.ndim != 1:
        raise ValueError(f"baseline and scenario must be paired 1-d arrays ({b.shape}, {s.shape})")
    mean, low, high = mean_interval(s - b, confidence)
    base = float(b.mean())
    pct = 100.0 * mean / base if base != 0 else math.nan
    return PairedDifference(base, float(s.mean()), mean, low, high, pct, int(b.size))


# --------------------------------------------------------------------------------------
# Pairs and groups
# --------------------------------------------------------------------------------------


def pair_runs(results: Results) -> tuple[pd.DataFrame, int]:
    """Each scenario run beside its paired baseline run.

    Parameters
    ----------
    results : Results
        From :func:`thriving.analysis.results.load_results`; runs are paired as
        :func:`thriving.analysis.results.pair_rows` pairs them.

    Returns
    -------
    pairs : pandas.DataFrame
        One row per scenario run whose baseline run is there: the scenario run's columns
        of :attr:`thriving.analysis.results.Results.table`, then the baseline run's columns
        prefixed ``baseline.`` (``baseline.source``, ``baseline.service_cost_gbp_pv``,
        ...). In the order of the runs.
    unpaired : int
        Scenario runs left out because their baseline run is not there (not finished).
    """
    table = results.table
    rows, base_rows = pair_rows(results.runs)
    scenario = table.iloc[rows].reset_index(drop=True)
    baseline = table.iloc[base_rows].add_prefix("baseline.").reset_index(drop=True)
    pairs = pd.concat([scenario, baseline], axis=1)
    return pairs, int((~table["is_baseline"].astype(bool)).sum()) - len(pairs)


@dataclass(frozen=True)
class Group:
    """The pairs compared together: a scenario, at one point of a grid (or pooled).

    Attributes
    ----------
    scenario : str
        The scenario's label.
    baseline : str
        The baseline's label.
    point : dict
        Values of the varied parameters (grid sweeps); empty when pooled or none vary.
    design : str
        ``grid``, ``sampled`` or ``single`` (see :data:`thriving.analysis.results.DESIGNS`).
    rows : tuple of int
        Rows of the pairs table.
    """

    scenario: str
    baseline: str
    point: dict[str, Any]
    design: str
    rows: tuple[int, ...]


def group_pairs(pairs: pd.DataFrame, varied: Sequence[str]) -> list[Group]:
    """Group pairs by scenario, and by point for grid sweeps; in order of first appearance."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    points: dict[tuple[Any, ...], dict[str, Any]] = {}
    columns = ["scenario", "design", *varied]
    for i, (label, design, *values) in enumerate(pairs[columns].itertuples(index=False)):
        point: dict[str, Any] = {}
        if design == "grid":
            point = {n: v for n, v in zip(varied, values, strict=True) if not _missing(v)}
        key = (label, design, _freeze(point))
        groups.setdefault(key, []).append(i)
        points.setdefault(key, point)
    result = []
    for key, rows in groups.items():
        baselines = pairs["baseline.scenario"].iloc[rows].unique()
        result.append(Group(key[0], " / ".join(baselines), points[key], key[1], tuple(rows)))
    return result


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _freeze(point: Mapping[str, Any]) -> str:
    return json.dumps(point, sort_keys=True, default=str)


# --------------------------------------------------------------------------------------
# Comparability
# --------------------------------------------------------------------------------------


def _in_words(fact: str, value: Any) -> str:
    """A fact's value as the refusal message says it."""
    if fact in ("years", "burn_in_years"):
        return f"{value} year{'s' if value != 1 else ''}"
    if fact in ("residents_simulated", "borough_adults"):
        return f"{value:,.0f}"
    if fact == "discount_rate":
        return f"{100 * value:g} %"
    return str(value)


def _values_in_words(fact: str, values: Sequence[Any]) -> str:
    return " and ".join(_in_words(fact, v) for v in values)


def check_comparable(pairs: pd.DataFrame, force: bool = False) -> list[str]:
    """Check that the runs compared share horizon, population, borough and appraisal.

    Each scenario run must match its baseline run, and every folder's runs must match
    the first folder's, in ``years``, ``burn_in_years``, ``borough_adults``,
    ``residents_simulated``, ``price_year`` and ``discount_rate``.

    Parameters
    ----------
    pairs : pandas.DataFrame
        From :func:`pair_runs`.
    force : bool
        Compare anyway: differences are returned as warnings instead of raised.

    Returns
    -------
    list of str
        The differences found, in words (only with ``force``; otherwise empty).

    Raises
    ------
    ThrivingError
        Naming the two folders (or runs) and the values that differ, without ``force``.
    """
    problems: list[str] = []

    def found(fact: str, a: str, va: str, b: str, vb: str) -> None:
        phrase, advice = _COMPARABLE[fact]
        difference = phrase.format(a=a, va=va, b=b, vb=vb)
        if not force:
            raise ThrivingError(
                f"{difference}; they cannot be compared; {advice}, or give --force to "
                "compare anyway"
            )
        if difference not in problems:
            problems.append(difference)

    # Each scenario run against its baseline run.
    for fact in _COMPARABLE:
        differ = pairs[pairs[fact] != pairs[f"baseline.{fact}"]]
        for _, row in differ.iterrows():
            a, b = row["source"], row["baseline.source"]
            if a == b:
                a = f"{a}: run {row['run_id']} ({row['scenario']})"
                b = f"its baseline run {row['baseline.run_id']}"
            found(
                fact,
                a,
                _in_words(fact, row[fact]),
                b,
                _in_words(fact, row[f"baseline.{fact}"]),
            )
    # Every folder against the first.
    sides = [
        pairs[["source", *_COMPARABLE]],
        pairs[["baseline.source", *(f"baseline.{f}" for f in _COMPARABLE)]].set_axis(
            ["source", *_COMPARABLE], axis=1
        ),
    ]

    both = pd.concat(sides, ignore_index=True)
    sources = list(dict.fromkeys(both["source"]))
    for fact in _COMPARABLE:
        values = {s: sorted(set(both.loc[both["source"] == s, fact])) for s in sources}
        first = sources[0]
        for other in sources[1:]:
            if values[other] != values[first]:
                found(
                    fact,
                    first,
                    _values_in_words(fact, values[first]),
                    other,
                    _values_in_words(fact, values[other]),
                )
    return problems


# --------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The result of comparing scenarios with their baselines.

    Attributes
    ----------
    table : pandas.DataFrame
        comparison.csv: ``scenario``, the varied parameters of grid sweeps, then
        :data:`COLUMNS`; one row per scenario (and point), outcome
        (:data:`OUTCOMES`) and cost-benefit measure (:data:`COST_BENEFIT`).
    groups : tuple of Group
        What was compared, in the table's order.
    notes : tuple of str
        What the analyst should know: runs left out, differences compared anyway
        (``--force``), pooled designs.
    optimism_bias : float
        Added to investment (0.41 = +41 %).
    path : Path or None
        Where comparison.csv was written, once written.
    """

    table: pd.DataFrame
    groups: tuple[Group, ...]
    notes: tuple[str, ...] = ()
    optimism_bias: float = 0.0
    path: Path | None = field(default=None)


def compare(results: Results, *, optimism_bias: float = 0.0, force: bool = False) -> Comparison:
    """Compare every scenario of ``results`` with its paired baseline runs.

    Parameters
    ----------
    results : Results
        From :func:`thriving.analysis.results.load_results`.
    optimism_bias : float
        Share added to money invested (0.41 adds 41 %), as HM Treasury's Green Book asks
        for costs that may be underestimated; 0 adds nothing. Not applied to money
        withdrawn (a negative investment, such as closures).
    force : bool
        Compare runs that differ in horizon, population, borough, price year or discount
        rate (see :func:`check_comparable`) instead of refusing; the differences become
        notes.

    Returns
    -------
    Comparison

    Raises
    ------
    ThrivingError
        Nothing to compare (no scenario run with a finished baseline run), or runs that
        cannot be compared (without ``force``).
    """
    if not optimism_bias >= 0:
        raise ThrivingError(f"--optimism-bias must be 0 or more (got {optimism_bias})")
    pairs, unpaired = pair_runs(results)
    if pairs.empty:
        folders = ", ".join(str(s) for s in results.sources)
        raise ThrivingError(
            f"nothing to compare in {folders}: there is no scenario run with a finished "
            "baseline run (give a sweep folder with a baseline and other scenarios, or "
            "single-run folders with the baseline's first)"
        )
    notes = check_comparable(pairs, force)
    notes = [f"Compared anyway (--force): {n}" for n in notes]
    if unpaired:
        notes.append(
            f"{unpaired} scenario run{'s' * (unpaired != 1)} left out: the baseline run "
            f"{'they are' if unpaired != 1 else 'it is'} paired with has not finished (run "
            "the same thriving sweep command again to complete the sweep)"
        )
    grid_varied = [
        name
        for name in results.varied
        if any(s.design == "grid" and name in s.varied for s in results.sources)
    ]
    groups = group_pairs(pairs, grid_varied)
    keys = {
        side: pairs[[f"{prefix}source", f"{prefix}run_id"]].set_axis(["source", "run_id"], axis=1)
        for side, prefix in (("scenario", ""), ("baseline", "baseline."))
    }
    yearly = {
        (side, column): yearly_wide(results, column, keys[side]).to_numpy()
        for side in keys
        for column in ("service_cost_gbp", "cash_releasing_cost_gbp", "investment_gbp")
    }
    rows: list[dict[str, Any]] = []
    for group in groups:
        idx = list(group.rows)
        sub = pairs.iloc[idx].reset_index(drop=True)
        lists = {key: value[idx] for key, value in yearly.items()}
        lead = {"scenario": group.scenario, **{n: group.point.get(n) for n in grid_varied}}
        for row in outcome_rows(sub):
            rows.append({**lead, **row})
        for row in cost_benefit(sub, lists, optimism_bias):
            rows.append({**lead, **row})
        if group.design == "sampled":
            notes.append(
                f"{group.scenario}: the {len(idx)} pairs come from a sampled design and are "
                "pooled: each is a draw of the uncertain assumptions, so the intervals and "
                "the probability of a net saving include that uncertainty"
            )
        if len(idx) < 2:
            notes.append(
                f"{group.scenario}: one pair of runs gives no interval and no probability "
                "of a net saving; to have them, compare the scenario files over several "
                "seeds, e.g. thriving compare scenarios/baseline.yaml "
                f"scenarios/{group.scenario}.yaml --replicates 10"
            )
        gap = _pre_investment_gap(sub, lists)
        if gap:
            notes.append(
                f"{group.scenario}: service costs differ from the baseline's in years before "
                f"the first investment (by up to £{gap:,.0f} in a year); present values "
                "re-based to the first investment year count those years too"
            )
    table = pd.DataFrame(rows, columns=["scenario", *grid_varied, *COLUMNS])
    table["n_pairs"] = table["n_pairs"].astype("Int64")
    return Comparison(table, tuple(groups), tuple(notes), optimism_bias)


def _rebase_factors(sub: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's first investment year (1 when none) and re-basing factor."""
    first = sub["first_investment_year"].astype("Float64").fillna(1.0).to_numpy(dtype=float)
    rate = sub["discount_rate"].to_numpy(dtype=float)
    return first, (1.0 + rate) ** (first - 1.0)


def _pre_investment_gap(sub: pd.DataFrame, lists: Mapping[tuple[str, str], np.ndarray]) -> float:
    """Largest yearly service-cost difference before the first investment year (£)."""
    first, _ = _rebase_factors(sub)
    diff = lists["scenario", "service_cost_gbp"] - lists["baseline", "service_cost_gbp"]
    years = np.arange(1, diff.shape[1] + 1)
    before = (years[None, :] < first[:, None]) & np.isfinite(diff)
    if not before.any():
        return 0.0
    scale = np.abs(lists["baseline", "service_cost_gbp"][before]).max()
    gap = float(np.abs(diff[before]).max())
    return gap if gap > 1e-9 * max(scale, 1.0) else 0.0


def _units(sub: pd.DataFrame) -> dict[str, str]:
    """Phrases for the unit column, from the pairs' facts."""

    def one(column: str, word: Any) -> str:
        values = sorted(set(sub[column]))
        return word(values[0]) if len(values) == 1 else " or ".join(str(word(v)) for v in values)

    first, _ = _rebase_factors(sub)
    years = sorted(set(first.astype(int)))
    has_investment = sub["first_investment_year"].notna().any()
    if len(years) > 1:
        base = "each run's first investment year"
    elif has_investment:
        base = f"year {years[0]} of the run (the first investment year)"
    else:
        base = "year 1 of the run (no investment)"
    horizon = one("years", lambda v: f"{v} year{'s' * (v != 1)}")
    adults = one("borough_adults", lambda v: f"{v:,.0f}")
    rate = one("discount_rate", lambda v: f"{100 * v:g} %")
    price = one("price_year", str)
    return {
        "span": f"total over the {horizon} after burn-in, whole borough ({adults} adults)",
        "money": f"£ present value at {price} prices, discounted at {rate} a year to {base}",
        "horizon": horizon,
    }


def outcome_rows(sub: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the outcomes (:data:`OUTCOMES`) for one group of pairs.

    £ present values are re-based to the group's first investment year (see the module's
    notes); counts are as the runs give them.
    """
    units = _units(sub)
    _, factor = _rebase_factors(sub)
    rows = []
    for metric in OUTCOMES:
        money = metric.endswith("_gbp_pv")
        k = factor if money else 1.0
        d = mean_paired_difference(sub[f"baseline.{metric}"] * k, sub[metric] * k)
        if money:
            what = OUTCOMES[metric].lower().replace("gp ", "GP ").replace("a&e", "A&E")
            unit = f"{units['money']}; {what}, {units['span']}"
        else:
            unit = f"{_COUNTS[metric]}, {units['span']}"
        rows.append(
            {
                "metric": metric,
                "baseline_mean": d.baseline_mean,
                "scenario_mean": d.scenario_mean,
                "mean_difference": d.mean_difference,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "pct_change": d.pct_change,
                "n_pairs": d.n_pairs,
                "unit": unit,
            }
        )
    return rows


def payback_year(
    avoided: np.ndarray, investment: np.ndarray, discount: np.ndarray, first_year: int
) -> int | None:
    """First year in which mean cumulative discounted cost avoided covers investment.

    Parameters
    ----------
    avoided, investment : (pairs, years) float64 arrays
        Undiscounted £ of each pair in each year 1..N of the run: cost avoided (baseline
        - scenario) and investment (optimism bias included).
    discount : (pairs, years) float64 array
        Discount factor of each pair's years, 1 at its first investment year.
    first_year : int
        The earliest year payback can happen (the first investment year).

    Returns
    -------
    int or None
        The year (1-based, counted from year 1 of the run), or None if the mean
        cumulative cost avoided never reaches the mean cumulative investment within the
        horizon (or nothing is invested).

    Examples
    --------
    Investment of 100 in year 1, 60 avoided each year, no discounting:

    >>> one = np.ones((1, 3))
    >>> payback_year(60 * one, np.array([[100.0, 0, 0]]), one, 1)
    2
    >>> payback_year(10 * one, np.array([[100.0, 0, 0]]), one, 1) is None
    True
    """
    cum_avoided = np.nanmean(np.cumsum(np.nan_to_num(avoided * discount), axis=1), axis=0)
    cum_invested = np.nanmean(np.cumsum(np.nan_to_num(investment * discount), axis=1), axis=0)
    year = first_year_covered(cum_avoided, cum_invested, max(first_year, 1))
    return None if np.isnan(year) else int(year)


def cost_benefit(
    sub: pd.DataFrame, lists: Mapping[tuple[str, str], np.ndarray], optimism_bias: float
) -> list[dict[str, Any]]:
    """Rows of the Green Book appraisal (:data:`COST_BENEFIT`) for one group of pairs.

    Parameters
    ----------
    sub : pandas.DataFrame
        The group's pairs (from :func:`pair_runs`).
    lists : mapping
        ``(side, column)`` to a (pairs, years) array of yearly undiscounted £, for side
        ``scenario`` or ``baseline`` and column ``service_cost_gbp``,
        ``cash_releasing_cost_gbp`` or ``investment_gbp``; rows in the order of ``sub``.
    optimism_bias : float
        Share added to money invested.

    Returns
    -------
    list of dict
        One row per measure: the value in ``mean_difference``; the interval for means
        over pairs (cost avoided, investment, net benefits); ``n_pairs``; ``unit`` in
        words (why a cell is empty, too).
    """
    units = _units(sub)
    first, factor = _rebase_factors(sub)
    n = len(sub)

    def pv_difference(column: str) -> np.ndarray:  # baseline - scenario, re-based
        return (sub[f"baseline.{column}"].to_numpy() - sub[column].to_numpy()) * factor

    avoided = pv_difference("service_cost_gbp_pv")
    cash_avoided = pv_difference("cash_releasing_cost_gbp_pv")
    raw_investment = -pv_difference("investment_gbp_pv")  # scenario - baseline
    # Optimism bias raises money spent; money withdrawn (closures) is left as it is.
    bias = np.where(raw_investment > 0, 1.0 + optimism_bias, 1.0)
    investment = raw_investment * bias
    net = avoided - investment
    cash_net = cash_avoided - investment
    lonely_averted = (sub["baseline.lonely_person_years"] - sub["lonely_person_years"]).to_numpy()

    # Yearly, for payback: each pair's years discounted to its first investment year.
    rate = sub["discount_rate"].to_numpy(dtype=float)
    n_years = lists["scenario", "service_cost_gbp"].shape[1]
    years = np.arange(1, n_years + 1)
    discount = (1.0 + rate[:, None]) ** (first[:, None] - years[None, :])
    yearly_investment = (
        lists["scenario", "investment_gbp"] - lists["baseline", "investment_gbp"]
    ) * bias[:, None]

    def yearly_avoided(column: str) -> np.ndarray:
        return lists["baseline", column] - lists["scenario", column]

    mean_investment = float(investment.mean())
    bias_words = (
        f"including +{100 * optimism_bias:g} % optimism bias on money invested"
        if optimism_bias > 0
        else "no optimism bias added"
    )
    money = units["money"]
    horizon = units["horizon"]
    rows: list[dict[str, Any]] = []

    def add(metric: str, value: float | None, unit: str, interval: Any = None) -> None:
        low = high = math.nan
        if interval is not None:
            _, low, high = mean_interval(interval)
        rows.append(
            {
                "metric": metric,
                "baseline_mean": math.nan,
                "scenario_mean": math.nan,
                "mean_difference": math.nan if value is None else float(value),
                "ci_low": low,
                "ci_high": high,
                "pct_change": math.nan,
                "n_pairs": n,
                "unit": unit,
            }
        )

    add(
        "cost_avoided_gbp_pv",
        avoided.mean(),
        f"{money}; service cost avoided (baseline minus scenario), all services: "
        "cash-releasing and capacity freed",
        avoided,
    )
    add(
        "cash_cost_avoided_gbp_pv",
        cash_avoided.mean(),
        f"{money}; the cash-releasing part of the cost avoided (appraisal.cash_releasing "
        "shares; by default home-care hours only)",
        cash_avoided,
    )
    add(
        "investment_gbp_pv",
        mean_investment,
        f"{money}; investment (scenario minus baseline), {bias_words}",
        investment,
    )
    add(
        "net_benefit_gbp_pv",
        net.mean(),
        f"{money}; cost avoided minus investment, all benefits (above 0: a net saving)",
        net,
    )
    add(
        "cash_net_benefit_gbp_pv",
        cash_net.mean(),
        f"{money}; cash-releasing cost avoided minus investment (above 0: a cash saving)",
        cash_net,
    )
    if mean_investment < 0:
        no_investment = "empty: money is withdrawn, not invested (a saving: nothing to pay back)"
    else:
        no_investment = "empty: no money is invested (nothing to pay back or to divide by)"
    for metric, benefit in (("bcr", avoided), ("cash_bcr", cash_avoided)):
        which = "cost avoided" if metric == "bcr" else "cash-releasing cost avoided"
        if mean_investment > 0:
            add(
                metric,
                benefit.mean() / mean_investment,
                f"ratio: £ of {which} per £ invested (ratio of mean present values; above "
                "1: pays back)",
            )
        else:
            add(metric, None, f"ratio of {which} to investment; {no_investment}")
    for metric, column in (
        ("payback_year", "service_cost_gbp"),
        ("cash_payback_year", "cash_releasing_cost_gbp"),
    ):
        which = "cost avoided" if metric == "payback_year" else "cash-releasing cost avoided"
        what = (
            f"year of the run (1 = first year after burn-in) in which cumulative discounted "
            f"{which} first covers cumulative discounted investment (means over pairs)"
        )
        if mean_investment <= 0:
            add(metric, None, f"{what}; {no_investment}")
            continue
        year = payback_year(yearly_avoided(column), yearly_investment, discount, int(first.min()))
        if year is None:
            add(metric, None, f"{what}; empty: not paid back within the {horizon}")
        else:
            add(metric, year, what)
    for metric, values, which in (
        ("probability_net_saving", net, "net benefit (all benefits)"),
        ("probability_cash_saving", cash_net, "cash net benefit"),
    ):
        what = f"share of the {n} pairs (0 to 1) whose {which} is above 0"
        if n < 2:  # 0 % or 100 % from one pair is not a probability
            add(metric, None, f"{what}; empty: one pair cannot give a probability")
        else:
            add(metric, float(np.mean(values > 0)), what)
    averted, averted_low, _ = mean_interval(lonely_averted)
    what = (
        "£ of investment (present value, as investment_gbp_pv) per lonely person-year "
        "averted (person-years not discounted)"
    )
    if mean_investment <= 0:
        add("gbp_per_lonely_person_year_averted", None, f"{what}; {no_investment}")
    elif averted <= 0:
        add(
            "gbp_per_lonely_person_year_averted",
            None,
            f"{what}; empty: no lonely person-years averted on average",
        )
    elif not averted_low > 0:
        # A ratio over a change that may be nothing is unbounded and meaningless (a
        # small mean gives a huge £ figure): give it only when the change is clear.
        add(
            "gbp_per_lonely_person_year_averted",
            None,
            f"{what}; empty: the lonely person-years averted are not clearly above 0 "
            "(their 95 % interval includes 0)",
        )
    else:
        add("gbp_per_lonely_person_year_averted", mean_investment / averted, what)
    return rows


# --------------------------------------------------------------------------------------
# Output: comparison.csv and the printed table
# --------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A value of comparison.csv: full precision, whole numbers without '.0', empty for NaN.

    Examples
    --------
    >>> [_cell(v) for v in (2.0, 0.1 + 0.2, float("nan"), None, 3, "a", True)]
    ['2', '0.30000000000000004', '', '', '3', 'a', 'TRUE']
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
    return format_cell(value)


def write_comparison(comparison: Comparison, path: str | os.PathLike[str]) -> Comparison:
    """Write comparison.csv atomically; return the comparison with its ``path``.

    The file is UTF-8 with a byte-order mark (so that Excel shows £ signs), one row per
    row of ``comparison.table``, numbers at full precision (whole numbers without
    ``.0``), empty cells for missing values.

    Raises
    ------
    ThrivingError
        If the file cannot be written (open in Excel, a folder that cannot be made).
    """
    target = Path(path)
    table = comparison.table

    def write(handle: IO[bytes]) -> None:
        # UTF-8 with a byte-order mark: without it Excel reads the £ signs of the unit
        # column as "Â£". pandas and Python's "utf-8-sig" read it as plain UTF-8.
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(list(table.columns))
        for row in table.itertuples(index=False):
            writer.writerow([_cell(v) for v in row])
        text.flush()
        text.detach()

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, write)
    except PermissionError as exc:
        raise ThrivingError(
            f"cannot write {target}: {exc.strerror or exc} (is it open in Excel? Close it "
            "and run the same command again)"
        ) from None
    except OSError as exc:
        raise ThrivingError(f"cannot write {target}: {exc.strerror or exc}") from None
    return replace(comparison, path=target)


def _amount(value: Any, money: bool = False) -> str:
    """A number for the screen: whole units with thousands separators; '-' when empty.

    Examples
    --------
    >>> _amount(-1234567.8, money=True), _amount(12.4), _amount(-0.44), _amount(float("nan"))
    ('-£1,234,568', '12', '-0.4', '-')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if not money and abs(value) < 9.95:  # small counts (deaths) keep a decimal
        text = f"{abs(value):.1f}"
        return ("-" if round(value, 1) < 0 else "") + text
    text = f"£{abs(value):,.0f}" if money else f"{abs(value):,.0f}"
    return ("-" if round(value) < 0 else "") + text


def _interval(low: Any, high: Any, money: bool = False) -> str:
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return "-"
    return f"{_amount(low, money)} to {_amount(high, money)}"


#: Width of the label column of the printed table.
_LABEL_WIDTH = 32


def format_table(comparison: Comparison, metrics: Sequence[str] = DEFAULT_METRICS) -> str:
    """A short plain-text summary of a comparison, for the terminal.

    Per scenario (and point): the chosen outcomes with their mean difference and 95 %
    interval, then cost avoided, investment, net benefit, benefit-cost ratio, payback
    and the probability of a net saving, for all benefits and for cash-releasing
    benefits only; then the notes.

    Parameters
    ----------
    comparison : Comparison
    metrics : sequence of str
        Outcomes to show (names of :data:`OUTCOMES`).

    Returns
    -------
    str
        Lines ending in newlines.
    """
    table = comparison.table
    size = len(OUTCOMES) + len(COST_BENEFIT)  # rows of each group, in the groups' order
    lines: list[str] = []
    for i, group in enumerate(comparison.groups):
        rows = table.iloc[i * size : (i + 1) * size].set_index("metric")
        lines += _group_lines(group, rows, metrics, comparison.optimism_bias)
        lines.append("")
    lines += [f"Note: {note}" for note in comparison.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _group_lines(
    group: Group, rows: pd.DataFrame, metrics: Sequence[str], optimism_bias: float
) -> list[str]:
    """The printed lines of one scenario (and point)."""
    w = _LABEL_WIDTH
    value = rows["mean_difference"]
    n = int(rows["n_pairs"].iloc[0])
    where = "".join(f", {k} = {_cell(v)}" for k, v in group.point.items())
    pooled = ", sampled design (pooled)" if group.design == "sampled" else ""
    horizon = re.search(r"over the (\d+ years?)", rows.loc["gp_appointments_total", "unit"])
    span = f" over {horizon.group(1)}" if horizon else ""
    lines = [
        f"{group.scenario}{where} against {group.baseline}: {n} pair{'s' * (n != 1)} of "
        f"runs{pooled}",
        f"  {'Change' + span + ', whole borough':<{w}}  {'mean':>13}  {'%':>7}  95 % interval",
    ]
    for metric in metrics:
        money = metric.endswith("_gbp_pv")
        row = rows.loc[metric]
        pct = "-" if math.isnan(row["pct_change"]) else f"{row['pct_change']:+.2f}"
        lines.append(
            f"  {OUTCOMES[metric]:<{w}}  {_amount(row['mean_difference'], money):>13}  "
            f"{pct:>7}  {_interval(row['ci_low'], row['ci_high'], money)}"
        )
    money_unit = rows.loc["net_benefit_gbp_pv", "unit"].split(";")[0]
    price = re.search(r"at (\S+) prices, discounted at (.+?) a year to (year \d+|each)", money_unit)
    basis = (
        f" (£ present value, {price.group(1)} prices, {price.group(2)} a year from "
        f"{price.group(3).replace('each', 'each run')})"
        if price
        else ""
    )
    lines.append(f"  Cost-benefit{basis}")
    lines.append(f"  {'':<{w}}  {'all benefits':>24}  {'cash-releasing only':>24}")

    def both(label: str, first: str, second: str) -> None:
        lines.append(f"  {label:<{w}}  {first:>24}  {second:>24}")

    def ratio(metric: str) -> str:
        return "-" if math.isnan(value[metric]) else f"{value[metric]:.2f}"

    def payback(metric: str) -> str:
        if not math.isnan(value[metric]):
            return f"year {int(value[metric])}"
        unit = rows.loc[metric, "unit"]
        if "not paid back" in unit:
            return "not within " + re.sub(r".*within the ", "", unit)
        return "money withdrawn" if "withdrawn" in unit else "nothing invested"

    both(
        "Cost avoided",
        _amount(value["cost_avoided_gbp_pv"], True),
        _amount(value["cash_cost_avoided_gbp_pv"], True),
    )
    invested = _amount(value["investment_gbp_pv"], True)
    label = f"Investment (+{100 * optimism_bias:g} % bias)" if optimism_bias else "Investment"
    both(label, invested, invested)
    both(
        "Net benefit",
        _amount(value["net_benefit_gbp_pv"], True),
        _amount(value["cash_net_benefit_gbp_pv"], True),
    )
    both(
        "  95 % interval",
        _interval(*rows.loc["net_benefit_gbp_pv", ["ci_low", "ci_high"]], money=True),
        _interval(*rows.loc["cash_net_benefit_gbp_pv", ["ci_low", "ci_high"]], money=True),
    )
    both("Benefit-cost ratio", ratio("bcr"), ratio("cash_bcr"))
    both("Payback", payback("payback_year"), payback("cash_payback_year"))

    def share(metric: str) -> str:
        return "-" if math.isnan(value[metric]) else f"{100 * value[metric]:.0f} %"

    both(
        "Probability of a net saving",
        share("probability_net_saving"),
        share("probability_cash_saving"),
    )
    per = value["gbp_per_lonely_person_year_averted"]
    if not math.isnan(per):
        lines.append(f"  {'£ per lonely person-year averted':<{w}}  {_amount(per, True):>24}")
    return lines


# --------------------------------------------------------------------------------------
# Wiring for thriving compare on results folders (scenario files: compare_files.py)
# --------------------------------------------------------------------------------------


def compare_folders(
    paths: Sequence[str | os.PathLike[str]],
    *,
    optimism_bias: float = 0.0,
    force: bool = False,
) -> Comparison:
    """Load results folders and compare them.

    See :func:`thriving.analysis.results.load_results` and :func:`compare`.
    """
    return compare(load_results(paths), optimism_bias=optimism_bias, force=force)


def default_comparison_file(folders: Sequence[str | os.PathLike[str]], out: str | None) -> Path:
    """Where comparison.csv goes for results folders.

    Into ``out`` when given; else into the one folder given; else (several folders) into
    ``compare-NAMES`` beside them (in the folder that holds them all), so that it lies
    next to its inputs and another comparison does not overwrite it.
    """
    if out is not None:
        return Path(out) / COMPARISON_FILE
    if len(folders) == 1:
        return Path(folders[0]) / COMPARISON_FILE
    paths = [Path(f).resolve() for f in folders]
    names = "-".join(p.name for p in paths)
    return Path(os.path.commonpath(paths)) / f"compare-{names}" / COMPARISON_FILE
