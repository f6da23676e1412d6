"""Common random numbers: how much narrower is the paired comparison?

What it measures
----------------
The effect of social prescribing on GP appointments (``summary["gp_appointments_total"]``,
all weeks after burn-in), estimated from R replicates (default 20) in two designs:

* **paired** (common random numbers): replicate i runs the scenario and the baseline
  with the same seed i, giving differences d_i; the 95 % interval of the mean effect
  has half-width t(0.975, R-1) x sd(d) / sqrt(R);
* **independent**: the scenario with seeds 1..R, the baseline with seeds 101..100+R;
  the interval of the difference of means has half-width t x sqrt(var_a/R + var_b/R)
  (t at the Welch-Satterthwaite degrees of freedom).

It prints the mean effect and its interval under each design and the ratio of the
half-widths. Target: the paired interval at least 3 x narrower (PASS/FAIL printed).

Set-up: 10,000 residents, horizon 5 years + 2 of burn-in, social prescribing funded in
years 1-3 across all wards. The budget is given for the whole borough (185,000 adults)
and the model buys the simulated sample's share of it; the default, £1,500,000 a year,
is five times scenarios/social_prescribing.yaml (about 36 link workers borough-wide),
so the effect stands out from the noise in the paired design. Counts are reported, as
the model reports them, scaled up to the borough. Runs go to a pool of 2 worker
processes.

Run::

    python benchmarks/bench_crn.py            # 10,000 residents, 20 replicates
    python benchmarks/bench_crn.py --quick    # 3,000 residents, 8 replicates
    python benchmarks/bench_crn.py --budget 300000 --residents 20000
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import _common

TARGET_RATIO = 3.0
INDEPENDENT_BASELINE_OFFSET = 100
OUTCOME = "gp_appointments_total"


def one_run(task: tuple) -> tuple:
    """Run one scenario and seed; return (label, seed, outcome, seconds)."""
    label, seed, residents, years, burn_in, budget = task
    _common.ensure_importable()
    from thriving.config.schema import Scenario
    from thriving.sim.model import NeighbourhoodModel

    investments = []
    if label == "scenario":
        investments = [
            {
                "lever": "social_prescribing",
                "budget_per_year": budget,
                "start_year": 1,
                "end_year": min(3, years),
                "wards": "all",
            }
        ]
    scenario = Scenario(
        name=f"crn_{label}",
        population={"residents": residents},
        horizon={"years": years, "burn_in_years": burn_in},
        investments=investments,
    )
    t0 = time.perf_counter()
    result = NeighbourhoodModel(scenario, seed=seed).run()
    return label, seed, float(result.summary[OUTCOME]), time.perf_counter() - t0


def t_quantile(df: float, q: float = 0.975) -> float:
    """Student t quantile."""
    from scipy import stats

    return float(stats.t.ppf(q, df))


def paired_interval(scenario: list[float], baseline: list[float]):
    """Mean difference and 95 % half-width from paired differences."""
    d = [a - b for a, b in zip(scenario, baseline, strict=True)]
    r = len(d)
    half = t_quantile(r - 1) * statistics.stdev(d) / math.sqrt(r)
    return statistics.fmean(d), half, statistics.stdev(d), r - 1


def independent_interval(scenario: list[float], baseline: list[float]):
    """Difference of means and 95 % half-width (Welch)."""
    ra, rb = len(scenario), len(baseline)
    va, vb = statistics.variance(scenario), statistics.variance(baseline)
    se2 = va / ra + vb / rb
    df = se2**2 / ((va / ra) ** 2 / (ra - 1) + (vb / rb) ** 2 / (rb - 1))
    half = t_quantile(df) * math.sqrt(se2)
    diff = statistics.fmean(scenario) - statistics.fmean(baseline)
    return diff, half, math.sqrt(va), math.sqrt(vb), df


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3,000 residents, 8 replicates")
    parser.add_argument("--residents", type=int, default=None)
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--burn-in", type=int, default=2)
    parser.add_argument("--budget", type=float, default=1_500_000.0, help="£ a year, borough")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    residents = args.residents or (3_000 if args.quick else 10_000)
    reps = args.replicates or (8 if args.quick else 20)
    if reps < 2:
        parser.error("--replicates must be at least 2")

    print(f"bench_crn: model {_common.model_version()}; {_common.machine()}")
    print(
        f"  social prescribing £{args.budget:,.0f} a year (borough) in years 1-"
        f"{min(3, args.years)} vs baseline; {residents:,} residents, {args.years} years + "
        f"{args.burn_in} burn-in; outcome {OUTCOME} (borough scale); {reps} replicates; "
        f"{args.workers} workers"
    )
    os.environ.update(_common.ONE_THREAD)
    common = (residents, args.years, args.burn_in, args.budget)
    tasks = [("scenario", s, *common) for s in range(1, reps + 1)]
    tasks += [("baseline", s, *common) for s in range(1, reps + 1)]
    off = INDEPENDENT_BASELINE_OFFSET
    tasks += [("baseline", s, *common) for s in range(off + 1, off + reps + 1)]

    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(one_run, tasks))
    wall = time.perf_counter() - t0
    out = {(label, seed): value for label, seed, value, _ in results}
    run_s = statistics.median(sec for *_, sec in results)
    print(f"  {len(tasks)} runs in {wall:.0f} s wall (median {run_s:.1f} s a run)")

    seeds = range(1, reps + 1)
    scen = [out["scenario", s] for s in seeds]
    base_paired = [out["baseline", s] for s in seeds]
    base_indep = [out["baseline", s] for s in range(off + 1, off + reps + 1)]

    mean_p, half_p, sd_d, df_p = paired_interval(scen, base_paired)
    mean_i, half_i, sd_a, sd_b, df_i = independent_interval(scen, base_indep)
    base_mean = statistics.fmean(base_paired)
    ratio = half_i / half_p if half_p > 0 else math.inf

    def show(name, mean, half):
        pct = 100.0 * mean / base_mean
        print(
            f"  {name:<12} effect {mean:>+12,.0f}  95% CI [{mean - half:>+12,.0f}, "
            f"{mean + half:>+12,.0f}]  half-width {half:>10,.0f}  ({pct:+.2f} % of baseline)"
        )

    print(f"  baseline mean {base_mean:,.0f} GP appointments after burn-in")
    print(
        f"  sd of outcome across seeds: scenario {sd_a:,.0f}, baseline {sd_b:,.0f}; "
        f"sd of paired differences {sd_d:,.0f}"
    )
    show("paired", mean_p, half_p)
    show("independent", mean_i, half_i)
    print(f"  (t at {df_p} df paired, {df_i:.1f} df independent)")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    print(
        f"  ratio: paired interval {ratio:,.1f}x narrower (target >= {TARGET_RATIO:.0f}x)  "
        f"{verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
