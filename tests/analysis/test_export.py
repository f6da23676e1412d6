"""thriving export: every run's weekly series as one long CSV file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sweeps import SP_BUDGET, make_runs

from thriving.analysis.export import export_csv
from thriving.cli.main import cli
from thriving.config.errors import ThrivingError
from thriving.metrics import BOROUGH_COLUMNS, WARD_COLUMNS
from thriving.runs.store import ResultsFolder
from thriving.runs.sweep import run_sweep

WEEKS = 52
WARDS = 20
LEAD = ["run_id", "scenario", "seed", "replicate", SP_BUDGET]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "sweep"
    assert run_sweep(make_runs(seeds=(11,)), out, workers=2).ok
    return out


def test_weekly_export_has_one_row_per_run_and_week_in_run_order(sweep, tmp_path):
    outcome = export_csv(sweep, tmp_path / "weekly.csv")
    frame = pd.read_csv(tmp_path / "weekly.csv")
    runs = [s.run_id for s in make_runs(seeds=(11,)).runs()]
    assert outcome.runs == len(runs) and outcome.not_done == 0
    assert outcome.rows == len(frame) == len(runs) * WEEKS
    assert list(frame.columns) == [*LEAD, *BOROUGH_COLUMNS]
    assert list(dict.fromkeys(frame["run_id"])) == runs
    for run_id in runs:
        rows = frame[frame["run_id"] == run_id]
        series = pd.read_parquet(ResultsFolder(sweep).series_file(run_id))
        assert rows["week"].tolist() == list(range(1, WEEKS + 1))
        # Full precision: the CSV gives back exactly the stored numbers.
        assert rows["gp_appointments"].tolist() == series["gp_appointments"].tolist()
    baseline = frame[frame["scenario"] == "baseline"]
    assert baseline[SP_BUDGET].isna().all()
    assert set(frame.loc[frame["scenario"] != "baseline", SP_BUDGET]) == {100_000, 400_000}


def test_ward_export_has_one_row_per_run_week_and_ward(sweep, tmp_path):
    outcome = export_csv(sweep, tmp_path / "wards.csv", wards=True)
    frame = pd.read_csv(tmp_path / "wards.csv")
    assert outcome.rows == len(frame) == 3 * WEEKS * WARDS
    assert list(frame.columns) == [*LEAD, *WARD_COLUMNS]
    assert frame["ward"].nunique() == WARDS


def test_unfinished_runs_are_left_out_and_counted(sweep, tmp_path):
    out = tmp_path / "partial"
    shutil.copytree(sweep, out)
    first = make_runs(seeds=(11,)).runs()[0].run_id
    ResultsFolder(out).record_file(first).unlink()
    outcome = export_csv(out)
    assert outcome.path == str(out / "weekly.csv")
    assert outcome.not_done == 1 and outcome.rows == 2 * WEEKS
    assert first not in set(pd.read_csv(out / "weekly.csv")["run_id"])


def test_export_command_writes_the_default_file_and_says_so(sweep, runner):
    result = runner.invoke(cli, ["export", str(sweep), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {sweep / 'weekly.csv'}: 3 runs, {3 * WEEKS} rows" in result.stderr
    assert len(pd.read_csv(sweep / "weekly.csv")) == 3 * WEEKS
    wards = runner.invoke(cli, ["export", str(sweep), "--wards"])
    assert wards.exit_code == 0
    assert (sweep / "weekly_by_ward.csv").exists()


def test_export_to_standard_output(sweep, runner):
    result = runner.invoke(cli, ["export", str(sweep), "--out", "-"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("run_id,scenario,seed,replicate,")
    assert len(lines) == 1 + 3 * WEEKS


def test_a_folder_that_is_not_a_sweep_is_a_one_line_error(tmp_path, runner):
    result = runner.invoke(cli, ["export", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"{tmp_path} is not a sweep results folder (it has no manifest.json)"
    )
    with pytest.raises(ThrivingError):
        export_csv(tmp_path)
