"""Sensitivity indices of Morris and Sobol sweeps (thriving.analysis.sensitivity, the command).

Most tests build a results folder without running the model: the experiment is loaded
(and its design sampled) by the real experiment code, and summary.csv is written with
numbers from a known function of each run's settings, so the right answer is known.
One test runs a tiny Morris sweep of the real model end to end through the CLI.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from thriving.analysis.sensitivity import (
    analyse_folder,
    describe_parameter,
    morris_indices,
    morris_noise_level,
    sobol_indices,
    sobol_noise_level,
    write_indices,
)
from thriving.cli.main import cli
from thriving.config.errors import ThrivingError
from thriving.config.experiment import Experiment, load_experiment
from thriving.config.runspec import RunSpec
from thriving.metrics import SUMMARY_NUMBERS
from thriving.runs.store import MANIFEST_FORMAT, Manifest, ResultsFolder
from thriving.runs.sweep import format_cell, summary_columns, varied_parameters

GP_AVOIDED = "investments.social_prescribing.gp_appointments_avoided"
ESCALATION = "services.gp.escalation_to_ae"
CONTAGION = "loneliness.contagion_strength"
RANGES = {GP_AVOIDED: (0.0, 8.0), ESCALATION: (0.0, 0.15), CONTAGION: (0.0, 1.5)}

MORRIS_COLUMNS = [
    "parameter",
    "description",
    "mu_star",
    "mu_star_conf",
    "mu",
    "sigma",
    "rank",
    "noise_level",
    "metric",
    "scenario",
]


def write_experiment(
    folder: Path,
    scenarios_dir: Path,
    sample: str,
    *,
    replicates: int = 2,
    name: str = "synthetic",
    overrides: str = "{population.residents: 1000}",
) -> Path:
    """An experiment file: baseline and social prescribing, with the given design."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\n"
        f"baseline: {scenarios_dir / 'baseline.yaml'}\n"
        f"scenarios: [{scenarios_dir / 'social_prescribing.yaml'}]\n"
        f"replicates: {replicates}\n"
        "seed: 11\n"
        f"overrides: {overrides}\n"
        f"{sample}\n",
        encoding="utf-8",
    )
    return path


def ranges_yaml(paths=RANGES) -> str:
    return "{" + ", ".join(f"{p}: [{lo}, {hi}]" for p, (lo, hi) in paths.items()) + "}"


def scaled(spec: RunSpec, path: str) -> float:
    """A run's value of a sampled setting as a share of its range (0 if it lacks it)."""
    if path not in spec.point:
        return 0.0
    low, high = RANGES[path]
    return (spec.point[path] - low) / (high - low)


def fake_sweep(
    folder: Path,
    experiment: Experiment,
    numbers: Callable[[RunSpec], dict[str, float]],
    *,
    shuffle: bool = True,
    drop: int = 0,
) -> Path:
    """A sweep results folder as ``thriving sweep`` writes it, without running anything.

    ``numbers(spec)`` gives a run's totals (keys of SUMMARY_NUMBERS; the rest are 0);
    ``net_benefit_gbp_pv`` and ``cost_avoided_gbp_pv`` of a scenario run may be given
    directly. Rows of summary.csv are shuffled (the analysis must not rely on their
    order); the last ``drop`` runs are left unfinished.
    """
    specs = experiment.runs()
    varied = varied_parameters(specs)
    header = {
        "format": MANIFEST_FORMAT,
        "name": experiment.name,
        "fingerprint": experiment.fingerprint,
        "experiment": experiment.to_dict(),
        "varied": varied,
        "versions": {},
        "sessions": [],
    }
    folder.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(folder / "manifest.json", header, specs)
    finished = specs[: len(specs) - drop]
    for spec in finished:
        manifest.update(spec.run_id, status="done")
    manifest.write(now=True)
    by_id = {
        spec.run_id: {**dict.fromkeys(SUMMARY_NUMBERS, 0.0), **numbers(spec)} for spec in specs
    }
    rows = []
    for spec in finished:
        own = by_id[spec.run_id]
        paired: list[float | None] = [None, None, None]
        if not spec.is_baseline:
            avoided = own.get("cost_avoided_gbp_pv", 0.0)
            net = own.get("net_benefit_gbp_pv", avoided - own["investment_gbp_pv"])
            paired = [avoided, net, None]
        row = [
            spec.run_id,
            spec.scenario_label,
            spec.seed,
            spec.replicate,
            *(spec.point.get(name) for name in varied),
            spec.is_baseline,
            spec.baseline_run_id,
            *(float(own[name]) for name in SUMMARY_NUMBERS),
            *paired,
        ]
        rows.append([format_cell(v) for v in row])
    if shuffle:
        np.random.default_rng(5).shuffle(rows)
    with open(folder / "summary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(summary_columns(varied))
        writer.writerows(rows)
    return folder


def run_noise(spec: RunSpec, sd: float) -> float:
    """Noise of one run, independent of every other run's."""
    return float(np.random.default_rng(int(spec.run_id, 16)).normal(0.0, sd))


def seed_noise(seed: int, sd: float) -> float:
    """Noise shared by the runs of one seed (common random numbers)."""
    return float(np.random.default_rng(seed).normal(0.0, sd))


@pytest.fixture(scope="module")
def morris_plan(tmp_path_factory, scenarios_dir) -> Experiment:
    folder = tmp_path_factory.mktemp("morris")
    sample = f"sample: {{method: morris, n: 10, ranges: {ranges_yaml()}}}"
    return load_experiment(write_experiment(folder, scenarios_dir, sample))


# --------------------------------------------------------------------------------------
# (1) The pipeline recovers a known answer
# --------------------------------------------------------------------------------------


def test_morris_indices_of_the_real_design_rank_a_known_function(morris_plan):
    x = morris_plan.sample_matrix
    names = morris_plan.sample_problem["names"]
    lows = np.array([RANGES[n][0] for n in names])
    highs = np.array([RANGES[n][1] for n in names])
    share = (x - lows) / (highs - lows)
    column = {n: share[:, i] for i, n in enumerate(names)}
    # Dominant and linear, weak and curved, null.
    y = 3e6 * column[GP_AVOIDED] + 2e5 * column[ESCALATION] ** 2 + 0.0 * column[CONTAGION]
    table = morris_indices(morris_plan.sample_problem, x, y, levels=4, seed=1)
    assert list(table["parameter"]) == [GP_AVOIDED, ESCALATION, CONTAGION]
    assert list(table["rank"]) == [1, 2, 3]
    by_name = table.set_index("parameter")
    # A linear effect's mu* is its change across the whole range, with no spread.
    assert by_name.loc[GP_AVOIDED, "mu_star"] == pytest.approx(3e6, rel=1e-9)
    assert by_name.loc[GP_AVOIDED, "sigma"] == pytest.approx(0.0, abs=1e-6)
    assert by_name.loc[ESCALATION, "sigma"] > 0  # curved: steps differ
    assert by_name.loc[CONTAGION, "mu_star"] == pytest.approx(0.0, abs=1e-6)


def net_benefit_model(spec: RunSpec) -> dict[str, float]:
    """Net benefit: dominant GP_AVOIDED, weak ESCALATION, null CONTAGION, with noise."""
    if spec.is_baseline:
        return {"service_cost_gbp_pv": 5e8}
    net = 3e6 * scaled(spec, GP_AVOIDED) + 3e5 * scaled(spec, ESCALATION) - 1e6
    return {
        "investment_gbp_pv": 1e6,
        "net_benefit_gbp_pv": net + run_noise(spec, 2e4),
        "cost_avoided_gbp_pv": net + 1e6,
    }


def test_a_morris_folder_recovers_the_ranking_whatever_the_row_order(morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    result = analyse_folder(folder)
    table = result.indices
    assert list(table["parameter"]) == [GP_AVOIDED, ESCALATION, CONTAGION]
    by_name = table.set_index("parameter")
    assert by_name.loc[GP_AVOIDED, "mu_star"] == pytest.approx(3e6, rel=0.02)
    assert by_name.loc[ESCALATION, "mu_star"] == pytest.approx(3e5, rel=0.2)
    # The null assumption's mu* is only the noise left in the averages, and the noise
    # level measured for it says so.
    null = by_name.loc[CONTAGION]
    assert null["mu_star"] < 0.02 * by_name.loc[GP_AVOIDED, "mu_star"]
    assert null["mu_star"] < 4 * null["noise_level"]
    assert by_name.loc[GP_AVOIDED, "mu_star"] > 50 * by_name.loc[GP_AVOIDED, "noise_level"]
    assert result.metric.column == "net_benefit_gbp_pv"
    assert result.metric.scenario == "social_prescribing"
    assert result.noise.sd == pytest.approx(2e4, rel=0.35)


def test_y_is_the_replicate_average_at_each_design_point(morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    result = analyse_folder(folder)
    runs = morris_plan.runs_by_point()
    for i in (0, 7, len(runs) - 1):
        expected = [
            net_benefit_model(s)["net_benefit_gbp_pv"] for s in runs[i]["social_prescribing"]
        ]
        assert result.values[i] == pytest.approx(expected, rel=1e-12)


def gp_model(spec: RunSpec) -> dict[str, float]:
    """GP appointments: the baseline's depend on CONTAGION; the lever takes some off.

    A scenario run and its paired baseline run share their seed, hence their noise.
    """
    base = 1e6 + 5e4 * scaled(spec, CONTAGION) + seed_noise(spec.seed, 300)
    if spec.is_baseline:
        return {"gp_appointments_total": base}
    saved = 2e4 * scaled(spec, GP_AVOIDED) + 1e3 * scaled(spec, ESCALATION)
    return {"gp_appointments_total": base - saved}


def test_a_total_is_the_difference_from_the_paired_baseline_run(morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, gp_model)
    change = analyse_folder(folder, metric="gp_appointments_total")
    assert change.metric.difference
    by_name = change.indices.set_index("parameter")
    # CONTAGION moves both runs alike, so it does not move their difference.
    assert by_name.loc[CONTAGION, "mu_star"] == pytest.approx(0.0, abs=1e-6)
    assert by_name.loc[GP_AVOIDED, "mu_star"] == pytest.approx(2e4, rel=1e-9)
    assert by_name.loc[GP_AVOIDED, "mu"] == pytest.approx(-2e4, rel=1e-9)
    # The baseline's own totals depend on CONTAGION only.
    own = analyse_folder(folder, metric="gp_appointments_total", scenario="baseline")
    assert not own.metric.difference
    assert own.indices["parameter"].iloc[0] == CONTAGION
    assert own.indices.set_index("parameter").loc[GP_AVOIDED, "mu_star"] == 0.0


@pytest.fixture(scope="module")
def sobol_plan(tmp_path_factory, scenarios_dir) -> Experiment:
    folder = tmp_path_factory.mktemp("sobol")
    sample = f"sample: {{method: sobol, n: 64, ranges: {ranges_yaml()}}}"
    return load_experiment(write_experiment(folder, scenarios_dir, sample, name="sobol"))


def test_sobol_indices_of_the_real_design_rank_a_known_function(sobol_plan):
    x = sobol_plan.sample_matrix
    names = sobol_plan.sample_problem["names"]
    share = {
        n: (x[:, i] - RANGES[n][0]) / (RANGES[n][1] - RANGES[n][0]) for i, n in enumerate(names)
    }
    y = 4.0 * share[GP_AVOIDED] + 1.0 * share[ESCALATION]
    table = sobol_indices(sobol_plan.sample_problem, y, second_order=False, seed=1).set_index(
        "parameter"
    )
    assert list(table.index) == [GP_AVOIDED, ESCALATION, CONTAGION]
    # Variances 16 : 1 : 0 of uniform inputs.
    assert table.loc[GP_AVOIDED, "S1"] == pytest.approx(16 / 17, abs=0.08)
    assert table.loc[ESCALATION, "ST"] == pytest.approx(1 / 17, abs=0.03)
    assert abs(table.loc[CONTAGION, "ST"]) < 1e-9


def test_a_sobol_folder_writes_s1_and_st_ranked(sobol_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", sobol_plan, net_benefit_model)
    result = analyse_folder(folder)
    assert list(result.indices["parameter"]) == [GP_AVOIDED, ESCALATION, CONTAGION]
    path = write_indices(result)
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "parameter",
        "description",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "rank",
        "noise_level",
        "metric",
        "scenario",
    ]
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    null = rows[2]
    assert abs(float(null["ST"])) < 0.01
    # Replicate noise adds about noise_level to every ST: small here, and measured.
    assert 0 < float(null["noise_level"]) < 0.01


# --------------------------------------------------------------------------------------
# Noise: what replicates share (their seed, at every point) is not noise
# --------------------------------------------------------------------------------------


@given(
    signal=arrays(np.int64, 12, elements=st.integers(-(10**6), 10**6)),
    shift=arrays(np.int64, 3, elements=st.integers(-(10**6), 10**6)),
)
def test_a_replicate_wide_shift_is_not_noise(signal, shift):
    """Common random numbers: a replicate that is higher everywhere moves no effect."""
    # 12 points: 3 Morris trajectories of 4, or 2 Saltelli blocks of 5 (and 2 spare).
    values = (signal[:, None] + shift[None, :]).astype(np.float64)
    matrix = np.tile(np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]], float), (3, 1))
    assert np.array_equal(morris_noise_level(matrix, values, levels=4), np.zeros(3))
    sobol = sobol_noise_level(values[:10], d=3, second_order=False)
    assert sobol is None or np.array_equal(sobol, np.zeros(3))


def test_noise_cannot_be_measured_with_one_replicate():
    matrix = np.array([[0.0], [1.0]])
    assert morris_noise_level(matrix, np.array([[1.0], [2.0]]), levels=4) is None
    assert sobol_noise_level(np.array([[1.0], [2.0], [3.0]]), d=1, second_order=False) is None


def test_descriptions_are_the_schemas_in_plain_words():
    assert describe_parameter(CONTAGION).startswith("Loneliness: strength of loneliness")
    assert describe_parameter(GP_AVOIDED).startswith("Social prescribing: practice appointments")
    assert describe_parameter("not.a.setting") == "not.a.setting"


# --------------------------------------------------------------------------------------
# (2) A real tiny Morris sweep, end to end through the command line
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_sweep(tmp_path_factory, scenarios_dir) -> Path:
    folder = tmp_path_factory.mktemp("real")
    ranges = {GP_AVOIDED: RANGES[GP_AVOIDED], ESCALATION: RANGES[ESCALATION]}
    experiment = write_experiment(
        folder,
        scenarios_dir,
        f"sample: {{method: morris, n: 3, ranges: {ranges_yaml(ranges)}}}",
        replicates=1,
        name="tiny_morris",
        overrides="{population.residents: 1000, horizon.years: 3, horizon.burn_in_years: 1}",
    )
    out = folder / "out"
    result = CliRunner().invoke(
        cli, ["sweep", str(experiment), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_command_writes_ranked_indices_and_pictures(real_sweep, runner, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(real_sweep, folder)
    result = runner.invoke(cli, ["sensitivity", str(folder)])
    assert result.exit_code == 0, result.output
    with open(folder / "sensitivity.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == MORRIS_COLUMNS
    assert {r["parameter"] for r in rows} == {GP_AVOIDED, ESCALATION}
    assert sorted(int(r["rank"]) for r in rows) == [1, 2]
    mu_star = [float(r["mu_star"]) for r in rows]
    assert mu_star == sorted(mu_star, reverse=True) and min(mu_star) >= 0
    assert {r["metric"] for r in rows} == {"net_benefit_gbp_pv"}
    assert {r["scenario"] for r in rows} == {"social_prescribing"}
    assert {r["noise_level"] for r in rows} == {""}  # one replicate: not measurable
    for name in ("sensitivity_net_benefit_gbp_pv", "sensitivity_net_benefit_gbp_pv_sigma"):
        assert (folder / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in (folder / "plots" / f"{name}.svg").read_text(encoding="utf-8")
    out = result.output
    assert "Which assumptions drive the net benefit of social prescribing?" in out
    assert "GP: unmet primary-care demand" in out and f"  {ESCALATION}  " in out
    assert "with 1 replicate per point the noise" in out
    assert not list(folder.glob("*.tmp")) and not list((folder / "plots").glob("*.tmp"))


def test_the_lever_drives_gp_appointments_in_the_real_model(real_sweep):
    """More appointments avoided per person, fewer appointments: the sign is right."""
    result = analyse_folder(real_sweep, metric="gp_appointments_total")
    first = result.indices.iloc[0]
    assert first["parameter"] == GP_AVOIDED
    assert first["mu"] < 0
    assert first["mu_star"] > 5 * result.indices.iloc[1]["mu_star"]


# --------------------------------------------------------------------------------------
# (3) Errors: one line, exit code 1
# --------------------------------------------------------------------------------------


def error_of(runner, *args: str) -> str:
    result = runner.invoke(cli, ["sensitivity", *args])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert "Traceback" not in result.output
    return line


def test_a_folder_that_is_not_a_sweep(runner, tmp_path):
    assert "is not a sweep results folder" in error_of(runner, str(tmp_path))
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    (tmp_path / "timeseries.csv").write_text("week\n", encoding="utf-8")
    assert "holds a single run" in error_of(runner, str(tmp_path))


@pytest.mark.parametrize(
    ("design", "said"),
    [
        ("vary: {services.gp.escalation_to_ae: [0.0, 0.1]}", "varies settings on a grid"),
        (
            "sample: {method: latin_hypercube, n: 4, ranges: {" + CONTAGION + ": [0, 1]}}",
            "sampled with latin_hypercube",
        ),
        ("", "varies nothing"),
    ],
)
def test_a_sweep_not_sampled_with_morris_or_sobol(runner, tmp_path, scenarios_dir, design, said):
    plan = load_experiment(write_experiment(tmp_path, scenarios_dir, design, replicates=1))
    fake_sweep(tmp_path / "sweep", plan, net_benefit_model)
    line = error_of(runner, str(tmp_path / "sweep"))
    assert said in line
    assert "method: morris" in line and "experiments/sensitivity_morris.yaml" in line


def test_unfinished_runs_are_counted_with_how_to_resume(runner, morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model, drop=3)
    line = error_of(runner, str(folder))
    total = len(morris_plan.runs())
    assert f"3 of {total} runs" in line and "3 not run yet" in line
    assert f"thriving sweep {morris_plan.file} --out {folder}" in line


def test_an_unknown_metric_lists_the_choices(runner, morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    line = error_of(runner, str(folder), "--metric", "gp_apointments_total")
    assert "unknown metric 'gp_apointments_total'" in line
    assert "did you mean 'gp_appointments_total'?" in line
    assert "net_benefit_gbp_pv" in line and "bcr" in line
    assert CONTAGION not in line.split("choose one of")[1]  # a setting is not a metric
    line = error_of(runner, str(folder), "--metric", "run_id")
    assert "unknown metric 'run_id'" in line


def test_an_unknown_scenario_and_the_baseline_without_a_metric(runner, morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    assert "did you mean 'social_prescribing'?" in error_of(
        runner, str(folder), "--scenario", "social_prescribin"
    )
    assert "has no net benefit" in error_of(runner, str(folder), "--scenario", "baseline")


def test_a_metric_no_assumption_moves_is_refused(morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    with pytest.raises(ThrivingError, match="none of the sampled assumptions changes it"):
        analyse_folder(folder, metric="deaths_total")  # 0 everywhere


def test_a_damaged_manifest_is_a_clear_error(morris_plan, tmp_path):
    folder = fake_sweep(tmp_path / "sweep", morris_plan, net_benefit_model)
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data["experiment"]["sample"]["matrix"] = data["experiment"]["sample"]["matrix"][:-1]
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ThrivingError, match="was it edited"):
        analyse_folder(ResultsFolder(folder).path)
