"""docs/odd.md, the ODD description of the model, cannot drift from the code.

* It has the seven ODD sections (Grimm et al. 2020) and the closing evidence section.
* Every parameter path it names (in backticks, or in an equation block) exists in the
  schema: ``thriving.config.schema.Scenario`` walked field by field, with each investment lever
  as ``investments.<lever name>.<field>`` and the shared fields as
  ``investments.<lever>.<field>``.
* Section 3 names every numbered step of ``NeighbourhoodModel.step`` (in bold, as its
  ``# N. Title.`` comment has it) in order, and every process function the step calls.
* The stochasticity section names every random stream, the observation section every
  recorded column, and the submodels section every lever.
* The key-parameter table (7.11) grades each parameter as the schema does, and its
  table of structural constants quotes each named module constant at its value.
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from thriving.config import schema
from thriving.sim import recording, rng
from thriving.sim.model import NeighbourhoodModel

ODD = Path(__file__).resolve().parent.parent / "docs" / "odd.md"

SECTIONS = (
    "1. Purpose and patterns",
    "2. Entities, state variables and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialisation",
    "6. Input data",
    "7. Submodels",
    "Evidence, confidence and known limitations",
)

TOP_LEVEL = tuple(schema.Scenario.model_fields)

# A schema path: lower-case snake_case segments joined by dots, starting with a top-level
# block of the scenario (so `network.py`, `network.TieTable` and `network.households()`
# are not mistaken for one). `<lever>` stands for any lever.
_SEGMENT = r"(?:[a-z][a-z0-9_]*|<lever>)"
_PATH = rf"(?:{'|'.join(TOP_LEVEL)})(?:\.{_SEGMENT})+"
CODE_SPAN = re.compile(r"`([^`\n]+)`")
BARE_PATH = re.compile(rf"(?<![\w./])({_PATH})(?![\w(])")  # after "/": a file path
FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.S | re.M)


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _walk(model: type[BaseModel], prefix: str) -> set[str]:
    paths = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        paths.add(path)
        sub = _model_of(field.annotation)
        if sub is not None and name != "investments":
            paths |= _walk(sub, path)
    return paths


def _lever_classes() -> dict[str, type[schema.InvestmentBase]]:
    classes = {}
    for annotation in typing.get_args(typing.get_args(schema.Investment)[0]):
        (name,) = typing.get_args(annotation.model_fields["lever"].annotation)
        classes[name] = annotation
    return classes


def schema_paths() -> set[str]:
    """Every valid dotted path of a scenario, blocks included."""
    paths = _walk(schema.Scenario, "")
    shared = set(schema.InvestmentBase.model_fields)
    paths |= {f"investments.<lever>.{name}" for name in shared}
    paths.add("investments.<lever>")
    for lever, cls in _lever_classes().items():
        paths.add(f"investments.{lever}")
        paths |= {f"investments.{lever}.{name}" for name in cls.model_fields if name != "lever"}
    return paths


@pytest.fixture(scope="module")
def text() -> str:
    assert ODD.is_file(), "docs/odd.md is missing"
    return ODD.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """Body of the `## heading` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/odd.md has no section '## {heading}'"
    return match.group(1)


def mentioned_paths(text: str) -> set[str]:
    """Schema-looking paths in inline code spans and in equation blocks.

    A path followed by ``(`` is a function (``network.households()``), and one with a
    capital letter is a class or constant (``network.TieTable``), so neither counts.
    """
    code = FENCE.findall(text) + CODE_SPAN.findall(FENCE.sub("", text))
    return {path for chunk in code for path in BARE_PATH.findall(chunk)}


def test_schema_walk_finds_every_lever():
    assert set(_lever_classes()) == set(schema.LEVERS)
    paths = schema_paths()
    for expected in (
        "loneliness.threshold",
        "services.gp.base_rate",
        "investments.social_prescribing.uptake",
        "investments.<lever>.budget_per_year",
    ):
        assert expected in paths


@pytest.mark.parametrize("heading", SECTIONS)
def test_has_the_odd_sections(text, heading):
    section(text, heading)


def test_sections_in_odd_order(text):
    positions = [text.index(f"## {heading}") for heading in SECTIONS]
    assert positions == sorted(positions)


def test_every_parameter_path_exists_in_the_schema(text):
    found = mentioned_paths(text)
    assert len(found) > 50, "too few parameter paths found: has the path pattern broken?"
    unknown = sorted(found - schema_paths())
    assert not unknown, f"docs/odd.md names parameters the schema does not have: {unknown}"


def step_titles() -> list[str]:
    """Numbered steps of NeighbourhoodModel.step, from its `# N. Title.` comments."""
    source = inspect.getsource(NeighbourhoodModel.step)
    titles = []
    for number, title in re.findall(r"^\s*#\s*(\d+)\.\s+(.+)$", source, re.M):
        titles.append((int(number), re.split(r"[;(]", title)[0].strip().rstrip(".")))
    assert titles, "no numbered steps found in NeighbourhoodModel.step"
    assert [n for n, _ in titles] == list(range(1, len(titles) + 1))
    return [t for _, t in titles]


def step_calls() -> set[str]:
    """Process functions the weekly step calls (not numpy, not private helpers)."""
    source = inspect.getsource(NeighbourhoodModel.step)
    names = set()
    modules = r"(?:groups_mod|health|loneliness|network|services)"
    names |= set(re.findall(rf"\b{modules}\.([A-Za-z][\w.]*)\(", source))
    names |= set(re.findall(r"\bself\.(?:ties|groups|builder|recorder)\.([a-z]\w*)\(", source))
    names |= set(re.findall(r"\bself\.([a-z]\w*)\(", source))
    names |= set(re.findall(r"\blever\.([a-z]\w*)\(", source))
    names |= set(re.findall(r"\bself\.(_(?:serve|renew|summarise))\(", source))
    return names


def _plain(s: str) -> str:
    return re.sub(r"\s+", " ", s).lower()


def test_section_3_lists_every_step_in_order(text):
    body = _plain(section(text, SECTIONS[2]))
    positions = []
    for title in step_titles():
        bold = _plain(f"**{title}**")
        assert bold in body, f"section 3 does not name the step '{title}' (in bold)"
        positions.append(body.index(bold))
    assert positions == sorted(positions), "section 3 lists the steps out of order"


def test_section_3_names_every_process_function(text):
    body = section(text, SECTIONS[2])
    calls = step_calls()
    assert len(calls) > 10
    missing = sorted(name for name in calls if f"{name}(" not in body)
    assert not missing, f"section 3 does not name these functions of the step: {missing}"


def test_stochasticity_names_every_stream(text):
    body = section(text, SECTIONS[3])
    missing = [name for name in rng.STREAMS if f"`{name}`" not in body]
    assert not missing, f"section 4 does not name these random streams: {missing}"


def test_observation_names_every_recorded_column(text):
    body = section(text, SECTIONS[3])
    missing = [c for c in recording.BOROUGH_COLUMNS if f"`{c}`" not in body]
    assert not missing, f"section 4 (observation) does not list these columns: {missing}"


def test_submodels_describe_every_lever(text):
    body = section(text, SECTIONS[6])
    missing = [lever for lever in schema.LEVERS if f"(`{lever}`)" not in body]
    assert not missing, f"section 7 has no subsection for these levers: {missing}"


def _confidence(path: str) -> str | None:
    """The schema's confidence grade of a parameter (None for plain fields)."""
    parts = path.split(".")
    if parts[0] == "investments":
        lever, name = parts[1], parts[2]
        cls = schema.InvestmentBase if lever == "<lever>" else _lever_classes()[lever]
        field = cls.model_fields[name]
    else:
        model: type[BaseModel] = schema.Scenario
        for part in parts[:-1]:
            model = _model_of(model.model_fields[part].annotation)
        field = model.model_fields[parts[-1]]
    extra = field.json_schema_extra or {}
    return extra.get("confidence")


def test_key_parameter_table_confidence_matches_the_schema(text):
    body = section(text, SECTIONS[6])
    table = body[body.index("### 7.11") :]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    checked = 0
    for row in rows:
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        grades = {g.strip() for g in cells[-1].split(",")}
        if not grades <= {"high", "medium", "low"}:
            continue  # another table (structural constants)
        for path in BARE_PATH.findall(cells[0]):
            assert _confidence(path) in grades, (
                f"7.11 grades {path} as {cells[-1]}; the schema says {_confidence(path)}"
            )
            checked += 1
    assert checked > 20


# A constant named in the structural-constants table: `module.UPPER_CASE_NAME`.
CONSTANT = re.compile(r"^`([a-z_]+)\.([A-Z][A-Z0-9_]*)`$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _layer_module(module: str):
    """``thriving.<layer>.<module>`` for a short module name the ODD uses (``network``)."""
    for layer in ("sim", "config", "runs", "analysis"):
        try:
            return importlib.import_module(f"thriving.{layer}.{module}")
        except ModuleNotFoundError:
            continue
    raise AssertionError(f"7.11 names a module thriving has not got: {module}")


def test_structural_constants_match_the_code(text):
    body = section(text, SECTIONS[6])
    table = body[body.index("**Structural constants in the code**") :]
    checked = 0
    for line in table.splitlines():
        if not line.startswith("| "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3:
            continue
        match = CONSTANT.match(cells[1])
        if match is None:
            continue  # a function or module, not a named constant
        module, name = match.groups()
        value = getattr(_layer_module(module), name)
        quoted = NUMBER.search(cells[2])
        assert quoted, f"7.11 gives no number for {module}.{name}"
        assert float(quoted.group()) == pytest.approx(float(value)), (
            f"7.11 quotes {module}.{name} as {cells[2]}; the code has {value}"
        )
        checked += 1
    assert checked >= 5, "too few constants checked: has the table's layout changed?"
