"""`cases.csv` and `cases.xlsx` beside the force report: every case, every criterion's state and evidence.

One row per case of the results document: its id, category, suggested grade (and whether it is
provisional), the inspector's grade, then for each criterion of the set, in catalogue order, its
result and the evidence that decided it, in the plain words the report uses
(`thematic.render.plain_words.evidence_words`). The two files hold the same table, so a reader can
sort and filter the cases behind any rate (issue 12 item 7).

Text from the data (a case id, evidence quoting a recorded value) never runs as a formula: CSV
cells go through `thematic.core.formulas.csv_row`, and workbook cells are stored as text with
`store_as_text`. The workbook's document dates are the report's production date (so
`SOURCE_DATE_EPOCH` gives the same date) and every printed page carries the protective marking.
Neither file is written under suppression: they name individual cases (see `thematic.render.force`).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime

from thematic.core.formulas import csv_row, store_as_text
from thematic.core.typeface import FAMILY
from thematic.model.results import CaseResult
from thematic.render.plain_words import evidence_words
from thematic.render.publication import Publication
from thematic.render.views import label

__all__ = ["CASES_FILES", "CasesTable", "case_table_files", "cases_csv", "cases_table", "cases_xlsx"]

#: The files by format, in the force report's folder.
CASES_FILES: dict[str, str] = {"csv": "cases.csv", "xlsx": "cases.xlsx"}
_SHEET = "Cases"
_FIXED = ("case id", "category", "suggested grade", "provisional", "inspector's grade")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


class CasesTable:
    """The table both files hold: a header row and one row of text per case."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.header = tuple(header)
        self.rows = tuple(tuple(row) for row in rows)


def cases_table(cases: Sequence[CaseResult], criteria_ids: Sequence[str]) -> CasesTable:
    """The case × criterion table of `cases`, with a result and an evidence column per criterion id."""
    header = [*_FIXED]
    for cid in criteria_ids:
        header += [f"{cid} result", f"{cid} evidence"]
    rows = []
    for case in cases:
        row = [case.case_id, label(case.category) if case.category else "unknown", label(case.suggested_grade),
               "yes" if case.provisional else "no", label(case.grade)]
        for cid in criteria_ids:
            result = case.results.get(cid)
            # A hand-made results file may leave a criterion out of a case: an empty cell, not a guess.
            row += ["", ""] if result is None else [label(result.state), evidence_words(result.evidence)]
        rows.append(row)
    return CasesTable(header, rows)


def cases_csv(table: CasesTable) -> bytes:
    """The table as UTF-8 CSV, formula-looking text neutralised (a leading apostrophe)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_row(table.header))
    writer.writerows(csv_row(row) for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def cases_xlsx(table: CasesTable, publication: Publication) -> bytes:
    """The table as a one-sheet workbook: every cell text (never a formula), the header row and the
    case id column frozen and printed on every page, the marking at the top and bottom of each page."""
    from openpyxl import Workbook  # heavy: loaded only when a report is written
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = _SHEET
    ws.append(list(table.header))
    for row in table.rows:
        ws.append(list(row))
    bold, plain = Font(name=FAMILY, bold=True), Font(name=FAMILY)
    top = Alignment(vertical="top", wrap_text=True)
    for row_cells in ws.iter_rows():
        for cell in row_cells:
            store_as_text(cell)  # "=HYPERLINK(...)" as a case id or in evidence stays text
            cell.font = bold if cell.row == 1 else plain
            cell.alignment = top
    for index, name in enumerate(table.header, start=1):
        evidence = name.endswith(" evidence")
        ws.column_dimensions[get_column_letter(index)].width = 45 if evidence else max(14, min(len(name) + 2, 24))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows, ws.print_title_cols = "1:1", "A:A"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    marking = "&B" + publication.marking.replace("&", "&&")  # "&" starts a header code: a literal one is doubled
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # openpyxl gives every sheet both
    header.center.text = footer.center.text = marking
    header.right.text = "Page &P of &N"
    produced = datetime(publication.produced.year, publication.produced.month, publication.produced.day)
    wb.properties.created = produced
    wb.properties.creator = publication.tool
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible(buffer.getvalue(), produced)


def _reproducible(data: bytes, produced: datetime) -> bytes:
    """The workbook with every date in it the report's production date, so the same inputs (and
    `SOURCE_DATE_EPOCH`) give the same bytes: openpyxl stamps the saving time as the document's
    "modified" date and on every zip entry."""
    stamp = produced.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = _MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), member)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=produced.timetuple()[:6]), member,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def case_table_files(cases: Sequence[CaseResult], criteria_ids: Sequence[str],
                     publication: Publication) -> Mapping[str, bytes]:
    """Both files' bytes by format ("csv", "xlsx")."""
    table = cases_table(cases, criteria_ids)
    return {"csv": cases_csv(table), "xlsx": cases_xlsx(table, publication)}
