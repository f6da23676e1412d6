"""The results folder: atomic writes, what counts as a finished run, locking, manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from thriving.config.errors import ThrivingError
from thriving.runs.store import (
    FolderLock,
    Manifest,
    ResultsFolder,
    atomic_write,
    atomic_write_json,
    atomic_write_parquet,
    check_resumable,
    move_aside,
    package_versions,
    remove_temp_files,
)


def finished_run(folder: ResultsFolder, run_id: str = "abc") -> None:
    """Write the three files of a finished run, as a worker does."""
    folder.runs.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"week": [1, 2], "gp_appointments": [1.5, 2.5]})
    atomic_write_parquet(folder.series_file(run_id), frame, {"thriving.run_id": run_id})
    atomic_write_parquet(folder.wards_file(run_id), frame)
    atomic_write_json(folder.record_file(run_id), {"run_id": run_id, "status": "done"})


# --------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "summary.csv"
    target.write_text("old\n")

    def half_then_fail(handle):
        handle.write(b"new but incomplete")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path):
    def interrupted(handle):
        handle.write(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.json", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_json_is_strict_and_keeps_full_precision(tmp_path):
    path = tmp_path / "r.json"
    atomic_write_json(path, {"x": 0.1 + 0.2, "nan": float("nan"), "inf": [float("-inf")]})
    data = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(c))
    assert data == {"x": 0.30000000000000004, "nan": None, "inf": [None]}


def test_parquet_keeps_the_run_metadata(tmp_path):
    import pyarrow.parquet as pq

    folder = ResultsFolder(tmp_path)
    finished_run(folder, "r1")
    metadata = pq.read_schema(folder.series_file("r1")).metadata
    assert metadata[b"thriving.run_id"] == b"r1"


def test_remove_temp_files_removes_only_temporary_files(tmp_path):
    for name in ("a.parquet", "a.parquet.12-ab.tmp", "m.json.3-cd.tmp", "notes.txt"):
        (tmp_path / name).write_text("x")
    assert remove_temp_files(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "notes.txt"]
    assert remove_temp_files(tmp_path / "missing") == 0


# --------------------------------------------------------------------------------------
# What counts as a finished run
# --------------------------------------------------------------------------------------


def test_a_run_with_its_three_whole_files_is_done(tmp_path):
    folder = ResultsFolder(tmp_path)
    finished_run(folder)
    assert folder.is_done("abc")
    assert folder.read_record("abc") == {"run_id": "abc", "status": "done"}


@pytest.mark.parametrize(
    "damage",
    ["no record", "no series", "no wards", "truncated series", "half a record", "failed"],
)
def test_a_run_missing_or_damaging_any_file_is_not_done(tmp_path, damage):
    folder = ResultsFolder(tmp_path)
    finished_run(folder)
    if damage == "no record":
        folder.record_file("abc").unlink()
    elif damage == "no series":
        folder.series_file("abc").unlink()
    elif damage == "no wards":
        folder.wards_file("abc").unlink()
    elif damage == "truncated series":
        data = folder.series_file("abc").read_bytes()
        folder.series_file("abc").write_bytes(data[:-10])
    elif damage == "half a record":
        folder.record_file("abc").write_text('{"run_id": "abc", "sta')
    elif damage == "failed":
        folder.record_file("abc").write_text('{"run_id": "abc", "status": "failed"}')
    assert not folder.is_done("abc")
    assert folder.read_record("abc") is None


def test_a_record_under_another_runs_name_does_not_count(tmp_path):
    folder = ResultsFolder(tmp_path)
    finished_run(folder, "abc")
    os.replace(folder.record_file("abc"), folder.record_file("xyz"))
    for suffix in (".parquet", ".wards.parquet"):
        os.replace(folder.runs / f"abc{suffix}", folder.runs / f"xyz{suffix}")
    assert not folder.is_done("xyz")


# --------------------------------------------------------------------------------------
# Locking, moving aside, resuming
# --------------------------------------------------------------------------------------


def test_only_one_sweep_at_a_time_holds_a_folder(tmp_path):
    first = FolderLock(tmp_path / "out")
    first.acquire()
    with pytest.raises(ThrivingError, match="another sweep is writing into"):
        FolderLock(tmp_path / "out").acquire()
    first.release()
    with FolderLock(tmp_path / "out"):
        pass


def test_move_aside_keeps_everything_under_a_new_name(tmp_path):
    folder = tmp_path / "quickstart"
    folder.mkdir()
    (folder / "summary.csv").write_text("x")
    first = move_aside(folder)
    folder.mkdir()
    second = move_aside(folder)
    assert first != second
    assert first.name.startswith("quickstart.old-")
    assert (first / "summary.csv").read_text() == "x"
    assert not folder.exists()


def manifest_folder(tmp_path: Path, fingerprint: str, versions: dict) -> ResultsFolder:
    folder = ResultsFolder(tmp_path)
    header = {
        "format": "thriving-sweep/1",
        "name": "q",
        "fingerprint": fingerprint,
        "versions": versions,
    }
    Manifest(folder.manifest, header, []).write(now=True)
    return folder


def test_resuming_needs_the_same_fingerprint_and_versions(tmp_path):
    versions = package_versions()
    folder = manifest_folder(tmp_path, "f1", versions)
    assert check_resumable(folder, "f1", versions)["name"] == "q"
    with pytest.raises(ThrivingError, match="different experiment"):
        check_resumable(folder, "f2", versions)
    with pytest.raises(ThrivingError, match=r"numpy 0\.0 -> "):
        manifest_folder(tmp_path, "f1", {**versions, "numpy": "0.0"})
        check_resumable(folder, "f1", versions)


def test_an_unreadable_manifest_is_a_clear_error(tmp_path):
    folder = ResultsFolder(tmp_path)
    folder.manifest.write_text("{ not json")
    with pytest.raises(ThrivingError, match="cannot read .*manifest.json.*--force"):
        check_resumable(folder, "f", package_versions())
    folder.manifest.write_text('{"format": "something else"}')
    with pytest.raises(ThrivingError, match="not a manifest"):
        folder.read_manifest()


# --------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------


def test_manifest_writes_are_throttled_but_never_lost(tmp_path):
    entries = [{"run_id": f"r{i}", "status": "pending"} for i in range(3)]
    manifest = Manifest(tmp_path / "manifest.json", {"format": "x"}, entries, interval=60)
    assert manifest.write()  # the first write is due at once
    manifest.update("r0", status="done", seconds=1.5)
    assert not manifest.write()  # too soon
    assert json.loads((tmp_path / "manifest.json").read_text())["runs"][0]["status"] == "pending"
    assert manifest.write(now=True)
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert data["runs"][0] == {"run_id": "r0", "status": "done", "seconds": 1.5}
    assert data["counts"] == {"done": 1, "failed": 0, "pending": 2}
    manifest.update("r0", seconds=None)
    assert "seconds" not in manifest.entry("r0").as_dict()


def test_package_versions_name_python_and_the_packages_results_depend_on():
    versions = package_versions()
    assert {"python", "thriving", "numpy", "mesa", "pandas"} <= set(versions)


def test_manifest_keeps_how_runs_went_in_columns_and_writes_them_back(tmp_path):
    runs = [
        {"run_id": f"r{i}", "scenario": "a", "seed": i, "replicate": 0, "status": "pending"}
        for i in range(4)
    ]
    manifest = Manifest(tmp_path / "manifest.json", {"format": "x"}, runs)
    manifest.update(1, status="done", started="2026-11-24T17:00:05+00:00", seconds=2.25)
    manifest.update("r1", worker="host:12")
    manifest.update("r2", status="failed", error="ValueError: x", error_file="runs/r2.error.txt")
    manifest.update("r3", worker="host:12")
    manifest.write(now=True)
    written = json.loads((tmp_path / "manifest.json").read_text())["runs"]
    assert written[1] == {
        "run_id": "r1",
        "scenario": "a",
        "seed": 1,
        "replicate": 0,
        "status": "done",
        "started": "2026-11-24T17:00:05+00:00",
        "seconds": 2.25,
        "worker": "host:12",
    }
    assert written[2]["error"] == "ValueError: x"
    assert written[2]["error_file"] == "runs/r2.error.txt"
    assert manifest.counts() == {"done": 1, "failed": 1, "pending": 2}
    manifest.update("r2", status="done", error=None, error_file=None)
    assert "error" not in manifest.entry(2).as_dict()
    with pytest.raises(KeyError, match="who a run is"):
        manifest.update(0, seed=99)
