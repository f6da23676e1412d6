"""``thriving compare`` through the command line: the files it writes and its refusals.

Scenario files are small (1,500 residents, 3 years after a 1-year burn-in). Two
comparisons of scenario files, run on the fly (2 paired seeds, and 1), are shared by
the tests (module fixtures); their folders are then compared together, as results
folders made from different scenario files. Single-run folders (``thriving run``) that
differ in horizon or population test the refusal.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from thriving.analysis.comparison import COLUMNS, COST_BENEFIT, OUTCOMES
from thriving.cli.main import cli
from thriving.config.experiment import replicate_seeds

REPO = Path(__file__).resolve().parents[2]

BASELINE = """\
name: baseline
population: {residents: 1500}
horizon: {years: 3, burn_in_years: 1}
"""
SOCIAL_PRESCRIBING = """\
extends: baseline.yaml
name: social_prescribing
investments:
  - lever: social_prescribing
    budget_per_year: 200000
    start_year: 1
    end_year: 2
    wards: all
"""
GRANTS = """\
extends: baseline.yaml
name: community_grants
investments:
  - lever: community_grants
    budget_per_year: 150000
    start_year: 1
    end_year: 3
    wards: {most_deprived: 5}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    paths = {}
    for name, text in (("baseline", BASELINE), ("sp", SOCIAL_PRESCRIBING), ("grants", GRANTS)):
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(text)
    return paths


def invoke(*args: object) -> object:
    return CliRunner().invoke(cli, ["compare", *map(str, args)])


@pytest.fixture(scope="module")
def sp_folder(files, tmp_path_factory) -> tuple[Path, object]:
    """Social prescribing against the baseline, compared on the fly: 2 seeds, 4 runs."""
    out = tmp_path_factory.mktemp("compare") / "sp"
    result = invoke(files["baseline"], files["sp"], "--replicates", 2, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    return out, result


@pytest.fixture(scope="module")
def grants_folder(files, tmp_path_factory) -> Path:
    """Community grants against the baseline, from another scenario file: 1 seed (from 7)."""
    out = tmp_path_factory.mktemp("compare") / "grants"
    result = invoke(
        files["baseline"], files["grants"], "--replicates", 1, "--seed", 7, "--out", out
    )
    assert result.exit_code == 0, result.output + result.stderr
    return out


def rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=True)


# --------------------------------------------------------------------------------------
# Scenario files, compared on the fly
# --------------------------------------------------------------------------------------


def test_scenario_files_are_run_with_paired_seeds_and_compared(sp_folder):
    out, result = sp_folder
    summary = pd.read_csv(out / "summary.csv", dtype={"run_id": str, "baseline_run_id": str})
    assert list(summary["scenario"]) == ["baseline"] * 2 + ["social_prescribing"] * 2
    assert list(summary["seed"]) == list(replicate_seeds(2026, 2)) * 2
    assert (out / "comparison.csv").read_bytes().startswith(b"\xef\xbb\xbfscenario,")  # for Excel
    table = rows(out / "comparison.csv")
    assert list(table.columns) == ["scenario", *COLUMNS]
    assert list(table["metric"]) == [*OUTCOMES, *COST_BENEFIT]
    assert set(table["scenario"]) == {"social_prescribing"} and set(table["n_pairs"]) == {2}
    # Recomputed from summary.csv: GP appointments and net benefit (funded from year 1).
    base = summary[summary["is_baseline"]].set_index("run_id")
    scen = summary[~summary["is_baseline"]]
    b = base.loc[scen["baseline_run_id"]]
    by_metric = table.set_index("metric")
    gp = scen["gp_appointments_total"].to_numpy() - b["gp_appointments_total"].to_numpy()
    assert by_metric.loc["gp_appointments_total", "mean_difference"] == pytest.approx(gp.mean())
    net = (
        b["service_cost_gbp_pv"].to_numpy()
        - scen["service_cost_gbp_pv"].to_numpy()
        - scen["investment_gbp_pv"].to_numpy()
    )
    assert by_metric.loc["net_benefit_gbp_pv", "mean_difference"] == pytest.approx(net.mean())
    assert by_metric.loc["probability_net_saving", "mean_difference"] == (net > 0).mean()
    # The printed table.
    text = result.output
    assert "social_prescribing against baseline: 2 pairs of runs" in text
    for words in ("GP appointments", "Lonely person-years", "Net benefit", "Benefit-cost ratio"):
        assert words in text
    assert "Payback" in text and "Probability of a net saving" in text
    assert str(out / "comparison.csv") in text


def test_the_same_comparison_again_reuses_the_runs(files, sp_folder):
    out, _ = sp_folder
    before = (out / "comparison.csv").read_bytes()
    result = invoke(files["baseline"], files["sp"], "--replicates", 2, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "4 already done" in result.stderr
    assert (out / "comparison.csv").read_bytes() == before


# --------------------------------------------------------------------------------------
# Results folders
# --------------------------------------------------------------------------------------


def test_folders_from_different_scenario_files_are_compared_together(
    sp_folder, grants_folder, tmp_path, monkeypatch
):
    out, _ = sp_folder
    monkeypatch.chdir(tmp_path)
    result = invoke(out, grants_folder, "--optimism-bias", 0.41)
    assert result.exit_code == 0, result.stderr
    # Several folders: beside them, in compare-NAMES of the folder that holds them all.
    common = Path(os.path.commonpath([out.resolve(), grants_folder.resolve()]))
    both = rows(common / f"compare-{out.name}-{grants_folder.name}" / "comparison.csv")
    assert not (tmp_path / "comparison.csv").exists()
    assert list(both["scenario"].unique()) == ["social_prescribing", "community_grants"]
    assert "social_prescribing against baseline (sp)" in result.output
    assert "community_grants against baseline (grants)" in result.output
    # Each scenario keeps its own baseline: the same rows as comparing its folder alone.
    for folder, label in ((out, "social_prescribing"), (grants_folder, "community_grants")):
        alone = invoke(folder, "--optimism-bias", 0.41)
        assert alone.exit_code == 0, alone.stderr
        mine = both[both["scenario"] == label].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, rows(folder / "comparison.csv"))
    invest = both.set_index(["scenario", "metric"]).loc[
        ("community_grants", "investment_gbp_pv"), "mean_difference"
    ]
    grants_summary = pd.read_csv(grants_folder / "summary.csv")
    spent = grants_summary.loc[~grants_summary["is_baseline"], "investment_gbp_pv"].mean()
    assert invest == pytest.approx(spent * 1.41)


def test_chosen_metrics_are_printed_and_one_folder_gets_its_comparison(sp_folder, tmp_path):
    out, _ = sp_folder
    target = tmp_path / "elsewhere"
    result = invoke(out, "--metric", "deaths_total", "--metric", "gp_cost_gbp_pv", "--out", target)
    assert result.exit_code == 0, result.stderr
    assert "Deaths" in result.output and "GP appointments cost" in result.output
    assert "Home-care hours" not in result.output
    assert (target / "comparison.csv").exists()


@pytest.fixture(scope="module")
def single_runs(tmp_path_factory) -> dict[str, Path]:
    """thriving run folders: the baseline and social prescribing, seed 1; variants."""
    folder = tmp_path_factory.mktemp("runs")
    runner = CliRunner()
    base = REPO / "scenarios" / "baseline.yaml"
    sp = REPO / "scenarios" / "social_prescribing.yaml"
    made = {}
    small = [
        "--set",
        "horizon.burn_in_years=1",
        "--set",
        "investments.social_prescribing.end_year=3",
    ]
    for name, scenario, extra in (
        (
            "base",
            base,
            ["--population", "1500", "--years", "3", "--set", "horizon.burn_in_years=1"],
        ),
        ("sp_4_years", sp, ["--population", "1500", "--years", "4", *small]),
        ("sp_2000", sp, ["--population", "2000", "--years", "3", *small]),
        ("sp_seed_7", sp, ["--population", "300", "--years", "3", "--seed", "7", *small]),
    ):
        made[name] = folder / name
        result = runner.invoke(cli, ["run", str(scenario), *extra, "--out", str(made[name])])
        assert result.exit_code == 0, result.output
    return made


def test_a_different_horizon_is_refused_and_accepted_with_force(single_runs, tmp_path):
    base, other = single_runs["base"], single_runs["sp_4_years"]
    out = tmp_path / "forced"
    refused = invoke(base, other, "--out", out)
    assert refused.exit_code == 1
    message = refused.stderr.strip()
    assert message == (
        f"{other} was run for 4 years but {base} for 3 years; they cannot be compared; "
        "run them with the same horizon, or give --force to compare anyway"
    )
    assert "Traceback" not in refused.output + refused.stderr
    assert not (out / "comparison.csv").exists()
    forced = invoke(base, other, "--out", out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (
        f"Note: Compared anyway (--force): {other} was run for 4 years but {base} for 3 years\n"
        in forced.output
    )
    table = rows(out / "comparison.csv")
    assert set(table["scenario"]) == {"social_prescribing"} and set(table["n_pairs"]) == {1}
    assert table["ci_low"].isna().all()  # one pair: no interval
    gp = table.set_index("metric").loc["gp_appointments_total"]
    base_total = pd.read_json(base / "summary.json", typ="series")["gp_appointments_total"]
    other_total = pd.read_json(other / "summary.json", typ="series")["gp_appointments_total"]
    assert gp["mean_difference"] == pytest.approx(other_total - base_total)
    assert math.isnan(gp["ci_high"])


def test_a_different_population_is_refused(single_runs, tmp_path):
    base, other = single_runs["base"], single_runs["sp_2000"]
    refused = invoke(base, other, "--out", tmp_path)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"{other} simulated 2,000 residents but {base} 1,500 residents; they cannot be "
        "compared; run them with the same population (--population), or give --force to "
        "compare anyway"
    )
    assert not (tmp_path / "comparison.csv").exists()


def test_a_single_run_without_a_baseline_of_its_seed_is_refused(single_runs, tmp_path):
    refused = invoke(single_runs["base"], single_runs["sp_seed_7"], "--out", tmp_path)
    assert refused.exit_code == 1
    assert "(seed 7) has no baseline run with the same seed" in refused.stderr
    assert "--seed 7" in refused.stderr


# --------------------------------------------------------------------------------------
# Usage errors (exit code 2)
# --------------------------------------------------------------------------------------


def test_usage_errors(files, sp_folder, tmp_path):
    out, _ = sp_folder
    cases = [
        ((out, files["sp"]), "not both"),
        ((out, "--replicates", 3), "are for scenario files"),
        ((out, "--population", 2000), "are for scenario files"),
        ((out, "--metric", "happiness"), "'happiness' is not an outcome"),
        ((files["baseline"],), "at least two scenario files"),
        ((REPO / "experiments" / "quickstart.yaml", files["sp"]), "is an experiment file"),
        ((tmp_path / "missing",), "does not exist"),
    ]
    for args, words in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_one_pair_of_single_runs_gives_no_probability_and_says_so(tmp_path, monkeypatch):
    # Issue 15.2: one pair printed "Probability of a net saving 100 %" and an empty
    # interval with no word, and wrote comparison.csv wherever the analyst stood.
    runner = CliRunner()
    settings = ["--population", "1500", "--years", "3", "--set", "horizon.burn_in_years=1"]
    made = {}
    for name, scenario in (("baseline-seed1", "baseline"), ("sp-seed1", "social_prescribing")):
        made[name] = tmp_path / "results" / name
        args = ["run", str(REPO / "scenarios" / f"{scenario}.yaml"), *settings]
        result = runner.invoke(cli, [*args, "--out", str(made[name])])
        assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke(made["baseline-seed1"], made["sp-seed1"])
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.output.splitlines() if "Probability of a net saving" in x)
    assert line.split() == ["Probability", "of", "a", "net", "saving", "-", "-"]
    assert "one pair of runs gives no interval and no probability" in result.output
    assert "--replicates 10" in result.output
    written = tmp_path / "results" / "compare-baseline-seed1-sp-seed1" / "comparison.csv"
    table = rows(written).set_index("metric")
    assert np.isnan(table.loc["probability_net_saving", "mean_difference"])
    assert list(elsewhere.iterdir()) == []
