"""Before and after referral, against the counterfactual: what evaluations measure.

A typical evaluation of social prescribing compares the GP appointments of the people
referred before their referral with after it. GPs refer people when their use is
unusually high, and unusually high use tends to fall back on its own (regression to
the mean), so part of the fall would have happened anyway. Thriving can show both
numbers, because each referred resident has a paired self in the baseline run: the
same slot, same person, same chance events, without social prescribing (common random
numbers; :mod:`thriving.sim.cohort`).

For each social-prescribing scenario of a sweep and each pair of runs (the scenario's
run and its paired baseline run), the residents who took up a referral are followed
quarter by quarter around the quarter of their referral, and compared over two
windows (:data:`WINDOWS`):

``year``
    the 4 quarters before the referral quarter against the 4 quarters after it: the
    usual design of a before-and-after evaluation;
``quarter``
    the quarter before the referral quarter against the quarter after it: a short
    follow-up.

The referral quarter itself is left out of both sides: it holds weeks before and after
the referral, and counting it on either side would mix the two. (An evaluation aligned
on the referral date counts the weeks just before the referral, when use is highest,
as 'before'; leaving them out makes the figures here, if anything, understate the part
that would have happened anyway.) Only complete cases are kept: residents who held
their slot throughout the window and the referral quarter in both runs (not those who
died or moved away in either run), and whose quarters fall within the tracked run
(from the last year of burn-in to the end). A resident referred more than once is
followed from the first referral.

Per pair, the means over the residents followed; per scenario, the mean over the pairs
with a 95 % t-interval (the runs are the replicates). The gap between the change an
uncontrolled evaluation reports (after minus before) and the effect of social
prescribing (after with it minus after without it, for the same residents) is the
change that would have happened anyway: regression to the mean, plus ageing, the
progression of need and any change in the borough over the window.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thriving.analysis.comparison import mean_interval
from thriving.analysis.results import (
    baseline_positions,
    read_manifest,
    read_summary_table,
    varied_columns,
)
from thriving.analysis.series import (
    point_text,  # the varied values in words, as the plots say them
)
from thriving.config.errors import ThrivingError
from thriving.runs.store import ResultsFolder, atomic_write_text
from thriving.sim.cohort import QUARTER_WEEKS, GPQuarters, quarter_of_week

#: The comparisons made: name, quarters on each side of the referral quarter, in words.
WINDOWS: dict[str, tuple[int, str]] = {
    "year": (4, "the year before the referral quarter against the year after it"),
    "quarter": (1, "the quarter before the referral quarter against the quarter after it"),
}

#: The window whose residents are followed quarter by quarter (the picture's lines).
PROFILE_WINDOW = "year"

#: Quarters followed on each side of the referral quarter in the picture.
QUARTERS_EACH_SIDE = WINDOWS[PROFILE_WINDOW][0]

#: Quarters relative to the referral quarter, as in the picture and the CSV.
RELATIVE_QUARTERS = tuple(range(-QUARTERS_EACH_SIDE, QUARTERS_EACH_SIDE + 1))

#: Files written into the sweep's folder.
MEASURES_FILE = "before_after.csv"
QUARTERS_FILE = "before_after_quarters.csv"

#: Unit of GP use throughout.
GP_UNIT = "GP appointments per person per year"

#: The measures of ``before_after.csv``: name, unit, what it is.
MEASURES: tuple[tuple[str, str, str], ...] = (
    (
        "residents_referred",
        "residents per run",
        "Residents who took up a referral to a link worker (each counted once)",
    ),
    (
        "residents_followed",
        "residents per run",
        "Referred residents followed before and after their referral quarter, in both "
        "runs (complete cases)",
    ),
    (
        "left_out_outside_run",
        "residents per run",
        "Left out: referred too late in the run to be followed after referral (or too "
        "early to be followed before it)",
    ),
    (
        "left_out_died_or_moved",
        "residents per run",
        "Left out: died or moved away before the end of the window, with social prescribing",
    ),
    (
        "left_out_died_or_moved_baseline",
        "residents per run",
        "Left out: died or moved away before the end of the window in the baseline run only",
    ),
    ("gp_before", GP_UNIT, "Referred residents, before referral"),
    ("gp_after", GP_UNIT, "Referred residents, after referral, with social prescribing"),
    (
        "before_after_change",
        GP_UNIT,
        "After minus before: the change an uncontrolled before-and-after evaluation reports",
    ),
    (
        "baseline_gp_before",
        GP_UNIT,
        "The same residents in the paired baseline run (no social prescribing), before",
    ),
    ("baseline_gp_after", GP_UNIT, "The same residents in the baseline run, after"),
    (
        "baseline_change",
        GP_UNIT,
        "After minus before in the baseline run: the change without social prescribing",
    ),
    (
        "counterfactual_effect",
        GP_UNIT,
        "After with social prescribing minus after without it (the same residents in the "
        "baseline run): the effect of social prescribing",
    ),
    (
        "regression_to_the_mean",
        GP_UNIT,
        "Before-and-after change minus the counterfactual effect: the change that would "
        "have happened anyway (regression to the mean, ageing and progression of need, "
        "other change)",
    ),
)


# --------------------------------------------------------------------------------------
# One pair of runs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """The referred residents of one scenario run, beside their baseline selves.

    Attributes
    ----------
    referred : int
        Residents who took up a referral (each once, at their first referral).
    outside_run : int
        Left out: their quarters do not fall within the tracked run.
    died_or_moved : int
        Left out: did not hold their slot throughout their quarters (scenario run).
    died_or_moved_baseline : int
        Left out: held it in the scenario run but not in the baseline run.
    with_sp, without : (followed, 2k + 1) float64
        GP appointments per year (the quarter's appointments x 4) of each resident
        followed, in quarters -k..+k around the referral quarter: in the scenario run,
        and in the baseline run.
    """

    referred: int
    outside_run: int
    died_or_moved: int
    died_or_moved_baseline: int
    with_sp: np.ndarray
    without: np.ndarray

    @property
    def followed(self) -> int:
        """Residents followed (complete cases)."""
        return int(self.with_sp.shape[0])

    def per_person(self) -> dict[str, np.ndarray]:
        """Before and after, with and without, for each resident followed (per year)."""
        k = (self.with_sp.shape[1] - 1) // 2
        return {
            "gp_before": self.with_sp[:, :k].mean(axis=1),
            "gp_after": self.with_sp[:, k + 1 :].mean(axis=1),
            "baseline_gp_before": self.without[:, :k].mean(axis=1),
            "baseline_gp_after": self.without[:, k + 1 :].mean(axis=1),
        }

    def measures(self) -> dict[str, float]:
        """The means over the residents followed (NaN when nobody was followed)."""
        out = {
            "residents_referred": float(self.referred),
            "residents_followed": float(self.followed),
            "left_out_outside_run": float(self.outside_run),
            "left_out_died_or_moved": float(self.died_or_moved),
            "left_out_died_or_moved_baseline": float(self.died_or_moved_baseline),
        }
        means = {
            name: float(values.mean()) if values.size else math.nan
            for name, values in self.per_person().items()
        }
        out.update(means)
        out["before_after_change"] = means["gp_after"] - means["gp_before"]
        out["baseline_change"] = means["baseline_gp_after"] - means["baseline_gp_before"]
        out["counterfactual_effect"] = means["gp_after"] - means["baseline_gp_after"]
        out["regression_to_the_mean"] = out["before_after_change"] - out["counterfactual_effect"]
        return out


def follow_referred(
    referrals: pd.DataFrame,
    scenario: GPQuarters,
    baseline: GPQuarters,
    quarters_each_side: int = QUARTERS_EACH_SIDE,
) -> FollowUp:
    """Follow the residents who took up a referral, in a scenario run and its baseline.

    Parameters
    ----------
    referrals : pandas.DataFrame
        The scenario run's referrals (columns ``week``, counted as in the series,
        ``slot``, ``occupant``, ``took_up``).
    scenario, baseline : GPQuarters
        GP use by quarter in the scenario run and in its paired baseline run.
    quarters_each_side : int
        Quarters followed before the referral quarter, and after it.

    Returns
    -------
    FollowUp
    """
    if scenario.appointments.shape != baseline.appointments.shape or (
        scenario.first_quarter != baseline.first_quarter
    ):
        raise ThrivingError(
            "a social-prescribing run and its baseline run tracked different quarters or "
            "residents: they are not a pair"
        )
    took_up = referrals[referrals["took_up"].astype(bool)]
    week = took_up["week"].to_numpy(np.int64)
    slot = took_up["slot"].to_numpy(np.int64)
    occupant = took_up["occupant"].to_numpy(np.int64)
    # Each resident once, at their first referral (referrals are in week order).
    order = np.lexsort((week, occupant, slot))
    key = np.stack([slot[order], occupant[order]])
    first = np.ones(order.size, bool)
    first[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    chosen = np.sort(order[first])
    week, slot = week[chosen], slot[chosen]
    referred = int(slot.size)

    span = 2 * quarters_each_side + 1
    start = quarter_of_week(week) - quarters_each_side - scenario.first_quarter
    end = start + span - 1  # index of the last quarter followed
    inside = (start >= 0) & (end < scenario.appointments.shape[0])
    start, end, slot = start[inside], end[inside], slot[inside]
    # moved_in row i is the holder as quarter i begins; row i + 1 as it ends.
    holder = scenario.moved_in[start, slot]
    stayed = scenario.moved_in[end + 1, slot] == holder
    paired = (
        stayed
        & (baseline.moved_in[start, slot] == holder)
        & (baseline.moved_in[end + 1, slot] == holder)
    )
    start, slot = start[paired], slot[paired]
    quarters = start[:, None] + np.arange(span)[None, :]
    per_year = 52.0 / QUARTER_WEEKS
    return FollowUp(
        referred=referred,
        outside_run=int((~inside).sum()),
        died_or_moved=int((~stayed).sum()),
        died_or_moved_baseline=int((stayed & ~paired).sum()),
        with_sp=scenario.appointments[quarters, slot[:, None]] * per_year,
        without=baseline.appointments[quarters, slot[:, None]] * per_year,
    )


# --------------------------------------------------------------------------------------
# A sweep's folder
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A mean over the pairs of runs with its 95 % t-interval (NaN with one pair)."""

    mean: float
    low: float
    high: float


@dataclass
class ScenarioBeforeAfter:
    """Before and after against the counterfactual for one scenario (at one point).

    Attributes
    ----------
    scenario : str
        The scenario's label.
    point : dict
        Values of the varied settings (empty when nothing varies).
    runs : int
        Pairs of runs.
    estimates : dict of str to dict of str to Estimate
        For each window of :data:`WINDOWS`, each measure of :data:`MEASURES`.
    with_sp, without : list of Estimate
        GP appointments per person per year in each quarter of :data:`RELATIVE_QUARTERS`:
        the referred residents with social prescribing, and the same residents in the
        baseline runs.
    """

    scenario: str
    point: dict[str, Any]
    runs: int
    estimates: dict[str, dict[str, Estimate]]
    with_sp: list[Estimate]
    without: list[Estimate]

    @property
    def title(self) -> str:
        """The scenario's label with any varied settings."""
        if not self.point:
            return self.scenario

        return f"{self.scenario} ({point_text(self.point)})"


@dataclass
class BeforeAfter:
    """The before-and-after analysis of a sweep's folder.

    Attributes
    ----------
    folder : Path
    groups : list of ScenarioBeforeAfter
        One per social-prescribing scenario (and point of a varied sweep).
    measures : pandas.DataFrame
        ``before_after.csv``: one row per scenario, point, window and measure.
    quarters : pandas.DataFrame
        ``before_after_quarters.csv``: one row per scenario, point and quarter.
    notes : list of str
        Runs left out, and why.
    files : list of Path
        Files written (by :func:`write_before_after`).
    """

    folder: Path
    groups: list[ScenarioBeforeAfter]
    measures: pd.DataFrame
    quarters: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _how_to_get_files(folder: Path) -> str:
    return (
        f"this version of Thriving records them in sweeps whose experiment has a scenario "
        f"that funds social_prescribing: run the experiment again into a new folder, "
        f"e.g. thriving sweep EXPERIMENT --out {folder}-new"
    )


def _social_prescribing_labels(manifest: Mapping[str, Any]) -> set[str]:
    """Labels of the experiment's scenarios that have a social-prescribing investment."""
    labels = set()
    for entry in manifest.get("experiment", {}).get("scenarios", []) or []:
        scenario = entry.get("scenario") or {}
        for investment in scenario.get("investments", []) or []:
            if investment.get("lever") == "social_prescribing" and not entry.get("is_baseline"):
                labels.add(entry.get("label"))
    return labels


def _read_runs(folder: ResultsFolder) -> tuple[pd.DataFrame, list[str]]:
    """summary.csv as text (ids and settings exactly as written), and the varied settings."""
    runs = read_summary_table(folder, as_text=True)
    return runs, varied_columns(runs, folder)


def analyse_before_after(path: str | os.PathLike[str]) -> BeforeAfter:
    """Before and after referral against the counterfactual, for a sweep's folder.

    Parameters
    ----------
    path
        A sweep's results folder whose experiment includes a scenario that funds
        social prescribing.

    Returns
    -------
    BeforeAfter

    Raises
    ------
    ThrivingError
        If the folder is not a sweep's, has no social-prescribing runs, or its runs have
        no GP-use tracking files; the message says how to get them.
    """
    try:
        folder, manifest = read_manifest(path)
    except ThrivingError as exc:
        raise ThrivingError(
            f"{exc}; before-after needs the folder of a sweep (thriving sweep) whose "
            f"experiment includes a social prescribing scenario"
        ) from None
    runs, varied = _read_runs(folder)
    # Each run's paired baseline run among the finished runs ("" where it has none).
    run_ids = runs["run_id"].tolist()
    positions = baseline_positions(run_ids, [b or None for b in runs["baseline_run_id"]])
    runs["baseline_found"] = [run_ids[j] if j >= 0 else "" for j in positions]
    labels = _social_prescribing_labels(manifest)
    # Social-prescribing runs: of a scenario the manifest says has the lever, or with
    # referrals written (sweeps of a run list record no scenarios in their manifest).
    tracked = runs["run_id"].map(lambda run_id: folder.referrals_file(run_id).exists())
    chosen = runs[(runs["is_baseline"] != "TRUE") & (runs["scenario"].isin(labels) | tracked)]
    if chosen.empty:
        raise ThrivingError(
            f"{folder.path} has no finished social-prescribing runs: add a scenario that "
            f"funds social_prescribing (e.g. scenarios/social_prescribing.yaml) to the "
            f"experiment and run the sweep"
        )
    notes: list[str] = []
    # Per scenario and point: for each window, each pair's follow-up.
    follow: dict[tuple[str, tuple[str, ...]], dict[str, list[FollowUp]]] = {}
    untracked = 0
    cache: dict[str, GPQuarters] = {}

    def quarters_of(run_id: str) -> GPQuarters | None:
        if run_id not in cache:
            file = folder.gp_quarters_file(run_id)
            if not file.exists():
                return None
            try:
                cache[run_id] = GPQuarters.from_table(pd.read_parquet(file))
            except (OSError, ValueError) as exc:
                raise ThrivingError(f"cannot read {file}: {exc}") from None
        return cache[run_id]

    # Records, not itertuples: the varied settings' dotted names are not identifiers,
    # and itertuples would rename them.
    for run in chosen.to_dict("records"):
        scenario_gp = quarters_of(run["run_id"])
        baseline_gp = quarters_of(run["baseline_found"]) if run["baseline_found"] else None
        referrals_file = folder.referrals_file(run["run_id"])
        if scenario_gp is None or baseline_gp is None or not referrals_file.exists():
            untracked += 1
            continue
        referrals = pd.read_parquet(referrals_file)
        key = (run["scenario"], tuple(run[v] for v in varied))
        windows = follow.setdefault(key, {name: [] for name in WINDOWS})
        for name, (quarters_each_side, _) in WINDOWS.items():
            windows[name].append(
                follow_referred(referrals, scenario_gp, baseline_gp, quarters_each_side)
            )
        cache.pop(run["run_id"], None)  # baseline runs may serve several scenarios
    if not follow:
        raise ThrivingError(
            f"the social-prescribing runs in {folder.path} have no GP-use tracking files "
            f"(runs/<id>.gp_quarters.parquet and .referrals.parquet); "
            + _how_to_get_files(folder.path)
        )
    if untracked:
        notes.append(
            f"Left out {untracked} social-prescribing run{'s' * (untracked != 1)} without "
            f"tracking files for itself or its baseline run (a budget of 0, or made by an "
            f"older version of Thriving)."
        )

    groups = []
    for (label, values), windows in follow.items():
        point = {name: _value(v) for name, v in zip(varied, values, strict=True) if v != ""}
        estimates = {}
        for window, pairs in windows.items():
            per_pair = [p.measures() for p in pairs]
            estimates[window] = {
                name: _estimate([m[name] for m in per_pair]) for name, _, _ in MEASURES
            }
        profile = windows[PROFILE_WINDOW]
        groups.append(
            ScenarioBeforeAfter(
                label,
                point,
                len(profile),
                estimates,
                _profile(profile, "with_sp"),
                _profile(profile, "without"),
            )
        )
        if estimates[PROFILE_WINDOW]["residents_followed"].mean == 0:
            notes.append(
                f"{label}: no referred resident could be followed for a year before and a "
                f"year after referral; use more residents or more years."
            )
    measures, quarters = _tables(groups, varied)
    return BeforeAfter(Path(path), groups, measures, quarters, notes)


def _profile(pairs: Sequence[FollowUp], pick: str) -> list[Estimate]:
    """Mean GP use per year in each quarter around referral, over the pairs of runs."""
    k = len(RELATIVE_QUARTERS)
    means = np.array(
        [getattr(p, pick).mean(axis=0) if p.followed else np.full(k, np.nan) for p in pairs]
    )
    return [_estimate(means[:, j]) for j in range(k)]


def _value(text: str) -> Any:
    """A varied setting's value from summary.csv: a number when it is one."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _estimate(values: Sequence[float]) -> Estimate:
    """Mean and 95 % interval over the pairs that have a value (NaN if none)."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    return Estimate(*(float(v) for v in mean_interval(x)))


def _tables(
    groups: list[ScenarioBeforeAfter], varied: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:

    measure_rows = []
    quarter_rows = []
    for g in groups:
        ident = {"scenario": g.scenario, **{v: g.point.get(v, "") for v in varied}}
        for window, (_, in_words) in WINDOWS.items():
            for name, unit, description in MEASURES:
                e = g.estimates[window][name]
                measure_rows.append(
                    {
                        **ident,
                        "window": window,
                        "measure": name,
                        "mean": e.mean,
                        "low_95": e.low,
                        "high_95": e.high,
                        "runs": g.runs,
                        "unit": unit,
                        "description": f"{description}; {in_words}",
                    }
                )
        for q, w, wo in zip(RELATIVE_QUARTERS, g.with_sp, g.without, strict=True):
            quarter_rows.append(
                {
                    **ident,
                    "quarter_from_referral": q,
                    "with_social_prescribing": w.mean,
                    "with_low_95": w.low,
                    "with_high_95": w.high,
                    "without": wo.mean,
                    "without_low_95": wo.low,
                    "without_high_95": wo.high,
                    "runs": g.runs,
                    "unit": GP_UNIT,
                }
            )
    return pd.DataFrame(measure_rows), pd.DataFrame(quarter_rows)


def write_before_after(path: str | os.PathLike[str]) -> BeforeAfter:
    """Analyse a sweep's folder and write ``before_after.csv`` and its quarters.

    Both files are written atomically into the folder: ``before_after.csv`` (one row per
    scenario and measure: mean over the pairs of runs, 95 % interval, unit, what it is)
    and ``before_after_quarters.csv`` (GP use per person per year in each quarter from 4
    before to 4 after the referral quarter, with and without social prescribing).

    Returns
    -------
    BeforeAfter
        With ``files`` set.
    """
    result = analyse_before_after(path)
    for name, table in ((MEASURES_FILE, result.measures), (QUARTERS_FILE, result.quarters)):
        target = Path(path) / name
        atomic_write_text(target, table.to_csv(index=False, float_format="%.4f"))
        result.files.append(target)
    return result


# --------------------------------------------------------------------------------------
# In words
# --------------------------------------------------------------------------------------


def _change(value: float) -> str:
    """A change in words: 'a fall of 3.1' or 'a rise of 0.4'."""
    return f"a {'fall' if value < 0 else 'rise'} of {abs(value):.1f}"


def _interval(estimate: Estimate) -> str:
    """An estimate's 95 % interval in words, as magnitudes when the whole of it is a fall.

    Examples
    --------
    >>> _interval(Estimate(-3.1, -3.5, -2.7))
    ' (95 % interval 2.7 to 3.5)'
    >>> _interval(Estimate(0.2, -0.4, 0.8))
    ' (95 % interval -0.4 to +0.8)'
    >>> _interval(Estimate(0.2, math.nan, math.nan))
    ''
    """
    low, high = estimate.low, estimate.high
    if math.isnan(low) or math.isnan(high):
        return ""
    if estimate.mean < 0 and high <= 0:
        return f" (95 % interval {abs(high):.1f} to {abs(low):.1f})"
    return f" (95 % interval {low:+.1f} to {high:+.1f})"


def window_sentence(estimates: Mapping[str, Estimate]) -> str:
    """One window's finding in a sentence (without the scenario's name), with intervals.

    Examples
    --------
    >>> e = {"before_after_change": Estimate(-3.1, -3.5, -2.7),
    ...      "counterfactual_effect": Estimate(-1.2, -1.5, -0.9),
    ...      "regression_to_the_mean": Estimate(-1.9, -2.2, -1.6)}
    >>> for part in window_sentence(e).split("; "):
    ...     print(part)
    an evaluation would report a fall of 3.1 (95 % interval 2.7 to 3.5) GP appointments a year per person referred
    1.2 (95 % interval 0.9 to 1.5) of that is the effect of social prescribing
    the rest (1.9, 95 % interval 1.6 to 2.2) would have happened anyway
    >>> e["regression_to_the_mean"] = Estimate(0.2, -0.4, 0.8)
    >>> e["counterfactual_effect"] = Estimate(-3.3, -3.6, -3.0)
    >>> window_sentence(e).split("; ")[1]
    'the effect of social prescribing is a fall of 3.3 (95 % interval 3.0 to 3.6), and without it their use would have risen by 0.2 (95 % interval -0.4 to +0.8)'
    """  # noqa: E501
    change_e = estimates["before_after_change"]
    effect_e = estimates["counterfactual_effect"]
    anyway_e = estimates["regression_to_the_mean"]
    change, effect, anyway = change_e.mean, effect_e.mean, anyway_e.mean
    if math.isnan(change):
        return "no referred resident could be followed before and after referral"
    text = (
        f"an evaluation would report {_change(change)}{_interval(change_e)} "
        "GP appointments a year per person referred"
    )
    if change < 0 and effect < 0 and abs(effect) <= abs(change):
        anyway_interval = _interval(anyway_e).replace(" (", ", ").rstrip(")")
        return (
            f"{text}; {abs(effect):.1f}{_interval(effect_e)} of that is the effect of "
            f"social prescribing; the rest ({abs(anyway):.1f}{anyway_interval}) would have "
            "happened anyway"
        )
    if anyway < 0:
        rest = f"a fall of {abs(anyway):.1f}{_interval(anyway_e)} would have happened anyway"
    else:
        rest = f"without it their use would have risen by {anyway:.1f}{_interval(anyway_e)}"
    return (
        f"{text}; the effect of social prescribing is {_change(effect)}{_interval(effect_e)}, "
        f"and {rest}"
    )


def headline(group: ScenarioBeforeAfter) -> str:
    """The finding for each window, in plain sentences (one line each).

    Returns
    -------
    str
        A first line naming the scenario and the runs, then one line per window.
    """
    lines = [f"{group.title} (mean of {group.runs} run{'s' * (group.runs != 1)}):"]
    names = {
        "year": "The year before against the year after referral",
        "quarter": ("The quarter before against the quarter after referral"),
    }
    for window in WINDOWS:
        e = group.estimates[window]
        followed = e["residents_followed"].mean
        lines.append(
            f"  {names.get(window, window)}: {window_sentence(e)} "
            f"({followed:,.0f} residents followed in each run)."
        )
    return "\n".join(lines)
