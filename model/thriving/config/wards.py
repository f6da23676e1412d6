"""The ward table: the borough's wards, their adults, deprivation and household mix.

A council replaces the Oldham-like table shipped with Thriving by pointing
``population.wards_file`` at its own CSV with these columns (any order, one row per ward):

========================  ==============================================================
``ward``                  ward name, as scenario files use it; unique, not empty
``adults``                adults (18+) living in the ward; 50 to 1,000,000
``deprivation``           relative score from 0 (least deprived) to 1 (most deprived)
``share_65_plus``         share of the ward's adults aged 65 or over, 0 to 1
``share_living_alone``    share of the ward's adults living alone, 0 to 1
``source``                where the row's numbers come from (free text, may be empty)
========================  ==============================================================

Every problem in the file is reported at once, each with the file, the line and the
column, so a table exported from Excel can be fixed in one pass.
"""

from __future__ import annotations

import csv
import difflib
import importlib.resources
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thriving.config.errors import WHOLE_FILE, Problem, ScenarioError

#: Columns of a ward table, in the order they are documented.
COLUMNS = ("ward", "adults", "deprivation", "share_65_plus", "share_living_alone", "source")

#: Columns holding a 0..1 score or share, with the plain-English name used in messages.
_UNIT_COLUMNS = {
    "deprivation": "a deprivation score",
    "share_65_plus": "a share",
    "share_living_alone": "a share",
}

#: A ward table is a few hundred rows at most; this only stops a wrong file being read.
MAX_WARD_TABLE_BYTES = 5_000_000

#: Fewest and most adults a ward can have. The smallest wards in England (City of London,
#: the Isles of Scilly) have a few hundred residents and the largest about 35,000 adults;
#: a value outside these bounds is a wrong column, a wrong unit or a typo, and would turn
#: into wrong numbers (0.7 adults; 10^15 adults, whose shares overflow).
MIN_WARD_ADULTS = 50
MAX_WARD_ADULTS = 1_000_000
#: Most adults a borough can have (England's largest local authority has about 1 million
#: adults; this allows a combined authority or region).
MAX_BOROUGH_ADULTS = 20_000_000

#: Characters a ward name may not hold (a line break or tab breaks messages and CSVs).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Thousands separators as Excel writes them for counts ("12,345"), never decimal commas.
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True, eq=False)
class WardTable:
    """The wards of a borough, one array entry per ward, in table order.

    Attributes
    ----------
    names : (n_wards,) object
        Ward names (str).
    adults : (n_wards,) float64
        Adults in each ward.
    deprivation : (n_wards,) float64
        Relative deprivation, 0 (least) to 1 (most deprived).
    share_65_plus : (n_wards,) float64
        Share of adults aged 65 or over.
    share_living_alone : (n_wards,) float64
        Share of adults living alone.
    sources : (n_wards,) object
        Where each row's numbers come from (str).
    file : str
        The CSV the table was read from (for messages).

    The arrays are read-only: a ward table is shared by every run of a sweep.
    """

    names: np.ndarray
    adults: np.ndarray
    deprivation: np.ndarray
    share_65_plus: np.ndarray
    share_living_alone: np.ndarray
    sources: np.ndarray
    file: str = ""
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        arrays = (
            self.names,
            self.adults,
            self.deprivation,
            self.share_65_plus,
            self.share_living_alone,
            self.sources,
        )
        if len({len(a) for a in arrays}) != 1:
            raise ValueError("every column of a ward table must have one entry per ward")
        for array in arrays:
            array.flags.writeable = False
        object.__setattr__(self, "_index", {str(n): i for i, n in enumerate(self.names)})
        if len(self._index) != len(self.names):
            raise ValueError("ward names must be unique")

    @property
    def n_wards(self) -> int:
        """Number of wards."""
        return len(self.names)

    def most_deprived(self, n: int) -> list[str]:
        """Names of the ``n`` most deprived wards, most deprived first.

        Wards with equal scores keep their order in the table, so the choice is the same
        on every machine.

        Parameters
        ----------
        n
            How many wards, from 0 to ``n_wards``.

        Returns
        -------
        list of str
            Ward names.

        Examples
        --------
        >>> table = WardTable.from_columns(
        ...     names=["A", "B", "C"], adults=[100, 200, 300],
        ...     deprivation=[0.5, 0.9, 0.5], share_65_plus=[0.2] * 3,
        ...     share_living_alone=[0.1] * 3)
        >>> table.most_deprived(2)
        ['B', 'A']
        """
        if not 0 <= n <= self.n_wards:
            raise ValueError(
                f"asked for the {n} most deprived wards, but the ward table has "
                f"{self.n_wards} wards"
            )
        order = np.argsort(-self.deprivation, kind="stable")
        return [str(name) for name in self.names[order[:n]]]

    def index_of(self, names: str | Iterable[str]) -> np.ndarray:
        """Positions of wards in the table.

        Parameters
        ----------
        names
            One ward name or several.

        Returns
        -------
        (k,) intp
            Table positions, in the order the names were given.

        Raises
        ------
        KeyError
            If a name is not in the table; the message suggests the nearest name.
        """
        if isinstance(names, str):
            names = [names]
        positions = []
        for name in names:
            if name not in self._index:
                raise KeyError(unknown_ward_message(name, self))
            positions.append(self._index[name])
        return np.asarray(positions, dtype=np.intp)

    @classmethod
    def from_columns(
        cls,
        *,
        names: Iterable[str],
        adults: Iterable[float],
        deprivation: Iterable[float],
        share_65_plus: Iterable[float],
        share_living_alone: Iterable[float],
        sources: Iterable[str] | None = None,
        file: str = "",
    ) -> WardTable:
        """Build a table from Python sequences (for tests and programmatic use).

        The values are not range-checked here; :func:`load_ward_table` does that for files.
        """
        name_array = np.array(list(names), dtype=object)
        source_list = [""] * len(name_array) if sources is None else list(sources)
        return cls(
            names=name_array,
            adults=np.asarray(list(adults), dtype=np.float64),
            deprivation=np.asarray(list(deprivation), dtype=np.float64),
            share_65_plus=np.asarray(list(share_65_plus), dtype=np.float64),
            share_living_alone=np.asarray(list(share_living_alone), dtype=np.float64),
            sources=np.array(source_list, dtype=object),
            file=file,
        )


def close_ward_names(name: object, names: list[str], limit: int = 5) -> list[str]:
    """Every ward name close to a mistyped or shortened one, best first.

    Close by spelling (difflib, as for field names), by case, or as the first word(s)
    of longer names: "Failsworth" is close to both "Failsworth East" and "Failsworth
    West", and the analyst must be offered both.

    Examples
    --------
    >>> close_ward_names("Failsworth", ["Failsworth East", "Failsworth West", "Hollinwood"])
    ['Failsworth East', 'Failsworth West']
    >>> close_ward_names("chadderton north ", ["Chadderton North", "Chadderton South"])
    ['Chadderton North']
    """
    word = str(name)
    lowered = word.lower().strip()
    same = [n for n in names if n.lower() == lowered]
    if same:  # a slip of case or spacing: that ward, not its neighbours in spelling
        return same[:1]
    found = [n for n in names if lowered and n.lower().startswith(lowered + " ")]
    found += difflib.get_close_matches(word, names, n=limit, cutoff=0.6)
    return list(dict.fromkeys(found))[:limit]


def unknown_ward_message(name: object, table: WardTable) -> str:
    """Say that a ward is not in the table, suggesting every close name."""
    names = [str(n) for n in table.names]
    close = close_ward_names(name, names)
    if close:
        options = " or ".join(repr(n) for n in close)
        return f"unknown ward {name!r}; did you mean {options}?"
    if len(names) <= 30:
        return f"unknown ward {name!r}; the wards are: {', '.join(names)}"
    return f"unknown ward {name!r}; see the ward names in {table.file}"


def packaged_ward_table_path() -> Path:
    """Path of the Oldham-like ward table shipped with Thriving."""
    return Path(str(importlib.resources.files("thriving") / "data" / "oldham_wards.csv"))


def load_ward_table(path: str | Path | None = None) -> WardTable:
    """Read and check a ward table CSV.

    Parameters
    ----------
    path
        The CSV file; None means the Oldham-like table shipped with Thriving.

    Returns
    -------
    WardTable
        The wards, in file order.

    Raises
    ------
    ScenarioError
        Listing every problem in the file, each with the file, line and column.
    """
    if path is None:
        path = packaged_ward_table_path()
    file = str(path)
    text = _read_text(Path(path), file)
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ScenarioError([Problem(file, 1, WHOLE_FILE, f"cannot read the CSV: {exc}")]) from None
    if header is None or not any(cell.strip() for cell in header):
        raise ScenarioError([Problem(file, 1, WHOLE_FILE, "the ward table is empty")])
    columns = [cell.strip().lower() for cell in header]
    separator = _other_separator(columns)
    if separator is not None:
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    WHOLE_FILE,
                    f"the columns are separated by {separator}, not commas; in Excel save the "
                    "table as 'CSV UTF-8 (Comma delimited)'",
                )
            ]
        )
    problems = _check_header(file, columns)
    if problems:
        raise ScenarioError(problems)
    position = {name: columns.index(name) for name in COLUMNS}

    values: dict[str, list] = {name: [] for name in COLUMNS}
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines, often left at the end by spreadsheets
            if len(row) != len(columns):
                problems.append(
                    Problem(
                        file,
                        line,
                        WHOLE_FILE,
                        f"this row has {len(row)} values but the header has {len(columns)} "
                        "columns (a ward name with a comma needs quotes)",
                    )
                )
                continue
            name = row[position["ward"]].strip()
            problems.extend(_check_name(file, line, name, first_line))
            values["ward"].append(name)
            values["source"].append(row[position["source"]].strip())
            for column in COLUMNS[1:5]:
                number, problem = _parse_number(file, line, column, row[position[column]])
                if problem is not None:
                    problems.append(problem)
                values[column].append(number)
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, WHOLE_FILE, f"cannot read the CSV: {exc}"))
    if not problems and not values["ward"]:
        problems.append(Problem(file, 1, WHOLE_FILE, "the ward table has a header but no wards"))
    if not problems and sum(values["adults"]) > MAX_BOROUGH_ADULTS:
        problems.append(
            Problem(
                file,
                None,
                "adults",
                f"the wards hold {sum(values['adults']):,.0f} adults in all; at most "
                f"{MAX_BOROUGH_ADULTS:,} are allowed (a borough, not a country)",
            )
        )
    if problems:
        raise ScenarioError(problems)
    return WardTable.from_columns(
        names=values["ward"],
        adults=values["adults"],
        deprivation=values["deprivation"],
        share_65_plus=values["share_65_plus"],
        share_living_alone=values["share_living_alone"],
        sources=values["source"],
        file=file,
    )


def _read_text(path: Path, file: str) -> str:
    """Read a CSV as UTF-8 text (a BOM from Excel allowed), refusing anything else."""
    try:
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise ScenarioError([Problem(file, None, WHOLE_FILE, f"the ward table {what}")])
        with path.open("rb") as handle:
            data = handle.read(MAX_WARD_TABLE_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ScenarioError(
            [Problem(file, None, WHOLE_FILE, f"cannot read the ward table ({exc})")]
        ) from None
    if len(data) > MAX_WARD_TABLE_BYTES:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    WHOLE_FILE,
                    f"the ward table is larger than {MAX_WARD_TABLE_BYTES // 1_000_000} MB; "
                    "is it the right file?",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            [
                Problem(
                    file,
                    line,
                    WHOLE_FILE,
                    "the ward table is not UTF-8 text; in Excel save it as "
                    "'CSV UTF-8 (Comma delimited)'",
                )
            ]
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScenarioError([Problem(file, line, WHOLE_FILE, "the ward table is not a text file")])
    return text


def _other_separator(columns: list[str]) -> str | None:
    """The separator of a table saved with semicolons or tabs, read as one column."""
    if len(columns) > 1:
        return None
    for mark, words in ((";", "semicolons"), ("\t", "tabs")):
        if mark in columns[0] and "ward" in columns[0]:
            return words
    return None


def _check_header(file: str, columns: list[str]) -> list[Problem]:
    """Problems with the header row: missing, unknown or repeated columns."""
    problems = []
    for column in COLUMNS:
        if column not in columns:
            problems.append(
                Problem(
                    file,
                    1,
                    column,
                    f"missing column {column!r}; a ward table needs the columns "
                    f"{', '.join(COLUMNS)}",
                )
            )
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            problems.append(Problem(file, 1, column, f"the column {column!r} appears twice"))
        seen.add(column)
        if column not in COLUMNS:
            close = difflib.get_close_matches(column, COLUMNS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(COLUMNS)}"
            label = repr(column) if column else "with no name"
            problems.append(
                Problem(file, 1, column or "(empty)", f"unknown column {label}; {hint}")
            )
    return problems


def _check_name(file: str, line: int, name: str, first_line: dict[str, int]) -> list[Problem]:
    """Problems with a ward name: empty, or the same as an earlier ward's."""
    if not name:
        return [Problem(file, line, "ward", "the ward name is empty")]
    if _CONTROL.search(name):
        return [
            Problem(
                file,
                line,
                "ward",
                f"the ward name {name!r} holds a line break or other control character",
            )
        ]
    if len(name) > 100:
        return [Problem(file, line, "ward", "the ward name is longer than 100 characters")]
    key = " ".join(name.split()).casefold()  # "St Mary's" and "st  mary's" are one ward
    if key in first_line:
        return [
            Problem(
                file,
                line,
                "ward",
                f"the ward {name!r} appears twice (lines {first_line[key]} and {line})",
            )
        ]
    first_line[key] = line
    return []


def _parse_number(file: str, line: int, column: str, text: str) -> tuple[float, Problem | None]:
    """Read one numeric cell and check its range; return (value, problem or None)."""
    cell = text.strip()
    if column == "adults" and _THOUSANDS.match(cell):
        cell = cell.replace(",", "")
    try:
        number = float(cell)
    except ValueError:
        got = f"got {text.strip()!r}" if text.strip() else "the cell is empty"
        return math.nan, Problem(file, line, column, f"must be a number ({got})")
    if not math.isfinite(number):
        return number, Problem(file, line, column, f"must be a finite number (got {cell!r})")
    if column == "adults":
        if not MIN_WARD_ADULTS <= number <= MAX_WARD_ADULTS:
            return number, Problem(
                file,
                line,
                column,
                f"must be between {MIN_WARD_ADULTS} and {MAX_WARD_ADULTS:,} adults (got {cell}); "
                "a ward has hundreds to tens of thousands of adults: is it the right column?",
            )
        return number, None
    if not 0 <= number <= 1:
        hint = f"; write {cell} % as {number / 100:g}" if 1 < number <= 100 else ""
        what = _UNIT_COLUMNS[column]
        return number, Problem(
            file, line, column, f"must be {what} between 0 and 1 (got {cell}){hint}"
        )
    return number, None
