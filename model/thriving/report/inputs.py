"""Making the report's inputs that are missing or older than ``summary.csv``.

The comparison, the pictures, the before-and-after comparison and the sensitivity
ranking, each made by the command that makes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thriving.analysis import comparison as cmp
from thriving.analysis.sensitivity import INDICES_FILE, analyse_folder, write_indices
from thriving.config.errors import ThrivingError
from thriving.report.facts import SweepFacts, read_facts
from thriving.report.words import OWN_SECTION_PICTURES, PLOTS_FOLDER
from thriving.runs.store import SUMMARY

# --------------------------------------------------------------------------------------
# Making what is missing
# --------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """What :func:`refresh_inputs` made for the report, and what it could not make.

    Attributes
    ----------
    made : list of str
        Files made (or made again), in words.
    problems : list of str
        Parts that could not be made, each with why (shown in the report).
    before_after : object or None
        The before-and-after analysis (a :class:`thriving.analysis.before_after.BeforeAfter`) when
        it was made here, so that the report need not make it twice.
    """

    made: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    before_after: Any = None


def _older_than(path: Path, mtime: float) -> bool:
    """Missing, or modified before ``mtime``."""
    try:
        return path.stat().st_mtime < mtime
    except FileNotFoundError:
        return True


def own_section_picture(path: Path) -> bool:
    """Whether a picture is shown in its own section (sensitivity, before-and-after)."""
    return path.name.startswith(OWN_SECTION_PICTURES)


def refresh_inputs(
    folder: str | os.PathLike[str],
    facts: SweepFacts | None = None,
    say: Callable[[str], None] | None = None,
) -> Inputs:
    """Make the comparison, pictures and analyses the report shows, where missing or stale.

    Each is made again when it is missing or older than ``summary.csv`` (a resumed sweep
    rewrites it): ``comparison.csv`` (:func:`thriving.analysis.comparison.compare_folders`), the
    pictures of ``plots/`` (:func:`thriving.plots.demand.plot_results`), the
    before-and-after comparison and its pictures when a scenario has social prescribing
    (:func:`thriving.analysis.before_after.write_before_after`) and ``sensitivity.csv`` with its
    pictures for a Morris or Sobol sweep (:func:`thriving.analysis.sensitivity.analyse_folder`).

    Parameters
    ----------
    folder : path
        The sweep's results folder.
    facts : SweepFacts, optional
        Its facts (read when not given).
    say : callable, optional
        Called with a line of text for each thing being made, or that cannot be.

    Returns
    -------
    Inputs

    Raises
    ------
    ThrivingError
        The comparison or the pictures cannot be made (the report needs them). The
        before-and-after comparison and the sensitivity indices are optional: a problem
        with them is recorded in :attr:`Inputs.problems` instead.
    """
    folder = Path(folder)
    facts = facts if facts is not None else read_facts(folder)
    say = say or (lambda text: None)
    summary = folder / SUMMARY
    if not summary.exists():
        raise ThrivingError(f"{folder} has no {SUMMARY}: run the sweep first")
    stamp = summary.stat().st_mtime
    inputs = Inputs()

    target = folder / cmp.COMPARISON_FILE
    if _older_than(target, stamp):
        say(f"Comparing each scenario with its baseline: {target}")
        cmp.write_comparison(cmp.compare_folders([folder]), target)
        inputs.made.append(cmp.COMPARISON_FILE)

    plots = folder / PLOTS_FOLDER
    pictures = [p for p in plots.glob("*.png") if not own_section_picture(p)]
    if not pictures or any(_older_than(p, stamp) for p in pictures):
        # The plots load matplotlib (a second or so): only when a picture is to be drawn.
        from thriving.plots.demand import plot_results

        say(f"Drawing the pictures: {plots}")
        outcome = plot_results(folder)
        inputs.made.append(f"{len(outcome.pictures)} pictures in {PLOTS_FOLDER}/")

    optional = []
    if "social_prescribing" in facts.levers:
        optional.append(("before-and-after comparison", _refresh_before_after))
    if facts.sample_method in ("morris", "sobol"):
        optional.append(("sensitivity indices", _refresh_sensitivity))
    for what, refresh in optional:
        # These parts are extras: a problem with one is said, in the report too, and the
        # rest of the report is still written.
        try:
            refresh(folder, stamp, say, inputs)
        except Exception as exc:  # noqa: BLE001 - said, not hidden
            problem = f"The {what} could not be made: {error_words(exc)}"
            say(problem)
            inputs.problems.append(problem)
    return inputs


def error_words(exc: BaseException) -> str:
    """A user's error as its message; anything else also named by its kind."""
    if isinstance(exc, ThrivingError):
        return str(exc)
    return f"{type(exc).__name__}: {exc} (a fault in Thriving; please report it)"


def before_after_module() -> Any:
    """:mod:`thriving.analysis.before_after`, or None in a version of Thriving without it."""
    try:
        from thriving.analysis import before_after
    except ImportError:
        return None
    return before_after


def _refresh_before_after(
    folder: Path, stamp: float, say: Callable[[str], None], inputs: Inputs
) -> None:
    """before_after.csv and its pictures, when missing or stale."""
    module = before_after_module()
    if module is None:
        return
    target = folder / module.MEASURES_FILE
    pictures = list((folder / PLOTS_FOLDER).glob("before_after*.png"))
    if not _older_than(target, stamp) and pictures:
        return
    from thriving.plots.before_after import plot_before_after  # matplotlib: see above

    say(f"Following referred residents before and after, against the baseline: {target}")
    result = module.write_before_after(folder)
    plot_before_after(result)
    inputs.before_after = result
    inputs.made.append(target.name)


def _refresh_sensitivity(
    folder: Path, stamp: float, say: Callable[[str], None], inputs: Inputs
) -> None:
    """sensitivity.csv and its pictures, for a Morris or Sobol sweep."""
    target = folder / INDICES_FILE
    if not _older_than(target, stamp):
        return
    from thriving.plots.sensitivity import plot_all  # matplotlib

    say(f"Ranking the assumptions that drive the answer: {target}")
    result = analyse_folder(folder)
    write_indices(result)
    plot_all(result)
    inputs.made.append(INDICES_FILE)
