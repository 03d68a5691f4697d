"""The year-on-year report (`thematic compare BEFORE.json AFTER.json`): each change with both rates,
its Newcombe interval, Fisher's and Holm's p and the word the samples support; changed, added and
removed criteria apart; a change chart with its table; valid, accessible HTML and a tagged PDF.

The worked example of design.md: 14 of 20 falling to 9 of 20 is −25 points, 95% interval about
−50 to +5, Fisher p 0.200: "no change the sample can detect", never a decline.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from a11y import (
    axe_violations,
    blank_image_problem,
    chromium,
    describe_violations,
    describe_vnu,
    pdf_first_page_png,
    pdf_tagging_problems,
    pdf_text,
    vnu_errors,
)
from report_helpers import check_golden, logged_by_weasyprint, run, words
from results_factory import results_doc, write
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import load_results
from thematic.render.comparison import (
    comparison_report_context,
    p_text,
    points,
    render_comparison_report,
    summary_lines,
)
from thematic.scoring.criteria import load_criteria
from thematic.stats.compare import compare

BEFORE = {"X-01": (14, 20), "X-02": (4, 20), "X-03": (10, 20), "X-04": (5, 20)}
AFTER = {"X-01": (9, 20), "X-02": (17, 20), "X-03": (10, 20), "X-05": (8, 20)}
CHANGED = {"X-01": "sha256:x-01", "X-02": "sha256:x-02", "X-03": "sha256:x-03-new", "X-05": "sha256:x-05"}


def pair(folder: Path, *, after_fingerprints=CHANGED, **after_options) -> tuple[Path, Path]:
    before = write(folder / "before.json", results_doc(BEFORE, inspection="testshire-2015", year=2015, cases=20))
    options = {"inspection": "testshire-2019", "year": 2019, "cases": 20, "fingerprints": after_fingerprints,
               **after_options}
    after = write(folder / "after.json", results_doc(AFTER, **options))
    return before, after


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    return pair(tmp_path_factory.mktemp("comparison"))


@pytest.fixture(scope="module")
def comparison(files):
    return compare(*(load_results(p) for p in files))


@pytest.fixture(scope="module")
def rendered(comparison):
    return logged_by_weasyprint(lambda: render_comparison_report(comparison))


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered[0]["html"].decode()


def row(html: str, criterion: str) -> str:
    return re.search(rf'<tr id="criterion-{criterion.lower()}">(.*?)</tr>', html, re.S).group(1)


# --- wording of numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (0.25, "+25"), (-0.25, "\u221225"), (0.0, "0"), (0.005, "+0.5"), (-0.0049, "\u22120.5"),
    (0.125, "+13"), (-0.4963, "\u221250"), (0.0519, "+5"), (1.0, "+100"),
    # below 0.05 points the change is printed as none, never "+0" or "−0"
    (0.00049, "0"), (-0.00049, "0"), (0.0005, "+0.1"), (-0.0005, "\u22120.1"),
])
def test_points_are_signed_with_a_true_minus_and_halves_rounded_up(value, expected):
    assert points(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, "–"), (0.2002, "0.200"), (0.001, "0.001"),
                                                 (0.00099, "less than 0.001"), (1.0, "1.000")])
def test_p_values_as_printed(value, expected):
    assert p_text(value) == expected


# --- the report ----------------------------------------------------------------------------------------

def test_a_fall_from_14_to_9_of_20_is_no_change_the_sample_can_detect(html):
    low, high = confint_proportions_2indep(9, 20, 14, 20, method="newcomb")
    p = fisher_exact([[9, 11], [14, 6]]).pvalue
    cells = row(html, "X-01")
    assert "14 of 20<br>70% (48%–85%)" in cells and "9 of 20<br>45% (26%–66%)" in cells
    assert "\u221225 points" in cells
    assert f"{points(low)} to {points(high)} points" == "\u221250 to +5 points"
    assert "\u221250 to +5 points" in cells
    assert f"{p:.3f}" == "0.200" and "0.200" in cells
    assert "no change the sample can detect" in cells and "declined" not in cells


def test_a_rise_from_4_to_17_of_20_is_improved_after_holm_adjustment(html):
    p = [fisher_exact([[9, 11], [14, 6]]).pvalue, fisher_exact([[17, 3], [4, 16]]).pvalue]
    adjusted = multipletests(p, method="holm")[1]
    assert adjusted[1] < 0.001
    cells = row(html, "X-02")
    assert "+65 points" in cells and '<strong class="tag tag-improved">improved</strong>' in cells
    assert "less than 0.001" in cells
    findings = html[html.index('id="findings"'):html.index('id="criteria"')]
    assert ("Improved: 1. Declined: 0. Improvement suggested, not confirmed: 0. Decline suggested, not confirmed: 0. "
            "No change the sample can detect: 1.") in findings
    assert ("X-02 improved: from 4 of 20 (20%, 95% interval 8%–42%) to 17 of 20 (85%, 95% interval 64%–95%), "
            "a change of +65 points") in findings


def test_changed_added_and_removed_criteria_are_listed_apart_and_never_compared(html):
    assert 'id="criterion-x-03"' not in html and 'id="criterion-x-04"' not in html
    apart = html[html.index('id="not-compared"'):html.index('id="method"')]
    for caption, criterion in (("Changed:", "X-03"), ("Added:", "X-05"), ("Removed:", "X-04")):
        table = re.search(rf"<caption>{caption}.*?</table>", apart, re.S).group(0)
        assert f'<th scope="row">{criterion}</th>' in table
    assert "2 criteria have the same definition and parameter values in both inspections and are compared. " \
           "3 criteria are listed apart" in html


def test_the_change_chart_draws_every_compared_criterion_with_its_words_and_a_table(html):
    svg = re.search(r'<svg [^>]*id="chart-group-criteria".*?</svg>', html, re.S).group(0)
    assert re.search(r'role="img"[^>]*><title id="chart-group-criteria-title">Criteria: change in each', svg)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "\u221225 pts: no change the sample can detect" in texts and "+65 pts: improved" in texts
    assert "no change" in texts
    assert 'id="table-group-criteria" class="changes"' in html


def test_themes_and_suggested_grades_are_not_compared_when_criteria_differ(html):
    themes = html[html.index('id="themes"'):html.index('id="grades"')]
    assert "No theme is compared." in themes
    grades = html[html.index('id="grades"'):html.index('id="not-compared"')]
    assert "Inspector&#39;s grades: change" in grades and "Suggested grades: change" not in grades
    assert "suggested grades (the criteria differ between the two files" in grades


def test_identical_criteria_compare_themes_with_a_chart(tmp_path):
    same = {c: f"sha256:{c.lower()}" for c in AFTER}
    before = write(tmp_path / "b.json", results_doc(AFTER, inspection="t-2015", year=2015, cases=20,
                                                     themes={"t1": (5, 20)}))
    after = write(tmp_path / "a.json", results_doc(AFTER, inspection="t-2019", year=2019, cases=20,
                                                    fingerprints=same, themes={"t1": (15, 20)}))
    result = compare(load_results(before), load_results(after))
    html = render_comparison_report(result, formats=["html"])["html"].decode()
    assert 'id="chart-themes-change"' in html and 'id="table-themes-change"' in html
    assert re.search(r'<tr id="theme-t1">.*?\+50 points.*?improved', html, re.S)
    assert "Every criterion has the same definition and parameter values" in html


def test_golden_html(html, files):
    check_golden("comparison-small.html", html, files[0].parent)


# --- accessibility and the PDF ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(tmp_path_factory, html) -> Path:
    path = tmp_path_factory.mktemp("comparison-html") / "comparison.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_axe_finds_no_wcag_22_a_or_aa_violation(page):
    with chromium() as browser:
        violations = axe_violations(browser, page)
    assert violations == [], describe_violations(violations)


def test_html_validator_finds_no_error(page):
    errors = vnu_errors(page)[page]
    assert errors == [], describe_vnu(errors)


def test_pdf_is_tagged_titled_and_weasyprint_logged_nothing(rendered):
    from pypdf import PdfReader

    output, logged = rendered
    assert logged == ()
    assert pdf_tagging_problems(output["pdf"]) == []
    reader = PdfReader(io.BytesIO(output["pdf"]))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata["/Title"] == "Testshire: 2015 and 2019 inspections compared"


def test_pdf_text_holds_the_key_statements(rendered, comparison):
    text = words(pdf_text(rendered[0]["pdf"]))
    report = comparison_report_context(comparison)
    for statement in (report.compared_text, report.counts_text, report.caution, *(r.sentence for r in report.detected)):
        assert words(statement) in text


def test_first_page_renders_to_a_non_blank_png(rendered, tmp_path):
    pdf = tmp_path / "comparison.pdf"
    pdf.write_bytes(rendered[0]["pdf"])
    assert blank_image_problem(pdf_first_page_png(pdf, tmp_path / "comparison-page-1")) is None


# --- the command -----------------------------------------------------------------------------------------

def test_compare_writes_json_html_and_pdf_by_default(capsys, files, tmp_path):
    code, out, err = run(capsys, "compare", *files, "-o", tmp_path)
    assert (code, err) == (0, "")
    written = [tmp_path / n for n in ("comparison.json", "comparison.html", "comparison.pdf")]
    assert [line for line in out.splitlines() if line.startswith("comparison written")] == [
        f"comparison written to {p}" for p in written]
    assert json.loads(written[0].read_text())["format"] == "thematic.comparison/1"
    assert "<h1>Testshire: 2015 and 2019 inspections compared</h1>" in written[1].read_text()
    assert written[2].read_bytes().startswith(b"%PDF-")


def test_format_json_writes_only_the_json(capsys, files, tmp_path):
    code, _, _ = run(capsys, "compare", *files, "-o", tmp_path, "--format", "json")
    assert code == 0 and [p.name for p in tmp_path.iterdir()] == ["comparison.json"]


def test_results_of_different_criteria_sets_exit_2_and_write_nothing(capsys, tmp_path):
    before, after = pair(tmp_path, criteria_id="other-set")
    code, _, err = run(capsys, "compare", before, after, "-o", tmp_path / "out")
    assert code == 2 and 'scored against criteria set "other-set"' in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("formats", ["json,html,pdf", "json"])
def test_a_missing_template_dir_exits_2_and_writes_nothing(capsys, files, tmp_path, formats):
    code, _, err = run(capsys, "compare", *files, "-o", tmp_path / "out", "--format", formats,
                       "--template-dir", tmp_path / "nowhere")
    assert code == 2 and "no such folder" in err
    assert not (tmp_path / "out").exists()


def test_a_template_that_is_missing_from_the_template_dir_names_it(capsys, files, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "comparison.html.j2").write_text('{% extends "default/comparison.html.j2" %}'
                                                  '{% block footer %}{% include "my-footer.html" %}{% endblock %}')
    code, _, err = run(capsys, "compare", *files, "-o", tmp_path / "out", "--template-dir", templates)
    assert code == 2 and "my-footer.html: template not found" in err
    assert not (tmp_path / "out").exists()


def test_a_users_template_replaces_one_block(capsys, files, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "comparison.html.j2").write_text('{% extends "default/comparison.html.j2" %}'
                                                  '{% block masthead %}Testshire self-assessment{% endblock %}')
    code, _, _ = run(capsys, "compare", *files, "-o", tmp_path / "out", "--template-dir", templates, "--format", "html")
    assert code == 0
    html = (tmp_path / "out" / "comparison.html").read_text()
    assert "Testshire self-assessment" in html and 'id="not-compared"' in html


# --- a criterion that applies from a date after one side's sample ----------------------------------------

def dated_pair(folder: Path, before_as_of: str, after_counts=(2, 9)) -> tuple[Path, Path]:
    """Northshire (fictional) 2015 and 2019 scored against the shipped set: CRM-01 applies from 1 November
    2015, CRM-02 from 31 July 2015; SUP-01 applies always. Before, nothing was assessed."""
    shipped = {"criteria_id": "ncpi-thematic-2019", "version": "2", "force": "northshire", "cases": 10}
    before = results_doc({"CRM-01": (0, 0), "CRM-02": (0, 0), "SUP-01": (0, 0)}, inspection="northshire-2015",
                         year=2015, **shipped)
    before["inspection"]["as_of"] = before_as_of
    after = results_doc({"CRM-01": after_counts, "CRM-02": (2, 8), "SUP-01": (5, 9)}, inspection="northshire-2019",
                        year=2019, **shipped)
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / "before.json", before), write(folder / "after.json", after)


def verdicts(report) -> dict[str, str]:
    return {row.id: row.verdict for row in report.rows}


def test_a_criterion_dated_after_the_earlier_sample_says_why_it_cannot_be_compared(tmp_path):
    criteria = load_criteria(shipped_criteria_path("ncpi-thematic-2019"))
    before, after = dated_pair(tmp_path, "2015-03-31")
    comparison = compare(load_results(before), load_results(after))
    report = comparison_report_context(comparison, criteria)
    assert verdicts(report) == {
        "CRM-01": "cannot be compared: the criterion applies from 1 November 2015, so the 2015 inspection "
                  "assessed no case",
        "CRM-02": "cannot be compared: the criterion applies from 31 July 2015, so the 2015 inspection "
                  "assessed no case",
        "SUP-01": "cannot be compared: no assessed cases before",  # no date: nothing more is known
    }
    crm01 = next(row for row in report.rows if row.id == "CRM-01")
    assert crm01.sentence.startswith("CRM-01: cannot be compared: the criterion applies from 1 November 2015")
    assert crm01.point.label == "cannot be compared: applies from 1 November 2015"  # the chart's word, short
    assert "Could not be compared (no assessed cases on one side): 3." in report.counts_text
    printed = "\n".join(summary_lines(comparison, criteria))
    assert "applies from 31 July 2015, so the 2015 inspection assessed no case" in printed
    # without the criteria set, nothing is known of the dates: today's words
    assert set(verdicts(comparison_report_context(comparison)).values()) == {
        "cannot be compared: no assessed cases before"}
    assert "applies from" not in "\n".join(summary_lines(comparison))
    # the JSON keeps the statistics' own word (thematic.comparison/1 is unchanged)
    assert {c["change"] for c in comparison.to_json()["criteria"]} == {"cannot be compared: no assessed cases before"}


def test_a_sample_taken_on_or_after_the_criterion_s_date_keeps_the_plain_words(tmp_path):
    criteria = load_criteria(shipped_criteria_path("ncpi-thematic-2019"))
    # sampled on 31 July 2015, the day CRM-02 applies from: a case dated that day is assessed, so an
    # empty side is not the date's doing; CRM-01 (1 November) still is
    before, after = dated_pair(tmp_path / "on", "2015-07-31")
    found = verdicts(comparison_report_context(compare(load_results(before), load_results(after)), criteria))
    assert found["CRM-02"] == "cannot be compared: no assessed cases before"
    assert found["CRM-01"].startswith("cannot be compared: the criterion applies from 1 November 2015")
    before, after = dated_pair(tmp_path / "day-before", "2015-07-30")
    found = verdicts(comparison_report_context(compare(load_results(before), load_results(after)), criteria))
    assert found["CRM-02"].startswith("cannot be compared: the criterion applies from 31 July 2015")
    # the later side empty too, sampled in 2019: that emptiness is not the date's, so no reason is claimed
    before, after = dated_pair(tmp_path / "both", "2015-03-31", after_counts=(0, 0))
    found = verdicts(comparison_report_context(compare(load_results(before), load_results(after)), criteria))
    assert found["CRM-01"] == "cannot be compared: no assessed cases before or after"


def test_compare_command_prints_the_dated_reason_when_it_renders_the_report(tmp_path, capsys):
    before, after = dated_pair(tmp_path, "2015-03-31")
    code, out, err = run(capsys, "compare", str(before), str(after), "-o", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    assert "applies from 1 November 2015, so the 2015 inspection assessed no case" in out
    html = (tmp_path / "out" / "comparison.html").read_text()
    assert "the criterion applies from 31 July 2015, so the 2015 inspection assessed no case" in html
