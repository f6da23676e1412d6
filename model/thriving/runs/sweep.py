"""Run every run of an experiment, in parallel, resumably, into a results folder.

:func:`run_sweep` is what ``thriving sweep`` calls. It takes anything that lists its
runs (an :class:`~thriving.config.experiment.Experiment`, or a :class:`RunList` built in a
script), runs those not yet done on a local process pool or a Dask cluster
(:mod:`thriving.runs.runner`), and keeps the results folder (:mod:`thriving.runs.store`)
consistent whatever happens:

- each run's files are written by its worker, atomically, JSON record last;
- ``manifest.json`` follows the sweep as runs finish (at most twice a second);
- ``summary.csv`` is rebuilt from the run records at the end of every sweep, resumed,
  interrupted or complete, in the experiment's run order, with floats at full
  precision: the same experiment gives the same bytes on any number of workers and on
  any executor;
- a failing run is recorded (manifest and ``runs/<id>.error.txt``) and the others go
  on; Ctrl-C stops starting runs, lets those in progress finish (a second Ctrl-C stops
  them at once), records everything and raises KeyboardInterrupt;
- running the same experiment into the same folder again only runs what is missing.

summary.csv
-----------
One row per finished run: ``run_id, scenario, seed, replicate``, one column per varied
parameter (named by its dotted path; empty where the run's scenario lacks it),
``is_baseline`` (TRUE/FALSE), ``baseline_run_id``, the run's totals
(:data:`thriving.metrics.SUMMARY_NUMBERS`), then, against the paired baseline run (same
seed, same values of the parameters the baseline has):

- ``cost_avoided_gbp_pv`` = baseline ``service_cost_gbp_pv`` - the run's;
- ``net_benefit_gbp_pv`` = ``cost_avoided_gbp_pv`` - ``investment_gbp_pv``;
- ``bcr`` = ``cost_avoided_gbp_pv`` / ``investment_gbp_pv``.

These three are empty on baseline rows (a baseline is not compared with itself), when
the paired baseline run has not finished, and ``bcr`` is empty when the investment is
0. Present values are discounted at the scenario's rate (3.5 % by default) by the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import functools
import hashlib
import io
import json
import re
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from thriving.config.errors import ThrivingError
from thriving.config.runspec import RunSpec
from thriving.metrics import PAIRING_COLUMNS, RUN_COLUMNS, SUMMARY_NUMBERS, SUMMARY_PAIRED
from thriving.runs.runner import (
    DASK_MISSING,
    default_workers,
    execute_run,
    one_line_error,
    open_executor,
)
from thriving.runs.store import (
    MANIFEST_FORMAT,
    STATUSES,
    FolderLock,
    Manifest,
    ResultsFolder,
    atomic_write,
    atomic_write_text,
    check_resumable,
    move_aside,
    now_iso,
    package_versions,
    remove_temp_files,
)

#: Columns of summary.csv before the varied parameters (who the run is).
SUMMARY_HEAD: tuple[str, ...] = RUN_COLUMNS
#: Columns between the varied parameters and the totals.
SUMMARY_PAIRING: tuple[str, ...] = PAIRING_COLUMNS

#: Runs submitted ahead of the workers, per worker: enough to keep them busy, few
#: enough that memory does not grow with the number of runs.
AHEAD_PER_WORKER = 2

#: Seconds between checks while waiting for runs (progress and Ctrl-C stay responsive).
POLL_SECONDS = 0.25


class SweepPlan(Protocol):
    """What a sweep needs of an experiment (``thriving.config.experiment.Experiment`` has it)."""

    @property
    def name(self) -> str:
        """Short name; the default results folder is ``results/<name>``."""
        ...

    @property
    def fingerprint(self) -> str:
        """Changes whenever the runs would change."""
        ...

    def runs(self) -> list[RunSpec]:
        """Every run, in order."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The resolved experiment, for the manifest."""
        ...


@dataclass(frozen=True)
class RunList:
    """A sweep given as a list of runs, for scripts and tests without an experiment file.

    Parameters
    ----------
    name : str
        Name of the sweep.
    specs : sequence of RunSpec
        The runs, in order; baseline runs among them pair with the others through
        ``baseline_run_id``.
    """

    name: str
    specs: Sequence[RunSpec]

    def runs(self) -> list[RunSpec]:
        """Every run, in order."""
        return list(self.specs)

    def to_dict(self) -> dict[str, Any]:
        """Name, number of runs, and each scenario as run (its first run's, resolved).

        The scenarios take the form :meth:`thriving.config.experiment.Experiment.to_dict` gives
        them, so that a report can say exactly what was run.
        """
        first: dict[str, RunSpec] = {}
        for spec in self.specs:
            first.setdefault(spec.scenario_label, spec)
        return {
            "name": self.name,
            "n_runs": len(self.specs),
            "labels": list(first),
            "scenarios": [
                {
                    "label": label,
                    "file": spec.scenario_file,
                    "is_baseline": bool(spec.is_baseline),
                    "scenario": spec.scenario.model_dump(mode="json"),
                }
                for label, spec in first.items()
            ],
        }

    @property
    def fingerprint(self) -> str:
        """SHA-256 of every run's id, label, seed, replicate, point and pairing.

        Run ids already hash each resolved scenario with its seed.
        """
        digest = hashlib.sha256()
        for s in self.specs:
            item = [
                s.run_id,
                s.scenario_label,
                s.seed,
                s.replicate,
                s.point,
                s.is_baseline,
                s.baseline_run_id,
            ]
            digest.update(json.dumps(item, sort_keys=True, default=str).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()


@dataclass(frozen=True)
class FailedRun:
    """A run that raised, and its error (type and message, one line)."""

    run_id: str
    scenario: str
    seed: int
    error: str

    def __str__(self) -> str:
        return f"{self.run_id} ({self.scenario}, seed {self.seed}): {self.error}"


@dataclass
class SweepOutcome:
    """How a sweep went.

    Attributes
    ----------
    folder : Path
        The results folder.
    total : int
        Runs in the experiment.
    done : int
        Runs finished (now or before).
    already_done : int
        Runs found finished when the sweep started (resumed), so not run again.
    failed : list of FailedRun
        Runs that raised in this sweep.
    seconds : float
        Wall time of this sweep.
    moved_aside : Path or None
        Where ``force`` moved the folder's previous content.
    """

    folder: Path
    total: int
    done: int = 0
    already_done: int = 0
    failed: list[FailedRun] = field(default_factory=list)
    seconds: float = 0.0
    moved_aside: Path | None = None

    @property
    def ok(self) -> bool:
        """Whether every run is done."""
        return self.done == self.total


class SweepReporter:
    """Receives a sweep's progress; does nothing. The command line shows a progress bar.

    Subclass and override what you need.
    """

    def start(self, *, name: str, folder: Path, total: int, done: int, executor: str) -> None:
        """The sweep starts: ``done`` of ``total`` runs already finished."""

    def advance(self, *, done: int, failed: int, total: int, record: dict[str, Any]) -> None:
        """A run finished (``record["status"]`` is done or failed)."""

    def note(self, text: str) -> None:
        """Something the user should know now (e.g. stopping after Ctrl-C)."""

    def stop(self) -> None:
        """The sweep ends (also after errors and Ctrl-C)."""


def default_folder(name: str) -> Path:
    """``results/<name>`` in the working folder, with the name made safe for paths.

    Examples
    --------
    >>> default_folder("quickstart").as_posix()
    'results/quickstart'
    >>> default_folder("../a b").as_posix()
    'results/.._a_b'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip() or "sweep"
    if set(safe) == {"."}:
        safe = "sweep"
    return Path("results") / safe


def varied_parameters(specs: Iterable[RunSpec]) -> list[str]:
    """Dotted paths of every varied parameter, in order of first appearance."""
    seen: dict[str, None] = {}
    for spec in specs:
        for key in spec.point:
            seen.setdefault(key, None)
    return list(seen)


def _check_runs(specs: Sequence[RunSpec]) -> None:
    """Refuse run lists the store cannot hold: repeated ids, unknown baselines."""
    seen: dict[str, RunSpec] = {}
    for spec in specs:
        other = seen.get(spec.run_id)
        if other is not None:
            raise ThrivingError(
                f"runs {other.scenario_label} (seed {other.seed}) and {spec.scenario_label} "
                f"(seed {spec.seed}) are the same run ({spec.run_id}): the same scenario "
                "with the same seed appears twice"
            )
        seen[spec.run_id] = spec
    for spec in specs:
        if spec.baseline_run_id is not None and spec.baseline_run_id not in seen:
            raise ThrivingError(
                f"run {spec.run_id} ({spec.scenario_label}) is paired with baseline run "
                f"{spec.baseline_run_id}, which is not in the sweep"
            )


# --------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------


def run_sweep(
    experiment: SweepPlan,
    out: str | Path | None = None,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    reporter: SweepReporter | None = None,
) -> SweepOutcome:
    """Run an experiment's runs that are not done yet, and write summary.csv.

    Parameters
    ----------
    experiment : SweepPlan
        An :class:`~thriving.config.experiment.Experiment` or a :class:`RunList`.
    out : str or Path, optional
        Results folder; ``results/<experiment name>`` if not given. If it holds this
        experiment already, the sweep resumes it.
    executor : {"local", "dask"}
        A local process pool, or a Dask cluster (``pip install "thriving[dask]"``).
    workers : int, optional
        Worker processes (local pool, or a new local Dask cluster); all CPU cores if
        not given. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (Dask only); without it, Dask starts a
        local cluster.
    force : bool
        Start afresh when the folder holds earlier results (of this or another
        experiment): they are moved aside to ``<folder>.old-<time>``, never deleted.
    reporter : SweepReporter, optional
        Receives progress.

    Returns
    -------
    SweepOutcome
        Check ``outcome.failed``: failing runs do not raise.

    Raises
    ------
    ThrivingError
        The folder holds another experiment (without ``force``), another sweep is
        writing into it, or the executor cannot start.
    KeyboardInterrupt
        After Ctrl-C, once finished runs are recorded and the pool is shut down.

    Notes
    -----
    Local workers are started with ``spawn``: each imports the calling script afresh,
    so in a script call ``run_sweep`` under ``if __name__ == "__main__":``.

    Examples
    --------
    In a script, with ``experiment = load_experiment("experiments/quickstart.yaml")``::

        outcome = run_sweep(experiment, "results/quickstart", workers=4)
        print(outcome.done, "runs;", len(outcome.failed), "failed")
    """
    clock = time.monotonic()
    reporter = reporter or SweepReporter()
    if executor == "dask":
        try:
            # Dask is optional (thriving[dask]): only checked for when a sweep asks for it.
            import distributed  # noqa: F401
        except ImportError:
            raise ThrivingError(DASK_MISSING) from None
    elif executor != "local":
        raise ThrivingError(f"unknown executor {executor!r}: use local or dask")
    if scheduler is not None and executor != "dask":
        raise ThrivingError("--scheduler needs --executor dask")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ThrivingError(f"--workers must be at least 1 (got {workers})")

    specs = experiment.runs()
    _check_runs(specs)
    folder = ResultsFolder(Path(out) if out is not None else default_folder(experiment.name))
    if not folder.manifest.exists() and folder.holds_other_files():
        raise ThrivingError(
            f"{folder.path} already exists and is not a sweep results folder; give a new "
            "or empty folder with --out"
        )
    fingerprint = experiment.fingerprint
    versions = package_versions()
    outcome = SweepOutcome(folder=folder.path, total=len(specs))

    lock = FolderLock(folder.path)
    lock.acquire()
    try:
        previous, lock = _prepare_folder(folder, lock, fingerprint, versions, force, outcome)
        varied = varied_parameters(specs)
        sessions = list((previous or {}).get("sessions", []))
        del previous  # its run list is as long as the sweep; only the sessions are kept
        header = {
            "format": MANIFEST_FORMAT,
            "name": experiment.name,
            "fingerprint": fingerprint,
            "experiment": experiment.to_dict(),
            "varied": varied,
            "versions": versions,
            "sessions": sessions,
        }
        manifest = Manifest(folder.manifest, header, specs)
        todo = _mark_finished(folder, manifest)
        outcome.already_done = outcome.done = len(specs) - len(todo)
        manifest.write(now=True)
        if outcome.moved_aside is not None:
            reporter.note(f"Earlier results in {folder.path} moved to {outcome.moved_aside}")

        pool = (
            open_executor(executor, workers, scheduler, str(folder.runs.resolve()))
            if todo
            else None
        )
        info = pool.describe() if pool is not None else {"executor": "none", "workers": 0}
        session = {"started": now_iso(), "finished": None, **info, "outcome": "running"}
        header["sessions"].append(session)
        header.update(executor=info["executor"], workers=info["workers"])
        header.update(started=session["started"], finished=None)
        manifest.write(now=True)
        reporter.start(
            name=experiment.name,
            folder=folder.path,
            total=len(specs),
            done=outcome.done,
            executor=_describe(info),
        )
        interrupted = False
        try:
            if pool is not None:
                interrupted = _drive(pool, specs, todo, folder, manifest, outcome, reporter)
        finally:
            if pool is not None and pool.owns_workers():
                remove_temp_files(folder.runs)
            _reconcile(folder, manifest, outcome)
            session["finished"] = header["finished"] = now_iso()
            session["outcome"] = (
                "interrupted" if interrupted else ("complete" if outcome.ok else "incomplete")
            )
            manifest.write(now=True)
            write_summary(folder, [s.run_id for s in specs], varied)
            outcome.seconds = time.monotonic() - clock
            reporter.stop()
        if interrupted:
            raise KeyboardInterrupt
        return outcome
    finally:
        lock.release()


def _prepare_folder(
    folder: ResultsFolder,
    lock: FolderLock,
    fingerprint: str,
    versions: dict[str, str],
    force: bool,
    outcome: SweepOutcome,
) -> tuple[dict[str, Any] | None, FolderLock]:
    """Make the folder ready: resumable, or new (earlier content moved aside if forced).

    Returns the earlier manifest when resuming (else None) and the lock now held.
    """
    previous = None
    if force and folder.holds_other_files():
        outcome.moved_aside = move_aside(folder.path)
        lock.release()
        lock = FolderLock(folder.path)
        lock.acquire()
    elif folder.manifest.exists():
        previous = check_resumable(folder, fingerprint, versions)
    folder.runs.mkdir(parents=True, exist_ok=True)
    remove_temp_files(folder.path)
    remove_temp_files(folder.runs)
    return previous, lock


def _describe(info: dict[str, Any]) -> str:
    """The executor in words, for the progress display."""
    if info["executor"] == "none":
        return "no workers (nothing left to run)"
    if info["executor"] == "local":
        n = info["workers"]
        return f"{n} local worker{'s' if n != 1 else ''}"
    return f"Dask ({info['scheduler']}, {info['threads']} threads)"


def _mark_finished(folder: ResultsFolder, manifest: Manifest) -> list[int]:
    """Mark the runs whose files are already there as done; the positions still to do."""
    todo: list[int] = []
    for i, spec in enumerate(manifest.runs):
        record = folder.read_record(spec.run_id)
        if record is None:
            todo.append(i)
        else:
            manifest.update(
                i,
                status="done",
                started=record.get("started"),
                seconds=record.get("seconds"),
                worker=record.get("worker"),
            )
    return todo


def _drive(
    pool: Any,
    specs: Sequence[RunSpec],
    todo: list[int],
    folder: ResultsFolder,
    manifest: Manifest,
    outcome: SweepOutcome,
    reporter: SweepReporter,
) -> bool:
    """Submit runs a few ahead of the workers and record them as they finish.

    ``todo`` holds the positions of the runs to do, in ``specs`` and the manifest.
    Returns whether the sweep was interrupted (Ctrl-C). Closes the pool.
    """
    runs_dir = str(folder.runs.resolve())
    ahead = AHEAD_PER_WORKER * pool.capacity
    pending: dict[cf.Future, int] = {}
    todo.reverse()  # pop() from the end gives the experiment's order

    def collect(done: Iterable[cf.Future]) -> None:
        broken = False
        for future in done:
            position = pending.pop(future)
            broken |= _record(future, position, pool, folder, manifest, outcome, reporter)
        manifest.write()
        if broken:
            pool.restart()

    try:
        while todo or pending:
            while todo and len(pending) < ahead:
                position = todo.pop()
                pending[pool.submit(execute_run, specs[position], runs_dir)] = position
            done, _ = cf.wait(pending, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            collect(done)
    except KeyboardInterrupt:
        pass
    except BaseException:
        pool.close(now=True)
        raise
    else:
        pool.close()
        return False

    # Ctrl-C: start nothing more; let the runs in progress finish unless pressed again.
    todo.clear()
    pool.stop_soon()
    for future in list(pending):
        future.cancel()
    try:
        if any(not f.done() for f in pending):
            reporter.note(
                "Stopping: letting the runs in progress finish (press Ctrl-C again to "
                "stop them now; finished runs are kept either way)."
            )
        while pending:
            done, _ = cf.wait(pending, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            collect(done)
        pool.close()
    except KeyboardInterrupt:
        pool.close(now=True)
    except BaseException:
        pool.close(now=True)
        raise
    return True


def _record(
    future: cf.Future,
    position: int,
    pool: Any,
    folder: ResultsFolder,
    manifest: Manifest,
    outcome: SweepOutcome,
    reporter: SweepReporter,
) -> bool:
    """Record one finished future; return True if the pool broke (a worker died)."""
    run_id = manifest.runs[position].run_id
    broken = False
    if future.cancelled():
        return False
    exc = future.exception()
    if exc is None:
        record = future.result()
    else:
        # The worker function never raises; this is the pool's or the transport's error.
        broken = pool.is_broken_error(exc)
        if broken:
            error = "the worker process running it stopped unexpectedly (killed, or out of memory?)"
        else:
            error = one_line_error(exc)
        details = "".join(traceback.format_exception(exc))
        try:
            atomic_write_text(folder.error_file(run_id), details)
        except OSError:
            pass
        record = {"run_id": run_id, "status": "failed", "error": error}
    status = record["status"]
    if status == "skipped":
        return broken
    if status == "done":
        outcome.done += 1
        manifest.update(
            position,
            status="done",
            started=record.get("started"),
            seconds=record.get("seconds"),
            worker=record.get("worker"),
            error=None,
            error_file=None,
        )
    else:
        entry = manifest.entry(position)
        outcome.failed.append(FailedRun(run_id, entry["scenario"], entry["seed"], record["error"]))
        manifest.update(
            position,
            status="failed",
            started=record.get("started"),
            seconds=record.get("seconds"),
            worker=record.get("worker"),
            error=record["error"],
            error_file=f"runs/{run_id}.error.txt",
        )
    spec = manifest.runs[position]
    record = {**record, "scenario": spec.scenario_label, "seed": spec.seed}
    reporter.advance(
        done=outcome.done, failed=len(outcome.failed), total=outcome.total, record=record
    )
    return broken


def _reconcile(folder: ResultsFolder, manifest: Manifest, outcome: SweepOutcome) -> None:
    """Mark runs done whose files are whole though their result never came back.

    That happens when Ctrl-C arrives between a worker writing a run and the sweep
    hearing of it.
    """
    for position in np.flatnonzero(manifest.status == STATUSES.index("pending")):
        record = folder.read_record(manifest.runs[position].run_id)
        if record is not None:
            manifest.update(
                int(position),
                status="done",
                started=record.get("started"),
                seconds=record.get("seconds"),
                worker=record.get("worker"),
            )
            outcome.done += 1


# --------------------------------------------------------------------------------------
# summary.csv
# --------------------------------------------------------------------------------------


def format_cell(value: Any) -> str:
    """A value as summary.csv writes it: floats in full (shortest exact) precision.

    Examples
    --------
    >>> [format_cell(v) for v in (0.1 + 0.2, 3, True, None, "a", [1, 2])]
    ['0.30000000000000004', '3', 'TRUE', '', 'a', '[1,2]']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value) if value == value else ""
    if isinstance(value, int | str):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def summary_columns(varied: Sequence[str]) -> list[str]:
    """Column names of summary.csv for an experiment varying ``varied``."""
    return [*SUMMARY_HEAD, *varied, *SUMMARY_PAIRING, *SUMMARY_NUMBERS, *SUMMARY_PAIRED]


def paired_columns(
    summary: dict[str, Any], baseline_cost_pv: float | None
) -> tuple[float | None, float | None, float | None]:
    """Cost avoided, net benefit and benefit-cost ratio against the paired baseline.

    Parameters
    ----------
    summary : dict
        The run's summary (``service_cost_gbp_pv``, ``investment_gbp_pv``).
    baseline_cost_pv : float or None
        The paired baseline run's ``service_cost_gbp_pv``; None when there is none.

    Returns
    -------
    tuple
        ``(cost_avoided_gbp_pv, net_benefit_gbp_pv, bcr)``; all None without a
        baseline, ``bcr`` None when the investment is 0.

    Examples
    --------
    >>> paired_columns({"service_cost_gbp_pv": 90.0, "investment_gbp_pv": 5.0}, 100.0)
    (10.0, 5.0, 2.0)
    >>> paired_columns({"service_cost_gbp_pv": 90.0, "investment_gbp_pv": 0.0}, 100.0)
    (10.0, 10.0, None)
    """
    if baseline_cost_pv is None:
        return None, None, None
    avoided = baseline_cost_pv - float(summary["service_cost_gbp_pv"])
    investment = float(summary["investment_gbp_pv"])
    net = avoided - investment
    bcr = avoided / investment if investment > 0 else None
    return avoided, net, bcr


#: Baseline runs' costs kept at once while summary.csv is written (paired runs are
#: usually near their baseline in the run order, so a small cache reads each once).
BASELINE_CACHE = 4096


def write_summary(
    folder: ResultsFolder,
    run_ids: Sequence[str],
    varied: Sequence[str],
) -> int:
    """Rebuild summary.csv from the run records, streaming; return the rows written.

    Parameters
    ----------
    folder : ResultsFolder
    run_ids : sequence of str
        Every run, in the experiment's order (unfinished ones are left out).
    varied : sequence of str
        The varied parameters (dotted paths), one column each.
    """

    @functools.lru_cache(maxsize=BASELINE_CACHE)
    def baseline_cost(run_id: str | None) -> float | None:
        # Read on demand, a few at a time: memory stays flat however many runs there are.
        record = folder.read_record(run_id) if run_id else None
        if record is None or not record.get("is_baseline"):
            return None
        return float(record["summary"]["service_cost_gbp_pv"])

    rows = 0

    def write(handle: IO[bytes]) -> None:
        nonlocal rows
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(summary_columns(varied))
        for run_id in run_ids:
            record = folder.read_record(run_id)
            if record is None:
                continue
            summary = record["summary"]
            point = record.get("point") or {}
            if record.get("is_baseline"):
                paired: tuple[Any, ...] = (None, None, None)
            else:
                paired = paired_columns(summary, baseline_cost(record.get("baseline_run_id")))
            row = [
                record["run_id"],
                record["scenario"],
                record["seed"],
                record["replicate"],
                *(point.get(name) for name in varied),
                bool(record.get("is_baseline")),
                record.get("baseline_run_id"),
                *(float(summary[name]) for name in SUMMARY_NUMBERS),
                *paired,
            ]
            writer.writerow([format_cell(v) for v in row])
            rows += 1
        text.flush()
        text.detach()

    try:
        atomic_write(folder.summary, write)
    except PermissionError as exc:
        raise ThrivingError(
            f"cannot write {folder.summary}: {exc.strerror or exc} (is it open in Excel? "
            "Close it and run the same command again; finished runs are kept)"
        ) from None
    return rows


# --------------------------------------------------------------------------------------
# Progress on the terminal
# --------------------------------------------------------------------------------------


class ConsoleReporter(SweepReporter):
    """Shows a sweep's progress on stderr: a progress bar on a terminal, lines otherwise.

    The bar shows runs done of all, failures, time elapsed and time left; failures are
    printed as they happen. When stderr is not a terminal (a log file, a batch job), a
    line is printed at every tenth of the sweep instead.
    """

    def __init__(self) -> None:
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self._progress: Any = None
        self._task: Any = None
        self._next_line = 0
        self._total = 0

    def start(self, *, name: str, folder: Path, total: int, done: int, executor: str) -> None:
        """Print what runs where, and start the bar."""
        self._total = total
        already = f" ({done} already done)" if done else ""
        self.console.print(
            f"Sweep {name}: {total} runs{already} on {executor}, into {folder}",
            markup=False,
        )
        if not self.console.is_terminal:
            self._next_line = done + max(1, total // 10)
            return

        self._progress = Progress(
            TextColumn("Runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed[/red]"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=self.console,
        )
        self._progress.start()
        self._task = self._progress.add_task("runs", total=total, completed=done, failed=0)

    def advance(self, *, done: int, failed: int, total: int, record: dict[str, Any]) -> None:
        """Move the bar; print a failure at once."""
        if record["status"] == "failed":
            self.console.print(
                f"Run {record['run_id']} ({record['scenario']}, seed {record['seed']}) "
                f"failed: {record['error']}",
                markup=False,
            )
        if self._progress is not None:
            self._progress.update(self._task, completed=done + failed, failed=failed)
        elif done + failed >= self._next_line or done + failed == total:
            self.console.print(f"{done} of {total} runs done, {failed} failed", markup=False)
            self._next_line = done + failed + max(1, total // 10)

    def note(self, text: str) -> None:
        """Print a message above the bar."""
        self.console.print(text, markup=False)

    def stop(self) -> None:
        """Remove nothing; leave the final bar on screen."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
