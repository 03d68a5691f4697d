"""The force report's HTML: templates found in order, structure that assistive technology needs,
every rate with its count and interval, suppression, and golden files of the example sample.

Golden files: tests/golden/force-*.html hold the example's report with the volatile parts
normalised (the program's version; each chart's drawing, which matplotlib versions change, reduced
to its title; the inlined stylesheet). After an intended change, rewrite them with
`THEMATIC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_html.py` and review the diff.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from render_samples import example, example_results, rendered_html

from thematic import __version__
from thematic.core.errors import InputError
from thematic.render.html import Templates, default_template_dir
from thematic.stats.proportion import proportion

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parent.parent


class Outline(HTMLParser):
    """What the checks below need from a page: elements in order, with their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.first_child_of_svg: list[str] = []
        self._svg_open = False

    def handle_starttag(self, tag, attrs):
        if self._svg_open:
            self.first_child_of_svg.append(tag)
            self._svg_open = False
        self.elements.append((tag, dict(attrs)))
        if tag == "svg":
            self._svg_open = True

    def tags(self, name):
        return [attrs for tag, attrs in self.elements if tag == name]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def html() -> str:
    return rendered_html()


@pytest.fixture(scope="module")
def suppressed_html() -> str:
    return rendered_html(5)


# --- structure ------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["full", "suppressed"])
def test_language_one_main_landmark_and_headings_in_order(which, html, suppressed_html):
    page = outline(html if which == "full" else suppressed_html)
    assert page.tags("html")[0]["lang"] == "en-GB"
    assert len(page.tags("main")) == 1
    levels = [int(tag[1]) for tag, _ in page.elements if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"


def test_every_table_has_a_caption_and_every_header_a_scope(html):
    assert html.count("<table") == html.count("<caption>") >= 15
    page = outline(html)
    assert all(attrs.get("scope") in ("col", "row") or (attrs.get("scope") == "rowgroup" and attrs.get("rowspan"))
               for attrs in page.tags("th"))


def test_every_chart_is_an_image_titled_first_and_followed_by_its_table(html):
    page = outline(html)
    svgs = page.tags("svg")
    # Grades and one per theme, each drawn twice: wide (page and PDF) and narrow (below 624 px).
    assert len(svgs) == 20
    wide = [svg["id"] for svg in svgs if not svg["id"].endswith("-narrow")]
    assert len(wide) == 10 and [svg["id"] for svg in svgs] == [i for w in wide for i in (w, f"{w}-narrow")]
    assert page.first_child_of_svg == ["title"] * len(svgs)
    table_ids = {attrs.get("id") for attrs in page.tags("table")}
    for svg in svgs:
        assert svg["role"] == "img"
    for link in re.findall(r'<a href="#(table-[^"]+)">The numbers are in the table', html):
        assert link in table_ids


def test_self_contained_no_external_resources(html):
    page = outline(html)
    assert not page.tags("link") and not page.tags("script") and not page.tags("img")
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<style>" in html


def test_every_criterion_rate_shows_n_of_n_and_its_wilson_interval(html):
    document, _ = example()
    for cid, entry in document["summary"]["criteria"].items():
        assessed = entry["met"] + entry["not_met"] + entry["not_evidenced"]
        row = re.search(rf'<tr id="criterion-{cid.lower()}">(.*?)</tr>', html, re.S).group(1)
        assert f"{entry['met']} of {assessed}" in row, cid
        if assessed:
            p = proportion(entry["met"], assessed)
            low, high = round(p.ci_low * 100), round(p.ci_high * 100)
            assert re.search(rf">\s*{low}%–{high}%\s*<", row), (cid, low, high)


def test_key_findings_quote_each_theme_s_quotes_and_label_its_summary(html):
    # The report's words in quotation marks, ours as a summary (tests/test_quotes.py checks the words).
    _, criteria = example()
    findings = " ".join(html[html.index('id="key-findings"'):html.index('id="grades"')].split())
    for theme in criteria.file.themes.values():
        for quote in theme.quotes:
            assert f"<q>{' '.join(quote.text.split()).replace(chr(39), '&#39;')}</q>" in findings
        summary = " ".join(theme.finding.split()).replace(chr(39), "&#39;")
        assert f"In summary (our words, not the report\u2019s): {summary}</p>" in findings


def test_without_a_reference_nothing_is_flagged_and_the_method_says_why(html):
    # The shipped criteria give no reference (no published source sets one): flags: tests/test_flags.py.
    assert 'class="tag tag-flag"' not in html and "Borderline" not in html
    assert "No rate is flagged: no reference was given." in html


def test_full_report_lists_cases_with_evidence(html):
    review = html[html.index('id="review"'):html.index('id="data-quality"')]
    assert 'id="case-exa-2019-013"' in review
    assert "severity rising 3, 4, 5 up to 2019-08-03 14:00; no risk assessment or strategy discussion since" in review


def test_suppressed_report_names_no_case_and_no_small_count(suppressed_html):
    assert "EXA-2019-" not in suppressed_html
    assert "fewer than 5" in suppressed_html
    assert "Prepared for publication: counts below 5" in suppressed_html
    counts = suppressed_html[:suppressed_html.index('id="method"')]  # the method lists parameter values
    assert not re.search(r'<td class="num">[1-4]</td>', counts)


# --- templates ------------------------------------------------------------------------------------

def test_defaults_are_found_in_the_source_tree():
    assert default_template_dir() == ROOT / "reports" / "templates"


def test_user_template_dir_is_searched_first_and_defaults_stay_reachable(tmp_path):
    (tmp_path / "force.html.j2").write_text(
        '{% extends "default/force.html.j2" %}'
        '{% block heading %}Own heading for {{ report.inspection_id }}{% endblock %}')
    (tmp_path / "report.css").write_text("/* own styles */ body { margin: 1px; }")
    document, criteria = example_results()
    from thematic.render.force import render_force_report
    page = render_force_report(document, criteria, formats=["html"], template_dir=tmp_path)["html"].decode()
    assert "<h1>Own heading for exampleshire-2019</h1>" in page
    assert "/* own styles */" in page
    assert 'id="key-findings"' in page  # the rest of the default template


@pytest.mark.parametrize(
    ("files", "name", "message", "line"),
    [
        ({}, "missing.html.j2", "template not found", None),
        ({"broken.html.j2": "line one\n{% if %}\n"}, "broken.html.j2", "template syntax error", 2),
        ({"undefined.html.j2": "one\ntwo {{ nothing.here }}\n"}, "undefined.html.j2", "undefined name", 2),
        ({"includes.html.j2": "{% include 'gone.css' %}"}, "includes.html.j2", "template not found", None),
    ],
)
def test_template_problems_are_input_errors_with_file_and_line(tmp_path, files, name, message, line):
    for file, text in files.items():
        (tmp_path / file).write_text(text)
    with pytest.raises(InputError) as caught:
        Templates(tmp_path).render(name)
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.line == line
    if line is not None:
        assert problem.file.endswith(name)


def test_template_dir_must_be_a_folder(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        Templates(tmp_path / "nowhere").render("force.html.j2")


# --- golden files ---------------------------------------------------------------------------------

def normalise(html: str) -> str:
    """The report without its volatile parts: the program's version, each chart's drawing, and the
    inlined styles (tested in a browser by test_render_a11y.py, and noise in a content diff)."""
    html = html.replace(f"thematic {__version__}", "thematic VERSION")
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, count=1, flags=re.S)
    return re.sub(r"(<svg [^>]*>)(<title [^>]*>[^<]*</title>).*?</svg>", r"\1\2…</svg>", html, flags=re.S)


@pytest.mark.parametrize(("name", "suppress_below"), [("force-exampleshire-2019.html", None),
                                                      ("force-exampleshire-2019-suppressed.html", 5)])
def test_golden_html(name, suppress_below):
    actual = normalise(rendered_html(suppress_below))
    path = GOLDEN / name
    if os.environ.get("THEMATIC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        import difflib
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                 "golden", "actual", n=1))[:60])
        pytest.fail(f"{name} differs from the golden file (set THEMATIC_UPDATE_GOLDEN=1 to rewrite it):\n{diff}")
