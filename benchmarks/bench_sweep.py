"""Sweeps: speed-up from a second worker, and the parent's memory as runs multiply.

What it measures
----------------
**Speed-up.** A 20-run sweep (baseline and social prescribing, 10 replicates each,
5,000 residents, 3 years after 2 of burn-in: about a second a run) with
``run_sweep(..., workers=1)`` and then ``workers=2``, each into a fresh folder. The
wall time is the whole ``run_sweep`` call: starting the pool, running, writing every
file and summary.csv. The two summary.csv files must be byte-identical (checked), and
with ``--dask`` a third sweep on a local Dask cluster of two workers is timed and
checked too.

**Memory.** Sweeps of N tiny runs (300 residents, 1 year, no burn-in; two workers),
each in a fresh process whose own peak RSS (``ru_maxrss``, the sweep's parent process
only: workers are children) is reported, beside its RSS once the runs are listed (before
the sweep starts). Results go to disk, never back through memory, and at most two runs
per worker are in flight, so the peak should not grow with N; what does grow is the
list of runs the caller holds and the manifest's few hundred bytes a run.

Targets (PASS/FAIL printed):

* 2 workers at least 1.7 times as fast as 1 on the 20-run sweep;
* the sweep's own memory (peak RSS minus RSS once the runs are listed) grows by less
  than 25 MB from 100 to 1,000 runs (and to 10,000 with ``--runs 100 1000 10000``).

Run::

    python benchmarks/bench_sweep.py                  # both parts: ~3 min
    python benchmarks/bench_sweep.py --quick          # 8-run speed-up; 100 and 300 runs
    python benchmarks/bench_sweep.py --dask           # also time a local Dask cluster
    python benchmarks/bench_sweep.py --runs 100 1000 10000   # memory at 10,000: ~25 min
    python benchmarks/bench_sweep.py --part memory
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

TARGET_SPEEDUP = 1.7
TARGET_GROWTH_MB = 25.0


def make_plan(runs: int, residents: int, years: int, burn_in: int):
    """Baseline and social prescribing alternating, paired by seed: ``runs`` runs."""
    from thriving.config.runspec import RunSpec, run_id
    from thriving.config.schema import Scenario
    from thriving.runs.sweep import RunList

    horizon = {"years": years, "burn_in_years": burn_in}
    baseline = Scenario(name="baseline", population={"residents": residents}, horizon=horizon)
    lever = {
        "lever": "social_prescribing",
        "budget_per_year": 300_000,
        "start_year": 1,
        "end_year": min(3, years),
        "wards": "all",
    }
    treated = Scenario(
        name="social_prescribing",
        population={"residents": residents},
        horizon=horizon,
        investments=[lever],
    )
    specs = []
    for replicate in range((runs + 1) // 2):
        seed = 1000 + replicate
        base = RunSpec(
            run_id(baseline, seed), baseline, seed, replicate, "baseline", "", is_baseline=True
        )
        specs.append(base)
        specs.append(
            RunSpec(
                run_id(treated, seed),
                treated,
                seed,
                replicate,
                "social_prescribing",
                "",
                {},
                False,
                base.run_id,
            )
        )
    return RunList(f"bench-{runs}", specs[:runs])


def timed_sweep(plan, out: Path, **options) -> float:
    from thriving.runs.sweep import run_sweep

    t0 = time.perf_counter()
    outcome = run_sweep(plan, out, **options)
    seconds = time.perf_counter() - t0
    if not outcome.ok:
        raise RuntimeError(f"sweep into {out} failed: {outcome.failed[:3]}")
    return seconds


def speedup(runs: int, residents: int, years: int, dask: bool) -> list[tuple[str, bool, str]]:
    plan = make_plan(runs, residents, years, burn_in=2)
    print(
        f"speed-up: {runs} runs of {residents:,} residents, {years} years + 2 burn-in "
        f"(baseline and social prescribing alternating)"
    )
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        folders = {}
        times = {}
        cases = [("1 local worker", {"workers": 1}), ("2 local workers", {"workers": 2})]
        if dask:
            cases.append(("Dask, 2 workers", {"workers": 2, "executor": "dask"}))
        for label, options in cases:
            folders[label] = Path(tmp) / label.replace(" ", "_").replace(",", "")
            times[label] = timed_sweep(plan, folders[label], **options)
            per_run = times[label] / runs
            print(f"  {label:<16} {times[label]:7.1f} s  ({per_run:.2f} s a run)", flush=True)
        reference = (folders["1 local worker"] / "summary.csv").read_bytes()
        for label, folder in list(folders.items())[1:]:
            same = (folder / "summary.csv").read_bytes() == reference
            verdicts.append((f"summary.csv of '{label}' byte-identical to 1 worker", same, ""))
        ratio = times["1 local worker"] / times["2 local workers"]
        verdicts.append(
            (
                f"2 workers {ratio:.2f}x as fast as 1 (target >= {TARGET_SPEEDUP})",
                ratio >= TARGET_SPEEDUP,
                "",
            )
        )
    return verdicts


def memory_child(runs: int, workers: int) -> None:
    """One sweep of ``runs`` tiny runs in this process; print one JSON line of figures."""
    from thriving.runs.sweep import run_sweep

    plan = make_plan(runs, residents=300, years=1, burn_in=0)
    listed = _common.rss_now_mb()
    folder = Path(tempfile.mkdtemp(prefix="bench_sweep_mem_"))
    try:
        t0 = time.perf_counter()
        outcome = run_sweep(plan, folder / "out", workers=workers)
        seconds = time.perf_counter() - t0
        manifest_kb = (folder / "out" / "manifest.json").stat().st_size / 1024
        # Read the peak before removing the folder: deleting 30,000 files lists them
        # all in this process, which is the benchmark's cost, not the sweep's.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    figures = {
        "runs": runs,
        "done": outcome.done,
        "seconds": seconds,
        "rss_listed_mb": listed,
        "peak_rss_mb": peak,
        "rss_end_mb": _common.rss_now_mb(),
        "manifest_kb": manifest_kb,
    }
    print("RESULT " + json.dumps(figures), flush=True)


def run_memory_child(runs: int, workers: int) -> dict:
    env = {**os.environ, **_common.ONE_THREAD}
    cmd = [sys.executable, os.path.abspath(__file__), "--child", str(runs)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child for {runs} runs failed:\n{proc.stderr[-3000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"child for {runs} runs printed no RESULT line")


def memory(sizes: list[int], workers: int) -> list[tuple[str, bool, str]]:
    print(
        f"memory: sweeps of tiny runs (300 residents, 1 year), {workers} workers, each sweep "
        "in a fresh process; RSS of the sweep's own (parent) process"
    )
    print(
        f"  {'runs':>7} {'seconds':>8} {'runs/s':>7} {'RSS listed':>11} {'peak RSS':>9} "
        f"{'sweep MB':>9} {'manifest':>9}"
    )
    results = []
    for runs in sizes:
        r = run_memory_child(runs, workers)
        own = r["peak_rss_mb"] - r["rss_listed_mb"]
        print(
            f"  {runs:>7,} {r['seconds']:>8.1f} {runs / r['seconds']:>7.1f} "
            f"{r['rss_listed_mb']:>8.1f} MB {r['peak_rss_mb']:>6.1f} MB {own:>6.1f} MB "
            f"{r['manifest_kb']:>6.0f} KB",
            flush=True,
        )
        results.append((runs, own))
    print("  (sweep MB: peak RSS minus RSS once the runs are listed, i.e. what the sweep adds)")
    verdicts = []
    first_runs, first_own = results[0]
    for runs, own in results[1:]:
        growth = own - first_own
        verdicts.append(
            (
                f"sweep memory grows {growth:+.1f} MB from {first_runs:,} to {runs:,} runs "
                f"(target < {TARGET_GROWTH_MB:.0f} MB)",
                growth < TARGET_GROWTH_MB,
                "",
            )
        )
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sweeps")
    parser.add_argument("--part", choices=["speedup", "memory", "both"], default="both")
    parser.add_argument("--dask", action="store_true", help="also time a local Dask cluster")
    parser.add_argument("--runs", type=int, nargs="+", default=None, help="memory sweep sizes")
    parser.add_argument("--workers", type=int, default=2, help="workers for the memory part")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        memory_child(args.child, args.workers)
        return 0

    print(f"bench_sweep: model {_common.model_version()}; {_common.machine()}")
    verdicts = []
    if args.part in ("speedup", "both"):
        runs, residents = (8, 3_000) if args.quick else (20, 5_000)
        verdicts += speedup(runs, residents, 3, args.dask)
    if args.part in ("memory", "both"):
        sizes = args.runs or ([100, 300] if args.quick else [100, 1_000])
        verdicts += memory(sorted(sizes), args.workers)
    for what, ok, _ in verdicts:
        print(f"  {what}  {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
