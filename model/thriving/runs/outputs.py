"""The results folder of one run: what is in it, and writing it safely.

One run writes one folder::

    timeseries.csv           weekly borough totals after burn-in
    timeseries_by_ward.csv   the same, ward by ward
    summary.json             totals, present values (3.5 % a year) and calibration measures
    scenario.yaml            the resolved scenario, every value written out
    referrals.csv            social-prescribing referrals (only if there were any)
    manifest.json            versions and code, seed, checksums, command line, timings

Everything but ``manifest.json`` is byte-identical for the same scenario and seed (on the
same machine and library versions): numbers are written as the shortest text that reads
back to the same value, keys and columns in a fixed order, lines ending in a bare newline (LF).

The folder appears whole or not at all. Files are written into a hidden temporary folder
beside it, on the same disk, which is then renamed into place; an error or Ctrl-C removes
the temporary folder and leaves any earlier results as they were.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import platform
import re
import secrets
import shlex
import shutil
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from thriving import __version__
from thriving.config.errors import ThrivingError
from thriving.config.runspec import run_id
from thriving.config.scenario import scenario_to_yaml
from thriving.metrics import HEADLINES
from thriving.runs.provenance import code_fingerprint
from thriving.runs.store import fsync_folder

if TYPE_CHECKING:
    import pandas as pd

    from thriving.config.schema import Scenario
    from thriving.runs.run import RunTimings
    from thriving.sim.recording import RunResult

TIMESERIES_FILE = "timeseries.csv"
BY_WARD_FILE = "timeseries_by_ward.csv"
SUMMARY_FILE = "summary.json"
SCENARIO_FILE = "scenario.yaml"
REFERRALS_FILE = "referrals.csv"
MANIFEST_FILE = "manifest.json"

#: Folder for results when no ``--out`` is given, relative to the working folder.
RESULTS_FOLDER = "results"

# --------------------------------------------------------------------------------------
# Deterministic text
# --------------------------------------------------------------------------------------


def _float_text(value: Any) -> str:
    """Shortest text that reads back as the same number (numpy's round-trip repr).

    pandas passes numpy scalars, so a float32 column keeps float32's shortest form
    (``0.1``, not ``0.10000000149011612``).
    """
    return str(value)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text, identical for identical data.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    str
        Header and rows, no index, full precision, LF line ends; missing values empty.

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"week": [1, 2], "share": [0.1, 1 / 3]})), end="")
    week,share
    1,0.1
    2,0.3333333333333333
    """
    return frame.to_csv(index=False, lineterminator="\n", float_format=_float_text)


def plain(value: Any) -> Any:
    """Convert a value to plain JSON types: numpy numbers to int/float, NaN to None.

    Examples
    --------
    >>> import numpy as np
    >>> plain({"a": np.float64(0.5), "b": (np.int64(2), float("nan")), "c": np.True_})
    {'a': 0.5, 'b': [2, None], 'c': True}
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)

    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    raise TypeError(f"cannot write a {type(value).__name__} to JSON: {value!r}")


def json_text(value: Any) -> str:
    """JSON text with keys in the order given, plain numbers, and a final newline.

    Examples
    --------
    >>> print(json_text({"b": 1, "a": 0.25}), end="")
    {
      "b": 1,
      "a": 0.25
    }
    """
    return json.dumps(plain(value), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------
# What goes in the folder
# --------------------------------------------------------------------------------------


def run_files(result: RunResult, scenario: Scenario) -> dict[str, bytes]:
    """The reproducible files of a run (everything but the manifest), as bytes.

    Parameters
    ----------
    result : RunResult
    scenario : Scenario
        The resolved scenario the run used.

    Returns
    -------
    dict of str to bytes
        File name to contents, in the order they are listed in the folder's manifest.
    """
    files = {
        TIMESERIES_FILE: csv_text(result.timeseries),
        BY_WARD_FILE: csv_text(result.by_ward),
        SUMMARY_FILE: json_text(result.summary),
        SCENARIO_FILE: scenario_to_yaml(scenario),
    }
    if len(result.referrals):
        files[REFERRALS_FILE] = csv_text(result.referrals)
    return {name: text.encode("utf-8") for name, text in files.items()}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def software_versions() -> dict[str, str]:
    """Versions of Thriving, Python and the libraries that decide a run's numbers."""
    return {
        "thriving": __version__,
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
        "mesa": _version("mesa"),
        "networkx": _version("networkx"),
        "platform": platform.platform(),
    }


def build_manifest(
    result: RunResult,
    scenario: Scenario,
    files: Mapping[str, bytes],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of a run: what made it, and a checksum of every file.

    Parameters
    ----------
    result : RunResult
    scenario : Scenario
    files : mapping of str to bytes
        The folder's other files (from :func:`run_files`).
    extra : mapping, optional
        More entries, such as the scenario file, command line, timestamps and timings;
        they come after the versions and before the file checksums.

    Returns
    -------
    dict
    """
    seed = int(result.summary["seed"])
    manifest: dict[str, Any] = {
        "thriving_version": __version__,
        # The version can stay the same while the model changes; the code cannot.
        "thriving_code": code_fingerprint(),
        "versions": software_versions(),
        "scenario_name": scenario.name,
        "seed": seed,
        "run_id": run_id(scenario, seed),
        "scenario_sha256": sha256(files[SCENARIO_FILE]),
    }
    manifest.update(extra or {})
    manifest["files"] = {name: sha256(data) for name, data in files.items()}
    return manifest


def utc_now() -> str:
    """The time now, UTC, ISO 8601 to the second (as the manifest records times)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run_provenance(
    scenario_file: str,
    seed: int,
    overrides: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    force: bool,
    times: tuple[str, str],
    timings: RunTimings,
) -> dict[str, Any]:
    """What the manifest of ``thriving run`` records about how the run was made.

    Parameters
    ----------
    scenario_file : str
        The scenario file, as given.
    seed : int
    overrides : mapping
        Dotted paths to the values set for this run (``--set``, ``--population``,
        ``--years``).
    out_dir : path
        The results folder.
    force : bool
        Whether an existing folder was to be replaced.
    times : (str, str)
        When the run started and finished (:func:`utc_now`).
    timings : RunTimings
        How long building and running the model took.

    Returns
    -------
    dict
        The extra entries of :func:`build_manifest`: the scenario file, the working
        folder, the command line that repeats the run (every option spelled out), the
        times and the timings (seconds; resident-weeks per second).
    """
    words = ["thriving", "run", scenario_file, "--seed", str(seed)]
    for path, value in overrides.items():
        words += ["--set", f"{path}={json.dumps(value, ensure_ascii=False)}"]
    words += ["--out", os.fspath(out_dir)] + (["--force"] if force else [])
    return {
        "scenario_file": scenario_file,
        "working_folder": os.getcwd(),
        "command_line": shlex.join(words),
        "started_at": times[0],
        "finished_at": times[1],
        "timings": {
            "setup_seconds": round(timings.setup_seconds, 6),
            "run_seconds": round(timings.run_seconds, 6),
            "resident_weeks": timings.resident_weeks,
            "resident_weeks_per_second": round(timings.resident_weeks_per_second, 1),
        },
    }


# --------------------------------------------------------------------------------------
# Where it goes
# --------------------------------------------------------------------------------------


def default_out_dir(scenario_name: str, seed: int) -> Path:
    """The results folder used when none is given: ``results/<scenario>-seed<N>``.

    Characters that are awkward in folder names become ``-``.

    Examples
    --------
    >>> default_out_dir("baseline", 1).as_posix()
    'results/baseline-seed1'
    >>> default_out_dir("Link workers: 2 wards", 7).as_posix()
    'results/Link-workers-2-wards-seed7'
    """
    slug = re.sub(r"[^\w.-]+", "-", scenario_name).strip("-.") or "scenario"
    return Path(RESULTS_FOLDER) / f"{slug}-seed{seed}"


def check_out_dir(out_dir: str | os.PathLike[str], force: bool = False) -> Path:
    """Check that results can be written to a folder, before spending time on a run.

    Parameters
    ----------
    out_dir : path
        The results folder: absent, empty, or (with ``force``) to be replaced.
    force : bool
        Whether an existing, non-empty folder may be replaced.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ThrivingError
        If the folder has results in it (and not ``force``), is a file or a link, or
        cannot be created.
    """
    out = Path(out_dir)
    if out.is_symlink():
        raise ThrivingError(f"{out} is a link; give the folder it points to as --out")
    if out.exists():
        if not out.is_dir():
            raise ThrivingError(f"{out} exists and is not a folder; choose another --out")
        if not force and any(out.iterdir()):
            raise ThrivingError(
                f"{out} already exists and is not empty; add --force to replace it, "
                "or choose another --out folder"
            )
    ancestor = out.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ThrivingError(f"cannot create {out}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ThrivingError(f"cannot create {out}: no permission to write in {ancestor}")
    return out


def _make_parents(folder: Path) -> list[Path]:
    """Create a folder and its missing parents; return those created, innermost last."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return list(reversed(missing))


def _make_temp_dir(parent: Path, name: str) -> Path:
    """A new hidden folder beside the results folder (so renaming it is atomic).

    Made with ``mkdir`` rather than ``tempfile.mkdtemp`` so that it gets the usual
    permissions, not mkdtemp's owner-only ones, once renamed into place.
    """
    while True:
        path = parent / f".{name}.partial-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _move_into_place(new: Path, out: Path, force: bool) -> None:
    """Rename the finished folder to ``out``, replacing an old one only if ``force``."""
    check_out_dir(out, force)  # again: the folder may have appeared during the run
    if out.exists():
        if not any(out.iterdir()):
            out.rmdir()
        else:
            aside = out.parent / f".{out.name}.replaced-{secrets.token_hex(4)}"
            os.rename(out, aside)
            try:
                os.rename(new, out)
            except BaseException:
                os.rename(aside, out)
                raise
            shutil.rmtree(aside, ignore_errors=True)
            return
    os.rename(new, out)


def write_run(
    result: RunResult,
    scenario: Scenario,
    out_dir: str | os.PathLike[str],
    manifest_extra: Mapping[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Write a run's results folder, all at once or not at all.

    Parameters
    ----------
    result : RunResult
        From :func:`thriving.runs.run.run_scenario`.
    scenario : Scenario
        The resolved scenario the run used.
    out_dir : path
        The results folder. Missing parent folders are created.
    manifest_extra : mapping, optional
        More manifest entries (see :func:`build_manifest`).
    force : bool
        Replace an existing folder that has files in it. The old folder is kept until
        the new one is in place.

    Returns
    -------
    pathlib.Path
        The results folder.

    Raises
    ------
    ThrivingError
        If the folder exists with files in it and not ``force``, or cannot be written
        (no permission, disk full). Nothing is left behind.
    """
    out = check_out_dir(out_dir, force)
    files = run_files(result, scenario)
    files[MANIFEST_FILE] = json_text(
        build_manifest(result, scenario, files, manifest_extra)
    ).encode("utf-8")
    parent = out.absolute().parent
    created: list[Path] = []
    temp: Path | None = None
    try:
        created = _make_parents(parent)
        temp = _make_temp_dir(parent, out.name)
        for name, data in files.items():
            _write_file(temp / name, data)
        fsync_folder(temp)
        _move_into_place(temp, out, force)
        temp = None
        fsync_folder(parent)
    except OSError as exc:
        raise ThrivingError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    finally:
        if temp is not None:  # failed or interrupted: leave nothing half-done behind
            shutil.rmtree(temp, ignore_errors=True)
            for folder in reversed(created):
                try:
                    folder.rmdir()
                except OSError:
                    break
    return out


# --------------------------------------------------------------------------------------
# What the analyst sees
# --------------------------------------------------------------------------------------


def headline_table(summary: Mapping[str, Any], out_dir: str | os.PathLike[str]) -> str:
    """A short plain-text table of a run's headline totals after burn-in.

    Parameters
    ----------
    summary : mapping
        ``RunResult.summary``.
    out_dir : path
        The results folder, shown last.

    Returns
    -------
    str
        Lines ending in newlines.
    """
    years = int(summary["years"])
    burn_in = int(summary["burn_in_years"])
    rate = float(summary["discount_rate"])
    span = "1 year" if years == 1 else f"{years} years"
    if burn_in == 0:
        settling = "no settling-in period"
    else:
        settling = (
            "after 1 year's settling-in" if burn_in == 1 else f"after {burn_in} years' settling-in"
        )
    lines = [
        f"Scenario {summary['scenario']!r}, seed {summary['seed']}: totals over {span} "
        f"({settling})",
        f"for the whole borough of {summary['borough_adults']:,.0f} adults "
        f"({summary['residents_simulated']:,} simulated).",
        f"Present values in {summary['price_year']} prices, discounted at {rate:.1%} a year.",
        "",
    ]
    rows = []
    for label, key, money in HEADLINES:
        value = float(summary[key])
        rows.append((label, f"£{value:,.0f}" if money else f"{value:,.0f}"))
    label_width = max(len(label) for label, _ in rows)
    value_width = max(len(value) for _, value in rows)
    lines += [f"  {label:<{label_width}}  {value:>{value_width}}" for label, value in rows]
    lines += ["", f"  {'Output folder':<{label_width}}  {os.fspath(out_dir)}"]
    return "\n".join(lines) + "\n"
