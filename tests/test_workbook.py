"""The audit workbook: a row per case, locked automatic results in words and colour, drop-downs,
guidance and criteria sheets, an inspector's own answers filled in, and a clean LibreOffice open."""
from __future__ import annotations

import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from workbook_support import CRITERIA, Sheet, example_inspection, libreoffice_convert

from thematic.cli import main
from thematic.load.cases import load_cases
from thematic.scoring.evaluate import Scorer
from thematic.scoring.prepare import load_inspection

# Written out here, not imported, so a changed label in the code fails a test.
LABELS = {"met": "met", "not_met": "not met", "not_evidenced": "not evidenced", "not_applicable": "n/a",
          "unable_to_assess": "unable to assess", "error": "error"}
JUDGEMENT_IDS = ["SUP-04", "CRM-06", "RISK-05", "INF-02"]
CRITERIA_YAML = yaml.safe_load(CRITERIA.read_text())
DEFINED = {c["id"]: c for c in CRITERIA_YAML["criteria"]}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """An example inspection with its inspectors' answers kept, and a workbook made for insp-a."""
    folder = tmp_path_factory.mktemp("workbook")
    inspection = example_inspection(folder, keep_answers=True, judgements=None)
    target = folder / "audit.xlsx"
    assert main(["workbook", str(inspection), "-o", str(target), "--inspector", "insp-a"]) == 0
    return inspection, target


@pytest.fixture(scope="module")
def book(made):
    return openpyxl.load_workbook(made[1])


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_cases_sheet_has_a_row_per_case_with_reference_and_category(made, book):
    inspection, _ = made
    ws = book["Cases"]
    cases = [item.case for item in load_cases([inspection.parent / "cases"])]
    assert [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)] == [c.case_id for c in cases]
    assert [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)] == [c.category.replace("_", " ")
                                                                                  for c in cases]
    assert _headers(ws)[:2] == ["Case", "Category"]


def test_columns_are_automatic_results_then_answer_and_note_per_judgement_then_grade(book):
    headers = _headers(book["Cases"])
    automatic = [cid for cid, c in DEFINED.items() if c["type"] == "automatic"]
    expected = (["Case", "Category"] + automatic
                + [h for cid in JUDGEMENT_IDS for h in (f"{cid} answer", f"{cid} note")]
                + ["Grade", "Referred back", "Grade note", "Inspector"])
    assert headers == expected


def test_automatic_results_match_the_scorer_in_words_colour_and_evidence_and_are_locked(made, book):
    inspection_path, _ = made
    inspection = load_inspection(inspection_path)
    scorer = Scorer(inspection.criteria, inspection.parameters, inspection.file.as_of)
    sheet = Sheet(made[1])
    fills: dict[str, set[str]] = {}
    for loaded in load_cases([inspection.cases]):
        result = scorer.score(loaded.case)
        for cid, outcome in result.results.items():
            if DEFINED[cid]["type"] != "automatic":
                continue
            cell = sheet.cell(loaded.case.case_id, cid)
            assert cell.value == LABELS[outcome.state], (loaded.case.case_id, cid)
            assert outcome.evidence in cell.comment.text
            assert cell.protection.locked
            fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb)
    # Colour and text go together: one colour per word, and no two words share a colour.
    assert all(len(colours) == 1 for colours in fills.values())
    assert len({next(iter(c)) for c in fills.values()}) == len(fills)
    assert book["Cases"].protection.sheet


def _validation_for(ws, coordinate: str):
    found = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, coordinate
    return found[0]


def _list_values(book, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    return [c.value for row in book[sheet][first:last] for c in row]


@pytest.mark.parametrize("criterion_id", JUDGEMENT_IDS)
def test_answer_cells_are_unlocked_drop_downs_of_the_declared_answers(made, book, criterion_id):
    sheet = Sheet(made[1])
    declared = ["yes" if k is True else "no" if k is False else k for k in DEFINED[criterion_id]["answers"]]
    open_cells = [sheet.cell(case_id, f"{criterion_id} answer") for case_id in sheet.rows
                  if sheet.cell(case_id, f"{criterion_id} answer").value != "does not apply"]
    assert open_cells
    for cell in open_cells:
        assert not cell.protection.locked
        assert not sheet.cell(sheet.ws.cell(row=cell.row, column=1).value, f"{criterion_id} note").protection.locked
        validation = _validation_for(book["Cases"], cell.coordinate)
        assert validation.type == "list" and validation.showErrorMessage
        assert _list_values(book, validation.formula1) == declared


def test_a_question_that_does_not_apply_is_marked_and_locked(made):
    # CRM-06 applies only where the child is a suspect; EXA-2019-001 has child_as_suspect: null.
    cell = Sheet(made[1]).cell("EXA-2019-001", "CRM-06 answer")
    assert cell.value == "does not apply"
    assert cell.protection.locked


@pytest.mark.parametrize("header, expected", [
    ("Grade", ["good", "requires improvement", "inadequate"]),
    ("Referred back", ["yes", "no"]),
])
def test_grade_and_referred_back_are_drop_downs(made, book, header, expected):
    cell = Sheet(made[1]).cell("EXA-2019-002", header)
    assert not cell.protection.locked
    assert _list_values(book, _validation_for(book["Cases"], cell.coordinate).formula1) == expected


def test_the_inspectors_own_answers_are_filled_in_and_no_one_elses(made):
    sheet = Sheet(made[1])
    # EXA-2019-001 was scored by insp-a, EXA-2019-002 by insp-b (see their case files).
    assert sheet.cell("EXA-2019-001", "SUP-04 answer").value == "yes"
    assert sheet.cell("EXA-2019-001", "RISK-05 note").value.startswith("Both earlier incidents")
    assert sheet.cell("EXA-2019-001", "Grade").value == "good"
    assert sheet.cell("EXA-2019-001", "Referred back").value == "no"
    assert sheet.cell("EXA-2019-002", "RISK-05 answer").value is None
    assert sheet.cell("EXA-2019-002", "Grade").value is None
    assert {sheet.cell(case_id, "Inspector").value for case_id in sheet.rows} == {"insp-a"}


def test_without_an_inspector_nothing_is_filled_in(tmp_path):
    inspection = example_inspection(tmp_path, keep_answers=True, judgements=None)
    assert main(["workbook", str(inspection), "-o", str(tmp_path / "blank.xlsx")]) == 0
    sheet = Sheet(tmp_path / "blank.xlsx")
    for case_id in sheet.rows:
        for header in ["SUP-04 answer", "RISK-05 answer", "Grade", "Inspector"]:
            assert sheet.cell(case_id, header).value in (None, "does not apply")


def test_guidance_gives_each_question_its_answers_and_its_thematic_finding(book):
    text = "\n".join(str(c.value) for row in book["Guidance"].iter_rows() for c in row if c.value is not None)
    for cid in JUDGEMENT_IDS:
        definition = DEFINED[cid]
        theme = CRITERIA_YAML["themes"][definition["theme"]]
        assert cid in text and definition["question"] in text
        assert theme["finding"] in text and definition["source"] in text
    assert "yes: met; partly: not met; no: not met" in text  # CRM-06's answers and what each gives
    for word in LABELS.values():
        assert word in text  # the colour legend says each colour in words
    assert CRITERIA_YAML["grading"]["description"] in text


def test_criteria_sheet_lists_every_criterion(book):
    ws = book["Criteria"]
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids == list(DEFINED)
    assert [c.value for c in ws[1]][:5] == ["Criterion", "Theme", "Type", "Severity", "Question"]


def test_lists_sheet_is_hidden_and_records_the_inspection(book):
    ws = book["Lists"]
    assert ws.sheet_state == "hidden"
    meta = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, 6)}
    assert meta == {"format": "thematic.workbook/1", "inspection": "exampleshire-2019",
                    "criteria": "ncpi-thematic-2019",
                    "criteria_version": str(CRITERIA_YAML["version"]), "inspector": "insp-a"}


def test_the_workbook_opens_cleanly_in_libreoffice(made, tmp_path):
    completed = libreoffice_convert(made[1], "pdf", tmp_path)
    pdf = tmp_path / "audit.pdf"
    assert completed.returncode == 0, completed.stderr
    assert pdf.is_file(), f"LibreOffice wrote no PDF: {completed.stdout} {completed.stderr}"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in ["EXA-2019-016", "does not apply", "Judgement questions", "not evidenced"]:
        assert expected in text


@pytest.mark.parametrize("argv, message", [
    (["--inspector", "Insp A"], '--inspector: "Insp A" is not an inspector\'s reference such as insp-a'),
    (["-o", "{tmp}/audit.csv"], "the workbook's file name must end in .xlsx"),
])
def test_bad_workbook_options_exit_2_and_write_nothing(capsys, tmp_path, argv, message):
    inspection = example_inspection(tmp_path, judgements=None)
    argv = [a.format(tmp=tmp_path) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "audit.xlsx")]
    assert main(["workbook", str(inspection), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("audit.*"))


def test_workbook_goes_to_out_by_default(tmp_path, monkeypatch, capsys):
    inspection = example_inspection(tmp_path, judgements=None)
    monkeypatch.chdir(tmp_path)
    assert main(["workbook", str(inspection), "--inspector", "insp-b"]) == 0
    assert (tmp_path / "out" / "exampleshire-2019" / "audit-insp-b.xlsx").is_file()
    assert "16 case(s) and 4 judgement question(s)" in capsys.readouterr().out
