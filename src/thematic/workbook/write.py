"""Make the audit workbook an inspector fills in: a row per case, guidance and criteria (openpyxl).

The Cases sheet shows each case's reference, category and automatic results (locked; each result
in words and colour, its evidence in the cell's comment), then for every judgement criterion an
answer drop-down and a note, then the grade, referred back, a grade note and the inspector's
reference. Given an inspector, their own answers so far are filled in (and no one else's, so a
second inspector scores blind). Guidance explains each question, its answers and the thematic
finding behind it; Criteria lists every criterion. Then a read-only sheet per case, made to be
printed and taken into a case-file review: every criterion's question with the case's automatic
result and evidence, or the inspector's answer and note so far.

Every sheet prints (issue 16): on A4, one page wide, landscape when its columns need the width,
its header row repeated on every page, the protective marking at the top and bottom of every page
and the case id (or the inspection and sheet) in the page header, all in the reports' one family.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from thematic.core.atomic import write_bytes_atomic
from thematic.core.formulas import store_as_text
from thematic.core.typeface import FAMILY
from thematic.load.sample import GRADE, Rating, Sample
from thematic.model import workbook as L
from thematic.model.case import GRADES
from thematic.model.results import NOT_APPLICABLE, CaseResult
from thematic.render.publication import DEFAULT_MARKING, check_marking
from thematic.scoring.criteria import CompiledCriterion
from thematic.scoring.evaluate import Scorer
from thematic.scoring.prepare import Inspection
from thematic.scoring.resolve import unanswered


def _font(**style: object) -> Font:
    """A font of the project's one type family (thematic.core.typeface), so workbooks match the reports."""
    return Font(name=FAMILY, **style)  # type: ignore[arg-type]


_BOLD = _font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_AUTHOR = "thematic"
#: Widest a sheet's columns may be (in column-width units, about a character each) to print
#: portrait on A4 at full size; a wider sheet prints landscape.
PORTRAIT_WIDTH = 90


def _fit_height(ws: Worksheet, row: int) -> None:
    """Set a row's height to show its wrapped text: spreadsheet programs do not always do it on opening."""
    lines = 1
    for cell in ws[row]:
        if isinstance(cell.value, str) and cell.value:
            width = ws.column_dimensions[cell.column_letter].width or 10
            # about 1.1 characters per unit of column width in the default font
            per_line = max(int(width * 1.1), 1)
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in cell.value.split("\n")))
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def _header_text(text: str) -> str:
    # In a page header "&" starts a code (&P page, &A sheet name...): a literal one is doubled.
    return text.replace("&", "&&")


def _print_setup(ws: Worksheet, *, marking: str, left: str, title_rows: str | None = None) -> None:
    """Print on A4, one page wide and as many long as needed, landscape if the columns need the width;
    `title_rows` repeated on every page; the marking centred at the top and bottom of every page,
    `left` (a case id, or the inspection and sheet) top left, the page number top right."""
    widths = sum((ws.column_dimensions[get_column_letter(c)].width or 10) for c in range(1, ws.max_column + 1))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if widths > PORTRAIT_WIDTH else "portrait"
    page_setup = ws.sheet_properties.pageSetUpPr
    assert page_setup is not None  # openpyxl gives every new sheet one
    page_setup.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if title_rows:
        ws.print_title_rows = title_rows
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # openpyxl gives every new sheet both
    parts = ((header.left, _header_text(left)), (header.center, "&B" + _header_text(marking)),
             (header.right, "Page &P of &N"), (footer.center, "&B" + _header_text(marking)))
    for part, text in parts:
        part.text, part.font, part.size = text, f"{FAMILY},Regular", 9


def _protect(ws: Worksheet) -> None:
    # Locked cells stay read-only; no password, so a sheet can be unprotected in a pinch.
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _lists_sheet(wb: Workbook, sample: Sample[Inspection], inspector: str | None) -> dict[str, str]:
    """Metadata and the drop-down lists; returns each list's range formula by key."""
    ws = wb.create_sheet(L.LISTS)
    ws.sheet_state = "hidden"
    criteria = sample.inspection.criteria
    meta = {"format": L.WORKBOOK_FORMAT, "inspection": sample.inspection.id, "criteria": criteria.id,
            "criteria_version": criteria.file.version, "inspector": inspector or ""}
    for row, key in enumerate(L.META_KEYS, 1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=meta[key])
    lists = {cid: list(criteria.criterion(cid).definition.answers or {}) for cid in sample.judgement_ids}
    lists[GRADE] = [L.GRADE_LABELS[g] for g in GRADES]
    lists["yes_no"] = list(L.YES_NO)
    ranges = {}
    for offset, (key, values) in enumerate(lists.items()):
        column = 4 + offset
        letter = get_column_letter(column)
        ws.cell(row=1, column=column, value=key)
        for row, value in enumerate(values, 2):
            ws.cell(row=row, column=column, value=value)
        ranges[key] = f"{L.LISTS}!${letter}$2:${letter}${len(values) + 1}"
    _protect(ws)
    return ranges


def _validation(formula: str, what: str, allowed: list[str], prompt: str) -> DataValidation:
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorStyle="stop", errorTitle=f"Not a {what}", error=f"Choose one of: {', '.join(allowed)}"[:255],
        promptTitle=what.capitalize()[:32], prompt=prompt[:255])


def _header(ws: Worksheet, column: int, text: str, width: float, comment: str | None = None) -> None:
    cell = ws.cell(row=1, column=column, value=text)
    cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
    if comment:
        cell.comment = Comment(comment, _AUTHOR, width=300, height=120)
    ws.column_dimensions[get_column_letter(column)].width = width


@dataclass(frozen=True)
class _Scored:
    """One case as the Cases sheet shows it, kept for its printable case sheet."""

    case_id: str
    category: str
    result: CaseResult
    own: dict[str, Rating]


def _cases_sheet(
    wb: Workbook, sample: Sample[Inspection], inspector: str | None, ranges: dict[str, str], marking: str,
) -> list[_Scored]:
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's first sheet, never a chart sheet
    ws.title = L.CASES
    criteria = sample.inspection.criteria
    automatic = [c for c in criteria.criteria if c.definition.type == "automatic"]
    judgement = [criteria.criterion(cid) for cid in sample.judgement_ids]
    scorer = Scorer(criteria, dict(sample.inspection.parameters), sample.inspection.file.as_of)

    column = 1
    _header(ws, column, L.CASE_HEADER, 16)
    _header(ws, column + 1, L.CATEGORY_HEADER, 20)
    column += 2
    auto_columns = {}
    for criterion in automatic:
        auto_columns[criterion.id] = column
        _header(ws, column, criterion.id, 16, f"{criterion.id} (automatic): {criterion.definition.question}")
        column += 1
    answer_columns = {}
    for criterion in judgement:
        answer_columns[criterion.id] = column
        _header(ws, column, L.answer_header(criterion.id), 13, f"{criterion.id}: {criterion.definition.question}")
        _header(ws, column + 1, L.note_header(criterion.id), 30)
        column += 2
    grade_column = column
    _header(ws, grade_column, L.GRADE_HEADER, 20, "Your overall grade of the case (see Guidance)")
    _header(ws, grade_column + 1, L.REFERRED_HEADER, 12,
            "yes if the case was referred back to the force because the child may still be at risk")
    _header(ws, grade_column + 2, L.GRADE_NOTE_HEADER, 30)
    _header(ws, grade_column + 3, L.INSPECTOR_HEADER, 12, "Your reference, such as insp-a; never your name")
    last_column = grade_column + 3

    validations = {cid: _validation(ranges[cid], "answer", list(criteria.criterion(cid).definition.answers or {}),
                                    criteria.criterion(cid).definition.question)
                   for cid in answer_columns}
    grade_labels = [L.GRADE_LABELS[g] for g in GRADES]
    validations[GRADE] = _validation(ranges[GRADE], "grade", grade_labels, "Overall grade: " + ", ".join(grade_labels))
    validations["yes_no"] = _validation(ranges["yes_no"], "yes or no", list(L.YES_NO),
                                        "Referred back to the force: yes or no")

    scored = []
    for row, loaded in enumerate(sample.cases, 2):
        case = loaded.case
        result = scorer.score(unanswered(case))
        own = {item: by[inspector] for item, by in sample.ratings.get(case.case_id, {}).items()
               if inspector is not None and inspector in by}
        scored.append(_Scored(case.case_id, case.category.replace("_", " "), result, own))
        ws.cell(row=row, column=1, value=case.case_id).font = _BOLD
        ws.cell(row=row, column=2, value=case.category.replace("_", " "))
        for cid, col in auto_columns.items():
            outcome = result.results[cid]
            label, fill, font = L.STATE_STYLE[outcome.state]
            cell = ws.cell(row=row, column=col, value=label)
            cell.fill = PatternFill("solid", fgColor=fill)
            cell.font = _font(color=font)
            cell.comment = Comment(f"{cid}: {outcome.evidence}", _AUTHOR, width=300, height=100)
        for cid, col in answer_columns.items():
            answer_cell, note_cell = ws.cell(row=row, column=col), ws.cell(row=row, column=col + 1)
            note_cell.alignment = _WRAP
            if result.results[cid].state == NOT_APPLICABLE:
                label, fill, font = L.STATE_STYLE[NOT_APPLICABLE]
                answer_cell.value = L.DOES_NOT_APPLY
                answer_cell.fill, answer_cell.font = PatternFill("solid", fgColor=fill), _font(color=font)
                answer_cell.comment = Comment(f"{cid}: {result.results[cid].evidence}", _AUTHOR, width=300, height=80)
                continue
            for input_cell in (answer_cell, note_cell):
                input_cell.protection, input_cell.fill = _UNLOCKED, _INPUT_FILL
            validations[cid].add(answer_cell.coordinate)
            if cid in own:
                answer_cell.value, note_cell.value = own[cid].value, own[cid].note
        grade_cells = [ws.cell(row=row, column=grade_column + i) for i in range(4)]
        for grade_cell in grade_cells:
            grade_cell.protection, grade_cell.fill = _UNLOCKED, _INPUT_FILL
        grade_cells[2].alignment = _WRAP
        validations[GRADE].add(grade_cells[0].coordinate)
        validations["yes_no"].add(grade_cells[1].coordinate)
        grade = own.get(GRADE)
        if grade is not None:
            grade_cells[0].value = L.GRADE_LABELS[grade.value]
            grade_cells[1].value = "yes" if grade.referred_back else "no"
            grade_cells[2].value = grade.note
        grade_cells[3].value = inspector
        _fit_height(ws, row)
    for validation in validations.values():
        if validation.sqref:
            ws.add_data_validation(validation)

    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(last_column)}{max(2, len(sample.cases) + 1)}"
    ws.row_dimensions[1].height = 32
    # Printed, one page wide (small: each case's own sheet is the one to print and read), the
    # header row repeated on every page.
    _print_setup(ws, marking=marking, left=f"{sample.inspection.id}: {L.CASES}", title_rows="1:1")
    _protect(ws)
    return scored


def _table(ws: Worksheet, row: int, headers: list[str], rows: list[list[str]], widths: Sequence[float]) -> int:
    """A header row at `row` and the rows below it; returns the last row written."""
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(row=row, column=column, value=text)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
        ws.column_dimensions[get_column_letter(column)].width = width
    _fit_height(ws, row)
    for values in rows:
        row += 1
        for column, value in enumerate(values, 1):
            ws.cell(row=row, column=column, value=value).alignment = _WRAP
        _fit_height(ws, row)
    return row


def _guidance_sheet(wb: Workbook, sample: Sample[Inspection], marking: str) -> None:
    ws = wb.create_sheet(L.GUIDANCE)
    criteria = sample.inspection.criteria
    file = sample.inspection.file
    lines = [
        f"Audit workbook: {file.title}",
        f"Inspection {file.inspection}, sample taken {file.as_of.isoformat()}; criteria {criteria.id} "
        f"version {criteria.file.version}.",
        "The Cases sheet has one row per case. The columns after Category are automatic results worked out "
        "from the case record: they are locked, and each says its result in words as well as colour. "
        "Hover over a result to read the evidence behind it.",
        "For each judgement question, choose an answer from the cell's drop-down list and add a note if it "
        f"helps. \"{L.DOES_NOT_APPLY}\" marks a question that does not apply to the case.",
        "Grade: good, requires improvement or inadequate. Referred back: yes if the case was referred back "
        "to the force because the child may still be at risk. Inspector: your reference (such as insp-a), "
        "never your name.",
        "A blank cell changes nothing already recorded. When you have finished, the workbook is read back "
        "with: thematic import-workbook WORKBOOK.xlsx --inspection INSPECTION.yaml",
    ]
    widths = [16, 50, 30, 28, 20, 50, 50]
    for column, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(column)].width = width
    for row, text in enumerate(lines, 1):
        # Each paragraph spans the first three columns, wrapped, so it reads on screen and on paper.
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = _font(bold=True, size=14) if row == 1 else _font()
        cell.alignment = _WRAP
        ws.row_dimensions[row].height = 15 * (1 + len(text) // 100) + (6 if row == 1 else 0)
    row = len(lines) + 2
    ws.cell(row=row, column=1, value="What the automatic results mean").font = _BOLD
    for state, meaning in L.STATE_MEANING.items():
        row += 1
        label, fill, font = L.STATE_STYLE[state]
        cell = ws.cell(row=row, column=1, value=label)
        cell.fill, cell.font = PatternFill("solid", fgColor=fill), _font(color=font)
        ws.cell(row=row, column=2, value=meaning)
    row += 2
    ws.cell(row=row, column=1, value="Judgement questions").font = _BOLD
    rows = []
    for cid in sample.judgement_ids:
        definition = criteria.criterion(cid).definition
        answers = "; ".join(f"{a}: {s.replace('_', ' ')}" for a, s in (definition.answers or {}).items())
        theme = criteria.file.themes[definition.theme]
        rows.append([cid, definition.question, answers, _applies(criteria.criterion(cid)), theme.title,
                     theme.finding, definition.source])
    row = _table(ws, row + 1, ["Criterion", "Question", "Answers (and the result each gives)", "Applies when",
                               "Theme", "Thematic finding", "Source"], rows, widths)
    row += 2
    ws.cell(row=row, column=1, value="Overall grade").font = _BOLD
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=3)
    description = criteria.file.grading.description
    ws.cell(row=row + 1, column=1, value=description).alignment = _WRAP
    ws.row_dimensions[row + 1].height = 15 * (1 + len(description) // 100)
    _print_setup(ws, marking=marking, left=f"{sample.inspection.id}: {L.GUIDANCE}")
    _protect(ws)


def _applies(criterion: CompiledCriterion) -> str:
    source = " ".join(criterion.definition.applies.split())
    return "every case" if source == "true" else source


def _criteria_sheet(wb: Workbook, sample: Sample[Inspection], marking: str) -> None:
    ws = wb.create_sheet(L.CRITERIA)
    criteria = sample.inspection.criteria
    rows = [[c.id, criteria.file.themes[c.definition.theme].title, c.definition.type, c.definition.severity,
             c.definition.question, _applies(c), c.definition.source]
            for c in criteria.criteria]
    _table(ws, 1, ["Criterion", "Theme", "Type", "Severity", "Question", "Applies when", "Source"], rows,
           [12, 22, 11, 10, 60, 30, 60])
    ws.freeze_panes = "B2"
    _print_setup(ws, marking=marking, left=f"{sample.inspection.id}: {L.CRITERIA}", title_rows="1:1")
    _protect(ws)


#: Characters a sheet name may not hold, and its longest length (spreadsheet programs' rules).
_NOT_IN_SHEET_NAMES = frozenset("[]:*?/\\")
_SHEET_NAME_MAX = 31
CASE_SHEET_HEADERS = ("Criterion", "Question", "Result or answer", "Evidence or note")


def _sheet_name(case_id: str, number: int, taken: set[str]) -> str:
    """The case id as a sheet name if it can be one (unique, case-blind), else "Case N"."""
    name = case_id
    if (len(name) > _SHEET_NAME_MAX or _NOT_IN_SHEET_NAMES & set(name) or name.startswith("'")
            or name.endswith("'") or not name.isprintable() or name.lower() in taken):
        name = f"Case {number}"
    taken.add(name.lower())
    return name


def _case_sheets(wb: Workbook, sample: Sample[Inspection], scored: list[_Scored], marking: str) -> None:
    """A sheet per case, made to be printed and taken into a case-file review: every criterion a row
    (question, automatic result and its evidence, or the answer and note so far), then the grade;
    the case id and the marking in every page's header. Read-only: answers go in the Cases sheet."""
    criteria = sample.inspection.criteria
    file = sample.inspection.file
    judgement = set(sample.judgement_ids)
    taken = {name.lower() for name in (L.CASES, L.GUIDANCE, L.CRITERIA, L.LISTS)}
    for number, case in enumerate(scored, 1):
        ws = wb.create_sheet(_sheet_name(case.case_id, number, taken))
        for column, width in enumerate((12, 46, 16, 46), 1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.merge_cells("A1:D1")
        ws.merge_cells("A2:D2")
        title = ws.cell(row=1, column=1, value=f"Case {case.case_id} ({case.category})")
        title.font = _font(bold=True, size=14)
        ws.row_dimensions[1].height = 22
        intro = ws.cell(row=2, column=1, value=(
            f"Inspection {file.inspection}: {file.title}; sample taken {file.as_of.isoformat()}; criteria "
            f"{criteria.id} version {criteria.file.version}. For reading and notes on paper: answers are "
            f"recorded in the {L.CASES} sheet."))
        intro.alignment = _WRAP
        ws.row_dimensions[2].height = 30
        rows: list[list[str]] = []
        for criterion in criteria.criteria:
            outcome = case.result.results[criterion.id]
            if criterion.id in judgement:
                if outcome.state == NOT_APPLICABLE:
                    answer, note = L.DOES_NOT_APPLY, outcome.evidence
                else:
                    own = case.own.get(criterion.id)
                    answer, note = (str(own.value), own.note or "") if own else ("", "")
            elif criterion.definition.type == "automatic":
                answer, note = L.STATE_STYLE[outcome.state][0], outcome.evidence
            else:
                continue  # a judgement question outside this sample's list is not asked of it
            rows.append([criterion.id, criterion.definition.question, answer, note])
        grade = case.own.get(GRADE)
        rows.append([L.GRADE_HEADER, "Your overall grade of the case: " + ", ".join(L.GRADE_LABELS.values()),
                     L.GRADE_LABELS.get(str(grade.value), "") if grade else "", (grade.note or "") if grade else ""])
        rows.append([L.REFERRED_HEADER, "Was the case referred back to the force because the child may still be "
                     "at risk? yes or no", ("yes" if grade.referred_back else "no") if grade else "", ""])
        last = _table(ws, 4, list(CASE_SHEET_HEADERS), rows, (12, 46, 16, 46))
        for row in range(5, last + 1):
            state_cell = ws.cell(row=row, column=3)
            style = next((st for st in L.STATE_STYLE.values() if st[0] == state_cell.value), None)
            if style is not None and ws.cell(row=row, column=1).value not in judgement:
                state_cell.fill, state_cell.font = PatternFill("solid", fgColor=style[1]), _font(color=style[2])
        _print_setup(ws, marking=marking, left=f"Case {case.case_id}", title_rows="4:4")
        _protect(ws)


def build_workbook(sample: Sample[Inspection], inspector: str | None = None,
                   marking: str = DEFAULT_MARKING) -> Workbook:
    """The audit workbook of an inspection's sample; `inspector`'s own answers so far filled in;
    every printed page marked with `marking` (checked: InputError naming --marking)."""
    marking = check_marking(marking)
    wb = Workbook()
    _default_font(wb)
    ranges = _lists_sheet(wb, sample, inspector)
    scored = _cases_sheet(wb, sample, inspector, ranges, marking)
    _guidance_sheet(wb, sample, marking)
    _criteria_sheet(wb, sample, marking)
    _case_sheets(wb, sample, scored, marking)
    wb.move_sheet(L.LISTS, offset=len(wb.sheetnames))
    wb.active = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                store_as_text(cell)  # a case id or note such as =HYPERLINK(...) stays text
    return wb


def _default_font(wb: Workbook) -> None:
    """Make the project's family the font of every unstyled cell (openpyxl's default is Calibri).

    openpyxl has no public setting for it: font 0 of a new workbook and its Normal style are the default.
    """
    default = _font(size=11, family=2)
    wb._fonts = IndexedList([default])  # type: ignore[attr-defined]  # private: no public setting
    wb._named_styles["Normal"].font = _font(size=11, family=2)  # type: ignore[attr-defined]  # as above


def save_workbook(wb: Workbook, path: str | Path) -> None:
    """Save atomically: a failed save never leaves a half-written workbook."""
    buffer = io.BytesIO()
    wb.save(buffer)
    write_bytes_atomic(path, buffer.getvalue())
