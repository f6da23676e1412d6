"""Experiment files: which scenarios to run, what to vary, how many replicates.

An experiment file is YAML, like a scenario file, and is checked as strictly::

    name: quickstart
    baseline: ../scenarios/baseline.yaml       # the counterfactual
    scenarios: [../scenarios/social_prescribing.yaml, ../scenarios/community_grants.yaml]
    replicates: 10                              # seeds per point, shared by every scenario
    seed: 2026
    overrides: {population.residents: 20000}    # applied to every scenario, baseline too
    vary:                                       # a grid over dotted paths (optional)
      investments.social_prescribing.budget_per_year: [100000, 200000, 400000]

or, instead of ``vary``, a sampling design over ranges::

    sample:
      method: latin_hypercube                   # or sobol, morris
      n: 64
      ranges: {loneliness.contagion_strength: [0, 1]}

Rules
-----
* Scenario files are named relative to the experiment file. Each scenario's ``name`` is
  its label in results; labels must differ.
* **Paths** are the dotted paths ``--set`` takes, with investments addressed by lever:
  ``investments.social_prescribing.budget_per_year``.
* **Overrides** apply to every scenario, baseline included; an override of an
  investment (``investments.<lever>...``) applies to the scenarios that have that lever
  (it never adds a lever to a scenario). An override no scenario has is an error.
* **Varied and sampled paths** apply to every scenario that has them: a varied
  ``investments.social_prescribing`` setting changes the social prescribing scenario and
  leaves the baseline alone; a varied ``loneliness.contagion_strength`` changes every
  scenario, baseline included. A path no scenario has is an error, and so is a path
  given twice (in ``overrides`` and ``vary``, say), a varied section together with a
  setting inside it, or a varied ``name`` (it is the label). Only number settings can
  be sampled; a whole-number setting needs a whole-number range. A ward table
  (``population.wards_file``) named in the experiment is relative to it.
* **Points.** A grid (``vary``) gives every combination of the listed values, the last
  path changing fastest. A design (``sample``) gives one point per row of its matrix:
  ``latin_hypercube`` ``n`` rows (scipy's Latin hypercube), ``sobol`` ``n * (D + 2)`` rows
  (``n * (2D + 2)`` with ``second_order: true``; Saltelli's scheme, SALib; ``n`` a power
  of two), ``morris`` ``n`` trajectories of ``D + 1`` rows on ``levels`` levels (default
  4; SALib), for ``D`` sampled paths. Values for whole-number settings are rounded.
  Without ``vary`` or ``sample`` there is one point, with nothing varied.
* **Runs.** Every scenario is run at every point, ``replicates`` times. Replicate ``r``
  has the same seed in every scenario and at every point (common random numbers), taken
  from ``numpy.random.SeedSequence(seed)`` (:func:`replicate_seeds`). Each run is paired
  with the baseline run of the same seed and the same values of the varied settings the
  baseline also has. Identical runs (the baseline at points that differ only in settings
  it does not have) are made once.

Problems are reported all at once, one per line, as ``FILE:LINE: path: message``,
the same way as for scenarios; a scenario file's own problems name that file.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import typing
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from thriving.config.comparable import comparability_message, differences_from_baseline
from thriving.config.errors import WHOLE_FILE, Problem, ScenarioError
from thriving.config.runspec import RunSpec, mark_gp_tracking, run_id
from thriving.config.scenario import (
    PLAIN_MESSAGES,
    SET_FILE,
    LineMap,
    Location,
    clip_text,
    load_scenario,
    load_scenario_mapping,
    number_hint,
    read_yaml_mapping,
    suggest_name,
    type_members,
    unknown_name,
)
from thriving.config.schema import LEVERS, Investment, Scenario

__all__ = [
    "MAX_REPLICATES",
    "MAX_RUNS",
    "SAMPLE_METHODS",
    "Experiment",
    "ExperimentConfig",
    "ExperimentScenario",
    "SampleConfig",
    "design_rows",
    "load_experiment",
    "replicate_seeds",
]

#: Sampling designs ``sample.method`` accepts.
SAMPLE_METHODS = ("latin_hypercube", "sobol", "morris")
#: Most replicates (seeds per point) an experiment may ask for.
MAX_REPLICATES = 10_000
#: Most runs one experiment may expand into (points x scenarios x replicates).
MAX_RUNS = 1_000_000
#: Most points (grid combinations or design rows).
MAX_POINTS = 100_000
#: Morris levels when ``sample.levels`` is not given.
DEFAULT_MORRIS_LEVELS = 4
#: Replicate seeds are kept below 2**48 so that Excel, which keeps 15 digits, shows them
#: exactly; among 10,000 replicates two share a seed with odds of about 1 in 5 million
#: (checked: an experiment never gets a repeated seed).
SEED_BITS = 48

_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
#: Keeps the sampling design's random numbers apart from the replicate seeds.
_SAMPLE_STREAM = zlib.crc32(b"experiment sample design")

PathKey = tuple[str | int, ...]


# --------------------------------------------------------------------------------------
# The schema of experiment files
# --------------------------------------------------------------------------------------


def _rule(message: str, *at: str | int) -> PydanticCustomError:
    """A broken rule, with the path (below the validated field) it is about."""
    return PydanticCustomError("experiment_rule", "{message}", {"message": message, "at": at})


class SampleConfig(BaseModel):
    """A sampling design over ranges of settings, instead of a grid."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    method: Literal["latin_hypercube", "sobol", "morris"] = Field(
        ..., description="Design: latin_hypercube, sobol (Saltelli) or morris."
    )
    n: int = Field(
        ...,
        strict=True,
        ge=1,
        le=MAX_POINTS,
        description="Rows for latin_hypercube; base samples for sobol (a power of two); "
        "trajectories for morris.",
    )
    ranges: dict[str, tuple[StrictFloat, StrictFloat]] = Field(
        ..., min_length=1, description="Dotted path to [low, high]."
    )
    levels: int | None = Field(
        None,
        strict=True,
        ge=2,
        le=100,
        description=f"Morris grid levels (even; {DEFAULT_MORRIS_LEVELS} when not given).",
    )
    second_order: bool = Field(
        False, strict=True, description="Sobol: also sample for second-order indices."
    )

    @field_validator("ranges")
    @classmethod
    def _low_below_high(
        cls, ranges: dict[str, tuple[float, float]]
    ) -> dict[str, tuple[float, float]]:
        for path, (low, high) in ranges.items():
            if not low < high:
                raise _rule(
                    f"the low end must be below the high end (got [{_show(low)}, {_show(high)}])",
                    path,
                )
        return ranges

    @model_validator(mode="after")
    def _fits_method(self) -> SampleConfig:
        if self.levels is not None and self.method != "morris":
            raise _rule(
                f"levels is for the morris method only (the method is {self.method})", "levels"
            )
        if self.levels is not None and self.levels % 2:
            raise _rule(f"must be an even number, such as 4 or 6 (got {self.levels})", "levels")
        if self.second_order and self.method != "sobol":
            raise _rule(
                f"second_order is for the sobol method only (the method is {self.method})",
                "second_order",
            )
        if self.method == "sobol" and self.n & (self.n - 1):
            below = 1 << (self.n.bit_length() - 1)
            raise _rule(
                f"for sobol, n must be a power of two, such as {below} or {below * 2} "
                f"(got {self.n})",
                "n",
            )
        return self

    @property
    def morris_levels(self) -> int:
        """Levels of the Morris grid (the default when not given)."""
        return DEFAULT_MORRIS_LEVELS if self.levels is None else self.levels


class ExperimentConfig(BaseModel):
    """An experiment file as written (paths not yet resolved)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(..., min_length=1, max_length=200, description="Short experiment name.")
    description: str = Field("", max_length=20_000, description="What the experiment is.")
    baseline: str = Field(
        ..., min_length=1, description="The counterfactual scenario file (relative path)."
    )
    scenarios: list[str] = Field(
        ..., max_length=100, description="Scenario files compared with the baseline."
    )
    replicates: int = Field(
        ...,
        strict=True,
        ge=1,
        le=MAX_REPLICATES,
        description="Seeds per point, shared by every scenario.",
    )
    seed: int = Field(
        ..., strict=True, ge=0, le=2**63 - 1, description="Seed the replicate seeds come from."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Dotted path to value, for every scenario."
    )
    vary: dict[str, list[Any]] = Field(
        default_factory=dict, description="Dotted path to the values of a grid."
    )
    sample: SampleConfig | None = Field(None, description="A sampling design over ranges.")

    @field_validator("scenarios")
    @classmethod
    def _files_not_empty(cls, files: list[str]) -> list[str]:
        for i, file in enumerate(files):
            if not file.strip():
                raise _rule("must be the file name of a scenario", i)
        return files

    @field_validator("vary")
    @classmethod
    def _values_given(cls, vary: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for path, values in vary.items():
            if not values:
                raise _rule("give at least one value, as a list such as [100000, 200000]", path)
            seen: list[Any] = []
            for i, value in enumerate(values):
                if any(type(value) is type(s) and value == s for s in seen):
                    raise _rule(f"the value {_show(value)} is listed twice", path, i)
                seen.append(value)
        return vary

    @model_validator(mode="after")
    def _grid_or_design(self) -> ExperimentConfig:
        if self.vary and self.sample is not None:
            raise _rule(
                "give either 'vary' (a grid of values) or 'sample' (a design over ranges), "
                "not both",
                "sample",
            )
        return self


# --------------------------------------------------------------------------------------
# The loaded experiment
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentScenario:
    """One scenario of an experiment, with the experiment's overrides applied.

    Attributes
    ----------
    label : str
        The scenario's ``name``: its label in results.
    file : str
        The scenario file, as the experiment names it, joined to the experiment's folder.
    scenario : Scenario
        The scenario with the experiment's overrides (not a point's values).
    is_baseline : bool
        Whether this is the experiment's baseline.
    """

    label: str
    file: str
    scenario: Scenario
    is_baseline: bool


class Experiment:
    """A checked experiment, expanded into runs.

    Made by :func:`load_experiment`; treat it as read-only.

    Attributes
    ----------
    config : ExperimentConfig
        The file as written.
    file : str
        The experiment file, as given.
    scenarios : tuple of ExperimentScenario
        Baseline first, then the others in the file's order.
    seeds : tuple of int
        The seed of each replicate (:func:`replicate_seeds`).
    points : tuple of dict
        Every point: dotted path to value, for every varied or sampled path (a scenario
        gets the values of the paths it has). One empty point when nothing varies.
    sample_problem : dict or None
        SALib problem definition of a ``sample`` design (``num_vars``, ``names``,
        ``bounds``), None for a grid.
    sample_matrix : (points, D) float64 array or None
        The design as sampled, one row per point and one column per path of
        ``sample_problem["names"]``, before whole-number settings are rounded (the
        matrix SALib's analysers expect). Read-only. None for a grid.
    """

    def __init__(
        self,
        config: ExperimentConfig,
        file: str,
        scenarios: tuple[ExperimentScenario, ...],
        points: tuple[dict[str, Any], ...],
        runs_at_points: tuple[tuple[tuple[str, RunSpec], ...], ...],
        sample_problem: dict[str, Any] | None,
        sample_matrix: np.ndarray | None,
    ) -> None:
        self.config = config
        self.file = file
        self.scenarios = scenarios
        self.seeds = replicate_seeds(config.seed, config.replicates)
        self.points = points
        self.sample_problem = sample_problem
        self.sample_matrix = sample_matrix
        self._runs_at_points = runs_at_points
        unique: dict[str, RunSpec] = {}
        for point_runs in runs_at_points:
            for _, spec in point_runs:
                unique.setdefault(spec.run_id, spec)
        self._runs = tuple(unique.values())
        self._fingerprint = _fingerprint(self)

    # Settings of the file -------------------------------------------------------------

    @property
    def name(self) -> str:
        """The experiment's name (the default results folder is ``results/<name>/``)."""
        return self.config.name

    @property
    def description(self) -> str:
        """What the experiment is, as its file says."""
        return self.config.description

    @property
    def replicates(self) -> int:
        """Seeds per point, shared by every scenario."""
        return self.config.replicates

    @property
    def seed(self) -> int:
        """The experiment's seed, from which the replicate seeds come."""
        return self.config.seed

    @property
    def labels(self) -> tuple[str, ...]:
        """Scenario labels (their names), baseline first."""
        return tuple(s.label for s in self.scenarios)

    @property
    def baseline_label(self) -> str:
        """Label of the baseline scenario."""
        return self.scenarios[0].label

    @property
    def fingerprint(self) -> str:
        """Hash of what the runs are: run ids, labels, points, seeds, pairing, design.

        Two loads of an unchanged experiment, or of one changed only in comments,
        ``name``, ``description`` or file locations, have the same fingerprint; any
        change to the runs (a scenario file's values, overrides, the grid or design,
        replicates, seed) changes it. 16 hex digits.
        """
        return self._fingerprint

    # Runs ------------------------------------------------------------------------------

    def runs(self) -> list[RunSpec]:
        """Every run, each once, in a stable order.

        Points in order; at each point the baseline, then the other scenarios in the
        file's order; for each, replicates 0, 1, .... A run identical to one already
        listed (same run id) is not repeated.
        """
        return list(self._runs)

    def runs_by_point(self) -> list[dict[str, list[RunSpec]]]:
        """The runs at each point, by scenario label, in replicate order.

        Unlike :meth:`runs`, a run shared by several points (a baseline run when only
        settings the baseline lacks vary) is listed at each of them. Row ``i`` of
        :attr:`sample_matrix` is point ``i``, for sensitivity analysis.
        """
        result = []
        for point_runs in self._runs_at_points:
            by_label: dict[str, list[RunSpec]] = {label: [] for label in self.labels}
            for label, spec in point_runs:
                by_label[label].append(spec)
            result.append(by_label)
        return result

    def summary(self) -> str:
        """One line for people: how many runs, from what."""
        n_scenarios = len(self.scenarios)
        n_points = len(self.points)
        total = n_scenarios * n_points * self.replicates
        text = (
            f"{len(self._runs):,} runs: {n_scenarios} scenario{'s' * (n_scenarios != 1)} "
            f"(baseline included) x {n_points:,} point{'s' * (n_points != 1)} x "
            f"{self.replicates:,} replicate{'s' * (self.replicates != 1)}"
        )
        if total != len(self._runs):
            text += f"; {total - len(self._runs):,} identical runs shared between points"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The resolved experiment as JSON-safe data, for a results folder's manifest.

        Holds the settings, each scenario fully resolved (with the overrides), the
        replicate seeds, the points, the sampling design and the fingerprint; not the
        runs themselves (see :meth:`runs`).
        """
        sample = None
        if self.config.sample is not None:
            design = self.config.sample
            sample = {
                "method": design.method,
                "n": design.n,
                "levels": design.morris_levels if design.method == "morris" else None,
                "second_order": design.second_order,
                "ranges": {path: list(bounds) for path, bounds in design.ranges.items()},
                "problem": self.sample_problem,
                "matrix": None if self.sample_matrix is None else self.sample_matrix.tolist(),
            }
        return _json_safe(
            {
                "name": self.name,
                "description": self.description,
                "file": self.file,
                "fingerprint": self.fingerprint,
                "baseline": self.baseline_label,
                "labels": list(self.labels),
                "replicates": self.replicates,
                "seed": self.seed,
                "seeds": list(self.seeds),
                "overrides": dict(self.config.overrides),
                "vary": {path: list(values) for path, values in self.config.vary.items()},
                "sample": sample,
                "points": [dict(p) for p in self.points],
                "n_runs": len(self._runs),
                "scenarios": [
                    {
                        "label": s.label,
                        "file": s.file,
                        "is_baseline": s.is_baseline,
                        "scenario": s.scenario.model_dump(mode="json"),
                    }
                    for s in self.scenarios
                ],
            }
        )

    def __repr__(self) -> str:
        return f"<Experiment {self.name!r}: {self.summary()}>"


def replicate_seeds(seed: int, replicates: int) -> tuple[int, ...]:
    """Seeds of the replicates: child ``r`` of ``numpy.random.SeedSequence(seed)``.

    Replicate ``r`` gets the same seed whatever the number of replicates, so adding
    replicates keeps the runs already made.

    Parameters
    ----------
    seed : int
        The experiment's seed (non-negative).
    replicates : int
        How many seeds.

    Returns
    -------
    tuple of int
        Distinct seeds below ``2**48``.

    Examples
    --------
    >>> replicate_seeds(2026, 3) == replicate_seeds(2026, 5)[:3]
    True
    >>> len(set(replicate_seeds(2026, 1000)))
    1000
    """
    children = np.random.SeedSequence(seed).spawn(replicates)
    shift = 64 - SEED_BITS
    seeds = tuple(int(c.generate_state(1, dtype=np.uint64)[0]) >> shift for c in children)
    if len(set(seeds)) != len(seeds):  # about 1 in 5 million at 10,000 replicates
        raise ValueError(f"seed {seed} gives two replicates the same seed; choose another seed")
    return seeds


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def load_experiment(path: str | os.PathLike[str]) -> Experiment:
    """Read, check and expand an experiment file.

    Parameters
    ----------
    path
        The experiment YAML file; problems name it as given. Scenario files are found
        relative to its folder.

    Returns
    -------
    Experiment
        With every scenario loaded and every run made (as :class:`RunSpec`).

    Raises
    ------
    ScenarioError
        Listing every problem found, each as ``FILE:LINE: path: message``: in the
        experiment file, in a scenario file it names, or in a value that would make a
        scenario invalid.
    """
    display = os.fspath(path)
    data, lines = read_yaml_mapping(display)
    return _Loader(display, data, lines).load()


class _Loader:
    """Checks an experiment file step by step, collecting problems."""

    def __init__(self, display: str, data: dict[str, Any], lines: LineMap) -> None:
        self.display = display
        self.folder = os.path.dirname(display)
        self.data = data
        self.lines = lines
        self.problems: list[Problem] = []

    # Helpers -----------------------------------------------------------------------

    def where(self, *path: str | int) -> Location:
        return self.lines.locate(path)

    def add(self, path: PathKey, message: str, shown: str | None = None) -> None:
        where = self.lines.locate(path)
        line = where.line if where.file == self.display else None
        self.problems.append(Problem(self.display, line, shown or _display(path), message))

    def fail_if_problems(self) -> None:
        """Raise every problem found so far, in the experiment file's line order.

        A scenario file's problems stay right after the experiment line that names it.
        """
        if not self.problems:
            return
        anchors = []
        anchor = 0
        for problem in self.problems:
            if problem.file == self.display:
                anchor = problem.line or 0
            anchors.append(anchor)
        order = sorted(range(len(self.problems)), key=anchors.__getitem__)
        raise ScenarioError([self.problems[i] for i in order])

    # Steps -------------------------------------------------------------------------

    def load(self) -> Experiment:
        config = self.check_config()
        self.check_paths()
        entries = self.load_scenarios()
        self.fail_if_problems()
        assert config is not None and entries is not None
        scenarios = self.apply_overrides(config, entries)
        self.fail_if_problems()
        assert scenarios is not None
        self.check_labels(scenarios)
        applies = self.check_applicable(config, scenarios)
        self.fail_if_problems()
        points, values_from, problem, matrix = self.make_points(config)
        self.fail_if_problems()
        runs_at_points = self.expand(config, scenarios, points, values_from, applies)
        self.fail_if_problems()
        return Experiment(
            config,
            self.display,
            tuple(s.public for s in scenarios),
            points,
            runs_at_points,
            problem,
            matrix,
        )

    def check_config(self) -> ExperimentConfig | None:
        try:
            return ExperimentConfig.model_validate(self.data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            # A misspelt key ("replicate") is reported once, with its suggestion, not
            # also as the key it was meant to be, missing.
            meant = set()
            for err in errors:
                if err["type"] == "extra_forbidden":
                    loc = tuple(err["loc"])
                    model = SampleConfig if loc[:1] == ("sample",) else ExperimentConfig
                    meant.add((*loc[:-1], suggest_name(str(loc[-1]), model.model_fields)))
            for err in errors:
                if err["type"] == "missing" and tuple(err["loc"]) in meant:
                    continue
                path, message = _config_message(err, self.data)
                self.add(path, message)
            return None

    def check_paths(self) -> None:
        """Every dotted path of overrides, vary and sample.ranges names a setting."""
        sample = self.data.get("sample")
        sections = [
            (("overrides",), self.data.get("overrides")),
            (("vary",), self.data.get("vary")),
            (("sample", "ranges"), sample.get("ranges") if isinstance(sample, dict) else None),
        ]
        seen: dict[str, PathKey] = {}
        for prefix, section in sections:
            if not isinstance(section, dict):
                continue
            for key in section:
                path = (*prefix, key)
                message = _path_problem(key)
                if message is None and prefix != ("overrides",) and key == "name":
                    message = "a scenario's name is its label in results; it cannot be varied"
                if message is None and prefix == ("sample", "ranges"):
                    message = _sampled_field_problem(key, section[key])
                if message is not None:
                    self.add(path, message)
                    continue
                if key in seen:
                    other = seen[key]
                    self.add(
                        path,
                        f"{key} is given in {other[0]} too (line {self.where(*other).line}); "
                        "give it in one place",
                    )
                elif prefix != ("overrides",):
                    # A varied section and a setting inside it: which value would win?
                    for other_key, other in seen.items():
                        inner, outer = sorted((key, other_key), key=len, reverse=True)
                        if other[:-1] == prefix and inner.startswith(outer + "."):
                            self.add(
                                path,
                                f"{inner} is inside {outer}, which is varied too (line "
                                f"{self.where(*other).line}); vary a section or settings "
                                "inside it, not both",
                            )
                seen[key] = path

    def load_scenarios(self) -> list[_Entry] | None:
        """Find and read every scenario file (without overrides yet)."""
        names: list[tuple[PathKey, str, bool]] = []
        baseline = self.data.get("baseline")
        if isinstance(baseline, str) and baseline.strip():
            names.append((("baseline",), baseline.strip(), True))
        scenarios = self.data.get("scenarios")
        if isinstance(scenarios, list):
            for i, name in enumerate(scenarios):
                if isinstance(name, str) and name.strip():
                    names.append((("scenarios", i), name.strip(), False))
        entries: list[_Entry] = []
        first: dict[str, PathKey] = {}
        for path, name, is_baseline in names:
            file = os.path.normpath(os.path.join(self.folder, os.path.expanduser(name)))
            try:
                absolute = os.path.abspath(file)
                exists, is_dir = os.path.isfile(absolute), os.path.isdir(absolute)
            except (OSError, ValueError):
                self.add(path, f"{clip_text(name)!r} is not a usable file name")
                continue
            if not exists:
                what = "is a folder, not a file" if is_dir else "does not exist"
                self.add(
                    path, f"the scenario file {clip_text(name)!r} {what} (looked for {absolute})"
                )
                continue
            if absolute in first:
                other = first[absolute]
                role = "the baseline" if other == ("baseline",) else f"{_display(other)}"
                self.add(path, f"{clip_text(name)!r} is already listed as {role}; list it once")
                continue
            first[absolute] = path
            try:
                raw, _ = load_scenario_mapping(file)
            except ScenarioError as exc:
                self.scenario_problems(path, name, exc.problems)
                continue
            entries.append(_Entry(path, name, file, is_baseline, _levers(raw)))
        return entries if len(entries) == len(names) else None

    def scenario_problems(self, path: PathKey, name: str, problems: Iterable[Problem]) -> None:
        """Report a scenario file's own problems after a line naming it."""
        self.add(path, f"the scenario {clip_text(name)!r} has problems, listed below")
        self.problems.extend(problems)

    def apply_overrides(
        self, config: ExperimentConfig, entries: list[_Entry]
    ) -> list[_Entry] | None:
        """Load each scenario with the overrides that apply to it."""
        overrides = {
            key: _resolve_wards_file(key, value, self.folder)
            for key, value in config.overrides.items()
        }
        for key in overrides:
            lever = _lever_of_path(key)
            if lever is not None and not any(lever in e.levers for e in entries):
                self.add(
                    ("overrides", key),
                    f"no scenario in this experiment has the lever {lever!r}, so this changes "
                    "nothing; an override of an investment applies only to the scenarios "
                    "that have that lever",
                )
        if self.problems:
            return None
        for entry in entries:
            applied = {
                key: value
                for key, value in overrides.items()
                if _lever_of_path(key) in (None, *entry.levers)
            }
            origins = {key: (("overrides", key), None) for key in applied}
            try:
                entry.scenario = load_scenario(entry.file, applied)
            except ScenarioError as exc:
                own = [p for p in exc.problems if p.file != SET_FILE]
                if own:
                    self.scenario_problems(entry.path, entry.name, own)
                self.problems.extend(
                    self.relocate(p, origins) for p in exc.problems if p.file == SET_FILE
                )
            else:
                entry.overrides = applied
        return None if self.problems else entries

    def relocate(
        self, problem: Problem, origins: Mapping[str, tuple[PathKey, str | None]]
    ) -> Problem:
        """Point a problem with a value from this file (reported as ``--set``) at its line.

        ``origins`` maps each dotted path given to the scenario to where the experiment
        file holds its value, and how to show that place (None: its own path).
        """
        for key, (path, shown) in origins.items():
            if problem.path == key or problem.path.startswith((key + ".", key + "[")):
                rest = problem.path[len(key) :]
                where = self.lines.locate(path)
                return Problem(
                    self.display, where.line, (shown or _display(path)) + rest, problem.message
                )
        where = self.lines.root
        return Problem(self.display, where.line, problem.path, problem.message)

    def check_labels(self, entries: list[_Entry]) -> None:
        named: dict[str, _Entry] = {}
        for entry in entries:
            label = entry.scenario.name
            if label in named:
                other = named[label]
                self.add(
                    entry.path,
                    f"the scenarios {clip_text(other.name)!r} and {clip_text(entry.name)!r} "
                    f"are both named {clip_text(label)!r}; each scenario of an experiment needs "
                    "a name of its own (its label in results)",
                )
            named[label] = entry

    def check_applicable(
        self, config: ExperimentConfig, entries: list[_Entry]
    ) -> dict[str, tuple[bool, ...]]:
        """Which scenarios have each varied or sampled path; a path none has is an error."""
        applies: dict[str, tuple[bool, ...]] = {}
        if config.sample is not None:
            paths = [(p, ("sample", "ranges", p)) for p in config.sample.ranges]
        else:
            paths = [(p, ("vary", p)) for p in config.vary]
        dumps = [entry.scenario.model_dump() for entry in entries]
        for key, where in paths:
            has = tuple(_has(dump, key.split(".")) for dump in dumps)
            if not any(has):
                lever = _lever_of_path(key)
                if lever is not None and not any(lever in e.levers for e in entries):
                    message = (
                        f"no scenario in this experiment has the lever {lever!r}; a varied "
                        "setting applies to the scenarios that have it, and none does"
                    )
                else:
                    message = "no scenario in this experiment has this setting"
                self.add(where, message)
            applies[key] = has
        return applies

    def make_points(
        self, config: ExperimentConfig
    ) -> tuple[
        tuple[dict[str, Any], ...],
        dict[str, PathKey],
        dict[str, Any] | None,
        np.ndarray | None,
    ]:
        """Points of the grid or design; where each path's values are written."""
        if config.sample is not None:
            design = config.sample
            rows = design_rows(design)
            if rows > MAX_POINTS:
                self.add(
                    ("sample", "n"),
                    f"this design has {rows:,} points; at most {MAX_POINTS:,} are allowed",
                )
                return (), {}, None, None
            problem, matrix = _design(design, config.seed)
            kinds = [_number_kind(_field_at(p)) for p in design.ranges]
            points = tuple(
                {
                    path: _round_half_up(value) if kind == "int" else float(value)
                    for path, kind, value in zip(design.ranges, kinds, row, strict=True)
                }
                for row in matrix
            )
            values_from = {p: ("sample", "ranges", p) for p in design.ranges}
            return points, values_from, problem, matrix
        n_points = math.prod(len(v) for v in config.vary.values())
        if n_points > MAX_POINTS:
            self.add(
                ("vary",),
                f"the grid has {n_points:,} points; at most {MAX_POINTS:,} are allowed",
            )
            return (), {}, None, None
        paths = list(config.vary)
        combos = itertools.product(*(config.vary[p] for p in paths))
        points = tuple(
            {p: _resolve_wards_file(p, v, self.folder) for p, v in zip(paths, c, strict=True)}
            for c in combos
        )
        return points, {p: ("vary", p) for p in paths}, None, None

    def expand(
        self,
        config: ExperimentConfig,
        entries: list[_Entry],
        points: tuple[dict[str, Any], ...],
        values_from: dict[str, PathKey],
        applies: dict[str, tuple[bool, ...]],
    ) -> tuple[tuple[tuple[str, RunSpec], ...], ...]:
        total = len(points) * len(entries) * config.replicates
        if total > MAX_RUNS:
            self.add(
                ("replicates",),
                f"this experiment makes {total:,} runs ({len(entries)} scenarios x "
                f"{len(points):,} points x {config.replicates:,} replicates); at most "
                f"{MAX_RUNS:,} are allowed",
            )
            return ()
        try:
            seeds = replicate_seeds(config.seed, config.replicates)
        except ValueError as exc:
            self.add(("seed",), str(exc))
            return ()
        if config.sample is not None:
            self.check_range_ends(config.sample, entries, applies)
            if self.problems:
                return ()
        cache: dict[tuple[int, str], tuple[Scenario, tuple[str, ...]] | None] = {}
        failed: set[int] = set()
        incomparable: set[int] = set()
        result = []
        for point in points:
            point_runs: list[tuple[str, RunSpec]] = []
            baseline_ids: tuple[str, ...] | None = None
            baseline_scenario: Scenario | None = None
            for index, entry in enumerate(entries):
                values = {key: value for key, value in point.items() if applies[key][index]}
                key = (index, _freeze(values))
                if key not in cache:
                    cache[key] = None
                    if index not in failed or config.sample is None:
                        scenario = self.resolve(entry, values, values_from)
                        if scenario is None:
                            failed.add(index)
                        else:
                            cache[key] = (scenario, tuple(run_id(scenario, s) for s in seeds))
                resolved = cache[key]
                if resolved is None or (baseline_ids is None and not entry.is_baseline):
                    continue  # its problems (or the baseline's) are reported
                scenario, ids = resolved
                if entry.is_baseline:
                    baseline_ids, baseline_scenario = ids, scenario
                elif baseline_scenario is not None and index not in incomparable:
                    differences = differences_from_baseline(baseline_scenario, scenario)
                    if differences:
                        incomparable.add(index)
                        self.add(entry.path, comparability_message(differences))
                for r, seed in enumerate(seeds):
                    spec = RunSpec(
                        run_id=ids[r],
                        scenario=scenario,
                        seed=seed,
                        replicate=r,
                        scenario_label=entry.label,
                        scenario_file=entry.file,
                        point=dict(values),
                        is_baseline=entry.is_baseline,
                        baseline_run_id=None if entry.is_baseline else baseline_ids[r],
                    )
                    point_runs.append((entry.label, spec))
            result.append(tuple(point_runs))
        return mark_gp_tracking(result)  # which runs follow referred residents' GP use

    def check_range_ends(
        self,
        design: SampleConfig,
        entries: list[_Entry],
        applies: dict[str, tuple[bool, ...]],
    ) -> None:
        """Both ends of each sampled range must be values every scenario having it accepts."""
        for path, (low, high) in design.ranges.items():
            kind = _number_kind(_field_at(path))
            for end in (low, high):
                value = _round_half_up(end) if kind == "int" else end
                for index, entry in enumerate(entries):
                    if applies[path][index]:
                        self.resolve(entry, {path: value}, {path: ("sample", "ranges", path)})

    def resolve(
        self, entry: _Entry, values: dict[str, Any], values_from: dict[str, PathKey]
    ) -> Scenario | None:
        """The entry's scenario with a point's values, or None after reporting problems."""
        if not values:
            return entry.scenario
        if all(_is_scalar(v) and not _about_wards(k) for k, v in values.items()):
            # The quick way, for plain values: set them on the loaded scenario's data.
            # (Ward targets and tables are checked against the ward table by the loader.)
            data = entry.scenario.model_dump()
            try:
                for key, value in values.items():
                    _set(data, key.split("."), value)
                return Scenario.model_validate(data)
            except (ValidationError, LookupError, TypeError, AttributeError, StopIteration):
                pass  # the loader says where and why (and merges sections its own way)
        try:
            return load_scenario(entry.file, {**entry.overrides, **values})
        except ScenarioError as exc:
            origins: dict[str, tuple[PathKey, str | None]] = {
                key: (("overrides", key), None) for key in entry.overrides
            }
            for key, value in values.items():
                origins[key] = _value_origin(self.data, values_from[key], value, self.folder)
            setting = ", ".join(f"{k} = {_show(v)}" for k, v in values.items())
            for problem in exc.problems:
                if problem.file == SET_FILE:
                    self.problems.append(self.relocate(problem, origins))
                else:
                    # A rule across settings of the scenario, broken by the point's values
                    path, shown = origins[next(iter(values))]
                    where = self.lines.locate(path)
                    self.problems.append(
                        Problem(
                            self.display,
                            where.line,
                            problem.path,
                            f"{problem.message} (scenario {entry.label!r} with {setting}; "
                            f"see {problem.file}" + (f":{problem.line})" if problem.line else ")"),
                        )
                    )
            return None


class _Entry:
    """A scenario of the experiment while it is being loaded."""

    def __init__(
        self, path: PathKey, name: str, file: str, is_baseline: bool, levers: tuple[str, ...]
    ) -> None:
        self.path = path
        self.name = name
        self.file = file
        self.is_baseline = is_baseline
        self.levers = levers
        self.scenario: Scenario = None  # type: ignore[assignment]  # set by apply_overrides
        self.overrides: dict[str, Any] = {}

    @property
    def label(self) -> str:
        return self.scenario.name

    @property
    def public(self) -> ExperimentScenario:
        return ExperimentScenario(self.label, self.file, self.scenario, self.is_baseline)


def _value_origin(
    data: Mapping[str, Any], path: PathKey, value: Any, folder: str
) -> tuple[PathKey, str | None]:
    """Where a point's value is written: a grid value's own item, or a sampled range."""
    if path[0] == "vary":
        values = data.get("vary", {}).get(path[1], [])
        for i, item in enumerate(values):
            item = _resolve_wards_file(str(path[1]), item, folder)
            if type(item) is type(value) and item == value:
                return (*path, i), None
    return path, None


# --------------------------------------------------------------------------------------
# Sampling designs
# --------------------------------------------------------------------------------------


def design_rows(design: SampleConfig) -> int:
    """Points a sampling design makes (rows of its matrix).

    Examples
    --------
    >>> design_rows(SampleConfig(method="morris", n=10, ranges={"a": (0, 1), "b": (0, 1)}))
    30
    """
    d = len(design.ranges)
    if design.method == "sobol":
        return design.n * (2 * d + 2 if design.second_order else d + 2)
    if design.method == "morris":
        return design.n * (d + 1)
    return design.n


def _design(design: SampleConfig, seed: int) -> tuple[dict[str, Any], np.ndarray]:
    """Sample the design: SALib's problem definition and the matrix, one row per point."""
    names = list(design.ranges)
    bounds = [[float(low), float(high)] for low, high in design.ranges.values()]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    stream = np.random.SeedSequence([seed, _SAMPLE_STREAM])
    if design.method == "latin_hypercube":
        from scipy.stats import qmc

        rng = np.random.default_rng(stream)
        try:
            engine = qmc.LatinHypercube(d=len(names), rng=rng)
        except TypeError:  # scipy before 1.15 calls it seed
            engine = qmc.LatinHypercube(d=len(names), seed=rng)
        matrix = qmc.scale(engine.random(design.n), *np.array(bounds).T)
    else:
        # SALib gets a whole-number seed (every SALib version takes one) and a copy of
        # the problem (it adds keys to the one it is given).
        salib_seed = int(stream.generate_state(1)[0])
        if design.method == "sobol":
            from SALib.sample import sobol

            matrix = sobol.sample(
                dict(problem), design.n, calc_second_order=design.second_order, seed=salib_seed
            )
        else:
            from SALib.sample import morris

            matrix = morris.sample(
                dict(problem), design.n, num_levels=design.morris_levels, seed=salib_seed
            )
    matrix = np.array(matrix, dtype=np.float64)
    matrix.setflags(write=False)
    return problem, matrix


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


# --------------------------------------------------------------------------------------
# Paths into the scenario schema
# --------------------------------------------------------------------------------------


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in type_members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


_LEVER_MODELS: dict[str, type[BaseModel]] = {
    typing.get_args(m.model_fields["lever"].annotation)[0]: m for m in _models(Investment)
}


def _lever_of_path(key: str) -> str | None:
    """The lever an ``investments.<lever>...`` path addresses, else None."""
    segments = key.split(".")
    return segments[1] if segments[0] == "investments" and len(segments) > 1 else None


def _path_problem(key: str) -> str | None:
    """Why a dotted path names no setting of a scenario (None when it does)."""
    if not _PATH.match(key):
        return (
            "a path is setting names joined by dots, such as horizon.years or "
            "investments.social_prescribing.budget_per_year"
        )
    segments = key.split(".")
    model: type[BaseModel] | None = Scenario
    i = 0
    while i < len(segments):
        segment = segments[i]
        if model is None:
            return f"{'.'.join(segments[:i])} is a single value; it has no {segment!r}"
        if segment not in model.model_fields:
            return unknown_name("setting", segment, model.model_fields)
        if model is Scenario and segment == "investments" and i + 1 < len(segments):
            lever = segments[i + 1]
            if lever not in _LEVER_MODELS:
                return unknown_name("lever", lever, LEVERS)
            if i + 2 < len(segments) and segments[i + 2] == "lever":
                return "the lever of an investment cannot be changed"
            model = _LEVER_MODELS[lever]
            i += 2
            continue
        models = _models(model.model_fields[segment].annotation)
        model = models[0] if len(models) == 1 else None
        i += 1
    return None


def _field_at(key: str) -> FieldInfo | None:
    """The schema field a valid dotted path ends at (None for an investment entry)."""
    segments = key.split(".")
    model: type[BaseModel] = Scenario
    info: FieldInfo | None = None
    i = 0
    while i < len(segments):
        if model is Scenario and segments[i] == "investments" and i + 1 < len(segments):
            model, info = _LEVER_MODELS[segments[i + 1]], None
            i += 2
            continue
        info = model.model_fields[segments[i]]
        models = _models(info.annotation)
        if models:
            model = models[0]
        i += 1
    return info


def _number_kind(info: FieldInfo | None) -> Literal["int", "float"] | None:
    if info is None:
        return None
    members = type_members(info.annotation)
    if float in members:
        return "float"
    if int in members:
        return "int"
    return None


def _sampled_field_problem(key: str, bounds: Any) -> str | None:
    """A sampled path must be a number; a whole-number setting needs whole-number ends."""
    kind = _number_kind(_field_at(key))
    if kind is None:
        return "only settings that are numbers can be sampled; this one is not a number"
    if kind == "int" and isinstance(bounds, list):
        for end in bounds:
            if isinstance(end, float) and not end.is_integer():
                return (
                    f"{key.rsplit('.', 1)[-1]} is a whole number, so the range must be whole "
                    f"numbers (got {_show(end)}); sampled values are rounded"
                )
    return None


def _has(data: Any, segments: list[str]) -> bool:
    """Whether a scenario's data has a dotted path (investments addressed by lever)."""
    node = data
    i = 0
    while i < len(segments):
        if not isinstance(node, dict) or segments[i] not in node:
            return False
        node = node[segments[i]]
        if i == 0 and segments[0] == "investments" and len(segments) > 1:
            node = next((e for e in node if e.get("lever") == segments[1]), None)
            if node is None:
                return False
            i += 2
            continue
        i += 1
    return True


def _set(data: dict[str, Any], segments: list[str], value: Any) -> None:
    """Set a value the data has (see :func:`_has`) at a dotted path."""
    node: Any = data
    i = 0
    while i < len(segments) - 1:
        node = node[segments[i]]
        if i == 0 and segments[0] == "investments":
            node = next(e for e in node if e.get("lever") == segments[1])
            i += 2
            continue
        i += 1
    node[segments[-1]] = value


def _levers(raw: Any) -> tuple[str, ...]:
    """Levers a scenario's (unvalidated) data has."""
    investments = raw.get("investments") if isinstance(raw, dict) else None
    if not isinstance(investments, list):
        return ()
    return tuple(
        e["lever"] for e in investments if isinstance(e, dict) and isinstance(e.get("lever"), str)
    )


def _resolve_wards_file(key: str, value: Any, folder: str) -> Any:
    """Make a ward table named in the experiment file relative to the experiment's folder."""

    def absolute(name: Any) -> Any:
        if isinstance(name, str) and name.strip():
            return os.path.abspath(os.path.join(folder, os.path.expanduser(name.strip())))
        return name

    if key == "population.wards_file":
        return absolute(value)
    if key == "population" and isinstance(value, dict) and "wards_file" in value:
        return {**value, "wards_file": absolute(value["wards_file"])}
    return value


# --------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------

_MISSING = {
    "name": "every experiment file needs a name; add a line such as 'name: quickstart'",
    "baseline": "every experiment file needs a baseline scenario to compare with; add a "
    "line such as 'baseline: ../scenarios/baseline.yaml'",
    "scenarios": "every experiment file lists its scenarios; add a line such as "
    "'scenarios: [../scenarios/social_prescribing.yaml]'",
    "replicates": "every experiment file says how many replicates (seeds) to run; add a "
    "line such as 'replicates: 10'",
    "seed": "every experiment file needs a seed, so that it can be re-run exactly; add a "
    "line such as 'seed: 2026'",
}


def _config_message(err: Mapping[str, Any], data: Any) -> tuple[PathKey, str]:
    """Path and plain-English message of a pydantic error on an experiment file."""
    loc: PathKey = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "experiment_rule":
        return (*loc, *ctx.get("at", ())), str(ctx["message"])
    if kind == "missing" and loc in {(k,) for k in _MISSING}:
        return loc, _MISSING[str(loc[0])]
    if kind == "missing":
        if loc[:2] == ("sample", "ranges"):
            return loc[:3], "must be two numbers, [low, high]"
        return loc, "is required but missing"
    if kind == "extra_forbidden":
        model: type[BaseModel] = SampleConfig if loc[:1] == ("sample",) else ExperimentConfig
        return loc, unknown_name("key", str(loc[-1]), model.model_fields)
    if loc[:2] == ("sample", "ranges") and len(loc) == 3:
        return loc, f"must be two numbers, [low, high] (got {_show(value)})"
    if loc == ("vary",) and kind == "dict_type":
        return loc, (
            "must be a section of 'setting: [values]' lines, such as "
            "'investments.social_prescribing.budget_per_year: [100000, 200000]'"
        )
    if loc[:1] == ("vary",) and len(loc) == 2 and kind == "list_type":
        return loc, f"must be a list of values, such as [100000, 200000] (got {_show(value)})"
    if loc == ("sample",) and kind in ("model_type", "model_attributes_type"):
        return loc, (
            "must be a section with method, n and ranges, such as "
            "{method: latin_hypercube, n: 64, ranges: {loneliness.contagion_strength: [0, 1]}}"
        )
    template = PLAIN_MESSAGES.get(kind)
    if template is None:
        return loc, str(err["msg"])
    fields = {k: _show(v) if isinstance(v, int | float) else v for k, v in ctx.items()}
    if kind == "string_type" and isinstance(value, bool | int | float):
        template += "; put quotes around it to make it text"
    try:
        return loc, template.format(**{**fields, "input": _show(value), "hint": number_hint(value)})
    except (KeyError, IndexError):
        return loc, str(err["msg"])


def _label(key: str) -> str:
    """A key shown so that a problem stays ``FILE:LINE: path: message`` on one line."""
    if not key.strip():
        return "(empty)"
    key = clip_text(key, 60)
    if key != key.strip() or ":" in key or not key.isprintable():
        return repr(key).replace(":", "\\x3a")
    return key


def _display(path: PathKey) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{_label(part)}" if text else _label(part)
    return text or WHOLE_FILE


def _show(value: Any) -> str:
    """A value as it reads in a YAML file: 100,000 rather than 100000.0."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        if value.is_integer() and abs(value) < 1e16:
            value = int(value)
        else:
            return f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, str):
        return repr(clip_text(value, 60))
    if isinstance(value, dict):
        return "a section of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    return clip_text(repr(value), 60)


# --------------------------------------------------------------------------------------
# Plain data
# --------------------------------------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _about_wards(key: str) -> bool:
    return not {"wards", "wards_file", "most_deprived"}.isdisjoint(key.split("."))


def _freeze(values: Mapping[str, Any]) -> str:
    """A hashable key for a point's values (they may hold lists or sections)."""
    return json.dumps(_json_safe(dict(values)), sort_keys=True)


def _json_safe(value: Any) -> Any:
    """Plain data that ``json.dumps`` accepts: dates as text, numpy numbers as numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


def _fingerprint(experiment: Experiment) -> str:
    design = None
    if experiment.config.sample is not None:
        sample = experiment.config.sample
        design = {
            "method": sample.method,
            "levels": sample.morris_levels if sample.method == "morris" else None,
            "second_order": sample.second_order,
            "problem": experiment.sample_problem,
            "matrix": None
            if experiment.sample_matrix is None
            else experiment.sample_matrix.tolist(),
        }
    runs = [
        [s.run_id, s.scenario_label, s.replicate, s.seed, s.point, s.is_baseline, s.baseline_run_id]
        for s in experiment.runs()
    ]
    payload = json.dumps(
        _json_safe({"runs": runs, "design": design, "points": len(experiment.points)}),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
