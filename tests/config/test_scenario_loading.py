"""Loading scenario files: extends, overrides, line numbers, round trip, safe reading."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from thriving.config.errors import Problem, ScenarioError, ThrivingError
from thriving.config.scenario import (
    MAX_NODES,
    LineMap,
    Location,
    file_kind,
    load_scenario,
    load_scenario_mapping,
    parse_set_options,
    read_yaml_mapping,
    scenario_to_yaml,
)
from thriving.config.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WARDS_CSV = (
    "ward,adults,deprivation,share_65_plus,share_living_alone,source\n"
    "North,1000,0.2,0.25,0.15,made up\n"
    "South,2000,0.8,0.10,0.20,made up\n"
    "East,1500,0.5,0.30,0.10,made up\n"
)


@pytest.fixture
def write(tmp_path: Path):
    """Write a dedented text file under tmp_path and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def _errors(path: Path, overrides: dict | None = None) -> list[Problem]:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, overrides)
    return err.value.problems


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_problem_format() -> None:
    assert str(Problem("a.yaml", 3, "name", "must not be empty")) == (
        "a.yaml:3: name: must not be empty"
    )
    assert str(Problem("--set", None, "horizon.years", "must be at least 1 (got 0)")) == (
        "--set: horizon.years: must be at least 1 (got 0)"
    )


def test_scenario_error_lists_problems_once_each() -> None:
    problem = Problem("a.yaml", 1, "name", "x")
    err = ScenarioError([problem, Problem("a.yaml", 2, "b", "y"), problem])
    assert str(err) == "a.yaml:1: name: x\na.yaml:2: b: y"
    assert isinstance(err, ThrivingError)
    assert err.exit_code == 1
    assert ScenarioError([problem], exit_code=2).exit_code == 2
    with pytest.raises(ValueError):
        ScenarioError([])


# --------------------------------------------------------------------------------------
# Plain loading
# --------------------------------------------------------------------------------------


def test_minimal_scenario_gets_defaults(write) -> None:
    scenario = load_scenario(write("s.yaml", "name: Minimal\n"))
    assert scenario == Scenario(name="Minimal")
    assert scenario.population.wards_file is None


def test_path_may_be_a_string(write) -> None:
    assert load_scenario(str(write("s.yaml", "name: x\n"))).name == "x"


def test_scientific_notation_is_a_number(write) -> None:
    path = write(
        "s.yaml",
        """\
        name: Scientific
        population: {residents: 2e4}
        investments:
          - {lever: access, budget_per_year: 1.5E5}
        """,
    )
    scenario = load_scenario(path)
    assert scenario.population.residents == 20_000
    assert scenario.investments[0].budget_per_year == 150_000.0


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: Saved by Notepad\n".encode())
    assert load_scenario(path).name == "Saved by Notepad"


def test_keys_are_names_not_booleans(write) -> None:
    [problem] = _errors(write("s.yaml", "name: x\non: 3\n"))
    assert (problem.line, problem.path) == (2, "on")
    assert "unknown field 'on'" in problem.message


def test_ward_names_with_apostrophes_and_ampersands(write) -> None:
    path = write(
        "s.yaml",
        """\
        name: Named wards
        investments:
          - lever: community_grants
            wards: ["St Mary's", Saddleworth West & Lees, St James']
        """,
    )
    assert load_scenario(path).investments[0].wards == [
        "St Mary's",
        "Saddleworth West & Lees",
        "St James'",
    ]


@pytest.mark.parametrize(
    ("text", "line", "path", "fragment"),
    [
        (
            "name: x\nhorizon: {years: !!int ten}\n",
            2,
            "horizon.years",
            "cannot read 'ten' as !!int",
        ),
        ("name: x\n? [a, b]\n: 1\n", 2, "(file)", "a key must be a name"),
        ("name: x\nhorizon: {'': 1}\n", 2, "horizon", "a value has no name before its ':'"),
        ("name: x\ndescription: !!binary aGVsbG8=\n", 2, "description", "'!!binary' is not"),
        ("name: x\nhorizon: !!set {a, b}\n", 2, "horizon", "the tag '!!set' is not allowed"),
        ("name: x\nappraisal: {price_year: 2024-04-01}\n", 2, "appraisal.price_year", "text"),
        ("name: x\ndescription: &d hello\nx: *d\n", 3, "(file)", "aliases (*d)"),
        ("name: x\nname: y\nname: z\n", 3, "name", "appears twice (lines 1 and 3)"),
    ],
)
def test_unsafe_or_odd_yaml(write, text: str, line: int, path: str, fragment: str) -> None:
    problems = _errors(write("s.yaml", text))
    assert any((p.line, p.path) == (line, path) and fragment in p.message for p in problems), (
        problems
    )


def test_all_duplicate_keys_reported_at_once(write) -> None:
    problems = _errors(write("s.yaml", "name: x\nname: y\nhorizon:\n  years: 1\n  years: 2\n"))
    assert [(p.line, p.path) for p in problems] == [(2, "name"), (5, "horizon.years")]


def test_too_many_values(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("name: x\ndescription: [" + "0," * MAX_NODES + "0]\n", encoding="utf-8")
    [problem] = _errors(path)
    assert f"more than {MAX_NODES:,} values" in problem.message


def test_missing_main_file_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "nope.yaml")
    assert err.value.exit_code == 2
    assert err.value.problems[0].message == "the file does not exist"


def test_duplicate_lever_points_at_second_entry(write) -> None:
    path = write(
        "s.yaml",
        """\
        name: x
        investments:
          - lever: access
          - lever: access
            budget_per_year: 5
        """,
    )
    [problem] = _errors(path)
    assert (problem.line, problem.path) == (4, "investments[1].lever")


def test_end_after_horizon_without_end_year_points_at_entry(write) -> None:
    path = write(
        "s.yaml",
        """\
        name: x
        horizon: {years: 2}
        investments:
          - lever: closures
        """,
    )
    [problem] = _errors(path)
    assert (problem.line, problem.path) == (4, "investments.closures.end_year")
    assert "ends in year 3, after the horizon of 2 years" in problem.message


@pytest.mark.parametrize(
    ("lever", "message"),
    [
        ("5", "the lever must be one of: community_grants, "),
        ("[access]", "(got a list)"),
        ("", "(got an empty value)"),
        ("{x: 1}", "(got a section of 'key: value' lines)"),
        ("''", "unknown lever ''; Levers: community_grants, "),
    ],
)
def test_lever_of_the_wrong_kind(write, lever: str, message: str) -> None:
    path = write("s.yaml", f"name: x\ninvestments:\n  - lever: {lever}\n    uptake: 0.5\n")
    [problem] = _errors(path)
    assert (problem.line, problem.path) == (3, "investments[0].lever")
    assert message in problem.message


def test_ward_list_with_a_number(write) -> None:
    path = write("s.yaml", "name: x\ninvestments:\n  - lever: access\n    wards: [Coldhurst, 3]\n")
    [problem] = _errors(path)
    assert (problem.line, problem.path) == (4, "investments.access.wards[1]")
    assert problem.message.startswith("must be text (got 3)")


def test_most_deprived_zero(write) -> None:
    path = write(
        "s.yaml", "name: x\ninvestments:\n  - lever: access\n    wards: {most_deprived: 0}\n"
    )
    [problem] = _errors(path)
    assert problem.path == "investments.access.wards.most_deprived"
    assert problem.message == "must be at least 1 (got 0)"


def test_ward_listed_twice(write) -> None:
    path = write("s.yaml", "name: x\ninvestments:\n  - lever: access\n    wards: [Shaw, Shaw]\n")
    [problem] = _errors(path)
    assert (problem.path, problem.message) == (
        "investments.access.wards",
        "wards lists a ward twice",
    )


def test_simple_scenario_does_not_read_the_ward_table(write) -> None:
    path = write("s.yaml", "name: x\ninvestments:\n  - lever: access\n")
    code = (
        "import sys\nfrom thriving.config.scenario import load_scenario\n"
        f"load_scenario({str(path)!r})\nprint('thriving.config.wards' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


# --------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------


def test_extends_deep_merges_sections(write) -> None:
    write(
        "base.yaml",
        """\
        name: Base
        description: The parent
        population:
          residents: 20000
          moves_per_year: 0.02
        network:
          mean_ties: 10
        """,
    )
    child = write(
        "child.yaml",
        """\
        extends: base.yaml
        name: Child
        population:
          residents: 30000
        """,
    )
    scenario = load_scenario(child)
    assert scenario.name == "Child"
    assert scenario.description == "The parent"
    assert scenario.population.residents == 30_000
    assert scenario.population.moves_per_year == 0.02
    assert scenario.network.mean_ties == 10


def test_extends_merges_investments_by_lever(write) -> None:
    write(
        "base.yaml",
        """\
        name: Base
        investments:
          - lever: social_prescribing
            budget_per_year: 100000
            wards: [Coldhurst]
            uptake: 0.7
          - lever: access
            budget_per_year: 5000
        """,
    )
    child = write(
        "child.yaml",
        """\
        extends: base.yaml
        investments:
          - lever: community_grants
            budget_per_year: 20000
          - lever: social_prescribing
            budget_per_year: 250000
        """,
    )
    scenario = load_scenario(child)
    assert [inv.lever for inv in scenario.investments] == [
        "social_prescribing",
        "access",
        "community_grants",
    ]
    sp, access, grants = scenario.investments
    assert sp.budget_per_year == 250_000
    assert sp.wards == ["Coldhurst"]  # inherited
    assert sp.uptake == 0.7  # inherited
    assert access.budget_per_year == 5_000
    assert grants.budget_per_year == 20_000


def test_extends_chain_of_three_with_lines_from_each_file(write) -> None:
    write(
        "grandparent.yaml",
        """\
        name: Grandparent
        horizon:
          years: 8
          burn_in_years: 1
        investments:
          - lever: access
            budget_per_year: 1000
            end_year: 2
        """,
    )
    write(
        "parent.yaml",
        """\
        extends: grandparent.yaml
        name: Parent
        horizon:
          years: 6
        investments:
          - lever: access
            budget_per_year: 2000
        """,
    )
    child = write(
        "child.yaml",
        """\
        extends: parent.yaml
        name: Child
        investments:
          - lever: access
            start_year: 2
        """,
    )
    scenario = load_scenario(child)
    assert scenario.name == "Child"
    assert (scenario.horizon.years, scenario.horizon.burn_in_years) == (6, 1)
    [access] = scenario.investments
    assert (access.budget_per_year, access.start_year, access.end_year) == (2000, 2, 2)

    data, lines = load_scenario_mapping(child)
    assert "extends" not in data
    assert lines[("name",)] == Location(str(child), 2)
    assert Path(lines[("horizon", "years")].file).name == "parent.yaml"
    assert lines[("horizon", "years")].line == 4
    assert Path(lines[("horizon", "burn_in_years")].file).name == "grandparent.yaml"
    assert lines[("horizon", "burn_in_years")].line == 4
    assert Path(lines[("investments", 0, "budget_per_year")].file).name == "parent.yaml"
    assert lines[("investments", 0, "start_year")] == Location(str(child), 5)
    assert Path(lines[("investments", 0, "end_year")].file).name == "grandparent.yaml"


def test_error_in_inherited_value_names_the_parent(write) -> None:
    write("base.yaml", "name: Base\nnetwork:\n  mean_ties: 0\n")
    child = write("sub/child.yaml", "extends: ../base.yaml\nname: Child\n")
    [problem] = _errors(child)
    assert Path(problem.file).name == "base.yaml"
    assert (problem.line, problem.path) == (3, "network.mean_ties")


def test_child_fixes_parent_value(write) -> None:
    write("base.yaml", "name: Base\nnetwork:\n  mean_ties: 0\n")
    child = write("child.yaml", "extends: base.yaml\nnetwork:\n  mean_ties: 12\n")
    assert load_scenario(child).network.mean_ties == 12


def test_problems_in_parent_file_come_after_a_pointer(write) -> None:
    write("base.yaml", "name: Base\nhorizon:\n  years: 1\n  years: 2\n")
    child = write("child.yaml", "name: Child\nextends: base.yaml\n")
    first, second = _errors(child)
    assert (Path(first.file).name, first.line, first.path) == ("child.yaml", 2, "extends")
    assert "has problems, listed below" in first.message
    assert (Path(second.file).name, second.line) == ("base.yaml", 4)


def test_extends_folder(write, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    [problem] = _errors(write("child.yaml", "name: x\nextends: folder\n"))
    assert "is a folder, not a file" in problem.message


def test_wards_file_resolved_against_declaring_file(write, tmp_path: Path) -> None:
    write("base/wards.csv", WARDS_CSV)
    write(
        "base/base.yaml",
        """\
        name: Base
        population:
          wards_file: wards.csv
        investments:
          - lever: access
            wards: [South]
        """,
    )
    child = write("analyst/child.yaml", "extends: ../base/base.yaml\nname: Child\n")
    scenario = load_scenario(child)
    assert scenario.population.wards_file == str((tmp_path / "base" / "wards.csv").resolve())
    assert Path(scenario.population.wards_file).is_absolute()


def test_child_wards_file_relative_to_child(write, tmp_path: Path) -> None:
    write("base/base.yaml", "name: Base\n")
    write("analyst/my_wards.csv", WARDS_CSV)
    child = write(
        "analyst/child.yaml",
        """\
        extends: ../base/base.yaml
        population: {wards_file: my_wards.csv}
        investments:
          - lever: access
            wards: {most_deprived: 3}
        """,
    )
    scenario = load_scenario(child)
    assert scenario.population.wards_file == str(tmp_path / "analyst" / "my_wards.csv")


def test_empty_wards_file_means_packaged_table(write) -> None:
    path = write("s.yaml", "name: x\npopulation:\n  wards_file: ''\n")
    assert load_scenario(path).population.wards_file is None


def test_wards_checked_against_custom_table(write) -> None:
    write("wards.csv", WARDS_CSV)
    path = write(
        "s.yaml",
        """\
        name: x
        population: {wards_file: wards.csv}
        investments:
          - lever: access
            wards: [North, Coldhurst]
          - lever: community_grants
            wards: {most_deprived: 4}
        """,
    )
    first, second = _errors(path)
    assert (first.line, first.path) == (5, "investments.access.wards[1]")
    assert first.message == "unknown ward 'Coldhurst'; the wards are: North, South, East"
    assert (second.line, second.path) == (7, "investments.community_grants.wards.most_deprived")
    assert "has only 3 wards" in second.message


# --------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------

BASE = """\
name: Base
population:
  residents: 20000
investments:
  - lever: social_prescribing
    budget_per_year: 100000
    wards: [Coldhurst]
"""


def test_overrides_change_values(write) -> None:
    path = write("s.yaml", BASE)
    scenario = load_scenario(
        path,
        {
            "population.residents": 5000,
            "investments.social_prescribing.budget_per_year": 1e5 * 2,
            "horizon.years": 5,
            "investments.access.budget_per_year": 3000,
            "network": {"mean_ties": 9},
        },
    )
    assert scenario.population.residents == 5000
    assert scenario.horizon.years == 5
    sp, access = scenario.investments
    assert (sp.budget_per_year, sp.wards) == (200_000, ["Coldhurst"])
    assert (access.lever, access.budget_per_year) == ("access", 3000)
    assert scenario.network.mean_ties == 9
    defaults = Scenario(name="x").network
    assert scenario.network.model_dump(exclude={"mean_ties"}) == defaults.model_dump(
        exclude={"mean_ties"}
    )


def test_override_whole_investment_entry(write) -> None:
    path = write("s.yaml", BASE)
    scenario = load_scenario(
        path, {"investments.social_prescribing": {"uptake": 0.5, "wards": "all"}}
    )
    [sp] = scenario.investments
    assert (sp.uptake, sp.wards, sp.budget_per_year) == (0.5, "all", 100_000)


def test_override_accepts_numpy_scalars(write) -> None:
    path = write("s.yaml", BASE)
    scenario = load_scenario(
        path, {"population.residents": np.int64(3000), "horizon.years": np.float64(4.0)}
    )
    assert (scenario.population.residents, scenario.horizon.years) == (3000, 4)


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("population.resident", "unknown field 'resident'; did you mean 'residents'?"),
        ("horizon.years.more", "horizon.years is a single value; it has no 'more'"),
        ("investments.acess.budget_per_year", "unknown lever 'acess'; did you mean 'access'?"),
        ("investments.0.budget_per_year", "a path is field names joined by dots"),
        ("investments.access.lever", "the lever of an entry cannot be changed"),
        ("investments.access.budget", "did you mean 'budget_per_year'?"),
        ("extends", "unknown field 'extends'"),
        ("", "a path is field names joined by dots"),
    ],
)
def test_override_path_must_exist(write, key: str, fragment: str) -> None:
    [problem] = _errors(write("s.yaml", BASE), {key: 1})
    assert (problem.file, problem.line, problem.path) == ("--set", None, key or "(empty)")
    assert fragment in problem.message


def test_override_bad_value_is_reported_as_set(write) -> None:
    problems = _errors(write("s.yaml", BASE), {"population.residents": 0, "horizon.years": -1})
    assert [(p.file, p.line, p.path) for p in problems] == [
        ("--set", None, "population.residents"),
        ("--set", None, "horizon.years"),
    ]


def test_override_value_must_be_plain(write) -> None:
    [problem] = _errors(write("s.yaml", BASE), {"description": object()})
    assert "must be text, a number" in problem.message


def test_override_into_section_keeps_file_lines(write) -> None:
    path = write("s.yaml", BASE)
    data, lines = load_scenario_mapping(path, {"population.moves_per_year": 0.01})
    assert data["population"] == {"residents": 20000, "moves_per_year": 0.01}
    assert lines[("population",)] == Location(str(path), 2)
    assert lines[("population", "moves_per_year")] == Location("--set", None)


def test_parse_set_options() -> None:
    parsed = parse_set_options(
        [
            "population.residents=20000",
            "investments.access.budget_per_year=1e5",
            "investments.access.wards=[Coldhurst, St Mary's]",
            "description=Text with = sign",
            "population.wards_file=",
            "investments.access.wards_x= {most_deprived: 3}",
        ]
    )
    assert parsed == {
        "population.residents": 20000,
        "investments.access.budget_per_year": 100000.0,
        "investments.access.wards": ["Coldhurst", "St Mary's"],
        "description": "Text with = sign",
        "population.wards_file": None,
        "investments.access.wards_x": {"most_deprived": 3},
    }


def test_parse_set_options_reports_every_bad_item() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_set_options(["horizon.years", "=3", "a..b=1", "x=1", "x=2", "y=!!python/none ''"])
    assert err.value.exit_code == 2
    messages = [(p.path, p.message) for p in err.value.problems]
    assert messages[0] == (
        "horizon.years",
        "expected PATH=VALUE, such as population.residents=20000",
    )
    assert messages[1][0] == "=3"
    assert "joined by dots" in messages[2][1]
    assert messages[3] == ("x", "is set twice; give it once")
    assert "is not allowed" in messages[4][1]


# --------------------------------------------------------------------------------------
# Writing: scenario_to_yaml
# --------------------------------------------------------------------------------------


def _round_trip(scenario: Scenario, tmp_path: Path) -> Scenario:
    path = tmp_path / "resolved.yaml"
    path.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    return load_scenario(path)


def test_round_trip_full_scenario(write, tmp_path: Path) -> None:
    write("wards.csv", WARDS_CSV)
    path = write(
        "s.yaml",
        """\
        name: "Round trip: everything"
        description: |
          Two lines
          of description.
        population: {residents: 12345, wards_file: wards.csv}
        horizon: {years: 7}
        investments:
          - lever: neighbourhood_teams
            budget_per_year: 123456.78
            wards: {most_deprived: 2}
          - lever: access
            wards: [North, East]
          - lever: closures
            share_closed: 0.1
        """,
    )
    scenario = load_scenario(path)
    text = scenario_to_yaml(scenario)
    again = _round_trip(scenario, tmp_path)
    assert again == scenario
    assert scenario_to_yaml(again) == text


def test_yaml_keys_in_schema_order_with_lever_first(write) -> None:
    scenario = load_scenario(write("s.yaml", BASE))
    data = yaml.safe_load(scenario_to_yaml(scenario))
    assert list(data) == list(Scenario.model_fields)
    assert list(data["investments"][0])[0] == "lever"
    assert list(data["population"]) == [
        "residents",
        "wards_file",
        "moves_per_year",
        "partner_max_age_gap",
    ]


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_round_trip_shipped_scenarios(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    assert _round_trip(scenario, tmp_path) == scenario


# --------------------------------------------------------------------------------------
# Helpers for other file kinds
# --------------------------------------------------------------------------------------


def test_read_yaml_mapping_keeps_lines(write) -> None:
    path = write("e.yaml", "# comment\nscenarios:\n  - a.yaml\n  - b.yaml\nseeds: [0, 1]\n")
    data, lines = read_yaml_mapping(path)
    assert data == {"scenarios": ["a.yaml", "b.yaml"], "seeds": [0, 1]}
    assert lines[("scenarios", 1)] == Location(str(path), 4)
    assert lines.locate(("seeds", 1, "deeper")) == Location(str(path), 5)
    assert lines.locate(("nothing",)) == lines.root == Location(str(path), 2)
    assert isinstance(lines, LineMap) and len(lines) == len(list(lines))


def test_file_kind(write) -> None:
    assert file_kind(write("s.yaml", "name: x\n")) == "scenario"
    assert file_kind(write("e.yaml", "scenarios: [s.yaml]\n")) == "experiment"


# --------------------------------------------------------------------------------------
# One problem, one line
# --------------------------------------------------------------------------------------


def test_odd_keys_keep_the_line_format(write) -> None:
    path = write("s.yaml", "name: x\npopulation:\n  'a: b': 1\n  ' padded': 2\n")
    first, second = _errors(path)
    assert first.path == "population.'a\\x3a b'"
    assert second.path == "population.' padded'"
    assert "unknown field 'a: b'" in first.message


def test_control_characters_are_escaped_in_problem_lines() -> None:
    problem = Problem("a.yaml", 2, "x", "bad \x1e value\nnext")
    assert str(problem) == "a.yaml:2: x: bad \\x1e value\\nnext"
    assert len(str(problem).splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: 2024\n", "must be text (got 2024); put quotes around it to make it text"),
        ("name: 2024-04-01\n", "must be text (got 2024-04-01); put quotes around it"),
        ("name: x\ndescription:\n", "must be text (got an empty value)"),
    ],
)
def test_text_fields(write, text: str, message: str) -> None:
    [problem] = _errors(write("s.yaml", text))
    assert problem.message.startswith(message)


def test_wards_file_from_set_is_relative_to_working_folder(
    write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("data/wards.csv", WARDS_CSV)
    path = write("scenarios/s.yaml", "name: x\n")
    monkeypatch.chdir(tmp_path / "data")
    scenario = load_scenario(path, parse_set_options(["population.wards_file=wards.csv"]))
    assert scenario.population.wards_file == str(tmp_path / "data" / "wards.csv")


@pytest.mark.parametrize(
    "module_name", ["thriving.config.errors", "thriving.config.scenario", "thriving.config.wards"]
)
def test_docstring_examples(module_name: str) -> None:
    import doctest
    import importlib

    failures, _ = doctest.testmod(importlib.import_module(module_name))
    assert failures == 0
