"""Pictures of which assumptions drive the answer (Morris and Sobol indices).

:func:`plot_sensitivity` draws the indices of a
:class:`~thriving.analysis.sensitivity.SensitivityResult` as ranked horizontal bars, the
assumptions labelled in plain words, the most influential at the top:

- Morris: ``mu*`` with its 95 % interval, and a tick where replicate noise alone would
  put it; a second picture plots ``sigma`` against ``mu*`` (:func:`plot_morris_sigma`).
- Sobol: ``S1`` and ``ST`` side by side, each with its 95 % interval.

Pictures go to ``<folder>/plots/sensitivity_<metric>.png`` and ``.svg``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from thriving.analysis.sensitivity import format_amount
from thriving.plots.style import PALETTE, SLIDE_SIZE, save_figure, slide_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from thriving.analysis.sensitivity import SensitivityResult

__all__ = ["plot_morris_sigma", "plot_sensitivity", "short_label"]

#: Colour of the main bars (mu*, ST) and the other (S1).
BAR_COLOUR = PALETTE[0]
SECOND_COLOUR = PALETTE[4]
#: Colour of confidence whiskers and noise ticks.
INK = "#333333"
#: Characters per line of an assumption's label.
LABEL_WIDTH = 38
#: Characters per line of the title and the subtitle.
TITLE_WIDTH = 68
SUBTITLE_WIDTH = 105
#: Share of a picture's width kept for the assumptions' labels.
LABELS_SHARE = 0.37
#: Longest label kept whole; longer ones lose what follows their first comma.
LABEL_MAX = 60


def short_label(description: str) -> str:
    """An assumption's description cut down for a picture's axis.

    Remarks in brackets are dropped; a label still longer than :data:`LABEL_MAX`
    characters keeps what comes before its first comma after the section name.

    Examples
    --------
    >>> short_label("Social prescribing: practice appointments replaced by link-worker "
    ...             "support, at first, decaying after")
    'Social prescribing: practice appointments replaced by link-worker support'
    >>> short_label("GP: unmet primary-care demand that turns up at A&E ('failure demand')")
    'GP: unmet primary-care demand that turns up at A&E'
    """
    text = description
    while True:  # innermost brackets first, so nested ones go too
        shorter = re.sub(r"\s*\([^()]*\)", "", text)
        if shorter == text:
            break
        text = shorter
    text = " ".join(text.split()) or description
    if len(text) > LABEL_MAX:
        head, sep, rest = text.partition(": ")
        body = rest if sep else head
        body = body.split(", ")[0]
        text = f"{head}: {body}" if sep else body
    return text


def _short_labels(result: SensitivityResult) -> list[str]:
    """Plain-word labels, in the indices' (ranked) order."""
    return [short_label(result.descriptions.get(p, p)) for p in result.indices["parameter"]]


def _labels(result: SensitivityResult) -> list[str]:
    """Plain-word labels wrapped for the axis, in the indices' (ranked) order."""
    return ["\n".join(textwrap.wrap(label, LABEL_WIDTH)) for label in _short_labels(result)]


def _figure_size(rows: int) -> tuple[float, float]:
    """Slide size, taller when many assumptions need room."""
    width, height = SLIDE_SIZE
    return width, max(height, 1.6 + 0.75 * rows)


def _money_axis(ax: Axes, money: bool) -> None:
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_amount(value, money)))


def _heading(fig: Figure, title: str, subtitle: str, left: float) -> None:
    """Title (the question) and subtitle at the top left; margins that leave them room.

    ``left`` is the share of the width kept for the assumptions' labels.
    """
    width, height = fig.get_size_inches()
    title_lines = textwrap.wrap(title, TITLE_WIDTH)
    subtitle_lines = textwrap.wrap(subtitle, SUBTITLE_WIDTH)
    inch = 1.0 / height  # one inch as a share of the height
    top = 1.0 - 0.15 * inch
    fig.text(
        0.012, top, "\n".join(title_lines), fontsize=18, fontweight="bold", va="top", ha="left"
    )
    top -= (0.32 * len(title_lines) + 0.08) * inch
    fig.text(
        0.012, top, "\n".join(subtitle_lines), fontsize=12, color="#555555", va="top", ha="left"
    )
    top -= (0.22 * len(subtitle_lines) + 0.25) * inch
    fig.subplots_adjust(left=left, right=0.97, top=top, bottom=0.75 * inch)


def plot_sensitivity(result: SensitivityResult, folder: str | Path | None = None) -> list[Path]:
    """Draw the ranked indices and save them as PNG and SVG.

    Parameters
    ----------
    result : SensitivityResult
    folder : path, optional
        Where the pictures go; ``<results folder>/plots`` when not given.

    Returns
    -------
    list of Path
        ``sensitivity_<metric>.png`` and ``.svg``.
    """
    folder = Path(folder) if folder is not None else result.folder / "plots"
    table = result.indices
    rows = len(table)
    y = np.arange(rows)[::-1]  # rank 1 at the top
    with slide_style():
        fig, ax = plt.subplots(figsize=_figure_size(rows))
        if result.method == "morris":
            subtitle = _morris_bars(ax, result, y)
        else:
            subtitle = _sobol_bars(ax, result, y)
        ax.set_yticks(y, _labels(result))
        ax.set_ylim(-0.6, rows - 0.4)
        ax.tick_params(axis="y", length=0, labelsize=12)
        ax.grid(axis="y", visible=False)
        ax.set_axisbelow(True)
        _heading(fig, result.metric.question, subtitle, LABELS_SHARE)
        return save_figure(fig, folder, result.picture_name)


def _morris_bars(ax: Axes, result: SensitivityResult, y: np.ndarray) -> str:
    """Bars of mu* with whiskers and noise ticks; returns the subtitle."""
    table, metric, design = result.indices, result.metric, result.design
    ax.barh(
        y,
        table["mu_star"],
        height=0.6,
        color=BAR_COLOUR,
        xerr=table["mu_star_conf"],
        error_kw={"ecolor": INK, "elinewidth": 1.5, "capsize": 5},
        label="mu*, with its 95% interval",
    )
    noise = table["noise_level"].to_numpy(dtype=float)
    if np.isfinite(noise).any():
        ax.plot(
            noise,
            y,
            linestyle="none",
            marker="|",
            markersize=26,
            markeredgewidth=3,
            color=PALETTE[1],
            label="noise level: what replicate noise alone would give",
        )
    ax.set_xlim(left=0)
    _money_axis(ax, metric.is_money)
    ax.set_xlabel("mu*: typical effect across the assumption's range")
    ax.legend(loc="lower right", markerscale=0.6)
    unit = f" Values in {metric.unit}." if metric.unit != metric.words else ""
    return (
        f"Morris screening: {design.n} trajectories, {design.replicates} "
        f"replicate{'s' * (design.replicates != 1)} a point. The longer the bar, the more "
        f"the answer depends on that assumption.{unit}"
    )


def _sobol_bars(ax: Axes, result: SensitivityResult, y: np.ndarray) -> str:
    """Bars of ST and S1 with whiskers and noise ticks on ST; returns the subtitle."""
    table, design = result.indices, result.design
    error = {"ecolor": INK, "elinewidth": 1.5, "capsize": 4}
    ax.barh(
        y + 0.18,
        table["ST"],
        height=0.36,
        color=BAR_COLOUR,
        xerr=table["ST_conf"],
        error_kw=error,
        label="ST: with its interactions",
    )
    ax.barh(
        y - 0.18,
        table["S1"],
        height=0.36,
        color=SECOND_COLOUR,
        xerr=table["S1_conf"],
        error_kw=error,
        label="S1: on its own",
    )
    noise = table["noise_level"].to_numpy(dtype=float)
    if np.isfinite(noise).any():
        ax.plot(
            noise,
            y + 0.18,
            linestyle="none",
            marker="|",
            markersize=18,
            markeredgewidth=3,
            color=PALETTE[1],
            label="what replicate noise alone adds to ST",
        )
    ax.axvline(0, color=INK, linewidth=1)
    ax.spines["left"].set_visible(False)  # the line at 0 stands in for it
    high = float(np.nanmax(np.r_[table["ST"] + table["ST_conf"], 1.0]))
    ax.set_xlim(min(0.0, float(np.nanmin(table["S1"] - table["S1_conf"]))), high * 1.02)
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_xlabel("share of the variation across the design")
    ax.legend(loc="lower right", markerscale=0.6)
    return (
        f"Sobol analysis: {design.n} base samples, {design.replicates} "
        f"replicate{'s' * (design.replicates != 1)} a point; bars with 95% intervals. "
        "An assumption with ST near 0 can be left at any value in its range."
    )


def plot_morris_sigma(result: SensitivityResult, folder: str | Path | None = None) -> list[Path]:
    """Draw ``sigma`` against ``mu*`` for a Morris result and save it as PNG and SVG.

    Assumptions far to the right matter; those high up (above the line sigma = mu*)
    act through interactions with other assumptions or in a curved way.

    Returns
    -------
    list of Path
        ``sensitivity_<metric>_sigma.png`` and ``.svg``.
    """
    if result.method != "morris":
        raise ValueError("sigma against mu* is a picture of a Morris result")
    folder = Path(folder) if folder is not None else result.folder / "plots"
    table, metric = result.indices, result.metric
    with slide_style():
        fig, ax = plt.subplots(figsize=SLIDE_SIZE)
        ax.scatter(table["mu_star"], table["sigma"], s=260, color=BAR_COLOUR, zorder=3)
        top = 1.1 * float(max(table["mu_star"].max(), table["sigma"].max(), 1e-12))
        ax.plot([0, top], [0, top], color="#999999", linestyle="--", linewidth=1.5)
        # Points are numbered by rank and named in a key beside the axes, so that names
        # never overlap however close the points are.
        for row in table.itertuples():
            ax.annotate(
                str(row.rank),
                (row.mu_star, row.sigma),
                ha="center",
                va="center",
                color="white",
                fontsize=11,
                fontweight="bold",
                zorder=4,
            )
        key = [
            "\n    ".join(textwrap.wrap(f"{row.rank}  {label}", 40))
            for row, label in zip(table.itertuples(), _short_labels(result), strict=True)
        ]
        fig.text(0.63, 0.5, "\n".join(key), fontsize=11, va="center", ha="left", linespacing=1.5)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        _money_axis(ax, metric.is_money)
        ax.yaxis.set_major_formatter(ax.xaxis.get_major_formatter())
        unit = "" if metric.is_money else f" ({metric.unit})"
        ax.set_xlabel(f"mu*: how much it matters{unit}")
        ax.set_ylabel("sigma: how much that varies")
        _heading(
            fig,
            f"{metric.short[0].upper()}{metric.short[1:]}: does each assumption act on its "
            "own, or through the others?",
            "Further right: the answer depends more on it. Above the dashed line (sigma = mu*): "
            "its effect depends on the other assumptions, or is not a straight line.",
            0.11,
        )
        fig.subplots_adjust(right=0.6)
        return save_figure(fig, folder, f"{result.picture_name}_sigma")


def plot_all(result: SensitivityResult, folder: str | Path | None = None) -> list[Path]:
    """Every picture of a sensitivity result: the ranked indices and, for Morris, sigma.

    One place that decides which pictures a method has (``thriving sensitivity`` and
    the report both draw them).

    Parameters
    ----------
    result : SensitivityResult
    folder : path, optional
        Where to save them (the results folder's ``plots/`` by default).

    Returns
    -------
    list of Path
        The files written.
    """
    written = plot_sensitivity(result, folder)
    if result.method == "morris":
        written += plot_morris_sigma(result, folder)
    return written
