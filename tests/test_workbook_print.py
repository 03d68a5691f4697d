"""The audit workbook prints (issue 16 item 4): A4, one page wide, header rows repeated, the case id
and the protective marking in every page's header, one type family; checked in the file and in
the PDF LibreOffice makes of it."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader
from workbook_support import example_inspection, libreoffice_convert

from thematic.cli import main
from thematic.core.typeface import FAMILY

A4 = (595.3, 841.9)  # points
#: For each kind of sheet, a header printed on every page (its title row) and its last column's
#: header: a page with the first and not the second lost columns at its right edge.
TITLE_AND_LAST = {"Cases": ("Category", "Inspector"), "Criteria": ("Severity", "Source"),
                  "case": ("Result or answer", "Evidence or note"),
                  "Guidance": ("Answers (and the result each gives)", "Source")}
MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    inspection = example_inspection(folder, keep_answers=True, judgements=None)
    target = folder / "audit.xlsx"
    assert main(["workbook", str(inspection), "-o", str(target), "--inspector", "insp-a"]) == 0
    return folder, target


@pytest.fixture(scope="module")
def book(made):
    return openpyxl.load_workbook(made[1])


@pytest.fixture(scope="module")
def pages(made):
    folder, target = made
    completed = libreoffice_convert(target, "pdf", folder)
    assert completed.returncode == 0, completed.stderr
    return PdfReader(folder / "audit.pdf").pages


def _printed(book):
    return [ws for ws in book.worksheets if ws.sheet_state == "visible"]


def _case_ids(book) -> list[str]:
    ws = book["Cases"]
    return [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]


def test_every_printed_sheet_is_a4_one_page_wide_with_the_marking_top_and_bottom(book):
    for ws in _printed(book):
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, ws.title  # A4 in the spreadsheet format's numbering
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), ws.title
        assert MARKING in ws.oddHeader.center.text and MARKING in ws.oddFooter.center.text, ws.title


def test_wide_sheets_print_landscape_and_narrow_ones_portrait(book):
    orientations = {}
    for ws in _printed(book):
        width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 10
                    for c in range(1, ws.max_column + 1))
        orientations[ws.title] = ws.page_setup.orientation
        # A4 portrait holds about 90 characters across at full size
        assert ws.page_setup.orientation == ("landscape" if width > 90 else "portrait"), (ws.title, width)
    assert orientations["Cases"] == "landscape"


def test_each_case_has_a_sheet_with_its_id_in_the_page_header_and_its_header_row_repeated(book):
    ids = _case_ids(book)
    sheets = [ws for ws in _printed(book) if ws.title not in ("Cases", "Guidance", "Criteria")]
    assert [ws.title for ws in sheets] == ids  # the example's ids are valid sheet names
    for case_id, ws in zip(ids, sheets, strict=True):
        assert ws.oddHeader.left.text == f"Case {case_id}"
        assert ws.print_title_rows == "$4:$4"
        assert [c.value for c in ws[4]] == ["Criterion", "Question", "Result or answer", "Evidence or note"]
    assert book["Cases"].print_title_rows == book["Criteria"].print_title_rows == "$1:$1"


def test_a_case_sheet_shows_the_automatic_results_and_the_inspectors_answers(book):
    ws = book["EXA-2019-001"]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in (3, 4)]
            for r in range(5, ws.max_row + 1)}
    cases = book["Cases"]
    header = {c.value: c.column for c in cases[1]}
    # the same result as the Cases sheet shows, and the answers insp-a gave (see the case file)
    assert rows["SUP-01"][0] == cases.cell(row=2, column=header["SUP-01"]).value
    assert rows["SUP-04"][0] == "yes"
    assert rows["RISK-05"][1].startswith("Both earlier incidents")
    assert rows["Grade"][0] == "good" and rows["Referred back"][0] == "no"
    assert ws.protection.sheet  # a print view: answers go in the Cases sheet


def test_one_type_family_throughout(made):
    with zipfile.ZipFile(made[1]) as archive:
        styles = archive.read("xl/styles.xml").decode()
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert set(re.findall(r'<name val="([^"]*)"', styles)) == {FAMILY}
    fonts = {font for sheet in sheets for font in re.findall(r'&amp;"([^",]*)', sheet)}
    assert fonts == {FAMILY}  # page headers and footers name it too


def test_the_pdf_has_only_a4_pages(pages):
    for number, page in enumerate(pages, 1):
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(A4, abs=1), f"page {number} is {size} points, not A4"


def test_every_pdf_page_has_the_marking_and_names_its_case_or_sheet(book, pages):
    ids = set(_case_ids(book))
    named = []
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert text.count(MARKING) >= 2, f"page {number} lacks the marking at top and bottom"
        found = re.match(r"\s*(?:Case (\S+)|exampleshire-2019: (\w+))", text)
        assert found, f"page {number} has no header naming its case or sheet: {text[:80]!r}"
        named.append(found.group(1) or found.group(2))
    assert ids <= set(named) and {"Cases", "Guidance", "Criteria"} <= set(named)


def test_no_pdf_page_is_cut_at_the_right_edge(pages):
    # Each page of a sheet with a header row repeats that row; if the sheet's columns did not fit
    # the page width, a page would carry its first header and not its last (the writer before
    # this printed the Cases sheet as 11 pages across, 10 of them without "Inspector").
    checked = 0
    for number, page in enumerate(pages, 1):
        text = " ".join(page.extract_text().split())
        for sheet, (first, last) in TITLE_AND_LAST.items():
            if first in text:
                checked += 1
                assert last in text, f"page {number} ({sheet}) has {first!r} but not its last column {last!r}"
    assert checked >= len(pages) - 1  # every page but a Guidance page without its table was checked


def test_the_marking_is_configurable_and_a_bad_one_is_refused(tmp_path, capsys):
    inspection = example_inspection(tmp_path, judgements=None)
    target = tmp_path / "audit.xlsx"
    assert main(["workbook", str(inspection), "-o", str(target), "--marking", "OFFICIAL & RESTRICTED"]) == 0
    ws = openpyxl.load_workbook(target)["Guidance"]
    assert ws.oddHeader.center.text == "&BOFFICIAL && RESTRICTED"  # "&" doubled: in a header it starts a code
    target.unlink()
    assert main(["workbook", str(inspection), "-o", str(target), "--marking", "OFFICIAL\nSENSITIVE"]) == 2
    assert "--marking" in capsys.readouterr().err
    assert not target.exists()
