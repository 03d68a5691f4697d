"""Every HTML report reads on a phone: at a 390 px wide viewport (real headless Chromium) the page
never scrolls sideways, and no text drawn in a chart is smaller than 10 CSS px on screen; at 1280 px
the page does not scroll sideways either and chart text is at least 10 px too.

Wide tables scroll inside their own container (a focusable region named by the table's caption).
Charts reflow instead: below 624 px the page shows each chart's narrow drawing, so at the phone
width every chart fits the column (nothing in it wider than the viewport, no scrolling inside its
container) and no two of its texts overlap. axe-core checks the containers here at the phone
width, and in each report's own tests.
The reports are the small demo programme of tests/test_demo.py (force reports, year-on-year
comparisons, programme reports and the index, with the shipped criteria's long names) and a
self-assessment report.
"""
from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from a11y import axe_violations, chromium, describe_violations
from render_samples import hand_made

from thematic import demo
from thematic.cli import main
from thematic.demo import Planned

#: The smallest on-screen size, in CSS px, of any text in a chart at the phone width.
MIN_CHART_TEXT_PX = 10.0
PHONE = 390
DESKTOP = 1280

SMALL = tuple(Planned(force, year, date(2015, 3, 31) if year == 2015 else date(2019, 11, 30), 8, year,
                      f"{force}-{year}") for force in ("northmoor", "southvale") for year in (2015, 2019))

#: What the page measures: how wide it scrolls; for each chart shown (a drawing the stylesheet
#: hides has no boxes), its box, and how far its container scrolls sideways; and each chart text's
#: on-screen font size (its computed size in the SVG's user units times the scale from the SVG's
#: units to screen pixels) and box.
MEASURE = """() => {
  const texts = [], charts = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!svg.getClientRects().length) continue;
    const box = svg.getBoundingClientRect();
    const scroller = svg.closest('.chart-scroll');
    charts.push({chart: svg.id, left: box.left, right: box.right,
                 overflow: scroller ? scroller.scrollWidth - scroller.clientWidth : 0});
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      const m = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
      const r = text.getBoundingClientRect();
      texts.push({chart: svg.id, text: text.textContent.trim(), px: size,
                  box: [r.left, r.top, r.right, r.bottom]});
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth,
          charts: charts, texts: texts};
}"""

#: Two text boxes overlap when they share more than this, in CSS px, both across and up and down.
#: A text's box is its font's whole line (ascent to descent, 1.36 em in Noto Sans), taller than its
#: ink: the lines of one wrapped label, 1.2 em apart, share 0.16 em of box (under 2 px at 10 px)
#: with no ink touching.
OVERLAP_PX = 2.0


def _assessors(folder: Path) -> Path:
    states = {"TIM-01": ["met"] * 12, "SUP-01": ["met"] * 6 + ["not_met"] * 6}
    paths = []
    for name, flip in (("force.json", False), ("inspectors.json", True)):
        cases = [{"case_id": f"T-{i + 1:02d}",
                  "states": {c: ("not_met" if flip and i % 3 == 0 else s[i]) for c, s in states.items()},
                  "grade": "good" if i % 2 else "requires_improvement"} for i in range(12)]
        document = hand_made(cases)
        document["inspection"]["id"] = name[:-5]
        path = folder / name
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
    assert main(["compare-assessors", str(paths[0]), str(paths[1]), "--report", str(folder / "dir")]) == 0
    return folder / "dir" / "assessors.html"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """Every kind of HTML report, by a name that says which it is."""
    out = tmp_path_factory.mktemp("narrow") / "demo"
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(demo, "PROGRAMME", SMALL)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["demo", "-o", str(out), "--format", "html"]) == 0
    finally:
        monkeypatch.undo()
    found = {str(p.relative_to(out)): p for p in sorted(out.rglob("*.html"))}
    found["assessors.html"] = _assessors(out.parent)
    return found


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def measure(browser: Any, page_file: Path, width: int) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_file.resolve().as_uri())
        return page.evaluate(MEASURE)
    finally:
        page.close()


@pytest.fixture(scope="module")
def measured(browser, reports) -> dict[tuple[str, int], dict[str, Any]]:
    return {(name, width): measure(browser, path, width) for name, path in reports.items()
            for width in (PHONE, DESKTOP)}


def test_every_kind_of_report_is_measured(reports, measured):
    kinds = {name.rsplit("/", 1)[-1] for name in reports}
    assert kinds == {"report.html", "comparison.html", "programme.html", "index.html", "assessors.html"}
    # Charts were found: force reports, comparisons and programme reports all draw some.
    for name in reports:
        if not name.endswith(("index.html", "assessors.html")):
            assert measured[(name, PHONE)]["texts"], name


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_no_page_scrolls_sideways(reports, measured, width):
    wide = {name: measured[(name, width)]["scrollWidth"] for name in reports
            if measured[(name, width)]["scrollWidth"] > width}
    assert wide == {}, f"pages wider than the {width} px viewport (scrollWidth): {wide}"


def test_no_chart_text_is_smaller_than_the_minimum_on_a_phone(reports, measured):
    small = [(name, t["chart"], t["text"], round(t["px"], 2)) for name in reports
             for t in measured[(name, PHONE)]["texts"] if t["px"] < MIN_CHART_TEXT_PX - 1e-6]
    assert small == [], f"{len(small)} chart texts below {MIN_CHART_TEXT_PX} px, e.g. {small[:8]}"


def test_chart_text_on_a_desktop_is_at_least_the_minimum_too(reports, measured):
    small = [(name, t["chart"], t["text"], round(t["px"], 2)) for name in reports
             for t in measured[(name, DESKTOP)]["texts"] if t["px"] < MIN_CHART_TEXT_PX - 1e-6]
    assert small == [], f"{len(small)} chart texts below {MIN_CHART_TEXT_PX} px, e.g. {small[:8]}"


def test_each_width_shows_one_drawing_of_each_chart(reports, measured):
    # The desktop shows the wide drawings (the PDF's), the phone the narrow ones, each chart once.
    for name in reports:
        desktop = [c["chart"] for c in measured[(name, DESKTOP)]["charts"]]
        phone = [c["chart"] for c in measured[(name, PHONE)]["charts"]]
        assert not any(c.endswith("-narrow") for c in desktop), name
        assert phone == [f"{c}-narrow" for c in desktop], name


def test_charts_fit_a_phone_without_scrolling(reports, measured):
    wide = [(name, c["chart"], round(c["left"], 1), round(c["right"], 1), c["overflow"]) for name in reports
            for c in measured[(name, PHONE)]["charts"]
            if c["left"] < 0 or c["right"] > PHONE or c["overflow"] > 0]
    assert wide == [], f"charts wider than the {PHONE} px viewport or scrolling inside: {wide[:8]}"
    outside = [(name, t["chart"], t["text"], [round(v, 1) for v in t["box"]]) for name in reports
               for t in measured[(name, PHONE)]["texts"] if t["box"][0] < 0 or t["box"][2] > PHONE]
    assert outside == [], f"chart texts beyond the viewport: {outside[:8]}"


def overlapping(texts: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Pairs of texts of one chart whose boxes share more than OVERLAP_PX each way."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a["chart"] != b["chart"]:
                continue
            across = min(a["box"][2], b["box"][2]) - max(a["box"][0], b["box"][0])
            down = min(a["box"][3], b["box"][3]) - max(a["box"][1], b["box"][1])
            if across > OVERLAP_PX and down > OVERLAP_PX:
                found.append((a["chart"], a["text"], b["text"]))
    return found


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_no_two_chart_texts_overlap(reports, measured, width):
    found = [(name, *pair) for name in reports for pair in overlapping(measured[(name, width)]["texts"])]
    assert found == [], f"{len(found)} overlapping chart texts at {width} px, e.g. {found[:8]}"


def test_the_measure_finds_a_page_too_wide_and_text_too_small(browser, tmp_path):
    # The checks must be able to fail: a 500 px wide block, and a chart whose 8-unit text is drawn at half size.
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width">'
                    '<title>Bad</title></head><body><div style="width:500px">wide</div>'
                    '<svg class="chart" id="c" viewBox="0 0 200 100" style="width:100px">'
                    '<text x="0" y="50" font-size="8px">tiny</text></svg></body></html>', encoding="utf-8")
    found = measure(browser, page, PHONE)
    assert found["scrollWidth"] > PHONE
    assert [round(t["px"], 2) for t in found["texts"]] == [4.0]


def test_the_measure_finds_a_chart_too_wide_and_texts_overlapping(browser, tmp_path):
    # A 500 px chart scrolling in its container, two texts drawn over each other, and one beside them.
    page = tmp_path / "overlap.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width">'
                    '<title>Bad</title></head><body><div class="chart-scroll" style="overflow-x:auto">'
                    '<svg class="chart" id="c" viewBox="0 0 500 100" style="width:500px">'
                    '<text x="0" y="50" font-size="12px">first label</text>'
                    '<text x="30" y="54" font-size="12px">second label</text>'
                    '<text x="300" y="50" font-size="12px">apart</text></svg></div></body></html>',
                    encoding="utf-8")
    found = measure(browser, page, PHONE)
    assert [c["overflow"] > 0 and c["right"] > PHONE for c in found["charts"]] == [True]
    assert overlapping(found["texts"]) == [("c", "first label", "second label")]


@pytest.mark.parametrize("kind", ["northmoor-2019/report.html", "assessors.html"])
def test_axe_finds_no_violation_in_the_scrolling_containers_on_a_phone(browser, reports, kind):
    # axe at the phone width, where the containers do scroll: each must be focusable and named.
    violations = axe_violations(_PhoneBrowser(browser), reports[kind])
    assert violations == [], describe_violations(violations)


class _PhoneBrowser:
    """The browser, opening its pages at the phone's width (axe_violations opens a page of its own)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_page(self, **options: Any) -> Any:
        return self._browser.new_page(viewport={"width": PHONE, "height": 900}, **options)
