"""Small numbers (issue 12, item 8): no lowest, headline or change from fewer than --min-assessed cases,
and --suppress-below honoured by the programme and comparison reports as by the force report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_samples import hand_made, hand_made_results, shipped_criteria
from results_factory import results_doc, write

from thematic.cli import main
from thematic.load.results import load_results
from thematic.render.comparison import comparison_report_context, key_facts
from thematic.render.context import force_report_context
from thematic.render.programme import key_facts as programme_key_facts
from thematic.render.programme import programme_report_context
from thematic.stats.compare import IMPROVED, compare, few_cases_word
from thematic.stats.programme import ABOVE_95, FEW_CASES, build_programme

FEW = "few cases: fewer than 10 assessed"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- the force report ------------------------------------------------------------------------------

def supervision(sup02_assessed: int, **kwargs):
    """20 cases: SUP-01 met in 10 of 20 (50%); SUP-02 met in none of `sup02_assessed` (0%)."""
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 10 else "not_met",
                                                   "SUP-02": "not_met" if i < sup02_assessed else "not_applicable"}}
             for i in range(20)]
    report = force_report_context(hand_made_results(cases), shipped_criteria(), **kwargs)
    finding = next(f for f in report.key_findings if f.theme.id == "supervision")
    row = next(r for r in finding.theme.criteria if r.id == "SUP-02")
    return report, finding, row


def test_exactly_the_minimum_assessed_can_be_the_lowest():
    _, finding, row = supervision(10)
    assert finding.weakest.id == "SUP-02" and row.rate.few == ""
    assert finding.weakest_text.startswith("Lowest: SUP-02")


def test_one_fewer_than_the_minimum_is_listed_and_marked_but_never_the_lowest():
    _, finding, row = supervision(9)
    assert finding.weakest.id == "SUP-01"
    assert row.rate.n_of_n == "0 of 9" and row.rate.percent == "0%"  # still in its table, with its counts
    assert row.rate.few == FEW
    assert "Lower rates from fewer than 10 assessed cases (SUP-02) are not named" in finding.weakest_text


def test_a_criterion_with_no_assessed_cases_is_neither_lowest_nor_marked_few():
    _, finding, row = supervision(0)
    assert finding.weakest.id == "SUP-01"
    assert row.rate.total.value == 0 and row.rate.few == "" and row.rate.note == "no cases assessed"
    assert "not named" not in finding.weakest_text


def test_the_minimum_is_an_option():
    _, finding, row = supervision(9, min_assessed=9)
    assert finding.weakest.id == "SUP-02" and row.rate.few == ""


def test_0_of_1_is_never_the_headline_when_no_criterion_has_enough_cases():
    cases = [{"case_id": "T-00", "states": {"SUP-01": "not_met"}},
             *({"case_id": f"T-{i:02d}", "states": {"SUP-02": "met"}} for i in range(1, 6))]
    report = force_report_context(hand_made_results(cases), shipped_criteria())
    finding = next(f for f in report.key_findings if f.theme.id == "supervision")
    assert finding.weakest is None
    assert finding.weakest_text == ("No criterion of this theme has 10 or more assessed cases, so none is named as "
                                    "the lowest.")
    assert "Too few cases to draw a finding from (few cases: fewer than 10 assessed)." in finding.summary


def test_the_force_report_method_states_the_rule_and_the_html_marks_the_row(tmp_path, capsys):
    report, _, _ = supervision(9)
    assert "A rate from fewer than 10 assessed cases is shown with its counts and marked" in report.method.statistics
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 10 else "not_met",
                                                   "SUP-02": "not_met" if i < 9 else "not_applicable"}}
             for i in range(20)]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(hand_made(cases)), encoding="utf-8")
    code, _, err = run(capsys, "report", results, "-o", tmp_path / "out", "--format", "html")
    assert code == 0, err
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "(few cases: fewer than 10 assessed)" in html
    assert "Lowest: SUP-01" in html and "Lowest: SUP-02" not in html


# --- the comparison --------------------------------------------------------------------------------

def comparison(tmp_path: Path, before: dict, after: dict, min_assessed: int = 10):
    b = load_results(write(tmp_path / "before.json", results_doc(before, inspection="t-2018", year=2018, cases=20)))
    a = load_results(write(tmp_path / "after.json", results_doc(after, inspection="t-2019", year=2019, cases=20)))
    return compare(b, a, min_assessed=min_assessed)


@pytest.mark.parametrize(("n", "word"), [(10, IMPROVED), (9, few_cases_word(10))])
def test_a_change_needs_the_minimum_on_each_side(tmp_path, n, word):
    # 0 of n to n of n: Fisher p below 0.001 for both, so only the minimum tells them apart.
    [row] = comparison(tmp_path, {"X-01": (0, n)}, {"X-01": (n, n)}).criteria
    assert row.change.verdict == word
    [row] = comparison(tmp_path, {"X-01": (n, n)}, {"X-01": (n, n)}).criteria  # and on the after side alone
    assert (row.change.verdict == few_cases_word(10)) == (n < 10)


def test_0_of_1_to_3_of_3_is_not_a_change_in_the_summary(tmp_path):
    result = comparison(tmp_path, {"X-01": (0, 1), "X-02": (2, 20)}, {"X-01": (3, 3), "X-02": (18, 20)})
    rows = {row.criterion: row.change for row in result.criteria}
    assert rows["X-01"].verdict == FEW and rows["X-02"].verdict == IMPROVED
    report = comparison_report_context(result)
    assert [row.id for row in report.detected] == ["X-02"]
    assert report.counts_text == ("Improved: 1. Declined: 0. Improvement suggested, not confirmed: 0. Decline "
                                  "suggested, not confirmed: 0. No change the sample can detect: 0. Too few cases to "
                                  "say (fewer than 10 assessed on one side): 1.")
    x01 = next(row for row in report.rows if row.id == "X-01")
    assert x01.verdict == FEW and x01.tag == "" and x01.before.n_of_n == "0 of 1"  # listed, marked, not flagged
    assert key_facts(result).endswith("2 criteria compared: 1 improved, 0 declined, 0 suggested but not confirmed, "
                                      "0 no change the sample can detect, 1 with too few cases (fewer than 10 "
                                      "assessed on one side)")
    assert any(heading == "Small numbers" and "fewer than 10 assessed cases" in text for heading, text in report.method)


def test_compare_command_takes_the_minimum_and_writes_it_into_the_json(tmp_path, capsys):
    before = write(tmp_path / "b.json", results_doc({"X-01": (0, 9)}, inspection="t-2018", year=2018, cases=20))
    after = write(tmp_path / "a.json", results_doc({"X-01": (9, 9)}, inspection="t-2019", cases=20))
    code, out, err = run(capsys, "compare", before, after, "-o", tmp_path / "ten", "--format", "json,html")
    assert code == 0, err
    [row] = json.loads((tmp_path / "ten" / "comparison.json").read_text())["criteria"]
    assert row["change"] == FEW and FEW in out
    html = (tmp_path / "ten" / "comparison.html").read_text(encoding="utf-8")
    assert "Too few cases to say (fewer than 10 assessed on one side): 1." in html
    code, _, err = run(capsys, "compare", before, after, "-o", tmp_path / "nine", "--format", "json",
                       "--min-assessed", "9")
    assert code == 0, err
    [row] = json.loads((tmp_path / "nine" / "comparison.json").read_text())["criteria"]
    assert row["change"] == IMPROVED


# --- the programme report --------------------------------------------------------------------------

def programme(tmp_path: Path, last: tuple[int, int], min_assessed: int = 10):
    # Five forces at 10 of 20 and one at k of n: pooled about 0.55; n of n lies above the 95% limit.
    forces = {name: (10, 20) for name in "abcde"}
    forces["f"] = last
    results = [load_results(write(tmp_path / f"{name}.json", results_doc(
        {"X-01": counts}, inspection=f"{name}-2019", force=name, cases=20))) for name, counts in forces.items()]
    return build_programme(results, min_assessed=min_assessed), results


def test_a_force_at_the_minimum_is_compared_and_one_fewer_is_not(tmp_path):
    (tmp_path / "at").mkdir()
    at, results = programme(tmp_path / "at", (10, 10))
    assert at.criteria[0].forces[-1].position == ABOVE_95
    assert at.families()["criteria"]["comparisons"] == 6
    report = programme_report_context(at, results)
    assert [row.point.inspection for row in report.worth_a_look] == ["f-2019"]

    (tmp_path / "below").mkdir()
    below, results = programme(tmp_path / "below", (9, 9))
    [funnel] = below.criteria
    assert funnel.forces[-1].position == FEW_CASES and funnel.outside_95 == ()
    assert below.families()["criteria"]["comparisons"] == 5
    assert below.to_json()["method"]["min_assessed"] == 10
    report = programme_report_context(below, results)
    assert report.worth_a_look == () and report.beyond_chance == ()
    point = next(p for p in report.funnels[0].points if p.inspection == "f-2019")
    assert point.rate.n_of_n == "9 of 9" and point.position_text == FEW and not point.outside
    assert "1 result from fewer than 10 assessed cases not compared" in programme_key_facts(below)
    assert any(heading == "Small numbers" for heading, _ in report.method)


def test_a_force_with_no_assessed_cases_is_not_few(tmp_path):
    result, _ = programme(tmp_path, (0, 0))
    assert result.criteria[0].forces[-1].position == "no_cases"


# --- suppression in the programme and comparison reports -------------------------------------------

def test_programme_report_suppresses_small_counts_and_writes_no_json(tmp_path, capsys):
    paths = [write(tmp_path / f"{name}.json", results_doc({"X-01": counts}, inspection=f"{name}-2019", force=name,
                                                          cases=20))
             for name, counts in (("alpha", (13, 20)), ("beta", (3, 4)))]
    code, _, err = run(capsys, "report", *paths, "-o", tmp_path / "out", "--suppress-below", "5", "--format", "html")
    assert code == 0, err
    html = (tmp_path / "out" / "programme.html").read_text(encoding="utf-8")
    assert "fewer than 5 of fewer than 5" in html and "3 of 4" not in html
    assert "13 of 20" in html
    assert "Counts from 1 to 4 are shown as \u201cfewer than 5\u201d" in html
    assert not (tmp_path / "out" / "programme.json").exists()
    code, _, err = run(capsys, "report", *paths, "-o", tmp_path / "json", "--suppress-below", "5", "--format", "json")
    assert code == 2 and "json holds every count unsuppressed" in err
    assert not (tmp_path / "json").exists()


def test_comparison_report_suppresses_small_counts_and_what_would_reveal_them(tmp_path, capsys):
    before = write(tmp_path / "b.json", results_doc({"X-01": (3, 4), "X-02": (12, 20)}, inspection="t-2018",
                                                    year=2018, cases=20))
    after = write(tmp_path / "a.json", results_doc({"X-01": (4, 4), "X-02": (15, 20)}, inspection="t-2019", cases=20))
    code, _, err = run(capsys, "compare", before, after, "-o", tmp_path / "out", "--suppress-below", "5",
                       "--format", "html")
    assert code == 0, err
    html = (tmp_path / "out" / "comparison.html").read_text(encoding="utf-8")
    assert "fewer than 5 of fewer than 5" in html and "3 of 4" not in html and "4 of 4" not in html
    assert "+25 points" not in html  # the change from 3 of 4 to 4 of 4 would reveal both
    assert "12 of 20" in html and "15 of 20" in html and "+15 points" in html
    assert "Counts from 1 to 4 are shown as \u201cfewer than 5\u201d" in html
    assert not (tmp_path / "out" / "comparison.json").exists()
    code, _, err = run(capsys, "compare", before, after, "-o", tmp_path / "default", "--suppress-below", "5")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "default").iterdir()) == ["comparison.html", "comparison.pdf"]
    code, _, err = run(capsys, "compare", before, after, "-o", tmp_path / "json", "--suppress-below", "5",
                       "--format", "json")
    assert code == 2 and "json holds every count unsuppressed" in err


# --- the option ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5"])
@pytest.mark.parametrize("command", ["report", "compare"])
def test_bad_min_assessed_is_a_usage_error(tmp_path, capsys, command, value):
    files = [tmp_path / "a.json", tmp_path / "b.json"]
    code, out, err = run(capsys, command, *files, "--min-assessed", value)
    assert code == 2 and out == ""
    assert "argument --min-assessed:" in err
    assert ("must be 1 or more" in err) if value in ("0", "-1") else ("expected a whole number" in err)
