"""Judgements and moderation files: checked like case files (file:line), merged into the cases for
scoring (agreed, moderated, or pending while inspectors disagree), originals kept."""
from __future__ import annotations

from pathlib import Path

import pytest
from workbook_support import minimal_cases, write_inspection, write_judgements, write_moderation

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

J = "judgements/{}.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three minimal cases of a fictional force; judgements files go in judgements/."""
    minimal_cases(tmp_path / "cases", 3)
    write_inspection(tmp_path, force="testshire", inspection="testshire-2019")
    return tmp_path


def judgements(folder: Path, inspector: str, cases: dict) -> Path:
    return write_judgements(folder / J.format(inspector), inspector, cases, inspection="testshire-2019")


def moderation(folder: Path, cases: dict) -> Path:
    return write_moderation(folder / J.format("moderation"), cases, inspection="testshire-2019")


def score(folder: Path) -> dict[str, dict]:
    document = inspection_results(load_inspection(folder / "inspection.yaml")).to_json()
    return {case["case_id"]: case for case in document["cases"]}


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        inspection_results(load_inspection(folder / "inspection.yaml"))
    return [str(p) for p in caught.value.problems]


def test_one_inspectors_answer_and_grade_are_scored(folder):
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "no", "note": "Not recorded."}},
                                            "grade": {"value": "inadequate", "referred_back": True}}})
    case = score(folder)["T-001"]
    assert case["results"]["INF-02"] == {"state": "not_met", "evidence": 'answer "no" by insp-a: Not recorded.'}
    assert (case["grade"], case["referred_back"]) == ("inadequate", True)
    assert score(folder)["T-002"]["results"]["INF-02"]["state"] == "pending"


def test_inspectors_who_agree_are_both_named(folder):
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "good"}}})
    judgements(folder, "insp-b", {"T-001": {"judgements": {"INF-02": {"answer": "yes", "note": "Clear."}},
                                            "grade": {"value": "good", "referred_back": True}}})
    case = score(folder)["T-001"]
    assert case["results"]["INF-02"] == {"state": "met", "evidence": 'answer "yes" by insp-a, insp-b: insp-b: Clear.'}
    # Same grade; one referred the case back, so it stays referred back (the child may be at risk).
    assert (case["grade"], case["referred_back"]) == ("good", True)


def test_a_disagreement_stays_pending_until_moderated_and_says_why(folder):
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "good"}}})
    judgements(folder, "insp-b", {"T-001": {"judgements": {"INF-02": {"answer": "no"}},
                                            "grade": {"value": "inadequate", "referred_back": True}}})
    case = score(folder)["T-001"]
    assert case["results"]["INF-02"] == {
        "state": "pending", "evidence": 'inspectors disagree (insp-a "yes", insp-b "no"); awaiting moderation'}
    assert case["grade"] is None and case["referred_back"] is True
    assert ('grade: inspectors disagree (insp-a "good", insp-b "inadequate"); no inspector grade until moderated'
            in case["data_quality"])


def test_the_moderated_answer_is_scored_with_who_decided_why_and_the_originals(folder):
    a = judgements(folder, "insp-a",
                   {"T-001": {"judgements": {"INF-02": {"answer": "yes"}}, "grade": {"value": "good"}}})
    b = judgements(folder, "insp-b", {"T-001": {"judgements": {"INF-02": {"answer": "no"}},
                                                "grade": {"value": "inadequate", "referred_back": True}}})
    originals = a.read_text(), b.read_text()
    moderation(folder, {"T-001": {
        "judgements": {"INF-02": {"answer": "no", "by": "insp-c", "reason": "The decision was not recorded."}},
        "grade": {"value": "requires_improvement", "referred_back": False, "by": "insp-c",
                  "reason": "Agreed at panel."}}})
    case = score(folder)["T-001"]
    assert case["results"]["INF-02"] == {
        "state": "not_met",
        "evidence": 'answer "no" by insp-c: moderated (insp-a "yes", insp-b "no"): The decision was not recorded.'}
    assert (case["grade"], case["referred_back"]) == ("requires_improvement", False)
    assert (a.read_text(), b.read_text()) == originals


def test_an_inspectors_judgements_file_supersedes_their_answer_in_the_case_file(folder):
    cases = (folder / "cases" / "cases.jsonl").read_text().splitlines()
    cases[0] = cases[0][:-1] + ', "judgements": {"INF-02": {"answer": "yes", "by": "insp-a"}}}'
    (folder / "cases" / "cases.jsonl").write_text("\n".join(cases) + "\n")
    assert score(folder)["T-001"]["results"]["INF-02"]["state"] == "met"  # case-file answers work as before
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "no"}}}})
    assert score(folder)["T-001"]["results"]["INF-02"] == {"state": "not_met", "evidence": 'answer "no" by insp-a'}
    judgements(folder, "insp-b", {"T-001": {"judgements": {"INF-02": {"answer": "yes"}}}})
    assert score(folder)["T-001"]["results"]["INF-02"]["state"] == "pending"  # insp-a "no", insp-b "yes"


@pytest.mark.parametrize("entry, line, field, message", [
    ({"INF-02": {"answer": "maybe"}}, 8, "cases.T-001.judgements.INF-02.answer", '"maybe" is not one of yes, no, n/a'),
    ({"INF-09": {"answer": "yes"}}, 7, "cases.T-001.judgements.INF-09",
     "unknown criterion 'INF-09'; judgement criteria are: SUP-04, CRM-06, RISK-05, INF-02"),
    ({"TIM-01": {"answer": "yes"}}, 7, "cases.T-001.judgements.TIM-01",
     "TIM-01 is an automatic criterion; only judgement criteria take answers (SUP-04, CRM-06, RISK-05, INF-02)"),
])
def test_answers_in_judgements_files_are_checked_like_case_files_with_file_and_line(folder, entry, line, field,
                                                                                    message):
    path = judgements(folder, "insp-a", {"T-001": {"judgements": entry}})
    assert problems(folder) == [f"{path}:{line}: {field}: {message}"]


@pytest.mark.parametrize("document, expected", [
    ({"format": "thematic.judgements/1", "inspection": "testshire-2019", "inspector": "insp-a",
      "cases": {"T-009": {"grade": {"value": "good"}}}},
     "{path}:5: cases.T-009: case \"T-009\" is not in the inspection's sample"),
    ({"format": "thematic.judgements/1", "inspection": "other-2019", "inspector": "insp-a", "cases": {}},
     '{path}:2: inspection: "other-2019" is not this inspection; expected "testshire-2019"'),
    ({"format": "thematic.judgements/2", "inspection": "testshire-2019", "inspector": "insp-a", "cases": {}},
     '{path}:1: format: "thematic.judgements/2" is not one of thematic.judgements/1, thematic.moderation/1'),
    ({"format": "thematic.judgements/1", "inspection": "testshire-2019", "inspector": "Inspector A", "cases": {}},
     "{path}:3: inspector: expected an inspector's reference such as insp-a"),
    # A trailing newline would end up in a file name; `$` alone let it through.
    ({"format": "thematic.judgements/1", "inspection": "testshire-2019", "inspector": "insp-a\n", "cases": {}},
     "{path}:3: inspector: expected an inspector's reference such as insp-a"),
    ({"format": "thematic.judgements/1", "inspection": "testshire-2019", "inspector": "insp-a",
      "cases": {"T-001": {"grade": {"value": "excellent"}}}},
     '{path}:7: cases.T-001.grade.value: "excellent" is not one of good, requires_improvement, inadequate'),
    ({"format": "thematic.moderation/1", "inspection": "testshire-2019",
      "cases": {"T-001": {"judgements": {"INF-02": {"answer": "no", "by": "insp-c"}}}}},
     "{path}:6: cases.T-001.judgements.INF-02.reason: required field is missing"),
])
def test_bad_judgements_and_moderation_files_are_reported_with_file_and_line(folder, document, expected):
    import yaml

    path = folder / J.format("bad")
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    found = problems(folder)
    assert len(found) == 1 and found[0].startswith(expected.format(path=path)), found


def test_two_files_for_one_inspector_are_refused(folder):
    first = judgements(folder, "insp-a", {})
    second = write_judgements(folder / J.format("zz-insp-a-again"), "insp-a", {}, inspection="testshire-2019")
    assert problems(folder) == [
        f"{second}:3: inspector: insp-a's judgements are already in {first}; keep one file per inspector"]


def test_an_answer_moderated_twice_is_refused(folder):
    decision = {"T-001": {"judgements": {"INF-02": {"answer": "no", "by": "insp-c", "reason": "Agreed."}}}}
    first = moderation(folder, decision)
    second = write_moderation(folder / J.format("zz-moderation"), decision, inspection="testshire-2019")
    assert problems(folder) == [
        f"{second}:6: cases.T-001.judgements.INF-02: T-001 INF-02 is already moderated at {first}:6"]


def test_a_listed_file_that_is_missing_is_reported_and_a_glob_matching_nothing_is_not(folder):
    assert score(folder)["T-001"]["results"]["INF-02"]["state"] == "pending"  # judgements/*.yaml matches nothing yet
    write_inspection(folder, force="testshire", inspection="testshire-2019", judgements=["judgements/insp-a.yaml"])
    assert problems(folder) == [f"{folder / 'inspection.yaml'}: judgements: judgements file "
                                f"{folder / 'judgements' / 'insp-a.yaml'} not found"]


def test_judgements_may_name_a_single_file_or_glob(folder):
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "no"}}}})
    (folder / "inspection.yaml").write_text((folder / "inspection.yaml").read_text().replace(
        'judgements: ["judgements/*.yaml"]', "judgements: judgements/*.yaml"))
    assert score(folder)["T-001"]["results"]["INF-02"]["state"] == "not_met"


def test_run_uses_judgements_files_and_reports_problems_with_exit_2(folder, capsys):
    judgements(folder, "insp-a", {"T-001": {"judgements": {"INF-02": {"answer": "maybe"}}}})
    assert main(["run", str(folder / "inspection.yaml"), "-o", str(folder / "out")]) == 2
    assert 'cases.T-001.judgements.INF-02.answer: "maybe" is not one of yes, no, n/a' in capsys.readouterr().err
    assert not (folder / "out").exists()
