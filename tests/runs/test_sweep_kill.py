"""A sweep killed part-way (SIGKILL) or stopped with Ctrl-C (SIGINT) resumes exactly.

Each test starts ``thriving sweep`` in its own process group, as a terminal would, waits
for the first run to be recorded, then signals the whole group (the sweep and its
workers). Resuming must give byte for byte the summary of a sweep never interrupted,
and no temporary or truncated file may count as a finished run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thriving.runs.store import ResultsFolder

pytestmark = pytest.mark.skipif(
    not hasattr(os, "killpg"), reason="process groups and signals are POSIX"
)

REPO = Path(__file__).resolve().parents[2]
RUNS = 8  # baseline and social prescribing, four replicates


def write_experiment(folder: Path) -> Path:
    path = folder / "killme.yaml"
    path.write_text(
        f"""name: killme
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios: [{REPO / "scenarios" / "social_prescribing.yaml"}]
replicates: 4
seed: 5
overrides:
  population.residents: 300
  horizon.years: 3
  horizon.burn_in_years: 0
""",
        encoding="utf-8",
    )
    return path


def sweep_command(experiment: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "thriving.cli.main",
        "sweep",
        str(experiment),
        "--workers",
        "2",
        "--out",
        str(out),
    ]


def start_and_signal(experiment: Path, out: Path, sig: int) -> tuple[int, str, int]:
    """Start a sweep, signal its process group once a run is recorded.

    Returns the exit code, stderr, and how many runs were recorded when signalled.
    """
    process = subprocess.Popen(
        sweep_command(experiment, out),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    runs = out / "runs"
    deadline = time.monotonic() + 60
    recorded = 0
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if runs.is_dir():
                recorded = sum(1 for p in runs.iterdir() if p.name.endswith(".json"))
                if recorded:
                    break
            time.sleep(0.005)
        assert process.poll() is None, "the sweep ended before it could be signalled"
        os.killpg(process.pid, sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, stderr, recorded


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("whole")
    experiment = write_experiment(folder)
    out = folder / "out"
    subprocess.run(sweep_command(experiment, out), check=True, capture_output=True)
    return out


def done_runs(out: Path) -> set[str]:
    manifest = json.loads((out / "manifest.json").read_text())
    folder = ResultsFolder(out)
    return {e["run_id"] for e in manifest["runs"] if folder.is_done(e["run_id"])}


def test_sigkill_part_way_then_resume_gives_the_uninterrupted_result(tmp_path, uninterrupted):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    code, _, recorded = start_and_signal(experiment, out, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert 1 <= recorded < RUNS

    # Whatever the kill left, only whole runs count: a record exists only beside both
    # Parquet files, and every counted Parquet file is whole.
    folder = ResultsFolder(out)
    survivors = done_runs(out)
    assert 1 <= len(survivors) < RUNS
    for path in folder.runs.glob("*.json"):
        run_id = path.name.removesuffix(".json")
        assert run_id in survivors
    left_over = [p.name for p in out.rglob("*.tmp")]

    resumed = subprocess.run(
        sweep_command(experiment, out), capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(survivors)} already done)" in resumed.stderr
    assert list(out.rglob("*.tmp")) == [], left_over
    assert (out / "summary.csv").read_bytes() == (uninterrupted / "summary.csv").read_bytes()
    parquet = list(ResultsFolder(out).runs.glob("*.parquet"))
    # Series and wards; referrals and GP use by quarter (social prescribing is tracked).
    assert len(parquet) == 4 * RUNS
    assert all(path.read_bytes().endswith(b"PAR1") for path in parquet)


def test_ctrl_c_stops_cleanly_keeps_finished_runs_and_resumes(tmp_path, uninterrupted):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    code, stderr, _ = start_and_signal(experiment, out, signal.SIGINT)
    assert code == 130, stderr
    assert "Interrupted" in stderr and "Traceback" not in stderr
    assert list(out.rglob("*.tmp")) == []

    manifest = json.loads((out / "manifest.json").read_text())
    survivors = done_runs(out)
    assert manifest["sessions"][-1]["outcome"] == "interrupted"
    assert {e["run_id"] for e in manifest["runs"] if e["status"] == "done"} == survivors
    summary_rows = (out / "summary.csv").read_text().splitlines()[1:]
    assert len(summary_rows) == len(survivors) >= 1

    resumed = subprocess.run(
        sweep_command(experiment, out), capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "summary.csv").read_bytes() == (uninterrupted / "summary.csv").read_bytes()
