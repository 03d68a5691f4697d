"""Every HTML report reads on a phone: at a 390 px wide viewport (real headless Chromium) the page
never scrolls sideways, and no text drawn in a chart is smaller than 10 CSS px on screen; at 1280 px
the page does not scroll sideways either and chart text is at least as large as at 390 px.

Wide tables scroll inside their own container (a focusable region named by the table's caption),
and so does a chart narrower than the width at which its smallest text is 10 px; axe-core checks
those containers here at the phone width, where they do scroll, and in each report's own tests.
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

#: What the page measures: how wide it scrolls, and each chart text's on-screen font size (its
#: computed size in the SVG's user units times the scale from the SVG's units to screen pixels).
MEASURE = """() => {
  const texts = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      const m = text.getScreenCTM();
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
      texts.push({chart: svg.id, text: text.textContent.trim(), px: size});
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, texts: texts};
}"""


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


def test_chart_text_on_a_desktop_is_no_smaller_than_on_a_phone(reports, measured):
    for name in reports:
        phone, desktop = measured[(name, PHONE)]["texts"], measured[(name, DESKTOP)]["texts"]
        assert [t["text"] for t in phone] == [t["text"] for t in desktop]
        assert all(d["px"] >= p["px"] - 1e-6 and d["px"] >= MIN_CHART_TEXT_PX
                   for p, d in zip(phone, desktop, strict=True)), name


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
