"""``thriving run``: the files it writes, reproducibility, bad input and interruption.

Runs are small (a few hundred adults, one or two years) so the whole file takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from thriving.cli.main import cli
from thriving.config.scenario import load_scenario
from thriving.sim.model import NeighbourhoodModel

HERE = Path(__file__).resolve().parents[1]  # tests/
SCENARIOS = HERE.parent / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SOCIAL_PRESCRIBING = SCENARIOS / "social_prescribing.yaml"

#: Small, quick runs: 500 adults, one year, no burn-in.
SMALL = ["--population", "500", "--years", "1", "--set", "horizon.burn_in_years=0"]

#: The weekly series has at least these columns (the README lists them).
REQUIRED_COLUMNS = (
    "week year population gp_appointments ae_attendances emergency_admissions "
    "social_care_clients social_care_hours mental_health_referrals unmet_demand "
    "lonely_share lonely_person_years isolated_share mean_degree bridging_share "
    "participation_rate groups_open deaths service_cost_gbp investment_spend_gbp"
).split()

#: Files that must be byte-identical between two runs with the same seed.
REPRODUCIBLE = ("timeseries.csv", "timeseries_by_ward.csv", "summary.json", "scenario.yaml")
ALWAYS_WRITTEN = {*REPRODUCIBLE, "manifest.json"}


def run(runner: CliRunner, *args: object) -> object:
    """Invoke ``thriving run`` with the given arguments (as strings)."""
    return runner.invoke(cli, ["run", *map(str, args)])


def entries(folder: Path) -> set[str]:
    """Names in a folder, hidden ones included (temporary folders start with a dot)."""
    return {p.name for p in folder.iterdir()}


def assert_clean_error(result: object, exit_codes: tuple[int, ...]) -> str:
    """The run failed with one of the exit codes and a message, not a traceback."""
    assert result.exit_code in exit_codes, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message
    return message


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One small baseline run (seed 1), shared by the read-only checks."""
    out = tmp_path_factory.mktemp("small") / "out"
    result = run(CliRunner(), BASELINE, *SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    return out, result.stdout


# --------------------------------------------------------------------------------------
# What a run writes
# --------------------------------------------------------------------------------------


def test_run_writes_every_file(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    assert entries(out) == ALWAYS_WRITTEN  # baseline: no referrals, so no referrals.csv
    assert entries(out.parent) == {"out"}  # no temporary folder left beside it


def test_timeseries_has_the_design_columns_and_a_row_a_week(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    ts = pd.read_csv(out / "timeseries.csv")
    assert set(REQUIRED_COLUMNS) <= set(ts.columns)
    assert len(ts) == 52
    assert ts["week"].tolist() == list(range(1, 53))
    assert (ts["year"] == 1).all()
    by_ward = pd.read_csv(out / "timeseries_by_ward.csv")
    n_wards = by_ward["ward"].nunique()
    assert n_wards == 20
    assert len(by_ward) == 52 * n_wards
    # Ward rows add up to the borough's.
    ward_totals = by_ward.groupby("week")["gp_appointments"].sum().to_numpy()
    np.testing.assert_allclose(ward_totals, ts["gp_appointments"], rtol=1e-9)


def test_summary_totals_are_sums_of_the_weekly_columns(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    ts = pd.read_csv(out / "timeseries.csv")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    pairs = {
        "gp_appointments_total": "gp_appointments",
        "ae_attendances_total": "ae_attendances",
        "emergency_admissions_total": "emergency_admissions",
        "social_care_hours_total": "social_care_hours",
        "mental_health_referrals_total": "mental_health_referrals",
        "lonely_person_years": "lonely_person_years",
        "deaths_total": "deaths",
        "service_cost_gbp": "service_cost_gbp",
        "investment_gbp": "investment_spend_gbp",
    }
    for key, column in pairs.items():
        assert summary[key] == pytest.approx(ts[column].sum(), rel=1e-12), key
    assert summary["gp_appointments_total"] > 0
    # One year: nothing to discount.
    assert summary["service_cost_gbp_pv"] == pytest.approx(summary["service_cost_gbp"])
    assert summary["seed"] == 1
    assert summary["scenario"] == "baseline"
    assert summary["years"] == 1 and summary["burn_in_years"] == 0
    assert set(summary["calibration"]) >= {"lonely_share", "gp_appointments_per_adult"}


def test_scenario_yaml_is_the_scenario_as_run(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    as_run = load_scenario(
        BASELINE,
        {"population.residents": 500, "horizon.years": 1, "horizon.burn_in_years": 0},
    )
    assert load_scenario(out / "scenario.yaml") == as_run


def test_manifest_records_versions_seed_checksums_and_timings(
    small_run: tuple[Path, str],
) -> None:
    out, _ = small_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["thriving_version"]
    assert {"python", "numpy", "mesa", "pandas"} <= set(manifest["versions"])
    assert manifest["seed"] == 1
    assert manifest["scenario_file"] == str(BASELINE)
    scenario_bytes = (out / "scenario.yaml").read_bytes()
    assert manifest["scenario_sha256"] == hashlib.sha256(scenario_bytes).hexdigest()
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert set(manifest["files"]) == ALWAYS_WRITTEN - {"manifest.json"}
    assert manifest["command_line"].startswith("thriving run ")
    assert "--seed 1" in manifest["command_line"]
    assert "population.residents=500" in manifest["command_line"]
    assert manifest["started_at"] <= manifest["finished_at"]
    timings = manifest["timings"]
    assert timings["setup_seconds"] >= 0
    assert timings["run_seconds"] > 0
    assert timings["resident_weeks"] == 500 * 52
    assert timings["resident_weeks_per_second"] > 0


def test_prints_headline_totals_and_the_folder(small_run: tuple[Path, str]) -> None:
    out, stdout = small_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for label in (
        "GP practice appointments",
        "A&E attendances",
        "Emergency admissions",
        "Home-care hours",
        "Talking-therapies referrals",
        "Lonely person-years",
        "Deaths",
        "Service cost (£, present value)",
        "Investment (£, present value)",
    ):
        assert label in stdout
    assert f"{summary['gp_appointments_total']:,.0f}" in stdout
    assert f"£{summary['service_cost_gbp_pv']:,.0f}" in stdout
    assert str(out) in stdout


def test_multi_year_run_discounts_and_writes_referrals(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sp"
    result = run(
        runner,
        SOCIAL_PRESCRIBING,
        "--population", 1000,
        "--years", 2,
        "--set", "horizon.burn_in_years=0",
        "--set", "investments.social_prescribing.end_year=2",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert entries(out) == ALWAYS_WRITTEN | {"referrals.csv"}
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 104
    assert ts["year"].tolist() == [1] * 52 + [2] * 52
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["service_cost_gbp_pv"] < summary["service_cost_gbp"]
    assert 0 < summary["investment_gbp_pv"] < summary["investment_gbp"]
    by_year = ts.groupby("year")["service_cost_gbp"].sum()
    assert summary["service_cost_gbp_pv"] == pytest.approx(by_year[1] + by_year[2] / 1.035)
    referrals = pd.read_csv(out / "referrals.csv")
    assert len(referrals) > 0
    assert {"week", "took_up", "engaged"} <= set(referrals.columns)


def test_default_folder_is_results_scenario_seed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(runner, BASELINE, *SMALL, "--seed", 3)
    assert result.exit_code == 0, result.output
    assert entries(tmp_path) == {"results"}
    assert entries(tmp_path / "results") == {"baseline-seed3"}
    assert entries(tmp_path / "results" / "baseline-seed3") == ALWAYS_WRITTEN
    summary = json.loads((tmp_path / "results/baseline-seed3/summary.json").read_text())
    assert summary["seed"] == 3


# --------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(
    runner: CliRunner, tmp_path: Path, small_run: tuple[Path, str]
) -> None:
    first, _ = small_run
    again = tmp_path / "again"
    assert run(runner, BASELINE, *SMALL, "--out", again).exit_code == 0
    for name in REPRODUCIBLE:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    manifests = [json.loads((d / "manifest.json").read_text()) for d in (first, again)]
    assert manifests[0]["files"] == manifests[1]["files"]


def test_different_seed_gives_a_different_run(
    runner: CliRunner, tmp_path: Path, small_run: tuple[Path, str]
) -> None:
    first, _ = small_run
    other = tmp_path / "other"
    assert run(runner, BASELINE, *SMALL, "--seed", 2, "--out", other).exit_code == 0
    assert (first / "timeseries.csv").read_bytes() != (other / "timeseries.csv").read_bytes()


def test_zero_budget_investment_gives_the_baseline_series(
    runner: CliRunner, tmp_path: Path
) -> None:
    common = [
        "--population", 500,
        "--years", 3,
        "--set", "horizon.burn_in_years=1",
        "--seed", 5,
    ]  # fmt: skip
    base = tmp_path / "base"
    zero = tmp_path / "zero"
    assert run(runner, BASELINE, *common, "--out", base).exit_code == 0
    result = run(
        runner,
        SOCIAL_PRESCRIBING,
        *common,
        "--set", "investments.social_prescribing.budget_per_year=0",
        "--out", zero,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("timeseries.csv", "timeseries_by_ward.csv"):
        assert (base / name).read_bytes() == (zero / name).read_bytes(), name
    assert "referrals.csv" not in entries(zero)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


def test_missing_scenario_file(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path / "nope.yaml", "--out", tmp_path / "out")
    message = assert_clean_error(result, (2,))
    assert "nope.yaml" in message and "does not exist" in message
    assert entries(tmp_path) == set()


@pytest.mark.parametrize(
    ("item", "exit_code", "expected"),
    [
        ("horizon.yrs=3", 1, "--set: horizon.yrs: unknown field 'yrs'; did you mean 'years'?"),
        ("horizon", 2, "--set: horizon: expected PATH=VALUE"),
        ("horizon.years=lots", 1, "--set: horizon.years: must be a whole number"),
    ],
)
def test_bad_set_is_one_line(
    runner: CliRunner, tmp_path: Path, item: str, exit_code: int, expected: str
) -> None:
    result = run(runner, BASELINE, "--set", item, "--out", tmp_path / "out")
    message = assert_clean_error(result, (exit_code,))
    assert len(message.splitlines()) == 1
    assert message.startswith(expected)
    assert entries(tmp_path) == set()


@pytest.mark.parametrize(
    ("args", "exit_code", "expected"),
    [
        (["--population", "0"], 2, "'--population': 0 is not in the range"),
        (["--population", "50"], 1, "population.residents: must be at least 100 (got 50)"),
        (["--years", "0"], 2, "'--years': 0 is not in the range"),
        (["--seed", "-1"], 2, "'--seed': -1 is not in the range x>=0"),
        (["--seed", "one"], 2, "'--seed': 'one' is not a valid integer"),
        (["--population", "500", "--set", "population.residents=600"], 2, "give one"),
    ],
)
def test_bad_option_values(
    runner: CliRunner, tmp_path: Path, args: list[str], exit_code: int, expected: str
) -> None:
    result = run(runner, BASELINE, *args, "--out", tmp_path / "out")
    message = assert_clean_error(result, (exit_code,))
    assert expected in message
    assert entries(tmp_path) == set()


def test_existing_folder_is_refused_without_force(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run(runner, BASELINE, *SMALL, "--out", out)
    message = assert_clean_error(result, (1,))
    assert message == (
        f"{out} already exists and is not empty; add --force to replace it, "
        "or choose another --out folder"
    )
    assert entries(tmp_path) == {"out"}
    assert entries(out) == {"notes.txt"}
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_out_that_is_a_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a file", encoding="utf-8")
    assert_clean_error(run(runner, BASELINE, *SMALL, "--out", out), (1, 2))
    assert out.read_text(encoding="utf-8") == "a file"


def test_empty_existing_folder_is_used(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run(runner, BASELINE, *SMALL, "--out", out).exit_code == 0
    assert entries(out) == ALWAYS_WRITTEN


def test_force_replaces_an_existing_folder(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old", encoding="utf-8")
    result = run(runner, BASELINE, *SMALL, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert entries(out) == ALWAYS_WRITTEN
    assert entries(tmp_path) == {"out"}  # the old folder is gone, not left aside


# --------------------------------------------------------------------------------------
# Interruption: nothing half-done, earlier results untouched
# --------------------------------------------------------------------------------------


def stop_after(weeks: int, error: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make NeighbourhoodModel.step raise ``error`` once ``weeks`` weeks have run."""
    step = NeighbourhoodModel.step

    def failing_step(self: NeighbourhoodModel) -> None:
        if self.week >= weeks:
            raise error
        step(self)

    monkeypatch.setattr(NeighbourhoodModel, "step", failing_step)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("simulated crash")])
@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_run_leaves_nothing_behind(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    existing: bool,
) -> None:
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "timeseries.csv").write_text("earlier results", encoding="utf-8")
    stop_after(5, error, monkeypatch)
    result = run(runner, BASELINE, *SMALL, "--out", out, *(["--force"] if existing else []))
    if isinstance(error, KeyboardInterrupt):
        assert result.exit_code == 130
        assert result.stderr.strip() == "Interrupted."
    else:
        assert result.exception is error  # a bug, not a user error: it propagates
    if existing:
        assert entries(tmp_path) == {"out"}
        assert entries(out) == {"timeseries.csv"}
        assert (out / "timeseries.csv").read_text(encoding="utf-8") == "earlier results"
    else:
        assert entries(tmp_path) == set()


def test_interrupted_while_writing_leaves_earlier_results(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import thriving.runs.outputs

    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}", encoding="utf-8")
    write_file = thriving.runs.outputs._write_file
    written: list[str] = []

    def interrupted_write(path: Path, data: bytes) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(path.name)
        write_file(path, data)

    monkeypatch.setattr(thriving.runs.outputs, "_write_file", interrupted_write)
    result = run(runner, BASELINE, *SMALL, "--out", out, "--force")
    assert result.exit_code == 130
    assert len(written) == 2
    assert entries(tmp_path) == {"out"}
    assert entries(out) == {"summary.json"}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def _wait_until_running(process: subprocess.Popen, cpu_seconds: float = 1.5) -> None:
    """Wait until the child has spent ``cpu_seconds`` of CPU: past start-up and imports.

    A fixed sleep failed on a busy machine, where start-up took longer than the sleep
    and Ctrl-C arrived before the command was running (exit -2, not 130). CPU time is
    what start-up needs, however busy the machine; without /proc, a longer sleep.
    """
    stat = Path(f"/proc/{process.pid}/stat")
    if not stat.exists():
        time.sleep(5.0)
        return
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline and process.poll() is None:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu_seconds:  # utime + stime
            return
        time.sleep(0.05)


def test_ctrl_c_in_a_real_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "model")}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "thriving", "run", str(BASELINE),
            "--population", "50000", "--years", "12", "--out", str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    _wait_until_running(process)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip() == "Interrupted."
    assert entries(tmp_path) == set()


def test_real_process_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "model")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "thriving",
            "run",
            str(BASELINE),
            *SMALL,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # no progress bar when stderr is not a terminal
    assert "Output folder" in completed.stdout
    assert entries(out) == ALWAYS_WRITTEN
