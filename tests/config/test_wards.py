"""The ward table: loading, checks with file/line/column, most deprived, lookups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thriving.config.errors import ScenarioError
from thriving.config.wards import (
    COLUMNS,
    MAX_WARD_TABLE_BYTES,
    WardTable,
    load_ward_table,
    packaged_ward_table_path,
    unknown_ward_message,
)

HEADER = "ward,adults,deprivation,share_65_plus,share_living_alone,source\n"
THREE_WARDS = (
    HEADER + "North,1000,0.2,0.25,0.15,survey 2021\n"
    "South,2000,0.8,0.10,0.20,survey 2021\n"
    '"St Mary\'s, East",1500,0.8,0.30,0.10,\n'
)


@pytest.fixture
def write_csv(tmp_path: Path):
    def write(text: str | bytes, name: str = "wards.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def _problems(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ScenarioError) as err:
        load_ward_table(path)
    for problem in err.value.problems:
        assert problem.file == str(path)
    return [(p.line, p.path, p.message) for p in err.value.problems]


# --------------------------------------------------------------------------------------
# Good tables
# --------------------------------------------------------------------------------------


def test_packaged_table_loads() -> None:
    table = load_ward_table(None)
    assert table.n_wards == 20
    assert "Coldhurst" in set(table.names)
    assert 170_000 < table.adults.sum() < 200_000
    assert table.adults.dtype == np.float64
    assert table.names.dtype == object
    assert np.all((table.deprivation >= 0) & (table.deprivation <= 1))
    assert table.file == str(packaged_ward_table_path())


def test_custom_table_values_in_file_order(write_csv) -> None:
    table = load_ward_table(write_csv(THREE_WARDS))
    assert list(table.names) == ["North", "South", "St Mary's, East"]
    np.testing.assert_array_equal(table.adults, [1000.0, 2000.0, 1500.0])
    np.testing.assert_array_equal(table.deprivation, [0.2, 0.8, 0.8])
    np.testing.assert_array_equal(table.share_65_plus, [0.25, 0.10, 0.30])
    np.testing.assert_array_equal(table.share_living_alone, [0.15, 0.20, 0.10])
    assert list(table.sources) == ["survey 2021", "survey 2021", ""]


def test_path_may_be_a_string(write_csv) -> None:
    assert load_ward_table(str(write_csv(THREE_WARDS))).n_wards == 3


def test_arrays_are_read_only(write_csv) -> None:
    table = load_ward_table(write_csv(THREE_WARDS))
    with pytest.raises(ValueError):
        table.adults[0] = 5


def test_excel_style_table_is_accepted(write_csv) -> None:
    """BOM, any column order, header case and spaces, thousands separators, blank lines."""
    text = (
        "\ufeffSource, Ward ,ADULTS,deprivation,share_living_alone,share_65_plus\n"
        'made up,North,"12,345",0.5,0.1,0.2\n'
        "\n"
        "made up,South,678.0,0.4,0.2,0.3\n"
        ",,,,,\n"
    )
    table = load_ward_table(write_csv(text))
    assert list(table.names) == ["North", "South"]
    np.testing.assert_array_equal(table.adults, [12_345.0, 678.0])
    np.testing.assert_array_equal(table.share_65_plus, [0.2, 0.3])


def test_most_deprived_orders_by_score_then_table_order(write_csv) -> None:
    table = load_ward_table(write_csv(THREE_WARDS))
    assert table.most_deprived(1) == ["South"]
    assert table.most_deprived(2) == ["South", "St Mary's, East"]  # a tie: table order
    assert table.most_deprived(3) == ["South", "St Mary's, East", "North"]
    assert table.most_deprived(0) == []


@pytest.mark.parametrize("n", [-1, 4])
def test_most_deprived_out_of_range(write_csv, n: int) -> None:
    table = load_ward_table(write_csv(THREE_WARDS))
    with pytest.raises(ValueError, match="ward table has 3 wards"):
        table.most_deprived(n)


def test_most_deprived_of_packaged_table() -> None:
    table = load_ward_table(None)
    assert table.most_deprived(3) == ["St Mary's", "Coldhurst", "Alexandra"]


def test_index_of(write_csv) -> None:
    table = load_ward_table(write_csv(THREE_WARDS))
    np.testing.assert_array_equal(table.index_of(["South", "North"]), [1, 0])
    np.testing.assert_array_equal(table.index_of("St Mary's, East"), [2])
    assert table.index_of([]).dtype == np.intp
    with pytest.raises(KeyError, match="did you mean 'South'"):
        table.index_of(["Suoth"])


def test_from_columns_checks_lengths_and_unique_names() -> None:
    columns = dict(adults=[1, 2], deprivation=[0, 1], share_65_plus=[0, 0])
    with pytest.raises(ValueError, match="one entry per ward"):
        WardTable.from_columns(names=["A", "B"], share_living_alone=[0], **columns)
    with pytest.raises(ValueError, match="unique"):
        WardTable.from_columns(names=["A", "A"], share_living_alone=[0, 0], **columns)


# --------------------------------------------------------------------------------------
# Bad tables: every problem, with line and column
# --------------------------------------------------------------------------------------

ROW = "North,1000,0.2,0.25,0.15,x\n"

BAD_TABLES = {
    "missing column": (
        "ward,adults,deprivation,share_65_plus,source\nNorth,1,0.2,0.2,x\n",
        [(1, "share_living_alone", "missing column 'share_living_alone'")],
    ),
    "misspelt column": (
        HEADER.replace("adults", "adult") + ROW,
        [(1, "adults", "missing column 'adults'"), (1, "adult", "did you mean 'adults'?")],
    ),
    "extra column": (
        HEADER.replace("source", "source,notes") + "North,1000,0.2,0.25,0.15,x,y\n",
        [(1, "notes", "unknown column 'notes'; allowed: ward, adults")],
    ),
    "repeated column": (
        HEADER.replace("source", "source,ward") + "North,1000,0.2,0.25,0.15,x,N\n",
        [(1, "ward", "the column 'ward' appears twice")],
    ),
    "non-numeric adults": (
        HEADER + ROW + "South,lots,0.2,0.25,0.15,x\n",
        [(3, "adults", "must be a number (got 'lots')")],
    ),
    "empty cell": (
        HEADER + "North,1000,,0.25,0.15,x\n",
        [(2, "deprivation", "must be a number (the cell is empty)")],
    ),
    "nan": (
        HEADER + "North,nan,0.2,0.25,0.15,x\n",
        [(2, "adults", "must be a finite number (got 'nan')")],
    ),
    "infinite": (
        HEADER + "North,1000,0.2,inf,0.15,x\n",
        [(2, "share_65_plus", "must be a finite number (got 'inf')")],
    ),
    "zero adults": (
        HEADER + "North,0,0.2,0.25,0.15,x\n",
        [(2, "adults", "must be between 50 and 1,000,000 adults (got 0)")],
    ),
    "negative adults": (
        HEADER + "North,-5,0.2,0.25,0.15,x\n",
        [(2, "adults", "must be between 50 and 1,000,000 adults (got -5)")],
    ),
    "share as a percentage": (
        HEADER + "North,1000,0.2,25,0.15,x\n",
        [(2, "share_65_plus", "must be a share between 0 and 1 (got 25); write 25 % as 0.25")],
    ),
    "deprivation below 0": (
        HEADER + "North,1000,-0.1,0.25,0.15,x\n",
        [(2, "deprivation", "must be a deprivation score between 0 and 1 (got -0.1)")],
    ),
    "share above 100": (
        HEADER + "North,1000,0.1,0.25,150,x\n",
        [(2, "share_living_alone", "between 0 and 1 (got 150)")],
    ),
    "duplicate ward": (
        HEADER + ROW + "South,1000,0.2,0.25,0.15,x\n" + "north ,1000,0.2,0.25,0.15,x\n",
        [(4, "ward", "the ward 'north' appears twice (lines 2 and 4)")],
    ),
    "empty ward name": (
        HEADER + " ,1000,0.2,0.25,0.15,x\n",
        [(2, "ward", "the ward name is empty")],
    ),
    "no rows": (HEADER, [(1, "(file)", "has a header but no wards")]),
    "empty file": ("", [(1, "(file)", "the ward table is empty")]),
    "row too short": (
        HEADER + "North,1000,0.2\n",
        [(2, "(file)", "this row has 3 values but the header has 6 columns")],
    ),
    "unquoted comma in name": (
        HEADER + "Saddleworth, West,1000,0.2,0.25,0.15,x\n",
        [(2, "(file)", "a ward name with a comma needs quotes")],
    ),
    "several problems": (
        HEADER + "North,x,0.2,0.25,0.15,x\nSouth,1000,2,0.25,-1,x\n",
        [
            (2, "adults", "must be a number"),
            (3, "deprivation", "between 0 and 1 (got 2)"),
            (3, "share_living_alone", "between 0 and 1 (got -1)"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_bad_table_reports_line_and_column(write_csv, case: str) -> None:
    text, expected = BAD_TABLES[case]
    problems = _problems(write_csv(text))
    assert len(problems) == len(expected), problems
    for (line, column, message), (want_line, want_column, fragment) in zip(
        problems, expected, strict=True
    ):
        assert (line, column) == (want_line, want_column)
        assert fragment in message


def test_not_utf8_reports_line(write_csv) -> None:
    path = write_csv((HEADER + ROW).encode() + "Saddleworth – N,1,0.2,0.2,0.1,x\n".encode("cp1252"))
    [(line, column, message)] = _problems(path)
    assert (line, column) == (3, "(file)")
    assert "CSV UTF-8" in message


def test_binary_file(write_csv) -> None:
    [(line, _, message)] = _problems(write_csv(b"ward\x00adults\n"))
    assert line == 1
    assert "not a text file" in message


def test_missing_file(tmp_path: Path) -> None:
    [(line, column, message)] = _problems(tmp_path / "nope.csv")
    assert (line, column) == (None, "(file)")
    assert message == "the ward table does not exist"


def test_folder_is_not_a_table(tmp_path: Path) -> None:
    [(_, _, message)] = _problems(tmp_path)
    assert "is a folder" in message


def test_huge_file_refused_without_reading_it_all(write_csv) -> None:
    path = write_csv(HEADER + ROW * (MAX_WARD_TABLE_BYTES // len(ROW) + 10))
    [(line, _, message)] = _problems(path)
    assert line is None
    assert "larger than" in message


def test_columns_constant_matches_packaged_header() -> None:
    header = packaged_ward_table_path().read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS


def test_every_close_ward_name_is_offered() -> None:
    # "Failsworth" is as close to "Failsworth East" as to "Failsworth West": offer both.
    table = load_ward_table(None)
    message = unknown_ward_message("Failsworth", table)
    assert "'Failsworth East'" in message and "'Failsworth West'" in message
    assert unknown_ward_message("Coldhurts", table).endswith("did you mean 'Coldhurst'?")
    # A slip of case or spacing names that ward alone.
    assert unknown_ward_message("chadderton north ", table).endswith(
        "did you mean 'Chadderton North'?"
    )
