"""The ``thriving`` command line: validate, schema, show, errors and start-up cost.

The corpus in ``tests/bad_scenarios/`` holds one small file per kind of mistake an analyst
can make. Each is checked through ``thriving validate``: exit code, one
``FILE:LINE: field.path: message`` line per problem, the right line, no traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from thriving.cli.main import cli, main

HERE = Path(__file__).resolve().parents[1]  # tests/
BAD = HERE / "bad_scenarios"
SCENARIOS = HERE.parent / "scenarios"

#: One problem line: FILE:LINE: path: message, or FILE: path: message when no line applies.
PROBLEM_LINE = re.compile(
    r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?: (?P<path>[^:\s][^:\n]*?): (?P<message>\S.*)$"
)
#: The summary line after several files.
SUMMARY_LINE = re.compile(r"^\d+ of \d+ files (has|have) problems\.$")

GOOD_SCENARIO = """\
# yaml-language-server: $schema=../docs/scenario.schema.json
name: Link workers in two wards
population:
  residents: 20000
horizon:
  years: 5
investments:
  - lever: social_prescribing
    budget_per_year: 150000
    start_year: 1
    end_year: 3
    wards: [Coldhurst, "St Mary's"]
"""

# file -> (file the problem names, line or None, field path, message fragment)
CORPUS: dict[str, tuple[str, int | None, str, str]] = {
    "wrong_type_residents.yaml": (
        "wrong_type_residents.yaml", 3, "population.residents",
        "must be a whole number (got 'lots')",
    ),
    "wrong_type_section.yaml": (
        "wrong_type_section.yaml", 2, "horizon", "must be a section of 'key: value' lines",
    ),
    "out_of_range_share.yaml": (
        "out_of_range_share.yaml", 3, "population.moves_per_year",
        "must be at most 0.5 (got 0.9)",
    ),
    "negative_budget.yaml": (
        "negative_budget.yaml", 4, "investments.community_grants.budget_per_year",
        "must be at least 0 (got -5000)",
    ),
    "budget_with_pound_sign.yaml": (
        "budget_with_pound_sign.yaml", 4, "investments.access.budget_per_year",
        "no £ sign, commas or units",
    ),
    "unknown_lever.yaml": (
        "unknown_lever.yaml", 3, "investments[0].lever",
        "unknown lever 'social_prescibing'; did you mean 'social_prescribing'? Levers: "
        "community_grants, social_prescribing",
    ),
    "missing_lever.yaml": (
        "missing_lever.yaml", 3, "investments[0].lever", "each investment needs a lever",
    ),
    "unknown_key.yaml": (
        "unknown_key.yaml", 4, "investments.social_prescribing.budget_per_yr",
        "unknown field 'budget_per_yr'; did you mean 'budget_per_year'?",
    ),
    "unknown_top_level_key.yaml": (
        "unknown_top_level_key.yaml", 2, "populaton",
        "unknown field 'populaton'; did you mean 'population'?",
    ),
    "end_before_start.yaml": (
        "end_before_start.yaml", 6, "investments.community_connectors.end_year",
        "end_year (2) is before start_year (4)",
    ),
    "end_after_horizon.yaml": (
        "end_after_horizon.yaml", 8, "investments.neighbourhood_teams.end_year",
        "after the horizon of 5 years",
    ),
    "unknown_ward.yaml": (
        "unknown_ward.yaml", 7, "investments.community_grants.wards[1]",
        "unknown ward 'Coldhurts'; did you mean 'Coldhurst'?",
    ),
    "wards_single_name.yaml": (
        "wards_single_name.yaml", 5, "investments.community_grants.wards",
        "must be 'all', a list of ward names, or {most_deprived: N} (got 'Coldhurst'); "
        "for one ward write [Coldhurst]",
    ),
    "most_deprived_too_large.yaml": (
        "most_deprived_too_large.yaml", 5, "investments.access.wards.most_deprived",
        "asks for the 25 most deprived wards, but the ward table has only 20",
    ),
    "most_deprived_misspelt.yaml": (
        "most_deprived_misspelt.yaml", 6, "investments.access.wards.most_deprivd",
        "did you mean 'most_deprived'?",
    ),
    "cycle_a.yaml": (
        "cycle_b.yaml", 2, "extends",
        "goes round in a loop: cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml",
    ),
    "cycle_b.yaml": (
        "cycle_a.yaml", 2, "extends",
        "goes round in a loop: cycle_b.yaml -> cycle_a.yaml -> cycle_b.yaml",
    ),
    "self_extends.yaml": ("self_extends.yaml", 2, "extends", "cannot extend itself"),
    "missing_parent.yaml": (
        "missing_parent.yaml", 2, "extends",
        "the parent scenario 'no_such_parent.yaml' does not exist",
    ),
    "parent_not_mapping.yaml": (
        "parent_not_mapping.yaml", 2, "extends",
        "the parent 'root_is_list.yaml' is not a usable scenario: the file must be made of "
        "'key: value' lines, but it holds a list",
    ),
    "extends_not_text.yaml": (
        "extends_not_text.yaml", 2, "extends", "must be the file name of another scenario",
    ),
    "inherited_bad_value.yaml": (
        "negative_budget.yaml", 4, "investments.community_grants.budget_per_year",
        "must be at least 0 (got -5000)",
    ),
    "empty.yaml": ("empty.yaml", 1, "(file)", "the file is empty"),
    "comments_only.yaml": ("comments_only.yaml", 1, "(file)", "holds only comments"),
    "root_is_list.yaml": (
        "root_is_list.yaml", 1, "(file)", "must be made of 'key: value' lines, but it holds a list",
    ),
    "root_is_scalar.yaml": (
        "root_is_scalar.yaml", 2, "(file)", "but it holds the text 'just some text'",
    ),
    "tabs.yaml": ("tabs.yaml", 3, "(file)", "YAML needs spaces, not tabs"),
    "duplicate_key.yaml": (
        "duplicate_key.yaml", 5, "population.residents",
        "the key 'residents' appears twice (lines 3 and 5)",
    ),
    "alias_bomb.yaml": ("alias_bomb.yaml", 3, "(file)", "aliases (*a) are not supported"),
    "python_tag.yaml": (
        "python_tag.yaml", 2, "description",
        "the tag '!!python/object/apply:os.system' is not allowed",
    ),
    "custom_tag.yaml": ("custom_tag.yaml", 2, "population", "the tag '!include' is not allowed"),
    "nan_budget.yaml": (
        "nan_budget.yaml", 4, "investments.social_prescribing.budget_per_year",
        "must be a finite number, not .nan",
    ),
    "infinite_residents.yaml": (
        "infinite_residents.yaml", 3, "population.residents", "must be a finite number, not .inf",
    ),
    "zero_residents.yaml": (
        "zero_residents.yaml", 3, "population.residents", "must be at least 100 (got 0)",
    ),
    "trillion_residents.yaml": (
        "trillion_residents.yaml", 3, "population.residents",
        "must be at most 5,000,000 (got 1,000,000,000,000)",
    ),
    "residents_fraction.yaml": (
        "residents_fraction.yaml", 3, "population.residents",
        "must be a whole number (got 20000.5)",
    ),
    "zero_years.yaml": ("zero_years.yaml", 3, "horizon.years", "must be at least 1 (got 0)"),
    "missing_name.yaml": ("missing_name.yaml", 1, "name", "every scenario needs a name"),
    "empty_name.yaml": ("empty_name.yaml", 1, "name", "must not be empty"),
    "duplicate_lever.yaml": (
        "duplicate_lever.yaml", 7, "investments[2].lever", "lever 'access' appears twice",
    ),
    "investments_not_list.yaml": (
        "investments_not_list.yaml", 2, "investments", "must be a list of investments",
    ),
    "wards_csv_bad_column.yaml": (
        "wards_bad_column.csv", 1, "adult", "unknown column 'adult'; did you mean 'adults'?",
    ),
    "wards_csv_non_numeric.yaml": (
        "wards_non_numeric.csv", 3, "adults", "must be a number (got 'about 2000')",
    ),
    "wards_csv_missing.yaml": (
        "wards_csv_missing.yaml", 3, "population.wards_file", "no_such_wards.csv' does not exist",
    ),
    "deeply_nested.yaml": ("deeply_nested.yaml", 2, "(file)", "nested more than 50 deep"),
    "not_yaml.yaml": ("not_yaml.yaml", 4, "(file)", "this is not valid YAML"),
    "bad_indentation.yaml": ("bad_indentation.yaml", 4, "(file)", "indentation does not line up"),
    "two_documents.yaml": ("two_documents.yaml", 2, "(file)", "more than one YAML document"),
    "unclosed_quote.yaml": (
        "unclosed_quote.yaml", 4, "(file)",
        "a quoted text is not closed (the quote opens on line 1)",
    ),
    "many_problems.yaml": (
        "many_problems.yaml", 10, "network.mean_ties", "must be at least 1 (got 0)",
    ),
}  # fmt: skip

# Files made in the test (too big, or bytes that do not belong in the repository).
GENERATED: dict[str, tuple[bytes, int | None, str]] = {
    # bytes 0-127 are ASCII (with a newline at byte 10); byte 128 is not UTF-8: line 2
    "binary_garbage.yaml": (bytes(range(256)) * 4, 2, "the file is not UTF-8 text"),
    "invalid_utf8.yaml": (
        b"name: Caf\xc3\xa9 scenario\npopulation:\n  residents: 20000\ndescription: caf\xe9\n",
        4,
        "the file is not UTF-8 text",
    ),
    "control_character.yaml": (
        b"name: x\ndescription: bell \x07 here\n",
        2,
        "control character (U+0007)",
    ),
    "huge.yaml": (
        b"name: Huge\ndescription: |\n" + b"  " + b"x" * 100 + b"\n" * 1 + b"  y\n" * 300_000,
        None,
        "the file is larger than 1 MB",
    ),
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _problems(text: str) -> list[re.Match[str]]:
    """Parse stderr into problem lines; fail on any line that is not one."""
    matches = []
    for line in text.splitlines():
        if SUMMARY_LINE.match(line):
            continue
        match = PROBLEM_LINE.match(line)
        assert match, f"not a FILE:LINE: path: message line: {line!r}"
        matches.append(match)
    return matches


def _check_bad(
    runner: CliRunner,
    path: Path,
    expected: tuple[str, int | None, str, str],
) -> list[re.Match[str]]:
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "OK" not in result.stdout
    problems = _problems(result.stderr)
    assert problems, "no problem reported"
    file, line, field_path, fragment = expected
    wanted = [
        p
        for p in problems
        if Path(p["file"]).name == file
        and (p["line"] is None if line is None else p["line"] == str(line))
        and p["path"] == field_path
        and fragment in p["message"]
    ]
    assert wanted, f"expected {expected} in:\n{result.stderr}"
    return problems


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_scenario_reported_with_file_line_and_path(runner: CliRunner, name: str) -> None:
    _check_bad(runner, BAD / name, CORPUS[name])


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_bad_generated_file_reported(runner: CliRunner, tmp_path: Path, name: str) -> None:
    content, line, fragment = GENERATED[name]
    path = tmp_path / name
    path.write_bytes(content)
    _check_bad(runner, path, (name, line, "(file)", fragment))


def test_corpus_table_covers_every_file() -> None:
    on_disk = {p.name for p in BAD.glob("*.yaml")}
    assert on_disk == set(CORPUS)
    assert len(on_disk) + len(GENERATED) >= 30


def test_every_problem_in_a_file_is_reported_at_once(runner: CliRunner) -> None:
    problems = _check_bad(runner, BAD / "many_problems.yaml", CORPUS["many_problems.yaml"])
    assert [(p["line"], p["path"]) for p in problems] == [
        ("3", "population.residents"),
        ("5", "horizon.years"),
        ("8", "investments.access.budget_per_year"),
        ("10", "network.mean_ties"),
    ]


def test_ward_table_problems_point_at_the_scenario_line_first(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(BAD / "wards_csv_bad_column.yaml")])
    problems = _problems(result.stderr)
    first = problems[0]
    assert Path(first["file"]).name == "wards_csv_bad_column.yaml"
    assert (first["line"], first["path"]) == ("3", "population.wards_file")
    assert {p["path"] for p in problems[1:]} == {"adult", "adults"}


# --------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------


def test_validate_good_file_prints_ok(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"OK  {path}\n"
    assert result.stderr == ""


def test_validate_shipped_scenarios(runner: CliRunner) -> None:
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    if not files:
        pytest.skip("no shipped scenarios yet")
    result = runner.invoke(cli, ["validate", *files], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("OK  ") == len(files)


def test_validate_mixed_files_reports_bad_and_ok(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD_SCENARIO, encoding="utf-8")
    bad = BAD / "zero_years.yaml"
    result = runner.invoke(cli, ["validate", str(good), str(bad), str(good)])
    assert result.exit_code == 1
    assert result.stdout.count("OK  ") == 2
    assert result.stderr.splitlines()[-1] == "1 of 3 files has problems."


def test_validate_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_validate_needs_a_file(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["validate"]).exit_code == 2


def test_validate_experiment_file_is_recognised(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text("scenarios: [a.yaml]\nseeds: [0, 1]\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "experiment file" in result.stderr


# --------------------------------------------------------------------------------------
# schema and show
# --------------------------------------------------------------------------------------


def test_schema_prints_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"name", "population", "investments", "extends"} <= set(schema["properties"])


def test_schema_out_writes_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "scenario.schema.json"
    result = runner.invoke(cli, ["schema", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["properties"]["population"]


def test_schema_out_to_missing_folder_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["schema", "--out", str(tmp_path / "no" / "dir" / "s.json")])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output


def test_show_prints_resolved_scenario_with_overrides(runner: CliRunner, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    result = runner.invoke(
        cli,
        [
            "show",
            str(path),
            "--set",
            "investments.social_prescribing.budget_per_year=2e5",
            "--set",
            "description=Changed on the command line",
            "--population",
            "30000",
            "--years",
            "4",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    shown = yaml.safe_load(result.stdout)
    assert shown["population"]["residents"] == 30000
    assert shown["horizon"] == {"years": 4, "burn_in_years": 2}
    assert shown["description"] == "Changed on the command line"
    [entry] = shown["investments"]
    assert list(entry)[:2] == ["lever", "budget_per_year"]
    assert entry["budget_per_year"] == 200000.0
    assert "loneliness" in shown and "services" in shown  # defaults written out


def test_show_bad_set_option_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    result = runner.invoke(cli, ["show", str(path), "--set", "horizon.years"])
    assert result.exit_code == 2
    assert _problems(result.stderr)[0]["path"] == "horizon.years"


def test_show_unknown_override_path_suggests(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    result = runner.invoke(cli, ["show", str(path), "--set", "horizon.yeras=3"])
    assert result.exit_code == 1
    [problem] = _problems(result.stderr)
    assert problem["file"] == "--set" and problem["line"] is None
    assert "did you mean 'years'?" in problem["message"]


def test_show_population_and_set_together_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    args = ["show", str(path), "--population", "500", "--set", "population.residents=600"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "give one" in result.stderr


# --------------------------------------------------------------------------------------
# Error handling, version, help, start-up
# --------------------------------------------------------------------------------------


def test_keyboard_interrupt_exits_130(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import thriving.config.scenario

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(thriving.config.scenario, "load_scenario", interrupted)
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_SCENARIO, encoding="utf-8")
    result = runner.invoke(cli, ["show", str(path)])
    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted."


def test_main_prints_message_and_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(BAD / "zero_years.yaml")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "zero_years.yaml:3: horizon.years: must be at least 1 (got 0)" in err
    assert "Traceback" not in err


def test_version(runner: CliRunner) -> None:
    from thriving import __version__

    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "schema", "show"):
        assert command in result.stdout


def test_console_script_reports_error_without_traceback() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "thriving.cli.main", "validate", str(BAD / "python_tag.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "python_tag.yaml:2: description: the tag" in completed.stderr


def test_importing_the_cli_stays_light() -> None:
    code = (
        "import sys, thriving.cli.main\n"
        "heavy = [m for m in ('mesa', 'pandas', 'matplotlib', 'numpy', 'pydantic') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == ""
