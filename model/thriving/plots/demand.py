"""Pictures of one results folder: demand, differences, payback, loneliness, wards.

:func:`plot_results` draws, for a sweep or a single run, each picture answering one
question (``docs/plots.md`` says how to read them):

``demand_<metric>``
    How much of each service is used each week, under each scenario?
``difference_<metric>``
    How much more or less than the baseline, run for paired run?
``payback``
    Does the cost avoided catch up with the money invested, and when?
``network_<metric>``
    Does loneliness fall, do ties and participation grow?
``wards_service_cost``, ``wards_loneliness``
    Who benefits: deprived or affluent wards?

The numbers come from :mod:`thriving.analysis.series`; this module only draws.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
from matplotlib.transforms import Bbox

from thriving.analysis import series
from thriving.analysis.results import Results, Weekly, open_results, pair_rows
from thriving.config.errors import ThrivingError
from thriving.config.wards import load_ward_table
from thriving.metrics import MONEY_SERIES
from thriving.plots import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Folder, inside the results folder, that the pictures go to.
PLOTS_FOLDER = "plots"

#: Default weeks of the rolling mean: a quarter, long enough to read at slide size.
SMOOTH_WEEKS = 13

#: Opacity of a 10-90 % band.
BAND_ALPHA = 0.10

#: Line styles of the baseline: dashed, and drawn over the scenarios' lines so that it
#: shows even where a scenario does not differ from it; more styles for grids in which
#: the baseline itself varies.
BASELINE_DASHES = ((0, (4, 2)), ":", "-.", (0, (6, 2, 1, 2)))

#: Weekly columns read for the demand, difference and payback pictures.
MONEY_COLUMNS = MONEY_SERIES

#: Ward pictures: file name, weekly ward column, what is avoided, unit, kind of number.
WARD_PICTURES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "wards_service_cost",
        "service_cost_gbp",
        "Service cost avoided",
        "£ per 1,000 adults a year",
        "money",
    ),
    (
        "wards_loneliness",
        "lonely_person_years",
        "Lonely person-years avoided",
        "per 1,000 adults a year",
        "count",
    ),
)


@dataclass
class PlotOutcome:
    """What :func:`plot_results` wrote.

    Attributes
    ----------
    folder : Path
        Where the pictures are (``<results>/plots``).
    files : list of Path
        Every file written (a PNG and an SVG per picture).
    skipped : list of str
        Pictures not drawn, each with the reason, in plain words.
    runs : int
        Runs plotted.
    not_done : int
        Runs of the sweep left out because they have not finished.
    """

    folder: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    runs: int = 0
    not_done: int = 0

    @property
    def pictures(self) -> list[str]:
        """Names of the pictures written (without extension), in order."""
        return list(dict.fromkeys(p.stem for p in self.files))


def plot_results(
    results: str | os.PathLike[str],
    metrics: Sequence[str] = (),
    smooth_weeks: int = SMOOTH_WEEKS,
) -> PlotOutcome:
    """Draw every picture of a results folder into ``<results>/plots`` (PNG and SVG).

    Parameters
    ----------
    results : path
        A sweep's results folder, or a single run's.
    metrics : sequence of str
        Services and network measures to draw (names or short names, see
        :data:`thriving.analysis.series.METRICS`); all when empty. The payback and ward pictures
        are always drawn when the folder has paired runs.
    smooth_weeks : int
        Weeks of the centred rolling mean applied to each run's weekly series before
        bands are taken (1: no smoothing).

    Returns
    -------
    PlotOutcome

    Raises
    ------
    ThrivingError
        If the folder is not a results folder, has no finished run, or a metric is
        unknown.
    """
    chosen = series.resolve_metrics(_split(metrics))
    if smooth_weeks < 1:
        raise ThrivingError(f"the rolling mean needs 1 week or more (got {smooth_weeks})")
    data = open_results(results)
    out = PlotOutcome(data.path / PLOTS_FOLDER, runs=len(data.runs), not_done=data.not_done)
    grouping = series.group_runs(data)
    columns = [m.column for m in chosen]
    weekly = data.weekly([*columns, *MONEY_COLUMNS])
    rows, base_rows = pair_rows(data.runs)
    spans = series.funded_spans(weekly.values["investment_spend_gbp"], weekly.weeks)
    context = _Context(data, grouping, weekly, rows, base_rows, spans, smooth_weeks)

    paired = context.paired_groups()
    paired_rows = np.concatenate([context.pairs_of(g)[0] for g in paired]) if paired else []
    try:
        with style.slide_style():
            for metric in chosen:
                if metric in series.SERVICE_METRICS:
                    out.files += _demand_picture(context, metric)
            for metric in chosen:
                if metric in series.SERVICE_METRICS and paired:
                    out.files += _difference_picture(context, metric)
            if not paired:
                out.skipped.append(_no_pairs(data, "differences from the baseline"))
            for metric in chosen:
                if metric in series.NETWORK_METRICS:
                    out.files += _network_picture(context, metric)
            if not paired:
                out.skipped.append(_no_pairs(data, "payback"))
            elif np.nansum(weekly.values["investment_spend_gbp"][paired_rows]) > 0:
                out.files += _payback_picture(context)
            else:
                out.skipped.append("payback: no scenario spends anything")
            if paired:
                out.files += _ward_pictures(context)
            else:
                out.skipped.append(_no_pairs(data, "effects by ward"))
    except OSError as exc:
        raise ThrivingError(
            f"cannot write the pictures to {out.folder}: {exc.strerror or exc}"
        ) from None
    return out


def _split(metrics: Sequence[str]) -> list[str]:
    """Metric names given as repeated options or comma-separated lists."""
    return [name for item in metrics for name in item.split(",") if name.strip()]


def _no_pairs(data: Results, what: str) -> str:
    if data.kind == "run":
        return f"{what}: a single run has no baseline run to compare with (plot a sweep)"
    return f"{what}: no scenario run has a finished baseline run to pair with"


@dataclass
class _Context:
    """Everything the pictures of one folder share."""

    data: Results
    grouping: series.Grouping
    weekly: Weekly
    rows: np.ndarray
    base_rows: np.ndarray
    spans: list[tuple[int, int]]
    smooth_weeks: int

    @property
    def x(self) -> np.ndarray:
        """Time of each week, in years since the start (the middle of the week)."""
        return (self.weekly.weeks - 0.5) / series.WEEKS_PER_YEAR

    @property
    def n_years(self) -> int:
        return int(self.weekly.years.max()) if self.weekly.years.size else 0

    def colours(self) -> dict[str, str]:
        """A colour per group label; grey for baseline groups."""
        labels = [g.label for g in self.grouping.groups]
        colours = style.scenario_colours([g.label for g in self.grouping.scenarios])
        for group in self.grouping.baselines:
            colours[group.label] = style.BASELINE_COLOUR
        return {label: colours[label] for label in labels}

    def smoothing_text(self) -> str:
        if self.smooth_weeks == 1:
            return "weekly values"
        return f"{self.smooth_weeks}-week rolling mean"

    def paired_groups(self) -> list[series.Group]:
        """The scenario groups with at least one pair of runs."""
        return [g for g in self.grouping.scenarios if len(self.pairs_of(g)[0])]

    def pairs_of(self, group: series.Group) -> tuple[np.ndarray, np.ndarray]:
        """Rows of a group's paired runs and of their baseline runs."""
        keep = np.isin(self.rows, group.rows)
        return self.rows[keep], self.base_rows[keep]

    def first_investment_year(self, rows: np.ndarray) -> int:
        """The earliest first investment year of some runs (1 if none invests)."""
        starts = [self.data.runs[i].summary.get("first_investment_year") for i in rows]
        starts = [int(s) for s in starts if s is not None]
        return min(starts) if starts else 1

    def price_text(self) -> str:
        price_year = self.data.summary_value("price_year", "2023/24")
        return f"{price_year} prices"

    def rate(self) -> float:
        return float(self.data.summary_value("discount_rate", 0.035))


# --------------------------------------------------------------------------------------
# Shared drawing
# --------------------------------------------------------------------------------------


class _Slide:
    """A 16:9 picture: a header (title, grey subtitle, legend in rows) above the axes.

    The header's height is worked out from its lines of text, and the text placed in
    points from the top of the figure; the axes are laid out (constrained layout) in
    the rest. So the title, subtitle and legend never overlap each other or the data,
    whatever their length.
    """

    #: Characters of a line of title (18 pt bold) and of subtitle (13 pt) at 10 inches.
    TITLE_CHARS = 64
    SUBTITLE_CHARS = 94
    #: Line heights, points.
    TITLE_LINE = 23.0
    SUBTITLE_LINE = 17.0
    LEGEND_ROW = 19.5

    def __init__(
        self,
        title: str,
        subtitle: str,
        legend: Sequence[str],
        ncols: int = 1,
        nrows: int = 1,
        sharey: bool = False,
    ) -> None:

        self.title = _wrap_title(title, self.TITLE_CHARS)
        self.subtitle = textwrap.fill(subtitle, self.SUBTITLE_CHARS)
        self.legend_cols = _legend_columns(legend)
        legend_rows = math.ceil(len(legend) / self.legend_cols) if legend else 0
        self.subtitle_at = 6 + self.TITLE_LINE * (self.title.count("\n") + 1) + 6
        self.legend_at = self.subtitle_at + self.SUBTITLE_LINE * (self.subtitle.count("\n") + 1) + 6
        header = (self.legend_at + self.LEGEND_ROW * legend_rows + 6) / 72  # inches
        width, height = style.SLIDE_SIZE
        if nrows > 1:
            height = 0.8 * height * nrows
        self.height = height
        self.fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(width, height),
            sharey=sharey,
            squeeze=False,
            layout="constrained",
        )
        self.fig.get_layout_engine().set(rect=(0, 0, 1, 1 - header / height))
        self.axes: list[Axes] = list(axes.ravel())

    def _y(self, points: float) -> float:
        """Figure y of a distance in points below the top."""
        return 1.0 - points / 72 / self.height

    def finish(self, handles: Sequence[object], labels: Sequence[str]) -> Figure:
        """Write the header (after drawing, when the legend's handles exist)."""
        self.fig.text(
            0.012,
            self._y(6),
            self.title,
            fontsize=18,
            fontweight="bold",
            va="top",
            linespacing=1.15,
        )
        self.fig.text(
            0.012,
            self._y(self.subtitle_at),
            self.subtitle,
            fontsize=13,
            color="#444444",
            va="top",
            linespacing=1.15,
        )
        if handles:
            self.fig.legend(
                handles,
                labels,
                loc="upper left",
                bbox_to_anchor=(0.004, self._y(self.legend_at)),
                ncols=self.legend_cols,
                frameon=False,
                fontsize=13,
                handlelength=1.8,
                columnspacing=1.4,
                borderaxespad=0.0,
                borderpad=0.0,
                labelspacing=0.3,
            )
        return self.fig


def _wrap_title(title: str, width: int) -> str:
    """Wrap a title, at its first comma if that makes both lines fit.

    Examples
    --------
    >>> print(_wrap_title("Emergency admissions per week, median of 5 runs", 40))
    Emergency admissions per week,
    median of 5 runs
    """
    if len(title) <= width:
        return title
    head, comma, tail = title.partition(", ")
    if comma and len(head) < width and len(tail) <= width:
        return f"{head},\n{tail}"
    return textwrap.fill(title, width)


def _legend_columns(labels: Sequence[str], width: float = 9.6) -> int:
    """As many legend columns as fit in ``width`` inches (13 pt text).

    Matplotlib fills a legend column by column, so each column is as wide as its
    widest entry.
    """
    if not labels:
        return 1
    entry = [0.75 + 0.1 * len(label) for label in labels]  # handle, gap, text: inches
    for ncols in range(len(labels), 1, -1):
        rows = math.ceil(len(labels) / ncols)
        columns = [entry[i : i + rows] for i in range(0, len(labels), rows)]
        if len(columns) == ncols and sum(max(c) for c in columns) <= width:
            return ncols
    return 1


def _year_axis(ax: Axes, n_years: int, narrow: bool = False) -> None:
    """The x axis in years since the start: ticks at the year boundaries.

    ``narrow`` axes (small multiples) get a tick every other year.
    """
    ax.set_xlim(0, max(n_years, 1))
    step = 1 if n_years <= 12 else (2 if n_years <= 24 else 5)
    if narrow and n_years > 6:
        step *= 2
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.set_xlabel("Years since the start (year 1 = first year after burn-in)")


def _shade_funded(ax: Axes, spans: list[tuple[int, int]]):
    """Shade the weeks the investment is funded; return a legend handle (or None)."""
    if not spans:
        return None
    for first, last in spans:
        ax.axvspan(
            (first - 1) / series.WEEKS_PER_YEAR,
            last / series.WEEKS_PER_YEAR,
            color=style.FUNDED_SHADE,
            zorder=0,
            linewidth=0,
        )
    return Patch(facecolor=style.FUNDED_SHADE, label=_funded_label(spans))


def _funded_label(spans: list[tuple[int, int]]) -> str:
    """'Funded, years 1-3' (whole years) or 'Funded' otherwise."""
    parts = []
    for first, last in spans:
        if (first - 1) % series.WEEKS_PER_YEAR or last % series.WEEKS_PER_YEAR:
            return "Investment funded"
        start, end = (first - 1) // series.WEEKS_PER_YEAR + 1, last // series.WEEKS_PER_YEAR
        parts.append(f"{start}" if start == end else f"{start}–{end}")
    word = "year" if len(parts) == 1 and "–" not in parts[0] else "years"
    return f"Funded, {word} {', '.join(parts)}"


def _draw_band(
    ax: Axes, x, result: series.Band, colour: str, dashes: object = "-", on_top: bool = False
) -> object:
    """A median line over a shaded 10-90 % band; returns the line (for a legend).

    ``on_top`` draws the line thinner and above the other lines (for the baseline).
    """
    if result.n > 1:
        ax.fill_between(x, result.low, result.high, color=colour, alpha=BAND_ALPHA, linewidth=0)
    options = {"zorder": 3, "linewidth": 2.0} if on_top else {}
    (line,) = ax.plot(x, result.median, color=colour, linestyle=dashes, **options)
    return line


def _number_formatter(kind: str, step: float):
    """Tick labels: thousands separators, % for shares, £ or £m for money.

    ``step`` is the distance between ticks, in the plotted unit; labels get as many
    decimals as it needs, and no more.
    """
    scale = 100.0 if kind == "share" else 1.0
    digits = max(0, -math.floor(math.log10(step * scale) + 1e-9)) if step > 0 else 0
    if kind == "share":
        return FuncFormatter(lambda v, _: _signed(f"{100 * abs(v):.{digits}f} %", v))
    if kind == "money_m":
        return FuncFormatter(lambda v, _: "£0" if v == 0 else _signed(f"£{abs(v):,.{digits}f}m", v))
    if kind == "money":
        return FuncFormatter(lambda v, _: _signed(f"£{abs(v):,.{digits}f}", v))
    return FuncFormatter(lambda v, _: _signed(f"{abs(v):,.{digits}f}", v))


def _signed(text: str, value: float) -> str:
    """A minus sign (not a hyphen) before negative labels that do not round to 0."""
    zero = float(re.sub(r"[^0-9.]", "", text) or 0) == 0
    return f"−{text}" if value < 0 and not zero else text


def _format_y(ax: Axes, kind: str) -> None:
    """Round tick steps (1, 2 or 5 times a power of ten), labelled as ``kind`` needs."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    ticks = ax.yaxis.get_majorticklocs()
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    ax.yaxis.set_major_formatter(_number_formatter(kind, step))


def _runs_text(n_min: int, n_max: int, what: str = "runs") -> str:
    """'5 runs' or '4–5 runs' (groups of different sizes)."""
    if n_min == n_max:
        singular = what[:-1] if what.endswith("s") else what
        return f"{n_min:,} {singular if n_min == 1 else what}"
    return f"{n_min:,}–{n_max:,} {what}"


def _with_note(text: str, note: str) -> str:
    return f"{text}; {note}" if note else text


# --------------------------------------------------------------------------------------
# 1. Demand per week, and 4. loneliness and the network
# --------------------------------------------------------------------------------------


def _demand_picture(ctx: _Context, metric: series.Metric) -> list[Path]:
    return _over_time_picture(ctx, metric, f"{metric.title} per week", "Borough totals", "demand")


def _network_picture(ctx: _Context, metric: series.Metric) -> list[Path]:
    return _over_time_picture(ctx, metric, metric.title, "Whole borough", "network")


def _over_time_picture(
    ctx: _Context, metric: series.Metric, what: str, where: str, prefix: str
) -> list[Path]:
    """Median and band per group over time, the funded years shaded."""
    groups = ctx.grouping.baselines + ctx.grouping.scenarios
    sizes = [len(g.rows) for g in groups]
    title = what
    runs = _runs_text(min(sizes), max(sizes))
    if max(sizes) > 1:
        title += f", median and 10–90 % range of {runs}"
    if ctx.data.kind == "run":
        lead = f"One run (seed {ctx.data.runs[0].seed}), {where.lower()}"
    elif len(sizes) > 1:
        lead = f"{runs} of each scenario, {where.lower()}"
    else:
        lead = where
    subtitle = _with_note(f"{lead}, {ctx.smoothing_text()}", ctx.grouping.note)
    labels = [g.label for g in groups] + ([_funded_label(ctx.spans)] if ctx.spans else [])
    slide = _Slide(title, subtitle, labels)
    (ax,) = slide.axes
    smoothed = series.rolling_mean(ctx.weekly.values[metric.column], ctx.smooth_weeks)
    colours = ctx.colours()
    funded = _shade_funded(ax, ctx.spans)
    handles = []
    for k, group in enumerate(ctx.grouping.baselines):
        dashes = BASELINE_DASHES[k % len(BASELINE_DASHES)]
        result = series.band(smoothed[group.rows])
        handles.append(_draw_band(ax, ctx.x, result, colours[group.label], dashes, True))
    for group in ctx.grouping.scenarios:
        result = series.band(smoothed[group.rows])
        handles.append(_draw_band(ax, ctx.x, result, colours[group.label]))
    if funded is not None:
        handles.append(funded)
    _year_axis(ax, ctx.n_years)
    _format_y(ax, metric.kind)
    _ylabel(ax, metric.unit)
    fig = slide.finish(handles, labels)
    return style.save_figure(fig, ctx.data.path / PLOTS_FOLDER, f"{prefix}_{metric.column}")


def _ylabel(ax: Axes, text: str) -> None:
    """A y-axis label, capitalised and wrapped to fit the axes' height."""
    ax.set_ylabel(textwrap.fill(_capital(text), 30))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------
# 2. Paired difference from the baseline
# --------------------------------------------------------------------------------------


def _difference_picture(ctx: _Context, metric: series.Metric) -> list[Path]:
    groups = ctx.paired_groups()
    sizes = [len(ctx.pairs_of(g)[0]) for g in groups]
    title = f"{metric.title} per week: change from the baseline"
    subtitle = _with_note(
        "Each scenario run minus its baseline run with the same seed: median and 10–90 % "
        f"range of {_runs_text(min(sizes), max(sizes), 'pairs')}, {ctx.smoothing_text()}. "
        "Below 0: less than the baseline",
        ctx.grouping.note,
    )
    labels = [g.label for g in groups] + ([_funded_label(ctx.spans)] if ctx.spans else [])
    slide = _Slide(title, subtitle, labels)
    (ax,) = slide.axes
    smoothed = series.rolling_mean(ctx.weekly.values[metric.column], ctx.smooth_weeks)
    colours = ctx.colours()
    funded = _shade_funded(ax, ctx.spans)
    ax.axhline(0, color="#333333", linewidth=1.2, zorder=1)
    handles = []
    for group in groups:
        rows, base_rows = ctx.pairs_of(group)
        diff = series.run_minus_baseline(smoothed, rows, base_rows)
        handles.append(_draw_band(ax, ctx.x, series.band(diff), colours[group.label]))
    if funded is not None:
        handles.append(funded)
    _year_axis(ax, ctx.n_years)
    _format_y(ax, metric.kind)
    _ylabel(ax, f"Change in {metric.unit}")
    fig = slide.finish(handles, labels)
    return style.save_figure(fig, ctx.data.path / PLOTS_FOLDER, f"difference_{metric.column}")


# --------------------------------------------------------------------------------------
# 3. Payback
# --------------------------------------------------------------------------------------


def _payback_picture(ctx: _Context) -> list[Path]:
    groups = ctx.paired_groups()
    cost = ctx.weekly.values["service_cost_gbp"]
    spend = ctx.weekly.values["investment_spend_gbp"]
    rate = ctx.rate()
    results, first_years = [], []
    for group in groups:
        rows, base_rows = ctx.pairs_of(group)
        first_year = ctx.first_investment_year(rows)
        first_years.append(first_year)
        results.append(
            series.payback(
                cost[rows], cost[base_rows], spend[rows], ctx.weekly.years, rate, first_year
            )
        )
    sizes = [r.n for r in results]
    pairs = _runs_text(min(sizes), max(sizes), "pairs")
    start = f"year {first_years[0]}" if len(set(first_years)) == 1 else "the year investment starts"
    subtitle = _with_note(
        f"Cumulative £m, {ctx.price_text()}, discounted at {100 * rate:g} % a year from "
        f"{start} (HM Treasury Green Book). Cost avoided: baseline run minus scenario "
        f"run, mean of {pairs}, band 10–90 %",
        ctx.grouping.note,
    )
    labels = ["Service cost avoided", "Investment", "Range of pairs (10–90 %)"]
    ncols = min(len(groups), 4)
    nrows = math.ceil(len(groups) / ncols)
    slide = _Slide(
        "Does it pay back? Cost avoided against money invested",
        subtitle,
        labels,
        ncols,
        nrows,
        sharey=True,
    )
    axes = slide.axes
    colours = ctx.colours()
    for ax, group, result in zip(axes, groups, results, strict=False):
        _payback_panel(ax, ctx, group, result, colours[group.label])
    for ax in axes[len(groups) :]:
        ax.set_visible(False)
    for ax in axes[: len(groups)]:
        ax.label_outer(remove_inner_ticks=True)
    for ax in axes[::ncols]:
        ax.set_ylabel(f"£m, {ctx.price_text()}")
    _format_y(axes[0], "money_m")
    slide.fig.supxlabel("Years since the start (year 1 = first year after burn-in)", fontsize=15)
    handles = [
        Line2D([], [], color="#555555", marker="o", markersize=5),
        Line2D([], [], color="#333333", linestyle="--"),
        Patch(facecolor="#555555", alpha=0.25),
    ]
    fig = slide.finish(handles, labels)
    return style.save_figure(fig, ctx.data.path / PLOTS_FOLDER, "payback")


def _payback_panel(
    ax: Axes, ctx: _Context, group: series.Group, result: series.Payback, colour: str
) -> None:
    """One scenario: cumulative cost avoided (band) and investment, payback marked."""

    def from_zero(values: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], values / 1e6])

    x = np.concatenate([[0], result.years])
    if result.n > 1:
        ax.fill_between(
            x,
            from_zero(result.avoided.low),
            from_zero(result.avoided.high),
            color=colour,
            alpha=BAND_ALPHA,
            linewidth=0,
        )
    ax.plot(x, from_zero(result.avoided_mean), color=colour, marker="o", markersize=5)
    ax.plot(x, from_zero(result.investment_mean), color="#333333", linestyle="--")
    ax.axhline(0, color="#999999", linewidth=0.8, zorder=1)
    _year_axis(ax, ctx.n_years, narrow=True)
    ax.set_xlabel("")
    statement = textwrap.fill(_capital(result.statement()), 20)
    label = textwrap.fill(group.label, 26)
    ax.set_title(f"{label}\n{statement}", fontsize=13, loc="left", color=colour)
    ax.text(
        0.03,
        0.97,
        f"{result.pairs_paid_back} of {result.n} pairs ahead\nat the end of year {ctx.n_years}",
        transform=ax.transAxes,
        fontsize=11,
        color="#444444",
        va="top",
    )
    if math.isnan(result.year):
        return
    year = int(result.year)
    value = result.avoided_mean[year - 1] / 1e6
    ax.plot(
        [year],
        [value],
        marker="o",
        markersize=13,
        color=colour,
        markeredgecolor="black",
        markeredgewidth=1.5,
        zorder=5,
    )
    last = year == len(result.years)  # at the right edge: label to the left
    ax.annotate(
        f"Year {year}",
        (year, value),
        xytext=(-10 if last else 10, -10),
        textcoords="offset points",
        ha="right" if last else "left",
        va="top",
        fontsize=12,
        fontweight="bold",
        color="#222222",
        bbox={
            "boxstyle": "round,pad=0.2",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
        zorder=6,
    )


# --------------------------------------------------------------------------------------
# 5. Who benefits: wards
# --------------------------------------------------------------------------------------


def _ward_pictures(ctx: _Context) -> list[Path]:
    table = load_ward_table(ctx.data.wards_file)
    names = [str(n) for n in table.names]
    ward_years = ctx.data.ward_years([p[1] for p in WARD_PICTURES], names)
    files: list[Path] = []
    for name, column, what, unit, kind in WARD_PICTURES:
        effects = []
        for group in ctx.grouping.scenarios:
            rows, base_rows = ctx.pairs_of(group)
            if not len(rows):
                continue
            from_year = ctx.first_investment_year(rows)
            values = ward_years.values[column]
            # Shown as avoided (baseline minus scenario): above zero is better.
            avoided = -series.ward_effect(
                values[rows],
                values[base_rows],
                ward_years.values["population"][base_rows],
                from_year,
            )
            effects.append((group, avoided, from_year))
        files += _ward_picture(ctx, name, what, unit, kind, table, effects)
    return files


def _ward_picture(ctx, name, what, unit, kind, table, effects) -> list[Path]:
    colours = ctx.colours()
    deprivation = table.deprivation
    from_years = sorted({f for *_, f in effects})
    years = (
        f"years {from_years[0]}–{ctx.n_years}"
        if len(from_years) == 1
        else "the years from when investment starts"
    )
    sizes = [e.shape[0] for _, e, _ in effects]
    pairs = _runs_text(min(sizes), max(sizes), "pairs")
    subtitle = _with_note(
        f"Baseline run minus scenario run, a year over {years}: dots the mean of {pairs} "
        "for each ward, bars 10–90 %, lines the trend. Above 0: better than the baseline",
        ctx.grouping.note,
    )
    labels = [group.label for group, _, _ in effects]
    slide = _Slide(f"Who benefits? {what}, by ward deprivation", subtitle, labels)
    (ax,) = slide.axes
    dodge = 0.007
    ax.axhline(0, color="#333333", linewidth=1.2, zorder=1)
    handles = []
    points: list[tuple[float, float, str]] = []
    for k, (group, effect, _) in enumerate(effects):
        colour = colours[group.label]
        spread = series.band(effect)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(effect, axis=0)
        x = deprivation + (k - (len(effects) - 1) / 2) * dodge
        if spread.n > 1:
            ax.vlines(x, spread.low, spread.high, color=colour, alpha=0.35, linewidth=2)
        handles.append(
            ax.scatter(x, mean, color=colour, s=64, zorder=3, edgecolor="white", linewidth=0.8)
        )
        good = ~np.isnan(mean)
        if good.sum() >= 3:
            # Weighted by adults, so a small ward's noise pulls the trend less.
            slope, intercept = np.polyfit(
                deprivation[good], mean[good], 1, w=np.sqrt(table.adults[good])
            )
            ax.plot([0, 1], [intercept, intercept + slope], color=colour, linewidth=1.8)
        points += [
            (float(x[i]), float(mean[i]), str(table.names[i])) for i in range(len(mean)) if good[i]
        ]
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("Ward deprivation (0 = least deprived, 1 = most deprived)")
    _ylabel(ax, f"{what}, {unit}")
    _format_y(ax, kind)
    fig = slide.finish(handles, labels)
    _label_wards(fig, ax, points)
    return style.save_figure(fig, ctx.data.path / PLOTS_FOLDER, name)


def _label_wards(fig: Figure, ax: Axes, points: list[tuple[float, float, str]]) -> None:
    """Name each ward once, beside its dot furthest from zero, where the name fits.

    Names are placed in order of how far the ward is from zero (the wards a reader asks
    about first); a name that would overlap another, or leave the axes, is left out.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    best: dict[str, tuple[float, float]] = {}
    for x, y, ward in points:
        if ward not in best or abs(y) > abs(best[ward][1]):
            best[ward] = (x, y)
    frame = ax.get_window_extent(renderer)
    # Names must not cover a dot (about 8 pixels across at the drawing's resolution).
    dots = ax.transData.transform([(x, y) for x, y, _ in points]) if points else []
    taken = [Bbox.from_extents(x - 4, y - 4, x + 4, y + 4) for x, y in dots]
    placements = (
        (7, 0, "left", "center"),
        (-7, 0, "right", "center"),
        (0, 8, "center", "bottom"),
        (0, -8, "center", "top"),
    )
    for ward in sorted(best, key=lambda w: -abs(best[w][1])):
        for dx, dy, ha, va in placements:
            text = ax.annotate(
                ward,
                best[ward],
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=10.5,
                color="#333333",
                zorder=4,
            )
            box = text.get_window_extent(renderer)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
