"""A case with schema errors is still checked for its answers and force (load.cases.case_parts).

A user who runs `thematic validate` learns of every problem in one run: the judgement answers and
the force are checked on the well-formed parts of a case that does not validate, located exactly as
they are on a valid case; a malformed part is reported by its schema errors alone, never a crash.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.case_check import case_check
from thematic.load.cases import load_cases, validate_case
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.criteria import load_criteria

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "load" / "example.yaml"
GOOD_ANSWER = 'CRM-06: {answer: "no", by: insp-a, note: "Charged the same day; exploitation not discussed."}'
BAD_ANSWER_MESSAGE = '"maybe" is not one of yes, partly, no'


@pytest.fixture(scope="module")
def check_file():
    return load_criteria(shipped_criteria_path()).file


def validate(capsys, path: Path) -> tuple[int, list[str]]:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if line.startswith("error: ")]


def yaml_case(tmp_path: Path, *, category: str = "neglect", answers: str = GOOD_ANSWER) -> tuple[Path, dict[str, int]]:
    """The example case with its category and judgements replaced; the line of each key given."""
    text = EXAMPLE.read_text()
    assert GOOD_ANSWER in text and "\ncategory: " in text
    text = text.replace(GOOD_ANSWER, answers)
    text = "\n".join(f"category: {category}" if line.startswith("category: ") else line
                     for line in text.splitlines()) + "\n"
    path = tmp_path / "case.yaml"
    path.write_text(text)
    lines = {line.strip().split(":")[0]: number for number, line in enumerate(text.splitlines(), 1)}
    return path, lines


def test_a_schema_error_and_a_bad_answer_are_reported_together(capsys, tmp_path):
    path, line = yaml_case(tmp_path, category="nonsense",
                           answers='CRM-06: {answer: "maybe", by: insp-a}\n  XYZ-01: {answer: "yes", by: insp-a}')
    code, errors = validate(capsys, path)
    assert code == 2
    assert errors[0].startswith(f"error: {path}:{line['category']}: category: \"nonsense\" is not one of")
    # Worded and located as on a valid case (tests/test_cli.py's test of a valid case's answers).
    assert len(errors) == 3
    assert errors[1] == f"error: {path}:{line['CRM-06']}: judgements.CRM-06.answer: {BAD_ANSWER_MESSAGE}"
    assert errors[2].startswith(f"error: {path}:{line['XYZ-01']}: judgements.XYZ-01: unknown criterion 'XYZ-01'; "
                                "judgement criteria are: ")


def test_only_a_schema_error_is_reported_when_the_answers_are_right(capsys, tmp_path):
    path, line = yaml_case(tmp_path, category="nonsense")
    code, errors = validate(capsys, path)
    assert code == 2
    assert len(errors) == 1 and errors[0].startswith(f"error: {path}:{line['category']}: category: ")


def test_a_case_without_schema_errors_is_accepted_with_its_right_answers(capsys, tmp_path):
    path, _ = yaml_case(tmp_path)
    assert validate(capsys, path) == (0, [])


@pytest.mark.parametrize("block", ["judgements: [CRM-06, no]", "judgements: no answers yet", "judgements: null",
                                   "judgements:\n  CRM-06: maybe"])
def test_a_malformed_judgements_block_gives_its_schema_errors_alone(capsys, tmp_path, block):
    path = tmp_path / "case.yaml"
    path.write_text(EXAMPLE.read_text().replace(f"judgements:\n  {GOOD_ANSWER}", block))
    assert block in path.read_text()
    code, errors = validate(capsys, path)
    assert code == 2 and errors
    assert all(": judgements" in error for error in errors), errors
    assert not any("is not one of yes" in error or "unknown criterion" in error for error in errors)


def test_a_malformed_entry_is_left_to_its_schema_error_and_the_well_formed_ones_are_checked(capsys, tmp_path):
    # CRM-06 has no `by` (not well-formed: its answer is not checked); XYZ-01 is well-formed and unknown.
    path, line = yaml_case(tmp_path, answers='CRM-06: {answer: "maybe"}\n  XYZ-01: {answer: "yes", by: insp-a}')
    code, errors = validate(capsys, path)
    assert code == 2
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {path}:{line['CRM-06']}: judgements.CRM-06.by: ")
    assert errors[1].startswith(f"error: {path}:{line['XYZ-01']}: judgements.XYZ-01: unknown criterion 'XYZ-01'")


def jsonl_line(**fields: Any) -> str:
    return json.dumps({**MINIMAL, "force": "northmoor", **fields})


def test_json_lines_report_a_schema_error_and_a_bad_answer_on_the_line(capsys, tmp_path):
    path = tmp_path / "cases.jsonl"
    bad_answer = {"CRM-06": {"answer": "maybe", "by": "insp-a"}}
    path.write_text("\n".join([
        jsonl_line(case_id="T-001", judgements={"CRM-06": {"answer": "no", "by": "insp-a"}}),
        jsonl_line(case_id="T-002", category="nonsense", judgements=bad_answer),
        jsonl_line(case_id="T-003", category="nonsense"),
    ]) + "\n")
    code, errors = validate(capsys, path)
    assert code == 2
    assert [error.split(": ")[1:3] for error in errors] == [
        [f"{path}:2", "category"], [f"{path}:2", "judgements.CRM-06.answer"], [f"{path}:3", "category"]]
    assert errors[1].endswith(BAD_ANSWER_MESSAGE)


def test_the_force_is_checked_when_well_formed_and_left_to_its_schema_error_when_not(check_file):
    check = case_check(check_file, "durham")
    differs = "case force 'northmoor' differs from the inspection's force 'durham'"
    _, problems = validate_case({**MINIMAL, "force": "northmoor", "category": "nonsense"}, "c.jsonl", 4, check=check)
    assert [(p.line, p.field, p.message) for p in problems][1:] == [(4, "force", differs)]
    assert problems[0].field == "category"
    for force in ("North Moor", 7, None):
        case, problems = validate_case({**MINIMAL, "force": force}, "c.jsonl", 4, check=check)
        assert case is None and [p.field for p in problems] == ["force"]
        assert "differs" not in problems[0].message
    # Not a case at all: one problem, no check.
    case, problems = validate_case(["force", "northmoor"], "c.jsonl", 4, check=check)
    assert case is None and len(problems) == 1 and "expected a case" in problems[0].message


def test_load_cases_raises_the_schema_and_the_answer_problems_of_a_sample(tmp_path, check_file):
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl_line(category="nonsense", judgements={"TIM-01": {"answer": "yes", "by": "insp-a"}}) + "\n")
    with pytest.raises(InputError) as raised:
        load_cases([path], check=case_check(check_file))
    assert [p.field for p in raised.value.problems] == ["category", "judgements.TIM-01"]
    assert "TIM-01 is an automatic criterion" in raised.value.problems[1].message


def test_scoring_a_caseload_reports_them_together_too(capsys, tmp_path):
    # `thematic score` streams (scoring.stream): a line the fast path refuses is validated by
    # load.cases.validate_case, so it is reported as `thematic validate` reports it.
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([
        jsonl_line(case_id="T-001", judgements={"CRM-06": {"answer": "no", "by": "insp-a"}}),
        jsonl_line(case_id="T-002", category="nonsense", judgements={"CRM-06": {"answer": "maybe", "by": "insp-a"}}),
    ]) + "\n")
    code = main(["score", str(path), "--as-of", "2019-11-30", "-o", str(tmp_path / "results.json")])
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2 and "Traceback" not in err
    assert [error.split(": ")[1:3] for error in errors] == [[f"{path}:2", "category"],
                                                            [f"{path}:2", "judgements.CRM-06.answer"]]
    assert not (tmp_path / "results.json").exists()
