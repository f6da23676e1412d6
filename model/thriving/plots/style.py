"""The shared look of every Thriving picture: legible at slide size, colour-blind safe.

Pictures are drawn at 16:9 (10 x 5.625 inches) with text at 14-18 points, so they can be
pasted into a slide whole and still be read from the back of a council chamber. Colours
are the Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common forms of
colour blindness; the baseline is always grey, so the eye goes to the investments.
Each picture is saved as PNG (for slides and the HTML report) and SVG (for editing),
written atomically so that an interrupted run never leaves half a file. The PNG keeps
at most 256 colours (an adaptive palette), which makes it about 40 % of the size of a
full-colour one with no difference to be seen: the pictures are flat colours,
anti-aliased edges and translucent bands, not photographs.
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
from PIL import Image  # noqa: E402

from thriving.runs.store import atomic_write  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

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

#: Most colours a PNG keeps (an adaptive palette, one byte a pixel instead of four).
PNG_COLOURS = 256

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

    The PNG is a palette image at :data:`PNG_DPI` (see :func:`_png_bytes`); the SVG
    keeps text as text. The same figure gives the same bytes in both. The figure is
    closed afterwards (pictures are made in batches; open figures hold memory).

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
        for ext, data in (
            ("png", _png_bytes(fig, bbox)),
            ("svg", _svg_bytes(fig, bbox)),
        ):
            path = folder / f"{name}.{ext}"
            atomic_write(path, lambda handle, data=data: handle.write(data))
            written.append(path)
    finally:
        plt.close(fig)
    return written


def _svg_bytes(fig: Figure, bbox: Bbox) -> bytes:
    """The figure as SVG, with no date or creator (the same picture, the same bytes).

    The SVG settings of :data:`RC` are read when the file is written, not when the
    figure is drawn, so they are applied here too: a figure drawn inside
    :func:`slide_style` but saved after it would otherwise get text as outlines (not
    editable) and random clip-path ids (different bytes each time).
    """
    svg_settings = {key: value for key, value in RC.items() if key.startswith("svg.")}
    buffer = io.BytesIO()
    with plt.rc_context(svg_settings):
        fig.savefig(
            buffer, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None}
        )
    return buffer.getvalue()


def _png_bytes(fig: Figure, bbox: Bbox) -> bytes:
    """The figure as a palette PNG of at most :data:`PNG_COLOURS` colours, at :data:`PNG_DPI`.

    Matplotlib's own PNG keeps every pixel in full colour with an alpha channel (4 bytes
    a pixel, 150-300 KB a picture). A slide picture has a few thousand distinct
    colours, nearly all of them the anti-aliased edges of lines and text, so an
    adaptive palette of 256 loses nothing the eye can see and cuts the file to about
    40 %. Median cut is used, not the faster octree: it keeps the dominant colours
    exact (white stays white, the Okabe-Ito line colours and the funded shading keep
    their values) and only moves the rarest edge pixels a little. There is no
    dithering: dither noise would cost bytes and show on flat areas. Both steps are
    deterministic, and no time or software name is written, so the same figure gives
    the same bytes.
    """
    raw = io.BytesIO()
    # Uncompressed: it is only read back, and compressing a 4 MB bitmap would be waste.
    fig.savefig(raw, format="png", dpi=PNG_DPI, bbox_inches=bbox, pil_kwargs={"compress_level": 0})
    raw.seek(0)
    with Image.open(raw) as drawn:
        rgba = drawn.convert("RGBA")
    # Flatten onto white (a figure is opaque already; this guards a transparent one),
    # because median cut works on RGB and the pictures are meant for white pages.
    white = Image.new("RGBA", rgba.size, "white")
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    palette = rgb.quantize(
        colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    # dpi is recorded so that slide software places the picture at its drawn size.
    # zlib level 8, not 9: 9 takes more than twice as long for about 2 % less.
    palette.save(buffer, format="png", compress_level=8, dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()
