"""cases.csv and cases.xlsx beside the force report (issue 12 item 7): every case, every criterion.

`thematic report` (and `thematic run`, the demo) write one row per case, a result and an evidence
column per criterion, in the same all-or-nothing output set as the report; text that looks like a
formula stays text in both files; under suppression neither file is written.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from render_samples import example, hand_made, shipped_criteria

from thematic.cli import main
from thematic.model.results import ResultsDocument
from thematic.render.plain_words import evidence_words
from thematic.render.views import label

HYPERLINK = '=HYPERLINK("http://example.invalid/x","open me")'
FIXED = ["case id", "category", "suggested grade", "provisional", "inspector's grade"]


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write(path: Path, document: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))
    return path


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture
def example_files(capsys, tmp_path) -> tuple[Path, ResultsDocument]:
    data, _ = example()
    results = write(tmp_path / "scored" / "results.json", data)
    code, out, err = run(capsys, "report", results, "--format", "html")
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [f"report written to {results.parent / 'cases.csv'}",
                                     f"report written to {results.parent / 'cases.xlsx'}"]
    return results.parent, ResultsDocument.from_json(data)


def test_one_row_per_case_and_a_result_and_evidence_column_per_criterion(example_files):
    folder, document = example_files
    _, criteria = example()
    ids = [c.id for c in criteria.criteria]
    rows = read_csv(folder / "cases.csv")
    header, body = rows[0], rows[1:]
    assert header == FIXED + [f"{cid} {what}" for cid in ids for what in ("result", "evidence")]
    assert [row[0] for row in body] == list(document.case_ids)
    for case, row in zip(document.cases or (), body, strict=True):
        assert len(row) == len(header)
        assert row[1:5] == [label(case.category), label(case.suggested_grade), "yes" if case.provisional else "no",
                            label(case.grade)]
        for i, cid in enumerate(ids):
            result = case.results[cid]
            assert row[5 + 2 * i] == label(result.state)
            assert row[6 + 2 * i] == evidence_words(result.evidence)  # plain words, as the report prints them


def test_the_workbook_holds_the_same_table_as_text(example_files):
    folder, _ = example_files
    rows = read_csv(folder / "cases.csv")
    wb = openpyxl.load_workbook(folder / "cases.xlsx")
    ws = wb["Cases"]
    assert [[cell.value or "" for cell in row] for row in ws.iter_rows()] == rows
    assert all(cell.data_type == "s" for row in ws.iter_rows() for cell in row if cell.value is not None)
    assert ws.freeze_panes == "B2"
    assert "OFFICIAL-SENSITIVE" in (ws.oddHeader.center.text or "")
    assert wb.properties.created.date().isoformat() == "2020-01-01"  # SOURCE_DATE_EPOCH (conftest), not now


def test_formula_looking_text_stays_text_in_both_files(capsys, tmp_path):
    criteria = shipped_criteria()
    first, second = criteria.criteria[0].id, criteria.criteria[1].id
    data = hand_made([{"case_id": HYPERLINK, "states": {first: "not_met"}},
                      {"case_id": "T-02", "states": {first: "met", second: "not_evidenced"}},
                      {"case_id": "-5", "states": {first: "met"}}], criteria)
    data["cases"][1]["results"][second]["evidence"] = "@SUM(1) recorded as the note"
    results = write(tmp_path / "results.json", data)
    code, _, err = run(capsys, "report", results, "--format", "html")
    assert (code, err) == (0, "")

    rows = read_csv(tmp_path / "cases.csv")
    assert rows[1][0] == "'" + HYPERLINK
    column = rows[0].index(f"{second} evidence")
    assert rows[2][column] == "'@SUM(1) recorded as the note"
    assert rows[3][0] == "-5"  # a plain number is data, not a formula: kept as it is
    raw = (tmp_path / "cases.csv").read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in raw and "\n\"=HYPERLINK" not in raw

    ws = openpyxl.load_workbook(tmp_path / "cases.xlsx")["Cases"]
    cell = ws.cell(row=2, column=1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HYPERLINK, "s", True)
    note = ws.cell(row=3, column=column + 1)
    assert (note.value, note.data_type) == ("@SUM(1) recorded as the note", "s")
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)


def test_suppression_writes_neither_file(capsys, tmp_path):
    data, _ = example()
    results = write(tmp_path / "results.json", data)
    code, out, err = run(capsys, "report", results, "--format", "html", "--suppress-below", "5", "-o", tmp_path / "pub")
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == ["report.html"]
    assert "cases.csv" not in out


def test_a_cases_file_that_cannot_be_written_stops_the_run_and_nothing_is_written(capsys, tmp_path):
    data, _ = example()
    results = write(tmp_path / "results.json", data)
    out = tmp_path / "out"
    (out / "cases.xlsx").mkdir(parents=True)  # a folder where the workbook would go
    code, _, err = run(capsys, "report", results, "--format", "html", "-o", out)
    assert code == 2
    assert "cases.xlsx" in err
    assert sorted(p.name for p in out.iterdir()) == ["cases.xlsx"] and not any((out / "cases.xlsx").iterdir())


def test_a_case_without_a_criterion_gets_empty_cells(capsys, tmp_path):
    criteria = shipped_criteria()
    first = criteria.criteria[0].id
    data = hand_made([{"case_id": "T-01", "states": {first: "not_met"}}], criteria)
    del data["cases"][0]["results"][first]
    from thematic.render.cases_table import cases_csv, cases_table

    document = ResultsDocument.from_json(data)
    rows = read_csv_text(cases_csv(cases_table(document.cases or (), [c.id for c in criteria.criteria])))
    assert rows[1][5:7] == ["", ""]
    assert rows[1][7] == "not applicable"


def read_csv_text(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_the_workbook_is_the_same_bytes_on_any_day(example_files):
    # Every date inside is the report's production date (SOURCE_DATE_EPOCH: 1 January 2020), not the
    # time of saving, so the same inputs give the same file.
    import zipfile

    folder, _ = example_files
    with zipfile.ZipFile(folder / "cases.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2020, 1, 1, 0, 0, 0)}
    properties = openpyxl.load_workbook(folder / "cases.xlsx").properties
    assert properties.modified.isoformat() == properties.created.isoformat() == "2020-01-01T00:00:00"
