"""Generate the parameter reference and the JSON Schema from the scenario schema.

``python -m thriving.config.paramdoc`` rewrites ``docs/parameters.md`` and
``docs/scenario.schema.json`` from :mod:`thriving.config.schema`, so that the documentation can
never say something the code does not. ``python -m thriving.config.paramdoc --check`` writes
nothing and exits 1 if either file is out of date (the test suite runs the same check).

Every table row is read from the pydantic model: the default, the validation bounds
(``ge``/``le``/``gt``/``lt``, which pydantic keeps as ``annotated_types`` metadata), and the
documentation metadata declared with :func:`thriving.config.schema.param` (``unit``, ``source``,
``confidence``, ``plausible``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from thriving.config import schema

PARAMETERS_MD = Path("docs") / "parameters.md"
SCHEMA_JSON = Path("docs") / "scenario.schema.json"

COLUMNS = (
    "parameter",
    "default",
    "allowed range",
    "plausible range",
    "unit",
    "source",
    "confidence",
    "description",
)

# Top-level scenario fields that are not model parameters (documented in the intro).
SCENARIO_FIELDS = ("name", "description", "investments")


@dataclass(frozen=True)
class Row:
    """One documented field: its dotted path and what the schema says about it."""

    path: str
    field: FieldInfo

    @property
    def extra(self) -> dict[str, Any]:
        """Documentation metadata declared with ``param()`` (empty for plain fields)."""
        extra = self.field.json_schema_extra
        return extra if isinstance(extra, dict) else {}

    @property
    def is_numeric(self) -> bool:
        """True for int or float fields (bool excluded)."""
        return _is_numeric(self.field.annotation)

    def cells(self) -> list[str]:
        """Return the table cells, in the order of :data:`COLUMNS`."""
        extra = self.extra
        plausible = extra.get("plausible")
        return [
            f"`{self.path}`",
            format_default(self.field),
            format_bounds(self.field),
            f"{format_number(plausible[0])} to {format_number(plausible[1])}" if plausible else "",
            str(extra.get("unit", "")),
            str(extra.get("source", "")),
            str(extra.get("confidence", "")),
            self.field.description or "",
        ]


@dataclass(frozen=True)
class Block:
    """A table: a parameter block of the scenario (``network``, ``services.gp``, a lever)."""

    title: str
    summary: str
    rows: tuple[Row, ...]
    note: str = ""


def _is_numeric(annotation: Any) -> bool:
    return annotation in (int, float)


def _model_class(annotation: Any) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _summary(model: type[BaseModel]) -> str:
    """Return the first paragraph of a class docstring, on one line."""
    doc = inspect.cleandoc(model.__doc__ or "")
    return " ".join(doc.split("\n\n")[0].split())


def lever_classes() -> list[type[schema.InvestmentBase]]:
    """Return the investment lever classes, in the order of the scenario schema."""
    (item,) = typing.get_args(schema.Scenario.model_fields["investments"].annotation)
    union = typing.get_args(item)[0]  # Annotated[Union[...], Field(discriminator)]
    classes = [c for c in typing.get_args(union) if _model_class(c) is not None]
    if not classes:
        raise TypeError(f"unexpected investments annotation: {item!r}")
    return classes


def lever_name(cls: type[BaseModel]) -> str:
    """Return the ``lever:`` value of an investment class."""
    (name,) = typing.get_args(cls.model_fields["lever"].annotation)
    return name


def _rows(model: type[BaseModel], prefix: str, skip: tuple[str, ...] = ()) -> list[Row]:
    return [
        Row(f"{prefix}{name}", field)
        for name, field in model.model_fields.items()
        if name not in skip and _model_class(field.annotation) is None
    ]


def _walk(model: type[BaseModel], path: str) -> Iterator[Block]:
    rows = _rows(model, f"{path}.")
    if rows:
        yield Block(path, _summary(model), tuple(rows))
    for name, field in model.model_fields.items():
        sub = _model_class(field.annotation)
        if sub is not None:
            yield from _walk(sub, f"{path}.{name}")


def blocks() -> list[Block]:
    """Every table of the reference, in scenario order, then the investment levers."""
    out: list[Block] = []
    for name, field in schema.Scenario.model_fields.items():
        sub = _model_class(field.annotation)
        if sub is not None:
            out.extend(_walk(sub, name))
    common = tuple(name for name in schema.InvestmentBase.model_fields)
    out.append(
        Block(
            "investments (every lever)",
            "Fields every entry of `investments:` has, whatever its lever. In a dotted "
            "path (as in `--set`), `<lever>` stands for the lever's name, for example "
            "`investments.social_prescribing.budget_per_year`.",
            tuple(_rows(schema.InvestmentBase, "investments.<lever>.")),
        )
    )
    for cls in lever_classes():
        lever = lever_name(cls)
        out.append(
            Block(
                f"investments: {lever}",
                _summary(cls),
                tuple(_rows(cls, f"investments.{lever}.", skip=(*common, "lever"))),
                note=f"Written as an entry of `investments:` with `lever: {lever}`, "
                "together with the fields every lever has.",
            )
        )
    return out


def all_rows() -> list[Row]:
    """Every documented field, investment fields included."""
    return [row for block in blocks() for row in block.rows]


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """Format a number for a table: thousands separators, no float noise.

    Examples
    --------
    >>> format_number(185000), format_number(0.035), format_number(1e10), format_number(2.0)
    ('185,000', '0.035', '10,000,000,000', '2')
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.10f}".rstrip("0")
    return str(value)


def format_default(field: FieldInfo) -> str:
    """Return the default as a scenario file would spell it."""
    if field.is_required():
        return "(required)"
    default = field.get_default(call_default_factory=True)
    if default is None:
        return "(none)"
    if isinstance(default, int | float) and not isinstance(default, bool):
        return format_number(default)
    if isinstance(default, str):
        return f"`{default}`" if default else '`""`'
    return f"`{default}`"


def format_bounds(field: FieldInfo) -> str:
    """Return the validation bounds in words.

    Examples
    --------
    >>> from pydantic import Field
    >>> format_bounds(Field(1, ge=0, le=1)), format_bounds(Field(1, gt=0, le=1))
    ('0 to 1', 'above 0, at most 1')
    >>> format_bounds(Field(1, ge=2)), format_bounds(Field(1))
    ('at least 2', '')
    >>> from typing import Literal
    >>> from pydantic.fields import FieldInfo
    >>> format_bounds(FieldInfo.from_annotation(Literal["a", "b"]))
    '`a` or `b`'
    """
    choices = (
        typing.get_args(field.annotation)
        if typing.get_origin(field.annotation) is typing.Literal
        else ()
    )
    if choices:
        return " or ".join(f"`{choice}`" for choice in choices)
    low = high = None
    low_open = high_open = False
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    if low is not None and high is not None and not (low_open or high_open):
        return f"{format_number(low)} to {format_number(high)}"
    parts = []
    if low is not None:
        parts.append(f"{'above' if low_open else 'at least'} {format_number(low)}")
    if high is not None:
        parts.append(f"{'below' if high_open else 'at most'} {format_number(high)}")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(title: str) -> str:
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _table(block: Block) -> list[str]:
    lines = [f"## {block.title}", "", block.summary]
    if block.note:
        lines += ["", block.note]
    lines += [
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row.cells()) + " |" for row in block.rows]
    return [*lines, ""]


INTRO = """\
# Parameters

<!-- Generated by `python -m thriving.config.paramdoc` from model/thriving/config/schema.py.
     Do not edit by hand: change the schema and run the command again. -->

Every number the model uses, with its default, the range a scenario may set it to, the
range the evidence supports, its unit, where the default comes from and how far to trust
it. Money is in 2023/24 prices. A scenario file only needs to mention the parameters it
changes; everything else keeps the default shown here. The source notes refer to the
project's evidence review and baseline-rate tables; `docs/calibration.md` (coming) will
show how the calibrated values were fitted.

## How far to trust these numbers

Each parameter has a confidence grade. Of the {n_graded} graded parameters, {n_high} are
**high**, {n_medium} **medium** and {n_low} **low**.

- **High** means the default comes from a national statistic, a large study or a fixed
  convention: national service-use rates, NHS unit costs, the Green Book discount rate, and
  social prescribing's effect on GP appointments from the one large study with a comparison
  group (Wilding et al. 2025, 15.7 million patients). Scenario choices such as budgets and
  horizons are also graded high, because the analyst sets them.
- **Calibrated** parameters ({n_calibrated} of them; source starting "calibrated") were not
  measured directly. They are tuned so the no-investment baseline reproduces published
  rates, such as the share of adults who are lonely or GP appointments per person per year.
  Their grade says how tightly those rates pin them down.
- **Low** means an illustrative judgement or weak evidence. Typical examples are how fast
  ties fade, how much a neighbourhood team slows the growth of need, and how strongly
  loneliness spreads between friends (contested evidence). {n_illustrative} parameters
  are marked "illustrative" in their source.

Before drawing conclusions from a result, check how it depends on the low-confidence
parameters: sweep them across their plausible range, or across a range you can defend
where none is given, and report how the answer moves. The effects of the investment levers
are mostly low confidence. Controlled studies of social prescribing find much smaller
effects than before-and-after evaluations, which overstate them through regression to the
mean.

"Allowed range" is what the model accepts; values outside it are rejected with an error.
"Plausible range" is what the evidence supports, and is the range to use for sensitivity
sweeps.

## What a scenario file contains

Besides the blocks below, a scenario has a `name`, an optional `description`, and a list of
`investments`. Each investment has a `lever` (one of {levers}) and the fields listed under
"investments" below. A scenario can start from another with `extends: other.yaml` and
change only what differs.

## Blocks

{toc}
"""


def render_parameters_md() -> str:
    """Return the text of ``docs/parameters.md``."""
    all_blocks = blocks()
    graded = [r for r in all_rows() if "confidence" in r.extra]
    sources = [str(r.extra.get("source", "")) for r in graded]
    text = INTRO.format(
        n_graded=len(graded),
        n_high=sum(r.extra["confidence"] == "high" for r in graded),
        n_medium=sum(r.extra["confidence"] == "medium" for r in graded),
        n_low=sum(r.extra["confidence"] == "low" for r in graded),
        n_calibrated=sum(s.lower().startswith("calibrated") for s in sources),
        n_illustrative=sum("illustrative" in s.lower() for s in sources),
        levers=", ".join(f"`{lv}`" for lv in schema.LEVERS),
        toc="\n".join(f"- [{b.title}](#{_anchor(b.title)})" for b in all_blocks),
    )
    body = [line for block in all_blocks for line in _table(block)]
    return text + "\n" + "\n".join(body)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema for scenario files, for editor completion and checking.

    It is ``Scenario.model_json_schema()`` plus the ``extends`` key, which a scenario file
    may use to start from another file (the loader resolves it before validation).
    """
    out = schema.Scenario.model_json_schema()
    out["properties"] = {
        "extends": {
            "title": "Extends",
            "description": "Another scenario file (relative to this one) to start from; "
            "this file only lists what differs.",
            "type": "string",
        },
        **out["properties"],
    }
    return {
        "$comment": "Generated by `python -m thriving.config.paramdoc` from "
        "model/thriving/config/schema.py. Do not edit by hand.",
        **out,
    }


def render_schema_json() -> str:
    """Return the text of ``docs/scenario.schema.json``."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def outputs() -> dict[Path, str]:
    """Return the generated files (relative to the repository root) and their text."""
    return {PARAMETERS_MD: render_parameters_md(), SCHEMA_JSON: render_schema_json()}


def stale(root: Path) -> list[Path]:
    """Return the generated files under ``root`` that are missing or out of date."""
    out = []
    for rel, text in outputs().items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(rel)
    return out


def write(root: Path) -> list[Path]:
    """Write the generated files under ``root``; return those that changed."""
    changed = stale(root)
    for rel, text in outputs().items():
        if rel in changed:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return changed


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` with ``pyproject.toml`` and ``docs/``."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "docs").is_dir():
            return folder
    return None


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m thriving.config.paramdoc",
        description="Regenerate docs/parameters.md and docs/scenario.schema.json "
        "from the scenario schema.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: found from here)"
    )
    args = parser.parse_args(argv)
    root = args.root or find_root(Path.cwd().resolve())
    if root is None:
        print(
            "error: run this from inside the Thriving repository (no pyproject.toml with "
            "a docs/ folder found here or above), or pass --root",
            file=sys.stderr,
        )
        return 2
    if args.check:
        out_of_date = stale(root)
        for rel in out_of_date:
            print(
                f"{rel} is out of date: run `python -m thriving.config.paramdoc`", file=sys.stderr
            )
        return 1 if out_of_date else 0
    for rel in write(root):
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
