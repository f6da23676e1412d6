"""The whole page, and :func:`write_report`.

The sections are filled into the shell and style sheet of ``thriving/templates`` (with
:class:`string.Template`).
"""

from __future__ import annotations

import datetime
import importlib.resources
import os
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from thriving.analysis.comparison import COMPARISON_FILE
from thriving.config.errors import ThrivingError
from thriving.report.facts import assumptions_in_use, read_comparison, read_facts
from thriving.report.html import _date, _e, _p, _pictures_part
from thriving.report.inputs import Inputs, refresh_inputs
from thriving.report.sections import (
    _assumption_table,
    _assumptions_part,
    _before_after_part,
    _caveats,
    _caveats_part,
    _contents,
    _cover,
    _how_made_part,
    _results_part,
    _scenarios_part,
    _sensitivity_part,
)
from thriving.report.words import optimism_bias_of
from thriving.runs.store import atomic_write_text

#: The file written into the results folder when no other is named.
REPORT_FILE = "report.html"


# --------------------------------------------------------------------------------------
# The whole page
# --------------------------------------------------------------------------------------


def _template(name: str) -> str:
    return (importlib.resources.files("thriving") / "templates" / name).read_text(encoding="utf-8")


def render_report(
    folder: str | os.PathLike[str],
    inputs: Inputs | None = None,
    generated: str | None = None,
) -> tuple[str, int]:
    """The report of a sweep's results folder, as one HTML page.

    Reads what the folder holds (run :func:`refresh_inputs` first to make what is
    missing); writes nothing.

    Parameters
    ----------
    folder : path
        The sweep's results folder.
    inputs : Inputs, optional
        What :func:`refresh_inputs` made (listed in the report) and could not make.
    generated : str, optional
        When the report is made, in words (now, when not given).

    Returns
    -------
    html : str
    images : int
        Pictures inlined.

    Raises
    ------
    ThrivingError
        The folder is not a sweep's results folder or has no comparison.csv.
    """
    folder = Path(folder)
    inputs = inputs if inputs is not None else Inputs()
    facts = read_facts(folder)
    comparison_file = folder / COMPARISON_FILE
    if not comparison_file.exists():
        raise ThrivingError(
            f"{folder} has no {COMPARISON_FILE}: run thriving report (or thriving compare) "
            "on it first"
        )
    headlines = read_comparison(comparison_file)
    if generated is None:
        generated = _date(datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"))
    groups, mechanisms = assumptions_in_use(
        facts.scenarios, facts.varied_in_words(), optimism_bias_of(headlines)
    )
    pictures_html, n_pictures = _pictures_part(folder)
    before_html, n_before = _before_after_part(folder, facts, inputs)
    sensitivity_html, n_sensitivity = _sensitivity_part(folder)

    parts: list[tuple[str, str, str]] = [
        ("scenarios", "The scenarios", _scenarios_part(facts)),
        ("results", "Results, scenario by scenario", _results_part(facts, headlines)),
        ("pictures", "Pictures", pictures_html),
    ]
    if before_html:
        parts.append(
            ("before-after", "Before and after, against what would have happened", before_html)
        )
    if sensitivity_html:
        parts.append(("sensitivity", "Which assumptions matter most", sensitivity_html))
    parts += [
        ("assumptions", "Assumptions and their sources", _assumptions_part(groups)),
        (
            "caveats",
            "Caveats: where the evidence is weak",
            _caveats_part(_caveats(facts, headlines, groups, mechanisms)),
        ),
        ("how-made", "How these results were made", _how_made_part(facts, inputs.made)),
        (
            "appendix",
            "Appendix: " + mechanisms.title,
            _p(mechanisms.note, "muted") + _assumption_table(mechanisms, compact=True),
        ),
    ]
    numbered = [(key, f"{i}. {title}", body) for i, (key, title, body) in enumerate(parts, 1)]
    body = [_cover(facts, headlines, generated)]
    body.append(_contents([(key, title) for key, title, _ in parts]))
    for key, title, content in numbered:
        body.append(
            f'<section class="part" id="{_e(key)}"><h2>{_e(title)}</h2>\n{content}\n</section>'
        )
    body.append(
        "<footer>Made by Thriving "
        f"{_e(facts.version)}, an open-source model of a borough's residents, their ties, "
        "community groups and services. Every number here comes from the files of the results "
        f"folder ({_e(os.fspath(folder))}): comparison.csv, summary.csv and the plots.</footer>"
    )
    page = string.Template(_template("report.html")).substitute(
        title=_e(f"Thriving report: {facts.name}"),
        version=_e(facts.version),
        style=_template("report.css"),
        body="\n".join(body),
    )
    return page, n_pictures + n_before + n_sensitivity


@dataclass(frozen=True)
class ReportOutcome:
    """What :func:`write_report` did.

    Attributes
    ----------
    path : Path
        The report written.
    made : list of str
        Inputs made (or made again) for it.
    images : int
        Pictures inlined.
    size_bytes : int
        The report's size.
    """

    path: Path
    made: list[str]
    images: int
    size_bytes: int


def write_report(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    say: Callable[[str], None] | None = None,
) -> ReportOutcome:
    """Make what is missing, then write the report of a sweep atomically.

    Parameters
    ----------
    folder : path
        A sweep's results folder.
    out : path, optional
        The HTML file to write; ``<folder>/report.html`` when not given.
    say : callable, optional
        Told, a line at a time, what is being made.

    Returns
    -------
    ReportOutcome

    Raises
    ------
    ThrivingError
        The folder is not a finished sweep's results folder; the comparison cannot be
        made; the file cannot be written.
    """
    folder = Path(folder)
    facts = read_facts(folder)
    inputs = refresh_inputs(folder, facts, say)
    page, images = render_report(folder, inputs)
    target = Path(out) if out is not None else folder / REPORT_FILE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, page)
    except OSError as exc:
        raise ThrivingError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ReportOutcome(target, inputs.made, images, len(page.encode("utf-8")))
