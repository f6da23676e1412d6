"""Experiment files: checking, expansion into runs, seeds, pairing, designs, errors.

No model is run here: these tests load experiment files and look at the runs they
expand into. The corpus in ``tests/bad_experiments/`` holds one small file per kind of
mistake; each goes through ``thriving validate``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import string
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thriving.cli.main import cli
from thriving.config.errors import ScenarioError, ThrivingError
from thriving.config.experiment import (
    MAX_REPLICATES,
    Experiment,
    SampleConfig,
    design_rows,
    load_experiment,
    replicate_seeds,
)
from thriving.config.runspec import RunSpec, run_id
from thriving.config.scenario import load_scenario

HERE = Path(__file__).resolve().parents[1]  # tests/
REPO = HERE.parent
SCENARIOS = REPO / "scenarios"
EXPERIMENTS = REPO / "experiments"
BAD = HERE / "bad_experiments"

BASELINE = str(SCENARIOS / "baseline.yaml")
SOCIAL_PRESCRIBING = str(SCENARIOS / "social_prescribing.yaml")
GRANTS = str(SCENARIOS / "community_grants.yaml")
TEAMS = str(SCENARIOS / "neighbourhood_teams.yaml")

SP_BUDGET = "investments.social_prescribing.budget_per_year"
CONTAGION = "loneliness.contagion_strength"

PROBLEM_LINE = re.compile(
    r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?: (?P<path>[^:\s][^:\n]*?): (?P<message>\S.*)$"
)
SUMMARY_LINE = re.compile(r"^\d+ of \d+ files (has|have) problems\.$")


def write_experiment(folder: Path, text: str | dict[str, Any], name: str = "exp.yaml") -> Path:
    path = folder / name
    if not isinstance(text, str):
        text = yaml.safe_dump(text, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def experiment(folder: Path, **settings: Any) -> Experiment:
    """Load an experiment of the shipped scenarios: baseline + social prescribing + grants."""
    data: dict[str, Any] = {
        "name": "test",
        "baseline": BASELINE,
        "scenarios": [SOCIAL_PRESCRIBING, GRANTS],
        "replicates": 3,
        "seed": 7,
        "overrides": {"population.residents": 1000},
    }
    data.update(settings)
    data = {k: v for k, v in data.items() if v is not None}
    return load_experiment(write_experiment(folder, data))


def check_pairing(exp: Experiment) -> None:
    """Every comparison run has its baseline: same seed, same values of shared settings."""
    runs = exp.runs()
    by_id = {r.run_id: r for r in runs}
    assert len(by_id) == len(runs), "a run id is listed twice"
    for run in runs:
        if run.is_baseline:
            assert run.baseline_run_id is None
            continue
        base = by_id[run.baseline_run_id]
        assert base.is_baseline
        assert base.seed == run.seed and base.replicate == run.replicate
        for path, value in base.point.items():
            assert run.point.get(path, value) == value
        for path, value in run.point.items():
            if path in base.point:
                assert base.point[path] == value


# --------------------------------------------------------------------------------------
# Expansion: counts, seeds, pairing, deduplication
# --------------------------------------------------------------------------------------


def test_no_vary_gives_one_point(tmp_path: Path) -> None:
    exp = experiment(tmp_path)
    runs = exp.runs()
    assert exp.points == ({},)
    assert len(runs) == 3 * 3
    assert exp.labels == ("baseline", "social_prescribing", "community_grants")
    assert [r.scenario_label for r in runs[:3]] == ["baseline"] * 3
    assert [r.replicate for r in runs[:3]] == [0, 1, 2]
    assert all(r.point == {} for r in runs)
    assert all(r.scenario.population.residents == 1000 for r in runs)
    assert all(isinstance(r, RunSpec) for r in runs)
    check_pairing(exp)


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        # only social prescribing has its budget: baseline and grants run once per seed
        ({SP_BUDGET: [1e5, 2e5, 4e5]}, 3 * (1 + 3 + 1)),
        # every scenario has contagion: all three at both values
        ({CONTAGION: [0, 1]}, 3 * (2 + 2 + 2)),
        # both: 6 points for social prescribing, 2 for the others
        ({SP_BUDGET: [1e5, 2e5, 4e5], CONTAGION: [0, 1]}, 3 * (2 + 6 + 2)),
    ],
)
def test_grid_expansion_counts(tmp_path: Path, vary: dict, expected: int) -> None:
    exp = experiment(tmp_path, vary=vary)
    assert len(exp.points) == math.prod(len(v) for v in vary.values())
    assert len(exp.runs()) == expected
    check_pairing(exp)
    for point_runs in exp.runs_by_point():
        assert {label: len(r) for label, r in point_runs.items()} == dict.fromkeys(exp.labels, 3)


def test_grid_points_last_path_fastest(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5], CONTAGION: [0, 1]})
    assert exp.points == (
        {SP_BUDGET: 1e5, CONTAGION: 0},
        {SP_BUDGET: 1e5, CONTAGION: 1},
        {SP_BUDGET: 2e5, CONTAGION: 0},
        {SP_BUDGET: 2e5, CONTAGION: 1},
    )


def test_grid_values_reach_the_scenarios(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [100000, 400000], CONTAGION: [0, 0.5]})
    for run in exp.runs():
        assert run.scenario.loneliness.contagion_strength == run.point[CONTAGION]
        levers = {inv.lever: inv for inv in run.scenario.investments}
        if run.scenario_label == "social_prescribing":
            assert levers["social_prescribing"].budget_per_year == run.point[SP_BUDGET]
        else:
            assert SP_BUDGET not in run.point
            assert "social_prescribing" not in levers  # a varied value never adds a lever


def test_seeds_shared_across_scenarios_and_points(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5], CONTAGION: [0, 1]}, replicates=4)
    seeds_by_replicate: dict[int, set[int]] = {}
    for run in exp.runs():
        seeds_by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(s) == 1 for s in seeds_by_replicate.values())
    seeds = [seeds_by_replicate[r].pop() for r in range(4)]
    assert len(set(seeds)) == 4
    assert tuple(seeds) == exp.seeds == replicate_seeds(7, 4)


def test_replicate_seeds() -> None:
    seeds = replicate_seeds(2026, MAX_REPLICATES)
    assert len(set(seeds)) == MAX_REPLICATES
    assert all(isinstance(s, int) and 0 <= s < 2**48 for s in seeds)
    assert replicate_seeds(2026, 5) == seeds[:5]  # more replicates keep the first ones
    assert replicate_seeds(2027, 5) != seeds[:5]
    child = np.random.SeedSequence(2026).spawn(2)[1]
    assert seeds[1] == int(child.generate_state(1, dtype=np.uint64)[0]) >> 16


def test_pairing_with_baseline_that_has_a_varied_setting(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5], CONTAGION: [0, 1]})
    check_pairing(exp)
    runs = {r.run_id: r for r in exp.runs()}
    for run in runs.values():
        if not run.is_baseline:
            base = runs[run.baseline_run_id]
            assert base.point == {CONTAGION: run.point[CONTAGION]}
            assert base.scenario.loneliness.contagion_strength == run.point[CONTAGION]


def test_identical_baseline_runs_made_once(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5, 4e5]})
    baseline = [r for r in exp.runs() if r.is_baseline]
    assert len(baseline) == 3  # one per replicate, not one per point
    assert all(r.point == {} for r in baseline)
    sp = [r for r in exp.runs() if r.scenario_label == "social_prescribing"]
    assert {r.baseline_run_id for r in sp} == {r.run_id for r in baseline}
    # ...but every point lists them, for analysis by point
    for point_runs in exp.runs_by_point():
        assert [r.run_id for r in point_runs["baseline"]] == [r.run_id for r in baseline]
    assert "identical runs" in exp.summary()


def test_run_ids_deterministic_across_loads(tmp_path: Path) -> None:
    a = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5]})
    b = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5]})
    assert [r.run_id for r in a.runs()] == [r.run_id for r in b.runs()]
    assert [r.baseline_run_id for r in a.runs()] == [r.baseline_run_id for r in b.runs()]
    for run in a.runs():
        assert run.run_id == run_id(run.scenario, run.seed)


def test_point_values_resolve_as_the_scenario_loader_does(tmp_path: Path) -> None:
    """Values set on a loaded scenario give the scenario load_scenario would."""
    exp = experiment(tmp_path, vary={SP_BUDGET: [100000, 250000.5], "horizon.years": [5, 8]})
    for run in exp.runs():
        direct = load_scenario(run.scenario_file, {"population.residents": 1000, **run.point})
        assert direct == run.scenario
        assert run_id(direct, run.seed) == run.run_id


def test_section_values_merge_like_overrides(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={"horizon": [{"years": 5}, {"years": 8}]})
    for run in exp.runs():
        assert run.scenario.horizon.years == run.point["horizon"]["years"]
        assert run.scenario.horizon.burn_in_years == 2  # kept from the scenario
    check_pairing(exp)


def test_investment_override_applies_only_to_scenarios_with_the_lever(tmp_path: Path) -> None:
    exp = experiment(tmp_path, overrides={"population.residents": 1000, SP_BUDGET: 123456})
    by_label = {s.label: s.scenario for s in exp.scenarios}
    assert [i.lever for i in by_label["baseline"].investments] == []
    assert by_label["social_prescribing"].investments[0].budget_per_year == 123456
    assert [i.lever for i in by_label["community_grants"].investments] == ["community_grants"]


def test_vary_overrides_the_experiment_overrides_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="given in overrides too"):
        experiment(tmp_path, vary={"population.residents": [1000, 2000]})


def test_wards_file_relative_to_experiment(tmp_path: Path) -> None:
    shutil.copy(REPO / "model" / "thriving" / "data" / "oldham_wards.csv", tmp_path / "w.csv")
    exp = experiment(
        tmp_path, overrides={"population.residents": 1000, "population.wards_file": "w.csv"}
    )
    for s in exp.scenarios:
        assert s.scenario.population.wards_file == str(tmp_path / "w.csv")


def test_scenario_files_relative_to_experiment(tmp_path: Path) -> None:
    folder = tmp_path / "experiments"
    folder.mkdir()
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    path = write_experiment(
        folder,
        "name: rel\nbaseline: ../scenarios/baseline.yaml\n"
        "scenarios: [../scenarios/access.yaml]\nreplicates: 1\nseed: 0\n",
    )
    exp = load_experiment(path)
    assert exp.labels == ("baseline", "access")
    assert Path(exp.runs()[-1].scenario_file).resolve() == tmp_path / "scenarios" / "access.yaml"


# --------------------------------------------------------------------------------------
# Fingerprint and manifest data
# --------------------------------------------------------------------------------------

FINGERPRINT_BASE = f"""\
# an experiment
name: fp
baseline: {BASELINE}
scenarios: [{SOCIAL_PRESCRIBING}]
replicates: 2
seed: 5
overrides:
  population.residents: 1000
vary:
  {SP_BUDGET}: [100000, 200000]
"""


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("# an experiment", "# a comment, changed", False),
        ("name: fp", "name: renamed", False),
        ("name: fp", "name: fp\ndescription: words", False),
        ("replicates: 2", "replicates: 3", True),
        ("seed: 5", "seed: 6", True),
        ("population.residents: 1000", "population.residents: 1200", True),
        ("population.residents: 1000", "population.residents: 1000\n  horizon.years: 5", True),
        ("[100000, 200000]", "[100000, 300000]", True),
        ("[100000, 200000]", "[100000, 200000, 300000]", True),
    ],
)
def test_fingerprint(tmp_path: Path, old: str, new: str, changes: bool) -> None:
    before = load_experiment(write_experiment(tmp_path, FINGERPRINT_BASE, "a.yaml"))
    text = FINGERPRINT_BASE.replace(old, new)
    assert text != FINGERPRINT_BASE
    after = load_experiment(write_experiment(tmp_path, text, "b.yaml"))
    assert (after.fingerprint != before.fingerprint) is changes
    assert re.fullmatch(r"[0-9a-f]{16}", before.fingerprint)


def test_fingerprint_changes_with_a_scenario_file(tmp_path: Path) -> None:
    shutil.copy(SCENARIOS / "baseline.yaml", tmp_path / "base.yaml")
    text = "name: s\nbaseline: base.yaml\nscenarios: []\nreplicates: 1\nseed: 0\n"
    before = load_experiment(write_experiment(tmp_path, text)).fingerprint
    base = (tmp_path / "base.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base.replace("years: 10", "years: 9"), encoding="utf-8")
    assert load_experiment(tmp_path / "exp.yaml").fingerprint != before


def test_to_dict_is_json_safe_and_complete(tmp_path: Path) -> None:
    exp = experiment(tmp_path, vary={SP_BUDGET: [1e5, 2e5]})
    data = json.loads(json.dumps(exp.to_dict()))
    assert data["name"] == "test"
    assert data["fingerprint"] == exp.fingerprint
    assert data["labels"] == list(exp.labels)
    assert data["baseline"] == "baseline"
    assert data["seeds"] == list(exp.seeds)
    assert data["replicates"] == 3 and data["seed"] == 7
    assert data["vary"] == {SP_BUDGET: [1e5, 2e5]}
    assert data["points"] == [{SP_BUDGET: 1e5}, {SP_BUDGET: 2e5}]
    assert data["n_runs"] == len(exp.runs())
    assert [s["label"] for s in data["scenarios"]] == list(exp.labels)
    assert data["scenarios"][0]["scenario"]["population"]["residents"] == 1000
    assert data["sample"] is None


# --------------------------------------------------------------------------------------
# Sampling designs
# --------------------------------------------------------------------------------------

RANGES = {
    CONTAGION: [0.0, 1.5],
    "services.gp.escalation_to_ae": [0.0, 0.15],
    "investments.social_prescribing.ramp_up_weeks": [0, 52],  # a whole number
}


@pytest.mark.parametrize(
    ("method", "extra", "rows"),
    [
        ("latin_hypercube", {}, 16),
        ("sobol", {}, 16 * (3 + 2)),
        ("sobol", {"second_order": True}, 16 * (2 * 3 + 2)),
        ("morris", {}, 16 * (3 + 1)),
        ("morris", {"levels": 6}, 16 * (3 + 1)),
    ],
)
def test_sampling_designs(tmp_path: Path, method: str, extra: dict, rows: int) -> None:
    sample = {"method": method, "n": 16, "ranges": RANGES, **extra}
    exp = experiment(tmp_path, sample=sample, replicates=2)
    assert design_rows(SampleConfig.model_validate(sample)) == rows
    assert exp.sample_problem == {
        "num_vars": 3,
        "names": list(RANGES),
        "bounds": [[float(a), float(b)] for a, b in RANGES.values()],
    }
    matrix = exp.sample_matrix
    assert matrix is not None and matrix.shape == (rows, 3)
    assert not matrix.flags.writeable
    assert len(exp.points) == rows
    for row, point in zip(matrix, exp.points, strict=True):
        for j, (path, (low, high)) in enumerate(RANGES.items()):
            assert low <= row[j] <= high
            if path.endswith("ramp_up_weeks"):
                assert isinstance(point[path], int) and abs(point[path] - row[j]) <= 0.5
            else:
                assert isinstance(point[path], float) and point[path] == row[j]
    for run in exp.runs():
        if run.scenario_label == "social_prescribing":
            entry = run.scenario.investments[0]
            assert entry.ramp_up_weeks == run.point["investments.social_prescribing.ramp_up_weeks"]
    check_pairing(exp)
    # reproducible from the experiment's seed...
    again = experiment(tmp_path, sample=sample, replicates=2)
    assert np.array_equal(again.sample_matrix, matrix)
    assert [r.run_id for r in again.runs()] == [r.run_id for r in exp.runs()]
    # ...and another seed gives another design
    other = experiment(tmp_path, sample=sample, replicates=2, seed=8)
    assert not np.array_equal(other.sample_matrix, matrix)
    data = json.loads(json.dumps(exp.to_dict()))
    assert data["sample"]["method"] == method
    assert np.array_equal(np.array(data["sample"]["matrix"]), matrix)


def test_morris_defaults_to_four_levels(tmp_path: Path) -> None:
    exp = experiment(tmp_path, sample={"method": "morris", "n": 4, "ranges": {CONTAGION: [0, 1]}})
    assert sorted(set(exp.sample_matrix[:, 0])) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert exp.to_dict()["sample"]["levels"] == 4


def test_sampled_lever_setting_leaves_the_baseline_alone(tmp_path: Path) -> None:
    sample = {"method": "latin_hypercube", "n": 5, "ranges": {SP_BUDGET: [1e5, 3e5]}}
    exp = experiment(tmp_path, sample=sample, replicates=2)
    assert len([r for r in exp.runs() if r.is_baseline]) == 2
    assert len([r for r in exp.runs() if r.scenario_label == "social_prescribing"]) == 10
    check_pairing(exp)
    by_point = exp.runs_by_point()
    assert len(by_point) == 5
    assert all(len(p["baseline"]) == 2 for p in by_point)


# --------------------------------------------------------------------------------------
# The shipped experiments
# --------------------------------------------------------------------------------------


def test_quickstart() -> None:
    exp = load_experiment(EXPERIMENTS / "quickstart.yaml")
    assert exp.name == "quickstart"
    assert len(exp.labels) == 4 and exp.labels[0] == "baseline"
    assert exp.replicates == 5 and exp.seed == 2026
    runs = exp.runs()
    assert len(runs) == 20
    levers = {r.scenario_label: [i.lever for i in r.scenario.investments] for r in runs}
    assert levers["baseline"] == []
    assert sum(len(v) == 1 for v in levers.values()) == 3
    for run in runs:
        assert run.scenario.population.residents == 20_000
        assert run.scenario.horizon.years >= 6  # investment years 1-3 and a follow-up
    check_pairing(exp)


def test_sensitivity_morris() -> None:
    exp = load_experiment(EXPERIMENTS / "sensitivity_morris.yaml")
    design = exp.config.sample
    assert design is not None and design.method == "morris"
    assert 4 <= len(design.ranges) <= 6
    assert exp.sample_matrix.shape == (design.n * (len(design.ranges) + 1), len(design.ranges))
    check_pairing(exp)
    assert len(exp.runs()) <= 300  # minutes, not hours


def test_validate_shipped_experiments(runner: CliRunner) -> None:
    files = sorted(str(p) for p in EXPERIMENTS.glob("*.yaml"))
    assert files
    result = runner.invoke(cli, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout and "20 runs" in result.stdout


# --------------------------------------------------------------------------------------
# Bad experiment files, through `thriving validate`
# --------------------------------------------------------------------------------------

# file -> (file the problem names, line or None, path, message fragment)
CORPUS: dict[str, tuple[str, int | None, str, str]] = {
    "unknown_key.yaml": (
        "unknown_key.yaml", 4, "replicate", "unknown key 'replicate'; did you mean 'replicates'?",
    ),
    "seeds_list.yaml": ("seeds_list.yaml", 5, "seeds", "did you mean 'seed'?"),
    "sample_key_misspelt.yaml": (
        "sample_key_misspelt.yaml", 7, "sample.mehtod", "did you mean 'method'?",
    ),
    "missing_baseline_key.yaml": (
        "missing_baseline_key.yaml", 1, "baseline", "needs a baseline scenario",
    ),
    "missing_scenario_file.yaml": (
        "missing_scenario_file.yaml", 5, "scenarios[1]",
        "the scenario file '../../scenarios/no_such_scenario.yaml' does not exist",
    ),
    "baseline_listed_twice.yaml": (
        "baseline_listed_twice.yaml", 5, "scenarios[1]", "is already listed as the baseline",
    ),
    "scenario_with_error.yaml": (
        "negative_budget.yaml", 6, "investments.community_grants.budget_per_year",
        "must be at least 0 (got -5000)",
    ),
    "path_no_scenario_has.yaml": (
        "path_no_scenario_has.yaml", 7, "vary.investments.access.budget_per_year",
        "no scenario in this experiment has the lever 'access'",
    ),
    "unknown_path.yaml": (
        "unknown_path.yaml", 7, "vary.loneliness.contagion_strenght",
        "unknown setting 'contagion_strenght'; did you mean 'contagion_strength'?",
    ),
    "override_lever_no_scenario_has.yaml": (
        "override_lever_no_scenario_has.yaml", 8,
        "overrides.investments.community_grants.budget_per_year",
        "no scenario in this experiment has the lever 'community_grants'",
    ),
    "override_bad_value.yaml": (
        "override_bad_value.yaml", 7, "overrides.population.residents",
        "must be at least 100 (got 10)",
    ),
    "vary_and_sample.yaml": ("vary_and_sample.yaml", 8, "sample", "not both"),
    "vary_not_list.yaml": ("vary_not_list.yaml", 7, "vary.horizon.years", "must be a list"),
    "bad_method.yaml": (
        "bad_method.yaml", 7, "sample.method",
        "must be 'latin_hypercube', 'sobol' or 'morris' (got 'monte_carlo')",
    ),
    "low_not_below_high.yaml": (
        "low_not_below_high.yaml", 11, "sample.ranges.services.gp.escalation_to_ae",
        "the low end must be below the high end (got [0.15, 0.15])",
    ),
    "range_outside_bounds.yaml": (
        "range_outside_bounds.yaml", 10, "sample.ranges.loneliness.contagion_strength",
        "must be at most 3 (got 5)",
    ),
    "sobol_not_power_of_two.yaml": (
        "sobol_not_power_of_two.yaml", 8, "sample.n", "must be a power of two, such as 64 or 128",
    ),
    "morris_odd_levels.yaml": ("morris_odd_levels.yaml", 9, "sample.levels", "even number"),
    "sample_text_setting.yaml": (
        "sample_text_setting.yaml", 10, "sample.ranges.appraisal.price_year",
        "only settings that are numbers can be sampled",
    ),
    "whole_number_range.yaml": (
        "whole_number_range.yaml", 10, "sample.ranges.investments.social_prescribing.ramp_up_weeks",
        "the range must be whole numbers (got 0.5)",
    ),
    "negative_replicates.yaml": (
        "negative_replicates.yaml", 4, "replicates", "must be at least 1 (got -3)",
    ),
    "negative_seed.yaml": ("negative_seed.yaml", 5, "seed", "must be at least 0 (got -1)"),
    "bad_value_in_grid.yaml": (
        "bad_value_in_grid.yaml", 9, "vary.investments.social_prescribing.budget_per_year[1]",
        "must be at least 0 (got -5000)",
    ),
    "grid_breaks_horizon.yaml": (
        "grid_breaks_horizon.yaml", 7, "investments.social_prescribing.end_year",
        "after the horizon of 2 years (scenario 'social_prescribing' with horizon.years = 2",
    ),
    "root_is_list.yaml": (
        "root_is_list.yaml", 1, "(file)", "must be made of 'key: value' lines, but it holds a list",
    ),
    "duplicate_key.yaml": (
        "duplicate_key.yaml", 6, "replicates", "the key 'replicates' appears twice (lines 4 and 6)",
    ),
    "tabs.yaml": ("tabs.yaml", 4, "(file)", "YAML needs spaces, not tabs"),
}  # fmt: skip


def _problems(text: str) -> list[re.Match[str]]:
    matches = []
    for line in text.splitlines():
        if SUMMARY_LINE.match(line):
            continue
        match = PROBLEM_LINE.match(line)
        assert match, f"not a FILE:LINE: path: message line: {line!r}"
        matches.append(match)
    return matches


def test_corpus_covers_every_file() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(CORPUS)
    assert len(CORPUS) >= 12


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_experiment(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, ["validate", str(BAD / name)])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "OK" not in result.stdout
    problems = _problems(result.stderr)
    file, line, path, fragment = CORPUS[name]
    wanted = [
        p
        for p in problems
        if Path(p["file"]).name == file
        and (p["line"] is None if line is None else p["line"] == str(line))
        and p["path"] == path
        and fragment in p["message"]
    ]
    assert wanted, f"expected {file}:{line}: {path}: ...{fragment}... in:\n{result.stderr}"


def test_bad_scenario_is_introduced_by_the_experiment_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(BAD / "scenario_with_error.yaml")])
    first, second = _problems(result.stderr)
    assert Path(first["file"]).name == "scenario_with_error.yaml" and first["line"] == "4"
    assert "has problems, listed below" in first["message"]
    assert Path(second["file"]).name == "negative_budget.yaml"


def test_all_problems_at_once(tmp_path: Path) -> None:
    path = write_experiment(
        tmp_path,
        f"name: many\nbaseline: {BASELINE}\nscenarios: [{tmp_path / 'nope.yaml'}]\n"
        "replicates: 0\nseed: -1\nvary:\n  loneliness.contagion: [0, 1]\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    paths = {p.path for p in info.value.problems}
    assert {"replicates", "seed", "scenarios[0]", "vary.loneliness.contagion"} <= paths


@pytest.mark.parametrize(
    ("vary", "fragment"),
    [
        ({"horizon": [{"years": 5}], "horizon.years": [5, 6]}, "horizon.years is inside horizon"),
        ({"name": ["a", "b"]}, "cannot be varied"),
        ({"population.wards_file": ["w.csv", "nope.csv"]}, "nope.csv' does not exist"),
        (
            {"investments.community_grants.wards.most_deprived": [3, 25]},
            "asks for the 25 most deprived wards",
        ),
    ],
)
def test_grid_problems(tmp_path: Path, vary: dict, fragment: str) -> None:
    shutil.copy(REPO / "model" / "thriving" / "data" / "oldham_wards.csv", tmp_path / "w.csv")
    with pytest.raises(ScenarioError, match=re.escape(fragment)) as info:
        experiment(tmp_path, vary=vary)
    assert all(p.line is not None for p in info.value.problems)


def test_too_many_runs(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="at most 1,000,000 are allowed"):
        experiment(tmp_path, replicates=10_000, vary={CONTAGION: [i / 100 for i in range(40)]})


# --------------------------------------------------------------------------------------
# Fuzzing: whatever the file holds, only ThrivingError comes out
# --------------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

_KEYS = [
    "name",
    "description",
    "baseline",
    "scenarios",
    "replicates",
    "seed",
    "overrides",
    "vary",
    "sample",
    "method",
    "n",
    "ranges",
    "levels",
    "second_order",
    "seeds",
]
_PATHS = [
    SP_BUDGET,
    CONTAGION,
    "population.residents",
    "horizon.years",
    "horizon",
    "investments.access.budget_per_year",
    "investments.social_prescribing",
    "investments.social_prescribing.lever",
    "services.gp.escalation_to_ae",
    "investments.social_prescribing.ramp_up_weeks",
    "name",
    "investments",
    "a..b",
    "population.residents.x",
    "appraisal.price_year",
    "population.wards_file",
]
_FILES = [BASELINE, SOCIAL_PRESCRIBING, GRANTS, "no_such.yaml", "", str(SCENARIOS)]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.sampled_from([0.5, -1.0, 1e5, 2**70, 1.5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable, max_size=8),
    st.sampled_from(_FILES + _PATHS + ["latin_hypercube", "sobol", "morris", "all"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS + _PATHS), children, max_size=4),
    ),
    max_leaves=12,
)
ranges = st.dictionaries(
    st.sampled_from(_PATHS), st.one_of(st.tuples(scalars, scalars).map(list), values), max_size=3
)
samples = st.fixed_dictionaries(
    {},
    optional={
        "method": st.one_of(st.sampled_from(["latin_hypercube", "sobol", "morris"]), scalars),
        "n": st.one_of(st.integers(-2, 9), scalars),
        "ranges": ranges,
        "levels": st.one_of(st.integers(0, 7), scalars),
        "second_order": st.one_of(st.booleans(), scalars),
    },
)
experiments = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.just("fuzz"), scalars),
        "description": values,
        "baseline": st.one_of(st.sampled_from(_FILES), values),
        "scenarios": st.one_of(st.lists(st.sampled_from(_FILES), max_size=3), values),
        "replicates": st.one_of(st.integers(-1, 3), scalars),
        "seed": st.one_of(st.integers(-1, 2**64), scalars),
        "overrides": st.one_of(
            st.dictionaries(st.sampled_from(_PATHS), values, max_size=3), values
        ),
        "vary": st.one_of(
            st.dictionaries(st.sampled_from(_PATHS), st.lists(scalars, max_size=3), max_size=2),
            values,
        ),
        "sample": st.one_of(samples, values),
        "seeds": values,
    },
).flatmap(
    lambda d: st.dictionaries(
        st.text(string.ascii_letters + "._ ", max_size=10), values, max_size=2
    ).map(lambda extra: {**extra, **d})
)

# Valid experiments with a random grid, design or overrides: these reach the expansion.
numbers = st.one_of(st.integers(-3, 60), st.floats(-1, 60, allow_nan=False))
near_valid = st.fixed_dictionaries(
    {
        "name": st.just("fuzz"),
        "baseline": st.just(BASELINE),
        "scenarios": st.lists(
            st.sampled_from([SOCIAL_PRESCRIBING, GRANTS]), max_size=2, unique=True
        ),
        "replicates": st.integers(1, 3),
        "seed": st.integers(0, 2**63 - 1),
    },
    optional={
        "overrides": st.dictionaries(st.sampled_from(_PATHS), numbers, max_size=2),
        "vary": st.dictionaries(
            st.sampled_from(_PATHS), st.lists(numbers, min_size=1, max_size=3), max_size=2
        ),
        "sample": st.fixed_dictionaries(
            {
                "method": st.sampled_from(["latin_hypercube", "sobol", "morris"]),
                "n": st.sampled_from([1, 2, 4]),
                "ranges": st.dictionaries(
                    st.sampled_from(_PATHS),
                    st.tuples(numbers, numbers).map(list),
                    min_size=1,
                    max_size=3,
                ),
            }
        ),
    },
)


@FUZZ
@given(data=st.one_of(experiments, near_valid))
def test_fuzz_only_thriving_errors(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        exp = load_experiment(path)
    except ThrivingError as exc:
        for line in str(exc).splitlines():
            assert PROBLEM_LINE.match(line), line
    else:
        json.dumps(exp.to_dict())
        check_pairing(exp)


def test_doctests() -> None:
    import doctest

    import thriving.config.experiment

    failures, tried = doctest.testmod(thriving.config.experiment)
    assert tried >= 3 and failures == 0
