"""The documentation is generated from the code and cannot drift from it."""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import pytest

from thriving.config import paramdoc, schema

# Numeric fields that are scenario choices declared with a plain Field(), not param():
# they have no unit, source or confidence to document. Keep this list short; a new model
# parameter belongs in schema.param() with its metadata.
SCENARIO_CHOICES = {"investments.<lever>.start_year", "investments.<lever>.end_year"}

ROWS = paramdoc.all_rows()
NUMERIC = [row for row in ROWS if row.is_numeric and row.path not in SCENARIO_CHOICES]


def _bounds(row: paramdoc.Row) -> tuple[float, float, bool, bool]:
    low, high, low_open, high_open = float("-inf"), float("inf"), False, False
    for item in row.field.metadata:
        for name in ("ge", "gt"):
            if hasattr(item, name):
                low, low_open = getattr(item, name), name == "gt"
        for name in ("le", "lt"):
            if hasattr(item, name):
                high, high_open = getattr(item, name), name == "lt"
    return low, high, low_open, high_open


def _inside(value: float, row: paramdoc.Row) -> bool:
    low, high, low_open, high_open = _bounds(row)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


def test_generated_docs_are_up_to_date(repo_root: Path):
    stale = paramdoc.stale(repo_root)
    assert not stale, f"{stale} out of date: run `python -m thriving.config.paramdoc` and commit"


def test_check_mode_exits_0_when_up_to_date(repo_root: Path):
    assert paramdoc.main(["--check", "--root", str(repo_root)]) == 0


def test_check_mode_exits_1_and_write_mode_repairs(tmp_path: Path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "parameters.md").write_text("old\n", encoding="utf-8")
    assert paramdoc.main(["--check", "--root", str(tmp_path)]) == 1
    assert "docs/parameters.md is out of date" in capsys.readouterr().err
    assert paramdoc.main(["--root", str(tmp_path)]) == 0
    assert paramdoc.stale(tmp_path) == []


def test_paramdoc_doctests():
    failures, tried = doctest.testmod(paramdoc)
    assert tried > 0 and failures == 0


@pytest.mark.parametrize("row", NUMERIC, ids=lambda r: r.path)
def test_every_numeric_parameter_has_unit_source_and_confidence(row: paramdoc.Row):
    extra = row.extra
    assert str(extra.get("unit", "")).strip(), "missing unit"
    assert str(extra.get("source", "")).strip(), "missing source"
    assert extra.get("confidence") in {"high", "medium", "low"}
    assert (row.field.description or "").strip(), "missing description"


@pytest.mark.parametrize("row", NUMERIC, ids=lambda r: r.path)
def test_defaults_and_plausible_ranges_lie_within_the_allowed_range(row: paramdoc.Row):
    # pydantic does not validate defaults, so a default outside its bounds would go unseen.
    default = row.field.get_default(call_default_factory=True)
    assert _inside(default, row), f"default {default} outside the allowed range"
    plausible = row.extra.get("plausible")
    if plausible is not None:
        low, high = plausible
        assert low <= high
        assert _inside(low, row) and _inside(high, row), f"plausible {plausible} not allowed"
        assert low <= default <= high, f"default {default} outside plausible {plausible}"


def test_scenario_choices_exemption_is_still_needed():
    paths = {row.path for row in ROWS if row.is_numeric and not row.extra}
    assert paths == SCENARIO_CHOICES, "update SCENARIO_CHOICES (or add metadata)"


def test_every_block_and_lever_has_a_table():
    text = paramdoc.render_parameters_md()
    for block in ("population", "horizon", "loneliness", "network", "groups", "health",
                  "services.gp", "services.ae", "services.admissions", "services.social_care",
                  "services.mental_health", "appraisal"):  # fmt: skip
        assert f"\n## {block}\n" in text
    for lever in schema.LEVERS:
        assert f"\n## investments: {lever}\n" in text
    for row in ROWS:
        assert f"| `{row.path}` |" in text


def test_json_schema_is_the_scenario_schema_plus_extends():
    generated = paramdoc.scenario_json_schema()
    expected = schema.Scenario.model_json_schema()
    assert set(generated["properties"]) == {"extends", *expected["properties"]}
    assert generated["$defs"] == expected["$defs"]
    assert generated["required"] == ["name"]


# --------------------------------------------------------------------------------------
# README and CI
# --------------------------------------------------------------------------------------


def _marked_command(readme: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*\n```[a-z]*\n(.*?)\n```", readme, re.DOTALL)
    assert match, f"no fenced block after <!-- {marker} -->"
    body = match.group(1)
    assert "\n" not in body.strip(), "the command must be a single line"
    return body.strip()


def test_readme_has_the_two_copyable_commands(repo_root: Path):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    main = _marked_command(readme, "main-command")
    test = _marked_command(readme, "test-command")
    for command in (main, test):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install")
    assert "thriving" in main
    assert "ruff check ." in test and "pytest" in test


def test_readme_links_point_at_files_that_exist(repo_root: Path):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    coming = {"docs/odd.md", "docs/calibration.md"}  # announced as "coming"
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        if target not in coming:
            assert (repo_root / target).exists(), f"README links to missing {target}"


def test_ci_script_is_executable_and_runs_the_readme_command(repo_root: Path):
    script = repo_root / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "test-command" in text
