"""Year-on-year comparison: worked examples, the libraries, Holm by hand, boundaries, and the command."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from results_factory import results_doc, write
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import load_results, load_results_files
from thematic.render.comparison import points
from thematic.scoring.criteria import load_criteria
from thematic.scoring.inspection import paths_results
from thematic.stats.compare import (
    COMPARISON_FORMAT,
    NO_DETECTABLE_CHANGE,
    compare,
    holm,
    rate_change,
    verdict,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"


def pair(tmp_path: Path, before: dict, after: dict):
    b = write(tmp_path / "before.json", before)
    a = write(tmp_path / "after.json", after)
    return load_results(b), load_results(a)


def one(tmp_path, before_counts, after_counts, **after_kw):
    """Compare one criterion X-01 between two hand-built files."""
    before = results_doc({"X-01": before_counts}, inspection="t-2018", year=2018, cases=max(before_counts[1], 1))
    after = results_doc({"X-01": after_counts}, inspection="t-2019", year=2019, cases=max(after_counts[1], 1),
                        **after_kw)
    return compare(*pair(tmp_path, before, after))


# --- the worked example of design.md -----------------------------------------------------------------

def test_14_of_20_then_9_of_20_is_no_change_the_sample_can_detect(tmp_path):
    # design.md: 14/20 against 9/20: Newcombe difference interval about -5 to +50 points, Fisher p about
    # 0.20, so a report must not call it a decline.
    [row] = one(tmp_path, (14, 20), (9, 20)).criteria
    c = row.change
    assert c.difference == pytest.approx(-0.25)
    assert c.ci_low == pytest.approx(-0.50, abs=0.01) and c.ci_high == pytest.approx(0.05, abs=0.01)
    assert c.p_value == pytest.approx(0.20, abs=0.005)
    assert c.verdict == NO_DETECTABLE_CHANGE


def test_9_of_20_then_14_of_20_is_not_called_an_improvement_either(tmp_path):
    [row] = one(tmp_path, (9, 20), (14, 20)).criteria
    assert (row.change.ci_low, row.change.ci_high) == pytest.approx((-0.05, 0.50), abs=0.01)
    assert row.change.verdict == NO_DETECTABLE_CHANGE


# --- against the libraries ---------------------------------------------------------------------------

@pytest.mark.parametrize(("bk", "bn", "ak", "an"), [
    (14, 20, 9, 20), (9, 20, 14, 20), (2, 20, 9, 20), (0, 10, 10, 10), (10, 10, 0, 10),
    (5, 24, 20, 31), (60, 120, 75, 120), (1, 3, 2, 2), (7, 9, 7, 9), (0, 5, 0, 7),
])
def test_rate_change_is_newcombe_and_fisher_from_the_libraries(bk, bn, ak, an):
    low, high = confint_proportions_2indep(ak, an, bk, bn, method="newcomb", compare="diff", alpha=0.05)
    p = fisher_exact([[ak, an - ak], [bk, bn - bk]]).pvalue
    t = rate_change(bk, bn, ak, an)
    assert t.difference == pytest.approx(ak / an - bk / bn)
    assert (t.ci_low, t.ci_high) == pytest.approx((low, high))
    assert t.p_value == pytest.approx(p)
    assert t.ci_low <= t.difference <= t.ci_high


def test_fisher_p_is_the_same_whichever_way_round():
    assert rate_change(14, 20, 9, 20).p_value == pytest.approx(rate_change(9, 20, 14, 20).p_value)


# --- Holm ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "adjusted"), [
    # By hand: sort, multiply the i-th smallest by (m - i + 1), keep it non-decreasing, cap at 1.
    # 0.005*4=0.02; 0.01*3=0.03; 0.03*2=0.06; 0.04*1=0.04 -> max(0.06, 0.04)=0.06.
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
    ([0.5, 0.6], [1.0, 1.0]),
    ([0.02], [0.02]),
    ([0.001, 0.001, 0.2], [0.003, 0.003, 0.2]),
    ([], []),
])
def test_holm_matches_a_hand_worked_set(raw, adjusted):
    assert holm(raw) == pytest.approx(adjusted)


def test_holm_adjusts_across_criteria_so_one_small_p_among_four_is_not_claimed(tmp_path):
    # 2/20 -> 9/20 alone: Fisher p 0.031 and the whole interval above 0, so "improved".
    [alone] = one(tmp_path, (2, 20), (9, 20)).criteria
    assert alone.change.p_value == pytest.approx(0.031, abs=0.001) and alone.change.ci_low > 0
    assert alone.change.verdict == "improved"
    # With three unchanged criteria beside it, Holm multiplies the smallest p by 4: 0.124.
    counts = {"A-01": (2, 20), "B-01": (10, 20), "C-01": (10, 20), "D-01": (10, 20)}
    later = {**counts, "A-01": (9, 20)}
    comparison = compare(*pair(tmp_path, results_doc(counts, inspection="t-2018"),
                               results_doc(later, inspection="t-2019")))
    rows = {r.criterion: r.change for r in comparison.criteria}
    assert rows["A-01"].p_adjusted == pytest.approx(4 * rows["A-01"].p_value)
    # Its own interval excludes zero, Holm does not confirm it: suggested, never "no change".
    assert rows["A-01"].verdict == "improvement suggested, not confirmed"
    raw = [r.change.p_value for r in comparison.criteria]
    adjusted = [r.change.p_adjusted for r in comparison.criteria]
    assert adjusted == pytest.approx(list(multipletests(raw, method="holm")[1]))


# --- the words -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("low", "high", "p", "word"), [
    (0.01, 0.30, 0.04, "improved"),
    (-0.30, -0.01, 0.04, "declined"),
    (-0.05, 0.30, 0.04, NO_DETECTABLE_CHANGE),  # the test says yes, the interval crosses 0
    (0.01, 0.30, 0.05, "improvement suggested, not confirmed"),  # exactly at alpha is not below it
    (0.01, 0.30, 0.0499, "improved"),
    (0.0, 0.30, 0.01, NO_DETECTABLE_CHANGE),  # an interval touching 0 does not exclude it
    (-0.30, 0.0, 0.01, NO_DETECTABLE_CHANGE),
    (0.10, 0.50, 0.20, "improvement suggested, not confirmed"),  # the interval says yes, Holm does not
])
def test_verdict_needs_both_the_adjusted_p_and_the_interval(low, high, p, word):
    assert verdict(low, high, p) == word


# --- boundaries ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "word"), [
    ((0, 10), (10, 10), "improved"),
    ((10, 10), (0, 10), "declined"),
    ((0, 1), (1, 1), NO_DETECTABLE_CHANGE),  # one case each way: Fisher p = 1
    ((7, 9), (7, 9), NO_DETECTABLE_CHANGE),
    ((0, 10), (0, 12), NO_DETECTABLE_CHANGE),
    ((20, 20), (20, 20), NO_DETECTABLE_CHANGE),
])
def test_boundary_tables(tmp_path, before, after, word):
    [row] = one(tmp_path, before, after).criteria
    assert row.change.verdict == word


def test_identical_rates_have_zero_difference_and_p_one(tmp_path):
    [row] = one(tmp_path, (6, 12), (5, 10)).criteria
    assert row.change.difference == 0.0 and row.change.p_value == pytest.approx(1.0)
    assert row.change.ci_low < 0 < row.change.ci_high


@pytest.mark.parametrize(("before", "after", "side"), [((0, 0), (5, 10), "before"), ((5, 10), (0, 0), "after"),
                                                        ((0, 0), (0, 0), "before or after")])
def test_a_zero_denominator_is_not_tested_and_says_why(tmp_path, before, after, side):
    [row] = one(tmp_path, before, after).criteria
    c = row.change
    assert c.verdict == f"cannot be compared: no assessed cases {side}"
    assert c.difference is None and c.p_value is None and c.p_adjusted is None and c.ci_low is None


def test_an_untestable_criterion_is_left_out_of_the_holm_family(tmp_path):
    before = results_doc({"A-01": (2, 20), "B-01": (0, 0)}, inspection="t-2018")
    after = results_doc({"A-01": (9, 20), "B-01": (3, 5)}, inspection="t-2019")
    rows = {r.criterion: r.change for r in compare(*pair(tmp_path, before, after)).criteria}
    assert rows["A-01"].p_adjusted == pytest.approx(rows["A-01"].p_value)  # a family of one
    assert rows["A-01"].verdict == "improved"


# --- matching criteria ------------------------------------------------------------------------------------

def test_only_criteria_with_equal_fingerprints_are_compared(tmp_path):
    before = results_doc({"A-01": (5, 10), "B-01": (5, 10), "GONE-01": (5, 10)}, inspection="t-2018",
                         fingerprints={"A-01": "sha256:a", "B-01": "sha256:b-old", "GONE-01": "sha256:g"})
    after = results_doc({"A-01": (6, 10), "B-01": (9, 10), "NEW-01": (1, 10)}, inspection="t-2019",
                        fingerprints={"A-01": "sha256:a", "B-01": "sha256:b-new", "NEW-01": "sha256:n"})
    comparison = compare(*pair(tmp_path, before, after))
    assert [r.criterion for r in comparison.criteria] == ["A-01"]
    assert (comparison.changed, comparison.added, comparison.removed) == (("B-01",), ("NEW-01",), ("GONE-01",))
    document = comparison.to_json()
    assert document["not_compared"] == {"changed": ["B-01"], "added": ["NEW-01"], "removed": ["GONE-01"]}


def test_a_changed_parameter_is_listed_apart_on_the_scored_example(tmp_path):
    criteria = load_criteria(shipped_criteria_path())
    scored = {}
    for name, hours, year in (("before", 24, 2018), ("after", 12, 2019)):
        document = paths_results([EXAMPLE_CASES], criteria=criteria, as_of=date(2019, 11, 30),
                                 parameters={**criteria.defaults(), "referral_max_hours": hours},
                                 inspection={"id": f"exampleshire-{year}", "force": "exampleshire", "year": year})
        scored[name] = document.to_json()
    differ = {c for c, f in scored["before"]["criteria"]["fingerprints"].items()
              if scored["after"]["criteria"]["fingerprints"][c] != f}
    assert "TIM-01" in differ
    comparison = compare(*pair(tmp_path, scored["before"], scored["after"]))
    assert set(comparison.changed) == differ
    assert {r.criterion for r in comparison.criteria} == set(scored["after"]["criteria"]["fingerprints"]) - differ
    # The same cases scored twice are not independent samples: the comparison says so.
    assert any("16 case id(s) appear in both samples" in note for note in comparison.notes)
    assert comparison.themes == ()
    assert {n.item for n in comparison.themes_not_compared} == set(scored["after"]["summary"]["themes"])


# --- refusals -------------------------------------------------------------------------------------------

def test_results_from_different_criteria_sets_are_refused(tmp_path):
    before = results_doc({"A-01": (5, 10)}, inspection="t-2018", criteria_id="ncpi-thematic-2019")
    after = results_doc({"A-01": (6, 10)}, inspection="t-2019", criteria_id="ncpi-2024")
    with pytest.raises(InputError) as caught:
        compare(*pair(tmp_path, before, after))
    [problem] = caught.value.problems
    assert problem.file.endswith("after.json") and "before.json" in problem.message
    assert '"ncpi-thematic-2019"' in problem.message and '"ncpi-2024"' in problem.message
    assert "same criteria set" in problem.message and problem.field == "criteria.id"
    lines = (tmp_path / "after.json").read_text().splitlines()
    assert lines[problem.line - 1].strip() == '"id": "ncpi-2024",'


def test_the_same_inspection_twice_is_refused(tmp_path):
    document = results_doc({"A-01": (5, 10)}, inspection="t-2019")
    with pytest.raises(InputError, match="two independent samples"):
        compare(*pair(tmp_path, document, document))


def test_problems_of_both_files_are_reported_together(tmp_path):
    bad = results_doc({"A-01": (5, 10)})
    bad["format"] = "thematic.results/2"
    worse = results_doc({"A-01": (5, 10)})
    del worse["summary"]
    with pytest.raises(InputError) as caught:
        compare(*load_results_files([write(tmp_path / "b.json", bad), write(tmp_path / "a.json", worse)]))
    assert [Path(p.file).name for p in caught.value.problems] == ["b.json", "a.json"]


# --- themes, grades and notes ------------------------------------------------------------------------------

def test_themes_are_compared_when_every_criterion_matches(tmp_path):
    before = results_doc({"A-01": (3, 20)}, inspection="t-2018", themes={"supervision": (3, 20), "old": (1, 2)})
    after = results_doc({"A-01": (15, 20)}, inspection="t-2019", themes={"supervision": (15, 20)})
    comparison = compare(*pair(tmp_path, before, after))
    [row] = comparison.themes
    assert row.theme == "supervision" and row.change.verdict == "improved"
    assert [(n.item, n.reason) for n in comparison.themes_not_compared] == [("old", "only in BEFORE")]


def test_inspector_grades_are_compared_as_shares_of_graded_cases(tmp_path):
    before = results_doc({"A-01": (5, 20)}, inspection="t-2018",
                         inspector={"good": 2, "requires_improvement": 4, "inadequate": 14})
    after = results_doc({"A-01": (5, 20)}, inspection="t-2019", cases=24,
                        inspector={"good": 12, "requires_improvement": 6, "inadequate": 2})  # 4 not graded
    comparison = compare(*pair(tmp_path, before, after))
    inspector = {g.grade: g.change for g in comparison.grades if g.source == "inspector"}
    assert inspector["inadequate"].after.total == 20  # the 4 ungraded cases are left out
    low, high = confint_proportions_2indep(2, 20, 14, 20, method="newcomb")
    assert (inspector["inadequate"].ci_low, inspector["inadequate"].ci_high) == pytest.approx((low, high))
    assert inspector["inadequate"].verdict == "fell" and inspector["good"].verdict == "rose"
    raw = [inspector[g].p_value for g in ("good", "requires_improvement", "inadequate")]
    adjusted = [inspector[g].p_adjusted for g in ("good", "requires_improvement", "inadequate")]
    assert adjusted == pytest.approx(list(multipletests(raw, method="holm")[1]))


def test_suggested_grades_are_compared_only_under_identical_criteria(tmp_path):
    same = compare(*pair(tmp_path, results_doc({"A-01": (5, 10)}, inspection="a"),
                         results_doc({"A-01": (5, 10)}, inspection="b")))
    assert {g.source for g in same.grades} == {"inspector", "suggested"}
    other = compare(*pair(tmp_path, results_doc({"A-01": (5, 10)}, inspection="a"),
                          results_doc({"A-01": (5, 10)}, inspection="b", fingerprints={"A-01": "sha256:other"})))
    assert {g.source for g in other.grades} == {"inspector"}
    assert [n.item for n in other.grades_not_compared] == ["suggested grades"]


def test_notes_name_different_forces_and_years_out_of_order(tmp_path):
    before = results_doc({"A-01": (5, 10)}, inspection="north-2020", force="north", year=2020)
    after = results_doc({"A-01": (5, 10)}, inspection="south-2019", force="south", year=2019)
    notes = compare(*pair(tmp_path, before, after)).notes
    assert any("different forces (north before, south after)" in n for n in notes)
    assert any("(2020) is not earlier than AFTER's (2019)" in n for n in notes)


def test_to_json_is_the_comparison_document(tmp_path):
    comparison = one(tmp_path, (14, 20), (9, 20))
    document = json.loads(json.dumps(comparison.to_json()))
    assert document["format"] == COMPARISON_FORMAT
    assert document["before"]["inspection"] == "t-2018" and document["after"]["year"] == 2019
    [row] = document["criteria"]
    assert row["criterion"] == "X-01" and row["change"] == NO_DETECTABLE_CHANGE
    assert row["before"] == {"successes": 14, "total": 20, "rate": 0.7,
                             "ci_low": pytest.approx(0.481, abs=0.001), "ci_high": pytest.approx(0.855, abs=0.001)}
    assert set(document["method"]) >= {"interval", "test", "adjustment", "decision"}


# --- the command ---------------------------------------------------------------------------------------------

def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_command_writes_comparison_json_and_prints_the_verdicts(tmp_path, capsys):
    before = write(tmp_path / "b.json", results_doc({"X-01": (14, 20)}, inspection="t-2018", year=2018))
    after = write(tmp_path / "a.json", results_doc({"X-01": (9, 20)}, inspection="t-2019"))
    code, out, err = run(capsys, "compare", str(before), str(after), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 0, err
    document = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert document == json.loads(json.dumps(compare(*load_results_files([before, after])).to_json()))
    assert "X-01" in out and "14/20 70%" in out and "9/20 45%" in out and "-25 pts (-50 to +5)" in out
    assert NO_DETECTABLE_CHANGE in out and "declined" not in out and " 0.200 " in out


def test_compare_command_prints_a_change_that_rounds_to_nothing_without_a_sign(tmp_path, capsys):
    # 5 of 10 both times: no change, printed "0 pts" as the report's "0 points", never "+0 pts"; and a
    # change of a third of a point (150 to 149 of 300) as the report's "−0.3", never "-0".
    before = write(tmp_path / "b.json", results_doc({"X-01": (5, 10), "X-02": (150, 300)}, inspection="t-2018"))
    after = write(tmp_path / "a.json", results_doc({"X-01": (5, 10), "X-02": (149, 300)}, inspection="t-2019"))
    code, out, err = run(capsys, "compare", str(before), str(after), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 0, err
    x01 = next(line for line in out.splitlines() if line.startswith("X-01"))
    x02 = next(line for line in out.splitlines() if line.startswith("X-02"))
    assert " 0 pts (-" in x01 and "+0 pts" not in x01 and "-0 pts" not in x01
    assert " -0.3 pts (-" in x02 and "-0 pts" not in x02
    comparison = compare(*load_results_files([before, after]))
    assert [points(c.change.difference) for c in comparison.criteria] == ["0", "\u22120.3"]


def test_compare_command_prints_a_tiny_p_as_below_one_in_a_thousand(tmp_path, capsys):
    before = write(tmp_path / "b.json", results_doc({"X-01": (0, 10)}, inspection="t-2018"))
    after = write(tmp_path / "a.json", results_doc({"X-01": (10, 10)}, inspection="t-2019"))
    code, out, _ = run(capsys, "compare", str(before), str(after), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 0 and "<0.001  improved" in out


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.update(format="thematic.results/2"), 'version "thematic.results/2" is not supported'),
    (lambda d: d["criteria"].update(id="another-set"), "same criteria set"),
    (lambda d: d.pop("summary"), "summary: missing"),
])
def test_compare_command_refuses_bad_input_with_exit_code_2(tmp_path, capsys, change, expected):
    before = write(tmp_path / "b.json", results_doc({"X-01": (14, 20)}, inspection="t-2018"))
    document = results_doc({"X-01": (9, 20)}, inspection="t-2019")
    change(document)
    after = write(tmp_path / "a.json", document)
    code, out, err = run(capsys, "compare", str(before), str(after), "-o", str(tmp_path / "out"))
    assert code == 2 and expected in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_compare_command_reports_malformed_json_with_its_line(tmp_path, capsys):
    before = write(tmp_path / "b.json", results_doc({"X-01": (14, 20)}, inspection="t-2018"))
    after = tmp_path / "a.json"
    after.write_text('{\n  "format": "thematic.results/1",\n  "cases": [,]\n}\n')
    code, _, err = run(capsys, "compare", str(before), str(after))
    assert code == 2 and f"{after}:3: invalid JSON" in err


@pytest.mark.parametrize(("formats", "expected"), [("json,xml", 'unknown format "xml"'), (",", "is empty")])
def test_compare_command_refuses_formats_it_cannot_write(tmp_path, capsys, formats, expected):
    before = write(tmp_path / "b.json", results_doc({"X-01": (14, 20)}, inspection="t-2018"))
    after = write(tmp_path / "a.json", results_doc({"X-01": (9, 20)}, inspection="t-2019"))
    code, _, err = run(capsys, "compare", str(before), str(after), "--format", formats, "-o", str(tmp_path / "o"))
    assert code == 2 and expected in err and not (tmp_path / "o").exists()


def test_compare_command_default_folder_is_named_after_both_inspections(tmp_path, capsys, monkeypatch):
    before = write(tmp_path / "b.json", results_doc({"X-01": (14, 20)}, inspection="t-2018"))
    after = write(tmp_path / "a.json", results_doc({"X-01": (9, 20)}, inspection="t-2019"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "compare", str(before), str(after))
    assert code == 0 and (tmp_path / "out" / "t-2018-to-t-2019" / "comparison.json").is_file()
