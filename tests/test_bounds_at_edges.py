"""Rates and interval bounds at the edges read the same everywhere: k of k has an upper bound of
100%, 0 of n a lower bound of 0%, and a half rounds up, in every report and every terminal table.

statsmodels gives the Wilson upper bound of 9 of 9 (and 12 of 12) as 0.9999999999999999 and the
lower bound of 0 of 9 as 2.8e-17; the reports once printed "9 of 9, 100%, 70%–99%" while 13 of 13
read 77%–100%, and the terminal rounded 0.125 to 12% where the report said 13%. One function,
`thematic.render.views.percent` (on `whole_percent`), now does every rounding shown.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from render_samples import hand_made_results, shipped_criteria
from report_helpers import run
from results_factory import results_doc, write

from thematic.load.results import load_case_states_files, load_results
from thematic.model.results import CaseResult, CriterionResult, ResultsDocument
from thematic.render.agreement_text import agreement_text, comparison_text
from thematic.render.assessors import assessors_html, assessors_report
from thematic.render.comparison import points, render_comparison_report
from thematic.render.force import render_force_report
from thematic.render.programme import render_programme_report
from thematic.render.table import summary_table
from thematic.render.views import EDGE_TOLERANCE, interval_text, percent, snapped, whole_percent
from thematic.scoring.aggregate import summarise
from thematic.stats.agreement import Agreement, item_agreement
from thematic.stats.assessors import compare_assessors
from thematic.stats.compare import compare
from thematic.stats.programme import build_programme
from thematic.stats.proportion import proportion


def wilson(k: int, n: int) -> str:
    p = proportion(k, n)
    return interval_text(p.ci_low, p.ci_high)


# --- the one function ----------------------------------------------------------------------------

@pytest.mark.parametrize(("k", "n", "expected"), [
    (9, 9, "70%–100%"),     # statsmodels: upper 0.9999999999999999
    (12, 12, "76%–100%"),   # statsmodels: upper 0.9999999999999999
    (13, 13, "77%–100%"),   # statsmodels: upper exactly 1.0
    (1, 1, "21%–100%"),
    (0, 9, "0%–30%"),       # statsmodels: lower 2.8e-17
    (0, 1, "0%–79%"),
    (0, 13, "0%–23%"),
    (7, 10, "40%–89%"),     # design.md's worked example, unchanged
])
def test_wilson_bounds_of_all_and_none_read_100_and_0(k, n, expected):
    assert wilson(k, n) == expected


def test_the_statsmodels_bounds_really_are_off_by_floating_point_noise():
    # If statsmodels ever returns exact values, these tests still hold; this one says why they exist.
    assert 0 < 1 - proportion(9, 9).ci_high <= EDGE_TOLERANCE
    assert 0 < proportion(0, 9).ci_low <= EDGE_TOLERANCE


@pytest.mark.parametrize(("value", "expected"), [
    (1 - 1e-16, 1.0), (1 - EDGE_TOLERANCE, 1.0), (1 + 1e-16, 1.0), (2.8e-17, 0.0), (-1e-17, 0.0),
    (1 - 1e-6, 1 - 1e-6), (1e-6, 1e-6), (0.5, 0.5),
])
def test_only_floating_point_noise_is_snapped(value, expected):
    assert snapped(value) == expected


@pytest.mark.parametrize(("value", "bound", "short", "expected"), [
    (0.125, False, False, "13%"), (0.125, False, True, "13%"), (0.125, True, False, "13%"),
    (0.145, False, True, "15%"),
    (1 - 1e-16, True, False, "100%"), (1 - 1e-16, False, False, "100%"),
    (2.8e-17, True, False, "0%"), (2.8e-17, False, True, "0%"),
    (0.9961, True, False, "99%"),          # a real bound short of 1 still never reads 100%
    (1 - 1e-6, True, False, "99%"),
    (0.996, False, True, ">99%"), (0.996, False, False, "more than 99%"),
    (0.004, False, True, "<1%"), (0.004, False, False, "less than 1%"),
])
def test_percent_rounds_halves_up_and_snaps_only_noise(value, bound, short, expected):
    assert percent(value, bound=bound, short=short) == expected


@pytest.mark.parametrize(("value", "expected"), [(0.125, 13), (-0.125, -13), (0.875, 88), (1 - 1e-16, 100),
                                                 (-1e-17, 0), (0.145, 15)])
def test_whole_percent_rounds_halves_away_from_zero(value, expected):
    assert whole_percent(value) == expected


def test_points_round_as_percentages_do():
    assert points(0.125) == "+13" and points(-0.125) == "\u221213" and points(1 - 1e-16) == "+100"


# --- the force report and the `thematic run` table -----------------------------------------------

def force_document(*, met: int, total: int, none_of: int) -> ResultsDocument:
    """TIM-01 met in `met` of `total` cases; SUP-01 not met in all `none_of` first cases."""
    cases = []
    for i in range(max(total, none_of)):
        states = {}
        if i < total:
            states["TIM-01"] = "met" if i < met else "not_met"
        if i < none_of:
            states["SUP-01"] = "not_met"
        cases.append({"case_id": f"T-{i + 1:02d}", "states": states})
    return hand_made_results(cases)


def table_row(table: str, criterion: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(criterion + " "))


def html_criterion_row(html: str, criterion: str) -> str:
    rows = [r for r in re.findall(r"<tr\b.*?</tr>", html, re.S) if criterion in r and " of " in r]
    assert rows, f"no table row for {criterion}"
    return rows[0]


@pytest.fixture(scope="module")
def nine_of_nine() -> tuple[str, str]:
    document = force_document(met=9, total=9, none_of=9)
    html = render_force_report(document, shipped_criteria(), formats=["html"])["html"].decode()
    severities = {c.id: c.definition.severity for c in shipped_criteria().criteria}
    return html, summary_table(document, severities)


def test_force_report_nine_of_nine_has_upper_bound_100(nine_of_nine):
    html, _ = nine_of_nine
    row = html_criterion_row(html, "TIM-01")
    assert "9 of 9" in row and "70%–100%" in row
    assert "70%–99%" not in html


def test_force_report_none_of_nine_has_lower_bound_0(nine_of_nine):
    html, _ = nine_of_nine
    row = html_criterion_row(html, "SUP-01")
    assert "0 of 9" in row and "0%–30%" in row


def test_run_table_nine_of_nine_and_none_of_nine(nine_of_nine):
    _, table = nine_of_nine
    assert re.search(r"\s9/9\s+100%\s+70%–100%\s", table_row(table, "TIM-01"))
    assert re.search(r"\s0/9\s+0%\s+0%–30%\s", table_row(table, "SUP-01"))


def test_an_exact_half_reads_13_percent_in_the_report_and_the_table():
    document = force_document(met=1, total=8, none_of=1)  # 1 of 8 = 0.125; 0 of 1 beside it
    html = render_force_report(document, shipped_criteria(), formats=["html"])["html"].decode()
    severities = {c.id: c.definition.severity for c in shipped_criteria().criteria}
    table = summary_table(document, severities)
    assert "1 of 8" in html_criterion_row(html, "TIM-01") and "13%" in html_criterion_row(html, "TIM-01")
    assert re.search(r"\s1/8\s+13%\s", table_row(table, "TIM-01"))
    assert re.search(r"\s0/1\s+0%\s+0%–79%\s", table_row(table, "SUP-01"))
    assert "0%–79%" in html_criterion_row(html, "SUP-01")


def test_one_of_one_reads_100_percent_with_bounds_21_to_100():
    document = force_document(met=1, total=1, none_of=0)
    html = render_force_report(document, shipped_criteria(), formats=["html"])["html"].decode()
    table = summary_table(document, {})
    assert "21%–100%" in html_criterion_row(html, "TIM-01")
    assert re.search(r"\s1/1\s+100%\s+21%–100%\s", table_row(table, "TIM-01"))


# --- the comparison report and the `thematic compare` table --------------------------------------

BEFORE = {"X-01": (9, 9), "X-02": (0, 9), "X-03": (7, 8)}
AFTER = {"X-01": (12, 12), "X-02": (0, 13), "X-03": (13, 13)}


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("edges")
    return (write(folder / "before.json", results_doc(BEFORE, inspection="testshire-2015", year=2015, cases=13)),
            write(folder / "after.json", results_doc(AFTER, inspection="testshire-2019", year=2019, cases=13)))


def test_comparison_report_bounds_at_the_edges(pair):
    comparison = compare(*(load_results(p) for p in pair))
    html = render_comparison_report(comparison, formats=["html"])["html"].decode()
    x01 = re.search(r'<tr id="criterion-x-01">(.*?)</tr>', html, re.S).group(1)
    assert "70%–100%" in x01 and "76%–100%" in x01 and "99%" not in x01
    x02 = re.search(r'<tr id="criterion-x-02">(.*?)</tr>', html, re.S).group(1)
    assert "0%–30%" in x02 and "0%–23%" in x02
    x03 = re.search(r'<tr id="criterion-x-03">(.*?)</tr>', html, re.S).group(1)
    assert "77%–100%" in x03 and "+13" in x03  # 7 of 8 (87.5%) to 13 of 13: +12.5 points, a half


def test_compare_terminal_rows_round_as_the_report_does(pair, capsys, tmp_path):
    code, out, err = run(capsys, "compare", *pair, "-o", tmp_path / "out", "--format", "json")
    assert code == 0, err
    assert re.search(r"^X-01\s+9/9 100%\s+12/12 100%", out, re.M)
    assert re.search(r"^X-02\s+0/9 0%\s+0/13 0%", out, re.M)
    x03 = next(line for line in out.splitlines() if line.startswith("X-03"))
    assert "7/8 88%" in x03 and "13/13 100%" in x03 and re.search(r"\+13 pts", x03)
    document = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert json.dumps(document).count("0.9999999999999999") >= 1  # the JSON keeps the raw floats


# --- the programme report ------------------------------------------------------------------------

def test_programme_report_bounds_at_the_edges(tmp_path):
    counts = {"alpha": {"X-01": (9, 9)}, "bravo": {"X-01": (0, 9)}, "charlie": {"X-01": (1, 8)}}
    results = [load_results(write(tmp_path / f"{force}.json",
                                  results_doc(c, inspection=f"{force}-2019", force=force, cases=9)))
               for force, c in counts.items()]
    html = render_programme_report(build_programme(results), results, formats=["html"])["html"].decode()
    assert "70%–100%" in html and "70%–99%" not in html
    assert "0%–30%" in html
    assert "13%" in html  # 1 of 8


# --- agreement: the force report's section and the `thematic agreement` table --------------------

def test_agreement_of_nine_in_nine_reads_100_percent_with_upper_bound_100():
    items = (item_agreement("TIM-01", "q", ["met", "not_met"], [{"a": "met", "b": "met"}] * 9),
             item_agreement("SUP-01", "q", ["met", "not_met"],
                            [{"a": "met", "b": "met"}] + [{"a": "met", "b": "not_met"}] * 7))
    agreement = Agreement({"id": "testshire-2019"}, ("a", "b"), items, ())
    text = agreement_text(agreement)
    assert re.search(r"^TIM-01\s+9\s+9\s+100%\s+70%–100%", text, re.M)
    assert re.search(r"^SUP-01\s+8\s+1\s+13%\s", text, re.M)
    document = force_document(met=9, total=9, none_of=9)
    html = render_force_report(document, shipped_criteria(), formats=["html"],
                               agreement=agreement.to_json())["html"].decode()
    section = html[html.index('id="agreement"'):]
    assert "70%–100%" in section and "70%–99%" not in section


# --- self-assessment against inspection: report and `thematic compare-assessors` table -----------

def results_file(path: Path, states: list[str]) -> Path:
    results = [CaseResult(f"T-{i:02d}", "testshire", "neglect", {"A": CriterionResult(s, "")},
                          "requires_improvement", False, "good") for i, s in enumerate(states)]
    path.write_text(json.dumps({
        "format": "thematic.results/1",
        "inspection": {"id": path.stem, "force": "testshire", "year": 2019, "as_of": "2019-11-30"},
        "criteria": {"id": "test-set", "version": "1", "fingerprints": {"A": "sha256:A"}},
        "parameters": {},
        "cases": [r.to_json() for r in results],
        "summary": summarise(results, [("A", "theme")]),
    }), encoding="utf-8")
    return path


def test_assessors_all_agreeing_read_100_percent_with_upper_bound_100(tmp_path):
    comparison = compare_assessors(*load_case_states_files([results_file(tmp_path / "force.json", ["met"] * 9),
                                                            results_file(tmp_path / "insp.json", ["met"] * 9)]))
    text = comparison_text(comparison)
    assert re.search(r"^A\s+9\s+9\s+100%\s", text, re.M)
    html = assessors_html(assessors_report(comparison))
    assert "70%–100%" in html and "70%–99%" not in html


def test_assessors_exact_half_reads_13_percent_in_the_table_and_the_report(tmp_path):
    comparison = compare_assessors(*load_case_states_files([
        results_file(tmp_path / "force.json", ["met"] * 8),
        results_file(tmp_path / "insp.json", ["met"] + ["not_met"] * 7)]))
    text = comparison_text(comparison)
    assert re.search(r"^A\s+8\s+1\s+13%\s", text, re.M)
    assert "13%" in assessors_html(assessors_report(comparison))
