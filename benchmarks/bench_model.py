"""Whole-model speed and memory: setup and run time, resident-weeks per second, peak RSS.

What it measures
----------------
``NeighbourhoodModel(scenario, seed)`` (setup) and ``.run()`` (every week, burn-in
included, plus assembling the results) for a scenario with every mechanism on: all five
positive levers (community grants, social prescribing, community connectors,
neighbourhood teams, access) funded in years 1-3 across all wards at borough-scale
budgets (see ``_common.ALL_LEVERS``), so the lever code runs. Horizon 10 years plus 2 of
burn-in: 624 weeks.

Each size runs in a fresh subprocess, single-threaded (``OMP_NUM_THREADS=1`` and kin),
so its peak RSS (``ru_maxrss`` of that process) belongs to that run alone. The child
also reports its CPU time: CPU well below wall time means the machine was busy and the
wall time is pessimistic.

Targets (PASS/FAIL printed):

* 20,000 residents: setup + run <= 5 s;
* 250,000 residents: setup + run <= 60 s (aim 15 s), peak memory <= 2 GB.

Run::

    python benchmarks/bench_model.py               # 20,000 (3 runs) and 250,000 (1 run)
    python benchmarks/bench_model.py --quick       # 20,000, one run
    python benchmarks/bench_model.py --sizes 50000 100000 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import _common

TARGETS = {  # residents: (seconds for setup + run, peak RSS MB or None)
    20_000: (5.0, None),
    250_000: (60.0, 2048.0),
}
AIM_250K_S = 15.0


def child(residents: int, years: int, burn_in: int, seed: int) -> None:
    """Build and run one model; print one JSON line of figures."""
    t_start = time.perf_counter()
    _common.ensure_importable()
    from thriving.config.schema import Scenario
    from thriving.sim.model import NeighbourhoodModel

    scenario = Scenario(
        name="bench_all_levers",
        population={"residents": residents},
        horizon={"years": years, "burn_in_years": burn_in},
        investments=_common.all_levers(1, min(3, years)),
    )
    rss_after_import = _common.rss_now_mb()
    t_import = time.perf_counter() - t_start

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    model = NeighbourhoodModel(scenario, seed=seed)
    t1 = time.perf_counter()
    result = model.run()
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    ts = result.timeseries
    figures = {
        "residents": int(model.pop.size),
        "weeks": int(scenario.weeks),
        "import_s": t_import,
        "setup_s": t1 - t0,
        "run_s": t2 - t1,
        "cpu_s": cpu,
        "peak_rss_mb": peak_kb / 1024.0,
        "rss_after_import_mb": rss_after_import,
        "ties_alive": int(model.ties.size),
        "tie_rows": int(model.ties.m),
        "mean_degree_last_week": float(ts["mean_degree"].iloc[-1]),
        "groups_open_last_week": float(ts["groups_open"].iloc[-1]),
        "investment_gbp": float(result.summary.get("investment_gbp", float("nan"))),
    }
    print("RESULT " + json.dumps(figures), flush=True)


def run_child(residents: int, years: int, burn_in: int, seed: int) -> dict:
    """One measurement in a fresh interpreter."""
    env = {**os.environ, **_common.ONE_THREAD}
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        str(residents),
        "--years",
        str(years),
        "--burn-in",
        str(burn_in),
        "--seed",
        str(seed),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child for {residents:,} residents failed:\n{proc.stderr[-3000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"child for {residents:,} residents printed no RESULT line")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 residents, one run")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="residents")
    parser.add_argument("--repeat", type=int, default=None, help="runs per size")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--burn-in", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        child(args.child, args.years, args.burn_in, args.seed)
        return 0

    sizes = args.sizes or ([20_000] if args.quick else [20_000, 250_000])
    print(f"bench_model: model {_common.model_version()}; {_common.machine()}")
    print(
        f"  scenario: all five levers (years 1-{min(3, args.years)}, all wards), "
        f"{args.years} years + {args.burn_in} burn-in = {52 * (args.years + args.burn_in)} "
        f"weeks; seed {args.seed}; one thread; each run in a fresh process"
    )
    header = (
        f"  {'residents':>9} {'setup s':>8} {'run s':>8} {'total s':>8} {'cpu s':>7} "
        f"{'res-wk/s':>10} {'peak MB':>8} {'ties':>10}"
    )
    print(header)
    verdicts = []
    for n in sizes:
        repeat = args.repeat or (1 if args.quick or n > 50_000 else 3)
        runs = []
        for _ in range(repeat):
            r = run_child(n, args.years, args.burn_in, args.seed)
            runs.append(r)
            total = r["setup_s"] + r["run_s"]
            rate = r["residents"] * r["weeks"] / r["run_s"]
            print(
                f"  {r['residents']:>9,} {r['setup_s']:>8.2f} {r['run_s']:>8.2f} {total:>8.2f} "
                f"{r['cpu_s']:>7.2f} {rate:>10,.0f} {r['peak_rss_mb']:>8.0f} "
                f"{r['ties_alive']:>10,}",
                flush=True,
            )
        total = statistics.median(r["setup_s"] + r["run_s"] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        if n in TARGETS:
            limit_s, limit_mb = TARGETS[n]
            ok = total <= limit_s and (limit_mb is None or peak <= limit_mb)
            verdict = "PASS" if ok else "FAIL"
            what = f"{total:.1f} s (target <= {limit_s:.0f} s"
            what += f", aim {AIM_250K_S:.0f} s)" if n == 250_000 else ")"
            if limit_mb is not None:
                what += f", peak {peak:,.0f} MB (target <= {limit_mb:,.0f} MB)"
            verdicts.append((n, verdict, what))
    r0 = runs[-1]
    print(
        f"  (interpreter and imports alone: {r0['rss_after_import_mb']:.0f} MB RSS, "
        f"{r0['import_s']:.1f} s; times are medians over the runs of a size)"
    )
    print(
        f"  ru_maxrss over all children (largest run): "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB"
    )
    for n, verdict, what in verdicts:
        print(f"  {n:>9,} residents: {what}  {verdict}")
    return 0 if all(v == "PASS" for _, v, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
