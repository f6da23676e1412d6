"""The results folder: deterministic text, checks on the folder, all-or-nothing writing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from thriving.config.errors import ThrivingError
from thriving.config.schema import Scenario
from thriving.runs import outputs
from thriving.runs.outputs import (
    check_out_dir,
    csv_text,
    default_out_dir,
    headline_table,
    json_text,
    plain,
    write_run,
)
from thriving.runs.run import check_seed, run_scenario, timed_run
from thriving.sim.recording import RunResult

TINY = Scenario(
    name="tiny", population={"residents": 300}, horizon={"years": 1, "burn_in_years": 0}
)
FILES = {"timeseries.csv", "timeseries_by_ward.csv", "summary.json", "scenario.yaml"}


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run_scenario(TINY, seed=1)


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --------------------------------------------------------------------------------------
# Deterministic text
# --------------------------------------------------------------------------------------


def test_csv_keeps_full_precision() -> None:
    values = np.random.default_rng(3).random(50) * 10.0 ** np.arange(-25, 25)
    frame = pd.DataFrame({"week": np.arange(50), "value": values})
    text = csv_text(frame)
    back = [float(line.split(",")[1]) for line in text.splitlines()[1:]]
    assert back == values.tolist()  # exactly, not approx
    assert "\r" not in text


def test_csv_float32_nan_text_and_bool() -> None:
    frame = pd.DataFrame(
        {
            "share": np.array([0.1, 2.0], np.float32),
            "missing": [np.nan, 1.5],
            "ward": ["St Mary's", "a,b"],
            "took_up": [True, False],
        }
    )
    assert csv_text(frame) == (
        'share,missing,ward,took_up\n0.1,,St Mary\'s,True\n2.0,1.5,"a,b",False\n'
    )


def test_plain_and_json_text() -> None:
    value = {
        "z": np.float64(0.1),
        "a": [np.int32(2), np.float32(0.5), float("inf")],
        "nested": {"flag": np.bool_(False), "path": Path("x/y")},
    }
    assert plain(value) == {"z": 0.1, "a": [2, 0.5, None], "nested": {"flag": False, "path": "x/y"}}
    text = json_text(value)
    assert list(json.loads(text)) == ["z", "a", "nested"]  # order kept, not sorted
    assert text.endswith("}\n")
    with pytest.raises(TypeError, match="cannot write a object"):
        plain(object())


@pytest.mark.parametrize(
    ("name", "seed", "expected"),
    [
        ("baseline", 1, "results/baseline-seed1"),
        ("Link workers in two wards", 0, "results/Link-workers-in-two-wards-seed0"),
        ("../../etc", 2, "results/etc-seed2"),
        ("???", 4, "results/scenario-seed4"),
    ],
)
def test_default_out_dir(name: str, seed: int, expected: str) -> None:
    assert default_out_dir(name, seed).as_posix() == expected


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True, None])
def test_check_seed_refuses(seed: object) -> None:
    with pytest.raises(ThrivingError, match="seed must be a whole number, 0 or more"):
        check_seed(seed)


# --------------------------------------------------------------------------------------
# The run and its files
# --------------------------------------------------------------------------------------


def test_progress_is_called_every_week() -> None:
    calls: list[tuple[int, int]] = []
    s = Scenario(name="t", population={"residents": 300}, horizon={"years": 1, "burn_in_years": 1})
    result, timings = timed_run(s, 1, lambda done, total: calls.append((done, total)))
    assert calls == [(week, 104) for week in range(1, 105)]
    assert len(result.timeseries) == 52  # burn-in is not recorded
    assert timings.resident_weeks == 300 * 104
    assert timings.resident_weeks_per_second > 0


def test_run_files_are_reproducible(result: RunResult) -> None:
    again = run_scenario(TINY, seed=1)
    assert outputs.run_files(result, TINY) == outputs.run_files(again, TINY)


def test_write_run_creates_parents_and_manifest(result: RunResult, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "run"
    returned = write_run(result, TINY, out, {"note": "hello", "when": np.float64(1.5)})
    assert returned == out
    assert entries(out) == FILES | {"manifest.json"}
    assert entries(tmp_path / "a" / "b") == {"run"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["note"] == "hello" and manifest["when"] == 1.5
    assert manifest["seed"] == 1 and manifest["scenario_name"] == "tiny"
    assert list(manifest)[-1] == "files"
    assert (out / "summary.json").read_text(encoding="utf-8") == json_text(result.summary)


def test_referrals_written_only_when_there_are_some(result: RunResult, tmp_path: Path) -> None:
    assert len(result.referrals) == 0
    write_run(result, TINY, tmp_path / "none")
    assert "referrals.csv" not in entries(tmp_path / "none")
    referrals = pd.DataFrame({"week": [3], "slot": [7], "took_up": [True]})
    with_referrals = RunResult(result.timeseries, result.by_ward, result.summary, referrals)
    write_run(with_referrals, TINY, tmp_path / "some")
    assert (tmp_path / "some" / "referrals.csv").read_text() == "week,slot,took_up\n3,7,True\n"


def test_folder_permissions_follow_the_umask(result: RunResult, tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    old = os.umask(0o022)
    try:
        out = write_run(result, TINY, tmp_path / "out")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0o700


# --------------------------------------------------------------------------------------
# Checks on the folder
# --------------------------------------------------------------------------------------


def test_check_out_dir(tmp_path: Path) -> None:
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    empty = tmp_path / "empty"
    empty.mkdir()
    check_out_dir(empty)
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").touch()
    with pytest.raises(ThrivingError, match="already exists and is not empty; add --force"):
        check_out_dir(full)
    check_out_dir(full, force=True)
    file = tmp_path / "file"
    file.touch()
    with pytest.raises(ThrivingError, match="exists and is not a folder"):
        check_out_dir(file, force=True)
    with pytest.raises(ThrivingError, match="is not a folder"):
        check_out_dir(file / "below")


def test_check_out_dir_refuses_a_link(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError:
        pytest.skip("cannot make symbolic links here")
    with pytest.raises(ThrivingError, match="is a link"):
        check_out_dir(link, force=True)


def test_unwritable_parent_is_refused(tmp_path: Path) -> None:
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("needs POSIX permissions and a user other than root")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(ThrivingError, match="no permission to write"):
            check_out_dir(locked / "out")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------------------
# All or nothing
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_while_writing_leaves_nothing(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    write_file = outputs._write_file
    calls = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise error
        write_file(path, data)

    monkeypatch.setattr(outputs, "_write_file", failing)
    out = tmp_path / "new" / "run"
    expected = ThrivingError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as info:
        write_run(result, TINY, out)
    if expected is ThrivingError:
        assert str(info.value) == f"cannot write results to {out}: No space left on device"
    assert entries(tmp_path) == set()  # the parent it made is gone too


def test_failed_swap_puts_the_old_folder_back(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    rename = os.rename

    def failing_rename(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if Path(src).name.startswith(".out.partial-"):  # the new folder moving in
            raise OSError(5, "Input/output error")
        rename(src, dst)

    monkeypatch.setattr(outputs.os, "rename", failing_rename)
    with pytest.raises(ThrivingError, match="cannot write results to .*Input/output error"):
        write_run(result, TINY, out, force=True)
    assert entries(tmp_path) == {"out"}
    assert entries(out) == {"old.txt"}


def test_folder_appearing_during_the_run_is_not_overwritten(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    check_out_dir(out)  # as the command does, before the run
    out.mkdir()  # another run finishes first
    (out / "theirs.csv").write_text("theirs", encoding="utf-8")
    with pytest.raises(ThrivingError, match="already exists and is not empty"):
        write_run(result, TINY, out)
    assert entries(tmp_path) == {"out"}
    assert entries(out) == {"theirs.csv"}


# --------------------------------------------------------------------------------------
# What the analyst sees
# --------------------------------------------------------------------------------------


def test_headline_table(result: RunResult) -> None:
    summary = dict(result.summary, years=10, burn_in_years=2, service_cost_gbp_pv=1234567.6)
    text = headline_table(summary, "results/tiny-seed1")
    assert text.startswith("Scenario 'tiny', seed 1: totals over 10 years (after 2 years' ")
    assert "Service cost (£, present value)  £1,234,568" in text
    assert "3.5% a year" in text
    assert text.rstrip().endswith("Output folder                    results/tiny-seed1")
    assert "no settling-in" in headline_table(result.summary, "x")
    lines = text.splitlines()
    value_ends = {len(line) for line in lines if line.startswith("  ") and "£" in line}
    assert len(value_ends) == 1  # numbers right-aligned
