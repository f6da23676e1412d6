"""Sweeps: files written, identical results on any executor, pairing, resume, failures.

Tiny scenarios (300 residents, one year, no burn-in) keep each run to a fraction of a
second; most of the time is the worker pool starting. One reference sweep (one
worker) is shared by the tests that only read it.
"""

from __future__ import annotations

import csv
import importlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sweeps import SP_BUDGET, WARDS, WEEKS, make_runs, tiny_scenario

from thriving.cli.main import cli
from thriving.config.errors import ThrivingError
from thriving.metrics import (
    BOROUGH_COLUMNS,
    SERVICE_UNITS,
    SUMMARY_NUMBERS,
    SUMMARY_PAIRED,
    WARD_COLUMNS,
)
from thriving.runs.store import FolderLock, ResultsFolder
from thriving.runs.sweep import (
    RunList,
    SweepReporter,
    run_sweep,
    summary_columns,
)
from thriving.sim.model import NeighbourhoodModel

REPO = Path(__file__).resolve().parents[2]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def plan() -> RunList:
    return make_runs()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, plan) -> Path:
    """The reference sweep: one local worker."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    outcome = run_sweep(plan, out, workers=1)
    assert outcome.ok and not outcome.failed
    return out


# --------------------------------------------------------------------------------------
# What a sweep writes
# --------------------------------------------------------------------------------------


def test_every_run_has_its_three_files_and_nothing_temporary(reference, plan):
    folder = ResultsFolder(reference)
    for spec in plan.runs():
        series = pd.read_parquet(folder.series_file(spec.run_id))
        wards = pd.read_parquet(folder.wards_file(spec.run_id))
        record = json.loads(folder.record_file(spec.run_id).read_text())
        assert list(series.columns) == list(BOROUGH_COLUMNS)
        assert len(series) == WEEKS
        assert list(wards.columns) == list(WARD_COLUMNS)
        assert len(wards) == WEEKS * WARDS
        assert record["status"] == "done"
        assert record["run_id"] == spec.run_id
        assert record["seed"] == spec.seed
        assert record["point"] == spec.point
        assert record["baseline_run_id"] == spec.baseline_run_id
        assert not folder.error_file(spec.run_id).exists()
    assert temp_files(reference) == []
    names = {p.name for p in folder.runs.iterdir()}
    assert len(names) == 3 * len(plan.runs())


def test_summary_csv_has_one_row_per_run_in_order_with_the_documented_columns(reference, plan):
    rows = read_rows(reference / "summary.csv")
    header = (reference / "summary.csv").read_text().splitlines()[0].split(",")
    assert header == [
        "run_id",
        "scenario",
        "seed",
        "replicate",
        SP_BUDGET,
        "is_baseline",
        "baseline_run_id",
        "gp_appointments_total",
        "ae_attendances_total",
        "emergency_admissions_total",
        "social_care_hours_total",
        "mental_health_referrals_total",
        "lonely_person_years",
        "deaths_total",
        "service_cost_gbp_pv",
        "investment_gbp_pv",
        "gp_cost_gbp_pv",
        "ae_cost_gbp_pv",
        "admissions_cost_gbp_pv",
        "social_care_cost_gbp_pv",
        "mental_health_cost_gbp_pv",
        "cash_releasing_cost_gbp_pv",
        "cost_avoided_gbp_pv",
        "net_benefit_gbp_pv",
        "bcr",
    ]
    assert header == summary_columns([SP_BUDGET])
    assert [r["run_id"] for r in rows] == [s.run_id for s in plan.runs()]
    for row, spec in zip(rows, plan.runs(), strict=True):
        assert row["scenario"] == spec.scenario_label
        assert int(row["seed"]) == spec.seed
        assert int(row["replicate"]) == spec.replicate
        assert row["is_baseline"] == ("TRUE" if spec.is_baseline else "FALSE")
        assert row["baseline_run_id"] == (spec.baseline_run_id or "")
        assert row[SP_BUDGET] == ("" if spec.is_baseline else str(int(spec.point[SP_BUDGET])))


def test_summary_numbers_are_the_runs_own_at_full_precision(reference, plan):
    """A run in this process gives exactly the numbers the worker wrote."""
    rows = {r["run_id"]: r for r in read_rows(reference / "summary.csv")}
    spec = plan.runs()[1]
    summary = NeighbourhoodModel(spec.scenario, spec.seed).run().summary
    for name in SUMMARY_NUMBERS:
        assert float(rows[spec.run_id][name]) == summary[name], name
    services = [f"{name}_cost_gbp_pv" for name in SERVICE_UNITS]
    assert sum(summary[name] for name in services) == pytest.approx(
        summary["service_cost_gbp_pv"], rel=1e-9
    )
    series = pd.read_parquet(ResultsFolder(reference).series_file(spec.run_id))
    assert float(rows[spec.run_id]["gp_appointments_total"]) == pytest.approx(
        series["gp_appointments"].sum(), rel=1e-12
    )


def test_paired_columns_are_computed_against_the_baseline_of_the_same_seed(reference):
    rows = read_rows(reference / "summary.csv")
    by_id = {r["run_id"]: r for r in rows}
    compared = 0
    for row in rows:
        if row["is_baseline"] == "TRUE":
            assert all(row[c] == "" for c in SUMMARY_PAIRED)
            continue
        base = by_id[row["baseline_run_id"]]
        assert base["is_baseline"] == "TRUE"
        assert base["seed"] == row["seed"]
        avoided = float(base["service_cost_gbp_pv"]) - float(row["service_cost_gbp_pv"])
        investment = float(row["investment_gbp_pv"])
        assert investment > 0
        assert float(row["cost_avoided_gbp_pv"]) == avoided
        assert float(row["net_benefit_gbp_pv"]) == avoided - investment
        assert float(row["bcr"]) == avoided / investment
        compared += 1
    assert compared == 4


def test_manifest_records_experiment_versions_executor_and_every_run(reference, plan):
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["fingerprint"] == plan.fingerprint
    assert manifest["experiment"] == json.loads(json.dumps(plan.to_dict()))
    assert set(manifest["versions"]) >= {"thriving", "numpy", "mesa", "pandas", "python"}
    assert manifest["executor"] == "local" and manifest["workers"] == 1
    assert manifest["started"] <= manifest["finished"]
    assert manifest["varied"] == [SP_BUDGET]
    assert manifest["counts"] == {"done": 6, "failed": 0, "pending": 0}
    assert [e["run_id"] for e in manifest["runs"]] == [s.run_id for s in plan.runs()]
    for entry in manifest["runs"]:
        assert entry["status"] == "done"
        assert entry["seconds"] > 0
    (session,) = manifest["sessions"]
    assert session["outcome"] == "complete"


# --------------------------------------------------------------------------------------
# The same bytes whatever runs the sweep
# --------------------------------------------------------------------------------------


def test_two_workers_give_byte_identical_summary(reference, plan, tmp_path):
    outcome = run_sweep(plan, tmp_path / "two", workers=2)
    assert outcome.ok
    assert (tmp_path / "two" / "summary.csv").read_bytes() == (
        reference / "summary.csv"
    ).read_bytes()


def test_dask_gives_byte_identical_summary(reference, plan, tmp_path):
    pytest.importorskip("distributed")
    outcome = run_sweep(plan, tmp_path / "dask", executor="dask", workers=2)
    assert outcome.ok
    assert (tmp_path / "dask" / "summary.csv").read_bytes() == (
        reference / "summary.csv"
    ).read_bytes()
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["executor"] == "dask"


# --------------------------------------------------------------------------------------
# Resume
# --------------------------------------------------------------------------------------


def test_resume_completes_a_damaged_partial_sweep_exactly(reference, plan, tmp_path):
    out = tmp_path / "partial"
    shutil.copytree(reference, out)
    folder = ResultsFolder(out)
    ids = [s.run_id for s in plan.runs()]
    folder.record_file(ids[0]).unlink()  # killed before its record was written
    folder.wards_file(ids[2]).unlink()  # record without a ward file: not done
    whole = folder.series_file(ids[4]).read_bytes()
    folder.series_file(ids[4]).write_bytes(whole[: len(whole) // 2])  # truncated
    (folder.runs / f"{ids[5]}.parquet.123-abcd.tmp").write_bytes(b"half")
    (out / "manifest.json.9-ffff.tmp").write_bytes(b"{")
    (out / "summary.csv").unlink()

    finished = []

    class Collect(SweepReporter):
        def advance(self, *, done, failed, total, record):
            finished.append(record["run_id"])

    outcome = run_sweep(plan, out, workers=2, reporter=Collect())
    assert outcome.ok
    assert outcome.already_done == 3
    assert sorted(finished) == sorted([ids[0], ids[2], ids[4]])
    assert (out / "summary.csv").read_bytes() == (reference / "summary.csv").read_bytes()
    assert temp_files(out) == []
    assert folder.series_file(ids[4]).read_bytes() == whole
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["outcome"] for s in manifest["sessions"]] == ["complete", "complete"]


def test_resuming_a_finished_sweep_runs_nothing(reference, plan, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(reference, out)
    outcome = run_sweep(plan, out, workers=2)
    assert outcome.ok and outcome.already_done == outcome.done == 6
    assert (out / "summary.csv").read_bytes() == (reference / "summary.csv").read_bytes()


# --------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path):
    broken = tiny_scenario(
        "broken", population={"residents": 300, "wards_file": str(tmp_path / "no_wards.csv")}
    )
    plan = make_runs(seeds=(11,), budgets=(100_000,), failing=broken)
    out = tmp_path / "failing"
    outcome = run_sweep(plan, out, workers=2)
    (failed,) = outcome.failed
    bad_id = plan.runs()[-1].run_id
    assert failed.run_id == bad_id
    assert "no_wards.csv" in failed.error and failed.error.startswith("ScenarioError")
    assert outcome.done == 2 and not outcome.ok

    folder = ResultsFolder(out)
    manifest = json.loads(folder.manifest.read_text())
    entry = next(e for e in manifest["runs"] if e["run_id"] == bad_id)
    assert entry["status"] == "failed"
    assert entry["error"] == failed.error
    assert "Traceback" in folder.error_file(bad_id).read_text()
    assert manifest["counts"] == {"done": 2, "failed": 1, "pending": 0}
    assert manifest["sessions"][-1]["outcome"] == "incomplete"
    rows = read_rows(out / "summary.csv")
    assert [r["run_id"] for r in rows] == [s.run_id for s in plan.runs()[:2]]


def test_the_sweep_command_exits_1_listing_each_failure(tmp_path, runner, monkeypatch):
    broken = tiny_scenario(
        "broken", population={"residents": 300, "wards_file": str(tmp_path / "gone.csv")}
    )
    plan = make_runs(seeds=(11,), budgets=(100_000,), failing=broken)
    experiment = importlib.import_module("thriving.config.experiment")
    monkeypatch.setattr(experiment, "load_experiment", lambda path: plan)
    exp = tmp_path / "exp.yaml"
    exp.write_text("name: x\n")
    result = runner.invoke(cli, ["sweep", str(exp), "--workers", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "1 run failed:" in result.stderr
    assert f"{plan.runs()[-1].run_id} (broken, seed 11): ScenarioError" in result.stderr
    assert "2 of 3 runs done" in result.stdout


# --------------------------------------------------------------------------------------
# Folders that hold something else
# --------------------------------------------------------------------------------------


def test_a_changed_experiment_is_refused_unless_forced(reference, plan, tmp_path):
    out = tmp_path / "changed"
    shutil.copytree(reference, out)
    before = (out / "summary.csv").read_bytes()
    changed = make_runs(seeds=(11, 13))
    with pytest.raises(ThrivingError, match="different experiment.*--force"):
        run_sweep(changed, out, workers=1)
    assert (out / "summary.csv").read_bytes() == before

    outcome = run_sweep(changed, out, workers=1, force=True)
    assert outcome.ok and outcome.already_done == 0
    assert outcome.moved_aside is not None and outcome.moved_aside.parent == tmp_path
    assert (outcome.moved_aside / "summary.csv").read_bytes() == before
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fingerprint"] == changed.fingerprint
    assert len(manifest["sessions"]) == 1


def test_a_folder_that_is_not_a_results_folder_is_never_touched(plan, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"precious")
    for force in (False, True):
        with pytest.raises(ThrivingError, match="not a sweep results folder"):
            run_sweep(plan, out, workers=1, force=force)
    assert sorted(p.name for p in out.iterdir()) == ["budget.xlsx"]


def test_a_folder_in_use_by_another_sweep_is_refused(plan, tmp_path):
    out = tmp_path / "busy"
    with FolderLock(out):
        with pytest.raises(ThrivingError, match="another sweep is writing"):
            run_sweep(plan, out, workers=1)


def test_repeated_run_ids_are_refused(tmp_path):
    plan = make_runs(seeds=(11,), budgets=(100_000,))
    doubled = RunList("doubled", [*plan.runs(), plan.runs()[0]])
    with pytest.raises(ThrivingError, match="same run"):
        run_sweep(doubled, tmp_path / "d", workers=1)


def test_dask_missing_is_a_one_line_error_naming_the_extra(plan, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    with pytest.raises(ThrivingError) as info:
        run_sweep(plan, tmp_path / "no_dask", executor="dask", workers=1)
    message = str(info.value)
    assert 'pip install "thriving[dask]"' in message and "\n" not in message
    assert not (tmp_path / "no_dask").exists()


# --------------------------------------------------------------------------------------
# The command with a real experiment file
# --------------------------------------------------------------------------------------


def write_experiment(folder: Path, seed: int = 7) -> Path:
    path = folder / "tiny.yaml"
    path.write_text(
        f"""name: tiny
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios: [{REPO / "scenarios" / "social_prescribing.yaml"}]
replicates: 2
seed: {seed}
overrides:
  population.residents: 300
  horizon.years: 1
  horizon.burn_in_years: 0
  investments.social_prescribing.end_year: 1
vary:
  {SP_BUDGET}: [100000, 400000]
""",
        encoding="utf-8",
    )
    return path


def test_sweep_command_runs_resumes_and_refuses_a_changed_file(tmp_path, runner):
    exp = write_experiment(tmp_path)
    out = tmp_path / "results" / "tiny"
    args = ["sweep", str(exp), "--workers", "2", "--out", str(out)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "6 of 6 runs done (6 now" in first.stdout
    rows = read_rows(out / "summary.csv")
    assert len(rows) == 6 and sum(r["is_baseline"] == "TRUE" for r in rows) == 2

    again = runner.invoke(cli, args)
    assert again.exit_code == 0
    assert "6 of 6 runs done (0 now" in again.stdout

    write_experiment(tmp_path, seed=8)
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()[-1:]
    assert "different experiment" in line and "--force" in line

    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0
    assert "moved to" in forced.stderr


def test_sweep_command_default_folder_is_results_slash_name(tmp_path, runner, monkeypatch):
    exp = write_experiment(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["sweep", str(exp), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "tiny" / "summary.csv").exists()


def test_scheduler_needs_the_dask_executor(tmp_path, runner):
    exp = write_experiment(tmp_path)
    result = runner.invoke(
        cli, ["sweep", str(exp), "--executor", "local", "--scheduler", "tcp://x:8786"]
    )
    assert result.exit_code == 2
    assert "--scheduler needs --executor dask" in result.stderr


def test_doctests():
    import doctest

    import thriving.runs.runner
    import thriving.runs.store
    import thriving.runs.sweep

    for module in (thriving.runs.store, thriving.runs.runner, thriving.runs.sweep):
        failures, tried = doctest.testmod(module)
        assert failures == 0 and tried > 0, module.__name__


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------


def test_an_existing_dask_scheduler_is_used_and_left_running(reference, plan, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "remote"
        outcome = run_sweep(plan, out, executor="dask", scheduler=cluster.scheduler_address)
        assert outcome.ok
        assert (out / "summary.csv").read_bytes() == (reference / "summary.csv").read_bytes()
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["sessions"][-1]["scheduler"] == cluster.scheduler_address
        with distributed.Client(cluster) as client:  # not shut down by the sweep
            assert len(client.nthreads()) == 1


def test_an_unreachable_dask_scheduler_is_a_clear_error(plan, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("thriving.runs.runner.DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ThrivingError, match="cannot connect to the Dask scheduler at"):
        run_sweep(plan, tmp_path / "x", executor="dask", scheduler="tcp://127.0.0.1:9", workers=1)


def test_a_local_pool_whose_worker_dies_is_replaced():
    import os

    from thriving.runs.runner import LocalExecutor

    pool = LocalExecutor(1)
    try:
        died = pool.submit(os._exit, 3)
        error = died.exception(timeout=60)
        assert pool.is_broken_error(error)
        pool.restart()
        assert pool.submit(abs, -2).result(timeout=60) == 2
        pool.restart()  # a healthy pool is kept
        assert pool.submit(abs, -3).result(timeout=60) == 3
    finally:
        pool.close(now=True)
