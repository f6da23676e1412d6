"""Export a sweep's weekly series as one long CSV file, for Excel and other tools.

Every finished run's weekly borough series (or, with ``wards=True``, its weekly series
by ward) is written one run after another, each row led by the run's id, scenario,
seed, replicate and the values of the varied parameters. The runs are read and written
one at a time, so a sweep of any size exports in little memory; the file is written to
a temporary name and renamed when complete.
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from thriving.analysis.results import finished_records, read_manifest, read_run_series
from thriving.config.errors import ThrivingError
from thriving.metrics import RUN_COLUMNS
from thriving.runs.store import ResultsFolder, atomic_write
from thriving.runs.sweep import format_cell

#: Rows Excel can open in one sheet (with the header row).
EXCEL_MAX_ROWS = 1_048_576

#: File names of the export inside the results folder, when no ``out`` is given.
DEFAULT_NAMES = {False: "weekly.csv", True: "weekly_by_ward.csv"}


@dataclass(frozen=True)
class ExportOutcome:
    """What an export wrote.

    Attributes
    ----------
    path : str
        The file written (``-`` for standard output).
    runs : int
        Runs exported.
    rows : int
        Data rows written (runs × weeks, × wards with ``wards``).
    not_done : int
        Runs of the sweep left out because they have not finished.
    """

    path: str
    runs: int
    rows: int
    not_done: int


def export_csv(
    results: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    wards: bool = False,
) -> ExportOutcome:
    """Write every finished run's weekly series into one long CSV file.

    Parameters
    ----------
    results : path
        A sweep's results folder.
    out : path, optional
        The CSV file; ``-`` for standard output. Default: ``weekly.csv`` (or
        ``weekly_by_ward.csv``) in the results folder.
    wards : bool
        Export the series by ward instead of the borough totals.

    Returns
    -------
    ExportOutcome

    Raises
    ------
    ThrivingError
        If ``results`` is not a sweep results folder, or the file cannot be written.
    """
    folder, manifest = read_manifest(results)
    varied = [str(v) for v in manifest.get("varied", [])]
    run_ids = [entry["run_id"] for entry in manifest.get("runs", [])]
    target = str(out) if out is not None else str(folder.path / DEFAULT_NAMES[wards])
    counts = {"runs": 0, "rows": 0, "not_done": 0}

    def write(handle: IO[bytes]) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        _write_runs(text, folder, run_ids, varied, wards, counts)
        text.flush()
        text.detach()

    if target == "-":
        _write_runs(sys.stdout, folder, run_ids, varied, wards, counts)
        sys.stdout.flush()
    else:
        try:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, write)
        except PermissionError as exc:
            raise ThrivingError(
                f"cannot write {target}: {exc.strerror or exc} (is it open in Excel?)"
            ) from None
        except OSError as exc:
            raise ThrivingError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ExportOutcome(target, counts["runs"], counts["rows"], counts["not_done"])


def _write_runs(
    text: IO[str],
    folder: ResultsFolder,
    run_ids: list[str],
    varied: list[str],
    wards: bool,
    counts: dict[str, int],
) -> None:
    """Write the header and each finished run's rows to ``text``."""
    header_written = False
    not_done: list[str] = []
    for run_id, record in finished_records(folder, run_ids, not_done):
        frame = read_run_series(folder, run_id, wards=wards)
        point = record.get("point") or {}
        # Who the run is (RUN_COLUMNS), then the values of the varied settings.
        lead: dict[str, Any] = {"run_id": run_id}
        lead.update({name: record[name] for name in RUN_COLUMNS[1:]})
        for name in varied:
            lead[name] = format_cell(point.get(name))
        for position, (name, value) in enumerate(lead.items()):
            frame.insert(position, name, value, allow_duplicates=True)
        frame.to_csv(text, header=not header_written, index=False, lineterminator="\n")
        header_written = True
        counts["runs"] += 1
        counts["rows"] += len(frame)
    counts["not_done"] += len(not_done)
    if not header_written:
        raise ThrivingError(f"{folder.path} has no finished runs to export")
