"""Pieces of HTML for the report, and its pictures.

Each piece escapes the text it is given; pictures are inlined as ``data:`` URIs.
"""

from __future__ import annotations

import base64
import datetime
import html
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thriving.analysis.series import METRICS
from thriving.report.inputs import own_section_picture
from thriving.report.words import PICTURE_GROUPS, PLOTS_FOLDER

# --------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------


def _e(text: Any) -> str:
    """Escape text for HTML (and keep '%' on the line of its number)."""
    return html.escape(str(text), quote=True).replace(" %", "\u00a0%")


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{_e(text)}</p>"


def _label(name: str) -> str:
    """The data-label attribute that names a cell on a phone (where headers are hidden)."""
    return f' data-label="{_e(name)}"' if name else ""


def _class(name: str) -> str:
    return f' class="{_e(name)}"' if name else ""


def _table(
    head: Sequence[str],
    rows: Iterable[Sequence[tuple[str, str]]],
    *,
    caption: str = "",
    cls: str = "stack",
    row_classes: Sequence[str] | None = None,
    numeric: Sequence[int] = (),
) -> str:
    """A table; each cell is ``(html, css class)`` and is labelled for phones."""
    lines = ['<div class="table-wrap">', f'<table class="{cls}">']
    if caption:
        lines.append(f"<caption>{_e(caption)}</caption>")
    cells = "".join(
        f'<th scope="col"{_class("num" if i in numeric else "")}>{_e(h)}</th>'
        for i, h in enumerate(head)
    )
    lines.append(f"<thead><tr>{cells}</tr></thead><tbody>")
    for k, row in enumerate(rows):
        klass = row_classes[k] if row_classes and row_classes[k] else ""
        tr = f'<tr class="{klass}">' if klass else "<tr>"
        tds = "".join(f"<td{_label(head[i])}{_class(c)}>{h}</td>" for i, (h, c) in enumerate(row))
        lines.append(f"{tr}{tds}</tr>")
    lines.append("</tbody></table></div>")
    return "\n".join(lines)


def _path(path: str) -> str:
    """A dotted path as code that may wrap after its dots and underscores."""
    return '<code class="path">' + re.sub(r"([._])", r"\1<wbr>", _e(path)) + "</code>"


def _badge(confidence: str) -> str:
    if not confidence:
        return '<span class="muted">not graded</span>'
    return f'<span class="badge {_e(confidence)}">{_e(confidence)}</span>'


def _date(stamp: str) -> str:
    """An ISO 8601 time as '24 November 2026, 17:44 UTC' (as given when unreadable)."""
    try:
        when = datetime.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC)
    return f"{when.day} {when:%B %Y, %H:%M} UTC"


# --------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A PNG picture ready to inline."""

    name: str
    data_uri: str
    width: int
    height: int


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header (0, 0 if it is not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return 0, 0
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _read_picture(path: Path) -> Picture | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    width, height = _png_size(data)
    if not width:
        return None
    encoded = base64.b64encode(data).decode("ascii")
    return Picture(path.stem, f"data:image/png;base64,{encoded}", width, height)


def _figure(picture: Picture, caption: str = "") -> str:
    alt = picture.name.replace("_", " ")
    caption_html = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return (
        f'<figure id="picture-{_e(picture.name)}"><img src="{picture.data_uri}" '
        f'alt="{_e(alt)}" width="{picture.width}" height="{picture.height}">'
        f"{caption_html}</figure>"
    )


def _picture_order(path: Path) -> tuple[int, str]:
    """Pictures of services and measures in the order the plots and tables give them."""
    order = list(METRICS)
    stem = path.stem
    for i, metric in enumerate(order):
        if stem.endswith(metric):
            return i, stem
    return len(order), stem


def _pictures_part(folder: Path) -> tuple[str, int]:
    """The pictures of plots/ (not those with sections of their own), grouped."""
    files = sorted((folder / PLOTS_FOLDER).glob("*.png"), key=_picture_order)
    files = [p for p in files if not own_section_picture(p)]
    used: set[Path] = set()
    lines = []
    count = 0
    for prefix, title, how in PICTURE_GROUPS:
        group = [p for p in files if p.name.startswith(prefix) and p not in used]
        pictures = [pic for pic in map(_read_picture, group) if pic is not None]
        used.update(group)
        if not pictures:
            continue
        lines.append(f"<h3>{_e(title)}</h3>")
        lines.append(_p(how, "how-to-read"))
        lines += [_figure(pic) for pic in pictures]
        count += len(pictures)
    rest = [pic for pic in map(_read_picture, [p for p in files if p not in used]) if pic]
    if rest:
        lines.append("<h3>Other pictures</h3>")
        lines += [_figure(pic) for pic in rest]
        count += len(rest)
    if not count:
        lines.append(_p("There are no pictures in the plots folder (run thriving plot)."))
    return "\n".join(lines), count
