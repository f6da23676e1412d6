"""Fuzzing the scenario loader: whatever is in the file, only ScenarioError comes out.

Random bytes, random YAML-like text and random nested mappings built from the schema's
own names all go through :func:`load_scenario`. It must return a Scenario or raise a
ScenarioError whose every line has the ``FILE[:LINE]: path: message`` form; anything else
(a KeyError, a RecursionError, a pydantic error) would reach an analyst as a traceback.
"""

from __future__ import annotations

import math
import re
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from thriving.config.errors import ScenarioError
from thriving.config.scenario import load_scenario, parse_set_options, scenario_to_yaml
from thriving.config.schema import LEVERS, MAX_BUDGET_GBP, MAX_RESIDENTS, Scenario
from thriving.config.wards import load_ward_table

# Reproducible in CI (the same examples every run) and without a deadline, since the
# first call of the loader imports pydantic's validators.
FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PROBLEM_LINE = re.compile(r"^[^:\n]+?(?::\d+)?: [^:\s][^:\n]*?: \S.*$")


def _schema_names(model: type[BaseModel], seen: set[type]) -> set[str]:
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for candidate in _classes(info.annotation):
            if candidate not in seen:
                seen.add(candidate)
                names |= _schema_names(candidate, seen)
    return names


def _classes(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _classes(arg)
    for arg in getattr(annotation, "__metadata__", ()) or ():
        yield from _classes(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        yield from _classes(origin)


KEYS = sorted(_schema_names(Scenario, set()) | set(LEVERS) | {"extends", "most_deprived"})
WARDS = [str(name) for name in load_ward_table(None).names]

keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from([*LEVERS, *WARDS, "all", "", "..", "/", "/dev/zero", "scenario.yaml"]),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)
documents = st.dictionaries(keys, values, max_size=8)

# Schema-shaped documents reach deeper: a name, sections, and investments with real levers.
investment = st.fixed_dictionaries(
    {"lever": st.one_of(st.sampled_from(LEVERS), st.text(max_size=8), values)},
    optional={
        "budget_per_year": scalars,
        "start_year": st.integers(-2, 60),
        "end_year": st.integers(-2, 60),
        "wards": st.one_of(
            st.just("all"),
            st.lists(st.one_of(st.sampled_from(WARDS), st.text(max_size=10)), max_size=4),
            st.fixed_dictionaries({"most_deprived": st.integers(-1, 30)}),
            values,
        ),
        "uptake": scalars,
        "ramp_up_weeks": scalars,
    },
)
shaped = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=10), scalars)},
    optional={
        "population": st.dictionaries(
            st.sampled_from(["residents", "moves_per_year", "wards_file", "residnts"]),
            scalars,
            max_size=3,
        ),
        "horizon": st.dictionaries(
            st.sampled_from(["years", "burn_in_years"]), scalars, max_size=2
        ),
        "investments": st.one_of(st.lists(investment, max_size=4), values),
        "network": st.dictionaries(keys, scalars, max_size=3),
        "extends": scalars,
    },
)

yamlish = st.lists(
    st.one_of(
        st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\n\t .\\")),
        st.sampled_from(list(string.ascii_letters + string.digits)),
        st.sampled_from(["name: ", "\n  ", "- lever: ", "extends: ", "!!python/", "&a ", "*a"]),
        st.sampled_from([*KEYS, *LEVERS, "1e5", ".nan", ".inf", "0x1F", "~", "null"]),
        st.characters(),
    ),
    max_size=120,
).map("".join)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # Module-scoped: Hypothesis runs many examples per test, each rewriting one file.
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _load_or_problems(path: Path, overrides: dict[str, Any] | None = None) -> Scenario | None:
    """Load; on ScenarioError check every problem line's form. Anything else fails."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as err:
        for line in str(err).splitlines():
            assert PROBLEM_LINE.match(line), line
        return None


@FUZZ
@given(content=st.binary(max_size=2_000))
def test_random_bytes(workdir: Path, content: bytes) -> None:
    path = workdir / "bytes.yaml"
    path.write_bytes(content)
    _load_or_problems(path)


@FUZZ
@given(text=yamlish)
def test_random_yamlish_text(workdir: Path, text: str) -> None:
    path = workdir / "text.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _load_or_problems(path)


@FUZZ
@given(document=st.one_of(documents, shaped))
def test_random_mappings(workdir: Path, document: dict[str, Any]) -> None:
    path = workdir / "mapping.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _load_or_problems(path)


@FUZZ
@given(overrides=st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=30)), values))
def test_random_overrides(workdir: Path, overrides: dict[str, Any]) -> None:
    path = workdir / "base.yaml"
    path.write_text("name: Base\ninvestments:\n  - lever: access\n", encoding="utf-8")
    _load_or_problems(path, overrides)


@FUZZ
@given(items=st.lists(st.text(max_size=40), max_size=5))
def test_random_set_options(items: list[str]) -> None:
    try:
        parsed = parse_set_options(items)
    except ScenarioError as err:
        assert err.exit_code == 2
        for line in str(err).splitlines():
            assert PROBLEM_LINE.match(line), line
    else:
        assert len(parsed) == len(items)


valid_investment = st.fixed_dictionaries(
    {
        "budget_per_year": st.floats(0, MAX_BUDGET_GBP),
        "start_year": st.integers(1, 3),
        "end_year": st.integers(3, 5),
        "wards": st.one_of(
            st.just("all"),
            st.lists(st.sampled_from(WARDS), min_size=1, max_size=5, unique=True),
            st.builds(lambda n: {"most_deprived": n}, st.integers(1, len(WARDS))),
        ),
    }
)


@FUZZ
@given(
    residents=st.integers(100, MAX_RESIDENTS),
    years=st.integers(5, 50),
    levers=st.lists(st.sampled_from(LEVERS), unique=True, max_size=len(LEVERS)),
    entries=st.lists(valid_investment, min_size=len(LEVERS), max_size=len(LEVERS)),
    name=st.text(min_size=1, max_size=40),
)
def test_round_trip_of_valid_scenarios(
    workdir: Path,
    residents: int,
    years: int,
    levers: list[str],
    entries: list[dict[str, Any]],
    name: str,
) -> None:
    path = workdir / "valid.yaml"
    path.write_text("name: Generated\n", encoding="utf-8")
    overrides: dict[str, Any] = {
        "name": name,
        "population.residents": residents,
        "horizon.years": years,
    }
    for lever, entry in zip(levers, entries, strict=False):
        overrides[f"investments.{lever}"] = entry
    scenario = load_scenario(path, overrides)
    assert math.isfinite(sum(inv.budget_per_year for inv in scenario.investments))
    resolved = workdir / "resolved.yaml"
    resolved.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    assert load_scenario(resolved) == scenario
