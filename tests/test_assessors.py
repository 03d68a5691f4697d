"""A force's own audit against the inspectors': agreement and the direction of bias, checked against
hand-worked examples and the libraries."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest, chi2
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.results import load_case_states_files
from thematic.model.results import CaseResult, CriterionResult
from thematic.scoring.aggregate import summarise
from thematic.stats.agreement import cohens_kappa, gwet_ac1
from thematic.stats.assessors import (
    ASSESSOR_COMPARISON_FORMAT,
    LESS_BIAS,
    MORE_BIAS,
    NO_BIAS,
    compare_assessors,
    mcnemar_test,
    sign_test,
)

# --- the tests themselves, against hand-worked examples ------------------------------------------


def test_mcnemar_exact_for_a_small_count_is_the_binomial_test():
    # b = 1, c = 9: two-sided exact p = 2 * P(X <= 1 | n = 10, 1/2) = 2 * 11 / 1024.
    test = mcnemar_test(5, 1, 9, 5)
    assert test.exact
    assert test.p_value == pytest.approx(22 / 1024)
    assert test.p_value == pytest.approx(binomtest(1, 10, 0.5).pvalue)


def test_mcnemar_chi_square_with_continuity_correction_for_a_large_count():
    # b = 30, c = 10: (|30 - 10| - 1)^2 / 40 = 9.025, on one degree of freedom.
    test = mcnemar_test(5, 30, 10, 5)
    assert not test.exact
    assert test.statistic == pytest.approx(9.025)
    assert test.p_value == pytest.approx(chi2.sf(9.025, 1))
    assert test.p_value == pytest.approx(0.00266, abs=5e-5)


@pytest.mark.parametrize("b, c, exact", [(12, 12, True), (12, 13, False), (0, 24, True), (25, 0, False)])
def test_mcnemar_is_exact_below_25_discordant_pairs(b, c, exact):
    assert mcnemar_test(3, b, c, 3).exact is exact


def test_mcnemar_without_discordant_pairs_tests_nothing():
    test = mcnemar_test(10, 0, 0, 4)
    assert test.p_value is None and test.statistic is None


@pytest.mark.parametrize("better, worse, expected", [
    (8, 1, 20 / 512),   # 2 * P(X <= 1 | n = 9, 1/2) = 2 * 10 / 512
    (1, 8, 20 / 512),
    (5, 5, 1.0),
    (3, 0, 0.25),       # 2 * (1/2)^3
    (0, 0, None),       # only ties: nothing to test
])
def test_sign_test(better, worse, expected):
    assert sign_test(better, worse) == (pytest.approx(expected) if expected is not None else None)


def test_kappa_of_the_textbook_example():
    # 20 both yes, 5 and 10 split, 15 both no: observed 0.70, chance 0.50, kappa 0.40.
    assert cohens_kappa(np.array([[20.0, 5.0], [10.0, 15.0]])).value == pytest.approx(0.4)


def test_the_kappa_paradox_of_the_design_notes():
    # 20 cases, 18 both met and 2 split: 90% raw agreement, kappa about -0.05, AC1 about 0.89.
    table = np.array([[18.0, 1.0], [1.0, 0.0]])
    assert cohens_kappa(table).value == pytest.approx(-0.0526, abs=1e-4)
    assert gwet_ac1(table).value == pytest.approx(0.8895, abs=1e-4)


def test_linearly_weighted_kappa_of_a_hand_worked_grade_table():
    # weights 1, 1/2, 0; observed weighted agreement 10/12, chance 5/9: (5/6 - 5/9) / (4/9) = 0.625.
    table = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 3.0]])
    assert cohens_kappa(table, weighted=True).value == pytest.approx(0.625)


# --- results files -------------------------------------------------------------------------------

def results_file(path: Path, cases: list[tuple[str, dict[str, str], str | None]], *,
                 fingerprints: dict[str, str] | None = None, inspection: str = "testshire-2019") -> Path:
    """A consistent thematic.results/1 file: (case id, criterion -> state, assessor grade) per case."""
    criteria = list(fingerprints or cases[0][1])
    prints = fingerprints or {c: f"sha256:{c}" for c in criteria}
    results = [CaseResult(cid, "testshire", "neglect", {c: CriterionResult(s, "") for c, s in states.items()},
                          "requires_improvement", False, grade) for cid, states, grade in cases]
    document = {
        "format": "thematic.results/1",
        "inspection": {"id": inspection, "force": "testshire", "year": 2019, "as_of": "2019-11-30"},
        "criteria": {"id": "test-set", "version": "1", "fingerprints": prints},
        "parameters": {},
        "cases": [r.to_json() for r in results],
        "summary": summarise(results, [(c, "theme") for c in criteria]),
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def paired(pattern: list[tuple[str, str, int]]) -> tuple[list[str], list[str]]:
    """Force and inspector states from (force state, inspector state, how many cases)."""
    force, inspectors = [], []
    for ours, theirs, n in pattern:
        force += [ours] * n
        inspectors += [theirs] * n
    return force, inspectors


@pytest.fixture
def audit(tmp_path):
    """50 cases in both files (plus one only in each); criterion A is the kappa textbook table with the
    force the less favourable side (5 against 10), B has the force calling 9 cases met that the
    inspectors do not (against 1), and the grade has the force better in 8 cases, worse in 1."""
    a_force, a_insp = paired([("met", "met", 20), ("met", "not_met", 5), ("not_met", "met", 10),
                              ("not_evidenced", "not_met", 15)])
    b_force, b_insp = paired([("met", "met", 30), ("met", "not_evidenced", 9), ("not_met", "met", 1),
                              ("not_met", "not_met", 5), ("not_applicable", "met", 3), ("met", "pending", 2)])
    grades_force = ["good"] * 8 + ["inadequate"] + ["requires_improvement"] * 31 + [None] * 10
    grades_insp = (["requires_improvement"] * 8 + ["requires_improvement"] + ["requires_improvement"] * 31
                   + ["good"] * 10)
    ids = [f"T-{i:03d}" for i in range(1, 51)]
    force = [(cid, {"A": a_force[i], "B": b_force[i], "C": "met"}, grades_force[i]) for i, cid in enumerate(ids)]
    inspectors = [(cid, {"A": a_insp[i], "B": b_insp[i], "C": "met"}, grades_insp[i]) for i, cid in enumerate(ids)]
    force.append(("T-900", {"A": "met", "B": "met", "C": "met"}, "good"))
    inspectors.insert(0, ("T-901", {"A": "met", "B": "met", "C": "met"}, "good"))
    return (results_file(tmp_path / "force.json", force, inspection="testshire-self-2019"),
            results_file(tmp_path / "inspectors.json", inspectors,
                         fingerprints={"A": "sha256:A", "B": "sha256:B", "C": "sha256:other"}))


def test_cases_are_matched_by_id_and_those_in_one_file_only_listed(audit):
    comparison = compare_assessors(*load_case_states_files(audit))
    assert comparison.cases_in_both == 50
    assert comparison.only_force == ("T-900",) and comparison.only_inspectors == ("T-901",)


def test_a_criterion_whose_fingerprints_differ_is_not_compared(audit):
    comparison = compare_assessors(*load_case_states_files(audit))
    assert [c.criterion for c in comparison.criteria] == ["A", "B"]
    assert [(n.item, n.reason.split(":")[0]) for n in comparison.not_compared] == [("C", "fingerprints differ")]


def test_agreement_and_direction_per_criterion(audit):
    a, b = compare_assessors(*load_case_states_files(audit)).criteria
    assert (a.paired, a.agreed, a.raw_agreement) == (50, 35, 0.7)
    assert a.kappa.value == pytest.approx(0.4)
    assert (a.test.force_only, a.test.inspectors_only) == (5, 10)
    assert a.test.exact and a.test.p_value == pytest.approx(binomtest(5, 15, 0.5).pvalue)
    assert a.direction == "force less favourable"
    # Only cases both sides assessed are paired: not applicable and pending leave 5 out of B.
    assert (b.paired, b.not_paired, b.agreed) == (45, 5, 35)
    assert (b.test.force_only, b.test.inspectors_only) == (9, 1)
    assert (b.force_met, b.inspectors_met) == (39, 31)


def test_p_values_are_holm_adjusted_across_criteria_before_a_bias_is_named(audit):
    a, b = compare_assessors(*load_case_states_files(audit)).criteria
    p_a, p_b = a.test.p_value, b.test.p_value
    assert p_b == pytest.approx(22 / 1024)
    # Holm: the smaller p times 2, the larger times 1 (but never below the first).
    assert b.p_adjusted == pytest.approx(2 * p_b)
    assert a.p_adjusted == pytest.approx(max(p_a, 2 * p_b))
    assert b.verdict == MORE_BIAS          # 0.043 < 0.05
    assert a.verdict == NO_BIAS            # 0.30: the sample cannot tell


def test_the_grade_better_same_worse_and_sign_test(audit):
    grade = compare_assessors(*load_case_states_files(audit)).grade
    assert (grade.paired, grade.not_paired) == (40, 10)   # the force graded 40 of the 50
    assert (grade.force_better, grade.same, grade.force_worse) == (8, 31, 1)
    assert grade.p_value == pytest.approx(20 / 512)
    assert grade.verdict == MORE_BIAS
    assert grade.table == ((0, 8, 0), (0, 31, 0), (0, 1, 0))


def test_the_suggested_grade_can_be_compared_instead(audit):
    grade = compare_assessors(*load_case_states_files(audit), grade_source="suggested").grade
    assert (grade.paired, grade.same, grade.verdict) == (50, 50, NO_BIAS)


def test_a_force_less_favourable_than_the_inspectors_is_named_so(tmp_path):
    force = [(f"T-{i}", {"A": "not_met" if i < 12 else "met"}, "inadequate") for i in range(20)]
    inspectors = [(f"T-{i}", {"A": "met"}, "good") for i in range(20)]
    comparison = compare_assessors(*load_case_states_files(
        [results_file(tmp_path / "f.json", force), results_file(tmp_path / "i.json", inspectors)]))
    assert comparison.criteria[0].verdict == LESS_BIAS
    assert comparison.grade.verdict == LESS_BIAS and comparison.grade.force_worse == 20


def test_files_without_a_case_in_common_are_an_error(tmp_path):
    force = results_file(tmp_path / "f.json", [("A-1", {"X": "met"}, None)])
    inspectors = results_file(tmp_path / "i.json", [("B-1", {"X": "met"}, None)])
    with pytest.raises(InputError, match="no case id appears both"):
        compare_assessors(*load_case_states_files([force, inspectors]))


def test_a_bad_state_in_a_case_is_reported_with_its_line(tmp_path):
    path = results_file(tmp_path / "f.json", [("A-1", {"X": "met"}, None)])
    text = json.dumps(json.loads(path.read_text()), indent=2).replace('"state": "met"', '"state": "mett"')
    path.write_text(text, encoding="utf-8")
    other = results_file(tmp_path / "i.json", [("A-1", {"X": "met"}, None)])
    with pytest.raises(InputError) as caught:
        compare_assessors(*load_case_states_files([path, other]))
    problem = caught.value.problems[0]
    assert problem.field == "cases[0].results.X.state" and problem.message.startswith('"mett" is not one of met')
    assert problem.line == text.splitlines().index('          "state": "mett",') + 1


def test_the_command_prints_the_table_and_writes_the_json(audit, tmp_path, capsys):
    out = tmp_path / "comparison.json"
    code = main(["compare-assessors", str(audit[0]), str(audit[1]), "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Self-assessment (testshire-self-2019) against inspection (testshire-2019): 50 case(s) in both" in printed
    assert "force more favourable (significant)" in printed
    assert "the force grades better in 8, the same in 31, worse in 1" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == ASSESSOR_COMPARISON_FORMAT
    assert document == json.loads(json.dumps(compare_assessors(*load_case_states_files(audit)).to_json()))
    assert document["criteria"][1]["test"] == {"force_only": 9, "inspectors_only": 1, "statistic": 1.0,
                                               "p_value": pytest.approx(22 / 1024), "exact": True}


def test_the_command_exits_2_on_a_file_that_is_not_results(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something/1"}', encoding="utf-8")
    code = main(["compare-assessors", str(bad), str(bad)])
    assert code == 2 and "is not a results file format" in capsys.readouterr().err


def test_kappa_bounds_beyond_1_are_clipped_in_the_comparison_json(tmp_path):
    # 7 cases: 3 met by both, 1 met by the inspectors only, 3 met by neither. statsmodels' kappa
    # interval (0.72 +/- 1.96 se) ends at 1.21; the comparison says 1.0 and keeps the lower bound.
    # The grades give the same table, on three grades, for the weighted kappa.
    states = paired([("met", "met", 3), ("not_met", "met", 1), ("not_met", "not_met", 3)])
    grades = paired([("good", "good", 3), ("requires_improvement", "good", 1),
                     ("requires_improvement", "requires_improvement", 1), ("inadequate", "inadequate", 2)])
    files = [results_file(tmp_path / f"{side}.json",
                          [(f"T-{i}", {"A": states[k][i]}, grades[k][i]) for i in range(7)],
                          inspection=f"testshire-{side}-2019") for k, side in enumerate(("force", "insp"))]
    out = tmp_path / "comparison.json"
    assert main(["compare-assessors", str(files[0]), str(files[1]), "-o", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    table = np.array([[3.0, 0.0], [1.0, 3.0]])
    grade_table = np.array([[3.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert sm_kappa(table).kappa_upp > 1.2 and sm_kappa(grade_table, wt="linear").kappa_upp > 1.1
    kappa = document["criteria"][0]["kappa"]
    assert (kappa["ci_low"], kappa["ci_high"]) == (sm_kappa(table).kappa_low, 1.0)
    assert document["grade"]["table"] == grade_table.astype(int).tolist()
    weighted = document["grade"]["weighted_kappa"]
    assert (weighted["ci_low"], weighted["ci_high"]) == (sm_kappa(grade_table, wt="linear").kappa_low, 1.0)
    for coefficient in (kappa, document["grade"]["kappa"], weighted, document["criteria"][0]["gwet_ac1"]):
        assert -1.0 <= coefficient["ci_low"] <= coefficient["value"] <= coefficient["ci_high"] <= 1.0
