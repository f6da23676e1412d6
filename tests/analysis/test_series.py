"""thriving.analysis.series: bands, pairing, discounting, payback and ward effects on small frames.

Every expected value here is worked out by hand (or from the Green Book formula) for
synthetic series, so the tests say what the pictures' numbers mean. Reading results
folders is tested on a hand-made sweep folder whose series are known exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thriving.analysis import series
from thriving.analysis.results import Results, RunInfo, Source, open_results, pair_rows
from thriving.analysis.series import (
    band,
    cumulative_discounted,
    funded_spans,
    group_runs,
    payback,
    payback_year,
    rolling_mean,
    run_minus_baseline,
    ward_effect,
    yearly_totals,
)
from thriving.config.errors import ThrivingError
from thriving.runs.store import atomic_write_json, atomic_write_parquet
from thriving.sim.recording import discount_factors

WEEKS = 52


def run(run_id, seed, scenario="baseline", base=None, point=None, replicate=0, first=None):
    """A RunInfo: a baseline run when ``base`` is None, else paired with run ``base``."""
    return RunInfo(
        run_id=run_id,
        scenario=scenario,
        seed=seed,
        replicate=replicate,
        point=point or {},
        is_baseline=base is None,
        baseline_run_id=base,
        summary={"first_investment_year": first, "years": 2},
    )


# --------------------------------------------------------------------------------------
# Smoothing and bands
# --------------------------------------------------------------------------------------


def test_rolling_mean_of_one_week_is_the_series_itself():
    values = np.array([[1.0, 5.0, 2.0]])
    out = rolling_mean(values, 1)
    assert out.tolist() == values.tolist()
    assert out is not values


def test_rolling_mean_is_centred_and_shortens_its_window_at_the_ends():
    values = np.arange(10, dtype=float)
    out = rolling_mean(values, 5)
    # Whole windows in the middle: the mean of a straight line is its middle value.
    assert out[2:8].tolist() == values[2:8].tolist()
    assert out[0] == pytest.approx(np.mean([0, 1, 2]))
    assert out[1] == pytest.approx(np.mean([0, 1, 2, 3]))
    assert out[-1] == pytest.approx(np.mean([7, 8, 9]))


def test_rolling_mean_smooths_each_run_separately_and_skips_missing_weeks():
    values = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 4.0, np.nan, np.nan]])
    out = rolling_mean(values, 3)
    assert out[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert out[1, :3].tolist() == [2.0, 2.0, 4.0]
    assert np.isnan(out[1, 3])


def test_rolling_mean_wider_than_the_series_is_its_mean():
    assert rolling_mean(np.array([2.0, 4.0]), 13).tolist() == [3.0, 3.0]


def test_rolling_mean_refuses_a_window_under_one_week():
    with pytest.raises(ValueError, match="1 week or more"):
        rolling_mean(np.ones(3), 0)


def test_band_of_known_runs():
    values = np.array([[0.0], [10.0], [20.0], [30.0], [40.0], [50.0], [60.0], [70.0], [80.0],
                       [90.0], [100.0]])  # fmt: skip
    result = band(values)
    assert result.n == 11
    assert result.median.tolist() == [50.0]
    assert result.low.tolist() == pytest.approx([10.0])
    assert result.high.tolist() == pytest.approx([90.0])


def test_band_of_one_run_is_that_run():
    result = band(np.array([[3.0, 4.0]]))
    assert result.median.tolist() == result.low.tolist() == result.high.tolist() == [3.0, 4.0]


def test_band_ignores_missing_values_and_of_no_runs_is_empty():
    result = band(np.array([[1.0, np.nan], [3.0, 2.0]]))
    assert result.median.tolist() == [2.0, 2.0]
    empty = band(np.zeros((0, 3)))
    assert empty.n == 0 and np.isnan(empty.median).all()


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.integers(1, 12)),
        elements=st.floats(-1e9, 1e9, allow_nan=False),
    )
)
def test_median_lies_within_the_band_and_the_band_within_the_runs(values):
    result = band(values)
    tolerance = 1e-9 * (1 + np.abs(values).max())
    assert np.all(result.low <= result.median + tolerance)
    assert np.all(result.median <= result.high + tolerance)
    assert np.all(values.min(axis=0) <= result.low + tolerance)
    assert np.all(result.high <= values.max(axis=0) + tolerance)


# --------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------


def test_pairs_follow_the_baseline_run_each_run_names():
    runs = [
        run("b1", 1),
        run("s1", 1, "grants", "b1"),
        run("b2", 2),
        run("s2", 2, "grants", "b2"),
        run("t2", 2, "teams", "b2"),
    ]
    rows, base_rows = pair_rows(runs)
    assert rows.tolist() == [1, 3, 4]
    assert base_rows.tolist() == [0, 2, 2]


def test_runs_whose_baseline_run_is_missing_are_left_out():
    runs = [run("b1", 1), run("s1", 1, "grants", "b1"), run("s2", 2, "grants", "b2")]
    rows, base_rows = pair_rows(runs)
    assert rows.tolist() == [1] and base_rows.tolist() == [0]


def test_a_pair_with_two_seeds_is_refused():
    with pytest.raises(ValueError, match="share a seed"):
        pair_rows([run("b1", 1), run("s1", 2, "grants", "b1")])


@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_pairing_is_by_seed_whatever_the_order_of_runs(seeds, random):
    runs = [run(f"b{seed}", seed) for seed in sorted(set(seeds))]
    runs += [run(f"s{i}", seed, "grants", f"b{seed}") for i, seed in enumerate(seeds)]
    random.shuffle(runs)
    rows, base_rows = pair_rows(runs)
    assert len(rows) == len(seeds)
    for i, j in zip(rows, base_rows, strict=True):
        assert runs[j].is_baseline and not runs[i].is_baseline
        assert runs[i].seed == runs[j].seed


def test_run_minus_baseline_is_scenario_minus_its_baseline():
    values = np.array([[10.0, 10.0], [7.0, 12.0], [20.0, 20.0], [18.0, 21.0]])
    diff = run_minus_baseline(values, np.array([1, 3]), np.array([0, 2]))
    assert diff.tolist() == [[-3.0, 2.0], [-2.0, 1.0]]


# --------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------


def test_funded_spans_find_each_stretch_of_spending():
    weeks = np.arange(1, 9)
    spend = np.array([[0, 0, 5, 5, 0, 0, 5, 5], [0, 5, 5, 0, 0, 0, 0, 0]])
    assert funded_spans(spend, weeks) == [(2, 4), (7, 8)]
    assert funded_spans(np.zeros(8), weeks) == []
    assert funded_spans(np.ones(8), weeks) == [(1, 8)]


def test_yearly_totals_add_up_each_year_and_skip_missing_weeks():
    years = np.repeat([1, 2, 3], 2)
    values = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, np.nan]])
    assert yearly_totals(values, years).tolist() == [[3.0, 7.0, 5.0]]
    assert yearly_totals(values, years, n_years=4).tolist() == [[3.0, 7.0, 5.0, 0.0]]


def test_cumulative_discounted_is_the_green_book_present_value():
    years = np.repeat(np.arange(1, 4), WEEKS)
    weekly = np.full(years.size, 1000.0)  # £52,000 a year
    out = cumulative_discounted(weekly, years, 0.035)
    expected = np.cumsum(52_000.0 * discount_factors(np.arange(1, 4), 0.035))
    assert out == pytest.approx(expected, rel=1e-12)
    assert out[0] == 52_000.0  # year 1 is not discounted
    assert out[1] == pytest.approx(52_000.0 + 52_000.0 / 1.035)


def test_cumulative_discounted_can_start_in_a_later_year():
    years = np.repeat(np.arange(1, 4), WEEKS)
    weekly = np.where(years >= 2, 1000.0, 0.0)
    out = cumulative_discounted(weekly, years, 0.035, first_year=2)
    assert out.tolist() == pytest.approx([0.0, 52_000.0, 52_000.0 + 52_000.0 / 1.035])


@pytest.mark.parametrize(
    ("avoided", "invested", "first_year", "expected"),
    [
        ([0, 5, 10, 20], [10, 10, 10, 10], 1, 3.0),  # reaches it exactly in year 3
        ([0, 5, 9, 9], [10, 10, 10, 10], 1, math.nan),  # never
        ([0, 0, 0, 0], [0, 0, 0, 0], 1, math.nan),  # nothing invested
        ([5, 5, 5, 5], [0, 0, 5, 5], 1, 3.0),  # not before money is spent
        ([9, 9, 9, 9], [1, 1, 1, 1], 3, 3.0),  # not before the first investment year
        ([0, 12, 9, 14], [10, 10, 10, 10], 1, 2.0),  # the first year it is reached
    ],
)
def test_payback_year(avoided, invested, first_year, expected):
    got = float(payback_year(np.array(avoided, float), np.array(invested, float), first_year))
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def synthetic_pairs(saving_per_week, years=4, invest_per_week=2000.0, invest_years=1):
    """Baseline cost £10,000 a week; the scenario saves ``saving_per_week`` from year 2."""
    year = np.repeat(np.arange(1, years + 1), WEEKS)
    pairs = len(saving_per_week)
    base = np.full((pairs, year.size), 10_000.0)
    cost = base - np.outer(saving_per_week, (year >= 2).astype(float))
    spend = np.tile(np.where(year <= invest_years, invest_per_week, 0.0), (pairs, 1))
    return cost, base, spend, year


def test_payback_of_synthetic_pairs_matches_a_hand_calculation():
    # £104,000 invested in year 1; the mean pair saves £1,500 a week (£78,000 a year)
    # from year 2. Undiscounted it pays back in year 3 (£156,000 >= £104,000).
    cost, base, spend, year = synthetic_pairs([1000.0, 2000.0])
    result = payback(cost, base, spend, year, rate=0.0)
    assert result.year == 3.0 and result.covered_at_end
    assert result.statement() == "pays back in year 3"
    assert result.investment_mean.tolist() == [104_000.0] * 4
    assert result.avoided_mean.tolist() == [0.0, 78_000.0, 156_000.0, 234_000.0]
    assert result.pairs_paid_back == 2
    # With discounting: year 2 is worth 1/1.035, year 3 1/1.035**2.
    discounted = payback(cost, base, spend, year, rate=0.035)
    expected = np.cumsum(
        78_000.0 * np.array([0, 1, 1, 1]) * discount_factors(np.arange(1, 5), 0.035)
    )
    assert discounted.avoided_mean == pytest.approx(expected)
    assert discounted.year == 3.0


def test_payback_that_never_comes_is_said_so_with_the_horizon():
    cost, base, spend, year = synthetic_pairs([100.0, 200.0], years=5)
    result = payback(cost, base, spend, year, rate=0.035)
    assert math.isnan(result.year)
    assert result.statement() == "does not pay back within 5 years"
    assert result.pairs_paid_back == 0


def test_payback_counts_the_pairs_ahead_at_the_end():
    # One pair saves £156,000 a year from year 2 (ahead from year 2), the other nothing;
    # the mean saves £78,000 a year and covers the £104,000 in year 3.
    cost, base, spend, year = synthetic_pairs([3000.0, 0.0])
    result = payback(cost, base, spend, year, rate=0.0)
    assert result.pairs_paid_back == 1
    assert result.year == 3.0
    assert result.avoided.low[-1] < result.avoided_mean[-1] < result.avoided.high[-1]


def test_payback_that_falls_behind_again_says_so():
    year = np.repeat(np.arange(1, 4), WEEKS)
    base = np.full((1, year.size), 10_000.0)
    cost = base.copy()
    cost[0, year == 2] -= 3000.0  # saves in year 2...
    cost[0, year == 3] += 3000.0  # ...and loses it again in year 3
    spend = np.where(year == 1, 1000.0, 0.0)[None, :]
    result = payback(cost, base, spend, year, rate=0.0)
    assert result.year == 2.0 and not result.covered_at_end
    assert result.statement() == "pays back in year 2, behind again by year 3"


# --------------------------------------------------------------------------------------
# Wards
# --------------------------------------------------------------------------------------


def test_ward_effect_per_thousand_adults_a_year_from_the_first_year():
    # Two pairs, two wards, three years. Ward 0 (2,000 adults) saves £2,000 a year in
    # years 2-3 in pair 1 and £4,000 in pair 2; ward 1 (500 adults) has 1 more lonely
    # person-year each year.
    baseline = np.zeros((2, 2, 3))
    scenario = np.zeros((2, 2, 3))
    scenario[0, 0, 1:] = -2000.0
    scenario[1, 0, 1:] = -4000.0
    scenario[:, 1, :] = 1.0
    adults = np.zeros((2, 2, 3))
    adults[:, 0] = 2000.0
    adults[:, 1] = 500.0
    effect = ward_effect(scenario, baseline, adults, from_year=2)
    assert effect.tolist() == [[-1000.0, 2.0], [-2000.0, 2.0]]
    # From year 1 the saving is spread over three years.
    assert ward_effect(scenario, baseline, adults, 1)[0].tolist() == pytest.approx(
        [-2000.0 * 2 / 3 / 2, 2.0]
    )


def test_ward_effect_of_a_ward_with_no_years_is_missing():
    values = np.full((1, 1, 2), np.nan)
    assert np.isnan(ward_effect(values, values, np.ones((1, 1, 2)), 1)).all()
    with pytest.raises(ValueError, match="1-based"):
        ward_effect(values, values, values, 0)


# --------------------------------------------------------------------------------------
# Metrics and groups
# --------------------------------------------------------------------------------------


def test_metrics_by_name_or_short_name_without_repeats():
    chosen = series.resolve_metrics(["gp", "lonely", "gp_appointments", "ae"])
    assert [m.column for m in chosen] == ["gp_appointments", "lonely_share", "ae_attendances"]
    everything = series.resolve_metrics([])
    assert [m.column for m in everything][:5] == [m.column for m in series.SERVICE_METRICS]
    assert len(everything) == 10


def test_an_unknown_metric_is_a_usage_error_with_a_suggestion():
    with pytest.raises(ThrivingError, match="did you mean 'social_care'") as caught:
        series.resolve_metrics(["socal_care"])
    assert caught.value.exit_code == 2


def results(runs, design="none", labels=None):
    source = Source(
        path=Path("."),
        kind="sweep",
        name="test",
        design="sampled" if design == "sample" else "grid",
        baseline="baseline",
        labels=tuple(labels or ["baseline", "grants", "teams"]),
        by_point=design == "grid",
    )
    return Results((source,), runs)


def test_groups_are_one_per_scenario_baseline_first():
    runs = [
        run("g1", 1, "grants", "b1"),
        run("b1", 1),
        run("t1", 1, "teams", "b1"),
        run("b2", 2),
        run("g2", 2, "grants", "b2"),
    ]
    grouping = group_runs(results(runs))
    assert [g.label for g in grouping.groups] == ["Baseline", "Grants", "Teams"]
    assert [g.rows.tolist() for g in grouping.groups] == [[1, 3], [0, 4], [2]]
    assert grouping.baselines[0].is_baseline and grouping.note == ""


def test_grid_points_are_groups_of_their_own_labelled_with_their_values():
    path = "investments.community_grants.budget_per_year"
    runs = [run("b1", 1)]
    for budget in (100_000, 200_000):
        runs.append(run(f"g{budget}", 1, "grants", "b1", {path: budget}))
    grouping = group_runs(results(runs, "grid"))
    labels = [g.label for g in grouping.groups]
    assert labels == [
        "Baseline",
        "Grants, budget per year £100,000",
        "Grants, budget per year £200,000",
    ]


def test_a_grid_with_too_many_points_draws_only_the_first_and_says_so():
    path = "investments.community_grants.budget_per_year"
    runs = [run("b1", 1)]
    for budget in range(1, 10):
        runs.append(run(f"g{budget}", 1, "grants", "b1", {path: budget * 1000}))
    grouping = group_runs(results(runs, "grid"), max_groups=7)
    assert [g.label for g in grouping.groups] == ["Baseline", "Grants, budget per year £1,000"]
    assert grouping.note == "first grid point only (budget per year £1,000)"


def test_a_sampled_design_pools_every_point_of_a_scenario():
    path = "loneliness.contagion_strength"
    runs = []
    for i, value in enumerate((0.1, 0.5, 0.9)):
        runs.append(run(f"b{i}", 1, point={path: value}))
        runs.append(run(f"g{i}", 1, "grants", f"b{i}", {path: value}))
    grouping = group_runs(results(runs, "sample"))
    assert [g.label for g in grouping.groups] == ["Baseline", "Grants"]
    assert [len(g.rows) for g in grouping.groups] == [3, 3]
    assert grouping.note == "each band pools all 3 sampled parameter points"


# --------------------------------------------------------------------------------------
# Reading a results folder
# --------------------------------------------------------------------------------------


def write_fake_sweep(folder: Path, weeks=(104, 104, 52)) -> list[str]:
    """A sweep folder by hand: a baseline run and two paired runs with known series.

    Run ``i`` has ``gp_appointments`` = 100 * i + week and each ward's
    ``service_cost_gbp`` = ward number + 1 each week; the third run is shorter.
    """
    runs = folder / "runs"
    runs.mkdir(parents=True)
    ids = ["base", "grants", "teams"]
    entries = []
    for i, (run_id, n) in enumerate(zip(ids, weeks, strict=True)):
        week = np.arange(1, n + 1)
        year = (week - 1) // WEEKS + 1
        frame = pd.DataFrame(
            {
                "week": week,
                "year": year,
                "gp_appointments": 100.0 * i + week,
                "investment_spend_gbp": np.where(year == 1, 50.0, 0.0) * (i > 0),
            }
        )
        atomic_write_parquet(runs / f"{run_id}.parquet", frame)
        wards = pd.DataFrame(
            {
                "week": np.repeat(week, 2),
                "year": np.repeat(year, 2),
                "ward": np.tile(["B ward", "A ward"], n),
                "population": np.tile([1000.0, 3000.0], n),
                "service_cost_gbp": np.tile([2.0, 1.0], n),
            }
        )
        atomic_write_parquet(runs / f"{run_id}.wards.parquet", wards)
        record = {
            "run_id": run_id,
            "status": "done",
            "scenario": "baseline" if i == 0 else run_id,
            "seed": 5,
            "replicate": 0,
            "point": {},
            "is_baseline": i == 0,
            "baseline_run_id": None if i == 0 else "base",
            "summary": {"years": int(year.max()), "price_year": "2023/24", "discount_rate": 0.035},
        }
        atomic_write_json(runs / f"{run_id}.json", record)
        entries.append({"run_id": run_id, "scenario": record["scenario"], "status": "done"})
    manifest = {
        "format": "thriving-sweep/1",
        "experiment": {"baseline": "baseline", "labels": ["baseline", "grants", "teams"]},
        "varied": [],
        "runs": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return ids


def test_a_sweep_folder_is_read_run_by_run_padding_shorter_runs(tmp_path):
    ids = write_fake_sweep(tmp_path / "sweep")
    data = open_results(tmp_path / "sweep")
    assert data.kind == "sweep" and data.baseline == "baseline" and data.run_ids == ids
    assert data.summary_value("price_year") == "2023/24"
    weekly = data.weekly(["gp_appointments", "investment_spend_gbp"])
    gp = weekly.values["gp_appointments"]
    assert gp.shape == (3, 104)
    assert weekly.weeks.tolist() == list(range(1, 105))
    assert gp[1, :3].tolist() == [101.0, 102.0, 103.0]
    assert np.isnan(gp[2, 52:]).all() and gp[2, 51] == 252.0
    assert funded_spans(weekly.values["investment_spend_gbp"], weekly.weeks) == [(1, 52)]


def test_ward_series_become_yearly_totals_in_the_ward_tables_order(tmp_path):
    write_fake_sweep(tmp_path / "sweep")
    data = open_results(tmp_path / "sweep")
    wards = data.ward_years(["service_cost_gbp"], ["A ward", "B ward"])
    cost = wards.values["service_cost_gbp"]
    assert cost.shape == (3, 2, 2)
    assert cost[0].tolist() == [[52.0, 52.0], [104.0, 104.0]]
    assert np.isnan(cost[2, :, 1]).all()  # the short run has no year 2
    assert wards.values["population"][0, :, 0].tolist() == [3000.0, 1000.0]  # yearly mean
    with pytest.raises(ThrivingError, match="not in the ward table"):
        data.ward_years(["service_cost_gbp"], ["A ward"])


def test_folders_that_cannot_be_plotted_are_refused_plainly(tmp_path):
    with pytest.raises(ThrivingError, match="is not a folder"):
        open_results(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ThrivingError, match="is not a results folder"):
        open_results(tmp_path / "empty")
    write_fake_sweep(tmp_path / "unfinished")
    for record in (tmp_path / "unfinished" / "runs").glob("*.json"):
        record.unlink()
    with pytest.raises(ThrivingError, match="no finished runs to plot"):
        open_results(tmp_path / "unfinished")
