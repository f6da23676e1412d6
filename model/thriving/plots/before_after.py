"""The picture of before and after referral against the counterfactual.

One picture per social-prescribing scenario: the GP appointments of the referred
residents, quarter by quarter from a year before their referral to a year after, with
social prescribing and, for the same residents, without it (their paired selves in the
baseline runs). Beside it, for a comparison of a year either side of the referral and
of a quarter either side: the change an uncontrolled evaluation would report, the
effect of social prescribing, and the part that would have happened anyway. The
numbers come from :mod:`thriving.analysis.before_after`; this module only draws.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from thriving.analysis.before_after import (
    PROFILE_WINDOW,
    QUARTERS_EACH_SIDE,
    RELATIVE_QUARTERS,
    WINDOWS,
    BeforeAfter,
    Estimate,
    ScenarioBeforeAfter,
    window_sentence,
)
from thriving.plots import style

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

#: Folder, inside the results folder, that the pictures go to.
PLOTS_FOLDER = "plots"

#: Colour of the referred residents with social prescribing.
WITH_COLOUR = style.PALETTE[0]

#: Opacity of the 95 % bands.
BAND_ALPHA = 0.15

#: How each window is named: in the side panel, and leading a sentence.
WINDOW_NAMES: dict[str, tuple[str, str]] = {
    "year": (
        "Year before against year after",
        "Comparing the year before referral with the year after",
    ),
    "quarter": (
        "Quarter before against quarter after",
        "Comparing the quarter before referral with the quarter after",
    ),
}

#: Share of a reported fall that would have happened anyway, above which a title says so.
NOTABLE_SHARE = 0.25


def picture_name(group: ScenarioBeforeAfter, taken: set[str]) -> str:
    """File name (without extension) of a scenario's picture, unique among ``taken``.

    Examples
    --------
    >>> from thriving.analysis.before_after import ScenarioBeforeAfter
    >>> g = ScenarioBeforeAfter("social prescribing", {}, 1, {}, [], [])
    >>> picture_name(g, set()), picture_name(g, {"before_after_social_prescribing"})
    ('before_after_social_prescribing', 'before_after_social_prescribing_2')
    """
    base = "before_after_" + (re.sub(r"[^A-Za-z0-9]+", "_", group.scenario).strip("_") or "x")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def share_anyway(estimates: Mapping[str, Estimate]) -> float:
    """Share of a reported fall that would have happened anyway (NaN without a fall).

    Examples
    --------
    >>> share_anyway({"before_after_change": Estimate(-4.0, -5, -3),
    ...               "regression_to_the_mean": Estimate(-1.0, -2, 0)})
    0.25
    """
    change = estimates["before_after_change"].mean
    if not change < 0:
        return math.nan
    return estimates["regression_to_the_mean"].mean / change


def title(group: ScenarioBeforeAfter) -> str:
    """A plain-English title that states the finding."""
    year = share_anyway(group.estimates["year"])
    quarter = share_anyway(group.estimates["quarter"])
    if math.isnan(year) and math.isnan(quarter):
        return "GP use of referred residents, before and after social prescribing"
    if year >= 0.5:
        return "Most of the fall in GP use after referral would have happened anyway"
    if year >= NOTABLE_SHARE:
        return "Part of the fall in GP use after referral would have happened anyway"
    if quarter >= NOTABLE_SHARE:
        return "Short before-and-after comparisons overstate the effect"
    return "Here, before-and-after comparisons come close to the true effect"


def key_window(group: ScenarioBeforeAfter) -> str:
    """The window in which the larger share of the fall would have happened anyway."""
    shares = {w: share_anyway(group.estimates[w]) for w in WINDOWS}
    finite = {w: v for w, v in shares.items() if not math.isnan(v)}
    return max(finite, key=lambda w: finite[w]) if finite else PROFILE_WINDOW


def _signed(x: float) -> str:
    """A number with its sign (a true minus sign), one decimal."""
    return f"{x:+.1f}".replace("-", "\u2212")


def _draw_lines(ax: Axes, group: ScenarioBeforeAfter) -> list[Line2D]:
    x = np.array(RELATIVE_QUARTERS, float)
    series = (
        (group.with_sp, WITH_COLOUR, "-", "With social prescribing"),
        (
            group.without,
            style.BASELINE_COLOUR,
            "--",
            "The same residents without it",
        ),
    )
    handles = []
    for estimates, colour, dash, label in series:
        mean = np.array([e.mean for e in estimates])
        low = np.array([e.low for e in estimates])
        high = np.array([e.high for e in estimates])
        if np.isfinite(low).all():
            ax.fill_between(x, low, high, color=colour, alpha=BAND_ALPHA, linewidth=0)
        (line,) = ax.plot(
            x, mean, color=colour, linestyle=dash, marker="o", markersize=6, label=label
        )
        handles.append(line)
    ax.axvspan(-0.5, 0.5, color=style.FUNDED_SHADE, linewidth=0, zorder=0)
    ax.text(
        0,
        0.03,
        "referral\nquarter",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontsize=11,
        color="#555555",
    )
    k = QUARTERS_EACH_SIDE
    for centre, words in ((-(k + 1) / 2, "the year before"), ((k + 1) / 2, "the year after")):
        ax.text(
            centre,
            0.03,
            words,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=11,
            color="#555555",
        )
    ax.set_xticks(x)
    ax.set_xticklabels([_signed(q).replace(".0", "") if q else "0" for q in x])
    ax.set_xlabel("Quarters before and after the referral quarter")
    ax.set_ylabel("GP appointments\nper person a year")
    ax.set_xlim(-k - 0.4, k + 0.4)
    ax.set_ylim(bottom=0)
    return handles


def _draw_panel(fig: Figure, group: ScenarioBeforeAfter, left: float, top: float) -> None:
    """The numbers of each window: what an evaluation reports, the effect, the rest."""
    rows = (
        ("before_after_change", "An evaluation reports", "#222222"),
        ("counterfactual_effect", "Effect of social prescribing", WITH_COLOUR),
        ("regression_to_the_mean", "Would have happened anyway", "#555555"),
    )
    y = top
    for window in WINDOWS:
        fig.text(left, y, WINDOW_NAMES[window][0], fontsize=12.5, fontweight="bold", va="top")
        y -= 0.065
        for measure, words, colour in rows:
            value = group.estimates[window][measure].mean
            fig.text(left, y, words, fontsize=12.5, color=colour, va="top")
            fig.text(
                left + 0.345,
                y,
                _signed(value),
                fontsize=14,
                color=colour,
                va="top",
                ha="right",
                fontweight="bold",
            )
            y -= 0.055
        y -= 0.05


def draw_before_after(group: ScenarioBeforeAfter) -> Figure:
    """One scenario's picture (not saved).

    Parameters
    ----------
    group : ScenarioBeforeAfter

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    key = key_window(group)
    lead = f"{WINDOW_NAMES[key][1]}, {window_sentence(group.estimates[key])}."
    followed = {w: group.estimates[w]["residents_followed"].mean for w in WINDOWS}
    note = (
        f"{group.title}: residents who took up a referral, alive and in the borough a year "
        f"either side of it (about {followed['year']:,.0f} in each of {group.runs} run"
        f"{'s' * (group.runs != 1)}; shaded: 95 % interval across runs); 'without it': the "
        f"same residents in the paired baseline runs. The quarter comparison follows all "
        f"those there a quarter either side (about {followed['quarter']:,.0f} a run). "
        f"Numbers on the right: GP appointments per person a year."
    )
    with style.slide_style():
        fig = plt.figure(figsize=style.SLIDE_SIZE)
        fig.text(0.012, 0.975, title(group), fontsize=18, fontweight="bold", va="top")
        fig.text(0.012, 0.905, textwrap.fill(lead, 112), fontsize=13, va="top", linespacing=1.15)
        ax = fig.add_axes((0.075, 0.22, 0.52, 0.45))
        handles = _draw_lines(ax, group)
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=2,
            fontsize=12,
            borderaxespad=0.3,
        )
        _draw_panel(fig, group, left=0.645, top=0.64)
        fig.text(
            0.012,
            0.012,
            textwrap.fill(note, 135),
            fontsize=10.5,
            color="#555555",
            va="bottom",
            linespacing=1.1,
        )
    return fig


def plot_before_after(result: BeforeAfter, folder: str | Path | None = None) -> list[Path]:
    """Draw and save one picture per scenario of a before-and-after analysis.

    Parameters
    ----------
    result : BeforeAfter
        From :func:`thriving.analysis.before_after.analyse_before_after`.
    folder : path, optional
        Where to write; ``<results folder>/plots`` by default.

    Returns
    -------
    list of Path
        The PNG and SVG files written (none for a scenario with nobody followed).
    """
    target = Path(folder) if folder is not None else result.folder / PLOTS_FOLDER
    written: list[Path] = []
    taken: set[str] = set()
    for group in result.groups:
        if math.isnan(group.estimates[PROFILE_WINDOW]["before_after_change"].mean):
            continue  # nobody could be followed: nothing to draw
        name = picture_name(group, taken)
        taken.add(name)
        written += style.save_figure(draw_before_after(group), target, name)
    return written
