"""What the report is made of: the sweep's facts, headline numbers and assumptions.

Facts about the sweep (its manifest), the headline numbers of ``comparison.csv`` and
the assumptions in use, with their sources.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thriving.analysis.comparison import COLUMNS as COMPARISON_COLUMNS
from thriving.analysis.results import finished_records, read_manifest
from thriving.analysis.series import plain_label, point_text
from thriving.config.errors import ThrivingError
from thriving.config.paramdoc import blocks, format_default, format_number
from thriving.config.scenario import load_scenario
from thriving.config.wards import load_ward_table
from thriving.report.labels import finite, join, lever_name
from thriving.runs.store import ResultsFolder

#: Blocks of the scenario whose low-confidence assumptions are listed in the appendix:
#: how loneliness, ties, groups and health work, through which every lever acts.
MECHANISM_BLOCKS: tuple[str, ...] = ("population", "loneliness", "network", "groups", "health")

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
        out: dict[str, str] = {}
        for path, values in (self.vary or {}).items():
            shown = [format_number(v) for v in values] if isinstance(values, list) else []
            out[path] = f"{join(shown, 'or')} (one grid point each)" if shown else "varied"
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
            "folder of a sweep, with a baseline and the scenarios compared with it: compare "
            "the scenario files over several seeds (thriving compare "
            "scenarios/baseline.yaml scenarios/X.yaml --replicates 10, then thriving report "
            "on the folder it names), or write an experiment file (see "
            "experiments/README.md) and run thriving sweep"
        )
    results, manifest = read_manifest(folder)
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
    done = [str(e.get("run_id")) for e in manifest.get("runs") or [] if e.get("status") == "done"]
    return next((record for _, record in finished_records(results, done, [])), None)


def ward_table(settings: Mapping[str, Any]) -> Any:
    """The ward table a scenario used, or None if it cannot be read now."""
    path = (settings.get("population") or {}).get("wards_file")
    try:
        return load_ward_table(path)
    except (ThrivingError, OSError, ValueError):
        return None


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
            if finite(row.get("n_pairs")):
                return int(row["n_pairs"])
        return 0

    @property
    def title(self) -> str:
        """The scenario (and grid point) in words."""
        name = plain_label(self.scenario)
        return f"{name}, {point_text(self.point)}" if self.point else name


#: Columns of comparison.csv that hold numbers (all but the outcome's name and unit).
_NUMBER_COLUMNS = tuple(c for c in COMPARISON_COLUMNS if c not in ("metric", "unit"))


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
        numbers: dict[str, Any] = {c: float_or_nan(row.get(c)) for c in _NUMBER_COLUMNS}
        numbers["unit"] = row.get("unit", "")
        headline = out.setdefault(key, Headline(row["scenario"], point, {}))
        headline.rows[row["metric"]] = numbers
    return list(out.values())


def float_or_nan(text: str | None) -> float:
    """A number of a CSV cell; NaN when the cell is empty or not a number."""
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def _parse_value(text: str) -> Any:
    value = float_or_nan(text)
    return text if math.isnan(value) else value


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


def setting_at(settings: Mapping[str, Any], path: str) -> Any:
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
    if finite(a) and finite(b):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _assumption(
    row: Any,
    path: str,
    scenarios: Sequence[ScenarioInfo],
    varied: Mapping[str, str],
) -> Assumption | None:
    """The assumption of a schema row at ``path`` (None when no scenario has it)."""
    default = row.field.get_default(call_default_factory=True)
    used: dict[str, list[str]] = {}
    changed = path in varied
    for scenario in scenarios:
        value = setting_at(scenario.settings, path)
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
