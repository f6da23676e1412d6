"""Which assumptions drive the answer: Morris and Sobol indices of a sampled sweep.

A sweep of an experiment with ``sample: {method: morris}`` or ``{method: sobol}`` runs
the model at every point of a design over the ranges of a few uncertain settings
(:mod:`thriving.config.experiment`). This module reads the results folder, puts one number on
each point (the *metric*, averaged over the replicates) and asks SALib how much of the
metric's movement each setting accounts for:

- **Morris** (elementary effects; Morris 1991, Campolongo et al. 2007): ``mu_star``, the
  mean absolute change in the metric when one setting moves by a step of the design,
  scaled to the setting's whole range; ``mu``, the same with signs (a ``mu`` much
  smaller than ``mu_star`` means the effect changes direction); ``sigma``, the spread of
  those changes (large when the effect depends on the other settings or is curved).
- **Sobol** (variance shares; Saltelli 2010, Jansen 1999): ``S1``, the share of the
  metric's variance across the design that the setting explains alone; ``ST``, its share
  including every interaction with the others.

The design matrix given to SALib is the one stored in the folder's manifest, exactly as
SALib sampled it (before whole-number settings were rounded), and each point is matched
to its runs by the values its scenario ran with, never by the row order of summary.csv.

The metric
----------
By default the paired ``net_benefit_gbp_pv`` of the first scenario that is not the
baseline. Any numeric column of summary.csv can be chosen: the paired columns
(``cost_avoided_gbp_pv``, ``net_benefit_gbp_pv``, ``bcr``) are taken as they are; for a
total (``gp_appointments_total``, ``service_cost_gbp_pv``, ...) the metric is the
*difference* of the scenario's run and its paired baseline run (same seed, same values
of the settings the baseline has), scenario minus baseline, since the question is what
the investment changes. Choosing the baseline itself as the scenario analyses its own
totals.

Replicate noise
---------------
The metric is averaged over the replicates of each point before the indices are
computed, so the noise left in that average is part of the indices: it adds to
``mu_star`` and ``sigma`` of every setting, and to every ``ST``. :func:`replicate_noise`
measures it (the spread between replicates at a point, against the spread of the point
averages across the design), and ``noise_level`` says how large an index a setting with
no effect at all would get from noise alone.
"""

from __future__ import annotations

import csv
import io
import math
import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from thriving.analysis.results import baseline_positions, read_manifest, read_summary_table
from thriving.config.errors import ThrivingError
from thriving.config.paramdoc import all_rows
from thriving.config.scenario import suggest_name
from thriving.metrics import NUMBER_WORDS, PAIRING_COLUMNS, RUN_COLUMNS, SUMMARY_PAIRED
from thriving.runs.store import ResultsFolder, atomic_write
from thriving.runs.sweep import format_cell

__all__ = [
    "CONF_LEVEL",
    "DEFAULT_METRIC",
    "METHODS",
    "Design",
    "Metric",
    "Noise",
    "SensitivityResult",
    "analyse_folder",
    "describe_parameter",
    "design_from_manifest",
    "format_amount",
    "morris_indices",
    "morris_noise_level",
    "replicate_noise",
    "report_text",
    "sobol_indices",
    "sobol_noise_level",
    "write_indices",
]

#: Sampling methods that have sensitivity indices.
METHODS = ("morris", "sobol")
#: The metric when none is chosen.
DEFAULT_METRIC = "net_benefit_gbp_pv"
#: Confidence level of the bootstrap intervals.
CONF_LEVEL = 0.95
#: Bootstrap resamples for the confidence intervals (cheap: indices are re-averaged only).
RESAMPLES = 1000
#: The file of indices written into the results folder.
INDICES_FILE = "sensitivity.csv"

#: Columns of summary.csv that already compare a run with its paired baseline run.
PAIRED_COLUMNS = SUMMARY_PAIRED
#: Columns of summary.csv that say who a run is (never a metric).
_IDENTITY_COLUMNS = (*RUN_COLUMNS, *PAIRING_COLUMNS)

#: Plain names of summary.csv's columns, inside a sentence.
METRIC_WORDS: dict[str, str] = NUMBER_WORDS

#: Columns of the indices file, by method (before ``noise_level``, ``metric``, ``scenario``).
INDEX_COLUMNS: dict[str, tuple[str, ...]] = {
    "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}

#: How to make a sweep the command can analyse (said in error messages).
HOW_TO_SAMPLE = (
    "give the experiment file a 'sample:' section with 'method: morris' (or sobol) and the "
    "ranges to explore, as experiments/sensitivity_morris.yaml does, then run thriving sweep"
)


# --------------------------------------------------------------------------------------
# The design, from the manifest
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """A Morris or Sobol design as the sweep ran it.

    Attributes
    ----------
    method : {"morris", "sobol"}
    names : tuple of str
        The sampled settings (dotted paths), in SALib's column order.
    bounds : (D, 2) float64 array
        Low and high end of each setting's range.
    matrix : (points, D) float64 array
        The design as SALib sampled it, one row per point, before rounding.
    points : tuple of dict
        The values each point ran with (whole-number settings rounded), by path.
    n : int
        Morris trajectories, or Sobol base samples.
    levels : int or None
        Morris grid levels.
    second_order : bool
        Whether a Sobol design was sampled for second-order indices.
    seed : int
        The experiment's seed (also seeds the bootstrap of the confidence intervals).
    replicates : int
        Runs (seeds) per point and scenario.
    labels : tuple of str
        Scenario labels, baseline first.
    experiment_file : str
        The experiment file as the sweep was given it.
    """

    method: str
    names: tuple[str, ...]
    bounds: np.ndarray
    matrix: np.ndarray
    points: tuple[dict[str, Any], ...]
    n: int
    levels: int | None
    second_order: bool
    seed: int
    replicates: int
    labels: tuple[str, ...]
    experiment_file: str

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem definition (a fresh dict: SALib adds keys to the one it gets)."""
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": self.bounds.tolist(),
        }

    @property
    def baseline(self) -> str:
        """Label of the baseline scenario."""
        return self.labels[0]

    def summary(self) -> str:
        """The design in words, e.g. ``Morris screening: 8 trajectories of 6 points``."""
        d, p = len(self.names), len(self.points)
        runs = f"{self.replicates} replicate{'s' * (self.replicates != 1)} each"
        if self.method == "morris":
            return (
                f"Morris screening of {d} assumptions: {self.n} trajectories of {d + 1} "
                f"points ({p} points, {self.levels} levels), {runs}"
            )
        return f"Sobol analysis of {d} assumptions: {self.n} base samples ({p} points), {runs}"


def design_from_manifest(manifest: Mapping[str, Any], where: str) -> Design:
    """The sampled design a sweep's manifest records.

    Parameters
    ----------
    manifest : mapping
        ``manifest.json`` of a sweep (:meth:`thriving.runs.store.ResultsFolder.read_manifest`).
    where : str
        The folder, for messages.

    Raises
    ------
    ThrivingError
        The sweep was not sampled with morris or sobol (the message says what it was and
        how to make one), or the manifest's design is damaged.
    """
    experiment = manifest.get("experiment")
    if not isinstance(experiment, Mapping) or "sample" not in experiment:
        raise ThrivingError(
            f"{where} is a sweep of a list of runs, not of an experiment file, so it has no "
            f"sampling design to analyse; {HOW_TO_SAMPLE}"
        )
    sample = experiment.get("sample")
    name = experiment.get("name", "?")
    if sample is None:
        how = "varies settings on a grid ('vary:')" if experiment.get("vary") else "varies nothing"
        raise ThrivingError(
            f"{where} is a sweep of the experiment {name!r}, which {how}; sensitivity "
            f"indices need a design sampled with morris or sobol: {HOW_TO_SAMPLE}"
        )
    method = sample.get("method")
    if method not in METHODS:
        raise ThrivingError(
            f"{where} is a sweep of the experiment {name!r}, sampled with {method}; "
            f"sensitivity indices need a design sampled with morris or sobol (a {method} "
            f"design suits other analyses): {HOW_TO_SAMPLE}"
        )
    try:
        problem = sample["problem"]
        names = tuple(str(p) for p in problem["names"])
        bounds = np.array(problem["bounds"], dtype=np.float64).reshape(len(names), 2)
        matrix = np.array(sample["matrix"], dtype=np.float64)
        points = tuple(dict(p) for p in experiment["points"])
        labels = tuple(str(label) for label in experiment["labels"])
        design = Design(
            method=method,
            names=names,
            bounds=bounds,
            matrix=matrix,
            points=points,
            n=int(sample["n"]),
            levels=int(sample["levels"]) if method == "morris" else None,
            second_order=bool(sample.get("second_order")),
            seed=int(experiment["seed"]),
            replicates=int(experiment["replicates"]),
            labels=labels,
            experiment_file=str(experiment.get("file", "EXPERIMENT.yaml")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ThrivingError(
            f"the manifest of {where} does not hold a whole sampling design ({exc!s}); "
            "was it edited? Run the sweep again into a new folder"
        ) from None
    d = len(names)
    rows = (
        design.n * (d + 1)
        if method == "morris"
        else design.n * (2 * d + 2 if design.second_order else d + 2)
    )
    if matrix.shape != (rows, d) or len(points) != rows or not labels:
        raise ThrivingError(
            f"the manifest of {where} holds a {method} design of {matrix.shape[0]} rows and "
            f"{len(points)} points where {rows} were expected; was it edited? Run the sweep "
            "again into a new folder"
        )
    return design


# --------------------------------------------------------------------------------------
# The indices (pure functions)
# --------------------------------------------------------------------------------------


def morris_indices(
    problem: Mapping[str, Any],
    matrix: np.ndarray,
    outcome: np.ndarray,
    levels: int,
    seed: int,
) -> pd.DataFrame:
    """Morris elementary-effect indices, ranked.

    Parameters
    ----------
    problem : mapping
        SALib problem (``num_vars``, ``names``, ``bounds``).
    matrix : (points, D) float64 array
        The design exactly as :func:`SALib.sample.morris.sample` made it.
    outcome : (points,) float64 array
        The metric at each point, in the rows' order.
    levels : int
        Grid levels the design was sampled on.
    seed : int
        Seeds the bootstrap of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per setting, most influential first: ``parameter, mu_star,
        mu_star_conf, mu, sigma, rank`` (rank 1 = largest ``mu_star``). ``mu_star``,
        ``mu`` and ``sigma`` are in the metric's units, per whole range of the setting
        (SALib divides each change by the step as a share of the range);
        ``mu_star_conf`` is the half-width of the bootstrap interval.

    Examples
    --------
    >>> from SALib.sample import morris as sample
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 10]]}
    >>> x = sample.sample(dict(problem), 10, num_levels=4, seed=1)
    >>> table = morris_indices(problem, x, 3 * x[:, 0], levels=4, seed=1)
    >>> table[["parameter", "mu_star", "rank"]].round(6).values.tolist()
    [['a', 3.0, 1], ['b', 0.0, 2]]
    """
    result = morris.analyze(
        dict(problem),
        np.asarray(matrix, dtype=np.float64),
        np.asarray(outcome, dtype=np.float64),
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        num_levels=levels,
        seed=seed,
    )
    return _ranked(_index_table(problem, result, MORRIS_COLUMNS), "mu_star")


def sobol_indices(
    problem: Mapping[str, Any],
    outcome: np.ndarray,
    second_order: bool,
    seed: int,
) -> pd.DataFrame:
    """Sobol first-order and total indices, ranked.

    Parameters
    ----------
    problem : mapping
        SALib problem (``num_vars``, ``names``, ``bounds``).
    outcome : (points,) float64 array
        The metric at each point of a design made by :func:`SALib.sample.sobol.sample`,
        in its rows' order.
    second_order : bool
        Whether the design was sampled for second-order indices (its layout differs).
    seed : int
        Seeds the bootstrap of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per setting, most influential first: ``parameter, S1, S1_conf, ST,
        ST_conf, rank`` (rank 1 = largest ``ST``). Indices are shares of the variance of
        the metric across the design (0 to 1, up to estimation error, which can make
        them slightly negative or above 1 with a small ``n``); ``*_conf`` are the
        half-widths of the bootstrap intervals.

    Examples
    --------
    >>> from SALib.sample import sobol as sample
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> x = sample.sample(dict(problem), 256, calc_second_order=False, seed=1)
    >>> table = sobol_indices(problem, x[:, 1], second_order=False, seed=1)
    >>> table[["parameter", "S1", "ST", "rank"]].round(6).values.tolist()
    [['b', 1.0, 1.0, 1], ['a', 0.0, 0.0, 2]]
    """
    result = sobol.analyze(
        dict(problem),
        np.asarray(outcome, dtype=np.float64),
        calc_second_order=second_order,
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        seed=seed,
    )
    return _ranked(_index_table(problem, result, SOBOL_COLUMNS), "ST")


#: SALib's result keys kept in the Morris and Sobol tables, in column order.
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "mu", "sigma")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def _index_table(problem: Mapping[str, Any], result: Mapping[str, Any], columns) -> pd.DataFrame:
    """One row per parameter: its name and SALib's ``columns`` as float64."""
    table = {"parameter": list(problem["names"])}
    for column in columns:
        table[column] = np.asarray(result[column], dtype=np.float64)
    return pd.DataFrame(table)


def _ranked(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rank 1 for the largest ``by`` (ties share the better rank); sorted by rank."""
    table["rank"] = table[by].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["rank", "parameter"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Noise:
    """How much of the metric's movement across the design is replicate noise.

    Attributes
    ----------
    replicates : int
        Runs averaged at each point.
    sd : float or None
        Standard deviation of the metric between replicates at one point (pooled over
        the points); None with one replicate (it cannot be measured).
    spread : float
        Standard deviation of the point averages across the design.
    level : (D,) float64 array or None
        The index each setting would get from the noise alone (Morris:
        :func:`morris_noise_level`; Sobol: :func:`sobol_noise_level`), in the design's
        column order; None with one replicate.
    """

    replicates: int
    sd: float | None
    spread: float
    level: np.ndarray | None = None

    @property
    def sd_of_mean(self) -> float | None:
        """Noise left in a point's average over the replicates: ``sd / sqrt(replicates)``."""
        return None if self.sd is None else self.sd / math.sqrt(self.replicates)

    @property
    def share(self) -> float | None:
        """Noise of a point's average as a share of the spread across points (0 = none)."""
        if self.sd_of_mean is None or self.spread == 0:
            return None
        return self.sd_of_mean / self.spread


def replicate_noise(values: np.ndarray) -> tuple[float | None, float]:
    """Between-replicate sd at a point, and the spread of point averages.

    Parameters
    ----------
    values : (points, replicates) float64 array
        The metric of each replicate at each point.

    Returns
    -------
    sd : float or None
        Pooled within-point standard deviation (the square root of the mean of the
        points' variances, ``ddof=1``); None with one replicate.
    spread : float
        Standard deviation (``ddof=1``) of the point averages.

    Examples
    --------
    >>> replicate_noise(np.array([[0.0, 2.0], [10.0, 12.0], [20.0, 22.0]]))
    (1.4142135623730951, 10.0)
    """
    values = np.asarray(values, dtype=np.float64)
    means = values.mean(axis=1)
    spread = float(np.std(means, ddof=1)) if len(means) > 1 else 0.0
    if values.shape[1] < 2:
        return None, spread
    sd = float(np.sqrt(np.mean(np.var(values, axis=1, ddof=1))))
    return sd, spread


def morris_noise_level(matrix: np.ndarray, values: np.ndarray, levels: int) -> np.ndarray | None:
    """The ``mu_star`` each setting would get from replicate noise alone.

    Each elementary effect is worked out for each replicate on its own (the two ends of
    a step ran with the same seed, so the noise they share cancels, as it does in the
    averages). The variance between replicates of a setting's effects, pooled over its
    steps and divided by the replicates, is the noise left in its averaged effects; the
    absolute value of normal noise with that sd averages ``sqrt(2 / pi)`` times it. A
    ``mu_star`` well above it is not noise.

    Parameters
    ----------
    matrix : (points, D) float64 array
        The Morris design, trajectories of ``D + 1`` rows changing one setting a row.
    values : (points, replicates) float64 array
        The metric of each replicate at each point.
    levels : int
        Grid levels (the step is ``levels / (2 (levels - 1))`` of a range, as in SALib).

    Returns
    -------
    (D,) float64 array or None
        In the metric's units, in the matrix's column order; None with one replicate.

    Examples
    --------
    One trajectory: the first step's effect is +0.5 in one replicate and -0.5 in the
    other (sd 1/sqrt(2), 1/2 for their average); the second step has no noise:

    >>> matrix = np.array([[0.0, 0.0], [2 / 3, 0.0], [2 / 3, 2 / 3]])
    >>> values = np.array([[0.0, 0.0], [1 / 3, -1 / 3], [1 / 3, -1 / 3]])
    >>> morris_noise_level(matrix, values, levels=4).round(6)  # sqrt(2/pi) / 2, 0
    array([0.398942, 0.      ])
    """
    values = np.asarray(values, dtype=np.float64)
    points, replicates = values.shape
    if replicates < 2:
        return None
    d = matrix.shape[1]
    trajectories = points // (d + 1)
    steps_x = np.diff(np.asarray(matrix).reshape(trajectories, d + 1, d), axis=1)
    steps_y = np.diff(values.reshape(trajectories, d + 1, replicates), axis=1)
    moved = np.abs(steps_x).argmax(axis=2)  # the one setting each step changes
    # Each replicate's effect (sign and step size do not change a variance, but keep
    # the units those of mu_star: a change per whole range).
    step = levels / (2.0 * (levels - 1))
    between = np.var(steps_y / step, axis=2, ddof=1)  # (trajectories, D) steps
    level = np.zeros(d)
    for k in range(d):
        noise_var = float(between[moved == k].mean()) / replicates
        level[k] = math.sqrt(2.0 / math.pi) * math.sqrt(noise_var)
    return level


def sobol_noise_level(values: np.ndarray, d: int, second_order: bool) -> np.ndarray | None:
    """The ``ST`` each setting would get from replicate noise alone.

    The total-effect estimator (Jansen) averages squared differences between the
    metric at a base point and at the point with one setting taken from the other
    base sample, over twice the variance; noise of variance ``v`` in those differences
    adds ``v / (2 V)`` to the setting's ``ST``. ``v`` is measured replicate by replicate
    (the two points ran with the same seed) and divided by the replicates. ``S1`` gets
    no such floor: its noise averages out.

    Parameters
    ----------
    values : (points, replicates) float64 array
        The metric of each replicate at each point of a Saltelli design (SALib's layout:
        blocks of ``A, AB_1 .. AB_D, [BA_1 .. BA_D,] B``).
    d : int
        Sampled settings.
    second_order : bool
        Whether the design has the ``BA`` rows.

    Returns
    -------
    (D,) float64 array or None
        Shares of variance; None with one replicate.

    Examples
    --------
    Blocks A, AB_1, B, twice. A - AB_1 is -1 and +1 in the two replicates (variance 2,
    1 for their average); the averages of A and B (1, 4, 1, 4) have variance 2.25:

    >>> values = np.array([[0.0, 2.0], [1.0, 1.0], [4.0, 4.0]] * 2)
    >>> sobol_noise_level(values, d=1, second_order=False).round(6)  # 1 / (2 * 2.25)
    array([0.222222])
    """
    values = np.asarray(values, dtype=np.float64)
    points, replicates = values.shape
    if replicates < 2:
        return None
    size = 2 * d + 2 if second_order else d + 2
    blocks = values.reshape(points // size, size, replicates)
    differences = blocks[:, :1, :] - blocks[:, 1 : d + 1, :]  # (base samples, D, reps)
    noise_var = np.var(differences, axis=2, ddof=1).mean(axis=0) / replicates
    means = blocks.mean(axis=2)
    variance = float(np.var(np.concatenate([means[:, 0], means[:, -1]])))
    if variance == 0:
        return None
    return noise_var / (2.0 * variance)


# --------------------------------------------------------------------------------------
# The metric, from summary.csv
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """What is measured at each point.

    Attributes
    ----------
    column : str
        The summary.csv column.
    scenario : str
        The scenario whose runs are measured.
    baseline : str
        The baseline scenario's label.
    difference : bool
        True when the metric is the scenario's value minus its paired baseline run's.
    """

    column: str
    scenario: str
    baseline: str
    difference: bool

    @property
    def words(self) -> str:
        """The column in plain words (``net benefit``)."""
        return METRIC_WORDS.get(self.column, self.column.replace("_", " "))

    @property
    def is_money(self) -> bool:
        """Whether the metric is £ (present values)."""
        return self.column.endswith(("_gbp_pv", "_gbp"))

    @property
    def unit(self) -> str:
        """Unit in words, for axis labels and tables."""
        if self.is_money:
            return "£, present value" if self.column.endswith("_pv") else "£"
        if self.column == "bcr":
            return "£ avoided per £ invested"
        return self.words

    @property
    def scenario_words(self) -> str:
        """The scenario's label in words (``social prescribing``)."""
        return self.scenario.replace("_", " ")

    @property
    def short(self) -> str:
        """What each point's number is, briefly.

        ``net benefit``; ``change in GP appointments`` (a difference from the baseline);
        ``GP appointments`` (the baseline's own).
        """
        return f"change in {self.words}" if self.difference else self.words

    @property
    def quantity(self) -> str:
        """What each point's number is, in words.

        ``net benefit of social prescribing``, ``change in GP appointments under social
        prescribing`` (a difference from the baseline), ``GP appointments in the
        baseline``.
        """
        if self.scenario == self.baseline:
            return f"{self.words} in the {self.scenario_words}"
        if self.difference:
            return f"change in {self.words} under {self.scenario_words}"
        return f"{self.words} of {self.scenario_words}"

    @property
    def question(self) -> str:
        """The question a picture of the indices answers."""
        if self.scenario == self.baseline:
            return f"Which assumptions drive {self.quantity}?"
        return f"Which assumptions drive the {self.quantity}?"


def metric_choices(summary: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """Columns of summary.csv that can be a metric: numeric, not who a run is, not varied."""
    skip = {*_IDENTITY_COLUMNS, *names}
    return [
        c
        for c in summary.columns
        if c not in skip and pd.api.types.is_numeric_dtype(summary[c].dtype)
    ]


def choose_metric(
    summary: pd.DataFrame, design: Design, metric: str | None, scenario: str | None
) -> Metric:
    """Check the metric and scenario asked for; the defaults when not given."""
    others = [label for label in design.labels if label != design.baseline]
    if scenario is None:
        scenario = others[0] if others else design.baseline
    elif scenario not in design.labels:
        guess = suggest_name(scenario, design.labels)
        hint = f"did you mean {guess!r}? " if guess else ""
        raise ThrivingError(
            f"unknown scenario {scenario!r}; {hint}this sweep has: {', '.join(design.labels)}"
        )
    choices = metric_choices(summary, design.names)
    if scenario == design.baseline:
        choices = [c for c in choices if c not in PAIRED_COLUMNS]
    if metric is None:
        if scenario == design.baseline:
            raise ThrivingError(
                f"the baseline {scenario!r} has no net benefit (it is what the others are "
                f"compared with); choose a total with --metric, one of: {', '.join(choices)}"
            )
        metric = DEFAULT_METRIC
    if metric not in choices:
        guess = suggest_name(metric, choices)
        hint = f"did you mean {guess!r}? " if guess else ""
        if metric in PAIRED_COLUMNS and scenario == design.baseline:
            why = f"{metric} compares a scenario with the baseline, so the baseline has none"
        else:
            why = f"unknown metric {metric!r}"
        raise ThrivingError(
            f"{why}; {hint}choose one of the numeric columns of summary.csv: {', '.join(choices)}"
        )
    difference = scenario != design.baseline and metric not in PAIRED_COLUMNS
    return Metric(metric, scenario, design.baseline, difference)


def _key(value: Any) -> Any:
    """A setting's value as a lookup key: floats to 12 significant digits.

    So a value read back from CSV text matches the manifest's even if a digit differs.
    """
    if value is None:
        return None
    if isinstance(value, bool | str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return None
    return float(f"{number:.12g}")


def point_values(summary: pd.DataFrame, design: Design, metric: Metric) -> np.ndarray:
    """The metric of every replicate at every point of the design.

    Each point's run is found by its scenario, replicate and the values of the sampled
    settings its scenario has (a scenario lacking a setting leaves its column empty);
    a difference metric subtracts the value of the row's paired baseline run.

    Returns
    -------
    (points, replicates) float64 array
        NaN where the run (or its paired baseline run) has not finished, or the
        column is empty (a ``bcr`` with no investment).
    """
    missing = [name for name in design.names if name not in summary.columns]
    if missing:
        raise ThrivingError(
            f"summary.csv has no column for the sampled setting {missing[0]}; was it "
            "edited? Run thriving sweep again to rebuild it"
        )
    rows = summary[summary["scenario"].astype(str) == metric.scenario]
    has = [name for name in design.names if rows[name].notna().any()]
    lookup: dict[tuple[Any, ...], int] = {}
    for position, (replicate, *settings) in enumerate(
        zip(rows["replicate"], *(rows[name] for name in has), strict=True)
    ):
        lookup.setdefault((int(replicate), *map(_key, settings)), position)
    values = rows[metric.column].to_numpy(dtype=np.float64, na_value=np.nan)
    if metric.difference:
        # Ids as text on both sides: an empty baseline_run_id (NaN) matches no run.
        positions = baseline_positions(
            summary["run_id"].astype(str).tolist(), [str(run) for run in rows["baseline_run_id"]]
        )
        column = summary[metric.column].to_numpy(dtype=np.float64, na_value=np.nan)
        baseline = np.where(positions >= 0, column[positions], np.nan)
        values = values - baseline
    out = np.full((len(design.points), design.replicates), np.nan)
    for i, point in enumerate(design.points):
        settings = tuple(_key(point.get(name)) for name in has)
        for r in range(design.replicates):
            position = lookup.get((r, *settings))
            if position is not None:
                out[i, r] = values[position]
    return out


# --------------------------------------------------------------------------------------
# The whole analysis of a folder
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityResult:
    """The indices of one metric of a sampled sweep, with what they are about.

    Attributes
    ----------
    folder : Path
        The results folder.
    design : Design
    metric : Metric
    indices : pandas.DataFrame
        :func:`morris_indices` or :func:`sobol_indices`, most influential first.
    values : (points, replicates) float64 array
        The metric of every run used.
    noise : Noise
    descriptions : dict
        Each setting's plain-English description, by dotted path.
    """

    folder: Path
    design: Design
    metric: Metric
    indices: pd.DataFrame
    values: np.ndarray
    noise: Noise
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """``morris`` or ``sobol``."""
        return self.design.method

    @property
    def picture_name(self) -> str:
        """File name (without extension) of the picture in ``plots/``."""
        return f"sensitivity_{self.metric.column}"


def analyse_folder(
    folder: str | os.PathLike[str],
    metric: str | None = None,
    scenario: str | None = None,
) -> SensitivityResult:
    """Sensitivity indices of a Morris or Sobol sweep's results folder.

    Parameters
    ----------
    folder : path
        A results folder written by ``thriving sweep``.
    metric : str, optional
        A numeric column of summary.csv; ``net_benefit_gbp_pv`` when not given.
    scenario : str, optional
        The scenario measured; the first one that is not the baseline when not given.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ThrivingError
        The folder is not a sweep, or not of a morris/sobol design; runs the design needs
        have not finished; the metric or scenario is unknown; the metric does not change
        across the design.
    """
    results = ResultsFolder(folder)  # only its path, until it is known to be a sweep
    where = os.fspath(results.path)
    if not results.path.is_dir():
        raise ThrivingError(f"{where} is not a folder")
    if (results.path / "summary.json").exists() and (results.path / "timeseries.csv").exists():
        raise ThrivingError(
            f"{where} holds a single run (from thriving run), not a sweep; sensitivity "
            f"needs the results folder of a sweep: {HOW_TO_SAMPLE}"
        )
    results, manifest = read_manifest(folder)
    design = design_from_manifest(manifest, where)
    # Numbers as numbers; settings are matched to 12 digits (see _key).
    summary = read_summary_table(results)
    chosen = choose_metric(summary, design, metric, scenario)
    values = point_values(summary, design, chosen)
    _check_finished(values, manifest, design, chosen, where)
    outcome = values.mean(axis=1)
    if not np.all(np.isfinite(outcome)):
        raise ThrivingError(f"{chosen.column} is not a finite number at every point of {where}")
    sd, spread = replicate_noise(values)
    if spread == 0:
        raise ThrivingError(
            f"the {chosen.quantity} is {format_amount(outcome[0], chosen.is_money)} at every "
            "point of the design: none of the sampled assumptions changes it, so there is "
            "nothing to rank; choose another --metric or --scenario"
        )
    if design.method == "morris":
        levels = design.levels or 4
        indices = morris_indices(design.problem, design.matrix, outcome, levels, design.seed)
        level = morris_noise_level(design.matrix, values, levels)
    else:
        indices = sobol_indices(design.problem, outcome, design.second_order, design.seed)
        level = sobol_noise_level(values, len(design.names), design.second_order)
    by_name = dict(zip(design.names, level if level is not None else [], strict=False))
    indices["noise_level"] = [by_name.get(p, math.nan) for p in indices["parameter"]]
    noise = Noise(design.replicates, sd, spread, level)
    descriptions = {name: describe_parameter(name) for name in design.names}
    return SensitivityResult(results.path, design, chosen, indices, values, noise, descriptions)


def _check_finished(
    values: np.ndarray,
    manifest: Mapping[str, Any],
    design: Design,
    metric: Metric,
    where: str,
) -> None:
    """Refuse to compute indices with holes in the design, saying how to fill them."""
    holes = int(np.isnan(values).sum())
    if not holes:
        return
    command = f"thriving sweep {design.experiment_file} --out {where}"
    counts = manifest.get("counts") or {}
    pending, failed = int(counts.get("pending", 0)), int(counts.get("failed", 0))
    total = sum(int(v) for v in counts.values()) or int(
        manifest.get("experiment", {}).get("n_runs", 0)
    )
    if pending or failed:
        parts = [f"{pending} not run yet"] if pending else []
        parts += [f"{failed} failed"] if failed else []
        raise ThrivingError(
            f"{pending + failed} of {total} runs of {where} are not finished "
            f"({', '.join(parts)}), so {holes} of the {values.size} results the design needs "
            f"are missing; finish the sweep first with: {command} (it runs only what is "
            "missing)"
        )
    if metric.column == "bcr":
        raise ThrivingError(
            f"bcr is empty for {holes} of the {values.size} runs the design needs (no "
            "investment, so no ratio); choose another --metric, such as net_benefit_gbp_pv"
        )
    raise ThrivingError(
        f"summary.csv of {where} lacks {holes} of the {values.size} results the design "
        f"needs ({metric.column} of {metric.scenario}); rebuild it with: {command}"
    )


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------


#: Sections of the scenario named in words where their key is not plain English.
SECTION_WORDS = {
    "gp": "GP",
    "ae": "A&E",
    "admissions": "Emergency admissions",
    "social_care": "Adult social care",
    "mental_health": "Talking therapies",
    "network": "Social ties",
    "groups": "Community groups",
    "cash_releasing": "Cash released",
}


def describe_parameter(path: str) -> str:
    """A setting in plain words, from the scenario schema: ``Section: what it is``.

    The section (an investment's lever, a service, ``Loneliness``...) then the first
    sentence (or clause) of the field's description. The dotted path itself when the
    schema does not describe it.

    Examples
    --------
    >>> describe_parameter("services.gp.escalation_to_ae")
    "GP: unmet primary-care demand that turns up at A&E ('failure demand')"
    >>> describe_parameter("loneliness.contagion_strength")
    'Loneliness: strength of loneliness spreading through ties'
    >>> describe_parameter("investments.social_prescribing.budget_per_year")
    'Social prescribing: ...'
    """
    rows = {row.path: row for row in all_rows()}
    segments = path.split(".")
    row = rows.get(path)
    if segments[0] == "investments" and len(segments) > 2:
        row = row or rows.get(".".join(["investments", "<lever>", *segments[2:]]))
        section = segments[1]
    else:
        section = segments[-2] if len(segments) > 1 else ""
    text = _first_clause((row.field.description or "") if row is not None else "")
    if not text:
        return path
    if not section:
        return text
    if len(text) > 1 and text[1].islower():  # not an acronym such as "GP"
        text = text[0].lower() + text[1:]
    words = SECTION_WORDS.get(section, section.replace("_", " ").capitalize())
    return f"{words}: {text}"


def _first_clause(text: str) -> str:
    """The first sentence of a description, cut at a semicolon, without its full stop.

    Stops inside brackets do not count.

    Examples
    --------
    >>> _first_clause("Shift per tie (the ones one is close to; not all). More; less.")
    'Shift per tie (the ones one is close to; not all)'
    """
    text = " ".join(text.split())
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in ".;" and text[i + 1 : i + 2] in (" ", ""):
            text = text[:i]
            break
    return text.strip()


def format_amount(value: float, money: bool, signed: bool = False) -> str:
    """A number for people: £1.23m, £456k, £1,234; counts with separators.

    Examples
    --------
    >>> format_amount(1234567, money=True), format_amount(-45600, money=True, signed=True)
    ('£1.23m', '-£45.6k')
    >>> format_amount(0.1234, money=False), format_amount(12345.6, money=False)
    ('0.123', '12,346')
    """
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    size = abs(value)
    unit = "£" if money else ""
    if money and size >= 1e9:
        return f"{sign}{unit}{size / 1e9:.3g}bn"
    if money and size >= 1e6:
        return f"{sign}{unit}{size / 1e6:.3g}m"
    if money and size >= 1e4:
        return f"{sign}{unit}{size / 1e3:.3g}k"
    if size >= 100:
        return f"{sign}{unit}{size:,.0f}"
    if size == 0:
        return f"{unit}0"
    return f"{sign}{unit}{size:.3g}"


def report_text(result: SensitivityResult, written: Sequence[os.PathLike[str] | str] = ()) -> str:
    """The ranked table in plain English, with how to read it and the noise.

    Parameters
    ----------
    result : SensitivityResult
    written : sequence of path
        Files written, listed at the end.
    """
    design, metric = result.design, result.metric
    money = metric.is_money
    lines = [
        metric.question,
        f"{design.summary()}.",
        f"Each point's number is the {metric.quantity} ({metric.column}"
        + (f", {metric.scenario} minus its paired baseline run" if metric.difference else "")
        + f"), averaged over {design.replicates} replicate{'s' * (design.replicates != 1)}.",
        "",
    ]
    if design.method == "morris":
        heads = ("mu*", "± 95%", "mu", "sigma", "noise")
        cells = [
            (
                format_amount(row.mu_star, money),
                format_amount(row.mu_star_conf, money),
                format_amount(row.mu, money, signed=True),
                format_amount(row.sigma, money),
                format_amount(row.noise_level, money),
            )
            for row in result.indices.itertuples()
        ]
    else:
        heads = ("S1", "± 95%", "ST", "± 95%", "noise")
        cells = [
            (
                f"{row.S1:.2f}",
                f"{row.S1_conf:.2f}",
                f"{row.ST:.2f}",
                f"{row.ST_conf:.2f}",
                f"{row.noise_level:.2f}" if math.isfinite(row.noise_level) else "n/a",
            )
            for row in result.indices.itertuples()
        ]
    names = [result.descriptions.get(p, p) for p in result.indices["parameter"]]
    wrapped = [textwrap.wrap(n, 56) or [""] for n in names]
    name_width = max(
        [len("assumption")]
        + [len(line) for w in wrapped for line in w]
        + [len(p) + 2 for p in result.indices["parameter"]]
    )
    widths = [max(len(h), *(len(c[k]) for c in cells)) for k, h in enumerate(heads)]
    head = "  ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
    lines.append(f"  rank  {'assumption':<{name_width}}  {head}")
    for row, wrap, cell in zip(result.indices.itertuples(), wrapped, cells, strict=True):
        numbers = "  ".join(f"{c:>{w}}" for c, w in zip(cell, widths, strict=True))
        lines.append(f"  {row.rank:>4}  {wrap[0]:<{name_width}}  {numbers}")
        for extra in wrap[1:]:
            lines.append(f"        {extra}")
        low, high = design.bounds[design.names.index(row.parameter)]
        lines.append(
            f"        {'  ' + row.parameter:<{name_width}}  "
            f"(range {format_amount(low, False)} to {format_amount(high, False)})"
        )
    lines.append("")
    if design.method == "morris":
        lines += textwrap.wrap(
            f"How to read it: mu* is how much the {metric.short} typically moves when the "
            "assumption goes from the low to the high end of its range (in "
            f"{metric.unit}); the larger it is, the more the answer depends on it. mu is the "
            "same with signs (+ raises it; near 0 with a large mu* means the effect changes "
            "direction); sigma large against mu* means the effect depends on the other "
            "assumptions or is not a straight line. Morris ranks; it does not measure "
            "precisely.",
            88,
        )
    else:
        lines += textwrap.wrap(
            f"How to read it: S1 is the share of the variation of the {metric.short} across "
            "the design that the assumption explains on its own; ST the share it explains "
            "with its interactions (ST well above S1: it matters through the others). An "
            "assumption with ST near 0 can be fixed anywhere in its range.",
            88,
        )
    lines.append("")
    lines += textwrap.wrap(_noise_words(result), 88)
    if written:
        lines.append("")
        lines += [f"Wrote {os.fspath(p)}" for p in written]
    return "\n".join(lines) + "\n"


def _noise_words(result: SensitivityResult) -> str:
    """The replicate-noise caveat in words, with its numbers."""
    design, metric, noise = result.design, result.metric, result.noise
    money = metric.is_money
    if noise.sd is None:
        return (
            "Replicate noise: with 1 replicate per point the noise of each run cannot be "
            "measured, and it is part of every index; run the experiment with replicates: 2 "
            "or more to see how much of the ranking is above the noise."
        )
    text = (
        f"Replicate noise: between replicates at a point the {metric.short} varies by "
        f"{format_amount(noise.sd, money)} (standard deviation), so the average of "
        f"{design.replicates} carries about {format_amount(noise.sd_of_mean, money)} of "
        f"noise, against a spread of {format_amount(noise.spread, money)} across the design "
        f"({noise.share:.0%}). "
    )
    index = "mu_star" if design.method == "morris" else "ST"
    words = "mu*" if design.method == "morris" else "ST"
    if design.method == "morris":
        text += (
            "The noise column is the mu* an assumption would show from that noise alone, "
            "measured from how much each step's effect differs between replicates (which "
            "share their seeds); "
        )
    else:
        text += (
            "The noise column is how much that noise adds to the assumption's ST (S1 is "
            "not raised by it), measured from how much each pair of points differs between "
            "replicates (which share their seeds); "
        )
    table = result.indices
    margin = table[index] - table[f"{index}_conf"]
    clear = table["rank"][margin > table["noise_level"]].tolist()
    total = len(table)
    if len(clear) == total:
        text += f"all {total} assumptions stand clearly above it ({words} less its 95% margin)."
    elif not clear:
        text += (
            f"no assumption stands clearly above it ({words} less its 95% margin), so the "
            "ranking may be noise: add replicates or residents."
        )
    else:
        ranks = ", ".join(str(r) for r in clear[:-1])
        ranks = f"{ranks} and {clear[-1]}" if ranks else str(clear[-1])
        text += (
            f"{len(clear)} of {total} stand clearly above it ({words} less its 95% margin): "
            f"rank{'s' * (len(clear) > 1)} {ranks}. Rank the others with care, or add "
            "replicates or residents to separate them."
        )
    return text


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def indices_table(result: SensitivityResult) -> pd.DataFrame:
    """The table written to sensitivity.csv.

    Columns: ``parameter, description``, the method's indices (Morris: ``mu_star,
    mu_star_conf, mu, sigma``; Sobol: ``S1, S1_conf, ST, ST_conf``), ``rank``,
    ``noise_level`` (the index a setting with no effect would get from replicate
    noise; empty with one replicate), ``metric``, ``scenario``.
    """
    table = result.indices.copy()
    table.insert(1, "description", [result.descriptions.get(p, p) for p in table["parameter"]])
    table = table[
        ["parameter", "description", *INDEX_COLUMNS[result.method], "rank", "noise_level"]
    ]
    table["metric"] = result.metric.column
    table["scenario"] = result.metric.scenario
    return table


def write_indices(result: SensitivityResult) -> Path:
    """Write ``sensitivity.csv`` into the results folder, atomically; return its path.

    Each call replaces the file (its ``metric`` and ``scenario`` columns say which it
    holds). Floats are written in full precision.
    """
    table = indices_table(result)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.itertuples(index=False):
        writer.writerow([format_cell(v.item() if isinstance(v, np.generic) else v) for v in row])
    data = text.getvalue().encode("utf-8")
    path = result.folder / INDICES_FILE
    try:
        atomic_write(path, lambda handle: handle.write(data))
    except PermissionError as exc:
        raise ThrivingError(
            f"cannot write {path}: {exc.strerror or exc} (is it open in Excel? Close it and "
            "run the same command again)"
        ) from None
    return path
