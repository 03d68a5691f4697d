"""Charts as inline SVG: matplotlib figures turned into accessible, deterministic `<svg>` markup.

`svg_markup` is the shared step every report's charts go through: the figure is drawn with
matplotlib's SVG backend (through `Figure`, never pyplot, so no GUI backend or global figure state
is involved), with `svg.hashsalt` set to the chart's id and every metadata field cleared, so the
same data give the same bytes; the XML prolog, DOCTYPE and stylesheet are dropped, matplotlib's
element ids are removed or prefixed with the chart's id (several charts share one HTML page), and
the root gets `role="img"` with a `<title>` (WeasyPrint takes the PDF's alt text from it) and a
`<desc>`. Every chart is drawn from view data whose table the report prints beside it, so the
chart is never the only way to read the numbers. Colour is never the only signal either: series
differ in hatching as well as colour, and every bar and interval carries its value as text.
The force report draws grades and rates (`grade_chart`, `rates_chart`); the programme report a
funnel plot per criterion (`funnel_chart`: each force a point labelled by name); the year-on-year
report the changes around zero (`change_chart`: each change with its interval and its word).
"""
from __future__ import annotations

import io
import math
import re
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import MaxNLocator

from thematic.core.typeface import FAMILY, use_in_matplotlib
from thematic.render.sections import GradeSection, ThemeSection
from thematic.render.views import CountView, RateView, percent, threshold_text

#: GOV.UK palette: each colour has at least 3:1 contrast against white (WCAG 1.4.11).
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"
BLACK = "#0b0c0c"
MID_GREY = "#6f777b"

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.typing import RcKeyType

    from thematic.stats.programme import FunnelLimits

_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # real text: smaller, selectable, and drawn in the page's font
    "font.family": [FAMILY],  # the packaged faces, registered by `use_in_matplotlib`: no system lookup
    "text.parse_math": False,  # a "$" in a force's name is a dollar sign, never mathematics
    "text.usetex": False,
    "font.size": 10,
    "axes.edgecolor": DARK_GREY,
    "axes.labelcolor": BLACK,
    "xtick.color": BLACK,
    "ytick.color": BLACK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 1.2,
}
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart, its title and description, and the id of the table holding its data."""

    id: str
    title: str
    description: str
    svg: str
    table_id: str
    #: The same chart drawn for a narrow screen (`NARROW` inches across, fewer ticks, shorter
    #: lines of text), which the page shows instead of `svg` below 592 px; "" if there is none.
    narrow_svg: str = ""


#: Inches across: the drawing for the page and the PDF, and the one for a phone's column (390 px
#: less the page's padding is 358 px; 3.7 in is 355 px, so its text is drawn at its own size).
WIDE = 6.4
NARROW = 3.7


def _chart(figures: dict[bool, Figure], *, chart_id: str, title: str, description: str, table_id: str) -> Chart:
    """The chart from its wide drawing (`figures[False]`) and its narrow one (`figures[True]`)."""
    return Chart(chart_id, title, description,
                 svg_markup(figures[False], chart_id=chart_id, title=title, description=description), table_id,
                 svg_markup(figures[True], chart_id=f"{chart_id}-narrow", title=title, description=description))


def svg_markup(figure: Figure, *, chart_id: str, title: str, description: str) -> str:
    """The figure as `<svg>` markup for inlining in HTML, deterministic for the same figure."""
    buffer = io.StringIO()
    use_in_matplotlib()
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": chart_id}), warnings.catch_warnings():
        # The packaged file has no minus sign (the page's @font-face maps it to the figure dash):
        # matplotlib measures its missing-glyph box instead, 600 units against 572, too little to
        # move the layout, and would warn on every chart with a negative number.
        warnings.filterwarnings("ignore", message=r"Glyph 8722 \(\\N\{MINUS SIGN\}\) missing")
        figure.savefig(buffer, format="svg", metadata=_METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", text, count=1, flags=re.S)
    text = re.sub(r'<g id="[^"]*"', "<g", text)
    # Ids left are definitions the chart refers to (clip paths, markers, hatches): prefix them all.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r'url\(#([^)]+)\)', rf'url(#{chart_id}-\1)', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', text)
    text = _STYLE_ATTRIBUTE.sub(_presentation_attributes, text)
    root_end = text.index(">")
    root = text[:root_end]
    viewbox = re.search(r'viewBox="([^"]+)"', root)
    width = re.search(r'width="([\d.]+)pt"', root)
    height = re.search(r'height="([\d.]+)pt"', root)
    assert viewbox and width and height, "matplotlib's SVG root has changed"
    new_root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="chart" id="{chart_id}" viewBox="{viewbox.group(1)}" '
        f'width="{width.group(1)}pt" height="{height.group(1)}pt" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{_escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{_escape(description)}</desc>'
    )
    return new_root + text[root_end + 1:].rstrip() + "\n"


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
#: SVG properties that are also presentation attributes: written as attributes, WeasyPrint's HTML
#: style engine does not read them (it warns about every SVG property in a style attribute).
_PRESENTATION = frozenset({
    "fill", "fill-opacity", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity", "font-size", "font-family",
    "font-weight", "font-style", "text-anchor", "clip-path",
})


def _presentation_attributes(match: re.Match[str]) -> str:
    attributes, rest = [], []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name in _PRESENTATION:
            attributes.append(f' {name}="{value}"')
        else:
            rest.append(f"{name}: {value}")
    return "".join(attributes) + (f' style="{"; ".join(rest)}"' if rest else "")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figure(width: float, height: float) -> Figure:
    use_in_matplotlib()  # before any text is measured
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _whole_numbers(axis: Axis) -> None:
    """Ticks at whole numbers only (the axis's default locator, an AutoLocator, is a MaxNLocator)."""
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def _layout_rect(figure: Figure, rect: tuple[float, float, float, float]) -> None:
    """Lay the axes out within `rect` of the figure (left, bottom, width, height), leaving the rest for labels."""
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):  # as `_figure` makes every figure
        engine.set(rect=rect)


def grade_chart(grades: GradeSection, *, chart_id: str = "chart-grades", table_id: str = "table-grades") -> Chart:
    """Horizontal bars: cases per grade, suggested (solid) beside the inspector's (hatched)."""
    rows = [r for r in grades.rows if r.suggested is not None]
    labels = [r.grade for r in rows]
    series: list[tuple[str, list[CountView], str, str]] = [
        ("suggested grade", [r.suggested.met for r in rows], BLUE, ""),  # type: ignore[union-attr]
        ("inspector's grade", [r.inspector.met for r in rows], DARK_GREY, "//")]
    title = "Cases by grade: suggested and inspector's"
    description = ("Bar chart of the number of cases given each grade, the suggested grade beside the "
                   "inspector's. The same numbers are in the table that follows.")
    figures = {narrow: _grade_figure(labels, series, narrow=narrow) for narrow in (False, True)}
    return _chart(figures, chart_id=chart_id, title=title, description=description, table_id=table_id)


def _grade_figure(labels: list[str], series: list[tuple[str, list[CountView], str, str]], *, narrow: bool) -> Figure:
    """The grade chart's drawing; narrow, the grades' names wrap and the axis has fewer ticks."""
    if narrow:  # "requires improvement" on two lines leaves the bars their room
        labels = [textwrap.fill(label, 12, break_long_words=False) for label in labels]
    with matplotlib.rc_context(_STYLE):
        figure = _figure(NARROW if narrow else WIDE, 0.9 + 0.75 * len(labels))
        axes = figure.add_subplot()
        height = 0.38
        top = max([c.value or 0 for _, counts, _, _ in series for c in counts] + [1])
        for index, (name, counts, colour, hatch) in enumerate(series):
            positions = [i + (index - 0.5) * height for i in range(len(labels))]
            values = [c.value or 0 for c in counts]
            bars = axes.barh(positions, values, height=height * 0.92, color=colour if not hatch else "white",
                             edgecolor=colour, hatch=hatch or None, linewidth=1.2, label=name)
            for bar, count in zip(bars, counts, strict=True):  # a bar per count
                axes.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2,
                          _bar_label(count, name), va="center", ha="left", color=BLACK, fontsize=9)
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, top * (1.9 if narrow else 1.45))  # narrow: the same words in a shorter axis
        axes.set_xlabel("cases")
        _whole_numbers(axes.xaxis)
        if narrow:
            locator = axes.xaxis.get_major_locator()
            if isinstance(locator, MaxNLocator):
                locator.set_params(nbins=4)
        # Narrow, the two entries side by side would run past the drawing's right edge.
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1 if narrow else 2, frameon=False, fontsize=9)
    return figure


def _bar_label(count: CountView, series: str) -> str:
    short = "suggested" if series.startswith("suggested") else "inspector"
    return f"{count.text} ({short})"


def rates_chart(
    rows: Sequence[tuple[str, RateView]],
    thresholds: Sequence[float],
    *,
    chart_id: str,
    table_id: str,
    title: str,
) -> Chart:
    """Each rate as a point with its 95% interval as a bar, threshold lines dashed and labelled.

    A rate clearly above or below a reference (its whole interval on one side) is drawn as a hollow
    diamond and labelled so; a rate not shown is labelled with the reason instead of a point.
    """
    description = ("Each criterion's rate as a dot with its 95% interval as a horizontal bar; a hollow "
                   f"diamond marks a rate whose whole interval is clearly above or below {threshold_text(thresholds)}. "
                   "The same numbers are in the table that follows." if thresholds else
                   "Each criterion's rate as a dot with its 95% interval as a horizontal bar. "
                   "The same numbers are in the table that follows.")
    figures = {narrow: _rates_figure(rows, thresholds, narrow=narrow) for narrow in (False, True)}
    return _chart(figures, chart_id=chart_id, title=title, description=description, table_id=table_id)


#: Characters on a line of a narrow chart's note ("9 of 12, 75%; clearly above 50%") before it wraps.
_NARROW_NOTE_WIDTH = 16
#: Characters on a line of a narrow chart's reason for a rate not shown ("fewer than 5 of 10: rate
#: withheld: small numbers"), drawn from the left of the axes, before it wraps.
_NARROW_REASON_WIDTH = 30


def _rates_figure(rows: Sequence[tuple[str, RateView]], thresholds: Sequence[float], *, narrow: bool) -> Figure:
    """The rates chart's drawing; narrow, each note wraps onto lines of its own and the axis has
    three ticks, so the same words fit a phone's column without shrinking."""
    with matplotlib.rc_context(_STYLE):
        figure = _figure(NARROW if narrow else WIDE, 1.1 + (0.5 if narrow else 0.42) * len(rows))
        axes = figure.add_subplot()
        for threshold in thresholds:
            axes.axvline(threshold * 100, color=MID_GREY, linestyle=(0, (4, 3)), linewidth=1)
            axes.text(threshold * 100, -0.75, threshold_text([threshold]), ha="center", va="bottom",
                      color=BLACK, fontsize=8)
        for index, (_name, rate) in enumerate(rows):
            if rate.rate is None or rate.ci_low is None or rate.ci_high is None:
                reason = f"{rate.n_of_n}: {rate.note}"
                if narrow:  # on one line ("fewer than 5 of fewer than 5: rate withheld: small numbers") it is
                    # wider than a phone's column, and the layout, making room for it, collapses the axes
                    reason = textwrap.fill(reason, _NARROW_REASON_WIDTH, break_long_words=False)
                axes.text(1, index, reason, va="center", ha="left", color=BLACK, fontsize=8 if narrow else 9)
                continue
            axes.plot([rate.ci_low * 100, rate.ci_high * 100], [index, index], color=BLUE, linewidth=2.2,
                      solid_capstyle="butt")
            for end in (rate.ci_low, rate.ci_high):
                axes.plot([end * 100, end * 100], [index - 0.15, index + 0.15], color=BLUE, linewidth=1.6)
            flagged = bool(rate.flags)
            axes.plot([rate.rate * 100], [index], marker="D" if flagged else "o", markersize=7,
                      markerfacecolor="white" if flagged else BLACK, markeredgecolor=BLACK, markeredgewidth=1.5,
                      linestyle="none")
            note = f"{rate.n_of_n}, {rate.percent}" + (f"; {rate.flag}" if flagged else "")
            if narrow:
                note = textwrap.fill(note, _NARROW_NOTE_WIDTH, break_long_words=False)
            axes.text(101.5, index, note, va="center", ha="left", color=BLACK, fontsize=8 if narrow else 9,
                      clip_on=False)
        axes.set_yticks(range(len(rows)), [name for name, _ in rows])
        axes.set_ylim(len(rows) - 0.5, -1.0)
        axes.set_xlim(0, 100)
        ticks = [0, 50, 100] if narrow else [0, 20, 40, 60, 80, 100]
        axes.set_xticks(ticks, [f"{t}%" for t in ticks])
        axes.set_xlabel("rate met, with 95% interval")
        # Room on the right for the "n of N" labels.
        _layout_rect(figure, (0, 0, 0.62 if narrow else 0.74, 1))
    return figure


def theme_chart(theme: ThemeSection, thresholds: Sequence[float]) -> Chart:
    """The rates of a theme's criteria, with a line at each reference they are compared with."""
    return rates_chart(
        [(row.id, row.rate) for row in theme.criteria],
        sorted({*thresholds, *(r.rate for r in theme.references)}),
        chart_id=f"chart-{theme.anchor}",
        table_id=f"table-{theme.anchor}",
        title=f"{theme.title}: rate met for each criterion, with 95% intervals",
    )


# --- programme and year-on-year charts ---------------------------------------------------------

@dataclass(frozen=True)
class FunnelPoint:
    """One force on a funnel plot: its name, denominator, rate and where it lies in words."""

    name: str
    total: int
    rate: float
    position: str  # "" within the 95% limits, else e.g. "above the 99.8% limit"


def funnel_chart(
    points: Sequence[FunnelPoint],
    pooled: float,
    curve: Sequence[FunnelLimits],
    *,
    chart_id: str,
    table_id: str,
    title: str,
) -> Chart:
    """Each force's rate against its denominator, with the pooled rate and its 95% and 99.8% limits.

    The limits are the exact quantiles at each whole denominator, joined by lines. Every
    point carries its force's name, and a force outside a limit says so in its label and is drawn
    with another marker, so neither the legend nor colour is needed to read it.
    """
    description = ("Funnel plot: each force's rate met (vertical) against the number of cases it assessed "
                   f"(horizontal). The solid line is the pooled rate, {percent(pooled)}; dashed lines are the 95% "
                   "limits and dotted lines the 99.8% limits, which narrow as samples grow. Each force is a labelled "
                   "point; a force outside a limit is a hollow diamond and its label names the limit. The same "
                   "numbers are in the table that follows.")
    figures = {narrow: _funnel_figure(points, pooled, curve, narrow=narrow) for narrow in (False, True)}
    return _chart(figures, chart_id=chart_id, title=title, description=description, table_id=table_id)


def _funnel_figure(points: Sequence[FunnelPoint], pooled: float, curve: Sequence[FunnelLimits], *,
                   narrow: bool) -> Figure:
    """The funnel chart's drawing; narrow, taller, its legend in one column and each label on
    lines of at most 20 characters, so the labels keep their size in a phone's column."""
    with matplotlib.rc_context(_STYLE):
        figure = _figure(NARROW, 4.2) if narrow else _figure(6.4, 3.1)
        axes = figure.add_subplot()
        top = max([p.total for p in points] + [1])
        low = max(1, min([p.total for p in points] + [top]) // 2)
        shown = [c for c in curve if low <= c.total <= top]
        if shown:
            xs = [c.total for c in shown]
            rates = [c.rates() for c in shown]
            axes.plot(xs, [r["high_99.8"] * 100 for r in rates], color=DARK_GREY, linestyle=(0, (1, 1.5)),
                      linewidth=1.4, label="99.8% limits")
            axes.plot(xs, [r["low_99.8"] * 100 for r in rates], color=DARK_GREY, linestyle=(0, (1, 1.5)),
                      linewidth=1.4)
            axes.plot(xs, [r["high_95"] * 100 for r in rates], color=BLUE, linestyle=(0, (6, 3)), linewidth=1.4,
                      label="95% limits")
            axes.plot(xs, [r["low_95"] * 100 for r in rates], color=BLUE, linestyle=(0, (6, 3)), linewidth=1.4)
        axes.axhline(pooled * 100, color=BLACK, linewidth=1.2, label=f"pooled rate {percent(pooled)}")
        for point in points:
            outside = bool(point.position)
            axes.plot([point.total], [point.rate * 100], marker="D" if outside else "o", markersize=7 if outside else 6,
                      linestyle="none", markerfacecolor="white" if outside else BLACK, markeredgecolor=BLACK,
                      markeredgewidth=1.5)
        axes.set_xlim(0, top * 1.12 + 1)
        axes.set_ylim(0, 100)
        _layout_rect(figure, (0, 0, 0.58 if narrow else 0.8, 1))  # room for the labels of the largest samples
        if narrow:  # the axes' frame first: the labels' room is measured on the axes as they will be
            _funnel_frame(axes, narrow=True)
        texts = [point.name + (f": {point.position}" if point.position else "") for point in points]
        if narrow:
            texts = [textwrap.fill(text, 20, break_long_words=False) for text in texts]
        gap, reach = _label_room(figure, axes, texts)
        for point, text, label_y in zip(points, texts, _label_heights(points, top, gap, reach), strict=True):
            x, y = point.total, point.rate * 100
            moved = abs(label_y - y) > 0.5
            # A white box keeps a label readable over the limit lines; a moved label gets a thin leader.
            leader = {"arrowstyle": "-", "color": MID_GREY, "linewidth": 0.7, "shrinkA": 0, "shrinkB": 4,
                      "relpos": (0, 0.5)}
            axes.annotate(text, (x, y), xytext=(x + top * 0.03, label_y), textcoords="data", fontsize=8.5,
                          color=BLACK, va="center", ha="left", annotation_clip=False,
                          bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                          arrowprops=leader if moved else None).set_in_layout(False)
        if not narrow:  # after the labels, as the wide drawing (the PDF's) has always been drawn
            _funnel_frame(axes, narrow=False)
    return figure


def _funnel_frame(axes: Axes, *, narrow: bool) -> None:
    """A funnel chart's ticks, axis names and legend; narrow, the legend in one column (three
    rows, which take height from the axes) and the axis's name on two lines."""
    axes.set_yticks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"])
    axes.set_xlabel("cases assessed" + ("\n" if narrow else " ") + "(the rate's denominator)")
    axes.set_ylabel("rate met")
    _whole_numbers(axes.xaxis)
    if narrow:
        locator = axes.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):
            locator.set_params(nbins=4)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1 if narrow else 3, frameon=False, fontsize=8.5)


#: The font size of a funnel chart's labels, and the clear space kept between two of them (points).
_FUNNEL_LABEL_SIZE = 8.5
_LABEL_CLEARANCE = 1.0


def _label_room(figure: Figure, axes: Axes, texts: Sequence[str]) -> tuple[float, float]:
    """How far apart, in the funnel's data units, two labels must be to stand clear of each other:
    up and down (rate, %: the tallest label with its white box and a point of clear space), and
    sideways (cases: the widest label with its box), measured on the laid-out figure, since the
    axes' size in points depends on the legend and tick labels around them."""
    with warnings.catch_warnings():  # the missing minus sign, as in svg_markup
        warnings.filterwarnings("ignore", message=r"Glyph 8722 \(\\N\{MINUS SIGN\}\) missing")
        figure.draw_without_rendering()
    probes = [axes.text(0, 0, text, fontsize=_FUNNEL_LABEL_SIZE) for text in texts]
    extents = [probe.get_window_extent() for probe in probes]
    for probe in probes:
        probe.remove()
    points = figure.dpi / 72  # display units per point
    box = axes.get_window_extent()
    pad = 2 * 0.15 * _FUNNEL_LABEL_SIZE * points  # the white box's padding, above and below
    tallest = max((e.height for e in extents), default=0.0) + pad + _LABEL_CLEARANCE * points
    widest = max((e.width for e in extents), default=0.0) + pad + _LABEL_CLEARANCE * points
    low, high = axes.get_xlim()
    return tallest / box.height * 100, widest / box.width * (high - low)


def _label_heights(points: Sequence[FunnelPoint], top: int, gap: float = 6.5,
                   reach: float | None = None) -> list[float]:
    """The height (rate, %) of each point's label, moved down or up so that no two labels whose
    points are close sideways overlap; the labels of points far apart keep their own heights.

    `gap`: how far apart (rate, %) two labels must be; `reach`: how far apart sideways (cases) two
    points must be for their labels never to meet (default 45% of `top`); `_label_room` measures both.
    """
    reach = top * 0.45 if reach is None else max(reach, top * 0.45)
    order = sorted(range(len(points)), key=lambda i: -points[i].rate)
    heights: dict[int, float] = {}
    for i in order:
        wanted = points[i].rate * 100
        near = sorted(heights[j] for j in heights if abs(points[j].total - points[i].total) <= reach)
        height = wanted
        for other in reversed(near):  # from the highest placed label down
            if abs(other - height) < gap:
                height = other - gap
        if height < 2:  # no room below: go above the highest instead
            height = max(near + [wanted]) + gap
        height = min(height, 98.0)
        if any(abs(other - height) < gap for other in near):
            # Pushed against the top (a short axes, a label measured tall): the free height
            # nearest the point's own, if there is one.
            free = [h for h in (wanted, *(o + d for o in near for d in (-gap, gap)))
                    if 2 <= h <= 98 and all(abs(o - h) >= gap - 1e-9 for o in near)]
            height = min(free, key=lambda h: abs(h - wanted), default=height)
        heights[i] = height
    return [heights[i] for i in range(len(points))]


@dataclass(frozen=True)
class ChangePoint:
    """One change on a change chart: AFTER - BEFORE as fractions, its interval, and its word."""

    name: str
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    label: str  # "+25 points: improved", or why there is no change to show


def change_chart(rows: Sequence[ChangePoint], *, chart_id: str, table_id: str, title: str) -> Chart:
    """Each change as a point with its 95% interval as a bar, around a line at zero (no change).

    A change called improved is an upward triangle, declined a downward one, and a change the
    sample cannot detect a hollow circle; each row also says its change and word as text.
    """
    description = ("Each change in rate met between the two inspections as a point, with its 95% interval as a "
                   "horizontal bar, around a vertical line at zero (no change). An upward triangle marks an "
                   "improvement and a downward triangle a decline the samples can support; a hollow circle a "
                   "change the samples cannot detect. Each row also gives its change in words. The same numbers "
                   "are in the table that follows.")
    figures = {narrow: _change_figure(rows, narrow=narrow) for narrow in (False, True)}
    return _chart(figures, chart_id=chart_id, title=title, description=description, table_id=table_id)


def _change_figure(rows: Sequence[ChangePoint], *, narrow: bool) -> Figure:
    """The change chart's drawing; narrow, names and words wrap onto shorter lines, and the axis
    keeps the ticks that stand apart at its own width."""
    spans = [abs(v) for r in rows for v in (r.ci_low, r.ci_high) if v is not None]
    limit = min(100, max(20, math.ceil(max(spans + [0.0]) * 10 + 1e-9) * 10))
    # Long names (themes) wrap onto a second line rather than squeezing the axes to nothing.
    names = [textwrap.fill(row.name, 12 if narrow else _NAME_WIDTH, break_long_words=False) for row in rows]
    words = [textwrap.fill(row.label, 14, break_long_words=False) if narrow else row.label for row in rows]
    lines = sum(max(name.count("\n"), word.count("\n")) if narrow else name.count("\n")
                for name, word in zip(names, words, strict=True))
    with matplotlib.rc_context(_STYLE):
        figure = _figure(NARROW if narrow else WIDE, 1.1 + 0.36 * len(rows) + 0.16 * lines)
        axes = figure.add_subplot()
        axes.axvline(0, color=DARK_GREY, linewidth=1.2)
        axes.text(0, -0.8, "no change", ha="center", va="bottom", color=BLACK, fontsize=8)
        for index, (row, word) in enumerate(zip(rows, words, strict=True)):
            if row.difference is None or row.ci_low is None or row.ci_high is None:
                axes.text(-limit * 0.97, index, word, va="center", ha="left", color=BLACK,
                          fontsize=8.5).set_in_layout(False)
                continue
            axes.plot([row.ci_low * 100, row.ci_high * 100], [index, index], color=BLUE, linewidth=2.2,
                      solid_capstyle="butt")
            for end in (row.ci_low, row.ci_high):
                axes.plot([end * 100, end * 100], [index - 0.15, index + 0.15], color=BLUE, linewidth=1.6)
            marker = "^" if row.label.endswith(("improved", "rose")) else (
                "v" if row.label.endswith(("declined", "fell")) else "o")
            detected = marker != "o"
            axes.plot([row.difference * 100], [index], marker=marker, markersize=8 if detected else 6.5,
                      linestyle="none", markerfacecolor=BLACK if detected else "white", markeredgecolor=BLACK,
                      markeredgewidth=1.5)
            # Outside the layout: the rect below keeps room for it, so long words never squash the axes.
            axes.text(limit * 1.03, index, word, va="center", ha="left", color=BLACK, fontsize=8.5,
                      clip_on=False).set_in_layout(False)
        axes.set_yticks(range(len(rows)), names)
        axes.set_ylim(len(rows) - 0.5, -1.0)
        axes.set_xlim(-limit, limit)
        axes.set_xlabel("change in rate met, percentage points,\nwith 95% interval" if narrow else
                        "change in rate met, percentage points, with 95% interval")
        _layout_rect(figure, (0, 0, 0.6, 1))  # room on the right for each change in words
        _spaced_ticks(figure, axes, limit)
    return figure


#: Characters on a line of a change chart's row name before it wraps.
_NAME_WIDTH = 22
#: Steps, in points, that a change chart's axis may be ticked at, finest first.
_STEPS = (10, 20, 25, 50, 100)


def _spaced_ticks(figure: Figure, axes: object, limit: int) -> None:
    """Tick the change axis at the finest step whose labels stand apart by at least half a label's
    height, measured on the laid-out figure: how wide the axes are depends on the names beside it,
    so a fixed step can crowd "−80−60−40" together on a chart of long theme names."""
    for step in (s for s in _STEPS if s <= limit):
        ticks = list(range(-(limit // step) * step, limit + 1, step))
        axes.set_xticks(ticks, [_signed(t) for t in ticks])  # type: ignore[attr-defined]
        with warnings.catch_warnings():  # the missing minus sign, as in svg_markup
            warnings.filterwarnings("ignore", message=r"Glyph 8722 \(\\N\{MINUS SIGN\}\) missing")
            figure.draw_without_rendering()
        boxes = sorted((label.get_window_extent() for label in axes.get_xticklabels()  # type: ignore[attr-defined]
                        if label.get_text()), key=lambda box: box.x0)
        gap = min((b.x0 - a.x1 for a, b in pairwise(boxes)), default=math.inf)
        if boxes and gap >= boxes[0].height * 0.5:
            return
    ticks = [-limit, 0, limit]  # nothing finer fits: the ends and zero
    axes.set_xticks(ticks, [_signed(t) for t in ticks])  # type: ignore[attr-defined]


def _signed(points: int) -> str:
    sign = "+" if points > 0 else "\u2212"  # a true minus sign, as printed figures use
    return "0" if points == 0 else f"{sign}{abs(points)}"
