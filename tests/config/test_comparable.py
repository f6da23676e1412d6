"""A scenario differs from its baseline only in its investments (config.comparable).

Issue 14 point 3: an experiment whose scenario had another horizon, burn-in or ward table
than its baseline was accepted, and summary.csv showed a benefit-cost ratio of 813.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from thriving.cli import cli
from thriving.config.comparable import comparability_message, differences_from_baseline
from thriving.config.schema import Scenario
from thriving.config.wards import packaged_ward_table_path

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
SOCIAL_PRESCRIBING = REPO / "scenarios" / "social_prescribing.yaml"


def test_investments_name_and_description_may_differ():
    base = Scenario(name="b", description="x")
    other = Scenario(
        name="s",
        description="y",
        investments=[{"lever": "community_grants", "budget_per_year": 1e5}],
    )
    assert differences_from_baseline(base, other) == []


@pytest.mark.parametrize(
    ("section", "value", "path"),
    [
        ("horizon", {"years": 8}, "horizon.years"),
        ("horizon", {"burn_in_years": 1}, "horizon.burn_in_years"),
        ("population", {"residents": 9_000}, "population.residents"),
        ("loneliness", {"threshold": 2.5}, "loneliness.threshold"),
    ],
)
def test_any_other_setting_is_a_difference(section, value, path):
    base = Scenario(name="b")
    other = Scenario(name="s", **{section: value})
    differences = differences_from_baseline(base, other)
    assert [d[0] for d in differences] == [path]
    assert path in comparability_message(differences)


def test_two_ward_files_with_the_same_contents_are_one_table(tmp_path):
    copy = tmp_path / "wards.csv"
    shutil.copy(packaged_ward_table_path(), copy)
    base = Scenario(name="b", population={"wards_file": str(packaged_ward_table_path())})
    same = Scenario(name="s", population={"wards_file": str(copy)})
    assert differences_from_baseline(base, same) == []
    copy.write_text(copy.read_text(encoding="utf-8").replace("Coldhurst", "Coldhurst X"))
    assert [d[0] for d in differences_from_baseline(base, same)] == ["population.wards_file"]


def _experiment(folder: Path, scenario_text: str) -> Path:
    (folder / "mine.yaml").write_text(
        f"extends: {SOCIAL_PRESCRIBING}\nname: mine\n{scenario_text}", encoding="utf-8"
    )
    path = folder / "experiment.yaml"
    path.write_text(
        f"name: e\nbaseline: {BASELINE}\nscenarios: [mine.yaml]\nreplicates: 2\nseed: 1\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("scenario_text", "fragment"),
    [
        ("horizon:\n  years: 8\n", "horizon.years is 8 here and 10 in the baseline"),
        ("horizon:\n  burn_in_years: 1\n", "horizon.burn_in_years is 1 here"),
        ("population:\n  residents: 20000\n", "population.residents is 20000 here"),
    ],
)
def test_an_experiment_with_an_incomparable_scenario_is_refused(
    runner, tmp_path, scenario_text, fragment
):
    path = _experiment(tmp_path, scenario_text)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith(f"{path}:3: scenarios[0]: cannot be compared with its baseline")
    assert fragment in line
    result = runner.invoke(cli, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


def test_the_shipped_experiments_are_comparable(runner):
    for path in sorted((REPO / "experiments").glob("*.yaml")):
        result = runner.invoke(cli, ["validate", str(path)])
        assert result.exit_code == 0, result.output
