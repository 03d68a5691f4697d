"""Charts: inline SVG that is deterministic, titled, free of id clashes, and readable without colour."""
from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import pytest
from render_samples import example_results, hand_made_results, shipped_criteria

from thematic.render.charts import _rates_figure, grade_chart, rates_chart, theme_chart
from thematic.render.context import force_report_context
from thematic.render.force import force_charts
from thematic.render.views import Reference, Suppression
from thematic.stats.proportion import proportion

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report():
    document, criteria = example_results()
    return force_report_context(document, criteria)


@pytest.fixture(scope="module")
def charts(report):
    charts = force_charts(report)
    return [charts.grades, *charts.themes.values()]


def rate(met, total, below=None):
    p = proportion(met, total)
    references = (Reference(0.5, "a test's reference"), Reference(0.8, "a test's reference"))
    return Suppression(below).rate(met, total, p.ci_low, p.ci_high, references)


def test_same_data_give_the_same_bytes(report, charts):
    assert grade_chart(report.grades).svg == charts[0].svg
    assert theme_chart(report.themes[-1], report.thresholds).svg == charts[-1].svg


def test_svg_is_inline_markup_with_title_first_and_no_metadata(charts):
    for chart in charts:
        svg = chart.svg
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), chart.id
        for banned in ("<?xml", "<!DOCTYPE", "<metadata", "<style", "dc:date"):
            assert banned not in svg, (chart.id, banned)
        root = ET.fromstring(svg)  # well-formed XML
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
        first = list(root)[0]
        assert first.tag == f"{SVG}title" and first.text == chart.title and first.get("id") == f"{chart.id}-title"
        assert list(root)[1].tag == f"{SVG}desc"


def test_ids_are_prefixed_unique_across_charts_and_every_reference_resolves(charts):
    seen: set[str] = set()
    for chart in charts:
        ids = re.findall(r'\bid="([^"]+)"', chart.svg)
        assert all(i == chart.id or i.startswith(chart.id + "-") for i in ids), chart.id
        assert not seen & set(ids), f"ids shared with another chart: {seen & set(ids)}"
        seen |= set(ids)
        references = re.findall(r'url\(#([^)]+)\)', chart.svg) + re.findall(r'href="#([^"]+)"', chart.svg)
        assert references, "matplotlib output always refers to clip paths or markers"
        assert set(references) <= set(ids), chart.id


def test_each_chart_names_its_data_table(report):
    charts = force_charts(report)
    assert charts.grades.table_id == "table-grades"
    assert set(charts.themes) == {t.anchor for t in report.themes}
    assert all(c.table_id == f"table-{anchor}" for anchor, c in charts.themes.items())


def test_rates_chart_writes_every_value_and_flag_as_text():
    rows = [("A-01", rate(7, 10)), ("A-02", rate(19, 20)), ("A-03", rate(0, 0)), ("A-04", rate(3, 10, below=5))]
    svg = rates_chart(rows, (0.5, 0.8), chart_id="chart-t", table_id="table-t", title="Test rates").svg
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "7 of 10, 70%" in texts                      # interval 40%–89% contains both references: no flag
    assert "19 of 20, 95%; clearly above 50%" in texts  # interval 76%–99%: above 50%, contains 80%
    assert "0 of 0: no cases assessed" in texts
    assert "fewer than 5 of 10: rate withheld: small numbers" in texts
    assert {"50%", "80%"} <= set(texts)


def test_rates_chart_flags_a_rate_clear_of_every_reference():
    svg = rates_chart([("B-01", rate(95, 100))], (0.5, 0.8), chart_id="chart-b", table_id="t", title="B").svg
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "95 of 100, 95%; clearly above 50%; clearly above 80%" in texts  # 89%–98%


def test_grade_chart_labels_bars_with_counts_and_suppressed_counts_with_words():
    cases = [{"case_id": f"T-{i:02d}", "suggested": "inadequate" if i < 2 else "good", "grade": "good"}
             for i in range(12)]
    report = force_report_context(hand_made_results(cases), shipped_criteria(), suppress_below=5)
    texts = [t.text for t in ET.fromstring(grade_chart(report.grades).svg).iter(f"{SVG}text")]
    assert "fewer than 5 (suggested)" in texts
    assert "more than 7 (suggested)" in texts   # 10 good of 12: the 2 others would show
    assert "12 (inspector)" in texts
    assert {"suggested grade", "inspector's grade"} <= set(texts)   # the legend names the series


def test_theme_chart_title_names_the_theme(report):
    chart = theme_chart(report.themes[0], report.thresholds)
    assert chart.title.startswith(report.themes[0].title)
    assert chart.id == f"chart-{report.themes[0].anchor}"


@pytest.mark.parametrize("name", ["$x$ police", "$", "a $\\b{}$ c", "$_$", "{}", "\\", "$\\$"])
def test_chart_text_is_drawn_literally_never_as_mathematics(name):
    """A "$" in a force's name or a title was read as mathtext: "$_$" stopped the render."""
    import html

    from thematic.render.charts import ChangePoint, FunnelPoint, change_chart, funnel_chart

    funnel = funnel_chart([FunnelPoint(name, 10, 0.5, ""), FunnelPoint("b", 12, 0.6, "")], 0.55, [],
                          chart_id="f", table_id="t", title=f"Title {name}")
    change = change_chart([ChangePoint(name, -0.25, -0.5, 0.1, f"{name}: declined")], chart_id="c",
                          table_id="t", title=name)
    for chart in (funnel, change):
        texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)]
        assert name in texts or f"{name}: declined" in texts, texts
        ET.fromstring(chart.svg)  # still well-formed


def test_charts_are_set_in_the_packaged_family_only(report):
    charts = force_charts(report)
    svgs = [charts.grades.svg, *(chart.svg for chart in charts.themes.values())]
    families = {f for svg in svgs for f in re.findall(r'font-family="([^"]*)"', svg)}
    assert families == {"'Noto Sans'"}


# --- change charts: axis labels never collide ------------------------------------------------------

def _axis_labels(svg: str) -> list[tuple[float, str]]:
    """The change axis's tick labels: centred text on the lowest line of tick labels, left to right."""
    found = [(float(x), float(y), text) for x, y, text in re.findall(
        r'<text [^>]*text-anchor="middle"[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>([−+]?\d+)</text>', svg)]
    return sorted((x, text) for x, y, text in found)


@pytest.mark.parametrize("name",
                         ["Supervision", "Cumulative and escalating risk", "Exploited children treated as offenders",
                                  "Exploited children treated as offenders in every case the inspectors reviewed"])
@pytest.mark.parametrize("span", [0.15, 0.45, 0.95])
@pytest.mark.parametrize("drawing", ["svg", "narrow_svg"])
def test_change_chart_axis_labels_stand_apart_however_long_the_names(name, span, drawing):
    from thematic.render.charts import ChangePoint, change_chart

    rows = [ChangePoint(f"{name} {i}", 0.1, 0.1 - span, min(1.0, 0.1 + span),
                        "+10 pts: no change the sample can detect")
            for i in range(9)]
    svg = getattr(change_chart(rows, chart_id="c", table_id="t", title="changes"), drawing)
    labels = _axis_labels(svg)
    # Every name inside the drawing (a squeezed layout would push long names off its left edge).
    assert not re.search(r'<text [^>]*(?:x="-|translate\(-)', svg)
    assert len(labels) >= 3 and "0" in [text for _, text in labels]
    for (x0, a), (x1, b) in zip(labels, labels[1:], strict=False):
        # Noto Sans figures are 0.572 em wide, signs about the same: the labels' half-widths and a
        # third of an em between them.
        assert x1 - x0 >= 0.6 * 10 * (len(a) + len(b)) / 2 + 3.3, (a, b, x1 - x0)


# --- the narrow drawings: one per chart, for a phone's column ------------------------------------

def _other_charts() -> list:
    from thematic.render.charts import ChangePoint, FunnelPoint, change_chart, funnel_chart

    funnel = funnel_chart([FunnelPoint("Northmoor", 10, 0.5, "above the 99.8% limit"),
                           FunnelPoint("Southvale", 12, 0.6, "")], 0.55, [], chart_id="f", table_id="t", title="F")
    change = change_chart([ChangePoint("Exploited children treated as offenders", 0.25, 0.05, 0.45,
                                       "+25 pts: improved")], chart_id="c", table_id="t", title="C")
    return [funnel, change]


def test_every_chart_has_a_narrow_drawing_titled_alike_with_ids_of_its_own(charts):
    for chart in [*charts, *_other_charts()]:
        narrow_id = f"{chart.id}-narrow"
        root = ET.fromstring(chart.narrow_svg)
        assert root.get("id") == narrow_id and root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{narrow_id}-title {narrow_id}-desc"
        assert [e.text for e in list(root)[:2]] == [chart.title, chart.description]
        # 3.7 in across (355 px), against the wide drawing's 6.4 in: it fits a phone's column.
        assert (root.get("width"), ET.fromstring(chart.svg).get("width")) == ("266.4pt", "460.8pt")
        wide_ids = set(re.findall(r'\bid="([^"]+)"', chart.svg))
        ids = set(re.findall(r'\bid="([^"]+)"', chart.narrow_svg))
        assert all(i == narrow_id or i.startswith(narrow_id + "-") for i in ids), chart.id
        assert not ids & wide_ids
        references = re.findall(r'url\(#([^)]+)\)', chart.narrow_svg) + re.findall(r'href="#([^"]+)"',
                                                                                     chart.narrow_svg)
        assert references and set(references) <= ids, chart.id


def test_the_narrow_drawing_is_deterministic(report, charts):
    assert grade_chart(report.grades).narrow_svg == charts[0].narrow_svg
    assert theme_chart(report.themes[-1], report.thresholds).narrow_svg == charts[-1].narrow_svg


def test_the_narrow_rates_chart_keeps_every_value_and_flag_in_wrapped_lines():
    rows = [("A-01", rate(7, 10)), ("A-02", rate(19, 20)), ("A-03", rate(0, 0))]
    chart = rates_chart(rows, (0.5, 0.8), chart_id="chart-t", table_id="table-t", title="Test rates")
    texts = [t.text or "" for t in ET.fromstring(chart.narrow_svg).iter(f"{SVG}text")]
    joined = " ".join(texts)  # a wrapped note is a text per line, one after the other
    for note in ("7 of 10, 70%", "19 of 20, 95%; clearly above 50%", "0 of 0: no cases assessed"):
        assert note in joined
    assert "19 of 20, 95%; clearly above 50%" not in texts  # wrapped: no line that long
    assert {"0%", "50%", "100%"} <= set(texts) and "20%" not in texts  # three ticks


@pytest.mark.parametrize(("points", "top", "gap", "expected"), [
    # a short axis with labels as wide as it (1 and 2 cases, labels 5 cases wide): the low label,
    # pushed above the high one, would land on it at the top; it takes the free height nearest
    # its own point instead
    ([(1, 0.0), (2, 1.0)], 2, 30.0, [68.0, 98.0]),
    # room above: unchanged, the label goes above the others
    ([(50, 0.05), (50, 0.01)], 100, 6.5, [5.0, 11.5]),
])
def test_a_funnel_label_never_lands_on_another(points, top, gap, expected):
    from thematic.render.charts import FunnelPoint, _label_heights

    heights = _label_heights([FunnelPoint(f"F{i}", n, r, "") for i, (n, r) in enumerate(points)], top, gap,
                             reach=5.0)
    assert heights == pytest.approx(expected)
    assert all(abs(a - b) >= gap - 1e-9 for i, a in enumerate(heights) for b in heights[i + 1:])


def test_the_narrow_rates_chart_wraps_a_withheld_rate_to_fit_and_lays_out_without_a_warning():
    # The publication run's criminalisation theme: every count small. On one line the reason was wider
    # than a phone's column and matplotlib warned "constrained_layout not applied" (axes collapsed).
    rows = [(f"CRM-0{i}", rate(3, 4, below=5)) for i in range(1, 4)] + [("CRM-04", rate(6, 9, below=5))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = rates_chart(rows, (0.5,), chart_id="chart-w", table_id="table-w", title="Withheld rates")
        figure = _rates_figure(rows, (0.5,), narrow=True)
        figure.canvas.draw()
    texts = [t.text or "" for t in ET.fromstring(chart.narrow_svg).iter(f"{SVG}text")]
    joined = " ".join(texts)
    assert "fewer than 5 of fewer than 5: rate withheld: small numbers" in joined
    assert "more than 4 of 9: rate withheld: small numbers" in joined
    assert "fewer than 5 of fewer than 5: rate withheld: small numbers" not in texts  # wrapped
    # every reason lies inside the drawing, and the axes keep a width of their own
    width = figure.bbox.width
    axes = figure.axes[0]
    assert axes.get_window_extent().width > width / 3
    for text in axes.texts:
        extent = text.get_window_extent()
        assert 0 <= extent.x0 and extent.x1 <= width
