"""The results folder of a sweep: its layout, atomic writes, the manifest and resume.

A sweep writes into one folder::

    results/<experiment>/
      manifest.json             the experiment, versions and code, executor, each run's status
      summary.csv               one row per finished run (rebuilt from runs/*.json)
      runs/<run_id>.parquet        weekly borough series of one run
      runs/<run_id>.wards.parquet  weekly series by ward
      runs/<run_id>.referrals.parquet    social-prescribing referrals (tracked runs only)
      runs/<run_id>.gp_quarters.parquet  each resident's GP use by quarter (tracked runs)
      runs/<run_id>.json           the run's summary; written last, it marks the run done
      runs/<run_id>.error.txt      the traceback of a run that failed
      .lock                     held while a sweep writes into the folder

Every file is written to a temporary name in the same folder (``*.tmp``), flushed to
disk and renamed over its final name, so a crash, a kill or Ctrl-C never leaves a
half-written file under a real name. A run counts as done only when its JSON file
exists beside both Parquet files; the manifest is a record for people, the files are the
truth. Resuming deletes leftover temporary files.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from thriving.config.errors import ThrivingError
from thriving.runs.provenance import code_fingerprint, short

if TYPE_CHECKING:
    import pandas as pd

#: Format of the manifest, so later versions can read (or refuse) older folders.
MANIFEST_FORMAT = "thriving-sweep/1"

MANIFEST = "manifest.json"
SUMMARY = "summary.csv"
RUNS = "runs"
LOCK = ".lock"
TEMP_SUFFIX = ".tmp"

#: Packages whose versions are recorded; results depend on the first three.
RECORDED_PACKAGES = ("thriving", "numpy", "mesa", "pandas", "pyarrow")

#: Packages whose versions must match to resume a sweep (they change the numbers).
RESULT_PACKAGES = ("thriving", "numpy", "mesa")

#: Key of :func:`package_versions` that holds the fingerprint of Thriving's own source
#: (:func:`thriving.runs.provenance.code_fingerprint`); it must match to resume a sweep too.
CODE = "thriving_code"

#: Parquet files end with these four bytes; a file without them is not whole.
_PARQUET_MAGIC = b"PAR1"


# --------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------


def _temp_name(path: Path) -> Path:
    """A temporary name beside ``path``, unique to this process and call."""
    return path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names) to disk, where the platform allows it."""
    if sys.platform.startswith("win"):
        return  # folders cannot be opened for fsync on Windows; renames are durable there
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Write a file so that it appears whole or not at all.

    ``write`` receives a binary file open on a temporary name in the same folder; the
    file is then flushed to disk and renamed over ``path`` (``os.replace``, atomic on
    one file system). If anything fails, or the process is interrupted, the temporary
    file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path
        The final name.
    write
        Writes the content.

    Examples
    --------
    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "a.txt", lambda f: f.write(b"hello"))
    >>> (folder / "a.txt").read_bytes()
    b'hello'
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    >>> shutil.rmtree(folder)
    """
    path = Path(path)
    temp = _temp_name(path)
    try:
        with open(temp, "xb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_folder(path.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    data = text.encode("utf-8")
    atomic_write(path, lambda handle: handle.write(data))


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that strict JSON can hold: NaN and infinities become None.

    Examples
    --------
    >>> json_safe({"a": float("nan"), "b": [1.5, float("inf")]})
    {'a': None, 'b': [1.5, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


def atomic_write_json(path: str | os.PathLike[str], data: Any, *, indent: int | None = 1) -> None:
    """Write ``data`` as strict JSON, atomically. Floats keep full precision."""
    text = json.dumps(json_safe(data), indent=indent, ensure_ascii=False, allow_nan=False)
    atomic_write_text(path, text + "\n")


def atomic_write_parquet(
    path: str | os.PathLike[str], frame: pd.DataFrame, metadata: dict[str, str] | None = None
) -> None:
    """Write a table to Parquet atomically, with optional key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): v.encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    atomic_write(path, lambda handle: pq.write_table(table, handle))


def remove_temp_files(folder: Path) -> int:
    """Delete leftover temporary files (``*.tmp``) in ``folder``; return how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for entry in os.scandir(folder):
        if entry.name.endswith(TEMP_SUFFIX) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
    return removed


def now_iso() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages results depend on, and Thriving's code.

    Returns
    -------
    dict of str to str
        ``python``, each of :data:`RECORDED_PACKAGES`, and under :data:`CODE` the
        fingerprint of the Thriving source running (which changes with any edit, where
        the version number may not).
    """
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name == "thriving":
                from thriving import __version__

                versions[name] = __version__
            else:
                versions[name] = "not installed"
    versions[CODE] = code_fingerprint()
    return versions


# --------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------


class ResultsFolder:
    """Paths of a results folder, and the files of each run in it.

    Parameters
    ----------
    path
        The folder (need not exist yet).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.runs = self.path / RUNS
        self.manifest = self.path / MANIFEST
        self.summary = self.path / SUMMARY

    def __repr__(self) -> str:
        return f"ResultsFolder({str(self.path)!r})"

    # Files of one run ------------------------------------------------------------------

    def series_file(self, run_id: str) -> Path:
        """Weekly borough series of a run."""
        return self.runs / f"{run_id}.parquet"

    def wards_file(self, run_id: str) -> Path:
        """Weekly series by ward of a run."""
        return self.runs / f"{run_id}.wards.parquet"

    def referrals_file(self, run_id: str) -> Path:
        """Social-prescribing referrals of a run that tracked GP use."""
        return self.runs / f"{run_id}.referrals.parquet"

    def gp_quarters_file(self, run_id: str) -> Path:
        """Each resident slot's GP use by quarter, in a run that tracked it."""
        return self.runs / f"{run_id}.gp_quarters.parquet"

    def record_file(self, run_id: str) -> Path:
        """The run's summary, written last: its presence marks the run done."""
        return self.runs / f"{run_id}.json"

    def error_file(self, run_id: str) -> Path:
        """The traceback of a failed run."""
        return self.runs / f"{run_id}.error.txt"

    def read_record(self, run_id: str) -> dict[str, Any] | None:
        """The record of a finished run, or None if the run is not (wholly) done.

        A run is done when its JSON record names it as done and both of its Parquet
        files are present and whole (they end with Parquet's closing bytes).
        """
        # Plain strings, not pathlib: on Python 3.11 every Path built interns its parts
        # for good, so a sweep reading 10,000 runs' files would grow by their names.
        stem = os.path.join(os.fspath(self.runs), run_id)
        try:
            with open(f"{stem}.json", encoding="utf-8") as handle:
                record = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict):
            return None
        if record.get("run_id") != run_id or record.get("status") != "done":
            return None
        if not (_is_parquet(f"{stem}.parquet") and _is_parquet(f"{stem}.wards.parquet")):
            return None
        return record

    def is_done(self, run_id: str) -> bool:
        """Whether a run is wholly done (see :meth:`read_record`)."""
        return self.read_record(run_id) is not None

    # The manifest ----------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        """The manifest, or a ThrivingError saying why it cannot be read."""
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ThrivingError(
                f"{self.path} is not a sweep results folder (it has no {MANIFEST})"
            ) from None
        except (OSError, ValueError) as exc:
            raise ThrivingError(f"cannot read {self.manifest}: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise ThrivingError(
                f"{self.manifest} is not a manifest this version of Thriving can read "
                f"(expected format {MANIFEST_FORMAT!r})"
            )
        return data

    def holds_other_files(self) -> bool:
        """Whether the folder exists and holds anything but an empty sweep skeleton."""
        if not self.path.exists():
            return False
        for entry in self.path.iterdir():
            if entry.name == LOCK:
                continue
            if entry.name == RUNS and entry.is_dir() and not any(entry.iterdir()):
                continue
            return True
        return False


def _is_parquet(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and ends with Parquet's closing magic bytes."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-len(_PARQUET_MAGIC), os.SEEK_END)
            return handle.read() == _PARQUET_MAGIC
    except OSError:
        return False


# --------------------------------------------------------------------------------------
# Locking: one sweep at a time in a folder
# --------------------------------------------------------------------------------------


class FolderLock:
    """An exclusive lock on a results folder, released when the process ends.

    Uses ``flock`` (POSIX) or ``msvcrt.locking`` (Windows): the operating system drops
    the lock when the process dies, even by SIGKILL, so a crashed sweep never leaves a
    stale lock behind.
    """

    def __init__(self, folder: Path):
        self.file = folder / LOCK
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise ThrivingError if another sweep holds it."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.file, "a+b")  # noqa: SIM115 (kept open while locked)
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise ThrivingError(
                f"another sweep is writing into {self.file.parent}; wait for it to finish, "
                "or give a different folder with --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Release the lock (the lock file itself stays, empty and harmless)."""
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            _unlock(self._handle)
        self._handle.close()
        self._handle = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform.startswith("win"):  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------
# Opening a folder for a sweep: new, resumed, or replaced
# --------------------------------------------------------------------------------------


def move_aside(folder: Path) -> Path:
    """Rename ``folder`` to ``<folder>.old-<UTC time>`` beside it; return the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder.with_name(f"{folder.name}.old-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = folder.with_name(f"{folder.name}.old-{stamp}-{n}")
    os.replace(folder, target)
    fsync_folder(folder.parent)
    return target


def check_resumable(
    folder: ResultsFolder, fingerprint: str, versions: dict[str, str]
) -> dict[str, Any]:
    """Check that an existing folder holds the same experiment, made by the same code.

    Returns
    -------
    dict
        The existing manifest.

    Raises
    ------
    ThrivingError
        If the folder holds something else; the message says what to do.
    """
    advice = (
        "give another folder with --out, or add --force to start afresh "
        "(the old folder is moved aside, not deleted)"
    )
    try:
        manifest = folder.read_manifest()
    except ThrivingError as exc:
        raise ThrivingError(f"{exc}; {advice}") from None
    old = manifest.get("fingerprint")
    if old != fingerprint:
        raise ThrivingError(
            f"{folder.path} holds results of a different experiment "
            f"({manifest.get('name', '?')!s}, fingerprint {str(old)[:12]}; this one is "
            f"{fingerprint[:12]}): the experiment file or a scenario it uses has changed. "
            f"To keep both, {advice}"
        )
    old_versions = manifest.get("versions", {})
    changed = [
        f"{name} {old_versions.get(name)} -> {versions.get(name)}"
        for name in RESULT_PACKAGES
        if old_versions.get(name) != versions.get(name)
    ]
    if changed:
        raise ThrivingError(
            f"{folder.path} was made with other package versions ({', '.join(changed)}); "
            f"runs made with different versions may not match. To resume, reinstall those "
            f"versions; otherwise {advice}"
        )
    # The same version number can hide a changed model (between releases, or a local
    # edit), so the source itself must match too. A folder made before the code
    # was recorded counts as made by other code: nothing shows it was not.
    old_code = old_versions.get(CODE)
    if old_code != versions.get(CODE):
        raise ThrivingError(
            f"{folder.path} holds runs made by other Thriving code (code {short(old_code)}, "
            f"this is {short(versions.get(CODE))}; both version "
            f"{versions.get('thriving')}): Thriving has been changed since those runs were "
            f"made, so new runs might not match them. To keep both, {advice}"
        )
    return manifest


# --------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------


class RunEntry:
    """One run's line in the manifest: who it is and how it went.

    A snapshot made on demand by :meth:`Manifest.entry` (the manifest itself keeps its
    runs in compact columns); read and set fields like a dict's (``entry["status"]``).
    Fields that are None are left out of the manifest.
    """

    FIELDS = (
        "run_id",
        "scenario",
        "seed",
        "replicate",
        "is_baseline",
        "baseline_run_id",
        "status",
        "started",
        "seconds",
        "worker",
        "error",
        "error_file",
    )
    __slots__ = FIELDS

    def __init__(self, **fields: Any):
        for name in self.FIELDS:
            setattr(self, name, None)
        for name, value in fields.items():
            self[name] = value

    def __getitem__(self, name: str) -> Any:
        if name not in self.FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in self.FIELDS:
            raise KeyError(f"{name!r} is not a field of a manifest entry")
        setattr(self, name, value)

    def get(self, name: str, default: Any = None) -> Any:
        """A field's value, or ``default`` when it is None."""
        value = getattr(self, name, None)
        return default if value is None else value

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, in order."""
        return {n: v for n in self.FIELDS if (v := getattr(self, n)) is not None}

    def __repr__(self) -> str:
        return f"RunEntry({self.as_dict()})"


#: Fields that say who a run is; the rest say how it went.
IDENTITY_FIELDS = RunEntry.FIELDS[:6]

#: Run statuses, by their code in :attr:`Manifest.status`.
STATUSES = ("pending", "done", "failed")

_NO_TIME = np.iinfo(np.int64).min


class Manifest:
    """``manifest.json``: what the sweep is, and where each run stands.

    Its memory does not grow with the number of runs beyond a few bytes a run: who each
    run is is read from the run list the sweep holds anyway (``runs``), and how each
    went is kept in numpy columns (status, start time, seconds, worker), with error
    messages kept only for failed runs. The file is rewritten atomically, at most every
    ``interval`` seconds while runs finish (and at once on :meth:`write` with
    ``now=True``); when a large manifest takes long to write, the interval grows so that
    writing never takes more than about 5 % of the time. It is written one run a line,
    never as one big string.

    Parameters
    ----------
    path
        ``manifest.json`` of the folder.
    header
        Everything but the runs: format, name, fingerprint, experiment, versions,
        executor, sessions.
    runs
        The runs, in the experiment's order: RunSpecs (``run_id``, ``scenario_label``,
        ``seed``, ``replicate``, ``is_baseline``, ``baseline_run_id``), or dicts of
        :class:`RunEntry` fields (which may also give ``status``, ``started``,
        ``seconds``, ``worker``, ``error``, ``error_file``). Not copied: it must not
        change while the manifest is in use.
    interval
        Least seconds between two throttled writes.
    """

    def __init__(
        self,
        path: Path,
        header: dict[str, Any],
        runs: Sequence[Any],
        interval: float = 0.5,
    ):
        self.path = path
        self.header = header
        self.runs = runs
        n = len(runs)
        self.status = np.zeros(n, np.uint8)
        self._started = np.full(n, _NO_TIME, np.int64)  # seconds since 1970, UTC
        self._seconds = np.full(n, np.nan)
        self._worker = np.full(n, -1, np.int32)
        self._workers: list[str] = []
        self._worker_code: dict[str, int] = {}
        self._errors: dict[int, tuple[str | None, str | None]] = {}
        self._index: dict[str, int] | None = None
        self.interval = interval
        self._last_write = -math.inf
        self._write_seconds = 0.0
        self._dirty = True
        for i, run in enumerate(runs):
            if isinstance(run, Mapping):
                fields = {k: v for k, v in run.items() if k not in IDENTITY_FIELDS}
                if fields:
                    self.update(i, **fields)

    def __len__(self) -> int:
        return len(self.runs)

    def position(self, run: int | str) -> int:
        """The position of a run, given its position or its id."""
        if isinstance(run, int | np.integer):
            return int(run)
        if self._index is None:  # built only if asked by id (tests, tools)
            self._index = {self._identity(i)["run_id"]: i for i in range(len(self))}
        return self._index[run]

    def _identity(self, i: int) -> dict[str, Any]:
        run = self.runs[i]
        if isinstance(run, Mapping):
            return {name: run.get(name) for name in IDENTITY_FIELDS}
        return {
            "run_id": run.run_id,
            "scenario": run.scenario_label,
            "seed": run.seed,
            "replicate": run.replicate,
            "is_baseline": run.is_baseline,
            "baseline_run_id": run.baseline_run_id,
        }

    def entry(self, run: int | str) -> RunEntry:
        """A snapshot of one run's entry (changing it does not change the manifest)."""
        i = self.position(run)
        entry = RunEntry(**self._identity(i))
        entry["status"] = STATUSES[self.status[i]]
        if self._started[i] != _NO_TIME:
            stamp = datetime.fromtimestamp(int(self._started[i]), UTC)
            entry["started"] = stamp.isoformat(timespec="seconds")
        if not math.isnan(self._seconds[i]):
            entry["seconds"] = float(self._seconds[i])
        if self._worker[i] >= 0:
            entry["worker"] = self._workers[self._worker[i]]
        entry["error"], entry["error_file"] = self._errors.get(i, (None, None))
        return entry

    @property
    def entries(self) -> Iterator[RunEntry]:
        """Every run's entry, in order (made one at a time)."""
        return (self.entry(i) for i in range(len(self)))

    def update(self, run: int | str, **fields: Any) -> None:
        """Change a run's entry; fields given as None are cleared.

        Only ``status``, ``started``, ``seconds``, ``worker``, ``error`` and
        ``error_file`` can change; who a run is comes from the run list.
        """
        i = self.position(run)
        for key, value in fields.items():
            if key == "status":
                self.status[i] = STATUSES.index(value)
            elif key == "started":
                self._started[i] = _NO_TIME if value is None else _epoch_seconds(value)
            elif key == "seconds":
                self._seconds[i] = np.nan if value is None else float(value)
            elif key == "worker":
                self._worker[i] = -1 if value is None else self._code(value)
            elif key in ("error", "error_file"):
                error, error_file = self._errors.pop(i, (None, None))
                if key == "error":
                    error = value
                else:
                    error_file = value
                if error is not None or error_file is not None:
                    self._errors[i] = (error, error_file)
            elif key in IDENTITY_FIELDS:
                if value != self._identity(i)[key]:
                    raise KeyError(f"{key!r} says who a run is and cannot change")
            else:
                raise KeyError(f"{key!r} is not a field of a manifest entry")
        self._dirty = True

    def _code(self, worker: str) -> int:
        code = self._worker_code.get(worker)
        if code is None:
            code = self._worker_code[worker] = len(self._workers)
            self._workers.append(worker)
        return code

    def counts(self) -> dict[str, int]:
        """Runs by status."""
        tally = np.bincount(self.status, minlength=len(STATUSES))
        return {name: int(tally[code]) for code, name in enumerate(STATUSES)}

    def write(self, *, now: bool = False) -> bool:
        """Write the manifest if due (or at once with ``now``); return whether written."""
        clock = time.monotonic()
        wait = max(self.interval, 20.0 * self._write_seconds)
        if not now and (not self._dirty or clock - self._last_write < wait):
            return False
        head = dict(self.header)
        head["counts"] = self.counts()
        head.pop("runs", None)
        text = json.dumps(json_safe(head), indent=1, ensure_ascii=False, allow_nan=False)
        opening = text[: text.rindex("}")].rstrip()
        opening += ',\n "runs": [' if head else '\n "runs": ['
        last = len(self) - 1

        def write(handle: IO[bytes]) -> None:
            out = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
            out.write(opening)
            for i in range(len(self)):
                line = json.dumps(self.entry(i).as_dict(), ensure_ascii=False, allow_nan=False)
                out.write(f"\n  {line}{',' if i < last else ''}")
            out.write("\n ]\n}\n")
            out.flush()
            out.detach()

        atomic_write(self.path, write)
        self._last_write = time.monotonic()
        self._write_seconds = self._last_write - clock
        self._dirty = False
        return True


def _epoch_seconds(stamp: str) -> int:
    """Seconds since 1970 (UTC) of an ISO 8601 time as :func:`now_iso` writes it.

    Examples
    --------
    >>> _epoch_seconds("1970-01-01T00:01:40+00:00")
    100
    """
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def iter_done_records(folder: ResultsFolder, run_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The records of the runs that are done, in the order given (others skipped)."""
    for run_id in run_ids:
        record = folder.read_record(run_id)
        if record is not None:
            yield record
