"""Scenario files: safe YAML loading with line numbers, ``extends``, overrides, checks.

A scenario file is YAML, checked against :class:`thriving.config.schema.Scenario`. Loading one
goes through these steps, each reporting problems as ``FILE:LINE: field.path: message``:

1. **Read safely.** Only plain YAML is accepted: text, numbers, true/false, null, lists
   and ``key: value`` sections. Refused, each with the line where it happens: tags of any
   kind other than YAML's standard ones (``!!python/object`` and friends), anchors used
   through aliases (``*name``; they add nothing a scenario needs that ``extends`` does
   not, and refusing them rules out "billion laughs" alias bombs), keys given twice,
   nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES` values, files over
   :data:`MAX_FILE_BYTES`, text that is not UTF-8, binary content, tabs used for indentation
   and anything else YAML cannot parse. Numbers in scientific notation without a decimal
   point (``1e5``) are read as numbers, as YAML 1.2 does, not as text.
2. **Resolve ``extends``.** ``extends: base.yaml`` (relative to the extending file) starts
   from another scenario. Sections merge key by key, the extending file winning;
   ``investments`` merge by ``lever``: an entry for a lever the parent already has
   changes only the keys it gives, an entry for a new lever is added. Chains work; loops
   do not. ``population.wards_file`` is resolved against the folder of the file that
   names it, so an inherited ward table still points at the right file.
3. **Apply overrides** (``--set path=value`` on the command line), addressing
   investments by lever name: ``investments.social_prescribing.budget_per_year``.
4. **Validate** with the schema; every problem is reported, with plain-English messages
   and the line the value came from (in the parent file for an inherited value).
5. **Check against the ward table**: named wards must exist, ``{most_deprived: N}``
   must not ask for more wards than there are.

Problems are printed with paths that name investments by lever
(``investments.access.budget_per_year``), the same paths ``--set`` takes; an entry
whose lever is missing, unknown or repeated is named by position (``investments[2]``).
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from thriving import __version__
from thriving.config.errors import WHOLE_FILE, Problem, ScenarioError
from thriving.config.schema import LEVERS, Investment, PopulationConfig, Scenario

__all__ = [
    "LineMap",
    "Location",
    "file_kind",
    "load_scenario",
    "load_scenario_mapping",
    "parse_set_options",
    "read_yaml_mapping",
    "scenario_to_yaml",
    "validation_problems",
]

#: Largest scenario file read, in bytes. Real scenarios are a few kilobytes.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of sections and lists accepted (a real scenario nests about 4 deep).
MAX_DEPTH = 50
#: Most values (scalars, lists and sections) in one file. A real scenario has a few
#: hundred; the limit keeps a malicious or mistaken file from costing seconds to refuse.
MAX_NODES = 20_000
#: Longest chain of ``extends``.
MAX_EXTENDS_CHAIN = 20

#: File name used in problems with values given on the command line.
SET_FILE = "--set"

PathKey = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_PLAIN_VALUES = (
    "scenario files hold only text, numbers, true/false, lists and 'key: value' sections"
)


# --------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file and a 1-based line (None for ``--set``)."""

    file: str
    line: int | None


class LineMap(Mapping[PathKey, Location]):
    """Where each value of a loaded mapping came from.

    Keys are paths into the plain data, such as ``("investments", 0, "budget_per_year")``.
    For a key of a section the location is the key's line; for a list item, the line
    where the item starts.

    Parameters
    ----------
    entries
        Location of every path.
    root
        Location of the whole document, used for paths that are not in the file (a
        required field that is missing).
    """

    def __init__(self, entries: dict[PathKey, Location], root: Location) -> None:
        self._entries = entries
        self.root = root

    def __getitem__(self, path: PathKey) -> Location:
        return self._entries[tuple(path)]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def locate(self, path: Iterable[str | int]) -> Location:
        """Location of ``path``, or of its nearest ancestor written in a file."""
        key = tuple(path)
        while key:
            if key in self._entries:
                return self._entries[key]
            key = key[:-1]
        return self.root


class _Node:
    """A value while files are merged: plain data plus where it was written.

    ``value`` is a dict of str to _Node, a list of _Node, or a scalar.
    """

    __slots__ = ("value", "where")

    def __init__(self, value: Any, where: Location) -> None:
        self.value = value
        self.where = where


def _unwrap(node: _Node, path: PathKey, entries: dict[PathKey, Location]) -> Any:
    """Plain data from a node tree, recording every path's location in ``entries``."""
    entries[path] = node.where
    if isinstance(node.value, dict):
        return {key: _unwrap(child, (*path, key), entries) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [_unwrap(child, (*path, i), entries) for i, child in enumerate(node.value)]
    return node.value


def _flatten(root: _Node) -> tuple[Any, LineMap]:
    entries: dict[PathKey, Location] = {}
    data = _unwrap(root, (), entries)
    return data, LineMap(entries, root.where)


# --------------------------------------------------------------------------------------
# Safe YAML reading
# --------------------------------------------------------------------------------------


class _Refusal(Exception):
    """Something the reader will not read, found at a line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """A SafeLoader that composes nodes only, and refuses aliases, depth and size bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise _Refusal(
                line,
                f"aliases (*{event.anchor}) are not supported in scenario files; to reuse "
                "settings, put them in a scenario of their own and use 'extends'",
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refusal(line, f"the file holds more than {MAX_NODES:,} values")
        if self._depth >= MAX_DEPTH:
            raise _Refusal(line, f"sections and lists are nested more than {MAX_DEPTH} deep")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# YAML 1.2 reads 1e5 and 2.5E6 as numbers; PyYAML (YAML 1.1) reads them as text unless
# they have a decimal point and a signed exponent. Analysts write 1e5 for £100,000.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


# Whole numbers and true/false as YAML 1.2 reads them. YAML 1.1 (PyYAML's default) reads
# 010 as octal 8, 1:30 as 90 (base 60), 0x10 as 16 and yes/no/on/off as true/false; a
# scenario must not change meaning with the YAML version of the tool that reads it, so
# the forms the two versions read differently are refused with a message saying why
# (010, yes, no, on, off unquoted), and the others are text (1:30, 0x10), which the
# schema then refuses where a number is expected. Underscores between digits (300_000)
# mean the same in both and in Python, so they stay.
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
#: The tag of a plain value YAML 1.1 and 1.2 read differently (refused as a value).
AMBIGUOUS_TAG = "tag:thriving,2026:ambiguous"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _BOOL_TAG)]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    AMBIGUOUS_TAG,
    re.compile(r"^(?:[-+]?0[0-9_]+|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$"),
    list("-+0yYnNoO"),
)


def _ambiguous_message(text: str) -> str:
    """Why a plain value is refused: YAML 1.1 and 1.2 read it differently."""
    if text.lower() in ("yes", "no", "on", "off"):
        return (
            f"{text!r} is read as true/false by some YAML tools and as text by others: "
            "write true or false, or put it in quotes for text"
        )
    plain = text.replace("_", "").lstrip("+-")
    decimal = (text[0] if text[0] == "-" else "") + (plain.lstrip("0") or "0")
    return f"{text!r} starts with 0, which some YAML tools read as an octal number: write {decimal}"


def clip_text(text: str, limit: int = 40) -> str:
    """Shorten user text quoted in a message (a 1 MB key must not make a 1 MB message)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _yaml_error_problem(display: str, exc: yaml.YAMLError) -> Problem:
    """Turn a PyYAML error into a problem with the parser's line, in plain English."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if "'\\t'" in problem or "\\t" in problem:
        message = "a tab is used for indentation here; YAML needs spaces, not tabs"
    elif "expected a single document" in str(context or problem):
        message = "the file holds more than one YAML document ('---'); a scenario is one"
    elif problem.startswith("mapping values are not allowed"):
        message = (
            "a ':' is not expected here; check the indentation of this line and the one "
            "above, and put quotes around text that contains ': '"
        )
    elif problem.startswith("could not find expected ':'"):
        message = "expected 'key: value' here; is a ':' missing, or the indentation wrong?"
    elif "end of stream" in problem and context and "quoted" in context:
        message = f"a quoted text is not closed (the quote opens on line {context_mark.line + 1})"
    elif problem.startswith("expected <block end>"):
        message = "this line's indentation does not line up with the lines above it"
    else:
        message = f"this is not valid YAML: {problem}"
        if context and context_mark is not None and context_mark.line + 1 != line:
            message += f" ({context} that starts on line {context_mark.line + 1})"
    return Problem(display, line, WHOLE_FILE, message)


class _NotAScenario(ScenarioError):
    """The file as a whole cannot be a scenario: missing, too big, binary, empty, a list."""


def _read_text(file: Path, display: str) -> str:
    """Read a YAML file as text, refusing missing, huge, binary or non-UTF-8 files."""
    try:
        if not file.is_file():
            if file.is_dir():
                message = "this is a folder, not a scenario file"
            else:
                message = "the file does not exist"
            raise _NotAScenario([Problem(display, None, WHOLE_FILE, message)], exit_code=2)
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never read more than the limit
    except (OSError, ValueError) as exc:
        raise _NotAScenario(
            [Problem(display, None, WHOLE_FILE, f"cannot read the file ({exc})")]
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise _NotAScenario(
            [
                Problem(
                    display,
                    None,
                    WHOLE_FILE,
                    f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; a scenario "
                    "file is a few kilobytes: is this the right file?",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _NotAScenario(
            [
                Problem(
                    display,
                    line,
                    WHOLE_FILE,
                    "the file is not UTF-8 text (is it a binary file, or saved in another "
                    "encoding?); save it as UTF-8",
                )
            ]
        ) from None
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise _NotAScenario(
            [
                Problem(
                    display,
                    line,
                    WHOLE_FILE,
                    f"the file contains a control character (U+{ord(bad.group()):04X}) that "
                    "has no place in a text file; is it a binary file?",
                )
            ]
        )
    return text


class _TreeBuilder:
    """Build a _Node tree from composed YAML nodes, collecting problems as it goes."""

    def __init__(self, loader: _Loader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.pending: list[tuple[PathKey, int, str]] = []

    def build(self, node: yaml.Node, path: PathKey) -> _Node:
        where = Location(self.display, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, path, _MAP_TAG)
            entries: dict[str, _Node] = {}
            for key_node, value_node in node.value:
                key = self._key(key_node, path)
                if key is None:
                    continue
                key_line = key_node.start_mark.line + 1
                if key in entries:
                    lines = f"lines {entries[key].where.line} and {key_line}"
                    message = f"the key {clip_text(key)!r} appears twice ({lines}); keep one"
                    self.pending.append(((*path, key), key_line, message))
                    continue
                child = self.build(value_node, (*path, key))
                entries[key] = _Node(child.value, Location(self.display, key_line))
            return _Node(entries, where)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, path, _SEQ_TAG)
            return _Node([self.build(item, (*path, i)) for i, item in enumerate(node.value)], where)
        if node.tag == AMBIGUOUS_TAG:
            self.pending.append((path, where.line, _ambiguous_message(node.value)))
            return _Node(None, where)
        if not self._check_tag(node, path, *_STANDARD_TAGS):
            return _Node(None, where)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            self.pending.append(
                (
                    path,
                    where.line,
                    f"cannot read {clip_text(node.value)!r} as {_short_tag(node.tag)}",
                )
            )
            value = None
        return _Node(value, where)

    def _check_tag(self, node: yaml.Node, path: PathKey, *allowed: str) -> bool:
        if node.tag in allowed:
            return True
        self.pending.append(
            (
                path,
                node.start_mark.line + 1,
                f"the tag {clip_text(_short_tag(node.tag))!r} is not allowed: {_PLAIN_VALUES}",
            )
        )
        return False

    def _key(self, node: yaml.Node, path: PathKey) -> str | None:
        """Return a key as text (keys are names, so ``on:`` or ``2024:`` stay as written)."""
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode):
            self.pending.append((path, line, "a key must be a name, not a list or a section"))
            return None
        if not self._check_tag(node, path, *_STANDARD_TAGS, AMBIGUOUS_TAG):
            return None
        if not node.value.strip():
            self.pending.append((path, line, "a value has no name before its ':'"))
            return None
        return node.value

    def problems(self, data: Any) -> list[Problem]:
        return [
            Problem(self.display, line, _display_path(path, data), message)
            for path, line, message in self.pending
        ]


def _compose(text: str, display: str) -> yaml.Node | None:
    """Compose one YAML document, turning every parser failure into a ScenarioError."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except _Refusal as refusal:
        raise ScenarioError([Problem(display, refusal.line, WHOLE_FILE, refusal.message)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([_yaml_error_problem(display, exc)]) from None
    finally:
        loader.dispose()


def _build(node: yaml.Node, display: str) -> _Node:
    builder = _TreeBuilder(_Loader(""), display)  # the loader only constructs scalars
    tree = builder.build(node, ())
    if builder.pending:
        data, _ = _flatten(tree)
        raise ScenarioError(builder.problems(data))
    return tree


def _describe_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:str":
        return f"the text {clip_text(node.value)!r}"
    return f"the single value {clip_text(node.value)!r}"


def _read_document(file: Path, display: str) -> _Node:
    """Read one YAML file whose top level must be a ``key: value`` mapping."""
    text = _read_text(file, display)
    node = _compose(text, display)
    if node is None:
        raise _NotAScenario(
            [Problem(display, 1, WHOLE_FILE, "the file is empty (or holds only comments)")]
        )
    if not isinstance(node, yaml.MappingNode):
        raise _NotAScenario(
            [
                Problem(
                    display,
                    node.start_mark.line + 1,
                    WHOLE_FILE,
                    f"the file must be made of 'key: value' lines, but it holds "
                    f"{_describe_kind(node)}",
                )
            ]
        )
    return _build(node, display)


def read_yaml_mapping(path: str | os.PathLike[str]) -> tuple[dict[str, Any], LineMap]:
    """Read one YAML file safely, keeping the line of every key and list item.

    This is the reader behind scenario files, for other YAML inputs (experiment files)
    that want the same safety and error messages. It does not follow ``extends``.

    Parameters
    ----------
    path
        The file; problems name it as given.

    Returns
    -------
    data : dict
        Plain data (dicts, lists, str, int, float, bool, None, dates).
    lines : LineMap
        Where each value was written.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not safe plain YAML, or is not a mapping.
    """
    display = os.fspath(path)
    return _flatten(_read_document(Path(display), display))


def file_kind(path: str | os.PathLike[str]) -> Literal["scenario", "experiment"]:
    """Whether a YAML file is a scenario or an experiment.

    An experiment has ``scenarios:``, ``baseline:`` or ``replicates:`` at the top level;
    no scenario field has those names.

    Raises
    ------
    ScenarioError
        If the file cannot be read as a YAML mapping.
    """
    data, _ = read_yaml_mapping(path)
    return "experiment" if {"scenarios", "baseline", "replicates"} & data.keys() else "scenario"


def _parse_value(text: str, key: str) -> Any:
    """Read a ``--set`` value as YAML, with the same safety rules as files."""
    if not text.strip():
        return None
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(SET_FILE, None, key, "the value is too long")], exit_code=2)
    try:
        node = _compose(text, SET_FILE)
        data, _ = _flatten(_build(node, SET_FILE)) if node is not None else (None, None)
    except ScenarioError as exc:
        raise ScenarioError(
            [
                Problem(SET_FILE, None, key, f"cannot read the value {text!r}: {p.message}")
                for p in exc.problems
            ],
            exit_code=2,
        ) from None
    return data


# --------------------------------------------------------------------------------------
# extends: merging files
# --------------------------------------------------------------------------------------


def _merge(base: _Node, top: _Node, path: PathKey = ()) -> _Node:
    """Deep-merge ``top`` over ``base``; ``investments`` merge by lever. Inputs untouched."""
    if isinstance(base.value, dict) and isinstance(top.value, dict):
        merged = dict(base.value)
        for key, child in top.value.items():
            merged[key] = _merge(base.value[key], child, (*path, key)) if key in merged else child
        # A section changed from the command line is still best found at its line in a file.
        return _Node(merged, base.where if top.where.line is None else top.where)
    if path == ("investments",) and isinstance(base.value, list) and isinstance(top.value, list):
        where = base.where if top.where.line is None else top.where
        return _Node(_merge_investments(base.value, top.value), where)
    return top


def _lever_of(entry: _Node) -> Any:
    if isinstance(entry.value, dict) and "lever" in entry.value:
        return entry.value["lever"].value
    return None


def _merge_investments(base: list[_Node], top: list[_Node]) -> list[_Node]:
    """Entries for the same lever merge (``top`` wins); entries for new levers append."""
    merged = list(base)
    unclaimed = {}  # lever -> position of the base entry a top entry may still merge into
    for i, entry in enumerate(base):
        lever = _lever_of(entry)
        if isinstance(lever, str):
            unclaimed.setdefault(lever, i)
    for entry in top:
        lever = _lever_of(entry)
        if isinstance(lever, str) and lever in unclaimed:
            position = unclaimed.pop(lever)
            merged[position] = _merge(merged[position], entry, ("investments", position))
        else:
            merged.append(entry)  # a repeated lever stays repeated: validation reports it
    return merged


def _resolve_wards_file(root: _Node, folder: Path) -> _Node:
    """Make ``population.wards_file`` absolute, relative to ``folder``; empty means None.

    ``folder`` is that of the file naming the table, or the working folder for ``--set``.
    """
    population = root.value.get("population")
    if population is None or not isinstance(population.value, dict):
        return root
    wards_file = population.value.get("wards_file")
    if wards_file is None or not isinstance(wards_file.value, str):
        return root
    value = wards_file.value.strip()
    resolved = None
    if value:
        resolved = os.path.abspath(os.path.join(folder, os.path.expanduser(value)))
    new_population = _Node(
        {**population.value, "wards_file": _Node(resolved, wards_file.where)}, population.where
    )
    return _Node({**root.value, "population": new_population}, root.where)


def _load_tree(file: Path, display: str, chain: tuple[Path, ...]) -> _Node:
    """Read a scenario file and everything it extends, merged into one tree."""
    root = _resolve_wards_file(_read_document(file, display), file.parent)
    extends = root.value.get("extends")
    if extends is None:
        return root
    root = _Node({k: v for k, v in root.value.items() if k != "extends"}, root.where)

    def problem(message: str) -> ScenarioError:
        return ScenarioError([Problem(display, extends.where.line, "extends", message)])

    if not isinstance(extends.value, str) or not extends.value.strip():
        raise problem("must be the file name of another scenario, such as 'baseline.yaml'")
    name = extends.value.strip()
    try:
        parent = Path(os.path.abspath(os.path.join(file.parent, os.path.expanduser(name))))
        parent_display = os.path.normpath(os.path.join(os.path.dirname(display), name))
        exists, is_dir = parent.is_file(), parent.is_dir()
    except (OSError, ValueError):
        raise problem(f"{name!r} is not a usable file name") from None
    here = Path(os.path.abspath(file))
    if parent == here:
        raise problem("a scenario cannot extend itself")
    if parent in chain:
        loop = " -> ".join([*(p.name for p in chain[chain.index(parent) :]), here.name, name])
        raise problem(f"'extends' goes round in a loop: {loop}")
    if len(chain) >= MAX_EXTENDS_CHAIN:
        raise problem(f"more than {MAX_EXTENDS_CHAIN} scenarios extend one another")
    if not exists:
        what = "is a folder, not a file" if is_dir else "does not exist"
        raise problem(f"the parent scenario {name!r} {what} (looked for {parent})")
    try:
        base = _load_tree(parent, parent_display, (*chain, here))
    except _NotAScenario as exc:
        reason = exc.problems[0].message
        raise problem(f"the parent {name!r} is not a usable scenario: {reason}") from None
    except ScenarioError as exc:
        lead = problem(f"the parent scenario {name!r} has problems, listed below")
        raise ScenarioError([*lead.problems, *exc.problems]) from None
    return _merge(base, root)


# --------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------

_PATH_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def parse_set_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``--set path=value`` options into an overrides mapping.

    Each value is read as YAML, so ``20000`` is a number, ``[Coldhurst, Werneth]`` a list
    and ``true`` a boolean; quote it for text that looks like something else.

    Parameters
    ----------
    items
        Strings of the form ``path=value``.

    Returns
    -------
    dict
        Dotted path to value, in the order given.

    Raises
    ------
    ScenarioError
        Listing every malformed item (exit code 2: a usage error).

    Examples
    --------
    >>> parse_set_options(["population.residents=20000", "horizon.years=5"])
    {'population.residents': 20000, 'horizon.years': 5}
    """
    result: dict[str, Any] = {}
    problems = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                Problem(
                    SET_FILE,
                    None,
                    _label(item),
                    "expected PATH=VALUE, such as population.residents=20000",
                )
            )
        elif not _PATH_PATTERN.match(key):
            problems.append(
                Problem(
                    SET_FILE,
                    None,
                    _label(key),
                    "a path is field names joined by dots, such as horizon.years or "
                    "investments.access.budget_per_year",
                )
            )
        elif key in result:
            problems.append(Problem(SET_FILE, None, key, "is set twice; give it once"))
        else:
            try:
                result[key] = _parse_value(text, key)
            except ScenarioError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems, exit_code=2)
    return result


def suggest_name(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice nearest to a mistyped word, if one is near enough."""
    choices = list(choices)
    if len(word) > 100:
        return None  # not a mistyped name
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    # A shortened name ("budget" for "budget_per_year") is too far for difflib.
    starting = [c for c in choices if len(word) >= 3 and c.startswith(word)]
    return starting[0] if len(starting) == 1 else None


def unknown_name(kind: str, word: str, choices: Iterable[str]) -> str:
    """Message for an unknown name: the nearest valid one, or the list of valid ones."""
    choices = list(choices)
    guess = suggest_name(word, choices)
    if guess is not None:
        return f"unknown {kind} {clip_text(word)!r}; did you mean {guess!r}?"
    return f"unknown {kind} {clip_text(word)!r}; allowed: {', '.join(choices)}"


def _check_override_path(key: str) -> Problem | None:
    """Check that a dotted override path names a field of the schema."""
    segments = key.split(".")
    model: type[BaseModel] | None = Scenario
    done: list[str] = []
    i = 0
    while i < len(segments):
        segment = segments[i]
        if model is None:
            return Problem(
                SET_FILE, None, key, f"{'.'.join(done)} is a single value; it has no {segment!r}"
            )
        if segment not in model.model_fields:
            return Problem(SET_FILE, None, key, unknown_name("field", segment, model.model_fields))
        done.append(segment)
        if model is Scenario and segment == "investments":
            if i + 1 < len(segments):
                lever = segments[i + 1]
                if lever not in _LEVER_MODELS:
                    return Problem(SET_FILE, None, key, unknown_name("lever", lever, LEVERS))
                if i + 2 < len(segments) and segments[i + 2] == "lever":
                    return Problem(SET_FILE, None, key, "the lever of an entry cannot be changed")
                done.append(lever)
                model = _LEVER_MODELS[lever]
                i += 2
                continue
            model = None
        else:
            model = _pick_model(model.model_fields[segment].annotation, None)
        i += 1
    return None


def _python_to_node(value: Any, key: str, depth: int = 0) -> _Node:
    """Wrap a Python override value as a node located on the command line."""
    where = Location(SET_FILE, None)
    if depth > MAX_DEPTH:
        raise ScenarioError([Problem(SET_FILE, None, key, "the value is nested too deeply")])
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalars from sampled sweeps become plain numbers
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if value is None or isinstance(value, str | bool | int | float):
        return _Node(value, where)
    if isinstance(value, Mapping):
        entries = {}
        for name, child in value.items():
            if not isinstance(name, str):
                raise ScenarioError(
                    [Problem(SET_FILE, None, key, f"the key {name!r} must be text")]
                )
            entries[name] = _python_to_node(child, key, depth + 1)
        return _Node(entries, where)
    if isinstance(value, list | tuple):
        return _Node([_python_to_node(item, key, depth + 1) for item in value], where)
    raise ScenarioError(
        [
            Problem(
                SET_FILE,
                None,
                key,
                f"the value must be text, a number, true/false, a list or a section "
                f"(got a {type(value).__name__})",
            )
        ]
    )


def _overrides_tree(overrides: Mapping[str, Any]) -> _Node:
    """One tree holding every override, to be merged over the scenario like a child."""
    where = Location(SET_FILE, None)
    tree = _Node({}, where)
    problems = []
    for key, value in overrides.items():
        if not isinstance(key, str) or not _PATH_PATTERN.match(key):
            problem = Problem(
                SET_FILE, None, _label(str(key)), "a path is field names joined by dots"
            )
        else:
            problem = _check_override_path(key)
        if problem is not None:
            problems.append(problem)
            continue
        try:
            node = _python_to_node(value, key)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        segments = key.split(".")
        if segments[0] == "investments" and len(segments) >= 2:
            # investments.<lever>.<field...> becomes one entry for that lever
            entry = node
            for segment in reversed(segments[2:]):
                entry = _Node({segment: entry}, where)
            if not isinstance(entry.value, dict):
                problems.append(
                    Problem(SET_FILE, None, key, "an investment must be a section of settings")
                )
                continue
            entry = _Node({"lever": _Node(segments[1], where), **entry.value}, where)
            node = _Node([entry], where)
            segments = ["investments"]
        for segment in reversed(segments):
            node = _Node({segment: node}, where)
        tree = _merge(tree, node)
    if problems:
        raise ScenarioError(problems)
    return tree


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def load_scenario_mapping(
    path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], LineMap]:
    """Read a scenario file with its ``extends`` chain and overrides, before validation.

    Parameters
    ----------
    path
        The scenario file; problems name it as given.
    overrides
        Dotted paths to values, applied after ``extends`` (see :func:`load_scenario`).

    Returns
    -------
    data : dict
        The merged mapping, without ``extends``; ``population.wards_file`` absolute.
    lines : LineMap
        Where each value was written (file and line; ``--set`` for overrides).

    Raises
    ------
    ScenarioError
        If a file cannot be read or merged, or an override path is not in the schema.
    """
    display = os.fspath(path)
    file = Path(os.path.abspath(display))
    tree = _load_tree(file, display, ())
    if overrides:
        tree = _merge(tree, _resolve_wards_file(_overrides_tree(overrides), Path.cwd()))
    return _flatten(tree)


def load_scenario(
    path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load, merge, override and check a scenario file.

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        Values to change after loading, by dotted path, for example
        ``{"population.residents": 20000, "horizon.years": 5,
        "investments.social_prescribing.budget_per_year": 1e5}``. Investments are
        addressed by lever; a lever the scenario does not have is added with defaults
        for everything else. A section value merges into the section.

    Returns
    -------
    Scenario
        The validated scenario, every default filled in; ``population.wards_file`` is an
        absolute path (None for the ward table shipped with Thriving).

    Raises
    ------
    ScenarioError
        Listing every problem found, each as ``FILE:LINE: field.path: message``.
    """
    data, lines = load_scenario_mapping(path, overrides)
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, data, lines))
    problems.extend(_ward_problems(data, lines))
    if problems:
        main = os.fspath(path)
        rank = {main: 0, SET_FILE: 2}
        problems.sort(key=lambda p: (rank.get(p.file, 1), p.file, p.line or 0))
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario


# --------------------------------------------------------------------------------------
# Validation errors in plain English
# --------------------------------------------------------------------------------------


def type_members(annotation: Any) -> list[Any]:
    """List the alternatives of a type, with Annotated and unions flattened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in type_members(arg)]
    return [annotation]


def _is_model(member: Any) -> bool:
    return isinstance(member, type) and issubclass(member, BaseModel)


def _pick_model(annotation: Any, data: Any) -> type[BaseModel] | None:
    """Find the model a value of this type is checked against (by its Literal fields)."""
    models = [m for m in type_members(annotation) if _is_model(m)]
    if len(models) == 1:
        return models[0]
    if isinstance(data, dict):
        for model in models:
            for name, info in model.model_fields.items():
                if typing.get_origin(info.annotation) is Literal and data.get(name) in (
                    typing.get_args(info.annotation)
                ):
                    return model
    return None


def _list_item(annotation: Any) -> Any:
    for member in type_members(annotation):
        if typing.get_origin(member) is list:
            return typing.get_args(member)[0]
    return None


def _model_at(model: type[BaseModel], data: Any, path: PathKey) -> type[BaseModel] | None:
    """Find the model of the section at ``path`` in ``data``, if there is one."""
    annotation: Any = model
    node = data
    for part in path:
        if isinstance(part, int):
            annotation = _list_item(annotation)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            current = _pick_model(annotation, node)
            if current is None or part not in current.model_fields:
                return None
            annotation = current.model_fields[part].annotation
            node = node.get(part) if isinstance(node, dict) else None
        if annotation is None:
            return None
    return _pick_model(annotation, node)


_LEVER_MODELS: dict[str, type[BaseModel]] = {
    typing.get_args(m.model_fields["lever"].annotation)[0]: m
    for m in type_members(Investment)
    if _is_model(m)
}


def _child(data: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(data, dict) and isinstance(part, str) and part in data:
        return True, data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return True, data[part]
    return False, None


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        _, data = _child(data, part)
    return data


def _label(key: str) -> str:
    """Show a key so that a problem line stays ``FILE:LINE: path: message``.

    Keys that are empty, padded with spaces, or hold a colon, a line break or another
    control character are quoted, with any colon escaped.
    """
    if not key.strip():
        return "(empty)"
    key = clip_text(key, 60)
    if key != key.strip() or ":" in key or not key.isprintable():
        return repr(key).replace(":", "\\x3a")
    return key


def _display_path(path: PathKey, data: Any) -> str:
    """Print a path as ``investments.access.wards[1]``, naming entries by unique lever."""
    text = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            label = f"[{part}]"
            if path[:i] == ("investments",) and isinstance(data, dict):
                entries = data.get("investments")
                if isinstance(entries, list) and 0 <= part < len(entries):
                    levers = [e.get("lever") if isinstance(e, dict) else None for e in entries]
                    lever = levers[part]
                    known = isinstance(lever, str) and lever in _LEVER_MODELS
                    if known and levers.count(lever) == 1:
                        label = f".{lever}"
            text += label
        else:
            text += f".{_label(part)}" if text else _label(part)
    return text or WHOLE_FILE


def _number(value: float | int) -> str:
    """Write a number as an analyst would: 5,000,000 rather than 5000000.0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        if value.is_integer() and abs(value) < 1e16:
            value = int(value)
        else:
            return f"{value:g}" if abs(value) >= 1e16 or abs(value) < 1e-4 else repr(value)
    return f"{value:,}" if abs(value) >= 10_000 else str(value)


def _show(value: Any) -> str:
    """Describe a given value as it reads in a YAML file."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool | int | float):
        return _number(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "a section of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def number_hint(value: Any) -> str:
    """Advice for a number written as text, or as true/false, else "".

    "£50,000" and "50k" get the plain form; a quoted number ("300000") is text, so it
    gets "without quotes"; true and false are not numbers (YAML would read true as 1).
    """
    if isinstance(value, bool):
        return "; true and false are not numbers: write the number itself"
    if isinstance(value, str) and re.search(r"[£$,%]|\d\s*[kKmM]$", value.strip()):
        return "; write a plain number such as 50000, with no £ sign, commas or units"
    if isinstance(value, str):
        try:
            float(value.replace("_", ""))
        except ValueError:
            return ""
        return "; it is in quotes, so it is text: write it without quotes"
    return ""


def _fields_message(data: Any, path: PathKey, key: str) -> str:
    """Unknown key: suggest the nearest field name, or list the fields allowed."""
    model = _model_at(Scenario, data, path[:-1])
    if model is None:
        return f"unknown field {key!r}"
    fields = list(model.model_fields)
    if model is Scenario:
        fields.insert(0, "extends")
    return unknown_name("field", key, fields)


def _wards_union_message(value: Any) -> str:
    message = f"must be 'all', a list of ward names, or {{most_deprived: N}} (got {_show(value)})"
    if isinstance(value, str):
        message += f"; for one ward write [{value}]"
    return message


#: Plain-English forms of pydantic error types (scenario and experiment files alike).
PLAIN_MESSAGES: dict[str, str] = {
    "greater_than_equal": "must be at least {ge} (got {input})",
    "greater_than": "must be more than {gt} (got {input})",
    "less_than_equal": "must be at most {le} (got {input})",
    "less_than": "must be less than {lt} (got {input})",
    "finite_number": "must be a finite number, not {input}",
    "int_type": "must be a whole number (got {input}){hint}",
    "int_parsing": "must be a whole number (got {input}){hint}",
    "int_from_float": "must be a whole number (got {input})",
    "float_type": "must be a number (got {input}){hint}",
    "float_parsing": "must be a number (got {input}){hint}",
    "bool_type": "must be true or false (got {input})",
    "bool_parsing": "must be true or false (got {input})",
    "string_type": "must be text (got {input})",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long: at most {max_length} characters",
    "model_type": "must be a section of 'key: value' lines (got {input})",
    "model_attributes_type": "must be a section of 'key: value' lines (got {input})",
    "dict_type": "must be a section of 'key: value' lines (got {input})",
    "list_type": "must be a list (got {input})",
    "too_short": "must not be empty",
    "too_long": "has {actual_length} entries; at most {max_length} are allowed",
    "literal_error": "must be {expected} (got {input})",
}


def _message(error: Mapping[str, Any], path: PathKey, data: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if path == ("name",):
            return "every scenario needs a name; add a line such as 'name: Link workers 2025'"
        return "is required but missing"
    if kind == "extra_forbidden":
        return _fields_message(data, path, str(path[-1]))
    if kind == "union_tag_invalid":
        lever = _at(data, path)  # the path already ends in "lever"
        if not isinstance(lever, str):
            return f"the lever must be one of: {', '.join(LEVERS)} (got {_show(lever)})"
        guess = suggest_name(lever, LEVERS)
        hint = f"did you mean {guess!r}? " if guess else ""
        return f"unknown lever {clip_text(lever)!r}; {hint}Levers: {', '.join(LEVERS)}"
    if kind == "union_tag_not_found":
        return f"each investment needs a lever, one of: {', '.join(LEVERS)}"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "list_type" and path == ("investments",):
        return f"must be a list of investments, each starting '- lever: ...' (got {_show(value)})"
    template = PLAIN_MESSAGES.get(kind)
    if template is None:
        return str(error["msg"])
    if (
        kind == "less_than_equal"
        and path
        and path[-1] in ("start_year", "end_year")
        and isinstance(value, int | float)
        and value >= 1900
    ):
        template += (
            "; years count from 1, the first reported year after the settling-in period, "
            "not from the calendar: write 1 for the first year, 2 for the second"
        )
    if kind == "string_type" and isinstance(value, bool | int | float | datetime.date):
        template += "; put quotes around it to make it text"
    fields = {k: _number(v) if isinstance(v, int | float) else v for k, v in ctx.items()}
    try:
        return template.format(**{**fields, "input": _show(value), "hint": number_hint(value)})
    except (KeyError, IndexError):  # a pydantic version with other context: its own words
        return str(error["msg"])


def _split_loc(loc: tuple, data: Any, kind: str) -> tuple[PathKey, int | None, int]:
    """Split a pydantic ``loc`` into the data path and the union member it went through.

    Returns the path into ``data``, the path length at which a union member tag was
    skipped (None if none) and how many ``loc`` parts follow that tag.
    """
    path: list[str | int] = []
    node = data
    union_at: int | None = None
    after_tag = 0
    for i, part in enumerate(loc):
        found, child = _child(node, part)
        if found:
            path.append(part)
            node = child
        elif i == len(loc) - 1 and kind == "missing":
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and part == node.get("lever"):
            continue  # a discriminated union's tag (the lever name): adds nothing
        elif union_at is None:
            union_at = len(path)
            after_tag = len(loc) - i - 1
    return tuple(path), union_at, after_tag


def _locate_rule(error: Mapping[str, Any], path: PathKey, data: Any) -> PathKey:
    """Point a broken section-wide rule at the field it is about, if that can be told."""
    message = str(error.get("msg", ""))
    target = _at(data, path)
    if path == ():
        investments = data.get("investments") if isinstance(data, dict) else None
        index = re.search(r"investments\[(\d+)\]", message)
        repeated = re.search(r"lever '(\w+)' appears twice", message)
        if index and "horizon" in message:
            return ("investments", int(index.group(1)), "end_year")
        if repeated and isinstance(investments, list):
            seen = [
                i
                for i, e in enumerate(investments)
                if isinstance(e, dict) and e.get("lever") == repeated.group(1)
            ]
            if len(seen) > 1:
                return ("investments", seen[1], "lever")
        return path
    # An entry-wide rule names its field first: "end_year (2) is before start_year (3)".
    first = re.match(r"(?:Value error, )?(\w+)", message)
    if first is None or not isinstance(target, dict):
        return path
    model = _model_at(Scenario, data, path)
    if first.group(1) in target or (model is not None and first.group(1) in model.model_fields):
        return (*path, first.group(1))
    return path


def validation_problems(error: ValidationError, data: Any, lines: LineMap) -> list[Problem]:
    """Turn a pydantic error on a loaded scenario into located, plain-English problems.

    Parameters
    ----------
    error
        From ``Scenario.model_validate(data)``.
    data
        The mapping that was validated.
    lines
        Where each value of ``data`` was written.

    Returns
    -------
    list of Problem
        One per problem; where a value could be one of several forms (a ward target),
        one problem for the form given, not one per form.
    """
    plain: list[tuple[PathKey, Mapping[str, Any]]] = []
    unions: dict[PathKey, list[tuple[PathKey, int, Mapping[str, Any]]]] = {}
    for err in error.errors(include_url=False):
        path, union_at, after_tag = _split_loc(tuple(err["loc"]), data, err["type"])
        if union_at is None:
            plain.append((path, err))
        else:
            unions.setdefault(path[:union_at], []).append((path, after_tag, err))
    for prefix, members in unions.items():
        inside = [(path, err) for path, after, err in members if after > 0]
        if inside:
            plain.extend(inside)  # the value had the right form; report what is inside
        elif prefix and prefix[-1] == "wards":
            value = _at(data, prefix)
            plain.append((prefix, {"type": "wards_form", "msg": _wards_union_message(value)}))
        else:
            messages = sorted({_message(err, prefix, data) for _, _, err in members})
            plain.append((prefix, {"type": "union", "msg": " or ".join(messages)}))

    problems = []
    for path, err in plain:
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, "lever")
            message = _message(err, path, data)
        elif err["type"] in ("wards_form", "union"):
            message = str(err["msg"])
        else:
            message = _message(err, path, data)
            if err["type"] in ("value_error", "assertion_error"):
                path = _locate_rule(err, path, data)
        where = lines.locate(path)
        problems.append(Problem(where.file, where.line, _display_path(path, data), message))
    return problems


# --------------------------------------------------------------------------------------
# Checks against the ward table
# --------------------------------------------------------------------------------------


def _ward_problems(data: Any, lines: LineMap) -> list[Problem]:
    """Check ward names and ``most_deprived`` counts against the ward table.

    The table is read only when the scenario names its own or targets wards, so checking
    a simple scenario does not import numpy.
    """
    if not isinstance(data, dict):
        return []
    population = data.get("population")
    wards_file = population.get("wards_file") if isinstance(population, dict) else None
    if wards_file is not None and not isinstance(wards_file, str):
        return []  # the schema reports it
    investments = data.get("investments")
    investments = investments if isinstance(investments, list) else []
    targets = [
        (i, entry["wards"])
        for i, entry in enumerate(investments)
        if isinstance(entry, dict) and isinstance(entry.get("wards"), list | dict)
    ]
    if wards_file is None and not targets:
        return []

    from thriving.config.wards import load_ward_table, unknown_ward_message

    file_path = ("population", "wards_file")
    where = lines.locate(file_path)
    if wards_file is not None and not os.path.isfile(wards_file):
        what = "is a folder, not a file" if os.path.isdir(wards_file) else "does not exist"
        return [
            Problem(
                where.file,
                where.line,
                "population.wards_file",
                f"the ward table {_relative(wards_file)!r} {what}",
            )
        ]
    try:
        table = load_ward_table(_relative(wards_file) if wards_file else None)
    except ScenarioError as exc:
        lead = Problem(
            where.file,
            where.line,
            "population.wards_file",
            "the ward table has problems, listed below",
        )
        return [lead, *exc.problems]

    problems = []
    names = set(str(n) for n in table.names)
    for i, target in targets:
        if isinstance(target, list):
            for j, ward in enumerate(target):
                if isinstance(ward, str) and ward not in names:
                    path = ("investments", i, "wards", j)
                    spot = lines.locate(path)
                    problems.append(
                        Problem(
                            spot.file,
                            spot.line,
                            _display_path(path, data),
                            unknown_ward_message(ward, table),
                        )
                    )
            targeted = [w for w in target if isinstance(w, str) and w in names]
        else:
            count = target.get("most_deprived")
            targeted = (
                table.most_deprived(count)
                if isinstance(count, int)
                and not isinstance(count, bool)
                and 0 <= count <= table.n_wards
                else []
            )
            if isinstance(count, int) and not isinstance(count, bool) and count > table.n_wards:
                path = ("investments", i, "wards", "most_deprived")
                spot = lines.locate(path)
                problems.append(
                    Problem(
                        spot.file,
                        spot.line,
                        _display_path(path, data),
                        f"asks for the {count} most deprived wards, but the ward table has "
                        f"only {table.n_wards} wards",
                    )
                )
        problems.extend(_empty_ward_problems(data, lines, i, targeted, table))
    return problems


def _empty_ward_problems(
    data: dict, lines: LineMap, index: int, targeted: list[str], table: Any
) -> list[Problem]:
    """A targeted ward whose share of the simulated sample is under one resident.

    Such a ward may get no simulated resident: its budget would be counted and its
    effect be nothing, in silence.
    """
    population = data.get("population")
    residents = population.get("residents") if isinstance(population, dict) else None
    if residents is None:
        residents = PopulationConfig.model_fields["residents"].default
    if not isinstance(residents, int) or isinstance(residents, bool) or residents <= 0:
        return []  # the schema reports it
    total = float(table.adults.sum())
    problems = []
    for ward in targeted:
        adults = float(table.adults[table.index_of([ward])[0]])
        share = residents * adults / total
        if share >= 1.0:
            continue
        needed = math.ceil(total / adults)
        path = ("investments", index, "wards")
        spot = lines.locate(path)
        problems.append(
            Problem(
                spot.file,
                spot.line,
                _display_path(path, data),
                f"the ward {ward!r} ({adults:,.0f} adults) would have {share:.2f} of the "
                f"{residents:,} simulated residents, so perhaps none: its budget would "
                f"be spent on no one. Simulate at least {needed:,} residents "
                "(population.residents or --population), or leave the ward out",
            )
        )
    return problems


def _relative(path: str) -> str:
    """Shorten a path to be relative to the working folder when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text as a readable block."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # YAML folds \r, NEL and the Unicode line separators into plain line breaks, so text
    # holding them (or other control characters) is double-quoted, where they are escaped.
    if (
        any(c in value for c in "\r\x85\u2028\u2029\ufeff")
        or not value.replace("\n", "").isprintable()
    ):
        style = '"'
    elif "\n" in value:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Write the fully resolved scenario as YAML: every value, defaults included.

    Keys follow the schema's order and each investment starts with its lever. Loading
    the text back gives an equal scenario.

    Parameters
    ----------
    scenario
        A validated scenario.

    Returns
    -------
    str
        YAML text with a short header comment.
    """
    data = scenario.model_dump(mode="json")
    data["investments"] = [
        {"lever": entry["lever"], **{k: v for k, v in entry.items() if k != "lever"}}
        for entry in data["investments"]
    ]
    header = (
        f"# Scenario {scenario.name!r}, fully resolved: every value, defaults included.\n"
        f"# Written by Thriving {__version__}.\n"
    )
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=88,
    )
    return header + body
