"""Where runs execute: a local process pool or a Dask cluster, behind one interface.

Both executors hand out :class:`concurrent.futures.Future` objects (Dask's through
``Client.get_executor()``), so the sweep has one code path whatever runs the work:
submit a run, wait for the first futures to finish, read their small results.

Each run executes :func:`execute_run` in a worker process. The worker runs the model
and writes the run's files itself, atomically; it sends back only a small record (a few
numbers and timings), so results never travel back through memory.

Local workers are started with the ``spawn`` method from a private multiprocessing
context: nothing global changes (unlike Mesa's ``batch_run``, which sets the start
method when imported) and it works the same on Linux, macOS and Windows.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import secrets
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from thriving import __version__
from thriving.config.errors import ThrivingError
from thriving.metrics import SUMMARY_NUMBERS
from thriving.runs.provenance import code_fingerprint
from thriving.runs.store import (
    ResultsFolder,
    atomic_write_json,
    atomic_write_parquet,
    atomic_write_text,
    now_iso,
    package_versions,
)
from thriving.sim.model import NeighbourhoodModel

if TYPE_CHECKING:
    from thriving.config.runspec import RunSpec

#: Message for a Dask executor when Dask is not installed.
DASK_MISSING = '--executor dask needs Dask, which is not installed: pip install "thriving[dask]"'

#: How long to try to reach a Dask scheduler given with --scheduler.
DASK_CONNECT_TIMEOUT = "20s"

#: Set in each local worker process (see _init_local_worker): once set, workers skip
#: the runs still queued for them instead of starting them (Ctrl-C stops a sweep).
_STOP_EVENT: Any = None


# --------------------------------------------------------------------------------------
# What a worker does
# --------------------------------------------------------------------------------------


def execute_run(spec: RunSpec, runs_dir: str) -> dict[str, Any]:
    """Run one model and write its files; return a small record of how it went.

    Writes ``<run_id>.parquet`` (weekly borough series), ``<run_id>.wards.parquet``
    (weekly series by ward), for runs that track GP use (``spec.track_gp_use``)
    ``<run_id>.referrals.parquet`` and ``<run_id>.gp_quarters.parquet``, and, last,
    ``<run_id>.json`` (the run's summary, which marks the run done), each atomically.
    Never raises for a failing run: the error is returned (and its traceback written to
    ``<run_id>.error.txt``), so one bad run cannot stop a sweep.

    Parameters
    ----------
    spec : RunSpec
        The run.
    runs_dir : str
        The ``runs/`` folder of the results folder (absolute; on Dask, a path every
        worker can reach).

    Returns
    -------
    dict
        ``run_id``, ``status`` (``done``, ``failed`` or ``skipped`` when the sweep was
        stopping), ``started`` (UTC, ISO), ``seconds``, ``worker`` (host:pid), and
        either ``summary`` (the numbers of :data:`SUMMARY_NUMBERS`) or ``error``
        (one line: the error's type and message).
    """
    if _STOP_EVENT is not None and _STOP_EVENT.is_set():
        return {"run_id": spec.run_id, "status": "skipped"}
    folder = ResultsFolder(os.path.dirname(os.path.abspath(runs_dir)))
    started = now_iso()
    clock = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        summary = _run_and_write(spec, folder, started, clock, worker)
    except Exception as exc:  # noqa: BLE001 - a failing run is data, not a crash
        error = one_line_error(exc)
        with contextlib.suppress(OSError):
            atomic_write_text(folder.error_file(spec.run_id), traceback.format_exc())
        return {
            "run_id": spec.run_id,
            "status": "failed",
            "started": started,
            "seconds": round(time.perf_counter() - clock, 3),
            "worker": worker,
            "error": error,
        }
    return {
        "run_id": spec.run_id,
        "status": "done",
        "started": started,
        "seconds": round(time.perf_counter() - clock, 3),
        "worker": worker,
        "summary": summary,
    }


def _run_and_write(
    spec: RunSpec, folder: Any, started: str, clock: float, worker: str
) -> dict[str, float]:
    """Run the model, write its files (JSON last); return the summary numbers."""
    result = NeighbourhoodModel(spec.scenario, spec.seed, track_gp_use=spec.track_gp_use).run()
    metadata = {
        "thriving.run_id": spec.run_id,
        "thriving.config.scenario": spec.scenario_label,
        "thriving.seed": str(spec.seed),
        "thriving.version": __version__,
    }
    atomic_write_parquet(folder.series_file(spec.run_id), result.timeseries, metadata)
    atomic_write_parquet(folder.wards_file(spec.run_id), result.by_ward, metadata)
    if result.gp_quarters is not None:  # for before-and-after analyses (thriving.sim.cohort)
        atomic_write_parquet(folder.referrals_file(spec.run_id), result.referrals, metadata)
        atomic_write_parquet(folder.gp_quarters_file(spec.run_id), result.gp_quarters, metadata)
    numbers = {name: float(result.summary[name]) for name in SUMMARY_NUMBERS}
    record = {
        "run_id": spec.run_id,
        "status": "done",
        "scenario": spec.scenario_label,
        "scenario_file": spec.scenario_file,
        "seed": int(spec.seed),
        "replicate": int(spec.replicate),
        "point": dict(spec.point),
        "is_baseline": bool(spec.is_baseline),
        "baseline_run_id": spec.baseline_run_id,
        "weeks": len(result.timeseries),
        "started": started,
        "seconds": round(time.perf_counter() - clock, 3),
        "worker": worker,
        "thriving_version": __version__,
        # The version alone can hide a changed model. Only here, not in the Parquet
        # metadata: the series files stay byte-identical across edits that leave the
        # numbers as they were, as they are across executors and worker counts.
        "thriving_code": code_fingerprint(),
        "summary": result.summary,
    }
    atomic_write_json(folder.record_file(spec.run_id), record)
    with contextlib.suppress(FileNotFoundError):
        folder.error_file(spec.run_id).unlink()  # from an earlier, failed attempt
    return numbers


def one_line_error(exc: BaseException) -> str:
    r"""An error as one line: its type and message (line breaks shown as ``\n``).

    Examples
    --------
    >>> one_line_error(ValueError("bad\nvalue"))
    'ValueError: bad\\nvalue'
    """
    message = str(exc).replace("\r", "\\r").replace("\n", "\\n")
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------


class LocalExecutor:
    """Runs on this machine in a pool of worker processes (``spawn`` start method).

    Parameters
    ----------
    workers : int
        Worker processes (at least 1).
    """

    kind = "local"

    def __init__(self, workers: int):
        if workers < 1:
            raise ThrivingError(f"--workers must be at least 1 (got {workers})")
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=_init_local_worker,
            initargs=(self._stop,),
        )

    @property
    def capacity(self) -> int:
        """Runs that can execute at once."""
        return self.workers

    def describe(self) -> dict[str, Any]:
        """What runs the sweep, for the manifest."""
        return {"executor": "local", "workers": self.workers, "start_method": "spawn"}

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Schedule ``fn(*args)`` in a worker."""
        return self._pool.submit(fn, *args)

    def is_broken_error(self, exc: BaseException) -> bool:
        """Whether an error is the pool's (a worker died), not the run's."""
        return isinstance(exc, cf.BrokenExecutor)

    def restart(self) -> None:
        """Replace the pool with a fresh one if it is broken (a worker was killed)."""
        if not getattr(self._pool, "_broken", True):
            return  # already replaced: the error came from the previous pool
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def stop_soon(self) -> None:
        """Stop starting runs: queued runs return at once, unrun."""
        self._stop.set()

    def close(self, *, now: bool = False) -> None:
        """Shut the pool down: after the runs in progress finish, or at once with ``now``.

        ``now`` terminates the worker processes; their half-written files are temporary
        files, which the sweep then deletes.
        """
        if now:
            self._stop.set()
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(timeout=5)
        else:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def owns_workers(self) -> bool:
        """Whether closing this executor ends every process that could write files."""
        return True


def _init_local_worker(stop_event: Any) -> None:
    """Start a local worker: leave Ctrl-C to the sweep, and note the stop signal."""
    global _STOP_EVENT
    # Ctrl-C in a terminal reaches every process of the group; the sweep decides what
    # to do about it (finish the runs in progress), so workers ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STOP_EVENT = stop_event
    # One thread per worker for numerical libraries (effective if not yet loaded).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


class DaskExecutor:
    """Runs on a Dask cluster: a new local one, or an existing one at ``scheduler``.

    Parameters
    ----------
    workers : int
        Worker processes of a new local cluster (one thread each); ignored with
        ``scheduler``, where the cluster decides.
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
    runs_dir : str, optional
        The folder runs write into; checked to be reachable from every worker.
    """

    kind = "dask"

    def __init__(self, workers: int, scheduler: str | None = None, runs_dir: str | None = None):
        try:
            # Dask is optional (thriving[dask]): imported only when a sweep asks for it.
            import distributed
        except ImportError:
            raise ThrivingError(DASK_MISSING) from None
        self.scheduler = scheduler
        self._cluster = None
        try:
            if scheduler is None:
                if workers < 1:
                    raise ThrivingError(f"--workers must be at least 1 (got {workers})")
                # Worker processes inherit "ignore Ctrl-C": the sweep handles it (as for
                # local workers), rather than every worker dying at once, noisily.
                with _sigint_ignored():
                    self._cluster = distributed.LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=40,  # logging.ERROR: no chatter on the terminal
                    )
                self._client = distributed.Client(self._cluster)
            else:
                try:
                    self._client = distributed.Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
                except (OSError, TimeoutError, ValueError) as exc:
                    raise ThrivingError(
                        f"cannot connect to the Dask scheduler at {scheduler}: {exc}"
                    ) from None
            self._check_workers(runs_dir)
        except BaseException:
            self.close(now=True)
            raise
        self._executor = self._client.get_executor(pure=False)

    def _check_workers(self, runs_dir: str | None) -> None:
        """Refuse workers that run other versions or cannot see the results folder."""
        if not self._client.nthreads():
            self._client.wait_for_workers(1, timeout=60)
        here = package_versions()
        probe = token = None
        if runs_dir is not None:
            token = secrets.token_hex(8)
            probe = os.path.join(runs_dir, f".probe-{token}")
            atomic_write_text(probe, token)
        try:
            answers = self._client.run(_worker_report, probe, token)
        except Exception as exc:  # noqa: BLE001 - e.g. thriving not importable there
            raise ThrivingError(
                f"the Dask workers cannot run Thriving ({one_line_error(exc)}); install "
                f"the same version of thriving on every worker"
            ) from None
        finally:
            if probe is not None:
                with contextlib.suppress(OSError):
                    os.unlink(probe)
        for address, (versions, sees_folder) in answers.items():
            differ = [
                f"{name} {versions.get(name)} (here {here.get(name)})"
                for name in ("thriving", "numpy", "mesa")
                if versions.get(name) != here.get(name)
            ]
            if differ:
                raise ThrivingError(
                    f"Dask worker {address} has {', '.join(differ)}: results would not "
                    f"match; install the same versions on every worker"
                )
            if not sees_folder:
                raise ThrivingError(
                    f"Dask worker {address} cannot reach {runs_dir}: give --out a "
                    f"folder on a file system shared with every worker"
                )

    @property
    def capacity(self) -> int:
        """Runs that can execute at once (threads across the cluster's workers)."""
        return max(1, sum(self._client.nthreads().values()))

    def describe(self) -> dict[str, Any]:
        """What runs the sweep, for the manifest."""
        return {
            "executor": "dask",
            "workers": len(self._client.nthreads()),
            "threads": self.capacity,
            "scheduler": self.scheduler or "local cluster",
        }

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Schedule ``fn(*args)`` on the cluster."""
        return self._executor.submit(fn, *args)

    def is_broken_error(self, exc: BaseException) -> bool:
        """Dask reschedules work from lost workers itself; nothing to restart."""
        return False

    def restart(self) -> None:
        """Nothing to do: the scheduler replaces lost workers."""

    def stop_soon(self) -> None:
        """Nothing to do: cancelling queued futures stops them on Dask."""

    def close(self, *, now: bool = False) -> None:
        """Disconnect, and stop the local cluster if this executor started one.

        Runs still queued are cancelled; on a cluster this sweep did not start, runs
        already executing finish there and write their (whole) files.
        """
        # Dask's shutdown, interrupted half-way by a second Ctrl-C, can hang; it is
        # quick when left alone.
        with _sigint_ignored():
            client = getattr(self, "_client", None)
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close(timeout=10)
            if self._cluster is not None:
                with contextlib.suppress(Exception):
                    self._cluster.close(timeout=10)

    def owns_workers(self) -> bool:
        """Whether closing this executor ends every process that could write files."""
        return self._cluster is not None


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while processes are started, so that they inherit the ignoring."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_report(probe: str | None, token: str | None) -> tuple[dict[str, str], bool]:
    """On a Dask worker: its package versions, and whether it shares the results folder.

    The sweep writes ``token`` into the file ``probe`` in the runs folder; a worker
    that reads the same token there, and can write beside it, shares the folder.
    """
    if probe is None:
        return package_versions(), True
    try:
        with open(probe, encoding="utf-8") as handle:
            sees = handle.read() == token
        mine = f"{probe}-{socket.gethostname()}-{os.getpid()}"
        atomic_write_text(mine, "ok")
        os.unlink(mine)
    except OSError:
        sees = False
    return package_versions(), sees


def open_executor(
    kind: str, workers: int, scheduler: str | None = None, runs_dir: str | None = None
) -> LocalExecutor | DaskExecutor:
    """Start the executor a sweep asked for.

    Parameters
    ----------
    kind : {"local", "dask"}
    workers : int
        Worker processes (local pool, or a new local Dask cluster).
    scheduler : str, optional
        Dask scheduler address (Dask only).
    runs_dir : str, optional
        Folder the runs write into (checked on Dask workers).
    """
    if kind == "local":
        if scheduler is not None:
            raise ThrivingError("--scheduler needs --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler, runs_dir)
    raise ThrivingError(f"unknown executor {kind!r}: use local or dask")


def default_workers() -> int:
    """CPU cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
