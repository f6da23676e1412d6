"""Numbers are numbers: no true-as-1, no quoted text as a number, YAML 1.2 whole numbers.

pydantic's lax mode read ``budget_per_year: true`` as £1 and ``"2000"`` as 2,000, and
PyYAML (YAML 1.1) read ``010`` as 8 and ``yes`` as true; each silently became a wrong
number. The corpus in ``tests/bad_numbers/`` holds one file per such mistake, in scenario
and experiment files; each must be refused with ``FILE:LINE: path: message``, exit 1,
nothing written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thriving.cli import cli
from thriving.config.errors import ScenarioError
from thriving.config.scenario import load_scenario, parse_set_options
from thriving.config.schema import Scenario

HERE = Path(__file__).resolve().parents[1]  # tests/
BAD = HERE / "bad_numbers"
BASELINE = HERE.parent / "scenarios" / "baseline.yaml"

# file -> (line, field path, message fragment)
CORPUS: dict[str, tuple[int, str, str]] = {
    "budget_true.yaml": (
        4,
        "investments.social_prescribing.budget_per_year",
        "must be a number (got true); true and false are not numbers",
    ),
    "years_octal.yaml": (3, "horizon.years", "'010' starts with 0, which some YAML tools"),
    "residents_quoted.yaml": (
        3,
        "population.residents",
        "must be a whole number (got '2000'); it is in quotes, so it is text",
    ),
    "years_yes.yaml": (3, "horizon.years", "write true or false, or put it in quotes"),
    "burn_in_sexagesimal.yaml": (3, "horizon.burn_in_years", "must be a whole number (got '1:30')"),
    "grid_value_true.yaml": (
        9,
        "vary.investments.social_prescribing.budget_per_year[1]",
        "must be a number (got true)",
    ),
    "override_quoted_number.yaml": (
        7,
        "overrides.population.residents",
        "must be a whole number (got '2000')",
    ),
}

LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<path>[^:\n]+): (?P<message>.+)$")


def test_the_corpus_is_listed():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_file_is_refused_at_its_line(runner, name, tmp_path):
    result = runner.invoke(cli, ["validate", str(BAD / name)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line, path, fragment = CORPUS[name]
    lines = [LINE.match(text) for text in result.stderr.splitlines()]
    assert all(lines), result.stderr
    assert any(
        m["line"] == str(line) and m["path"] == path and fragment in m["message"] for m in lines
    ), result.stderr


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("horizon.years=true", "must be a whole number (got true)"),
        ('population.residents="2000"', "it is in quotes, so it is text"),
        ("horizon.years=010", "starts with 0"),
        ("investments.social_prescribing.budget_per_year=false", "must be a number (got false)"),
    ],
)
def test_set_options_refuse_the_same(runner, setting, fragment, tmp_path):
    result = runner.invoke(cli, ["show", str(BASELINE), "--set", setting])
    assert result.exit_code in (1, 2)
    assert fragment in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "value"),
    [("2e4", 20_000), ("20_000", 20_000), ("20000", 20_000), ("2.0e4", 20_000)],
)
def test_plain_numbers_still_read_as_written(text, value, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(f"name: t\npopulation:\n  residents: {text}\n", encoding="utf-8")
    assert load_scenario(path).population.residents == value


def test_true_and_false_are_read_as_booleans_and_a_key_like_on_is_a_name(tmp_path):
    assert parse_set_options(["a.b=true", "a.c=False"]) == {"a.b": True, "a.c": False}
    path = tmp_path / "t.yaml"
    path.write_text("name: t\non: 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "on" in message and "field" in message  # an unknown field, not true


@given(st.booleans())
def test_no_number_field_takes_a_boolean(flag):
    for section, field in [("population", "residents"), ("horizon", "years")]:
        with pytest.raises(ValueError):
            Scenario(name="t", **{section: {field: flag}})
    with pytest.raises(ValueError):
        Scenario(name="t", loneliness={"threshold": flag})


def test_shipped_baseline_loads_unchanged():
    scenario = load_scenario(BASELINE)
    assert isinstance(scenario.population.residents, int)


def test_a_calendar_year_as_start_year_says_years_count_from_1(runner, tmp_path):
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "name: t\ninvestments:\n  - lever: social_prescribing\n    budget_per_year: 1000\n"
        "    start_year: 2025\n    end_year: 2027\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:5: investments.social_prescribing.start_year: ")
    assert "must be at most 50 (got 2025); years count from 1" in first
