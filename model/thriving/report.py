"""The report for councillors: one self-contained HTML file of a sweep's results.

:func:`write_report` turns a sweep's results folder into ``report.html``, a single file
that opens in any browser without a network (pictures inlined as ``data:`` URIs, the
style sheet inline, no scripts), prints on A4 and reads on a phone. In plain English it
gives:

1. the question, and when and with what the results were made;
2. the scenarios in words;
3. the headline numbers of each scenario with their 95 % intervals, and a sentence on
   what they mean and how sure we can be;
4. the pictures of ``plots/``, with how to read them;
5. the before-and-after comparison for social prescribing, when there is one;
6. the sensitivity ranking, for a Morris or Sobol sweep;
7. the assumptions behind the levers and services in use, with their sources and
   confidence;
8. the caveats where the evidence is weak.

Every number comes from the files the other commands write (``comparison.csv`` of
:mod:`thriving.comparison`, the pictures of :mod:`thriving.plots.demand`,
``sensitivity.csv`` of :mod:`thriving.sensitivity`); :func:`refresh_inputs` makes those
that are missing or older than ``summary.csv`` first. The assumptions come from the
scenario schema's parameter metadata (:func:`thriving.paramdoc.all_rows`), with the
values the runs used (the resolved scenarios in the sweep's ``manifest.json``).

The page is built with the standard library: the shell and style sheet are files in
``thriving/templates`` (filled in with :class:`string.Template`), and each part is
assembled from small functions that escape every piece of text they are given.
"""

from __future__ import annotations

import base64
import csv
import datetime
import html
import importlib.resources
import json
import math
import os
import re
import string
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ThrivingError
from .store import SUMMARY, ResultsFolder, atomic_write_text

__all__ = [
    "REPORT_FILE",
    "Assumption",
    "AssumptionGroup",
    "Headline",
    "Inputs",
    "ReportOutcome",
    "ScenarioInfo",
    "SweepFacts",
    "assumptions_in_use",
    "format_count",
    "format_money",
    "format_percent",
    "investment_sentence",
    "read_comparison",
    "read_facts",
    "refresh_inputs",
    "render_report",
    "scenario_summary",
    "write_report",
]

#: The file written into the results folder when no other is named.
REPORT_FILE = "report.html"

#: Folder of the pictures, inside the results folder (as ``thriving plot`` writes it).
PLOTS_FOLDER = "plots"

#: The true minus sign: a hyphen is easy to miss in a table of numbers.
MINUS = "\u2212"

#: Fewer replicates than this and the report says the intervals are themselves shaky.
ENOUGH_REPLICATES = 20

#: Outcomes in the headline tables, with their name in a sentence and their unit word.
HEADLINE_OUTCOMES: dict[str, tuple[str, str]] = {
    "gp_appointments_total": ("GP appointments", "appointments"),
    "ae_attendances_total": ("A&E attendances", "attendances"),
    "emergency_admissions_total": ("emergency admissions", "admissions"),
    "social_care_hours_total": ("home-care hours", "hours"),
    "lonely_person_years": ("lonely person-years", "person-years"),
}

#: The levers in words (the lever's key turned into words otherwise).
LEVER_NAMES: dict[str, str] = {
    "community_grants": "Community grants",
    "social_prescribing": "Social prescribing",
    "community_connectors": "Community connectors",
    "neighbourhood_teams": "Integrated neighbourhood teams",
    "access": "Transport and digital access",
    "closures": "Closures of community groups",
}

#: Blocks of the scenario whose low-confidence assumptions are listed in the appendix:
#: how loneliness, ties, groups and health work, through which every lever acts.
MECHANISM_BLOCKS: tuple[str, ...] = ("population", "loneliness", "network", "groups", "health")

#: Columns of the ward table and what they are called in words.
WARD_COLUMN_WORDS: dict[str, str] = {
    "population": "adults per ward",
    "adults": "adults per ward",
    "deprivation": "deprivation scores",
    "share_65_plus": "share aged 65 and over",
    "share_living_alone": "share living alone",
}

#: Services of ``appraisal.cash_releasing``, in words.
CASH_SERVICE_WORDS: dict[str, str] = {
    "gp": "GP appointments",
    "ae": "A&E attendances",
    "admissions": "emergency admissions",
    "social_care": "home-care hours",
    "mental_health": "talking therapies",
}

#: Pictures of ``plots/`` by the start of their file name: section title and how to read.
PICTURE_GROUPS: tuple[tuple[str, str, str], ...] = (
    (
        "payback",
        "Does it pay back?",
        "Cumulative service cost avoided (solid line: the mean of the pairs of runs; band: "
        "the middle 80 % of pairs) against the money invested (dashed), both discounted as "
        "the Green Book asks. Where the solid line crosses above the dashed one, the "
        "investment has paid for itself, counting all benefits, most of which are capacity "
        "freed rather than cash.",
    ),
    (
        "difference_",
        "Change from the baseline, service by service",
        "Each scenario's run minus the baseline run with the same seed (so the same chance "
        "events), per week. Below zero means less demand than with no new investment. The "
        "line is the median of the pairs of runs and the band shows the middle 80 % of "
        "pairs; a band that straddles zero is a change the runs cannot tell from chance.",
    ),
    (
        "demand_",
        "Demand for services, week by week",
        "Each line is the median of a scenario's runs, smoothed over a quarter; the band "
        "shows the middle 80 % of runs (10th to 90th percentile). The shaded years are the "
        "funded years. The differences between scenarios are small against the whole of "
        "demand, so read the change-from-baseline pictures above for their size.",
    ),
    (
        "network_",
        "Loneliness and the social network",
        "How loneliness, close ties, isolation, ties across wards and group membership move "
        "over time in each scenario: median of the runs, band for the middle 80 % of runs.",
    ),
    (
        "wards_",
        "Who benefits: ward by ward",
        "Each dot is a ward: how deprived it is (across) against what the investment avoids "
        "there per 1,000 adults a year (up). Points above zero gained; the spread shows "
        "whether the benefit goes to the more or the less deprived wards.",
    ),
)

#: Pictures shown in their own sections (not under "Pictures").
OWN_SECTION_PICTURES = ("sensitivity_", "before_after")


# --------------------------------------------------------------------------------------
# Numbers for people
# --------------------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _round_sig(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _sign(value: float, text: str, signed: bool) -> str:
    if not re.sub(r"\D", "", text).strip("0"):  # rounds to nothing: no sign
        return text
    if value < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def format_count(value: float | None, signed: bool = False) -> str:
    """A count for people: three significant figures, thousands separated.

    Parameters
    ----------
    value : float or None
        The count (appointments, hours, person-years...).
    signed : bool
        Put ``+`` before positive numbers (changes).

    Returns
    -------
    str
        ``n/a`` when there is no number. Negative numbers take a true minus sign.

    Examples
    --------
    >>> format_count(10761.4), format_count(975.2), format_count(4.26), format_count(0.0)
    ('10,800', '975', '4.3', '0')
    >>> format_count(-228.6, signed=True) == "\u2212" + "229"
    True
    >>> format_count(12.0, signed=True), format_count(10.5), format_count(float("nan"))
    ('+12', '10.5', 'n/a')
    """
    if not _finite(value):
        return "n/a"
    size = abs(float(value))
    if size >= 99.95:
        text = f"{_round_sig(size):,.0f}"
    elif size >= 9.995:  # three figures need one decimal here: 10.5, not 10
        text = f"{_round_sig(size):.1f}".removesuffix(".0")
    elif size >= 0.01:
        text = f"{_round_sig(size, 2):g}"
    else:
        text = "0"
    return _sign(float(value), text, signed)


def format_money(value: float | None, signed: bool = False) -> str:
    """£ for people: £1.74m, £870,000, £799; three significant figures.

    Parameters
    ----------
    value : float or None
        Pounds.
    signed : bool
        Put ``+`` before positive amounts.

    Examples
    --------
    >>> format_money(1736452.4), format_money(869908.3), format_money(799.4)
    ('£1.74m', '£870,000', '£799')
    >>> format_money(2.5e9), format_money(12_345_678), format_money(0.0)
    ('£2.5bn', '£12.3m', '£0')
    >>> format_money(-69405.0) == "\u2212" + "£69,400"
    True
    """
    if not _finite(value):
        return "n/a"
    size = abs(float(value))
    rounded = _round_sig(size)
    if rounded >= 1e9:
        text = f"£{rounded / 1e9:.3g}bn"
    elif rounded >= 1e6:
        text = f"£{rounded / 1e6:.3g}m"
    elif rounded >= 100:
        text = f"£{rounded:,.0f}"
    elif rounded >= 1:
        text = f"£{rounded:.3g}"
    else:
        text = "£0" if size < 0.005 else f"£{size:.2f}"
    return _sign(float(value), text, signed)


def format_percent(value: float | None) -> str:
    """A change in percent, signed, to two significant figures.

    Examples
    --------
    >>> format_percent(-0.1246) == "\u2212" + "0.12 %"
    True
    >>> format_percent(12.34), format_percent(float("nan"))
    ('+12 %', 'n/a')
    """
    if not _finite(value):
        return "n/a"
    text = f"{_round_sig(abs(float(value)), 2):g} %"
    return _sign(float(value), text, True)


def _interval(low: float, high: float, money: bool) -> str:
    """A 95 % interval as 'a to b' (empty when there is none)."""
    if not (_finite(low) and _finite(high)):
        return ""
    if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9):
        return ""  # every pair the same (money invested): no spread to show
    fmt = format_money if money else format_count
    return f"{fmt(low)} to {fmt(high)}"


def _ratio(value: float) -> str:
    """A ratio to two decimals, with a true minus sign.

    Examples
    --------
    >>> _ratio(2.0), _ratio(-0.104) == "\u2212" + "0.10", _ratio(float("nan"))
    ('2.00', True, 'n/a')
    """
    if not _finite(value):
        return "n/a"
    return _sign(value, f"{abs(value):.2f}", False)


def _bracket(low: float, high: float, money: bool = True) -> str:
    """' (95 % interval a to b)' for a sentence; empty when there is no spread to show."""
    span = _interval(low, high, money)
    return f" (95 % interval {span})" if span else ""


def _number(value: float | None, money: bool, signed: bool = False) -> str:
    return format_money(value, signed) if money else format_count(value, signed)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _join(items: Sequence[str], last: str = "and") -> str:
    """Words joined as in a sentence: 'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _years(start: int, end: int) -> str:
    return f"year {start}" if start == end else f"years {start}\u2013{end}"


# --------------------------------------------------------------------------------------
# Facts about the sweep
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario of the sweep, as it was run.

    Attributes
    ----------
    label : str
        The scenario's label in the results (its ``name``, or a longer label).
    file : str
        The scenario file, as the experiment named it.
    is_baseline : bool
    settings : dict
        The resolved scenario: every setting, defaults filled in.
    """

    label: str
    file: str
    is_baseline: bool
    settings: dict[str, Any]

    @property
    def description(self) -> str:
        """The scenario's own description (may be empty)."""
        return " ".join(str(self.settings.get("description") or "").split())

    @property
    def investments(self) -> list[dict[str, Any]]:
        """The scenario's investment entries."""
        return list(self.settings.get("investments") or [])

    @property
    def levers(self) -> list[str]:
        """Levers of the scenario's investments, in order."""
        return [str(inv.get("lever")) for inv in self.investments]


@dataclass(frozen=True)
class SweepFacts:
    """When and with what a sweep was run, from its manifest and run records.

    Attributes
    ----------
    folder : Path
    name, description, experiment_file : str
        The experiment's name, description and file.
    version : str
        Thriving's version.
    started, finished : str
        ISO 8601 times of the sweep (empty when unknown).
    n_runs, done, failed, pending : int
        Runs in the experiment, and how many finished, failed, or have not run.
    replicates, seed : int
        Replicates of each scenario (at each point) and the experiment's seed.
    seeds : tuple of int
        The replicates' seeds (the same for every scenario: paired runs).
    overrides : dict
        Settings changed for every scenario.
    vary, sample : dict
        The experiment's grid (``vary``) or sampled design (``sample``); empty if none.
    scenarios : tuple of ScenarioInfo
        Baseline first.
    residents_simulated, borough_adults : float
        The sample simulated and the borough's adults the results are scaled to.
    years, burn_in_years : int
        Years reported, and years of settling in before them.
    price_year : str
    discount_rate : float
    notes : tuple of str
        What the folder does not record (said among the caveats).
    """

    folder: Path
    name: str
    description: str
    experiment_file: str
    version: str
    started: str
    finished: str
    n_runs: int
    done: int
    failed: int
    pending: int
    replicates: int
    seed: int | None
    seeds: tuple[int, ...]
    overrides: dict[str, Any]
    vary: dict[str, Any]
    sample: dict[str, Any]
    scenarios: tuple[ScenarioInfo, ...]
    residents_simulated: float
    borough_adults: float
    years: int
    burn_in_years: int
    price_year: str
    discount_rate: float
    notes: tuple[str, ...] = ()

    @property
    def baseline(self) -> ScenarioInfo:
        """The baseline scenario."""
        for scenario in self.scenarios:
            if scenario.is_baseline:
                return scenario
        return self.scenarios[0]

    @property
    def others(self) -> list[ScenarioInfo]:
        """The scenarios compared with the baseline."""
        return [s for s in self.scenarios if not s.is_baseline]

    @property
    def levers(self) -> list[str]:
        """Every lever used by a scenario, in order of first use."""
        return list(dict.fromkeys(lv for s in self.scenarios for lv in s.levers))

    @property
    def sample_method(self) -> str:
        """The sampling method (``morris``, ``sobol``, ``latin_hypercube``) or ``''``."""
        return str((self.sample or {}).get("method") or "")

    def varied_in_words(self) -> dict[str, str]:
        """Each varied setting and how it varied, in words."""
        from .paramdoc import format_number

        out: dict[str, str] = {}
        for path, values in (self.vary or {}).items():
            shown = [format_number(v) for v in values] if isinstance(values, list) else []
            out[path] = f"{_join(shown, 'or')} (one grid point each)" if shown else "varied"
        ranges = (self.sample or {}).get("ranges") or {}
        for path, bounds in ranges.items():
            if isinstance(bounds, list | tuple) and len(bounds) == 2:
                low, high = (format_number(b) for b in bounds)
                out[path] = f"sampled from {low} to {high} ({self.sample_method} design)"
            else:
                out[path] = f"sampled ({self.sample_method} design)"
        return out


def read_facts(folder: str | os.PathLike[str]) -> SweepFacts:
    """When and with what a sweep was run.

    Parameters
    ----------
    folder : path
        A sweep's results folder (``thriving sweep``).

    Returns
    -------
    SweepFacts

    Raises
    ------
    ThrivingError
        The folder is not a sweep's results folder, or has no finished run.
    """
    results = ResultsFolder(folder)
    where = os.fspath(results.path)
    if (results.path / "summary.json").exists() and (results.path / "timeseries.csv").exists():
        raise ThrivingError(
            f"{where} holds a single run (from thriving run); the report needs the results "
            "folder of a sweep, with a baseline and the scenarios compared with it: write an "
            "experiment file (see experiments/README.md) and run thriving sweep"
        )
    manifest = results.read_manifest()
    experiment = manifest.get("experiment") or {}
    record = _first_record(results, manifest)
    if record is None:
        raise ThrivingError(
            f"{where} has no finished run yet: run the sweep first (thriving sweep "
            f"{experiment.get('file') or 'EXPERIMENT'} --out {where})"
        )
    summary = record.get("summary") or {}
    scenarios = tuple(
        ScenarioInfo(
            label=str(entry.get("label")),
            file=str(entry.get("file") or ""),
            is_baseline=bool(entry.get("is_baseline")),
            settings=dict(entry.get("scenario") or {}),
        )
        for entry in experiment.get("scenarios") or []
    )
    notes: tuple[str, ...] = ()
    if not scenarios:  # runs of scenario files (thriving compare): read the files again
        scenarios = _scenarios_from_files(results, manifest, summary)
        notes = (
            "This folder does not record the scenarios as they were run, so they are shown "
            "as their files are now, with the population and horizon of the runs; a setting "
            "changed with --set when the runs were made is not shown.",
        )
    scenarios = tuple(sorted(scenarios, key=lambda s: not s.is_baseline))
    counts = manifest.get("counts") or {}
    return SweepFacts(
        folder=results.path,
        name=str(experiment.get("name") or manifest.get("name") or results.path.name),
        description=" ".join(str(experiment.get("description") or "").split()),
        experiment_file=str(experiment.get("file") or ""),
        version=str((manifest.get("versions") or {}).get("thriving") or ""),
        started=str(manifest.get("started") or ""),
        finished=str(manifest.get("finished") or ""),
        n_runs=int(experiment.get("n_runs") or sum(int(v) for v in counts.values())),
        done=int(counts.get("done", 0)),
        failed=int(counts.get("failed", 0)),
        pending=int(counts.get("pending", 0)),
        replicates=int(experiment.get("replicates") or _replicates_of_runs(manifest)),
        seed=experiment.get("seed"),
        seeds=tuple(int(s) for s in experiment.get("seeds") or ()),
        overrides=dict(experiment.get("overrides") or {}),
        vary=dict(experiment.get("vary") or {}),
        sample=dict(experiment.get("sample") or {}),
        scenarios=scenarios,
        residents_simulated=float(summary.get("residents_simulated") or math.nan),
        borough_adults=float(summary.get("borough_adults") or math.nan),
        years=int(summary.get("years") or 0),
        burn_in_years=int(summary.get("burn_in_years") or 0),
        price_year=str(summary.get("price_year") or ""),
        discount_rate=float(summary.get("discount_rate") or 0.0),
        notes=notes,
    )


def _scenarios_from_files(
    results: ResultsFolder, manifest: Mapping[str, Any], summary: Mapping[str, Any]
) -> tuple[ScenarioInfo, ...]:
    """Scenarios of a run list without resolved scenarios, from their files as they are now.

    The population and horizon are those the runs record; a file that cannot be read
    any more gives a scenario with no settings (its investments are then not in words).
    """
    from .scenario import load_scenario

    overrides = {
        "population.residents": int(summary.get("residents_simulated") or 0) or None,
        "horizon.years": summary.get("years"),
        "horizon.burn_in_years": summary.get("burn_in_years"),
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    found: dict[str, ScenarioInfo] = {}
    for entry in manifest.get("runs") or []:
        label = str(entry.get("scenario"))
        if label in found or entry.get("status") != "done":
            continue
        record = results.read_record(str(entry.get("run_id"))) or {}
        file = str(record.get("scenario_file") or "")
        try:
            settings = load_scenario(file, overrides).model_dump(mode="json")
        except (ThrivingError, OSError, ValueError):
            settings = {}
        found[label] = ScenarioInfo(label, file, bool(entry.get("is_baseline")), settings)
    return tuple(found.values())


def _replicates_of_runs(manifest: Mapping[str, Any]) -> int:
    """Runs of the first scenario, for a run list that does not say how many replicates."""
    labels = [str(entry.get("scenario")) for entry in manifest.get("runs") or []]
    return labels.count(labels[0]) if labels else 0


def _first_record(results: ResultsFolder, manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record of the first finished run of the manifest."""
    for entry in manifest.get("runs") or []:
        if entry.get("status") == "done":
            record = results.read_record(str(entry.get("run_id")))
            if record is not None:
                return record
    return None


def _ward_table(settings: Mapping[str, Any]) -> Any:
    """The ward table a scenario used, or None if it cannot be read now."""
    from .wards import load_ward_table

    path = (settings.get("population") or {}).get("wards_file")
    try:
        return load_ward_table(path)
    except (ThrivingError, OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------
# Scenarios in words
# --------------------------------------------------------------------------------------


def lever_name(lever: str) -> str:
    """A lever in words.

    Examples
    --------
    >>> lever_name("social_prescribing"), lever_name("new_lever")
    ('Social prescribing', 'New lever')
    """
    if lever in LEVER_NAMES:
        return LEVER_NAMES[lever]
    text = lever.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _where(wards: Any, n_wards: int | None, ward_names: Callable[[int], list[str]] | None) -> str:
    """The wards an investment targets, in words."""
    if wards == "all" or wards is None:
        return f"in all {n_wards} wards" if n_wards else "in every ward"
    if isinstance(wards, Mapping) and "most_deprived" in wards:
        n = int(wards["most_deprived"])
        names = ward_names(n) if ward_names is not None else []
        listed = f" ({_join(names)})" if names else ""
        return (
            f"in the {n} most deprived wards{listed}"
            if n != 1
            else f"in the most deprived ward{listed}"
        )
    if isinstance(wards, list | tuple):
        return f"in {_plural(len(wards), 'ward')}: {_join([str(w) for w in wards])}"
    return f"in {wards}"


def investment_sentence(
    investment: Mapping[str, Any],
    n_wards: int | None = None,
    ward_names: Callable[[int], list[str]] | None = None,
    budget_text: str | None = None,
) -> str:
    r"""One investment of a scenario as a sentence.

    Parameters
    ----------
    investment : mapping
        An entry of a resolved scenario's ``investments``.
    n_wards : int, optional
        Wards in the borough (for "in all 20 wards").
    ward_names : callable, optional
        ``ward_names(n)``: the names of the ``n`` most deprived wards.
    budget_text : str, optional
        The budget in words when the sweep varies it (instead of the file's budget).

    Examples
    --------
    >>> investment_sentence({"lever": "social_prescribing", "budget_per_year": 300000,
    ...     "start_year": 1, "end_year": 3, "wards": "all"}, 20)
    'Social prescribing: £300,000 a year in all 20 wards, years 1–3'
    >>> investment_sentence({"lever": "community_grants", "budget_per_year": 150000,
    ...     "start_year": 2, "end_year": 2, "wards": {"most_deprived": 5}})
    'Community grants: £150,000 a year in the 5 most deprived wards, year 2'
    >>> closures = investment_sentence({"lever": "closures", "budget_per_year": 250000,
    ...     "start_year": 2, "end_year": 10, "wards": ["Coldhurst"], "share_closed": 0.3})
    >>> print(closures.replace(", ", ",\n"))
    Closures of community groups: 30 % of the groups close in 1 ward: Coldhurst,
    years 2–10,
    withdrawing £250,000 a year of funding
    """
    lever = str(investment.get("lever"))
    budget = float(investment.get("budget_per_year") or 0.0)
    start = int(investment.get("start_year") or 1)
    end = int(investment.get("end_year") or start)
    where = _where(investment.get("wards"), n_wards, ward_names)
    money = budget_text or f"£{budget:,.0f} a year"
    if lever == "closures":
        share = investment.get("share_closed")
        closed = (
            f"{100 * float(share):.0f} % of the groups close" if _finite(share) else "groups close"
        )
        return (
            f"{lever_name(lever)}: {closed} {where}, {_years(start, end)}, withdrawing "
            f"{money} of funding"
        )
    return f"{lever_name(lever)}: {money} {where}, {_years(start, end)}"


def scenario_investments(
    scenario: ScenarioInfo, budgets: Mapping[str, str] | None = None
) -> list[str]:
    """Each investment of a scenario as a sentence (none for the baseline).

    ``budgets`` gives, by lever, the budget in words where the sweep varies it.
    """
    table = _ward_table(scenario.settings)
    n_wards = table.n_wards if table is not None else None
    names = table.most_deprived if table is not None else None
    budgets = budgets or {}
    return [
        investment_sentence(inv, n_wards, names, budgets.get(str(inv.get("lever"))))
        for inv in scenario.investments
    ]


def _varied_budgets(facts: SweepFacts) -> dict[str, str]:
    """The budgets a sweep varies, by lever, in words: '£100,000 or £300,000 a year'."""
    out = {}
    for path, values in (facts.vary or {}).items():
        parts = path.split(".")
        if (
            parts[0] == "investments"
            and parts[-1] == "budget_per_year"
            and isinstance(values, list)
        ):
            shown = [f"£{float(v):,.0f}" for v in values if _finite(v)]
            out[parts[1]] = f"{_join(shown, 'or')} a year"
    for path, bounds in ((facts.sample or {}).get("ranges") or {}).items():
        parts = path.split(".")
        if parts[0] == "investments" and parts[-1] == "budget_per_year" and len(bounds) == 2:
            low, high = (f"£{float(b):,.0f}" for b in bounds)
            out[parts[1]] = f"{low} to {high} a year"
    return out


def _money_words(scenario: ScenarioInfo, budgets: Mapping[str, str] | None = None) -> str:
    r"""What a scenario does with money: 'funds social prescribing (£300,000 a year, years 1–3)'.

    Examples
    --------
    >>> grants = {"lever": "community_grants", "budget_per_year": 1e5, "start_year": 1,
    ...     "end_year": 3}
    >>> cuts = {"lever": "closures", "budget_per_year": 2.5e5, "start_year": 2, "end_year": 10}
    >>> words = _money_words(ScenarioInfo("mixed", "", False, {"investments": [grants, cuts]}))
    >>> print(words.replace(" and ", " and\n"))
    funds community grants (£100,000 a year, years 1–3) and
    withdraws funding from community groups (£250,000 a year, years 2–10)
    """
    parts = []
    budgets = budgets or {}
    for inv in scenario.investments:
        lever = str(inv.get("lever"))
        money = budgets.get(lever) or f"£{float(inv.get('budget_per_year') or 0.0):,.0f} a year"
        years = _years(int(inv.get("start_year") or 1), int(inv.get("end_year") or 1))
        if lever == "closures":
            parts.append(f"withdraws funding from community groups ({money}, {years})")
        else:
            parts.append(f"funds {lever_name(lever).lower()} ({money}, {years})")
    if parts and all(part.startswith("funds ") for part in parts):
        return "funds " + _join([part.removeprefix("funds ") for part in parts])
    return _join(parts)


# --------------------------------------------------------------------------------------
# The headline numbers, from comparison.csv
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The comparison of one scenario (at one grid point) with its baseline.

    Attributes
    ----------
    scenario : str
        The scenario's label.
    point : dict
        Values of the varied settings (grid sweeps; empty otherwise).
    rows : dict
        ``metric`` to the row of comparison.csv (numbers as floats, NaN when empty).
    """

    scenario: str
    point: dict[str, Any]
    rows: dict[str, dict[str, Any]]

    def value(self, metric: str) -> float:
        """The row's ``mean_difference`` (NaN when the metric is absent)."""
        return float(self.rows.get(metric, {}).get("mean_difference", math.nan))

    def ci(self, metric: str) -> tuple[float, float]:
        """The row's 95 % interval (NaN, NaN when it has none)."""
        row = self.rows.get(metric, {})
        return float(row.get("ci_low", math.nan)), float(row.get("ci_high", math.nan))

    def unit(self, metric: str) -> str:
        """The row's unit text."""
        return str(self.rows.get(metric, {}).get("unit", ""))

    @property
    def n_pairs(self) -> int:
        """Pairs of runs compared."""
        for row in self.rows.values():
            if _finite(row.get("n_pairs")):
                return int(row["n_pairs"])
        return 0

    @property
    def title(self) -> str:
        """The scenario (and grid point) in words."""
        from .series import plain_label, point_text

        name = plain_label(self.scenario)
        return f"{name}, {point_text(self.point)}" if self.point else name


#: Columns of comparison.csv that hold numbers.
_NUMBER_COLUMNS = (
    "baseline_mean",
    "scenario_mean",
    "mean_difference",
    "ci_low",
    "ci_high",
    "pct_change",
    "n_pairs",
)


def read_comparison(path: str | os.PathLike[str]) -> list[Headline]:
    """The comparisons of ``comparison.csv``, one per scenario (and grid point), in order.

    Raises
    ------
    ThrivingError
        The file cannot be read or is not a comparison.csv.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ThrivingError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not rows or "metric" not in rows[0] or "scenario" not in rows[0]:
        raise ThrivingError(f"{path} is not a comparison.csv of thriving compare")
    columns = list(rows[0])
    varied = columns[columns.index("scenario") + 1 : columns.index("metric")]
    out: dict[tuple[str, str], Headline] = {}
    for row in rows:
        point = {k: _parse_value(row[k]) for k in varied if row.get(k) not in (None, "")}
        key = (row["scenario"], json.dumps(point, sort_keys=True, default=str))
        numbers: dict[str, Any] = {c: _float(row.get(c)) for c in _NUMBER_COLUMNS}
        numbers["unit"] = row.get("unit", "")
        headline = out.setdefault(key, Headline(row["scenario"], point, {}))
        headline.rows[row["metric"]] = numbers
    return list(out.values())


def _float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def _parse_value(text: str) -> Any:
    value = _float(text)
    return text if math.isnan(value) else value


def _same_everywhere(low: float, high: float) -> bool:
    """Whether an interval has no width: every pair of runs gave the same difference."""
    return _finite(low) and _finite(high) and math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-9)


def _direction(low: float, high: float) -> str:
    """How an interval lies against zero.

    ``down`` or ``up`` when it excludes zero; ``unclear`` when it spans it; ``none`` when
    it is zero at both ends (no change in any pair); ``unknown`` without an interval.

    Examples
    --------
    >>> _direction(-3, -1), _direction(-1, 2), _direction(0.0, 0.0), _direction(1, float("nan"))
    ('down', 'unclear', 'none', 'unknown')
    """
    if not (_finite(low) and _finite(high)):
        return "unknown"
    if low == 0 and high == 0:
        return "none"
    if high < 0:
        return "down"
    if low > 0:
        return "up"
    return "unclear"


def _change_words(headline: Headline, metric: str, years: int) -> str:
    """'1,350 fewer GP appointments a year (95 % interval 1,190 to 1,500 fewer)'."""
    name, _ = HEADLINE_OUTCOMES[metric]
    mean = headline.value(metric) / years
    low, high = (v / years for v in headline.ci(metric))
    word = "fewer" if mean < 0 else "more"
    a, b = sorted((abs(low), abs(high)))
    if _same_everywhere(low, high):
        span = " (the same in every pair of runs)"
    elif _direction(low, high) in ("down", "up"):
        span = f" (95 % interval {format_count(a)} to {format_count(b)} {word})"
    else:
        span = ""
    return f"{format_count(abs(mean))} {word} {name} a year{span}"


def scenario_summary(headline: Headline, facts: SweepFacts) -> list[str]:
    """What a scenario's numbers mean and how sure we can be, in plain English.

    Returns
    -------
    list of str
        Paragraphs (plain text, not yet escaped for HTML): what happens to demand and
        loneliness, then what happens to money.
    """
    years = max(facts.years, 1)
    n = headline.n_pairs
    runs = f"{_plural(n, 'pair')} of runs"
    sentences = []
    clear = [m for m in HEADLINE_OUTCOMES if _direction(*headline.ci(m)) in ("down", "up")]
    unclear = [m for m in HEADLINE_OUTCOMES if _direction(*headline.ci(m)) == "unclear"]
    unchanged = [m for m in HEADLINE_OUTCOMES if _direction(*headline.ci(m)) == "none"]
    if clear:
        sentences.append(
            "Compared with no new investment, the model gives "
            + _join([_change_words(headline, m, years) for m in clear])
            + f", on average over the {years} years."
        )
    if unclear:
        names = [HEADLINE_OUTCOMES[m][0] for m in unclear]
        verb = "change" if len(names) == 1 else "changes"
        sentences.append(
            f"The {verb} in {_join(names)} cannot be distinguished from chance with {runs}."
        )
    if unchanged:
        names = [HEADLINE_OUTCOMES[m][0] for m in unchanged]
        names[0] = names[0][:1].upper() + names[0][1:]
        sentences.append(f"{_join(names)} did not change at all in any pair of runs.")
    if (
        len(unchanged) == len(HEADLINE_OUTCOMES)
        and facts.residents_simulated < facts.borough_adults
    ):
        share = facts.residents_simulated / facts.borough_adults
        budgets = [
            f"£{float(inv.get('budget_per_year') or 0.0) * share:,.0f}"
            for s in facts.scenarios
            if s.label == headline.scenario
            for inv in s.investments
        ]
        scaled = f" (to {_join(budgets)} a year here)" if budgets else ""
        sentences.append(
            "In the model this investment made no difference here. With a small simulated "
            f"sample the budget is scaled down with it{scaled}, which may buy less than one "
            "unit of the lever, such as one community group's grant: run more residents."
        )
    if n < 2:
        sentences.append(
            "With a single pair of runs there is no interval: the numbers may be chance."
        )
    money = _money_sentences(headline, facts)
    return [" ".join(part) for part in (sentences, *money) if part]


def _money_sentences(headline: Headline, facts: SweepFacts) -> list[list[str]]:
    """Sentences on money: cost avoided and net benefit; then cash and payback."""
    years = facts.years
    invested = headline.value("investment_gbp_pv")
    avoided = headline.value("cost_avoided_gbp_pv")
    cash = headline.value("cash_cost_avoided_gbp_pv")
    net, net_ci = headline.value("net_benefit_gbp_pv"), headline.ci("net_benefit_gbp_pv")
    cash_net = headline.value("cash_net_benefit_gbp_pv")
    cash_ci = headline.ci("cash_net_benefit_gbp_pv")
    if not _finite(invested):
        return []
    out: list[str] = []
    cash_out: list[str] = []
    if invested < 0:
        out.append(
            f"This scenario withdraws {format_money(-invested)} of funding (present value). "
            f"Service costs change by {format_money(-avoided, signed=True)} against the "
            f"baseline over the {years} years; with the money withdrawn counted as a saving, "
            f"the net effect is {format_money(net, signed=True)}"
            + (f" (95 % interval {_interval(*net_ci, money=True)})." if _finite(net_ci[0]) else ".")
        )
        return [out]
    if invested == 0:
        out.append(
            f"Nothing is invested; service costs change by {format_money(-avoided, signed=True)} "
            f"over the {years} years."
        )
        return [out]
    out.append(
        f"Over the {years} years the service cost avoided comes to {format_money(avoided)} "
        f"against {format_money(invested)} invested (present values)."
    )
    span = _interval(*net_ci, money=True)
    verdict = _direction(*net_ci)
    if verdict == "up":
        out.append(
            "Counting the staff time and beds freed as if they were savings, it saves more "
            f"than it costs: a net benefit of {format_money(net)}{_bracket(*net_ci)}."
        )
    elif verdict == "down":
        out.append(
            "Even counting the staff time and beds freed as savings, it costs more than it "
            f"avoids: a net cost of {format_money(-net)}{_bracket(-net_ci[1], -net_ci[0])}."
        )
    else:
        out.append(
            "Whether it saves more than it costs cannot be told with this many runs: the net "
            f"benefit is {format_money(net, signed=True)}"
            + (f", with a 95 % interval from {span}." if span else ".")
        )
    if _finite(avoided) and avoided > 0 and _finite(cash) and format_money(cash) == "£0":
        cash_out.append(
            "None of the cost avoided is cash that could be released: it is all capacity "
            "freed (appointments, beds, staff time) that other patients will use."
        )
    elif _finite(avoided) and avoided > 0 and _finite(cash):
        share = 100 * cash / avoided
        cash_out.append(
            f"Only {format_money(cash)} of the cost avoided ({share:.0f} %) is cash that could "
            "be released; the rest is capacity freed (appointments, beds, staff time) that "
            "other patients will use, not money back in a budget."
        )
    cash_span = _interval(*cash_ci, money=True)
    cash_verdict = _direction(*cash_ci)
    if cash_verdict == "up":
        cash_out.append(
            f"Even in cash it pays for itself: a net cash saving of {format_money(cash_net)}"
            f"{_bracket(*cash_ci)}."
        )
    elif cash_verdict == "down":
        cash_out.append(
            f"In cash it does not pay for itself: a net cash cost of {format_money(-cash_net)}"
            f"{_bracket(-cash_ci[1], -cash_ci[0])}."
        )
    elif _finite(cash_net):
        cash_out.append(
            "Whether it pays for itself in cash cannot be told with this many runs "
            f"(net cash benefit {format_money(cash_net, signed=True)}"
            + (f", 95 % interval {cash_span})." if cash_span else ").")
        )
    cash_out.append(_payback_sentence(headline, years))
    probability = headline.value("probability_net_saving")
    n = headline.n_pairs
    if _finite(probability) and n:
        k = round(probability * n)
        out.append(
            f"In {k} of the {n} pairs of runs it saved more than it cost, counting all benefits."
        )
    return [out, cash_out]


def _payback_words(headline: Headline, metric: str, years: int) -> str:
    """'year 3', 'year 4, behind again by year 8', 'not within 8 years', or why none.

    The payback year is the first year the mean cumulative cost avoided covers the
    investment; when the net benefit at the end is below 0 it fell behind again.
    """
    value = headline.value(metric)
    net = headline.value(
        "net_benefit_gbp_pv" if metric == "payback_year" else "cash_net_benefit_gbp_pv"
    )
    if _finite(value):
        if _finite(net) and net < 0:
            return f"year {int(value)}, behind again by year {years}"
        return f"year {int(value)}"
    unit = headline.unit(metric)
    if "not paid back" in unit:
        return f"not within {_plural(years, 'year')}"
    if "withdrawn" in unit:
        return "money withdrawn"
    return "nothing invested"


def _payback_sentence(headline: Headline, years: int) -> str:
    """When the investment pays back, all benefits counted and in cash alone."""
    overall = _payback_words(headline, "payback_year", years)
    cash = _payback_words(headline, "cash_payback_year", years)
    if not overall.startswith("year"):
        return f"It does not pay back within the {years} years, even counting all benefits."
    behind = "behind" in overall
    if behind:
        first = (
            "Counting all benefits, the cost avoided catches up with the money invested in "
            + overall.replace(", behind again by", " but falls behind again by")
        )
    else:
        first = f"It pays back in {overall} counting all benefits"
    if cash.startswith("year"):
        tail = (
            f"; in cash alone it is ahead in {cash}"
            if "behind" in cash
            else f", and in {cash} in cash alone"
        )
    elif behind:
        tail = f"; in cash alone it never catches up within the {years} years"
    else:
        tail = f", but not in cash within the {years} years"
    return f"{first}{tail}."


def _short_verdict(headline: Headline) -> str:
    """A few words for the table at a glance."""
    invested = headline.value("investment_gbp_pv")
    if not _finite(invested) or invested == 0:
        return "No money invested"
    overall = _direction(*headline.ci("net_benefit_gbp_pv"))
    if invested < 0:
        return {
            "up": "The money saved outweighs any extra service cost",
            "down": "The extra service cost outweighs the money saved",
        }.get(overall, "Cannot tell whether the money saved outweighs the service cost")
    cash = _direction(*headline.ci("cash_net_benefit_gbp_pv"))
    if overall == "up":
        if cash == "up":
            return "Saves more than it costs, in cash too"
        if cash == "down":
            return "Saves more than it costs in capacity freed, but not in cash"
        return "Saves more than it costs in capacity freed; in cash, cannot tell"
    if overall == "down":
        return "Costs more than it avoids"
    if overall == "unclear":
        return "Cannot tell whether it saves more than it costs"
    return "Too few runs to tell"


def _optimism_bias(headlines: Sequence[Headline]) -> float:
    """The optimism bias comparison.csv was made with (0 when none), from its unit text."""
    for headline in headlines:
        found = re.search(r"\+([\d.]+) % optimism bias", headline.unit("investment_gbp_pv"))
        if found:
            return float(found.group(1)) / 100
    return 0.0


# --------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    """One assumption in use, with the value the runs used and its evidence.

    Attributes
    ----------
    path : str
        Dotted path of the setting (as in ``--set`` and docs/parameters.md).
    description : str
        What it is, from the schema.
    value : str
        The value (or values, by scenario) the runs used, in words.
    default : str
        The schema's default.
    changed : bool
        Whether a scenario used a value other than the default, or the sweep varied it.
    unit, plausible, source, confidence : str
        From the schema (``plausible`` as 'a to b'; ``confidence`` high, medium or low;
        empty when the schema does not grade it).
    """

    path: str
    description: str
    value: str
    default: str
    changed: bool
    unit: str
    plausible: str
    source: str
    confidence: str

    @property
    def is_low(self) -> bool:
        """Graded low confidence."""
        return self.confidence == "low"


@dataclass(frozen=True)
class AssumptionGroup:
    """Assumptions shown together: a lever, the services, the appraisal..."""

    title: str
    note: str
    rows: tuple[Assumption, ...] = field(default_factory=tuple)


_MISSING = object()


def _setting(settings: Mapping[str, Any], path: str) -> Any:
    """A resolved scenario's value at a dotted path (``investments.<lever>.x`` too)."""
    parts = path.split(".")
    if parts[0] == "investments" and len(parts) == 3:
        for inv in settings.get("investments") or []:
            if inv.get("lever") == parts[1]:
                return inv.get(parts[2], _MISSING)
        return _MISSING
    node: Any = settings
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _same(a: Any, b: Any) -> bool:
    if _finite(a) and _finite(b):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _assumption(
    row: Any,
    path: str,
    scenarios: Sequence[ScenarioInfo],
    varied: Mapping[str, str],
) -> Assumption | None:
    """The assumption of a schema row at ``path`` (None when no scenario has it)."""
    from .paramdoc import format_default, format_number

    default = row.field.get_default(call_default_factory=True)
    used: dict[str, list[str]] = {}
    changed = path in varied
    for scenario in scenarios:
        value = _setting(scenario.settings, path)
        if value is _MISSING:
            continue
        if not _same(value, default):
            changed = True
        shown = format_number(value) if value is not None else "(none)"
        used.setdefault(shown, []).append(scenario.label)
    if not used and path not in varied:
        return None
    if path in varied:
        value_text = varied[path]
    elif len(used) == 1:
        value_text = next(iter(used))
    else:
        value_text = "; ".join(f"{v} ({', '.join(labels)})" for v, labels in used.items())
    extra = row.extra
    plausible = extra.get("plausible")
    return Assumption(
        path=path,
        description=" ".join((row.field.description or "").split()),
        value=value_text,
        default=format_default(row.field).strip("`"),
        changed=changed,
        unit=str(extra.get("unit", "")),
        plausible=(
            f"{format_number(plausible[0])} to {format_number(plausible[1])}" if plausible else ""
        ),
        source=str(extra.get("source", "")),
        confidence=str(extra.get("confidence", "")),
    )


def assumptions_in_use(
    scenarios: Sequence[ScenarioInfo],
    varied: Mapping[str, str] | None = None,
    optimism_bias: float = 0.0,
) -> tuple[list[AssumptionGroup], AssumptionGroup]:
    """The assumptions behind the levers and services of these scenarios.

    Parameters
    ----------
    scenarios : sequence of ScenarioInfo
        The sweep's scenarios, with their resolved settings.
    varied : mapping, optional
        Settings the sweep varied, and how, in words (they are shown as varied).
    optimism_bias : float
        The optimism bias of the comparison (0.41 = +41 %).

    Returns
    -------
    groups : list of AssumptionGroup
        In order: each lever used (its effect sizes and costs), the services (demand,
        capacity, unit costs, failure demand), the appraisal (discounting, price year,
        cash-releasing shares, optimism bias), then any other setting a scenario changed
        from its default or the sweep varied.
    mechanisms : AssumptionGroup
        The low-confidence assumptions of how loneliness, ties, groups and health work
        (:data:`MECHANISM_BLOCKS`) not already in ``groups``: the appendix.
    """
    from .paramdoc import blocks

    varied = dict(varied or {})
    all_blocks = blocks()
    levers = list(dict.fromkeys(lv for s in scenarios for lv in s.levers))
    shown: set[str] = set()
    groups: list[AssumptionGroup] = []

    def make(rows: Iterable[tuple[Any, str]], among: Sequence[ScenarioInfo]) -> list[Assumption]:
        out = []
        for row, path in rows:
            item = _assumption(row, path, among, varied)
            if item is not None:
                out.append(item)
                shown.add(path)
        return out

    common = next(b for b in all_blocks if b.title.startswith("investments (every"))
    for lever in levers:
        block = next(
            (b for b in all_blocks if b.title == f"investments: {lever}"),
            None,
        )
        with_lever = [s for s in scenarios if lever in s.levers]
        rows = [
            (r, r.path.replace("<lever>", lever))
            for r in common.rows
            if "confidence" in r.extra and not r.path.endswith(".budget_per_year")
        ]
        rows += [(r, r.path) for r in (block.rows if block else ())]
        summary = block.summary if block else ""
        items = make(rows, with_lever)
        if items:
            groups.append(AssumptionGroup(lever_name(lever), summary, tuple(items)))

    services = [r for b in all_blocks if b.title.startswith("services.") for r in b.rows]
    groups.append(
        AssumptionGroup(
            "Services: demand, capacity and cost",
            "How much GP, A&E, hospital, home-care and talking-therapies use each resident "
            "generates, how much the services can supply, what unmet demand turns into, and "
            "what each unit costs. They apply to every scenario.",
            tuple(make(((r, r.path) for r in services if r.extra), scenarios)),
        )
    )
    appraisal = [r for b in all_blocks if b.title.startswith("appraisal") for r in b.rows]
    items = make(((r, r.path) for r in appraisal), scenarios)
    items.append(
        Assumption(
            path="--optimism-bias (thriving compare)",
            description="Share added to the money invested, as the Green Book asks for costs "
            "that may be underestimated.",
            value=f"{100 * optimism_bias:g} %",
            default="0 %",
            changed=optimism_bias > 0,
            unit="share of investment",
            plausible="0 to 41 %",
            source="HM Treasury Green Book supplementary guidance on optimism bias (up to "
            "41 % for outsourcing and operating costs)",
            confidence="",
        )
    )
    groups.append(
        AssumptionGroup(
            "Appraisal: discounting, prices and what counts as cash",
            "HM Treasury Green Book conventions. The cash-releasing shares say how much of "
            "each service's avoided cost is cash a budget could release; the rest is capacity "
            "freed.",
            tuple(items),
        )
    )
    others = []
    for block in all_blocks:
        if block.title.startswith(("investments", "services.", "appraisal")):
            continue
        for row in block.rows:
            if row.path in shown:
                continue
            item = _assumption(row, row.path, scenarios, varied)
            if item is not None and item.changed:
                others.append(item)
                shown.add(row.path)
    if others:
        groups.append(
            AssumptionGroup(
                "Other settings changed or varied in this experiment",
                "Settings of the model itself that a scenario file, the experiment's "
                "overrides or its grid or sampled design set away from their defaults.",
                tuple(others),
            )
        )
    mechanism_rows = [
        row
        for block in all_blocks
        if block.title.split(".")[0] in MECHANISM_BLOCKS
        for row in block.rows
        if row.path not in shown and row.extra.get("confidence") == "low"
    ]
    mechanisms = AssumptionGroup(
        "Low-confidence assumptions of how the model works",
        "Every lever acts through how loneliness, ties, community groups and health behave. "
        "These assumptions about them are graded low confidence (illustrative judgements or "
        "weak evidence); the same values apply to every scenario.",
        tuple(make(((r, r.path) for r in mechanism_rows), scenarios)),
    )
    return groups, mechanisms


# --------------------------------------------------------------------------------------
# Making what is missing
# --------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """What :func:`refresh_inputs` made for the report, and what it could not make.

    Attributes
    ----------
    made : list of str
        Files made (or made again), in words.
    problems : list of str
        Parts that could not be made, each with why (shown in the report).
    before_after : object or None
        The before-and-after analysis (a :class:`thriving.before_after.BeforeAfter`) when
        it was made here, so that the report need not make it twice.
    """

    made: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    before_after: Any = None


def _older_than(path: Path, mtime: float) -> bool:
    """Missing, or modified before ``mtime``."""
    try:
        return path.stat().st_mtime < mtime
    except FileNotFoundError:
        return True


def _own_picture(path: Path) -> bool:
    return path.name.startswith(OWN_SECTION_PICTURES)


def refresh_inputs(
    folder: str | os.PathLike[str],
    facts: SweepFacts | None = None,
    say: Callable[[str], None] | None = None,
) -> Inputs:
    """Make the comparison, pictures and analyses the report shows, where missing or stale.

    Each is made again when it is missing or older than ``summary.csv`` (a resumed sweep
    rewrites it): ``comparison.csv`` (:func:`thriving.comparison.compare_folders`), the
    pictures of ``plots/`` (:func:`thriving.plots.demand.plot_results`), the
    before-and-after comparison and its pictures when a scenario has social prescribing
    (:func:`thriving.before_after.write_before_after`) and ``sensitivity.csv`` with its
    pictures for a Morris or Sobol sweep (:func:`thriving.sensitivity.analyse_folder`).

    Parameters
    ----------
    folder : path
        The sweep's results folder.
    facts : SweepFacts, optional
        Its facts (read when not given).
    say : callable, optional
        Called with a line of text for each thing being made, or that cannot be.

    Returns
    -------
    Inputs

    Raises
    ------
    ThrivingError
        The comparison or the pictures cannot be made (the report needs them). The
        before-and-after comparison and the sensitivity indices are optional: a problem
        with them is recorded in :attr:`Inputs.problems` instead.
    """
    from . import comparison as cmp

    folder = Path(folder)
    facts = facts if facts is not None else read_facts(folder)
    say = say or (lambda text: None)
    summary = folder / SUMMARY
    if not summary.exists():
        raise ThrivingError(f"{folder} has no {SUMMARY}: run the sweep first")
    stamp = summary.stat().st_mtime
    inputs = Inputs()

    target = folder / cmp.COMPARISON_FILE
    if _older_than(target, stamp):
        say(f"Comparing each scenario with its baseline: {target}")
        cmp.write_comparison(cmp.compare_folders([folder]), target)
        inputs.made.append(cmp.COMPARISON_FILE)

    plots = folder / PLOTS_FOLDER
    pictures = [p for p in plots.glob("*.png") if not _own_picture(p)]
    if not pictures or any(_older_than(p, stamp) for p in pictures):
        from .plots.demand import plot_results

        say(f"Drawing the pictures: {plots}")
        outcome = plot_results(folder)
        inputs.made.append(f"{len(outcome.pictures)} pictures in {PLOTS_FOLDER}/")

    optional = []
    if "social_prescribing" in facts.levers:
        optional.append(("before-and-after comparison", _refresh_before_after))
    if facts.sample_method in ("morris", "sobol"):
        optional.append(("sensitivity indices", _refresh_sensitivity))
    for what, refresh in optional:
        # These parts are extras: a problem with one is said, in the report too, and the
        # rest of the report is still written.
        try:
            refresh(folder, stamp, say, inputs)
        except Exception as exc:  # noqa: BLE001 - said, not hidden
            problem = f"The {what} could not be made: {_error_words(exc)}"
            say(problem)
            inputs.problems.append(problem)
    return inputs


def _error_words(exc: BaseException) -> str:
    """A user's error as its message; anything else also named by its kind."""
    if isinstance(exc, ThrivingError):
        return str(exc)
    return f"{type(exc).__name__}: {exc} (a fault in Thriving; please report it)"


def _before_after_module() -> Any:
    """:mod:`thriving.before_after`, or None in a version of Thriving without it."""
    try:
        from . import before_after
    except ImportError:
        return None
    return before_after


def _refresh_before_after(
    folder: Path, stamp: float, say: Callable[[str], None], inputs: Inputs
) -> None:
    """before_after.csv and its pictures, when missing or stale."""
    module = _before_after_module()
    if module is None:
        return
    target = folder / module.MEASURES_FILE
    pictures = list((folder / PLOTS_FOLDER).glob("before_after*.png"))
    if not _older_than(target, stamp) and pictures:
        return
    from .plots.before_after import plot_before_after

    say(f"Following referred residents before and after, against the baseline: {target}")
    result = module.write_before_after(folder)
    plot_before_after(result)
    inputs.before_after = result
    inputs.made.append(target.name)


def _refresh_sensitivity(
    folder: Path, stamp: float, say: Callable[[str], None], inputs: Inputs
) -> None:
    """sensitivity.csv and its pictures, for a Morris or Sobol sweep."""
    from .sensitivity import INDICES_FILE

    target = folder / INDICES_FILE
    if not _older_than(target, stamp):
        return
    from .plots.sensitivity import plot_morris_sigma, plot_sensitivity
    from .sensitivity import analyse_folder, write_indices

    say(f"Ranking the assumptions that drive the answer: {target}")
    result = analyse_folder(folder)
    write_indices(result)
    plot_sensitivity(result)
    if result.method == "morris":
        plot_morris_sigma(result)
    inputs.made.append(INDICES_FILE)


# --------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------


def _e(text: Any) -> str:
    """Escape text for HTML (and keep '%' on the line of its number)."""
    return html.escape(str(text), quote=True).replace(" %", "\u00a0%")


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{_e(text)}</p>"


def _label(name: str) -> str:
    """The data-label attribute that names a cell on a phone (where headers are hidden)."""
    return f' data-label="{_e(name)}"' if name else ""


def _class(name: str) -> str:
    return f' class="{_e(name)}"' if name else ""


def _table(
    head: Sequence[str],
    rows: Iterable[Sequence[tuple[str, str]]],
    *,
    caption: str = "",
    cls: str = "stack",
    row_classes: Sequence[str] | None = None,
    numeric: Sequence[int] = (),
) -> str:
    """A table; each cell is ``(html, css class)`` and is labelled for phones."""
    lines = ['<div class="table-wrap">', f'<table class="{cls}">']
    if caption:
        lines.append(f"<caption>{_e(caption)}</caption>")
    cells = "".join(
        f'<th scope="col"{_class("num" if i in numeric else "")}>{_e(h)}</th>'
        for i, h in enumerate(head)
    )
    lines.append(f"<thead><tr>{cells}</tr></thead><tbody>")
    for k, row in enumerate(rows):
        klass = row_classes[k] if row_classes and row_classes[k] else ""
        tr = f'<tr class="{klass}">' if klass else "<tr>"
        tds = "".join(f"<td{_label(head[i])}{_class(c)}>{h}</td>" for i, (h, c) in enumerate(row))
        lines.append(f"{tr}{tds}</tr>")
    lines.append("</tbody></table></div>")
    return "\n".join(lines)


def _path(path: str) -> str:
    """A dotted path as code that may wrap after its dots and underscores."""
    return '<code class="path">' + re.sub(r"([._])", r"\1<wbr>", _e(path)) + "</code>"


def _badge(confidence: str) -> str:
    if not confidence:
        return '<span class="muted">not graded</span>'
    return f'<span class="badge {_e(confidence)}">{_e(confidence)}</span>'


def _date(stamp: str) -> str:
    """An ISO 8601 time as '24 November 2026, 17:44 UTC' (as given when unreadable)."""
    try:
        when = datetime.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC)
    return f"{when.day} {when:%B %Y, %H:%M} UTC"


# --------------------------------------------------------------------------------------
# The parts of the report
# --------------------------------------------------------------------------------------


def _question(facts: SweepFacts) -> str:
    """The question the experiment asks, in a sentence."""
    budgets = _varied_budgets(facts)
    options = [_money_words(s, budgets) for s in facts.others if s.investments]
    if options and all(option.startswith("funds ") for option in options):
        actions = "funds " + _join([option.removeprefix("funds ") for option in options], "or")
    else:
        actions = _join(options, "or") or "changes its spending as the scenarios say"
    return (
        f"If the council {actions}, how do GP appointments, A&E attendances, emergency "
        "admissions, home care and loneliness change over the "
        f"{_plural(facts.years, 'year')} that follow, compared with no new investment, and "
        "does the money saved cover the cost?"
    )


def _run_in_words(facts: SweepFacts) -> str:
    parts = [
        f"{_plural(len(facts.scenarios), 'scenario')} (baseline included), "
        f"{_plural(facts.replicates, 'run')} of each",
    ]
    points = len(facts.vary) or bool(facts.sample)
    if points:
        parts[0] += " at each point of the design"
    parts.append(f"{facts.done:,} of {facts.n_runs:,} runs finished")
    if _finite(facts.residents_simulated):
        parts.append(
            f"{format_count(facts.residents_simulated)} residents simulated for a borough of "
            f"{facts.borough_adults:,.0f} adults"
        )
    parts.append(
        f"{_plural(facts.years, 'year')} after {_plural(facts.burn_in_years, 'year')} of "
        "settling in"
    )
    return "; ".join(parts) + "."


def _cover(facts: SweepFacts, headlines: Sequence[Headline], generated: str) -> str:
    when = _date(facts.finished or facts.started)
    lines = [
        "<header>",
        '<p class="kicker">Thriving &middot; results for councillors</p>',
        "<h1>Does community investment reduce pressure on services?</h1>",
        f'<p class="subtitle">The &lsquo;{_e(facts.name)}&rsquo; experiment, run on '
        f"{_e(when)} with Thriving {_e(facts.version)}. Report made {_e(generated)}.</p>",
        "</header>",
        '<section id="question">',
        "<h2>The question</h2>",
        _p(_question(facts), "question"),
    ]
    if facts.description:
        lines.append(f"<p>The experiment: {_e(facts.description)}</p>")
    lines.append(_p(_run_in_words(facts), "muted"))
    lines.append("</section>")
    lines.append('<section id="glance">')
    lines.append("<h2>The answer at a glance</h2>")
    lines.append(_glance_table(headlines))
    lines.append(_p(_money_basis(facts, headlines), "muted"))
    lines.append(_how_sure(facts, headlines))
    lines.append("</section>")
    return "\n".join(lines)


def _money_basis(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    bias = _optimism_bias(headlines)
    added = (
        f" The money invested includes {100 * bias:g} % optimism bias."
        if bias
        else " No optimism bias is added to the money invested."
    )
    return (
        f"Money is in £ at {facts.price_year} prices, as present values over the "
        f"{_plural(facts.years, 'year')}, discounted at {100 * facts.discount_rate:g} % a year "
        "from the first year of investment (HM Treasury Green Book). Under each net benefit, "
        "in grey, is its 95 % interval." + added
    )


def _glance_table(headlines: Sequence[Headline]) -> str:
    head = [
        "Scenario",
        "Invested",
        "Net benefit, all benefits (95 % interval)",
        "Net benefit, cash only (95 % interval)",
        "£ back per £1 (all / cash)",
        "In short",
    ]
    rows = []
    for h in headlines:
        net, net_ci = h.value("net_benefit_gbp_pv"), h.ci("net_benefit_gbp_pv")
        cash, cash_ci = h.value("cash_net_benefit_gbp_pv"), h.ci("cash_net_benefit_gbp_pv")

        def cell(value: float, ci: tuple[float, float]) -> str:
            span = _interval(*ci, money=True)
            extra = f'<br><span class="interval">{_e(span)}</span>' if span else ""
            return f"{_e(format_money(value, signed=True))}{extra}"

        bcr = h.value("bcr")
        cash_bcr = h.value("cash_bcr")
        ratio = (
            f"{_ratio(bcr)} / {_ratio(cash_bcr)}" if _finite(bcr) and _finite(cash_bcr) else "n/a"
        )
        years = _years_of(h)
        payback = _payback_words(h, "payback_year", years)
        if payback.startswith("year") and "behind" in payback:
            payback = f"Ahead in {payback}"
        elif payback.startswith("year"):
            payback = f"Pays back in {payback}"
        elif payback.startswith("not within"):
            payback = f"Does not pay back {payback.removeprefix('not ')}"
        else:
            payback = ""
        verdict = _short_verdict(h)
        klass = {"up": "good", "down": "bad"}.get(
            _direction(*h.ci("net_benefit_gbp_pv")), "unclear"
        )
        rows.append(
            [
                (f'<a href="#scenario-{_slug(h.title)}"><strong>{_e(h.title)}</strong></a>', ""),
                (_e(_invested_words(h.value("investment_gbp_pv"))), "num"),
                (cell(net, net_ci), "num"),
                (cell(cash, cash_ci), "num"),
                (_e(ratio), "num"),
                (
                    f'<span class="verdict {klass}">{_e(verdict)}</span>'
                    + (f'<br><span class="muted">{_e(payback)}</span>' if payback else ""),
                    "",
                ),
            ]
        )
    return _table(head, rows, numeric=(1, 2, 3, 4))


def _invested_words(value: float) -> str:
    """Money invested, or withdrawn when below 0."""
    if _finite(value) and value < 0:
        return f"{format_money(-value)} withdrawn"
    return format_money(value)


def _slug(text: str) -> str:
    """An HTML id made of a title.

    Examples
    --------
    >>> _slug("Social prescribing, budget per year £200,000")
    'social-prescribing-budget-per-year-200-000'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _years_of(headline: Headline) -> int:
    found = re.search(r"over the (\d+) years?", headline.unit("gp_appointments_total"))
    return int(found.group(1)) if found else 0


def _how_sure(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    n = min((h.n_pairs for h in headlines), default=0)
    items = []
    if facts.sample_method:
        items.append(
            f"The runs are draws of {_plural(len(facts.varied_in_words()), 'uncertain assumption')}"
            " across their ranges (a sampled design), so the intervals include that "
            "uncertainty as well as chance. They still leave out every assumption held fixed."
        )
    else:
        items.append(
            "The intervals show only how much the answer moves from run to run by chance "
            f"({_plural(n, 'pair')} of runs of each scenario). They do not include the "
            "uncertainty in the model's assumptions, which is larger: many of the effects "
            "of the levers are illustrative judgements (see Caveats)."
        )
    if n < ENOUGH_REPLICATES:
        items.append(
            f"{_plural(n, 'pair')} of runs is few: the intervals are wide and themselves "
            f"rough. Use {ENOUGH_REPLICATES} or more replicates for figures you present."
        )
    items.append(
        "Most of the cost avoided is capacity freed (GP time, A&E and hospital beds), not "
        "cash: services will use it for other patients, and budgets do not fall. The "
        "cash-only columns count only what could be released."
    )
    items.append(
        "The borough is the Oldham-like example shipped with Thriving, some of whose ward "
        "data are illustrative. Thriving is a tool for reasoning about how uncertain the "
        "answer is, not a forecast."
        if _uses_packaged_wards(facts)
        else "Thriving is a tool for reasoning about how uncertain the answer is, not a forecast."
    )
    inner = "".join(f"<li>{_e(item)}</li>" for item in items)
    return f'<div class="callout"><h3>How sure can we be?</h3><ul>{inner}</ul></div>'


def _uses_packaged_wards(facts: SweepFacts) -> bool:
    return not (facts.baseline.settings.get("population") or {}).get("wards_file")


def _contents(parts: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{_e(key)}">{_e(title)}</a></li>' for key, title in parts)
    return f'<nav class="contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def _scenarios_part(facts: SweepFacts) -> str:
    from .series import plain_label

    lines = []
    for scenario in facts.scenarios:
        title = plain_label(scenario.label)
        if scenario.is_baseline:
            title += (
                ": the baseline, what every scenario is compared with"
                if scenario.label.lower() != "baseline"
                else ": what every scenario is compared with"
            )
        lines.append(f"<h3>{_e(title)}</h3>")
        if scenario.description:
            lines.append(_p(scenario.description))
        sentences = scenario_investments(scenario, _varied_budgets(facts))
        if sentences:
            lines.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
        elif scenario.is_baseline and not scenario.description:
            lines.append(_p("No new investment: today's community groups and services."))
        lines.append(f'<p class="muted">Scenario file: <code>{_e(scenario.file)}</code></p>')
    varied = facts.varied_in_words()
    if varied:
        lines.append("<h3>Settings varied across the runs</h3>")
        lines.append(
            "<ul>"
            + "".join(
                f"<li><code>{_e(path)}</code>: {_e(how)}</li>" for path, how in varied.items()
            )
            + "</ul>"
        )
    if facts.overrides:
        lines.append(
            _p(
                "Changed for every scenario, baseline included: "
                + "; ".join(f"{k} = {v}" for k, v in facts.overrides.items())
                + "."
            )
        )
    return "\n".join(lines)


def _outcome_table(headline: Headline, years: int) -> str:
    head = [
        "Outcome, whole borough",
        "Change a year",
        "95 % interval",
        f"Change over {_plural(years, 'year')}",
        "95 % interval",
        "Change",
        "Clear?",
    ]
    rows = []
    for metric, (name, _) in HEADLINE_OUTCOMES.items():
        if metric not in headline.rows:
            continue
        total = headline.value(metric)
        low, high = headline.ci(metric)
        direction = _direction(low, high)
        clear = {
            "down": ("fewer", "good"),
            "up": ("more", "bad"),
            "unclear": ("could be chance", "unclear"),
            "none": ("no change", "unclear"),
        }.get(direction, ("no interval", "unclear"))
        per = years or 1
        same = "same in every pair" if _same_everywhere(low, high) else ""
        rows.append(
            [
                (_e(name[:1].upper() + name[1:]), ""),
                (_e(format_count(total / per, signed=True)), "num"),
                (_e(_interval(low / per, high / per, money=False) or same), "interval"),
                (_e(format_count(total, signed=True)), "num"),
                (_e(_interval(low, high, money=False) or same), "interval"),
                (_e(format_percent(headline.rows[metric].get("pct_change"))), "num"),
                (f'<span class="{clear[1]}">{_e(clear[0])}</span>', ""),
            ]
        )
    return _table(head, rows, numeric=(1, 3, 5), caption="Demand and loneliness")


def _money_table(headline: Headline, years: int, bias: float) -> str:
    head = ["", "All benefits (capacity freed and cash)", "Cash released only"]

    def money(metric: str) -> str:
        value = headline.value(metric)
        span = _interval(*headline.ci(metric), money=True)
        extra = f'<br><span class="interval">95 %: {_e(span)}</span>' if span else ""
        return f"{_e(format_money(value, signed=metric.endswith('net_benefit_gbp_pv')))}{extra}"

    def ratio(metric: str) -> str:
        return _ratio(headline.value(metric))

    def probability(metric: str) -> str:
        value = headline.value(metric)
        if not _finite(value):
            return "n/a"
        n = headline.n_pairs
        return f"{100 * value:.0f} % ({round(value * n)} of {n} pairs)"

    invested = money("investment_gbp_pv")
    label = "Invested" + (f" (with {100 * bias:g} % optimism bias)" if bias else "")
    rows = [
        [(_e(label), ""), (invested, "num"), (invested, "num")],
        [
            (_e("Service cost avoided"), ""),
            (money("cost_avoided_gbp_pv"), "num"),
            (money("cash_cost_avoided_gbp_pv"), "num"),
        ],
        [
            (_e("Net benefit (above 0: a saving)"), ""),
            (money("net_benefit_gbp_pv"), "num"),
            (money("cash_net_benefit_gbp_pv"), "num"),
        ],
        [
            (_e("Benefit\u2013cost ratio (above 1: pays back)"), ""),
            (_e(ratio("bcr")), "num"),
            (_e(ratio("cash_bcr")), "num"),
        ],
        [
            (_e("Pays back"), ""),
            (_e(_payback_words(headline, "payback_year", years)), "num"),
            (_e(_payback_words(headline, "cash_payback_year", years)), "num"),
        ],
        [
            (_e("Probability of a net saving"), ""),
            (_e(probability("probability_net_saving")), "num"),
            (_e(probability("probability_cash_saving")), "num"),
        ],
    ]
    per = headline.value("gbp_per_lonely_person_year_averted")
    if _finite(per):
        rows.append(
            [
                (_e("Invested per lonely person-year averted"), ""),
                (_e(format_money(per)), "num"),
                ("", ""),
            ]
        )
    return _table(
        head,
        rows,
        numeric=(1, 2),
        caption=f"Money over the {_plural(years, 'year')} (present values)",
    )


def _results_part(facts: SweepFacts, headlines: Sequence[Headline]) -> str:
    bias = _optimism_bias(headlines)
    lines = [
        _p(
            "For each scenario: the change against the baseline run with the same seed (so "
            "the same chance events), averaged over the pairs of runs, for the whole borough, "
            "with its 95 % interval. A change whose interval includes zero cannot be told "
            "from chance with this many runs."
        )
    ]
    for headline in headlines:
        lines.append(f'<div class="scenario" id="scenario-{_slug(headline.title)}">')
        lines.append(f"<h3>{_e(headline.title)}</h3>")
        lines.append(
            f'<p class="muted">Against {_e(_baseline_title(facts))}, '
            f"{_e(_plural(headline.n_pairs, 'pair'))} of runs.</p>"
        )
        lines.append(
            '<div class="summary">'
            + "".join(_p(text) for text in scenario_summary(headline, facts))
            + "</div>"
        )
        lines.append(_outcome_table(headline, facts.years))
        lines.append(_money_table(headline, facts.years, bias))
        lines.append("</div>")
    return "\n".join(lines)


def _baseline_title(facts: SweepFacts) -> str:
    from .series import plain_label

    name = plain_label(facts.baseline.label)
    return "the baseline" if name.lower() == "baseline" else f"the baseline ({name})"


# --------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A PNG picture ready to inline."""

    name: str
    data_uri: str
    width: int
    height: int


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header (0, 0 if it is not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return 0, 0
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _read_picture(path: Path) -> Picture | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    width, height = _png_size(data)
    if not width:
        return None
    encoded = base64.b64encode(data).decode("ascii")
    return Picture(path.stem, f"data:image/png;base64,{encoded}", width, height)


def _figure(picture: Picture, caption: str = "") -> str:
    alt = picture.name.replace("_", " ")
    caption_html = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return (
        f'<figure id="picture-{_e(picture.name)}"><img src="{picture.data_uri}" '
        f'alt="{_e(alt)}" width="{picture.width}" height="{picture.height}">'
        f"{caption_html}</figure>"
    )


def _picture_order(path: Path) -> tuple[int, str]:
    """Pictures of services and measures in the order the plots and tables give them."""
    from .series import METRICS

    order = list(METRICS)
    stem = path.stem
    for i, metric in enumerate(order):
        if stem.endswith(metric):
            return i, stem
    return len(order), stem


def _pictures_part(folder: Path) -> tuple[str, int]:
    """The pictures of plots/ (not those with sections of their own), grouped."""
    files = sorted((folder / PLOTS_FOLDER).glob("*.png"), key=_picture_order)
    files = [p for p in files if not _own_picture(p)]
    used: set[Path] = set()
    lines = []
    count = 0
    for prefix, title, how in PICTURE_GROUPS:
        group = [p for p in files if p.name.startswith(prefix) and p not in used]
        pictures = [pic for pic in map(_read_picture, group) if pic is not None]
        used.update(group)
        if not pictures:
            continue
        lines.append(f"<h3>{_e(title)}</h3>")
        lines.append(_p(how, "how-to-read"))
        lines += [_figure(pic) for pic in pictures]
        count += len(pictures)
    rest = [pic for pic in map(_read_picture, [p for p in files if p not in used]) if pic]
    if rest:
        lines.append("<h3>Other pictures</h3>")
        lines += [_figure(pic) for pic in rest]
        count += len(rest)
    if not count:
        lines.append(_p("There are no pictures in the plots folder (run thriving plot)."))
    return "\n".join(lines), count


# --------------------------------------------------------------------------------------
# Before and after; sensitivity
# --------------------------------------------------------------------------------------


def _before_after_part(folder: Path, facts: SweepFacts, inputs: Inputs) -> tuple[str, int]:
    """The before-and-after pictures and sentences, for sweeps with social prescribing."""
    from .series import plain_label

    module = _before_after_module()
    if module is None or "social_prescribing" not in facts.levers:
        return "", 0
    lines = [
        _p(
            "Evaluations of social prescribing often compare referred people's GP use in the "
            "year before referral with the year after. People are referred when their need "
            "is at a peak, and many would improve anyway (regression to the mean), so such a "
            "fall overstates the effect. Here each referred resident is also followed in the "
            "baseline run with the same seed, where nobody is referred: the difference between "
            "the two is the effect of social prescribing; the rest of the fall would have "
            "happened anyway."
        )
    ]
    problems = [p for p in inputs.problems if p.startswith("The before-and-after")]
    result = inputs.before_after
    sentences: list[str] = []
    try:
        if result is None and not problems:
            result = module.analyse_before_after(folder)
        if result is not None:
            sentences = [module.headline(group) for group in result.groups]
    except Exception as exc:  # noqa: BLE001 - an extra: said in the report, not hidden
        problems.append(f"The before-and-after comparison could not be made: {_error_words(exc)}")
    for problem in problems:
        lines.append(_p(problem, "muted"))
    for sentence in sentences:
        # The module's headline: a first line naming the scenario, then a line per window.
        first, *rest = [line.strip() for line in sentence.splitlines() if line.strip()] or [""]
        for label in sorted((s.label for s in facts.others), key=len, reverse=True):
            if first.startswith(label):
                first = plain_label(label) + first[len(label) :]
                break
        lines.append(f"<p><strong>{_e(first)}</strong></p>")
        if rest:
            lines.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in rest) + "</ul>")
    if sentences:
        lines += [_p(note, "muted") for note in getattr(result, "notes", [])]
    count = 0
    for path in sorted((folder / PLOTS_FOLDER).glob("before_after*.png")):
        picture = _read_picture(path)
        if picture is not None:
            lines.append(_figure(picture))
            count += 1
    return "\n".join(lines), count


def _sensitivity_part(folder: Path) -> tuple[str, int]:
    """The ranked assumptions of sensitivity.csv, its pictures and how to read them."""
    from .sensitivity import INDICES_FILE, METRIC_WORDS
    from .series import plain_label

    path = folder / INDICES_FILE
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError:
        return "", 0
    if not rows:
        return "", 0
    morris = "mu_star" in rows[0]
    metric = rows[0].get("metric", "")
    scenario = rows[0].get("scenario", "")
    money = metric.endswith("_gbp_pv")
    what = (
        f"{METRIC_WORDS.get(metric, metric.replace('_', ' '))} of {plain_label(scenario).lower()}"
    )
    if morris:
        intro = (
            f"Which assumptions move the answer most? The Morris method moved each sampled "
            f"assumption across its range, one at a time, many times. mu* is how much the "
            f"{what} typically moves when "
            "that assumption goes from the low to the high end of its range; the noise column "
            "is what replicate noise alone would give. Ranks whose mu* (less its 95 % margin) "
            "is not above the noise may be chance."
        )
        head = ["Rank", "Assumption", "mu*", "\u00b1 95 %", "Noise", "Above the noise?"]
    else:
        intro = (
            f"Which assumptions move the answer most? ST is the share of the variation of the "
            f"{what} across the sampled "
            "design that the assumption explains, with its interactions; S1 on its own. An "
            "assumption with ST near 0 could be fixed anywhere in its range."
        )
        head = ["Rank", "Assumption", "S1", "ST", "\u00b1 95 %", "Above the noise?"]
    body = []
    for row in rows:
        name = f"{_e(row.get('description') or row['parameter'])}{_path(row['parameter'])}"
        noise = _float(row.get("noise_level"))
        if morris:
            value, conf = _float(row.get("mu_star")), _float(row.get("mu_star_conf"))
            cells = [
                (_e(_number(value, money)), "num"),
                (_e(_number(conf, money)), "num"),
                (_e(_number(noise, money) if _finite(noise) else "n/a"), "num"),
            ]
        else:
            value, conf = _float(row.get("ST")), _float(row.get("ST_conf"))
            cells = [
                (_e(f"{_float(row.get('S1')):.2f}"), "num"),
                (_e(f"{value:.2f}"), "num"),
                (_e(f"{conf:.2f}"), "num"),
            ]
        above = "n/a" if not _finite(noise) else ("yes" if value - conf > noise else "no")
        body.append([(_e(row.get("rank", "")), "num"), (name, ""), *cells, (_e(above), "")])
    lines = [_p(intro), _table(head, body, numeric=(0, 2, 3, 4))]
    count = 0
    names = (f"sensitivity_{metric}.png", f"sensitivity_{metric}_sigma.png")
    for picture_path in [folder / PLOTS_FOLDER / name for name in names]:
        picture = _read_picture(picture_path)
        if picture is not None:
            lines.append(_figure(picture))
            count += 1
    return "\n".join(lines), count


# --------------------------------------------------------------------------------------
# Assumptions and caveats
# --------------------------------------------------------------------------------------


def _assumption_table(group: AssumptionGroup, compact: bool = False) -> str:
    if compact:
        head = ["Assumption", "Value used", "Plausible range", "Source"]
    else:
        head = ["Assumption", "Value used", "Plausible range", "Unit", "Source", "Confidence"]
    rows = []
    classes = []
    for item in group.rows:
        changed = (
            f'<br><span class="muted">default {_e(item.default)}</span>'
            if item.changed and item.default
            else ""
        )
        name = f"{_e(item.description)}{_path(item.path)}"
        cells = [(name, ""), (f"{_e(item.value)}{changed}", ""), (_e(item.plausible), "")]
        if compact:
            cells.append((_e(item.source), "source"))
        else:
            cells += [
                (_e(item.unit), ""),
                (_e(item.source), "source"),
                (_badge(item.confidence), ""),
            ]
        rows.append(cells)
        classes.append("low-confidence" if item.is_low else "")
    return _table(head, rows, row_classes=classes)


def _assumptions_part(groups: Sequence[AssumptionGroup]) -> str:
    n = sum(len(g.rows) for g in groups)
    low = sum(item.is_low for g in groups for item in g.rows)
    lines = [
        _p(
            f"The {n} settings below drive the levers and services in these scenarios. Each "
            "has the value the runs used, the range the evidence supports, where it comes "
            f"from and how far to trust it. {low} are graded low confidence (marked with an "
            "orange edge): illustrative judgements or weak evidence. Every parameter, with its "
            "full reference, is in docs/parameters.md."
        )
    ]
    for group in groups:
        lines.append(f"<h3>{_e(group.title)}</h3>")
        if group.note:
            lines.append(_p(group.note, "muted"))
        lines.append(_assumption_table(group))
    return "\n".join(lines)


def _illustrative_ward_columns(table: Any) -> dict[str, int]:
    """Columns of the ward table said to be illustrative, with how many wards say so."""
    counts: dict[str, int] = {}
    for source in table.sources:
        for segment in str(source).split(";"):
            if ":" not in segment or "illustrative" not in segment.split(":", 1)[1]:
                continue
            for column in segment.split(":", 1)[0].split(","):
                column = column.strip()
                counts[column] = counts.get(column, 0) + 1
    return counts


def _ward_caveat(facts: SweepFacts) -> str:
    table = _ward_table(facts.baseline.settings)
    if table is None:
        return ""
    counts = _illustrative_ward_columns(table)
    packaged = _uses_packaged_wards(facts)
    intro = (
        f"The borough is the Oldham-like example shipped with Thriving ({table.n_wards} wards, "
        f"{float(table.adults.sum()):,.0f} adults), not Oldham's statistics."
        if packaged
        else f"The ward table is {table.file} ({table.n_wards} wards)."
    )
    if not counts:
        return intro
    parts = []
    for column, k in counts.items():
        words = WARD_COLUMN_WORDS.get(column, column.replace("_", " "))
        whole = "every ward" if k == table.n_wards else f"{_plural(k, 'ward')}"
        parts.append(f"{words} ({whole})")
    return (
        f"{intro} Its source column says these are illustrative, not measured: "
        f"{_join(parts)}. Targeting by deprivation (most deprived wards) and the who-benefits "
        "pictures rest on them."
    )


def _cash_shares(facts: SweepFacts) -> str:
    shares = ((facts.baseline.settings.get("appraisal") or {}).get("cash_releasing")) or {}
    parts = [
        f"{CASH_SERVICE_WORDS.get(k, k)} {100 * float(v):.0f} %"
        for k, v in shares.items()
        if _finite(v)
    ]
    return _join(parts)


def _caveats(
    facts: SweepFacts,
    headlines: Sequence[Headline],
    groups: Sequence[AssumptionGroup],
    mechanisms: AssumptionGroup,
) -> list[tuple[str, str]]:
    """The caveats: (title, HTML) pairs, the weakest evidence first."""
    out: list[tuple[str, str]] = []
    lever_titles = {lever_name(lv) for lv in facts.levers}
    lever_groups = [g for g in groups if g.title in lever_titles]
    low_by_lever = [(g.title, [item for item in g.rows if item.is_low]) for g in lever_groups]
    low_by_lever = [(title, items) for title, items in low_by_lever if items]
    n_low = sum(len(items) for _, items in low_by_lever)
    if n_low:
        lists = "".join(
            f"<li><strong>{_e(title)}</strong><ul>"
            + "".join(
                f"<li>{_e(_first_clause(item.description))}: {_e(item.value)}"
                f"{(' ' + _e(item.unit)) if item.unit else ''}. Source: {_e(item.source)}."
                "</li>"
                for item in items
            )
            + "</ul></li>"
            for title, items in low_by_lever
        )
        out.append(
            (
                "The levers' effects rest on weak evidence",
                _p(
                    f"{_plural(n_low, 'assumption')} about what the money buys and what it "
                    f"does {'is' if n_low == 1 else 'are'} graded low confidence. The answer "
                    "can move a lot with them: sweep them across their plausible ranges (an "
                    "experiment with 'sample: {method: morris}', see docs/sensitivity.md) "
                    "before relying on it."
                )
                + f"<ul>{lists}</ul>",
            )
        )
    other_low = [(g, item) for g in groups if g not in lever_groups for item in g.rows]
    other_low = [(g, item) for g, item in other_low if item.is_low]
    if other_low:
        counts = {}
        for group, _ in other_low:
            counts[group.title] = counts.get(group.title, 0) + 1
        where = _join([f"{k} in {title.split(':')[0].lower()}" for title, k in counts.items()])
        out.append(
            (
                "Services and settings with weak evidence",
                _p(
                    f"{_plural(len(other_low), 'further assumption')} in use "
                    f"{'is' if len(other_low) == 1 else 'are'} graded low confidence ({where}): "
                    "mostly how much each service can supply, how much unmet demand turns into "
                    "A&E visits and admissions ('failure demand'), and how much of the cost "
                    "avoided is cash. They are marked with an orange edge, with their sources, "
                    "in the Assumptions section."
                ),
            )
        )
    if mechanisms.rows:
        out.append(
            (
                "How loneliness, ties, groups and health work",
                _p(
                    f"{_plural(len(mechanisms.rows), 'assumption')} about how the levers "
                    "reach health and services (how groups form and close, how ties fade, how "
                    "loneliness and activity act on need) are graded low confidence. They are "
                    "listed in the appendix with their sources."
                ),
            )
        )
    contagion = _setting(facts.baseline.settings, "loneliness.contagion_strength")
    if _finite(contagion) and contagion > 0:
        rate = (
            "at the rate"
            if math.isclose(float(contagion), 1.0)
            else f"at {format_count(float(contagion))} times the rate"
        )
        out.append(
            (
                "Loneliness spreading between friends is contested",
                _p(
                    f"The model lets loneliness spread through close ties {rate} estimated "
                    "from one US cohort (Hill et al. 2010, Framingham); that evidence may "
                    "reflect people choosing friends like themselves and sharing the same "
                    "surroundings rather than contagion. Setting loneliness.contagion_strength "
                    "to 0 shows the answer without it."
                ),
            )
        )
    n = min((h.n_pairs for h in headlines), default=0)
    if n < ENOUGH_REPLICATES:
        out.append(
            (
                "Few runs",
                _p(
                    f"Each scenario was run {_plural(n, 'time')} (paired with the baseline by "
                    f"seed). With fewer than {ENOUGH_REPLICATES} the intervals are wide and "
                    "themselves uncertain, and small effects cannot be told from chance. Set "
                    f"'replicates: {ENOUGH_REPLICATES}' or more in the experiment file for "
                    "figures you will present."
                ),
            )
        )
    if _finite(facts.residents_simulated) and facts.residents_simulated < facts.borough_adults:
        ratio = facts.borough_adults / facts.residents_simulated
        out.append(
            (
                "A sample of the borough",
                _p(
                    f"The runs simulated {format_count(facts.residents_simulated)} residents, a "
                    f"representative sample of the borough's {facts.borough_adults:,.0f} adults "
                    f"(1 in {ratio:.1f}). Budgets were scaled down to the sample and counts and "
                    "costs back up to the whole borough, so the numbers are for the whole "
                    "borough, but noisier than a full-size run. Small wards have few simulated "
                    "residents."
                ),
            )
        )
    wards = _ward_caveat(facts)
    if wards:
        out.append(("Illustrative ward data", _p(wards)))
    shares = _cash_shares(facts)
    out.append(
        (
            "Capacity freed is not cash",
            _p(
                "Fewer GP appointments, A&E attendances or admissions free staff time and "
                "beds that other patients will use; budgets do not fall. Only the "
                "cash-releasing shares count as cash"
                + (f" ({shares})" if shares else "")
                + ". Read the 'all benefits' figures as the value of capacity freed, and the "
                "'cash released only' figures as what could come back to a budget."
            ),
        )
    )
    out.append(
        (
            "Regression to the mean",
            _p(
                "People are referred to help when their need is at a peak, and many would "
                "improve anyway. Before-and-after evaluations therefore overstate effects "
                "(local evaluations report cuts of 20\u201330 % in GP and A&E use; the largest "
                "controlled study found about 1.1 fewer GP appointments a quarter per person "
                "referred). This report compares each scenario with the same residents under "
                "the baseline, which avoids that bias; do not set its numbers beside "
                "before-and-after figures."
            ),
        )
    )
    left_out = [
        "children: the model simulates adults only;",
        "services that adapt: capacities are fixed, and services do not triage or expand "
        "when queues grow;",
        "friends and family outside the borough: only ties within it count;",
        "community groups' own running costs beyond the grants, and volunteers' time;",
        "people leaving long-term social care other than by dying or moving away;",
        "distance: space is wards only;",
        "any check against an evaluation of a local programme: the baseline is calibrated "
        "to national rates (docs/calibration.md), not to this borough's own records.",
    ]
    out.append(
        (
            "What the model leaves out",
            "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in left_out) + "</ul>",
        )
    )
    for note in facts.notes:
        out.append(("Scenario settings not recorded", _p(note)))
    if facts.pending or facts.failed:
        out.append(
            (
                "Unfinished sweep",
                _p(
                    f"{facts.done:,} of {facts.n_runs:,} runs finished ({facts.pending:,} not "
                    f"run, {facts.failed:,} failed). The numbers use the finished runs only; "
                    "run the same thriving sweep command again to complete it, then make the "
                    "report again."
                ),
            )
        )
    return out


def _first_clause(text: str) -> str:
    """The description up to its first full stop (without it)."""
    text = " ".join(text.split())
    found = re.search(r"\.(\s|$)", text)
    return text[: found.start()] if found else text


def _caveats_part(caveats: Sequence[tuple[str, str]]) -> str:
    lines = []
    for title, body in caveats:
        lines.append(f"<h3>{_e(title)}</h3>")
        lines.append(body)
    lines.append(
        _p(
            "Read more: docs/odd.md (how the model works, process by process, and its known "
            "limitations), docs/parameters.md (every parameter with its source and "
            "confidence), docs/calibration.md (how well the baseline reproduces national "
            "rates) and docs/cost_benefit.md (the cost-benefit conventions), in the Thriving "
            "repository."
        )
    )
    return "\n".join(lines)


def _how_made_part(facts: SweepFacts, made: Sequence[str]) -> str:
    seeds = ", ".join(str(s) for s in facts.seeds)
    rows = [
        (
            "Experiment",
            f"{facts.name} ({facts.experiment_file})" if facts.experiment_file else facts.name,
        ),
        (
            "Run",
            f"{_date(facts.started)} to {_date(facts.finished)}"
            if facts.finished
            else _date(facts.started),
        ),
        ("Thriving version", facts.version),
        ("Runs", f"{facts.done:,} of {facts.n_runs:,} finished ({facts.failed:,} failed)"),
        ("Replicates", f"{facts.replicates:,} of each scenario, paired by seed"),
        ("Seeds", f"experiment seed {facts.seed}; replicate seeds {seeds}"),
        (
            "Residents simulated",
            f"{format_count(facts.residents_simulated)} of the borough's "
            f"{facts.borough_adults:,.0f} adults",
        ),
        (
            "Horizon",
            f"{_plural(facts.years, 'year')} reported, after "
            f"{_plural(facts.burn_in_years, 'year')} of settling in (burn-in)",
        ),
        ("Prices", f"{facts.price_year}; discounted at {100 * facts.discount_rate:g} % a year"),
        ("Results folder", os.path.abspath(facts.folder)),
    ]
    if made:
        rows.append(("Made for this report", "; ".join(made)))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    command = f"thriving sweep {facts.experiment_file or 'EXPERIMENT.yaml'}"
    return (
        f'<dl class="facts">{items}</dl>'
        + _p(
            "The same experiment file and Thriving version give exactly the same numbers on "
            "any machine. To make them again:"
        )
        + f"<p><code>{_e(command)}</code> then <code>thriving report RESULTS_FOLDER</code></p>"
    )


# --------------------------------------------------------------------------------------
# The whole page
# --------------------------------------------------------------------------------------


def _template(name: str) -> str:
    return (importlib.resources.files("thriving") / "templates" / name).read_text(encoding="utf-8")


def render_report(
    folder: str | os.PathLike[str],
    inputs: Inputs | None = None,
    generated: str | None = None,
) -> tuple[str, int]:
    """The report of a sweep's results folder, as one HTML page.

    Reads what the folder holds (run :func:`refresh_inputs` first to make what is
    missing); writes nothing.

    Parameters
    ----------
    folder : path
        The sweep's results folder.
    inputs : Inputs, optional
        What :func:`refresh_inputs` made (listed in the report) and could not make.
    generated : str, optional
        When the report is made, in words (now, when not given).

    Returns
    -------
    html : str
    images : int
        Pictures inlined.

    Raises
    ------
    ThrivingError
        The folder is not a sweep's results folder or has no comparison.csv.
    """
    from .comparison import COMPARISON_FILE

    folder = Path(folder)
    inputs = inputs if inputs is not None else Inputs()
    facts = read_facts(folder)
    comparison_file = folder / COMPARISON_FILE
    if not comparison_file.exists():
        raise ThrivingError(
            f"{folder} has no {COMPARISON_FILE}: run thriving report (or thriving compare) "
            "on it first"
        )
    headlines = read_comparison(comparison_file)
    if generated is None:
        generated = _date(datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"))
    groups, mechanisms = assumptions_in_use(
        facts.scenarios, facts.varied_in_words(), _optimism_bias(headlines)
    )
    pictures_html, n_pictures = _pictures_part(folder)
    before_html, n_before = _before_after_part(folder, facts, inputs)
    sensitivity_html, n_sensitivity = _sensitivity_part(folder)

    parts: list[tuple[str, str, str]] = [
        ("scenarios", "The scenarios", _scenarios_part(facts)),
        ("results", "Results, scenario by scenario", _results_part(facts, headlines)),
        ("pictures", "Pictures", pictures_html),
    ]
    if before_html:
        parts.append(
            ("before-after", "Before and after, against what would have happened", before_html)
        )
    if sensitivity_html:
        parts.append(("sensitivity", "Which assumptions matter most", sensitivity_html))
    parts += [
        ("assumptions", "Assumptions and their sources", _assumptions_part(groups)),
        (
            "caveats",
            "Caveats: where the evidence is weak",
            _caveats_part(_caveats(facts, headlines, groups, mechanisms)),
        ),
        ("how-made", "How these results were made", _how_made_part(facts, inputs.made)),
        (
            "appendix",
            "Appendix: " + mechanisms.title,
            _p(mechanisms.note, "muted") + _assumption_table(mechanisms, compact=True),
        ),
    ]
    numbered = [(key, f"{i}. {title}", body) for i, (key, title, body) in enumerate(parts, 1)]
    body = [_cover(facts, headlines, generated)]
    body.append(_contents([(key, title) for key, title, _ in parts]))
    for key, title, content in numbered:
        body.append(
            f'<section class="part" id="{_e(key)}"><h2>{_e(title)}</h2>\n{content}\n</section>'
        )
    body.append(
        "<footer>Made by Thriving "
        f"{_e(facts.version)}, an open-source model of a borough's residents, their ties, "
        "community groups and services. Every number here comes from the files of the results "
        f"folder ({_e(os.fspath(folder))}): comparison.csv, summary.csv and the plots.</footer>"
    )
    page = string.Template(_template("report.html")).substitute(
        title=_e(f"Thriving report: {facts.name}"),
        version=_e(facts.version),
        style=_template("report.css"),
        body="\n".join(body),
    )
    return page, n_pictures + n_before + n_sensitivity


@dataclass(frozen=True)
class ReportOutcome:
    """What :func:`write_report` did.

    Attributes
    ----------
    path : Path
        The report written.
    made : list of str
        Inputs made (or made again) for it.
    images : int
        Pictures inlined.
    size_bytes : int
        The report's size.
    """

    path: Path
    made: list[str]
    images: int
    size_bytes: int


def write_report(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    say: Callable[[str], None] | None = None,
) -> ReportOutcome:
    """Make what is missing, then write the report of a sweep atomically.

    Parameters
    ----------
    folder : path
        A sweep's results folder.
    out : path, optional
        The HTML file to write; ``<folder>/report.html`` when not given.
    say : callable, optional
        Told, a line at a time, what is being made.

    Returns
    -------
    ReportOutcome

    Raises
    ------
    ThrivingError
        The folder is not a finished sweep's results folder; the comparison cannot be
        made; the file cannot be written.
    """
    folder = Path(folder)
    facts = read_facts(folder)
    inputs = refresh_inputs(folder, facts, say)
    page, images = render_report(folder, inputs)
    target = Path(out) if out is not None else folder / REPORT_FILE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, page)
    except OSError as exc:
        raise ThrivingError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ReportOutcome(target, inputs.made, images, len(page.encode("utf-8")))
