"""Comparisons (analysis.results, analysis.comparison): every number recomputed plainly.

One small sweep is shared by the tests (module fixture): a baseline and social
prescribing at two budgets (a grid: compared point by point), funded from year 2 so that
present values must be re-based to the first investment year, 1,500 residents for 3
years after a 1-year burn-in, 3 paired seeds. The expected numbers are recomputed here
from summary.csv and the runs' yearly lists with plain pandas, numpy and scipy, not with
the code under test.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from thriving.analysis.comparison import (
    COLUMNS,
    COST_BENEFIT,
    OUTCOMES,
    check_comparable,
    compare,
    mean_paired_difference,
    pair_runs,
    payback_year,
    write_comparison,
)
from thriving.analysis.results import FACTS, load_results, yearly_wide
from thriving.config.errors import ThrivingError
from thriving.config.runspec import RunSpec, run_id
from thriving.config.schema import Scenario
from thriving.metrics import BOROUGH_COLUMNS, SUMMARY_NUMBERS
from thriving.runs.sweep import RunList, run_sweep

BUDGET = "investments.social_prescribing.budget_per_year"
BUDGETS = (150_000, 300_000)
SEEDS = (101, 102, 103)
FIRST_YEAR = 2
SMALL = {"population": {"residents": 1500}, "horizon": {"years": 3, "burn_in_years": 1}}


def small_scenario(name: str, budget: float | None = None) -> Scenario:
    """1,500 residents, 3 years; with a budget, social prescribing in years 2-3."""
    investments = []
    if budget is not None:
        investments = [
            {
                "lever": "social_prescribing",
                "budget_per_year": budget,
                "start_year": FIRST_YEAR,
                "end_year": 3,
                "wards": "all",
            }
        ]
    return Scenario(name=name, investments=investments, **SMALL)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    baseline = small_scenario("baseline")
    specs = []
    for replicate, seed in enumerate(SEEDS):
        base = RunSpec(
            run_id(baseline, seed), baseline, seed, replicate, "baseline", "b.yaml", {}, True
        )
        specs.append(base)
        for budget in BUDGETS:
            scenario = small_scenario("social_prescribing", budget)
            specs.append(
                RunSpec(
                    run_id(scenario, seed),
                    scenario,
                    seed,
                    replicate,
                    "social_prescribing",
                    "sp.yaml",
                    {BUDGET: budget},
                    False,
                    base.run_id,
                )
            )
    out = tmp_path_factory.mktemp("comparison") / "sweep"
    outcome = run_sweep(RunList("small", specs), out, workers=2)
    assert outcome.ok, outcome.failed
    return out


@pytest.fixture(scope="module")
def csv_file(sweep: Path, tmp_path_factory) -> Path:
    """comparison.csv of the sweep, with 41 % optimism bias."""
    comparison = compare(load_results([sweep]), optimism_bias=0.41)
    path = tmp_path_factory.mktemp("out") / "comparison.csv"
    write_comparison(comparison, path)
    return path


def records(folder: Path) -> dict[str, dict]:
    """Each run's summary (its JSON record), by run id."""
    return {
        p.stem: json.loads(p.read_text())["summary"]
        for p in (folder / "runs").glob("*.json")
        if not p.name.endswith(".error.txt")
    }


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def test_results_table_has_one_row_per_run_with_numbers_facts_and_pairing(sweep):
    results = load_results([sweep])
    runs = results.table
    summary = pd.read_csv(sweep / "summary.csv", dtype={"run_id": str, "baseline_run_id": str})
    assert list(runs["run_id"]) == list(summary["run_id"])
    for name in SUMMARY_NUMBERS:
        assert runs[name].tolist() == summary[name].tolist(), name
    assert runs[BUDGET].fillna(-1).tolist() == summary[BUDGET].fillna(-1).tolist()
    assert runs["is_baseline"].tolist() == summary["is_baseline"].tolist()
    assert set(runs["design"]) == {"grid"} and set(runs["source"]) == {str(sweep)}
    assert set(runs["years"]) == {3} and set(runs["burn_in_years"]) == {1}
    assert set(runs["residents_simulated"]) == {1500}
    assert set(runs["price_year"]) == {"2023/24"} and set(runs["discount_rate"]) == {0.035}
    first = runs.set_index("run_id")["first_investment_year"]
    for rid, is_base in zip(runs["run_id"], runs["is_baseline"], strict=True):
        assert (pd.isna(first[rid])) if is_base else first[rid] == FIRST_YEAR
    assert set(FACTS) <= set(runs.columns)
    # The yearly lists, as the records give them, one row per run and year.
    recs = records(sweep)
    assert len(results.yearly) == 3 * len(runs)
    wide = yearly_wide(results, "service_cost_gbp", runs[["source", "run_id"]])
    for i, rid in enumerate(runs["run_id"]):
        assert wide.iloc[i].tolist() == recs[rid]["service_cost_gbp_by_year"]


def test_weekly_series_are_read_from_disk_one_run_at_a_time(sweep):
    results = load_results([sweep])
    run = results.runs[1]
    weekly = results.read_weekly(run, BOROUGH_COLUMNS)
    assert list(weekly) == list(BOROUGH_COLUMNS) and len(weekly["week"]) == 3 * 52
    total = results.table["gp_appointments_total"].iloc[1]
    assert weekly["gp_appointments"].sum() == pytest.approx(total)


def test_a_folder_that_is_not_results_is_refused(tmp_path):
    with pytest.raises(ThrivingError, match="is not a results folder"):
        load_results([tmp_path])


# --------------------------------------------------------------------------------------
# Every number of comparison.csv, recomputed from summary.csv and the yearly lists
# --------------------------------------------------------------------------------------


def t_interval(values: np.ndarray) -> tuple[float, float, float]:
    n = len(values)
    mean = values.sum() / n
    sd = math.sqrt(((values - mean) ** 2).sum() / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def expected_rows(sweep: Path, optimism_bias: float) -> dict[tuple[float, str], dict]:
    """Every row of comparison.csv, by (budget, metric), computed plainly."""
    summary = pd.read_csv(sweep / "summary.csv", dtype={"run_id": str, "baseline_run_id": str})
    recs = records(sweep)
    base = summary[summary["is_baseline"]].set_index("run_id")
    expected = {}
    rate = 0.035
    for budget in BUDGETS:
        scen = summary[summary[BUDGET] == budget].reset_index(drop=True)
        b = base.loc[scen["baseline_run_id"]].reset_index(drop=True)
        first = recs[scen["run_id"][0]]["first_investment_year"]
        assert first == FIRST_YEAR
        k = (1 + rate) ** (first - 1)
        n = len(scen)
        for metric in OUTCOMES:
            factor = k if metric.endswith("_gbp_pv") else 1.0
            d = (scen[metric] - b[metric]).to_numpy() * factor
            mean, low, high = t_interval(d)
            expected[budget, metric] = {
                "baseline_mean": b[metric].mean() * factor,
                "scenario_mean": scen[metric].mean() * factor,
                "mean_difference": mean,
                "ci_low": low,
                "ci_high": high,
                "pct_change": 100 * mean / (b[metric].mean() * factor),
                "n_pairs": n,
            }
        avoided = (b["service_cost_gbp_pv"] - scen["service_cost_gbp_pv"]).to_numpy() * k
        cash = (b["cash_releasing_cost_gbp_pv"] - scen["cash_releasing_cost_gbp_pv"]).to_numpy() * k
        invest = scen["investment_gbp_pv"].to_numpy() * k * (1 + optimism_bias)
        assert (invest > 0).all()
        lonely = (b["lonely_person_years"] - scen["lonely_person_years"]).to_numpy()

        # Payback, year by year from the runs' yearly lists, discounted from year 2.
        def payback(column: str, scen=scen) -> float:
            years = len(recs[scen["run_id"][0]][column])
            cum_avoided = cum_invest = 0.0
            for year in range(1, years + 1):
                factor = (1 + rate) ** (FIRST_YEAR - year)
                for s_id, b_id in zip(scen["run_id"], scen["baseline_run_id"], strict=True):
                    cum_avoided += (
                        recs[b_id][column][year - 1] - recs[s_id][column][year - 1]
                    ) * factor
                    cum_invest += (
                        recs[s_id]["investment_gbp_by_year"][year - 1]
                        * (1 + optimism_bias)
                        * factor
                    )
                if year >= FIRST_YEAR and cum_invest > 0 and cum_avoided >= cum_invest:
                    return float(year)
            return math.nan

        for metric, values in (
            ("cost_avoided_gbp_pv", avoided),
            ("cash_cost_avoided_gbp_pv", cash),
            ("investment_gbp_pv", invest),
            ("net_benefit_gbp_pv", avoided - invest),
            ("cash_net_benefit_gbp_pv", cash - invest),
        ):
            mean, low, high = t_interval(values)
            expected[budget, metric] = {"mean_difference": mean, "ci_low": low, "ci_high": high}
        singles = {
            "bcr": avoided.mean() / invest.mean(),
            "cash_bcr": cash.mean() / invest.mean(),
            "payback_year": payback("service_cost_gbp_by_year"),
            "cash_payback_year": payback("cash_releasing_cost_gbp_by_year"),
            "probability_net_saving": np.mean(avoided - invest > 0),
            "probability_cash_saving": np.mean(cash - invest > 0),
            "gbp_per_lonely_person_year_averted": (
                invest.mean() / lonely.mean()
                if lonely.mean() > 0 and t_interval(lonely)[1] > 0
                else math.nan
            ),
        }
        for metric, value in singles.items():
            expected[budget, metric] = {"mean_difference": value, "ci_low": math.nan}
        for metric in COST_BENEFIT:
            expected[budget, metric].update(n_pairs=n, baseline_mean=math.nan)
    return expected


def test_every_number_in_comparison_csv_is_recomputed_independently(sweep, csv_file):
    table = pd.read_csv(csv_file)
    assert list(table.columns) == ["scenario", BUDGET, *COLUMNS]
    assert set(table["scenario"]) == {"social_prescribing"}
    assert len(table) == len(BUDGETS) * (len(OUTCOMES) + len(COST_BENEFIT))
    expected = expected_rows(sweep, optimism_bias=0.41)
    assert {(row[BUDGET], row["metric"]) for _, row in table.iterrows()} == set(expected)
    checked = 0
    for _, row in table.iterrows():
        want = expected[row[BUDGET], row["metric"]]
        for column, value in want.items():
            got = row[column]
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(got), (row["metric"], column, got)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-6), (row["metric"], column)
            checked += 1
        assert isinstance(row["unit"], str) and row["unit"]
    assert checked > 200


def test_present_values_are_re_based_to_the_first_investment_year(sweep, csv_file):
    """Cost avoided equals the Green Book sum from the yearly lists, discounted from year 2."""
    table = pd.read_csv(csv_file).set_index([BUDGET, "metric"])
    summary = pd.read_csv(sweep / "summary.csv", dtype={"run_id": str, "baseline_run_id": str})
    recs = records(sweep)
    for budget in BUDGETS:
        pairs = summary[summary[BUDGET] == budget]
        totals = {"service_cost_gbp_by_year": [], "cash_releasing_cost_gbp_by_year": []}
        for s_id, b_id in zip(pairs["run_id"], pairs["baseline_run_id"], strict=True):
            for key, values in totals.items():
                s, b = recs[s_id][key], recs[b_id][key]
                # Common random numbers: nothing differs before the money starts.
                assert s[: FIRST_YEAR - 1] == b[: FIRST_YEAR - 1]
                values.append(
                    sum(
                        (b[y - 1] - s[y - 1]) / 1.035 ** (y - FIRST_YEAR)
                        for y in range(FIRST_YEAR, len(s) + 1)
                    )
                )
        for metric, key in (
            ("cost_avoided_gbp_pv", "service_cost_gbp_by_year"),
            ("cash_cost_avoided_gbp_pv", "cash_releasing_cost_gbp_by_year"),
        ):
            got = table.loc[(budget, metric), "mean_difference"]
            assert got == pytest.approx(np.mean(totals[key]), rel=1e-9)
        unit = table.loc[(budget, "net_benefit_gbp_pv"), "unit"]
        assert "2023/24 prices" in unit and "to year 2 of the run" in unit
        assert "+41 % optimism bias" in table.loc[(budget, "investment_gbp_pv"), "unit"]


def test_without_optimism_bias_investment_is_the_runs_own(sweep):
    table = compare(load_results([sweep])).table
    summary = pd.read_csv(sweep / "summary.csv")
    for budget in BUDGETS:
        row = table[(table[BUDGET] == budget) & (table["metric"] == "investment_gbp_pv")]
        runs = summary[summary[BUDGET] == budget]
        assert row["mean_difference"].item() == pytest.approx(
            runs["investment_gbp_pv"].mean() * 1.035, rel=1e-12
        )
        assert "no optimism bias" in row["unit"].item()


def test_a_sampled_design_pools_every_point(sweep, tmp_path):
    """The same runs, marked as a sampled design, give one group of all six pairs."""
    copy = tmp_path / "sampled"
    shutil.copytree(sweep, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["experiment"]["sample"] = {"method": "latin_hypercube", "n": 2}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    comparison = compare(load_results([copy]))
    table = comparison.table
    assert list(table.columns) == ["scenario", *COLUMNS]  # no varied columns: pooled
    assert len(table) == len(OUTCOMES) + len(COST_BENEFIT)
    assert set(table["n_pairs"]) == {len(SEEDS) * len(BUDGETS)}
    summary = pd.read_csv(sweep / "summary.csv", dtype={"run_id": str, "baseline_run_id": str})
    scen = summary[~summary["is_baseline"]]
    base = summary.set_index("run_id").loc[scen["baseline_run_id"]]
    diff = scen["gp_appointments_total"].to_numpy() - base["gp_appointments_total"].to_numpy()
    row = table.set_index("metric").loc["gp_appointments_total"]
    assert row["mean_difference"] == pytest.approx(diff.mean(), rel=1e-12)
    assert any("sampled design" in note for note in comparison.notes)


def test_two_folders_with_the_same_labels_keep_their_own_baselines(sweep, tmp_path):
    copy = tmp_path / "again"
    shutil.copytree(sweep, copy)
    results = load_results([sweep, copy])
    labels = set(results.table["scenario"])
    assert labels == {
        f"{label} ({name})"
        for label in ("baseline", "social_prescribing")
        for name in (sweep.name, "again")
    }
    pairs, unpaired = pair_runs(results)
    assert unpaired == 0
    assert (pairs["source"] == pairs["baseline.source"]).all()
    table = compare(results).table
    one = compare(load_results([sweep])).table
    for label in (f"social_prescribing ({sweep.name})", "social_prescribing (again)"):
        mine = table[table["scenario"] == label].drop(columns="scenario").reset_index(drop=True)
        assert mine.drop(columns="unit").equals(one.drop(columns=["scenario", "unit"]))


def test_runs_that_differ_from_their_baseline_are_refused_unless_forced(sweep):
    results = load_results([sweep])
    runs = [
        replace(run, summary={**run.summary, "years": 4}) if run.is_baseline else run
        for run in results.runs
    ]
    pairs, _ = pair_runs(replace(results, runs=runs))
    with pytest.raises(ThrivingError) as error:
        check_comparable(pairs)
    message = str(error.value)
    assert "was run for 3 years but its baseline run" in message and "for 4 years" in message
    assert "--force" in message
    warnings = check_comparable(pairs, force=True)
    assert len(warnings) == len(pairs) and "3 years" in warnings[0]


def test_unfinished_baseline_runs_leave_their_pairs_out_with_a_note(sweep):
    results = load_results([sweep])
    dropped = next(i for i, run in enumerate(results.runs) if run.is_baseline)
    runs = results.runs[:dropped] + results.runs[dropped + 1 :]
    comparison = compare(replace(results, runs=runs))
    assert set(comparison.table["n_pairs"]) == {len(SEEDS) - 1}
    assert any("2 scenario runs left out" in note for note in comparison.notes)


# --------------------------------------------------------------------------------------
# Paired statistics and payback (properties and small cases)
# --------------------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(
    baseline=arrays(np.float64, st.integers(1, 30), elements=finite),
    noise=st.integers(0, 2**32 - 1).map(np.random.default_rng),
    shift=st.floats(-1e5, 1e5, allow_nan=False),
)
def test_mean_paired_difference_properties(baseline, noise, shift):
    n = baseline.size
    scenario = baseline + noise.normal(0, 100, n)
    d = mean_paired_difference(baseline, scenario)
    assert d.n_pairs == n
    assert d.mean_difference == pytest.approx(np.mean(scenario - baseline), abs=1e-6)
    if n == 1:
        assert math.isnan(d.ci_low) and math.isnan(d.ci_high)
    else:
        assert d.ci_low <= d.mean_difference <= d.ci_high
        result = stats.ttest_rel(scenario, baseline)
        low, high = result.confidence_interval(0.95)
        assert (d.ci_low, d.ci_high) == pytest.approx((low, high), rel=1e-6, abs=1e-6)
    moved = mean_paired_difference(baseline, scenario + shift)
    assert moved.mean_difference == pytest.approx(d.mean_difference + shift, abs=1e-6)
    if n > 1:
        width = d.ci_high - d.ci_low
        assert moved.ci_high - moved.ci_low == pytest.approx(width, rel=1e-6, abs=1e-6)
    swapped = mean_paired_difference(scenario, baseline)
    assert swapped.mean_difference == pytest.approx(-d.mean_difference, abs=1e-6)


def test_mean_paired_difference_refuses_unpaired_arrays():
    with pytest.raises(ValueError, match="paired"):
        mean_paired_difference([1.0, 2.0], [1.0])


def test_payback_year_cases():
    ones = np.ones((2, 4))
    invest = np.array([[100.0, 0, 0, 0], [100.0, 0, 0, 0]])
    # 40 a year avoided: cumulative 40, 80, 120 -> year 3.
    assert payback_year(40 * ones, invest, ones, 1) == 3
    # Discounting at 10 % from year 1: 40, 76.4, 109.4 -> still year 3; at 50 %: 96.3 by
    # year 4, never.
    years = np.arange(1, 5)
    assert payback_year(40 * ones, invest, ones / 1.1 ** (years - 1), 1) == 3
    assert payback_year(40 * ones, invest, ones / 1.5 ** (years - 1), 1) is None
    # Nothing invested: nothing to pay back; years before the first investment never count.
    assert payback_year(40 * ones, 0 * invest, ones, 1) is None
    late = np.array([[0.0, 100, 0, 0], [0.0, 100, 0, 0]])
    assert payback_year(100 * ones, late, ones, 2) == 2
