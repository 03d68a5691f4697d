"""The programme report (`thematic report A.json B.json C.json`): forces against the pooled rate with
funnel limits, the forces outside named in words, no ranking, the comparisons counted; valid,
accessible HTML and a tagged PDF; bad input exits 2.

Three hand-made forces on three criteria, pooled rate 100 of 150 on each, so that at 50 cases the
exact binomial limits are 27 and 40 (95%) and 23 and 43 (99.8%) of 50 (scipy, checked below):
X-01 puts alpha above the 95% limit (42) and bravo below the 99.8% limit (22); X-02 puts alpha and
bravo exactly on the 95% limits (40 and 27: within); X-03 one count beyond them (41 and 26).
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
from scipy.stats import binom

from thematic.load.results import load_results
from thematic.render.programme import programme_report_context, render_programme_report
from thematic.stats.programme import build_programme

COUNTS = {  # force: {criterion: (met, assessed)}
    "alpha": {"X-01": (42, 50), "X-02": (40, 50), "X-03": (41, 50)},
    "bravo": {"X-01": (22, 50), "X-02": (27, 50), "X-03": (26, 50)},
    "charlie": {"X-01": (36, 50), "X-02": (33, 50), "X-03": (33, 50)},
}
THEMES = {"alpha": (30, 50), "bravo": (25, 50), "charlie": (28, 50)}


def programme_files(folder: Path, order=("charlie", "alpha", "bravo"), **overrides) -> list[Path]:
    paths = []
    for force in order:
        document = results_doc(COUNTS[force], inspection=f"{force}-2019", force=force, cases=50,
                               themes={"t1": THEMES[force]}, **overrides.get(force, {}))
        paths.append(write(folder / f"{force}.json", document))
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    return programme_files(tmp_path_factory.mktemp("programme"))


@pytest.fixture(scope="module")
def loaded(files):
    results = [load_results(p) for p in files]
    return build_programme(results), results


@pytest.fixture(scope="module")
def rendered(loaded) -> tuple[dict[str, bytes], tuple[str, ...]]:
    programme, results = loaded
    return logged_by_weasyprint(lambda: render_programme_report(programme, results))


@pytest.fixture(scope="module")
def html(rendered) -> str:
    return rendered[0]["html"].decode()


def section(html: str, start: str, end: str) -> str:
    return html[html.index(f'id="{start}"'):html.index(f'id="{end}"')]


# --- the statistics as the report words them -----------------------------------------------------

def test_the_limits_at_fifty_cases_are_scipys_binomial_quantiles():
    # The premise of the fixture, from scipy itself.
    assert list(binom.ppf([0.001, 0.025, 0.975, 0.999], 50, 100 / 150)) == [23, 27, 40, 43]


def test_force_beyond_the_998_limits_is_named_with_what_the_limits_mean(html):
    beyond = section(html, "beyond-chance", "worth-a-look")
    assert ("1 result lies outside the 99.8% limits: "
            "this force differs from the pooled rate by more than chance explains.") in beyond
    row = re.search(r'<tr><th scope="row"><a href="#criterion-x-01">X-01</a></th><td>Bravo</td>(.*?)</tr>', beyond,
                    re.S)
    assert row, beyond
    assert "22 of 50" in row.group(1) and "below the 99.8% limit" in row.group(1)
    assert "clearly below the pooled rate, beyond chance" in row.group(1)  # the force report's words
    assert "Alpha" not in beyond and "Charlie" not in beyond
    assert "less than 1 time in 500" in html and "less than 1 time in 20" in html


@pytest.mark.parametrize(("criterion", "force", "expected"), [
    ("X-01", "Alpha", "above the 95% limit"),   # 42 of 50, beyond 40
    ("X-01", "Bravo", "below the 99.8% limit"),  # 22 of 50, beyond 23
    ("X-01", "Charlie", "within the limits"),
    ("X-02", "Alpha", "within the limits"),      # exactly on the upper 95% limit
    ("X-02", "Bravo", "within the limits"),      # exactly on the lower 95% limit
    ("X-03", "Alpha", "above the 95% limit"),    # one over
    ("X-03", "Bravo", "below the 95% limit"),    # one under
])
def test_each_force_is_placed_against_the_limits_at_its_denominator(html, criterion, force, expected):
    table = re.search(rf'<table id="table-criterion-{criterion.lower()}".*?</table>', html, re.S).group(0)
    row = re.search(rf"<th scope=\"row\">{force}</th>(.*?)</tr>", table, re.S).group(1)
    assert expected in row
    assert "54%–80%" in row and "46%–86%" in row  # 27/50–40/50 and 23/50–43/50


def test_worth_a_look_lists_the_95_percent_results_only(html):
    look = section(html, "worth-a-look", "inspections")
    assert "3 results lie outside the 95% limits but inside the 99.8% limits" in look
    assert "not findings on their own" in look
    listed = re.findall(r'<a href="#criterion-(x-\d\d)">X-\d\d</a></th><td>(\w+)</td>', look)
    assert sorted(listed) == [("x-01", "Alpha"), ("x-03", "Alpha"), ("x-03", "Bravo")]


def test_comparisons_made_and_those_expected_by_chance_are_stated(html):
    # 3 forces on 3 criteria: 9 comparisons; chance puts at most 5% (0.45) and 0.2% (0.018) outside.
    assert ("9 comparisons of a force with the pooled rate were made on 3 criteria. If every force's true rate "
            "were the pooled rate, at most about 0.45 of them would fall outside the 95% limits and 0.018 outside "
            "the 99.8% limits by chance alone; 4 fell outside the 95% limits and 1 outside the 99.8% limits."
            ) in html.replace("&#39;", "'")


def test_forces_are_listed_by_name_never_ranked_by_rate(html):
    # Given in the order charlie, alpha, bravo; X-01's rates rank them alpha, charlie, bravo.
    for criterion in ("x-01", "x-02", "x-03"):
        table = re.search(rf'<table id="table-criterion-{criterion}".*?</table>', html, re.S).group(0)
        assert re.findall(r'<th scope="row">(\w+)</th>', table) == ["Alpha", "Bravo", "Charlie"]
    head = re.search(r'<table class="side-by-side">.*?</thead>', html, re.S).group(0)
    assert re.findall(r'<th scope="col" class="num">(\w+)</th>', head) == ["Pooled", "Alpha", "Bravo", "Charlie"]
    assert "Forces are in alphabetical order, not ranked." in html and "never ranked" in html


def test_every_funnel_chart_labels_each_force_by_name_and_is_followed_by_its_table(html):
    charts = re.findall(r'(<svg [^>]*id="(chart-criterion-x-0\d)".*?</svg>)', html, re.S)
    assert [chart_id for _, chart_id in charts] == ["chart-criterion-x-01", "chart-criterion-x-02",
                                                    "chart-criterion-x-03"]
    for svg, chart_id in charts:
        assert re.search(r'<svg [^>]*role="img"[^>]*><title id="[^"]+">X-0\d: each force', svg)
        texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        for name in ("Alpha", "Bravo", "Charlie"):
            assert name in texts, (chart_id, name)
        assert f'id="{chart_id.replace("chart-", "table-")}"' in html
    x01 = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", charts[0][0]))
    assert "Bravo: below the 99.8% limit" in x01 and "Alpha: above the 95% limit" in x01  # not colour alone


def test_themes_and_grades_are_set_side_by_side_too(html):
    themes = section(html, "themes", "grades")
    assert "t1: pooled rate 83 of 150, 55%" in themes
    grades = section(html, "grades", "method")
    assert "Inspector&#39;s grade: good" in grades and "Suggested grade: inadequate" in grades


def test_golden_html(html, files):
    check_golden("programme-small.html", html, files[0].parent)


# --- accessibility and the PDF ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(tmp_path_factory, html) -> Path:
    path = tmp_path_factory.mktemp("programme-html") / "programme.html"
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
    assert reader.metadata["/Title"] == "Child protection inspections 2019: forces side by side"


def test_pdf_text_holds_the_key_statements(rendered, loaded):
    text = words(pdf_text(rendered[0]["pdf"]))
    report = programme_report_context(*loaded)
    for statement in (report.beyond_chance_text, report.worth_a_look_text, report.comparisons_text,
                      report.limits_meaning):
        assert words(statement) in text


def test_first_page_renders_to_a_non_blank_png(rendered, tmp_path):
    pdf = tmp_path / "programme.pdf"
    pdf.write_bytes(rendered[0]["pdf"])
    assert blank_image_problem(pdf_first_page_png(pdf, tmp_path / "programme-page-1")) is None


# --- the command ---------------------------------------------------------------------------------------

def test_report_of_several_files_writes_json_html_and_pdf(capsys, files, tmp_path):
    code, out, err = run(capsys, "report", *files, "-o", tmp_path)
    assert (code, err) == (0, "")
    written = [tmp_path / name for name in ("programme.json", "programme.html", "programme.pdf")]
    assert [line for line in out.splitlines() if line.startswith("report written")] == [
        f"report written to {p}" for p in written]
    assert "outside the 99.8% limits: bravo-2019 on X-01: 22 of 50, below the pooled rate" in out
    assert json.loads(written[0].read_text())["format"] == "thematic.programme/1"
    assert written[2].read_bytes().startswith(b"%PDF-")


def test_format_html_only_and_suppression(capsys, files, tmp_path):
    code, _, _ = run(capsys, "report", *files, "-o", tmp_path, "--format", "html", "--suppress-below", "30")
    assert code == 0 and [p.name for p in tmp_path.iterdir()] == ["programme.html"]
    html = (tmp_path / "programme.html").read_text()
    assert "fewer than 30" in html and "22 of 50" not in html


def test_suppressed_report_leaves_out_the_json_which_holds_every_count(capsys, files, tmp_path):
    code, _, _ = run(capsys, "report", *files, "-o", tmp_path / "out", "--suppress-below", "5", "--format", "html")
    assert code == 0
    code, _, _ = run(capsys, "report", *files, "-o", tmp_path / "default", "--suppress-below", "5")
    assert code == 0 and sorted(p.name for p in (tmp_path / "default").iterdir()) == ["programme.html", "programme.pdf"]
    code, _, err = run(capsys, "report", *files, "-o", tmp_path / "asked", "--suppress-below", "5", "--format", "json")
    assert code == 2 and "cannot be prepared for publication" in err and not (tmp_path / "asked").exists()


def test_shipped_criteria_give_questions_and_theme_titles(capsys, tmp_path):
    common = dict(criteria_id="ncpi-thematic-2019", version="2")
    paths = [write(tmp_path / f"{f}.json", results_doc({"SUP-01": counts}, inspection=f"{f}-2019", force=f, **common))
             for f, counts in (("alpha", (5, 10)), ("bravo", (6, 10)))]
    code, _, _ = run(capsys, "report", *paths, "-o", tmp_path / "out", "--format", "html")
    assert code == 0
    html = (tmp_path / "out" / "programme.html").read_text()
    assert "Was the first supervisory entry made within" in html
    assert "<h3 id=\"group-1\">Supervision</h3>" in html


@pytest.mark.parametrize(("change", "message"), [
    (lambda folder: programme_files(folder, bravo={"criteria_id": "other-set"}),
     'scored against criteria set "other-set", but the others against "test-set"'),
    (lambda folder: [*programme_files(folder, ("alpha", "bravo")), folder / "alpha.json"], "is given more than once"),
    (lambda folder: [*programme_files(folder, ("alpha", "bravo")), folder / "copy.json"],
     'inspection "alpha-2019" is already given by'),
])
def test_results_that_cannot_be_set_side_by_side_exit_2(capsys, tmp_path, change, message):
    paths = change(tmp_path)
    if paths[-1].name == "copy.json":
        paths[-1].write_text((tmp_path / "alpha.json").read_text())
    code, _, err = run(capsys, "report", *paths, "-o", tmp_path / "out")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_results_of_another_format_version_exit_2(capsys, files, tmp_path):
    bad = tmp_path / "bad.json"
    document = json.loads(files[0].read_text())
    document["format"] = "thematic.results/2"
    bad.write_text(json.dumps(document, indent=2))
    code, _, err = run(capsys, "report", files[1], bad, "-o", tmp_path / "out")
    assert code == 2 and f"{bad}:2: format:" in err and "not supported" in err


@pytest.mark.parametrize("formats", ["html", "json"])
def test_a_missing_template_dir_exits_2_and_writes_nothing(capsys, files, tmp_path, formats):
    code, _, err = run(capsys, "report", *files, "-o", tmp_path / "out", "--format", formats,
                       "--template-dir", tmp_path / "no-such-folder")
    assert code == 2 and "no such folder" in err
    assert not (tmp_path / "out").exists()


def test_unknown_format_exits_2(capsys, files, tmp_path):
    code, _, err = run(capsys, "report", *files, "-o", tmp_path / "out", "--format", "html,docx")
    assert code == 2 and "--format: unknown format 'docx'" in err


# --- the funnel chart ------------------------------------------------------------------------------------

def test_the_same_funnel_gives_the_same_svg(loaded):
    from thematic.render.programme import programme_charts

    report = programme_report_context(*loaded)
    first, second = programme_charts(report), programme_charts(report)
    assert [c.svg for c in first.values()] == [c.svg for c in second.values()]


@pytest.mark.parametrize(("points", "expected"), [
    # three points at one denominator and nearly one rate: labels 6.5 points apart, the highest kept
    ([(50, 0.70), (50, 0.69), (50, 0.71)], [64.5, 58.0, 71.0]),
    # far apart sideways: each label at its own point
    ([(10, 0.70), (100, 0.70)], [70.0, 70.0]),
    # exactly one gap apart: no move needed
    ([(50, 0.60), (50, 0.665)], [60.0, 66.5]),
    # no room below 2%: the label goes above the others
    ([(50, 0.05), (50, 0.01)], [5.0, 11.5]),
])
def test_labels_of_close_points_are_moved_apart(points, expected):
    from thematic.render.charts import FunnelPoint, _label_heights

    heights = _label_heights([FunnelPoint(f"F{i}", n, r, "") for i, (n, r) in enumerate(points)], top=100)
    assert heights == pytest.approx(expected)
