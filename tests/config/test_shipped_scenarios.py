"""The shipped scenario files and the shipped ward table are valid and say what they claim."""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from thriving.cli.main import cli
from thriving.config.scenario import load_scenario
from thriving.config.schema import LEVERS, Scenario

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))
SCHEMA_MODELINE = "# yaml-language-server: $schema=../docs/scenario.schema.json"

# One scenario per investment lever (closures live in austerity.yaml).
LEVER_SCENARIOS = {lever: f"{lever}.yaml" for lever in LEVERS if lever != "closures"}

# The 20 Oldham wards in use 2006-2024 (Oldham Council election results).
OLDHAM_WARDS = {
    "Alexandra", "Chadderton Central", "Chadderton North", "Chadderton South", "Coldhurst",
    "Crompton", "Failsworth East", "Failsworth West", "Hollinwood", "Medlock Vale",
    "Royton North", "Royton South", "Saddleworth North", "Saddleworth South",
    "Saddleworth West & Lees", "Shaw", "St James'", "St Mary's", "Waterhead", "Werneth",
}  # fmt: skip

# Ward populations with a published estimate (ONS ward estimates via JRF Insight, Open
# Innovations; Oldham Council, Ward Profile 2018).
SOURCED_POPULATIONS = {
    "Alexandra": 15_090, "Chadderton Central": 11_116, "Chadderton North": 11_415,
    "Chadderton South": 11_456, "Coldhurst": 13_404, "Crompton": 10_192,
    "Failsworth East": 10_205, "Failsworth West": 10_447, "Hollinwood": 12_515,
    "Medlock Vale": 14_402, "Royton North": 9_781, "Saddleworth West & Lees": 11_064,
}  # fmt: skip
ADULT_SHARE = 0.76


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def load(path: Path) -> Scenario:
    return load_scenario(path)


def ward_table() -> list[dict[str, Any]]:
    text = importlib.resources.files("thriving").joinpath("data/oldham_wards.csv")
    rows = list(csv.DictReader(text.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        row["adults"] = int(row["adults"])
        for col in ("deprivation", "share_65_plus", "share_living_alone"):
            row[col] = float(row[col])
    return rows


def most_deprived(n: int) -> list[str]:
    rows = sorted(ward_table(), key=lambda r: r["deprivation"], reverse=True)
    return [r["ward"] for r in rows[:n]]


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return {path.stem: load(path) for path in SCENARIO_FILES}


# --------------------------------------------------------------------------------------
# Every shipped scenario
# --------------------------------------------------------------------------------------


def test_the_expected_scenarios_are_shipped():
    names = {p.name for p in SCENARIO_FILES}
    expected = {"baseline.yaml", "thriving_communities.yaml", "austerity.yaml"}
    assert expected | set(LEVER_SCENARIOS.values()) <= names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_is_valid(path: Path):
    scenario = load(path)
    assert scenario.name == path.stem
    assert scenario.description.strip()


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_starts_with_schema_modeline_and_comments(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SCHEMA_MODELINE
    assert sum(line.startswith("#") for line in lines[1:10]) >= 5, "explain it for analysts"


@pytest.mark.parametrize("path", [p for p in SCENARIO_FILES if p.name != "baseline.yaml"],
                         ids=lambda p: p.name)  # fmt: skip
def test_scenario_extends_baseline(path: Path):
    """Every scenario builds on the baseline, directly or through another scenario."""
    seen = []
    while path.name != "baseline.yaml":
        assert path.name not in seen, f"extends cycle: {seen}"
        seen.append(path.name)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "extends" in raw, f"{path.name} does not extend the baseline"
        path = path.parent / raw["extends"]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_targeted_wards_exist(path: Path):
    wards = {row["ward"] for row in ward_table()}
    for inv in load(path).investments:
        if isinstance(inv.wards, list):
            assert set(inv.wards) <= wards
        elif inv.wards != "all":
            assert 1 <= inv.wards.most_deprived <= len(wards)


# --------------------------------------------------------------------------------------
# What each scenario claims
# --------------------------------------------------------------------------------------


def test_baseline_is_the_default_model_with_oldham_scale(scenarios):
    base = scenarios["baseline"]
    assert base.investments == []
    assert base.population.residents == 185_000
    assert (base.horizon.years, base.horizon.burn_in_years) == (10, 2)
    defaults = Scenario(name="baseline").model_dump(exclude={"name", "description"})
    assert base.model_dump(exclude={"name", "description"}) == defaults


def test_baseline_shows_how_to_use_your_own_ward_table():
    text = (SCENARIOS_DIR / "baseline.yaml").read_text(encoding="utf-8")
    assert "# wards_file:" in text


@pytest.mark.parametrize("lever,filename", sorted(LEVER_SCENARIOS.items()))
def test_lever_scenario_funds_only_its_lever(scenarios, lever, filename):
    scenario = scenarios[Path(filename).stem]
    assert [inv.lever for inv in scenario.investments] == [lever]
    inv = scenario.investments[0]
    assert 50_000 <= inv.budget_per_year <= 1_000_000, "a realistic council budget"
    assert (inv.start_year, inv.end_year) == (1, 3)
    # only the investment differs from the baseline
    rest = {"name", "description", "investments"}
    assert scenario.model_dump(exclude=rest) == scenarios["baseline"].model_dump(exclude=rest)


def test_thriving_communities_costs_about_2_69m_over_three_years(scenarios):
    scenario = scenarios["thriving_communities"]
    assert len({inv.lever for inv in scenario.investments}) >= 3
    total = sum(
        inv.budget_per_year * (inv.end_year - inv.start_year + 1) for inv in scenario.investments
    )
    assert total == pytest.approx(2_690_000, rel=0.01)
    assert all((inv.start_year, inv.end_year) == (1, 3) for inv in scenario.investments)


def test_austerity_closes_groups_in_deprived_wards_from_year_2(scenarios):
    scenario = scenarios["austerity"]
    (inv,) = scenario.investments
    assert inv.lever == "closures"
    assert inv.start_year == 2
    assert inv.end_year == scenario.horizon.years
    assert inv.budget_per_year > 0
    assert inv.wards != "all"


def test_grants_go_to_the_five_most_deprived_wards(scenarios):
    (inv,) = scenarios["community_grants"].investments
    assert inv.wards.most_deprived == 5
    assert set(most_deprived(5)) == {"St Mary's", "Coldhurst", "Alexandra", "Werneth",
                                     "Hollinwood"}  # fmt: skip


def test_validate_command_accepts_every_shipped_scenario(runner):
    result = runner.invoke(cli, ["validate", *map(str, SCENARIO_FILES)])
    assert result.exit_code == 0, result.output
    for path in SCENARIO_FILES:
        assert f"OK  {path}" in result.output


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_show_resolves_every_shipped_scenario(runner, path: Path):
    result = runner.invoke(cli, ["show", str(path)])
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.output)
    assert Scenario.model_validate(shown) == load(path)


# --------------------------------------------------------------------------------------
# The shipped ward table
# --------------------------------------------------------------------------------------


def test_ward_table_has_the_20_oldham_wards():
    rows = ward_table()
    assert [r["ward"] for r in rows] == sorted(OLDHAM_WARDS)


def test_ward_table_totals_about_185000_adults():
    assert sum(r["adults"] for r in ward_table()) == pytest.approx(185_000, rel=0.01)


@pytest.mark.parametrize("ward,population", sorted(SOURCED_POPULATIONS.items()))
def test_sourced_ward_adults_are_population_times_adult_share(ward, population):
    (row,) = [r for r in ward_table() if r["ward"] == ward]
    assert row["adults"] == round(population * ADULT_SHARE)
    assert row["source"].startswith("population: ")
    assert "x 0.76 adult share" in row["source"]


def test_every_row_says_what_is_sourced_and_what_is_illustrative():
    for row in ward_table():
        assert "illustrative" in row["source"]
        if row["ward"] not in SOURCED_POPULATIONS:
            assert row["source"].startswith("population: illustrative")


def test_ward_shares_are_plausible():
    rows = ward_table()
    adults = sum(r["adults"] for r in rows)
    mean_65 = sum(r["adults"] * r["share_65_plus"] for r in rows) / adults
    mean_alone = sum(r["adults"] * r["share_living_alone"] for r in rows) / adults
    assert 0.19 <= mean_65 <= 0.22  # 16 % of all residents (Census 2021) / 0.76
    assert 0.15 <= mean_alone <= 0.19
    for r in rows:
        assert 0 <= r["deprivation"] <= 1
        assert 0.10 <= r["share_65_plus"] <= 0.35
        assert 0.10 <= r["share_living_alone"] <= 0.25


def test_deprivation_follows_oldham_ward_reports():
    order = most_deprived(20)
    assert set(order[:3]) == {"St Mary's", "Coldhurst", "Alexandra"}
    assert set(order[3:7]) == {"Werneth", "Hollinwood", "Medlock Vale", "St James'"}
    assert set(order[-3:]) == {"Crompton", "Saddleworth North", "Saddleworth South"}
    share_65 = {r["ward"]: r["share_65_plus"] for r in ward_table()}
    assert max(share_65[w] for w in order[:3]) < min(share_65[w] for w in order[-3:])
