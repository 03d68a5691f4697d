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
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Sequence

import matplotlib
from matplotlib.figure import Figure

from thematic.render.sections import GradeSection, ThemeSection
from thematic.render.views import CountView, RateView, threshold_text

#: GOV.UK palette: each colour has at least 3:1 contrast against white (WCAG 1.4.11).
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"
BLACK = "#0b0c0c"
MID_GREY = "#6f777b"

_STYLE = {
    "svg.fonttype": "none",  # real text: smaller, selectable, and drawn in the page's font
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
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


def svg_markup(figure: Figure, *, chart_id: str, title: str, description: str) -> str:
    """The figure as `<svg>` markup for inlining in HTML, deterministic for the same figure."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**_STYLE, "svg.hashsalt": chart_id}):
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
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def grade_chart(grades: GradeSection, *, chart_id: str = "chart-grades", table_id: str = "table-grades") -> Chart:
    """Horizontal bars: cases per grade, suggested (solid) beside the inspector's (hatched)."""
    rows = [r for r in grades.rows if r.suggested is not None]
    labels = [r.grade for r in rows]
    series = [("suggested grade", [r.suggested.met for r in rows], BLUE, ""),  # type: ignore[union-attr]
              ("inspector's grade", [r.inspector.met for r in rows], DARK_GREY, "//")]
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.4, 0.9 + 0.75 * len(rows))
        axes = figure.add_subplot()
        height = 0.38
        top = max([c.value or 0 for _, counts, _, _ in series for c in counts] + [1])
        for index, (name, counts, colour, hatch) in enumerate(series):
            positions = [i + (index - 0.5) * height for i in range(len(rows))]
            values = [c.value or 0 for c in counts]
            bars = axes.barh(positions, values, height=height * 0.92, color=colour if not hatch else "white",
                             edgecolor=colour, hatch=hatch or None, linewidth=1.2, label=name)
            for bar, count in zip(bars, counts):
                axes.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2,
                          _bar_label(count, name), va="center", ha="left", color=BLACK, fontsize=9)
        axes.set_yticks(range(len(rows)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.45)
        axes.set_xlabel("cases")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=9)
    title = "Cases by grade: suggested and inspector's"
    description = ("Bar chart of the number of cases given each grade, the suggested grade beside the "
                   "inspector's. The same numbers are in the table that follows.")
    return Chart(chart_id, title, description, svg_markup(figure, chart_id=chart_id, title=title,
                                                          description=description), table_id)


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

    A borderline rate (its interval crosses a threshold) is drawn as a hollow diamond and labelled
    "borderline"; a rate not shown is labelled with the reason instead of a point.
    """
    with matplotlib.rc_context(_STYLE):
        figure = _figure(6.4, 1.1 + 0.42 * len(rows))
        axes = figure.add_subplot()
        for threshold in thresholds:
            axes.axvline(threshold * 100, color=MID_GREY, linestyle=(0, (4, 3)), linewidth=1)
            axes.text(threshold * 100, -0.75, threshold_text([threshold]), ha="center", va="bottom",
                      color=BLACK, fontsize=8)
        for index, (name, rate) in enumerate(rows):
            if rate.rate is None or rate.ci_low is None or rate.ci_high is None:
                axes.text(1, index, f"{rate.n_of_n}: {rate.note}", va="center", ha="left", color=BLACK, fontsize=9)
                continue
            axes.plot([rate.ci_low * 100, rate.ci_high * 100], [index, index], color=BLUE, linewidth=2.2,
                      solid_capstyle="butt")
            for end in (rate.ci_low, rate.ci_high):
                axes.plot([end * 100, end * 100], [index - 0.15, index + 0.15], color=BLUE, linewidth=1.6)
            borderline = rate.borderline
            axes.plot([rate.rate * 100], [index], marker="D" if borderline else "o", markersize=7,
                      markerfacecolor="white" if borderline else BLACK, markeredgecolor=BLACK, markeredgewidth=1.5,
                      linestyle="none")
            note = f"{rate.n_of_n}, {rate.percent}" + ("; borderline" if borderline else "")
            axes.text(101.5, index, note, va="center", ha="left", color=BLACK, fontsize=9, clip_on=False)
        axes.set_yticks(range(len(rows)), [name for name, _ in rows])
        axes.set_ylim(len(rows) - 0.5, -1.0)
        axes.set_xlim(0, 100)
        axes.set_xticks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"])
        axes.set_xlabel("rate met, with 95% interval")
        # Room on the right for the "n of N" labels.
        figure.get_layout_engine().set(rect=(0, 0, 0.74, 1))
    description = ("Each criterion's rate as a dot with its 95% interval as a horizontal bar; a hollow "
                   f"diamond marks a borderline rate whose interval crosses {threshold_text(thresholds)}. "
                   "The same numbers are in the table that follows." if thresholds else
                   "Each criterion's rate as a dot with its 95% interval as a horizontal bar. "
                   "The same numbers are in the table that follows.")
    return Chart(chart_id, title, description, svg_markup(figure, chart_id=chart_id, title=title,
                                                          description=description), table_id)


def theme_chart(theme: ThemeSection, thresholds: Sequence[float]) -> Chart:
    """The rates of a theme's criteria."""
    return rates_chart(
        [(row.id, row.rate) for row in theme.criteria],
        thresholds,
        chart_id=f"chart-{theme.anchor}",
        table_id=f"table-{theme.anchor}",
        title=f"{theme.title}: rate met for each criterion, with 95% intervals",
    )
