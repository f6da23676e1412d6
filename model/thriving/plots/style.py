"""The shared look of every Thriving picture: legible at slide size, colour-blind safe.

Pictures are drawn at 16:9 (10 x 5.625 inches) with text at 14-18 points, so they can be
pasted into a slide whole and still be read from the back of a council chamber. Colours
are the Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common forms of
colour blindness; the baseline is always grey, so the eye goes to the investments.
Each picture is saved as PNG (for slides and the HTML report) and SVG (for editing),
written atomically so that an interrupted run never leaves half a file.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # files only: no screen is needed, and none may be present

import matplotlib.pyplot as plt  # noqa: E402

from ..store import atomic_write  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Okabe-Ito colours, in the order scenarios take them (grey is kept for the baseline).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (last: weak on white)
    "#000000",  # black
)

#: Colour of the baseline (the counterfactual) in every picture.
BASELINE_COLOUR = "#7F7F7F"

#: Fill of the shaded band that marks the years when the investment is funded.
FUNDED_SHADE = "#F2E6C9"

#: Slide-sized figure: 16:9, inches.
SLIDE_SIZE: tuple[float, float] = (10.0, 5.625)

#: Resolution of PNG files, dots per inch (1500 x 844 pixels at slide size).
PNG_DPI = 150

#: White margin around a saved picture, inches.
TIGHT_PAD_INCHES = 0.1

#: Matplotlib settings for every Thriving picture.
RC: dict[str, Any] = {
    "figure.figsize": SLIDE_SIZE,
    "figure.dpi": 100,
    "font.size": 14,
    "axes.titlesize": 18,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "lines.linewidth": 2.5,
    "svg.fonttype": "none",  # text stays text in SVG, editable in slide software
    "svg.hashsalt": "thriving",  # the same picture gives the same SVG, byte for byte
}


@contextlib.contextmanager
def slide_style() -> Iterator[None]:
    """Draw inside this block to get the Thriving look (restored afterwards)."""
    with plt.rc_context(RC):
        yield


def scenario_colours(scenarios: Sequence[str], baseline: str | None = None) -> dict[str, str]:
    """A colour for each scenario, stable in the order given; grey for the baseline.

    Examples
    --------
    >>> scenario_colours(["baseline", "grants", "teams"], baseline="baseline")
    {'baseline': '#7F7F7F', 'grants': '#0072B2', 'teams': '#D55E00'}
    """
    colours: dict[str, str] = {}
    others = [s for s in scenarios if s != baseline]
    for i, name in enumerate(others):
        colours[name] = PALETTE[i % len(PALETTE)]
    if baseline is not None and baseline in scenarios:
        colours = {baseline: BASELINE_COLOUR, **colours}
    return colours


def save_figure(fig: Figure, folder: str | os.PathLike[str], name: str) -> list[Path]:
    """Save a figure as ``<name>.png`` and ``<name>.svg`` in ``folder``, atomically.

    The figure is closed afterwards (pictures are made in batches; open figures hold
    memory).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    folder : path
        Created if missing.
    name : str
        File name without extension (plain words joined by underscores).

    Returns
    -------
    list of Path
        The PNG and SVG files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        # Lay the figure out and find its tight bounding box once, for both files:
        # bbox_inches="tight" would draw the figure twice for each format.
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
            fig.set_layout_engine("none")  # keep the positions just computed
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(TIGHT_PAD_INCHES)
        for ext, options in (
            ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
            ("svg", {"metadata": {"Date": None, "Creator": None}}),
        ):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, bbox_inches=bbox, **options)
            data = buffer.getvalue()
            path = folder / f"{name}.{ext}"
            atomic_write(path, lambda handle, data=data: handle.write(data))
            written.append(path)
    finally:
        plt.close(fig)
    return written
