"""Before and after referral against the counterfactual: tracking, pairing, the analysis, the CLI.

The tracker is checked against the model's own weekly arrays, recomputed here by other
means; the follow-up of referred residents against a plain loop over the referrals; and
the analysis of a small real sweep (baseline, generous social prescribing, community
grants; 2,000 residents, 3 years after a year of burn-in) against a recomputation from
its Parquet files.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from thriving.analysis.before_after import (
    MEASURES,
    MEASURES_FILE,
    QUARTERS_FILE,
    RELATIVE_QUARTERS,
    WINDOWS,
    analyse_before_after,
    follow_referred,
    write_before_after,
)
from thriving.cli.main import cli
from thriving.config.errors import ThrivingError
from thriving.config.experiment import load_experiment
from thriving.config.runspec import run_id
from thriving.config.schema import Scenario
from thriving.runs.store import ResultsFolder
from thriving.sim import agents, services
from thriving.sim.cohort import (
    HUNDREDTHS,
    QUARTER_WEEKS,
    THERE_FROM_THE_START,
    GPQuarters,
    appointments_had,
    quarter_name,
)
from thriving.sim.model import NeighbourhoodModel

REPO = Path(__file__).resolve().parents[2]
PER_YEAR = 52 / QUARTER_WEEKS


def sp_scenario(residents: int, years: int, budget: float = 3e6, **extra) -> Scenario:
    """Social prescribing from year 1 with a budget that refers many of the residents."""
    investments = [
        {
            "lever": "social_prescribing",
            "budget_per_year": budget,
            "start_year": 1,
            "end_year": years,
            "wards": "all",
        }
    ]
    return Scenario(
        name="sp",
        population={"residents": residents},
        horizon={"years": years, "burn_in_years": 1},
        investments=investments,
        **extra,
    )


def run_tracked(scenario: Scenario, seed: int, monkeypatch) -> tuple:
    """Run week by week; capture each week's GP demand, deliveries and slot holders."""
    wanted: list[np.ndarray] = []
    delivered: list[np.ndarray] = []
    real_demand = services.weekly_demand
    real_serve = agents.Service.serve_week

    def demand(*args, **kwargs):
        result = real_demand(*args, **kwargs)
        wanted.append(result.gp.copy())
        return result

    def serve(self, ward_demand):
        out = real_serve(self, ward_demand)
        if self.name == "gp":
            delivered.append(np.array(out, dtype=float))
        return out

    monkeypatch.setattr(services, "weekly_demand", demand)
    monkeypatch.setattr(agents.Service, "serve_week", serve)
    model = NeighbourhoodModel(scenario, seed, track_gp_use=True)
    # Who holds each slot as each week begins (after the last week's deaths and moves).
    holders = [model.pop.entered_week.copy()]
    while model.week < scenario.weeks:
        model.step()
        holders.append(model.pop.entered_week.copy())
    result = model.recorder.result()
    return model, model.gp_use.table(), result, np.array(wanted), np.array(delivered), holders


# --------------------------------------------------------------------------------------
# The tracker
# --------------------------------------------------------------------------------------


def test_with_room_at_the_practices_the_counts_are_the_weekly_demand_by_quarter(monkeypatch):
    scenario = sp_scenario(800, 1, services={"gp": {"capacity_per_1000_per_week": 10_000}})
    model, table, _, wanted, _, holders = run_tracked(scenario, 3, monkeypatch)
    burn_in = scenario.burn_in_weeks
    assert len(wanted) == scenario.weeks
    first = burn_in - 52  # tracking starts a year before the end of burn-in
    quarters = (scenario.weeks - first) // QUARTER_WEEKS
    assert quarters == 8
    for q in range(quarters):
        weeks = slice(first + q * QUARTER_WEEKS, first + (q + 1) * QUARTER_WEEKS)
        expected = wanted[weeks].sum(axis=0)
        name = quarter_name(q - 3)
        assert np.array_equal(table[f"gp_{name}"].to_numpy(), expected), name
    assert table["gp_y1q1"].sum() > 0

    # Who held each slot: at the start of tracking, and at each quarter's end.
    def reported(entered):
        return np.where(entered < 0, THERE_FROM_THE_START, entered - burn_in + 1)

    back = GPQuarters.from_table(table)
    assert np.array_equal(back.moved_in[0], reported(holders[first]))
    for q in range(quarters):
        after = first + (q + 1) * QUARTER_WEEKS  # the week after the quarter's last
        assert np.array_equal(back.moved_in[q + 1], reported(holders[after])), q
    assert (back.moved_in[-1] != back.moved_in[0]).any()  # some slots changed hands


def test_when_practices_are_full_residents_share_the_appointments_delivered(monkeypatch):
    scenario = sp_scenario(1000, 1)
    model, table, result, wanted, delivered, _ = run_tracked(scenario, 5, monkeypatch)
    ward = model.pop.ward
    first = scenario.burn_in_weeks - 52
    wanted_by_ward = np.stack([np.bincount(ward, weights=w, minlength=20) for w in wanted])
    assert (delivered < wanted_by_ward - 1e-9).any(), "capacity never bound: no test"
    had = np.zeros(wanted.shape)
    for week in range(len(wanted)):
        for w in range(20):  # ward by ward, as the services serve them
            mine = ward == w
            total = wanted[week, mine].sum()
            if total > 0:
                had[week, mine] = wanted[week, mine] * delivered[week, w] / total
    ts = result.timeseries
    scale = ts["population"].iloc[0] / model.pop.size
    for q in range(8):
        weeks = slice(first + q * QUARTER_WEEKS, first + (q + 1) * QUARTER_WEEKS)
        column = table[f"gp_{quarter_name(q - 3)}"].to_numpy(np.float64)
        # Kept in hundredths of an appointment.
        assert np.abs(column - had[weeks].sum(axis=0)).max() <= 0.5 / HUNDREDTHS + 1e-4
        if q >= 4:  # after burn-in: the borough series counts the same appointments
            rows = slice((q - 4) * QUARTER_WEEKS, (q - 3) * QUARTER_WEEKS)
            series = ts["gp_appointments"].iloc[rows].sum() / scale
            assert column.sum() == pytest.approx(series, abs=model.pop.size * 0.005)


def test_appointments_had_shares_each_wards_deliveries():
    wanted = np.array([2, 0, 1, 1, 3])
    ward = np.array([0, 0, 1, 1, 2])
    had = appointments_had(wanted, ward, np.array([1.0, 2.0, 0.0, 5.0]), 4)
    assert had.tolist() == [1.0, 0.0, 1.0, 1.0, 0.0]


def test_tracking_changes_no_result():
    scenario = sp_scenario(1000, 2)
    plain = NeighbourhoodModel(scenario, 9).run()
    tracked = NeighbourhoodModel(scenario, 9, track_gp_use=True).run()
    assert plain.gp_quarters is None and tracked.gp_quarters is not None
    assert tracked.summary == plain.summary
    pd.testing.assert_frame_equal(tracked.timeseries, plain.timeseries)
    pd.testing.assert_frame_equal(tracked.by_ward, plain.by_ward)
    pd.testing.assert_frame_equal(tracked.referrals, plain.referrals)
    assert len(tracked.referrals) > 0


def write_experiment(folder: Path, scenarios: list[str], name: str = "ba") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"""name: {name}
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios: [{", ".join(scenarios)}]
replicates: 3
seed: 11
overrides:
  population.residents: 2000
  horizon.years: 3
  horizon.burn_in_years: 1
""",
        encoding="utf-8",
    )
    return path


def generous_sp(folder: Path) -> str:
    """A social prescribing scenario that refers about one resident in ten."""
    path = folder / "generous_sp.yaml"
    path.write_text(
        f"""extends: {REPO / "scenarios" / "social_prescribing.yaml"}
name: generous_sp
investments:
  - lever: social_prescribing
    budget_per_year: 3000000
    start_year: 1
    end_year: 2
    wards: all
""",
        encoding="utf-8",
    )
    return str(path)


def test_experiment_tracks_social_prescribing_runs_and_their_baselines_only(tmp_path):
    grants = str(REPO / "scenarios" / "community_grants.yaml")
    with_sp = load_experiment(write_experiment(tmp_path, [generous_sp(tmp_path), grants]))
    tracked = {s.scenario_label: set() for s in with_sp.runs()}
    for spec in with_sp.runs():
        tracked[spec.scenario_label].add(spec.track_gp_use)
        assert spec.run_id == run_id(spec.scenario, spec.seed)  # the flag is not in the id
    assert tracked == {"baseline": {True}, "generous_sp": {True}, "community_grants": {False}}
    without = load_experiment(write_experiment(tmp_path, [grants], name="no_sp"))
    assert not any(spec.track_gp_use for spec in without.runs())
    # The same runs, whether tracked or not.
    assert {s.run_id for s in without.runs()} < {s.run_id for s in with_sp.runs()}


# --------------------------------------------------------------------------------------
# Following referred residents (synthetic runs)
# --------------------------------------------------------------------------------------


def naive_follow(referrals: pd.DataFrame, s: GPQuarters, b: GPQuarters, k: int):
    """Referral by referral, in plain Python: counts and the rows followed."""
    seen = set()
    counts = {"referred": 0, "outside": 0, "left": 0, "left_baseline": 0}
    rows_s, rows_b = [], []
    for r in referrals.itertuples():
        if not r.took_up or (r.slot, r.occupant) in seen:
            continue
        seen.add((r.slot, r.occupant))
        counts["referred"] += 1
        q = (r.week - 1) // 13 + 1
        first, last = q - k - s.first_quarter, q + k - s.first_quarter
        if first < 0 or last >= s.appointments.shape[0]:
            counts["outside"] += 1
            continue
        holder = s.moved_in[first, r.slot]
        if any(s.moved_in[i, r.slot] != holder for i in range(first, last + 2)):
            counts["left"] += 1
            continue
        if any(b.moved_in[i, r.slot] != holder for i in range(first, last + 2)):
            counts["left_baseline"] += 1
            continue
        rows_s.append([4 * s.appointments[i, r.slot] for i in range(first, last + 1)])
        rows_b.append([4 * b.appointments[i, r.slot] for i in range(first, last + 1)])
    return counts, np.array(rows_s).reshape(-1, 2 * k + 1), np.array(rows_b).reshape(-1, 2 * k + 1)


def synthetic(quarters: int, slots: int, seed: int) -> tuple[GPQuarters, GPQuarters]:
    rng = np.random.default_rng(seed)
    gp = rng.integers(0, 12, (quarters, slots)).astype(float)
    moved = np.full((quarters + 1, slots), THERE_FROM_THE_START, np.int64)
    return GPQuarters(-3, gp, moved), GPQuarters(-3, gp + 1.0, moved.copy())


def test_complete_cases_only_and_each_resident_once():
    s, b = synthetic(12, 6, 1)  # quarters -3..8
    s.moved_in[6:, 1] = 40  # slot 1 changes hands at the end of quarter 2 (scenario run)
    b.moved_in[6:, 1] = 40
    b.moved_in[5:, 2] = 30  # slot 2 changes hands in the baseline run only
    referrals = pd.DataFrame(
        {
            "week": [1, 1, 14, 27, 60, 80, 100],
            "slot": [0, 5, 1, 2, 0, 3, 4],
            "occupant": [0, 0, 0, 0, 0, 0, 0],
            "took_up": [True, False, True, True, True, True, True],
        }
    )
    f = follow_referred(referrals, s, b, 4)
    # slot 0 followed (its second referral ignored); slot 5 did not take it up; slot 1
    # left; slot 2 left in the baseline run; slots 3 (quarter 7) and 4 (quarter 8) are
    # referred too late for a year after (the run ends with quarter 8).
    assert (f.referred, f.followed, f.outside_run) == (5, 1, 2)
    assert (f.died_or_moved, f.died_or_moved_baseline) == (1, 1)
    assert np.array_equal(f.with_sp[0], 4 * s.appointments[0:9, 0])
    assert np.array_equal(f.without[0], 4 * b.appointments[0:9, 0])
    m = f.measures()
    assert m["gp_before"] == pytest.approx(s.appointments[0:4, 0].mean() * 4)
    assert m["baseline_gp_after"] == pytest.approx(b.appointments[5:9, 0].mean() * 4)
    assert m["counterfactual_effect"] == pytest.approx(-4.0)  # baseline has one more a quarter
    assert m["regression_to_the_mean"] == pytest.approx(
        m["before_after_change"] - m["counterfactual_effect"]
    )
    # A quarter either side: slot 1 is followed now (it changes hands later).
    assert follow_referred(referrals, s, b, 1).followed == 2


@given(
    seed=st.integers(0, 2**32 - 1),
    slots=st.integers(1, 12),
    quarters=st.integers(5, 14),
    k=st.sampled_from([1, 2, 4]),
)
def test_follow_up_matches_a_plain_loop(seed, slots, quarters, k):
    rng = np.random.default_rng(seed)
    s, b = synthetic(quarters, slots, seed)
    # Holders only ever change to later in-movers; some changes differ between the runs.
    for moved in (s.moved_in, b.moved_in):
        moved[:] = np.maximum.accumulate(
            np.where(rng.random(moved.shape) < 0.08, rng.integers(1, 200, moved.shape), -999),
            axis=0,
        )
    same = rng.random(slots) < 0.6
    b.moved_in[:, same] = s.moved_in[:, same]
    n = int(rng.integers(0, 15))
    referrals = pd.DataFrame(
        {
            "week": np.sort(rng.integers(1, 13 * (quarters - 3) + 1, n)),
            "slot": rng.integers(0, slots, n),
            "occupant": rng.integers(0, 2, n),
            "took_up": rng.random(n) < 0.8,
        }
    )
    f = follow_referred(referrals, s, b, k)
    counts, rows_s, rows_b = naive_follow(referrals, s, b, k)
    assert f.referred == counts["referred"]
    assert f.outside_run == counts["outside"]
    assert f.died_or_moved == counts["left"]
    assert f.died_or_moved_baseline == counts["left_baseline"]
    assert np.array_equal(f.with_sp, rows_s)
    assert np.array_equal(f.without, rows_b)


# --------------------------------------------------------------------------------------
# A real sweep
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """Baseline, generous social prescribing and community grants, 3 replicates each."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("before_after")
    grants = str(REPO / "scenarios" / "community_grants.yaml")
    experiment = write_experiment(folder, [generous_sp(folder), grants])
    out = folder / "out"
    result = CliRunner().invoke(
        cli, ["sweep", str(experiment), "--workers", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_sweep_writes_referrals_and_gp_use_for_tracked_runs_only(sweep):
    folder = ResultsFolder(sweep)
    summary = pd.read_csv(folder.summary, dtype=str)
    for row in summary.itertuples():
        tracked = row.scenario in ("baseline", "generous_sp")
        assert folder.gp_quarters_file(row.run_id).exists() == tracked
        assert folder.referrals_file(row.run_id).exists() == tracked
        if tracked:
            assert folder.gp_quarters_file(row.run_id).read_bytes().endswith(b"PAR1")
    assert not list(folder.runs.glob("*.tmp"))


def recompute(sweep: Path, k: int) -> tuple[dict[str, list[float]], list[np.ndarray]]:
    """Each pair's measures and mean quarterly use, straight from the Parquet files."""
    summary = pd.read_csv(sweep / "summary.csv", dtype=str, keep_default_na=False)
    per_pair: dict[str, list[float]] = {}
    profiles = []
    for row in summary[summary["scenario"] == "generous_sp"].itertuples():
        runs = sweep / "runs"
        referrals = pd.read_parquet(runs / f"{row.run_id}.referrals.parquet")
        s = GPQuarters.from_table(pd.read_parquet(runs / f"{row.run_id}.gp_quarters.parquet"))
        b = GPQuarters.from_table(
            pd.read_parquet(runs / f"{row.baseline_run_id}.gp_quarters.parquet")
        )
        counts, rows_s, rows_b = naive_follow(referrals, s, b, k)
        values = {
            "residents_referred": counts["referred"],
            "residents_followed": len(rows_s),
            "left_out_outside_run": counts["outside"],
            "left_out_died_or_moved": counts["left"],
            "left_out_died_or_moved_baseline": counts["left_baseline"],
            "gp_before": rows_s[:, :k].mean(),
            "gp_after": rows_s[:, k + 1 :].mean(),
            "baseline_gp_before": rows_b[:, :k].mean(),
            "baseline_gp_after": rows_b[:, k + 1 :].mean(),
        }
        values["before_after_change"] = values["gp_after"] - values["gp_before"]
        values["baseline_change"] = values["baseline_gp_after"] - values["baseline_gp_before"]
        values["counterfactual_effect"] = values["gp_after"] - values["baseline_gp_after"]
        values["regression_to_the_mean"] = values["baseline_gp_after"] - values["gp_before"]
        for name, value in values.items():
            per_pair.setdefault(name, []).append(float(value))
        profiles.append(np.stack([rows_s.mean(axis=0), rows_b.mean(axis=0)]))
    return per_pair, profiles


def t_interval(values: list[float]) -> tuple[float, float, float]:
    x = np.array(values)
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return x.mean(), x.mean() - half, x.mean() + half


@pytest.fixture(scope="module")
def analysis(sweep):
    return write_before_after(sweep)


@pytest.mark.parametrize("window", list(WINDOWS))
def test_numbers_equal_an_independent_recomputation(sweep, analysis, window):
    (group,) = analysis.groups
    assert group.scenario == "generous_sp" and group.runs == 3
    per_pair, profiles = recompute(sweep, WINDOWS[window][0])
    assert min(per_pair["residents_followed"]) >= 50
    csv = pd.read_csv(sweep / MEASURES_FILE)
    for name, _, _ in MEASURES:
        mean, low, high = t_interval(per_pair[name])
        got = group.estimates[window][name]
        if low == high:  # the same in every pair: no spread
            assert got.mean == pytest.approx(mean) and got.low == pytest.approx(mean)
        else:
            assert (got.mean, got.low, got.high) == pytest.approx((mean, low, high), rel=1e-9)
        row = csv[(csv["window"] == window) & (csv["measure"] == name)]
        assert row["mean"].item() == pytest.approx(mean, abs=1e-4)
    if window == "year":
        quarters = pd.read_csv(sweep / QUARTERS_FILE)
        assert quarters["quarter_from_referral"].tolist() == list(RELATIVE_QUARTERS)
        with_sp = np.mean([p[0] for p in profiles], axis=0)
        without = np.mean([p[1] for p in profiles], axis=0)
        assert quarters["with_social_prescribing"].to_numpy() == pytest.approx(with_sp, abs=1e-4)
        assert quarters["without"].to_numpy() == pytest.approx(without, abs=1e-4)


def test_regression_to_the_mean_is_visible(analysis):
    (group,) = analysis.groups
    quarter = group.estimates["quarter"]
    # Without social prescribing, the referred residents' use falls back after the
    # quarter they were referred in: they were referred when it was unusually high.
    # (Means over the 3 runs of a fixed seed: their intervals, on 2 degrees of freedom,
    # are wide.)
    assert quarter["baseline_gp_after"].mean < quarter["baseline_gp_before"].mean - 1
    assert quarter["regression_to_the_mean"].mean < -1
    # Social prescribing lowers their use, and the before-and-after change overstates it.
    assert quarter["counterfactual_effect"].high < 0
    assert quarter["before_after_change"].mean < quarter["counterfactual_effect"].mean
    # Quarter by quarter, the baseline selves peak in the quarters GPs looked at when
    # referring (the 13 weeks before referral: the referral quarter or the one before).
    without = [e.mean for e in group.without]
    peak = RELATIVE_QUARTERS[int(np.argmax(without))]
    assert peak in (-1, 0)
    assert min(without[RELATIVE_QUARTERS.index(q)] for q in (-1, 0)) > max(
        without[RELATIVE_QUARTERS.index(q)] for q in RELATIVE_QUARTERS if q not in (-1, 0)
    )


def test_cli_writes_the_tables_and_the_picture(sweep, runner):
    result = runner.invoke(cli, ["before-after", str(sweep)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "would have happened anyway" in result.output
    assert "generous_sp (mean of 3 runs)" in result.output
    measures = pd.read_csv(sweep / MEASURES_FILE)
    assert len(measures) == len(WINDOWS) * len(MEASURES)
    assert set(measures["window"]) == set(WINDOWS)
    assert measures["unit"].notna().all() and measures["description"].notna().all()
    png = sweep / "plots" / "before_after_generous_sp.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (sweep / "plots" / "before_after_generous_sp.svg").stat().st_size > 10_000
    for path in (sweep / MEASURES_FILE, sweep / QUARTERS_FILE, png):
        assert str(path) in result.output


def test_cli_says_how_to_get_tracking_files(sweep, tmp_path, runner):
    copy = tmp_path / "old"
    shutil.copytree(sweep, copy)
    for path in (copy / "runs").glob("*.gp_quarters.parquet"):
        path.unlink()
    (copy / MEASURES_FILE).unlink(missing_ok=True)
    result = runner.invoke(cli, ["before-after", str(copy)])
    assert result.exit_code == 1
    assert "no GP-use tracking files" in result.output and "thriving sweep" in result.output
    assert "Traceback" not in result.output
    assert not (copy / MEASURES_FILE).exists()


def test_no_social_prescribing_runs_or_not_a_sweep(sweep, tmp_path, runner):
    copy = tmp_path / "baseline_only"
    shutil.copytree(sweep, copy)
    summary = pd.read_csv(copy / "summary.csv", dtype=str, keep_default_na=False)
    summary[summary["scenario"] != "generous_sp"].to_csv(copy / "summary.csv", index=False)
    with pytest.raises(ThrivingError, match="no finished social-prescribing runs"):
        analyse_before_after(copy)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["before-after", str(empty)])
    assert result.exit_code == 1
    assert "not a sweep results folder" in result.output


def test_a_sweep_that_varies_a_setting_is_analysed_point_by_point(
    tmp_path, runner, sweep_experiment
):
    # Varied settings have dotted names ("loneliness.contagion_strength"), which are
    # not Python identifiers: reading runs must not depend on them being ones.
    out = sweep_experiment(
        tmp_path,
        f"""name: varied
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios: [{generous_sp(tmp_path)}]
replicates: 1
seed: 5
overrides:
  population.residents: 1000
  horizon.years: 2
  horizon.burn_in_years: 1
vary:
  loneliness.contagion_strength: [0, 1]
""",
    )
    result = runner.invoke(cli, ["before-after", str(out)])
    assert result.exit_code == 0, result.output
    assert "generous_sp (contagion strength 0)" in result.output
    assert "generous_sp (contagion strength 1)" in result.output
    table = pd.read_csv(out / MEASURES_FILE)
    assert set(table["loneliness.contagion_strength"]) == {0, 1}
