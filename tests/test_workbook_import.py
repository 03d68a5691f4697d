"""Reading the audit workbook back: a round trip reproduces every answer, every bad cell is caught
with its address and nothing is written, re-importing updates, and no inspector overwrites another."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from workbook_support import Sheet, example_inspection, write_inspection, write_judgements

from thematic.cli import main
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

# The states each answer gives, written out from the criteria catalogue (spec/criteria.md).
STATES = {
    "SUP-04": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "CRM-06": {"yes": "met", "partly": "not_met", "no": "not_met"},
    "RISK-05": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "INF-02": {"yes": "met", "no": "not_met", "n/a": "not_applicable"},
}
GRADES = {"good": "good", "requires improvement": "requires_improvement", "inadequate": "inadequate"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An example inspection (answers taken out of its case files) and workbooks for insp-a, insp-b
    and no one, made once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("template")
    inspection = example_inspection(folder)
    for inspector in ("insp-a", "insp-b", None):
        name = f"audit-{inspector or 'blank'}.xlsx"
        argv = ["workbook", str(inspection), "-o", str(folder / name)] + (["--inspector", inspector] if inspector
                                                                          else [])
        assert main(argv) == 0
    return folder


@pytest.fixture
def copy(template, tmp_path):
    def make(inspector: str | None = "insp-a", **inspection: Any) -> tuple[Path, Path]:
        folder = tmp_path / "work"
        shutil.copytree(template, folder)
        path = write_inspection(folder, **inspection) if inspection else folder / "inspection.yaml"
        return path, folder / f"audit-{inspector or 'blank'}.xlsx"
    return make


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fill_everything(sheet: Sheet) -> dict[str, dict]:
    """Give every open question an answer (cycling through its answers) and a note on some, and every
    case a grade; returns what was entered, per case."""
    entered: dict[str, dict] = {}
    grades = list(GRADES)
    for n, case_id in enumerate(sheet.rows):
        entry: dict = {"answers": {}}
        for cid, states in STATES.items():
            if sheet.cell(case_id, f"{cid} answer").value == "does not apply":
                continue
            answers = list(states)
            answer = answers[n % len(answers)]
            note = f"Note {n} on {cid}: the record's \"reason\" field; second clause." if n % 3 == 0 else None
            sheet.set(case_id, f"{cid} answer", answer)
            sheet.set(case_id, f"{cid} note", note)
            entry["answers"][cid] = (answer, note)
        grade = grades[n % 3]
        referred = n % 4 == 0
        sheet.set(case_id, "Grade", grade)
        sheet.set(case_id, "Referred back", "yes" if referred else "no")
        sheet.set(case_id, "Grade note", f"Grade note {n}" if n % 2 else None)
        entry["grade"] = (GRADES[grade], referred, f"Grade note {n}" if n % 2 else None)
        entered[case_id] = entry
    sheet.save()
    return entered


def test_round_trip_workbook_import_score_reproduces_every_answer(copy, capsys):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    entered = fill_everything(sheet)
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0, out
    written = yaml.safe_load((inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml").read_text())
    assert written["inspector"] == "insp-a" and written["inspection"] == "exampleshire-2019"
    for case_id, entry in entered.items():
        recorded = written["cases"][case_id]
        assert {cid: (a["answer"], a.get("note"))
                for cid, a in recorded.get("judgements", {}).items()} == entry["answers"]
        grade = recorded["grade"]
        assert (grade["value"], grade["referred_back"], grade.get("note")) == entry["grade"]

    document = inspection_results(load_inspection(inspection_path)).to_json()
    for case in document["cases"]:
        entry = entered[case["case_id"]]
        for cid, (answer, note) in entry["answers"].items():
            result = case["results"][cid]
            assert result["state"] == STATES[cid][answer], (case["case_id"], cid)
            if result["state"] != "not_applicable" or answer == "n/a":
                assert result["evidence"] == f'answer "{answer}" by insp-a' + (f": {note}" if note else "")
        assert (case["grade"], case["referred_back"]) == entry["grade"][:2]
    assert sum(1 for case in document["cases"] for r in case["results"].values() if r["state"] == "pending") == 0


def test_reimporting_an_edited_workbook_updates_and_never_duplicates(copy, capsys):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "RISK-05 answer", "yes")
    sheet.set("EXA-2019-001", "Grade", "good")
    sheet.save()
    assert run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))[0] == 0
    target = inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml"
    first = target.read_text()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0 and "0 added, 0 changed, 2 unchanged" in out
    assert target.read_text() == first  # the same workbook again changes nothing

    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "RISK-05 answer", "partly")
    sheet.set("EXA-2019-001", "RISK-05 note", "Only the latest incident was discussed.")
    sheet.set("EXA-2019-002", "INF-02 answer", "no")
    sheet.save()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0 and "1 added, 1 changed, 1 unchanged" in out
    cases = yaml.safe_load(target.read_text())["cases"]
    assert cases["EXA-2019-001"]["judgements"] == {
        "RISK-05": {"answer": "partly", "note": "Only the latest incident was discussed."}}
    assert cases["EXA-2019-002"]["judgements"] == {"INF-02": {"answer": "no"}}
    assert target.read_text().count("EXA-2019-001:") == 1


def test_a_blank_cell_keeps_the_answer_already_recorded(copy, capsys):
    inspection_path, workbook = copy(inspector=None)
    write_judgements(inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml", "insp-a",
                     {"EXA-2019-001": {"judgements": {"SUP-04": {"answer": "no", "note": "kept"}}}})
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "INF-02 answer", "yes")
    sheet.set("EXA-2019-001", "Inspector", "insp-a")
    sheet.save()
    assert run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))[0] == 0
    answers = yaml.safe_load((inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml").read_text())
    assert answers["cases"]["EXA-2019-001"]["judgements"] == {
        "SUP-04": {"answer": "no", "note": "kept"}, "INF-02": {"answer": "yes"}}


def test_another_inspectors_answers_are_never_overwritten(copy, capsys):
    inspection_path, workbook = copy(inspector="insp-b")
    theirs = write_judgements(inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml", "insp-a",
                              {"EXA-2019-001": {"judgements": {"SUP-04": {"answer": "yes"}}}})
    before = theirs.read_bytes()
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "SUP-04 answer", "no")
    sheet.save()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0
    assert theirs.read_bytes() == before
    ours = yaml.safe_load((inspection_path.parent / "judgements" / "exampleshire-2019-insp-b.yaml").read_text())
    assert ours["cases"]["EXA-2019-001"]["judgements"]["SUP-04"] == {"answer": "no"}
    # Pointed at insp-a's file, insp-b's answers are refused and the file is left as it was.
    code, _, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path), "-o",
                       str(theirs))
    assert code == 2
    assert "holds insp-a's judgements; insp-b's answers never overwrite another inspector's" in err
    assert theirs.read_bytes() == before


def test_answers_are_matched_without_regard_to_case_or_spaces(copy, capsys):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "SUP-04 answer", "  Yes ")
    sheet.set("EXA-2019-001", "Grade", "Requires Improvement")
    sheet.set("EXA-2019-001", "Referred back", "YES")
    sheet.save()
    assert run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))[0] == 0
    recorded = (inspection_path.parent / "judgements" / "exampleshire-2019-insp-a.yaml").read_text()
    case = yaml.safe_load(recorded)["cases"]["EXA-2019-001"]
    assert case == {"judgements": {"SUP-04": {"answer": "yes"}},
                    "grade": {"value": "requires_improvement", "referred_back": True}}


# --- every kind of bad cell, with its address ----------------------------------------------------

BAD_CELLS = [
    # (case, header, value, message) — the message follows the cell's address
    ("EXA-2019-008", "CRM-06 answer", "maybe", 'answer "maybe" is not one of yes, partly, no'),
    ("EXA-2019-001", "INF-02 answer", 3, "answer 3 is not one of yes, no, n/a"),
    ("EXA-2019-001", "INF-02 answer", True, "answer TRUE is not one of yes, no, n/a"),
    ("EXA-2019-001", "SUP-04 answer", "=1+1", '"=1+1" is a formula; type the value itself'),
    ("EXA-2019-001", "SUP-04 note", "No answer chosen",
     "note given without an answer to SUP-04; choose an answer or clear the note"),
    ("EXA-2019-001", "Grade", "okay", 'grade "okay" is not one of good, requires improvement, inadequate'),
    ("EXA-2019-001", "Referred back", "maybe", 'referred back "maybe" is not one of yes, no'),
    ("EXA-2019-001", "Referred back", "yes", "referred back given without a grade; choose a grade or clear the cell"),
    ("EXA-2019-001", "Grade note", "Prompt", "grade note given without a grade; choose a grade or clear the cell"),
    ("EXA-2019-001", "Inspector", None,
     "the inspector's reference is missing; a row with answers needs an inspector's reference such as insp-a"),
    ("EXA-2019-001", "Inspector", "Inspector A",
     'inspector "Inspector A" is not an inspector\'s reference such as insp-a'),
    ("EXA-2019-001", "Inspector", "insp-b", 'inspector "insp-b" differs from the workbook\'s inspector insp-a'),
    ("EXA-2019-001", "Case", "EXA-2019-099", 'case "EXA-2019-099" is not in the inspection\'s sample'),
    ("EXA-2019-003", "Case", "EXA-2019-002",
     "EXA-2019-002 is already on row 3 for insp-a; one row per case and inspector"),
]


@pytest.mark.parametrize("case_id, header, value, message", BAD_CELLS,
                         ids=[f"{h}-{v}" for _, h, v, _ in BAD_CELLS])
def test_every_kind_of_bad_cell_is_reported_with_its_address_and_nothing_is_written(
        copy, capsys, case_id, header, value, message):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-002", "RISK-05 answer", "yes")  # a good answer elsewhere, so there is something to write
    if header not in ("Referred back", "Grade note") or value == "maybe":
        sheet.set(case_id, "RISK-05 answer", "yes")  # the row has content, so its case and inspector are checked
    if header == "Referred back" and value == "maybe":
        sheet.set(case_id, "Grade", "good")
    address = sheet.set(case_id, header, value)
    sheet.save()
    code, out, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 2
    assert f"error: {address}: {message}" in err
    assert "Traceback" not in err
    assert not (inspection_path.parent / "judgements").exists()


def test_every_bad_cell_of_a_workbook_is_reported_at_once(copy, capsys):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    first = sheet.set("EXA-2019-008", "CRM-06 answer", "maybe")
    second = sheet.set("EXA-2019-010", "Grade", "excellent")
    third = sheet.set("EXA-2019-012", "SUP-04 answer", "perhaps")
    sheet.save()
    code, _, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 2
    assert [line.split(": ")[1] for line in err.splitlines() if line.startswith("error:")] == [first, second, third]
    assert "3 problems found; nothing was written" in err


def test_an_unknown_judgement_column_and_a_missing_column_are_reported(copy, capsys):
    inspection_path, workbook = copy()
    sheet = Sheet(workbook)
    sheet.ws.cell(row=1, column=sheet.columns["SUP-04 answer"]).value = "SUP-09 answer"
    sheet.ws.cell(row=1, column=sheet.columns["Inspector"]).value = "Reviewer"
    sheet.save()
    code, _, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 2
    assert 'column "SUP-09 answer" is not a judgement criterion of ncpi-thematic-2019' in err
    assert 'Cases!1:1: the column "Inspector" is missing from the header row' in err


def test_a_workbook_made_for_another_inspection_is_refused(copy, capsys):
    inspection_path, workbook = copy()
    other_inspection = write_inspection(inspection_path.parent, inspection="exampleshire-2020", name="other.yaml")
    code, _, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(other_inspection))
    assert code == 2
    assert 'Lists!B2: the workbook was made for inspection "exampleshire-2019", not "exampleshire-2020"' in err


@pytest.mark.parametrize("content, message", [
    (b"case_id,answer\n", "is not an Excel workbook (.xlsx)"),
    (None, "file not found"),
])
def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, capsys, content, message):
    inspection = example_inspection(tmp_path)
    path = tmp_path / "audit.xlsx"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "import-workbook", str(path), "--inspection", str(inspection))
    assert code == 2 and message in err


def test_one_workbook_with_two_inspectors_writes_one_file_each_and_refuses_one_output(copy, capsys):
    inspection_path, workbook = copy(inspector=None)
    sheet = Sheet(workbook)
    for case_id, inspector, answer in [("EXA-2019-001", "insp-a", "yes"), ("EXA-2019-002", "insp-b", "no")]:
        sheet.set(case_id, "INF-02 answer", answer)
        sheet.set(case_id, "Inspector", inspector)
    sheet.save()
    code, _, err = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path),
                       "-o", str(inspection_path.parent / "one.yaml"))
    assert code == 2 and "-o takes one inspector's file" in err
    assert not (inspection_path.parent / "one.yaml").exists()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0
    assert sorted(p.name for p in (inspection_path.parent / "judgements").iterdir()) == [
        "exampleshire-2019-insp-a.yaml", "exampleshire-2019-insp-b.yaml"]


def test_import_says_when_the_inspection_does_not_read_the_file_yet(copy, capsys):
    inspection_path, workbook = copy(judgements=None)
    sheet = Sheet(workbook)
    sheet.set("EXA-2019-001", "INF-02 answer", "yes")
    sheet.save()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0
    assert "does not read" in out and "judgements: [judgements/*.yaml]" in out


def test_an_empty_workbook_writes_nothing(copy, capsys):
    inspection_path, workbook = copy()
    code, out, _ = run(capsys, "import-workbook", str(workbook), "--inspection", str(inspection_path))
    assert code == 0 and "no answers or grades to import; nothing was written" in out
    assert not (inspection_path.parent / "judgements").exists()


