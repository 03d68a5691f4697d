"""Spreadsheets and tables from hostile or careless hands (issue 11).

Out: text from the data (a case id, a note) is never stored as a formula in a workbook the tool
writes, and is neutralised in every CSV it writes; every workbook font is the project's family.
In: uploaded workbooks with XML entities, formulas with no saved value, a repeated answer column
or a used range down to row 1,048,576, and CSV exports with short or long rows, digits of other
scripts or ids hiding invisible characters, are each refused with exit 2 and a message naming the
file, the row or cell and the column; inputs are byte-identical afterwards and nothing is written.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from tabular_helpers import CASES, INCIDENTS, MAPPING, write_csv, write_export
from workbook_support import Sheet, example_inspection, libreoffice_convert, write_judgements

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.tabular import import_tables

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "inspections" / "registers" / "exampleshire-register.csv"
HYPERLINK = '=HYPERLINK("http://example.invalid/x","open me")'
FORMULAS = (HYPERLINK, "=1+1", "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1")
ZWSP = "\u200b"


# --- helpers -------------------------------------------------------------------------------------

def run(capsys, *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out and "internal error" not in err
    return code, err


def digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` with a hash of its bytes: to show inputs are left exactly as they were."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rewrite_part(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Rewrite one XML part inside an xlsx file, keeping every other part as it is."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    assert part in [info.filename for info, _ in parts], f"{path.name} has no part {part}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)


def with_entity(xml: str, text: str) -> str:
    """`xml` with a DOCTYPE declaring an entity, used in place of `text`."""
    assert f">{text}<" in xml
    head, sep, rest = xml.partition("?>") if xml.startswith("<?xml") else ("", "", xml)
    root = re.match(r"\s*<([\w:]+)", rest).group(1)
    return head + sep + f'<!DOCTYPE {root} [<!ENTITY e "{text}">]>' + rest.replace(f">{text}<", ">&e;<", 1)


def far_row(xml: str, value: str | None, column: str = "Z") -> str:
    """The used range set to A1:Z1048576 and a cell at row 1,048,576 (blank but styled, or holding `value`)."""
    xml, count = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:Z1048576"/>', xml)
    assert count == 1
    cell = (f'<c r="{column}1048576" s="0"/>' if value is None
            else f'<c r="{column}1048576" t="inlineStr"><is><t>{value}</t></is></c>')
    return xml.replace("</sheetData>", f'<row r="1048576">{cell}</row></sheetData>')


def peak_of(argv: list[str], cwd: Path) -> tuple[int, str, float]:
    """Run the CLI in a child process capped at 1.5 GiB; its exit code, stderr and peak memory in MiB."""
    script = ("import resource, subprocess, sys\n"
              "cap = 1536 << 20\n"
              "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120,\n"
              "                   preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)))\n"
              "sys.stderr.write(p.stderr)\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
              "sys.exit(p.returncode)\n")
    done = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "thematic", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=150)
    return done.returncode, done.stderr, int(done.stdout.strip() or 0) / 1024


def xlsx_export(folder: Path, cases: list[list[object]] | None = None) -> tuple[Path, Path]:
    """The test export as one workbook (sheets Cases and Incidents) and its mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    for values in CASES if cases is None else cases:
        sheet.append(values)
    incidents = book.create_sheet("Incidents")
    for values in INCIDENTS:
        incidents.append(values)
    path = folder / "export.xlsx"
    book.save(path)
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING.replace("file: incidents.csv", "sheet: Incidents"), encoding="utf-8")
    return path, mapping


# --- out: no formula from data in any workbook or CSV the tool writes ------------------------------

@pytest.fixture(scope="module")
def formula_workbook(tmp_path_factory) -> tuple[Path, Path]:
    """An audit workbook made for insp-a from cases whose id and notes look like formulas."""
    folder = tmp_path_factory.mktemp("formula-workbook")
    inspection = example_inspection(folder)
    path = folder / "cases" / "EXA-2019-001.yaml"
    path.write_text(path.read_text().replace("case_id: EXA-2019-001", f"case_id: '{HYPERLINK}'"))
    write_judgements(folder / "judgements" / "insp-a.yaml", "insp-a", {
        HYPERLINK: {"grade": {"value": "good", "referred_back": False, "note": "@SUM(1)"}},
        "EXA-2019-002": {"grade": {"value": "inadequate", "referred_back": True, "note": "-2+3"}},
    })
    before = digest(folder)
    assert main(["workbook", str(inspection), "-o", str(folder / "audit.xlsx"), "--inspector", "insp-a"]) == 0
    after = digest(folder)
    assert {k: v for k, v in after.items() if k != "audit.xlsx"} == before
    return folder, folder / "audit.xlsx"


def test_a_formula_looking_id_or_note_is_stored_as_text_in_the_audit_workbook(formula_workbook):
    _, path = formula_workbook
    with zipfile.ZipFile(path) as book:
        for part in book.namelist():
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                assert "<f>" not in book.read(part).decode(), f"{part} holds a formula"
    sheet = Sheet(path)
    found = {}
    for ws in sheet.book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value in (HYPERLINK, "@SUM(1)", "-2+3"):
                    found[cell.value] = cell
    assert set(found) == {HYPERLINK, "@SUM(1)", "-2+3"}
    # quote-prefixed, so the text stays text when the cell is edited in a spreadsheet program
    assert all(cell.quotePrefix for cell in found.values())
    assert sheet.cell(HYPERLINK, "Grade note").value == "@SUM(1)"


def test_libreoffice_shows_the_formula_looking_id_as_text(formula_workbook, tmp_path):
    _, path = formula_workbook
    done = libreoffice_convert(path, "csv", tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader((tmp_path / "audit.csv").read_text(encoding="utf-8", errors="replace").splitlines()))
    ids = [r[0] for r in rows[1:] if r]
    assert HYPERLINK in ids and "open me" not in ids


def test_every_font_of_the_audit_workbook_is_the_project_family(formula_workbook):
    from thematic.core.typeface import FAMILY

    _, path = formula_workbook
    with zipfile.ZipFile(path) as book:
        styles = book.read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>.*?</font>|<font/>|<font .*?</font>", re.search(r"<fonts.*?</fonts>", styles).group(0))
    assert fonts
    for font in fonts:
        assert re.search(rf'<name val="{FAMILY}"\s*/>', font), f"a font other than {FAMILY}: {font}"


@pytest.mark.parametrize(("value", "written"), [
    (HYPERLINK, "'" + HYPERLINK), ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("-5", "-5"), ("+3.5", "+3.5"), ("-", "'-"), ("EXA-2019-001", "EXA-2019-001"), ("", ""), ("a=b", "a=b"),
])
def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(value, written):
    from thematic.core.formulas import csv_text

    assert csv_text(value) == written


def test_rejected_rows_csv_neutralises_a_formula_looking_id(tmp_path, capsys):
    cases = [list(r) for r in CASES]
    cases[2][0], cases[2][4] = HYPERLINK, "19"  # an age the case model rejects, so the row is rejected
    table, mapping = write_export(tmp_path / "export", cases=cases)
    before = digest(tmp_path / "export")
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out", "--skip-invalid")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "rejected.csv").read_text(encoding="utf-8"))))
    assert rows[1][3] == "'" + HYPERLINK
    assert digest(tmp_path / "export") == before


def test_the_sample_csv_neutralises_formula_looking_register_cells(tmp_path, capsys):
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    rows = [next(csv.reader([line])) for line in lines]
    kinds = ('=HYPERLINK("http://example.invalid/{}","open")', "={}+1", "+{}+1", "-{}+1", "@SUM({})", "\t={}")
    for index, register_row in enumerate(rows[1:]):
        register_row[0] = kinds[index % len(kinds)].format(index)
    register = write_csv(tmp_path / "register.csv", rows)
    before = register.read_bytes()
    code, err = run(capsys, "sample", register, "--strata", "category", "--seed", "1", "--size", "40",
                    "-o", tmp_path / "sample.csv")
    assert code == 0, err
    written = list(csv.reader(io.StringIO((tmp_path / "sample.csv").read_text(encoding="utf-8"), newline="")))
    ids = [r[0] for r in written[1:]]
    assert ids and all(i.startswith("'") for i in ids), ids
    assert register.read_bytes() == before


# --- in: uploaded audit workbooks ---------------------------------------------------------------

@pytest.fixture(scope="module")
def blank_workbook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("blank-workbook")
    inspection = example_inspection(folder)
    assert main(["workbook", str(inspection), "-o", str(folder / "audit.xlsx"), "--inspector", "insp-a"]) == 0
    return folder


@pytest.fixture
def audit(blank_workbook, tmp_path) -> tuple[Path, Path]:
    """A fresh copy of the inspection and its workbook: (folder, workbook)."""
    folder = tmp_path / "work"
    shutil.copytree(blank_workbook, folder)
    return folder, folder / "audit.xlsx"


def import_workbook_cli(capsys, folder: Path, path: Path) -> tuple[int, str]:
    before = digest(folder)
    code, err = run(capsys, "import-workbook", path, "--inspection", folder / "inspection.yaml")
    if code != 0:
        assert digest(folder) == before, "a refused workbook changed or wrote a file"
    return code, err


def test_an_xml_entity_in_an_audit_workbook_is_refused_naming_the_part(audit, capsys):
    folder, path = audit
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: with_entity(xml, "Case"))
    code, err = import_workbook_cli(capsys, folder, path)
    assert code == 2
    assert f"error: {path}: part xl/worksheets/sheet1.xml declares a DOCTYPE" in err and "entit" in err


def with_doctype(xml: str, doctype: str) -> str:
    """`xml` with `doctype` after its XML declaration, or first if it has none."""
    declaration = re.match(r"<\?xml[^>]*\?>", xml)
    at = declaration.end() if declaration else 0
    return xml[:at] + doctype + xml[at:]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"])
def test_an_xml_entity_in_any_part_is_refused_naming_the_part(audit, capsys, part):
    folder, path = audit
    rewrite_part(path, part, lambda xml: with_doctype(xml, "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"))
    code, err = import_workbook_cli(capsys, folder, path)
    assert code == 2 and f"error: {path}: part {part} declares a DOCTYPE" in err


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_openpyxl_parses_with_defusedxml_and_its_refusal_names_the_file(audit, capsys, monkeypatch, part):
    from thematic.load import xlsx

    monkeypatch.setattr(xlsx, "_PROLOG_BYTES", 0)  # our own check sees nothing: defusedxml must refuse
    folder, path = audit
    rewrite_part(path, part, lambda xml: with_doctype(xml, '<!DOCTYPE x [<!ENTITY e "x">]>'))
    code, err = import_workbook_cli(capsys, folder, path)
    assert code == 2, err
    assert f"error: {path}: an XML part declares an XML entity or DTD (EntitiesForbidden)" in err


def test_a_repeated_answer_column_is_refused_naming_both_columns(audit, capsys):
    folder, path = audit
    sheet = Sheet(path)
    column = sheet.columns["SUP-04 answer"]
    extra = sheet.ws.max_column + 1
    sheet.ws.cell(row=1, column=extra, value="SUP-04 answer")
    sheet.set("EXA-2019-002", "SUP-04 answer", "yes")
    sheet.ws.cell(row=sheet.rows["EXA-2019-002"], column=extra, value="no")
    sheet.save()
    code, err = import_workbook_cli(capsys, folder, path)
    first = openpyxl.utils.get_column_letter(column)
    second = openpyxl.utils.get_column_letter(extra)
    assert code == 2
    assert (f'error: Cases!{second}1: column "SUP-04 answer" is also column {first} (Cases!{first}1); '
            f"each column may appear once") in err


def test_a_formula_typed_into_an_answer_is_refused_at_its_cell(audit, capsys):
    folder, path = audit
    sheet = Sheet(path)
    address = sheet.set("EXA-2019-002", "SUP-04 answer", '="yes"')
    sheet.save()
    code, err = import_workbook_cli(capsys, folder, path)
    assert code == 2 and f'error: {address}: "=\\"yes\\"" is a formula; type the value itself' in err


@pytest.mark.parametrize("value", ["x", None])
def test_a_used_range_down_to_row_1048576_is_read_in_bounded_memory(audit, value):
    folder, path = audit
    sheet = Sheet(path)
    sheet.set("EXA-2019-002", "SUP-04 answer", "yes")
    sheet.save()
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: far_row(xml, value, column="A"))
    before = digest(folder)
    code, err, peak = peak_of(["import-workbook", str(path), "--inspection", str(folder / "inspection.yaml")], folder)
    assert "Traceback" not in err and "internal error" not in err, err
    if value is None:  # a styled blank cell far below: harmless, and read to the end in bounded memory
        assert code == 0, err
    else:
        assert code == 2, err
        assert ("error: Cases!A1048576: a value below row 100,000; an audit workbook has at most 100,000 rows"
                in err), err
        assert digest(folder) == before
    assert peak < 300, f"peak memory {peak:.0f} MiB"


def test_the_row_limit_of_a_sheet_is_exact(tmp_path, monkeypatch):
    from thematic.load import xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 3)
    table, mapping = xlsx_export(tmp_path / "at")
    assert [c.case_id for c in import_tables(table, mapping).cases] == ["T-001", "T-002"]  # rows 1 to 3
    table, mapping = xlsx_export(tmp_path / "over", cases=[*CASES, ["T-003", "NEG", "10/06/2019 09:00", "C-3", 3]])
    with pytest.raises(InputError) as caught:
        import_tables(table, mapping)
    assert str(caught.value) == (f"{table}[Cases] row 4: a value below row 3 (Cases!A4); a table has at most 3 rows; "
                                 "split the export into several tables")


def test_a_workbook_part_beyond_the_size_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch, capsys):
    from thematic.load import xlsx

    table, mapping = xlsx_export(tmp_path)
    with zipfile.ZipFile(table) as book:
        largest = max(book.infolist(), key=lambda info: info.file_size)
    size = largest.file_size
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", size - 1)
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert err == (f"error: {table}: part {largest.filename} is {size:,} bytes uncompressed; "
                   f"a workbook part may be at most {size - 1:,} bytes\n")
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", size)
    assert run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")[0] == 0


# --- in: XLSX exports (import-table) ---------------------------------------------------------------

def test_an_xml_entity_in_an_xlsx_export_is_refused_naming_the_part(tmp_path, capsys):
    table, mapping = xlsx_export(tmp_path / "export")
    rewrite_part(table, "xl/worksheets/sheet1.xml", lambda xml: with_entity(xml, "T-002"))
    before = digest(tmp_path / "export")
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert err.count("error:") == 1, err
    assert f"error: {table}: part xl/worksheets/sheet1.xml declares a DOCTYPE" in err and "entit" in err
    assert digest(tmp_path / "export") == before and not (tmp_path / "out").exists()


def test_a_formula_without_a_saved_value_is_refused_at_its_cell(tmp_path, capsys):
    cases = [list(r) for r in CASES]
    cases[2][4] = "=2+1"  # openpyxl saves the formula and no value, as many generators do
    table, mapping = xlsx_export(tmp_path / "export", cases=cases)
    before = digest(tmp_path / "export")
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert (f'error: {table}[Cases] row 3, column "Age": Cases!E3 is a formula (=2+1) with no saved value, so its '
            "value is unknown; open and save the file in a spreadsheet program, or paste the values") in err
    assert digest(tmp_path / "export") == before and not (tmp_path / "out").exists()


def test_a_formula_with_a_saved_value_reads_as_that_value(tmp_path):
    table, mapping = xlsx_export(tmp_path)
    rewrite_part(table, "xl/worksheets/sheet1.xml",
                 lambda xml: re.sub(r'<c r="E3"[^>]*>.*?</c>', '<c r="E3"><f>1+2</f><v>3</v></c>', xml))
    outcome = import_tables(table, mapping)
    assert outcome.problems == [] and outcome.cases[1].data["child"]["age"] == 3


@pytest.mark.parametrize("value", ["T-009", None])
def test_an_export_whose_used_range_reaches_row_1048576_is_read_in_bounded_memory(tmp_path, value):
    table, mapping = xlsx_export(tmp_path / "export")
    rewrite_part(table, "xl/worksheets/sheet1.xml", lambda xml: far_row(xml, value))
    before = digest(tmp_path / "export")
    code, err, peak = peak_of(["import-table", str(table), "--mapping", str(mapping), "-o", str(tmp_path / "out")],
                              tmp_path)
    assert "Traceback" not in err and "internal error" not in err, err
    if value is None:
        assert code == 0, err
    else:
        assert code == 2
        assert "error: export/export.xlsx[Cases] row 1048576: a value below row 100,000 (Cases!Z1048576)" in err
    assert digest(tmp_path / "export") == before
    assert peak < 200, f"peak memory {peak:.0f} MiB"


# --- in: CSV exports -----------------------------------------------------------------------------

@pytest.mark.parametrize(("cells", "message"), [
    (["T-002", "NEG", "10/06/2019 09:00", "C-0002", "3"],
     "row 3: has 5 columns; the headings in row 1 have 8 (a missing or extra separator, or a value with a "
     "separator that is not in quotes?)"),
    (["T-002", "NEG", "10/06/2019 09:00", "C-0002", "3", "", "", "", ""],
     "row 3: has 9 columns; the headings in row 1 have 8 (a missing or extra separator, or a value with a "
     "separator that is not in quotes?)"),
])
def test_a_csv_row_shorter_or_longer_than_its_headings_is_refused(tmp_path, capsys, cells, message):
    table, mapping = write_export(tmp_path / "export", cases=[CASES[0], CASES[1], cells])
    before = digest(tmp_path / "export")
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2 and f"error: {table} {message}" in err
    assert digest(tmp_path / "export") == before and not (tmp_path / "out").exists()


def test_a_csv_row_as_wide_as_its_headings_is_read(tmp_path):
    table, mapping = write_export(tmp_path, cases=[CASES[0], CASES[1], ["T-002", "NEG", "10/06/2019 09:00",
                                                                         "C-0002", "3", "", "", ""]])
    assert [c.case_id for c in import_tables(table, mapping).cases] == ["T-001", "T-002"]


@pytest.mark.parametrize(("column", "value", "shown"), [
    ("Age", "\u0663", "\u0663 (ARABIC-INDIC DIGIT THREE)"),
    ("Age", "\uff13", "\uff13 (FULLWIDTH DIGIT THREE)"),
    ("Reported", "10/06/\u0662\u0660\u0661\u0669 09:00", "\u0662 (ARABIC-INDIC DIGIT TWO)"),
    ("Reported", "\u0662\u0660\u0661\u0669-06-10T09:00", "\u0662 (ARABIC-INDIC DIGIT TWO)"),
    ("S47", "\uff11\uff10/06/2019", "\uff11 (FULLWIDTH DIGIT ONE)"),
])
def test_digits_of_other_scripts_are_refused_in_numbers_and_dates(tmp_path, capsys, column, value, shown):
    cases = [list(r) for r in CASES]
    cases[2][CASES[0].index(column)] = value
    table, mapping = write_export(tmp_path / "export", cases=cases)
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert (f'error: {table} row 3, column "{column}": "{value}" has the digit {shown}; write numbers and dates '
            "with the digits 0-9") in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("case_id", "shown"), [
    (f"T-001{ZWSP}", "U+200B ZERO WIDTH SPACE"),
    ("T-\u2060001", "U+2060 WORD JOINER"),
    ("T-\u202e001", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("T-\x07001", "U+0007 (a control character)"),
    ("T-\u00a0001", "U+00A0 NO-BREAK SPACE"),
    ("\ufeffT-001", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    (" T-001", "a space at the start"),
    ("T-001 ", "a space at the end"),
])
def test_an_id_with_an_invisible_character_is_refused(tmp_path, capsys, case_id, shown):
    cases = [*CASES, [case_id, "NEG", "10/06/2019 09:00", "C-0003", "3", "", "", ""]]
    table, mapping = write_export(tmp_path / "export", cases=cases)
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert (f'error: {table} row 4, column "Ref": case_id: the id has {shown}, which cannot be seen; '
            "ids must be visible text") in err
    assert not (tmp_path / "out").exists()


def test_a_child_row_id_with_an_invisible_character_is_refused(tmp_path):
    incidents = [list(r) for r in INCIDENTS]
    incidents[2][0] = f"T-001{ZWSP}"
    table, mapping = write_export(tmp_path, incidents=incidents)
    shown = [str(p) for p in import_tables(table, mapping).as_problems()]
    assert shown == [f'{tmp_path / "incidents.csv"} row 3, column "Ref": case_id: the id has U+200B ZERO WIDTH SPACE, '
                     "which cannot be seen; ids must be visible text"]


def test_visible_ids_with_inner_spaces_and_other_scripts_are_accepted(tmp_path):
    cases = [*CASES, ["WM 19 4", "NEG", "10/06/2019 09:00", "C-0003", "3", "", "", ""],
             ["Ж-005", "NEG", "10/06/2019 09:00", "C-0004", "3", "", "", ""]]
    table, mapping = write_export(tmp_path, cases=cases)
    outcome = import_tables(table, mapping)
    assert outcome.problems == [] and [c.case_id for c in outcome.cases][-2:] == ["WM 19 4", "Ж-005"]


@pytest.mark.parametrize(("value", "error"), [
    ("9" * 18, None),
    ("9" * 19, "a number of 19 digits; a whole number here has at most 18 digits"),
    ("9" * 5000, "a number of 5,000 digits; a whole number here has at most 18 digits"),
])
def test_a_whole_number_has_at_most_18_digits(tmp_path, value, error):
    cases = [list(r) for r in CASES]
    cases[2][4] = value
    table, mapping = write_export(tmp_path, cases=cases)
    shown = [str(p) for p in import_tables(table, mapping).as_problems()]
    if error is None:  # read as a number, then refused by the case model as an age
        assert len(shown) == 1 and "child.age" in shown[0]
    else:
        assert shown == [f'{table} row 3, column "Age": {error}']


@pytest.mark.parametrize("typed", ["insp-a\n", " insp-a", "insp-a\u200b", "../../x"])
def test_an_inspector_reference_is_checked_as_typed(blank_workbook, tmp_path, capsys, typed):
    folder = tmp_path / "work"
    shutil.copytree(blank_workbook, folder)
    (folder / "audit.xlsx").unlink()
    assert main(["workbook", str(folder / "inspection.yaml"), "-o", str(folder / "audit.xlsx")]) == 0
    capsys.readouterr()
    sheet = Sheet(folder / "audit.xlsx")
    sheet.set("EXA-2019-002", "Grade", "good")
    address = sheet.set("EXA-2019-002", "Inspector", typed)
    sheet.save()
    code, err = import_workbook_cli(capsys, folder, folder / "audit.xlsx")
    shown = typed.encode("unicode_escape").decode("ascii") if not typed.isprintable() else typed
    assert code == 2
    assert f'error: {address}: inspector "{shown}" is not an inspector\'s reference such as insp-a' in err


def test_a_utf16_csv_export_is_named_as_utf16(tmp_path, capsys):
    table, mapping = write_export(tmp_path / "export")
    table.write_bytes(table.read_text(encoding="utf-8").encode("utf-16"))
    code, err = run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")
    assert code == 2
    assert (f'error: {table}: is UTF-16 text (it starts with a UTF-16 byte-order mark); expected utf-8-sig text: '
            'save it as "CSV UTF-8", or give its encoding in the mapping, e.g. encoding: utf-16') in err
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("cases:\n  id: Ref",
                                                                   "cases:\n  id: Ref\n  encoding: utf-16"),
                       encoding="utf-8")
    assert run(capsys, "import-table", table, "--mapping", mapping, "-o", tmp_path / "out")[0] == 0
