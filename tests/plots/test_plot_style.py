"""plots.style.save_figure: small palette PNGs that look like the drawing, byte-stable."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from thriving.plots import style


def draw() -> style.plt.Figure:
    """A slide picture with what the real ones have: lines, translucent bands, shading."""
    weeks = np.arange(200)
    with style.slide_style():
        fig, ax = style.plt.subplots(layout="constrained")
        ax.axvspan(0, 100, color=style.FUNDED_SHADE, zorder=0)
        for i, colour in enumerate((style.BASELINE_COLOUR, *style.PALETTE[:3])):
            middle = 10 + i + np.sin(weeks / (7 + i))
            ax.fill_between(weeks, middle - 1, middle + 1, color=colour, alpha=0.2, lw=0)
            ax.plot(weeks, middle, color=colour, label=f"scenario {i}")
        ax.set_title("A title with anti-aliased text")
        ax.legend()
    return fig


def full_colour(fig: style.plt.Figure) -> np.ndarray:
    """The figure as Matplotlib's own PNG has it (RGB, full colour), at the same dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=style.PNG_DPI)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The picture saved twice, into two folders; (first folder, second folder)."""
    folders = [tmp_path_factory.mktemp(f"style{i}") for i in (1, 2)]
    for folder in folders:
        style.save_figure(draw(), folder, "picture")
    return folders


def test_the_same_figure_gives_the_same_bytes(saved):
    first, second = saved
    for ext in ("png", "svg"):
        assert (first / f"picture.{ext}").read_bytes() == (second / f"picture.{ext}").read_bytes()


def test_only_the_two_pictures_are_left_in_the_folder(saved):
    # Atomic writes go through a temporary name; none may be left behind.
    assert sorted(p.name for p in saved[0].iterdir()) == ["picture.png", "picture.svg"]


def test_svg_text_stays_text_when_saved_outside_the_style_block(saved):
    # draw() returns from inside slide_style; save_figure runs after it, as the
    # before-and-after pictures do.
    assert "<text" in (saved[0] / "picture.svg").read_text()


def test_the_png_is_a_palette_image_at_slide_resolution(saved):
    with Image.open(saved[0] / "picture.png") as png:
        assert png.mode == "P"
        assert len(png.getcolors(style.PNG_COLOURS)) <= style.PNG_COLOURS
        assert png.info["dpi"] == pytest.approx((style.PNG_DPI, style.PNG_DPI), abs=0.1)
        assert "Software" not in png.info  # nothing that changes between machines
        # About 10 x 5.6 inches at 150 dpi (the tight box trims a little).
        assert 1300 < png.width <= 1500 + 60
        assert 700 < png.height <= 844 + 60


def test_the_palette_keeps_the_exact_colours_of_the_look(saved):
    """White, the scenario colours and the funded shading come out unchanged."""
    with Image.open(saved[0] / "picture.png") as png:
        colours = {rgb for _, rgb in png.convert("RGB").getcolors(style.PNG_COLOURS)}
    for hex_colour in ("#FFFFFF", style.FUNDED_SHADE, style.BASELINE_COLOUR, *style.PALETTE[:3]):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour


def test_translucent_bands_look_as_drawn():
    """The palette PNG differs from the full-colour drawing only at a few edge pixels."""
    fig = draw()
    png = style._png_bytes(fig, fig.bbox_inches)  # the whole figure, no tight box
    expected = full_colour(fig)
    style.plt.close(fig)
    with Image.open(io.BytesIO(png)) as image:
        got = np.asarray(image.convert("RGB")).astype(int)
    assert got.shape == expected.shape
    error = np.abs(got - expected).max(axis=2)  # 0-255 per pixel, worst channel
    assert (error > 0).mean() < 0.05  # nearly every pixel is exact
    assert (error > 16).mean() < 0.005  # a visible change is rarer still
    assert np.abs(got - expected).mean() < 0.5


def test_the_png_is_much_smaller_than_a_full_colour_one():
    fig = draw()
    png = style._png_bytes(fig, fig.bbox_inches)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=style.PNG_DPI)
    style.plt.close(fig)
    assert len(png) < 0.6 * len(buffer.getvalue())
