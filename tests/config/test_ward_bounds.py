"""Absurd ward tables and wards too small for the sample are refused (issue 14, point 4).

A borough of 0.7 adults ran; 10**15 adults printed quadrillions of appointments with NaN
shares; 1e308 validated and then failed with a traceback; a ward too small to get any
simulated resident could be targeted, its budget counted and its effect silently zero; a
ward name could hold a line break; a semicolon-separated table got seven 'missing
column' lines and no hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thriving.cli import cli
from thriving.config.errors import ScenarioError
from thriving.config.wards import load_ward_table

HEADER = "ward,adults,deprivation,share_65_plus,share_living_alone,source\n"


def table(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "wards.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_ward_table(path)
    return [f"{p.line}:{p.path}: {p.message}" for p in info.value.problems]


@pytest.mark.parametrize("adults", ["0.7", "1e15", "1e308", "20"])
def test_implausible_ward_sizes_are_refused(tmp_path, adults):
    found = problems(table(tmp_path, f"North,{adults},0.2,0.2,0.2,\nSouth,5000,0.5,0.2,0.2,\n"))
    assert found == [
        f"2:adults: must be between 50 and 1,000,000 adults (got {adults}); a ward has "
        "hundreds to tens of thousands of adults: is it the right column?"
    ]


def test_a_borough_larger_than_a_region_is_refused(tmp_path):
    rows = "".join(f"Ward {i},900000,0.5,0.2,0.2,\n" for i in range(25))
    (found,) = problems(table(tmp_path, rows))
    assert "22,500,000 adults in all; at most 20,000,000" in found


@pytest.mark.parametrize("name", ['"North\nEnd"', '"North\tEnd"'])
def test_a_ward_name_with_a_line_break_or_tab_is_refused(tmp_path, name):
    (found,) = problems(table(tmp_path, f"{name},5000,0.2,0.2,0.2,\n"))
    assert "line break or other control character" in found


@pytest.mark.parametrize(("mark", "words"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_table_saved_with_another_separator_gets_one_clear_line(tmp_path, mark, words):
    header = HEADER.replace(",", mark)
    path = table(tmp_path, f"North{mark}5000{mark}0.2{mark}0.2{mark}0.2{mark}\n", header)
    (found,) = problems(path)
    assert f"separated by {words}, not commas" in found


def _scenario(tmp_path: Path, residents: int) -> Path:
    wards = table(
        tmp_path,
        "Tiny,60,0.9,0.2,0.2,\n" + "".join(f"Ward {i},9000,0.5,0.2,0.2,\n" for i in range(20)),
    )
    path = tmp_path / "tiny_ward.yaml"
    path.write_text(
        "name: tiny ward\n"
        f"population:\n  residents: {residents}\n  wards_file: {wards.name}\n"
        "investments:\n"
        "  - lever: community_grants\n"
        "    budget_per_year: 50000\n"
        "    wards: [Tiny]\n",
        encoding="utf-8",
    )
    return path


def test_a_targeted_ward_too_small_for_the_sample_is_refused(runner, tmp_path):
    path = _scenario(tmp_path, residents=2_000)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"{path}:8: investments.community_grants.wards: the ward 'Tiny'")
    assert "would have 0.67 of the 2,000 simulated residents" in line
    assert "Simulate at least 3,001 residents" in line


def test_the_same_ward_is_fine_with_a_sample_large_enough(runner, tmp_path):
    result = runner.invoke(cli, ["validate", str(_scenario(tmp_path, residents=3_001))])
    assert result.exit_code == 0, result.output


def test_most_deprived_wards_are_checked_too(runner, tmp_path):
    path = _scenario(tmp_path, residents=2_000)
    path.write_text(
        path.read_text(encoding="utf-8").replace("wards: [Tiny]", "wards: {most_deprived: 1}"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "the ward 'Tiny'" in result.stderr
