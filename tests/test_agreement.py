"""Agreement between inspectors: checked against published worked examples and the libraries.

Published figures used here:
- design.md: 20 cases, 18 agreed "met", 2 split (one each way): 90% agreement, Cohen's kappa about
  -0.05, Gwet's AC1 about 0.89 (the kappa paradox).
- Gwet's irrCAC package overview (the cont3x3abstractors table, 100 pregnancies classified by two
  abstractors): Cohen's kappa 0.7964094 (se 0.05891072); Gwet's AC1 0.8493305 (se 0.04321747,
  95% interval 0.764 to 0.935); Krippendorff's alpha 0.7972585; percent agreement 0.89.
- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers x 12 units
  example with missing values: nominal alpha 0.743, ordinal 0.815.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.proportion import proportion_confint
from workbook_support import CRITERIA, minimal_cases, write_inspection, write_judgements, write_moderation

from thematic.cli import main
from thematic.load.sample import load_sample
from thematic.render.agreement_text import agreement_text
from thematic.scoring.prepare import load_inspection
from thematic.stats.agreement import (
    agreement_from_sample,
    cohens_kappa,
    contingency,
    gwet_ac1,
    item_agreement,
    krippendorff_alpha,
)

ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]], dtype=float)


def worked_example_units(first: str = "met", second: str = "not_met") -> list[dict[str, str]]:
    """design.md: 18 cases both inspectors say met; one split each way."""
    return ([{"insp-a": first, "insp-b": first}] * 18
            + [{"insp-a": first, "insp-b": second}, {"insp-a": second, "insp-b": first}])


def units_from_table(table: np.ndarray, categories: list[str]) -> list[dict[str, str]]:
    return [{"r1": categories[i], "r2": categories[j]}
            for i in range(len(categories)) for j in range(len(categories)) for _ in range(int(table[i, j]))]


# --- the design.md worked example ----------------------------------------------------------------

def test_design_worked_example_gives_90_percent_kappa_minus_005_and_ac1_089():
    result = item_agreement("X-01", "q", ["met", "not_met"], worked_example_units())
    assert result.cases_double_scored == 20 and result.agreed == 18
    assert result.raw_agreement == pytest.approx(0.9)
    # kappa = (0.9 - 0.905) / (1 - 0.905): both inspectors say met in 19 of 20 cases.
    assert result.cohens_kappa.value == pytest.approx(-0.005 / 0.095, abs=1e-12)
    assert round(result.cohens_kappa.value, 2) == -0.05
    # AC1 = (0.9 - 0.095) / (1 - 0.095), chance agreement 2 x 0.95 x 0.05 / (2 - 1).
    assert result.gwet_ac1.value == pytest.approx(0.805 / 0.905, abs=1e-12)
    assert round(result.gwet_ac1.value, 2) == 0.89
    # Krippendorff's alpha = 1 - observed / expected disagreement: 40 values, 38 met and 2 not met;
    # observed 4 mismatched ordered pairs of 40 values, expected 2 * 38 * 2 / (40 * 39).
    assert result.krippendorff_alpha.value == pytest.approx(1 - (4 / 40) / (2 * 38 * 2 / (40 * 39)), abs=1e-12)
    low, high = proportion_confint(18, 20, method="wilson")
    assert (result.raw_ci_low, result.raw_ci_high) == pytest.approx((low, high))


def test_chance_agreement_counts_every_answer_the_question_offers():
    # Same answers, but the question offers three (yes, no, n/a): AC1's chance term is halved.
    result = item_agreement("INF-02", "q", ["yes", "no", "n/a"], worked_example_units("yes", "no"))
    pe = (0.95 * 0.05 + 0.05 * 0.95 + 0.0) / (3 - 1)
    assert result.gwet_ac1.value == pytest.approx((0.9 - pe) / (1 - pe), abs=1e-12)
    assert result.cohens_kappa.value == pytest.approx(-0.005 / 0.095, abs=1e-12)  # kappa ignores unused answers


def test_design_worked_example_end_to_end_from_judgements_files(tmp_path):
    # A criteria set whose INF-02 offers two answers, so the example's two categories are the only ones.
    criteria = yaml.safe_load(CRITERIA.read_text())
    for criterion in criteria["criteria"]:
        if criterion["id"] == "INF-02":
            criterion["answers"] = {"yes": "met", "no": "not_met"}
    (tmp_path / "criteria.yaml").write_text(yaml.safe_dump(criteria, sort_keys=False))
    minimal_cases(tmp_path / "cases", 20)
    write_inspection(tmp_path, force="testshire", inspection="testshire-2019", criteria=tmp_path / "criteria.yaml")
    answers = {"insp-a": {f"T-{i:03d}": "yes" for i in range(1, 21)},
               "insp-b": {f"T-{i:03d}": "yes" for i in range(1, 21)}}
    answers["insp-a"]["T-019"] = "no"
    answers["insp-b"]["T-020"] = "no"
    for inspector, given in answers.items():
        write_judgements(tmp_path / "judgements" / f"{inspector}.yaml", inspector,
                         {case: {"judgements": {"INF-02": {"answer": a}}} for case, a in given.items()},
                         inspection="testshire-2019")
    agreement = agreement_from_sample(load_sample(load_inspection(tmp_path / "inspection.yaml")))
    item = next(i for i in agreement.items if i.item == "INF-02")
    assert (item.cases_double_scored, item.agreed, item.raw_agreement) == (20, 18, 0.9)
    assert round(item.cohens_kappa.value, 2) == -0.05 and round(item.gwet_ac1.value, 2) == 0.89
    assert [(d.case_id, d.answers) for d in agreement.moderation] == [
        ("T-019", {"insp-a": "no", "insp-b": "yes"}), ("T-020", {"insp-a": "yes", "insp-b": "no"})]


# --- a second published example, and the libraries ---------------------------------------------

def test_gwet_ac1_matches_gwets_published_abstractors_example():
    result = gwet_ac1(ABSTRACTORS)
    assert result.value == pytest.approx(0.8493305, abs=5e-8)
    assert result.std_error == pytest.approx(0.04321747, abs=5e-9)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.764, 0.935)


def test_cohens_kappa_matches_the_published_example_and_statsmodels():
    result = cohens_kappa(ABSTRACTORS)
    assert result.value == pytest.approx(0.7964094, abs=5e-8)
    assert result.std_error == pytest.approx(0.05891072, abs=5e-9)
    direct = sm_kappa(ABSTRACTORS)
    assert (result.ci_low, result.ci_high) == pytest.approx((direct.kappa_low, direct.kappa_upp))
    assert result.ci_low == pytest.approx(result.value - 1.959964 * result.std_error, abs=1e-6)


def test_linearly_weighted_kappa_follows_cohens_1968_definition():
    # kappa_w = 1 - sum(v * observed) / sum(v * expected), disagreement weights v_ij = |i - j|.
    table = np.array([[10, 4, 1], [3, 12, 5], [0, 2, 9]], dtype=float)
    p = table / table.sum()
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    v = np.abs(np.subtract.outer(np.arange(3), np.arange(3)))
    assert cohens_kappa(table, weighted=True).value == pytest.approx(1 - (v * p).sum() / (v * expected).sum(),
                                                                     abs=1e-12)
    assert cohens_kappa(table, weighted=True).value != pytest.approx(cohens_kappa(table).value)


def test_krippendorffs_alpha_matches_the_published_abstractors_figure():
    units = units_from_table(ABSTRACTORS, ["ectopic", "aiu", "niu"])
    assert krippendorff_alpha(units, ["ectopic", "aiu", "niu"]).value == pytest.approx(0.7972585, abs=5e-8)


@pytest.mark.parametrize("ordinal, published", [(False, 0.743), (True, 0.815)])
def test_krippendorffs_alpha_matches_krippendorffs_own_example_with_missing_values(ordinal, published):
    observers = {
        "A": "1 2 3 3 2 1 4 1 2 . . .",
        "B": "1 2 3 3 2 2 4 1 2 5 . 3",
        "C": ". 3 3 3 2 3 4 2 2 5 1 .",
        "D": "1 2 3 3 2 4 4 1 2 5 1 .",
    }
    units = [{who: values.split()[u] for who, values in observers.items() if values.split()[u] != "."}
             for u in range(12)]
    result = krippendorff_alpha(units, ["1", "2", "3", "4", "5"], ordinal=ordinal)
    assert round(result.value, 3) == published


def test_raw_agreement_and_contingency_follow_the_first_two_inspectors_by_reference():
    units = [{"insp-b": "yes", "insp-a": "no", "insp-c": "no"}, {"insp-a": "yes", "insp-c": "yes"}]
    result = item_agreement("X", "q", ["yes", "no"], units)
    assert contingency([("no", "yes"), ("yes", "yes")], ["yes", "no"]).tolist() == [[1, 0], [1, 0]]
    assert (result.cases_double_scored, result.cases_more_than_two, result.agreed) == (2, 1, 1)


# --- boundaries ----------------------------------------------------------------------------------

def test_no_double_scored_case_gives_counts_of_zero_and_no_coefficients():
    result = item_agreement("X", "q", ["yes", "no"], [{"insp-a": "yes"}])
    assert (result.cases_double_scored, result.raw_agreement) == (0, None)
    for coefficient in (result.cohens_kappa, result.krippendorff_alpha, result.gwet_ac1):
        assert coefficient.value is None and coefficient.note == "no case scored by two inspectors"


def test_perfect_agreement_on_one_answer_leaves_kappa_and_alpha_undefined_but_not_ac1():
    result = item_agreement("X", "q", ["yes", "no"], [{"insp-a": "yes", "insp-b": "yes"}] * 5)
    assert result.raw_agreement == 1.0
    assert result.cohens_kappa.value is None and "undefined" in result.cohens_kappa.note
    assert result.krippendorff_alpha.value is None and "undefined" in result.krippendorff_alpha.note
    assert result.gwet_ac1.value == 1.0 and result.gwet_ac1.ci_low is None  # no spread: no honest interval


def test_one_double_scored_case_has_coefficients_but_no_interval():
    result = item_agreement("X", "q", ["yes", "no"], [{"insp-a": "yes", "insp-b": "no"}])
    assert result.gwet_ac1.value is not None and result.gwet_ac1.ci_low is None
    assert result.cohens_kappa.ci_low is None


def test_grade_uses_linear_weights_and_ordinal_alpha():
    units = [{"a": "good", "b": "good"}, {"a": "good", "b": "requires_improvement"}, {"a": "inadequate", "b": "good"},
             {"a": "inadequate", "b": "inadequate"}, {"a": "requires_improvement", "b": "requires_improvement"}]
    grades = ["good", "requires_improvement", "inadequate"]
    result = item_agreement("grade", "Overall grade", grades, units, ordered=True)
    table = contingency([(u["a"], u["b"]) for u in units], grades)
    assert result.cohens_kappa.value == pytest.approx(sm_kappa(table, wt="linear").kappa)
    assert result.krippendorff_alpha.value == pytest.approx(krippendorff_alpha(units, grades, ordinal=True).value)
    assert result.krippendorff_alpha.value != pytest.approx(krippendorff_alpha(units, grades).value)
    document = result.to_json()
    assert document["cohens_kappa"]["weights"] == "linear" and document["krippendorff_alpha"]["level"] == "ordinal"


# --- an inspection: the moderation list, JSON and the command --------------------------------------

@pytest.fixture
def double_scored(tmp_path: Path) -> Path:
    minimal_cases(tmp_path / "cases", 4)
    write_inspection(tmp_path, force="testshire", inspection="testshire-2019")
    write_judgements(tmp_path / "judgements" / "a.yaml", "insp-a", {
        "T-001": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "good"}},
        "T-002": {"judgements": {"INF-02": {"answer": "no", "note": "Nothing recorded."}},
                  "grade": {"value": "inadequate", "referred_back": True}},
        "T-003": {"judgements": {"INF-02": {"answer": "yes"}}},
    }, inspection="testshire-2019")
    write_judgements(tmp_path / "judgements" / "b.yaml", "insp-b", {
        "T-001": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "good"}},
        "T-002": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "inadequate"}},
        "T-003": {"judgements": {"INF-02": {"answer": "n/a"}}},
    }, inspection="testshire-2019")
    write_moderation(tmp_path / "judgements" / "moderation.yaml", {
        "T-002": {"judgements": {"INF-02": {"answer": "no", "by": "insp-c", "reason": "No decision on file."}}},
    }, inspection="testshire-2019")
    return tmp_path / "inspection.yaml"


def test_moderation_list_holds_every_disagreement_with_its_status(double_scored):
    agreement = agreement_from_sample(load_sample(load_inspection(double_scored)))
    listed = [(d.case_id, d.item, d.answers, d.moderated and d.moderated["answer"]) for d in agreement.moderation]
    assert listed == [
        ("T-002", "INF-02", {"insp-a": "no", "insp-b": "yes"}, "no"),
        ("T-002", "referred_back", {"insp-a": "yes", "insp-b": "no"}, None),
        ("T-003", "INF-02", {"insp-a": "yes", "insp-b": "n/a"}, None),
    ]
    first = agreement.moderation[0]
    assert first.notes == {"insp-a": "Nothing recorded."}
    assert first.moderated["by"] == "insp-c" and first.moderated["reason"] == "No decision on file."
    assert agreement.open_disagreements == 2
    inf = next(i for i in agreement.items if i.item == "INF-02")
    grade = next(i for i in agreement.items if i.item == "grade")
    # Moderation does not change agreement: it is measured on the inspectors' own answers.
    assert (inf.cases_double_scored, inf.agreed, grade.cases_double_scored, grade.agreed) == (3, 1, 2, 2)
    assert [i.item for i in agreement.items] == ["SUP-04", "CRM-06", "RISK-05", "INF-02", "grade"]


def test_agreement_command_prints_a_table_and_writes_json(double_scored, capsys, tmp_path):
    target = tmp_path / "agreement.json"
    assert main(["agreement", str(double_scored), "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert "testshire-2019: agreement between inspectors (insp-a, insp-b)" in out
    assert 'T-002 INF-02: insp-a "no", insp-b "yes"; moderated: "no" by insp-c (No decision on file.)' in out
    assert 'T-003 INF-02: insp-a "yes", insp-b "n/a"; open' in out
    document = json.loads(target.read_text())
    assert document["format"] == "thematic.agreement/1"
    inf = next(i for i in document["items"] if i["item"] == "INF-02")
    assert inf["cases_double_scored"] == 3 and inf["raw_agreement"] == pytest.approx(1 / 3)
    assert set(inf["gwet_ac1"]) == {"value", "ci_low", "ci_high", "std_error", "note"}
    assert document["open_disagreements"] == 2
    assert agreement_text(agreement_from_sample(load_sample(load_inspection(double_scored)))) in out


def test_agreement_json_has_no_nan_or_infinity(double_scored):
    text = json.dumps(agreement_from_sample(load_sample(load_inspection(double_scored))).to_json(), allow_nan=False)
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in json.loads(text)["items"][0].values())


# --- intervals stay within the coefficient's range ------------------------------------------------
# statsmodels' kappa interval is kappa +/- 1.96 se (normal approximation): on a few cases it runs past
# 1 or below -1, which no table can give. The bounds are clipped to [-1, 1]; a bound inside is kept.

NEAR_PERFECT = np.array([[3, 0], [1, 3]], dtype=float)  # 7 cases, 6 agreed: kappa 0.72, upper 1.21
MOSTLY_SPLIT = np.array([[0, 1], [1, 1]], dtype=float)  # 3 cases, 1 agreed: kappa -0.5, lower -1.10
NEAR_PERFECT_GRADES = np.array([[3, 0, 0], [1, 1, 0], [0, 0, 2]], dtype=float)  # weighted 0.84, upper 1.14


def test_kappa_upper_bound_beyond_1_is_clipped_to_1_and_the_lower_bound_kept():
    direct = sm_kappa(NEAR_PERFECT)
    assert direct.kappa_upp > 1.2  # the table does what this test needs
    result = cohens_kappa(NEAR_PERFECT)
    assert result.ci_high == 1.0
    assert result.ci_low == direct.kappa_low and -1 < result.ci_low < result.value
    assert (result.value, result.std_error) == (direct.kappa, direct.std_kappa)


def test_kappa_lower_bound_below_minus_1_is_clipped_to_minus_1_and_the_upper_bound_kept():
    direct = sm_kappa(MOSTLY_SPLIT)
    assert direct.kappa_low < -1.1
    result = cohens_kappa(MOSTLY_SPLIT)
    assert result.ci_low == -1.0
    assert result.ci_high == direct.kappa_upp and result.value == pytest.approx(-0.5)


def test_weighted_kappa_upper_bound_beyond_1_is_clipped_to_1():
    direct = sm_kappa(NEAR_PERFECT_GRADES, wt="linear")
    assert direct.kappa_upp > 1.1
    result = cohens_kappa(NEAR_PERFECT_GRADES, weighted=True)
    assert (result.ci_low, result.ci_high) == (direct.kappa_low, 1.0)


def test_kappa_bounds_inside_the_range_are_statsmodels_own():
    direct = sm_kappa(ABSTRACTORS)
    assert cohens_kappa(ABSTRACTORS).ci_low == direct.kappa_low
    assert cohens_kappa(ABSTRACTORS).ci_high == direct.kappa_upp < 1


def test_ac1_upper_bound_beyond_1_is_clipped_to_1():
    # The paradox table: AC1 0.89, se 0.081, t(19) 2.09: the unclipped upper bound is 1.06.
    table = np.array([[18, 1], [1, 0]], dtype=float)
    result = gwet_ac1(table)
    assert result.value + 2.093 * result.std_error > 1.05
    assert result.ci_high == 1.0 and result.ci_low == pytest.approx(result.value - 2.0930240 * result.std_error)


@pytest.mark.parametrize("table", [NEAR_PERFECT, MOSTLY_SPLIT, NEAR_PERFECT_GRADES, ABSTRACTORS])
def test_every_interval_lies_within_minus_1_to_1(table):
    for coefficient in (cohens_kappa(table), cohens_kappa(table, weighted=True), gwet_ac1(table)):
        assert -1.0 <= coefficient.ci_low <= coefficient.value <= coefficient.ci_high <= 1.0


def test_agreement_json_clips_a_kappa_bound_beyond_1(tmp_path):
    # Through the command: 7 cases, INF-02 (yes/no) 3 yes/yes, 1 no/yes and 3 no/no; grades the
    # NEAR_PERFECT_GRADES table. The agreement JSON `thematic agreement -o` writes has both upper bounds at 1.
    criteria = yaml.safe_load(CRITERIA.read_text())
    for criterion in criteria["criteria"]:
        if criterion["id"] == "INF-02":
            criterion["answers"] = {"yes": "met", "no": "not_met"}
    (tmp_path / "criteria.yaml").write_text(yaml.safe_dump(criteria, sort_keys=False))
    minimal_cases(tmp_path / "cases", 7)
    write_inspection(tmp_path, force="testshire", inspection="testshire-2019", criteria=tmp_path / "criteria.yaml")
    pairs = [("yes", "yes")] * 3 + [("no", "yes")] + [("no", "no")] * 3
    g, ri, inad = "good", "requires_improvement", "inadequate"
    grades = [(g, g)] * 3 + [(ri, g), (ri, ri), (inad, inad), (inad, inad)]
    for side, inspector in enumerate(("insp-a", "insp-b")):
        write_judgements(tmp_path / "judgements" / f"{inspector}.yaml", inspector,
                         {f"T-{i:03d}": {"judgements": {"INF-02": {"answer": pairs[i - 1][side]}},
                                         "grade": {"value": grades[i - 1][side]}} for i in range(1, 8)},
                         inspection="testshire-2019")
    target = tmp_path / "agreement.json"
    assert main(["agreement", str(tmp_path / "inspection.yaml"), "-o", str(target)]) == 0
    items = {i["item"]: i for i in json.loads(target.read_text())["items"]}
    kappa, grade_kappa = items["INF-02"]["cohens_kappa"], items["grade"]["cohens_kappa"]
    assert (kappa["ci_low"], kappa["ci_high"]) == (sm_kappa(NEAR_PERFECT).kappa_low, 1.0)
    assert kappa["value"] == pytest.approx(0.72)
    assert grade_kappa["weights"] == "linear"
    assert (grade_kappa["ci_low"], grade_kappa["ci_high"]) == (sm_kappa(NEAR_PERFECT_GRADES, wt="linear").kappa_low,
                                                               1.0)
    for item in items.values():
        for name in ("cohens_kappa", "gwet_ac1"):
            assert all(-1.0 <= item[name][end] <= 1.0 for end in ("ci_low", "ci_high") if item[name][end] is not None)
