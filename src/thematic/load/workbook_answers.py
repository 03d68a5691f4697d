"""Read a filled-in audit workbook back: every answer, note and grade, every cell checked.

Columns are found by their header text. Each bad cell is reported with its address and the
workbook's name, for example `Cases!F12: answer "maybe" is not one of yes, partly, no (in
audit.xlsx)`, and all of them together: nothing is returned (so nothing is written) until the
whole workbook is valid. Answers are matched without regard to case or surrounding spaces and
stored as the criteria declare them. A row with no answer, note or grade is skipped; a blank cell
means "nothing to record". The workbook is read row by row (`thematic.load.xlsx`): a formula is an
error, whether or not its result was saved, and so is a value below row 100,000.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError, Problem
from thematic.load import xlsx
from thematic.load.sample import InspectionT, Sample
from thematic.load.xlsx import SheetCell
from thematic.model import workbook as L
from thematic.model.case import GRADES
from thematic.model.judgements import INSPECTOR_HINT, INSPECTOR_PATTERN, AnswerEntry, CaseEntry, GradeEntry

_INSPECTOR = re.compile(INSPECTOR_PATTERN)
_GRADE_TEXT = {**{label: value for value, label in L.GRADE_LABELS.items()}, **{g: g for g in GRADES}}


@dataclass(frozen=True)
class WorkbookAnswers:
    """What a workbook holds: per inspector, per case, the answers and grade given."""

    inspection: str
    inspector: str | None  # the inspector the workbook was made for, if any
    by_inspector: dict[str, dict[str, CaseEntry]]


def _shown(value: Any) -> str:
    """A cell's value as a message quotes it, characters that cannot be seen written as escapes."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        text = value if value.isprintable() else value.encode("unicode_escape").decode("ascii")
        return '"' + text.replace('"', '\\"') + '"'
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


class _Reader:
    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.seen: dict[tuple[int, int], Any] = {}

    def problem(self, cell: SheetCell | str, message: str) -> None:
        """A problem at a cell (or a range such as Cases!1:1), naming the workbook."""
        where = cell if isinstance(cell, str) else cell.address
        self.problems.append(Problem(where, f"{message} (in {self.path})"))

    def value(self, cell: SheetCell | None) -> Any:
        """The cell's value (text stripped, blank as None); a formula or error value is a problem."""
        if cell is None:
            return None
        key = (cell.row, cell.column)
        if key not in self.seen:  # each cell is read, and any problem reported, once
            self.seen[key] = self._value(cell)
        return self.seen[key]

    def _value(self, cell: SheetCell) -> Any:
        if cell.formula is not None:
            self.problem(cell, f"{_shown(cell.formula)} is a formula; type the value itself")
            return None
        if cell.error:
            self.problem(cell, f"holds the error value {cell.value}; type the value itself")
            return None
        value = cell.value
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, cell: SheetCell | None) -> str | None:
        value = self.value(cell)
        if value is None:
            return None
        return value.isoformat() if isinstance(value, (datetime, date)) else str(value)

    def choice(self, cell: SheetCell, what: str, allowed: dict[str, str], shown: list[str]) -> str | None:
        """One of `allowed` (keys lower-case) or a problem naming every choice."""
        value = self.value(cell)
        if value is None:
            return None
        if isinstance(value, str) and value.lower() in allowed:
            return allowed[value.lower()]
        self.problem(cell, f"{what} {_shown(value)} is not one of {', '.join(shown)}")
        return None


class _Row:
    """One row of a sheet: its cells by column; a blank cell where the file has none."""

    def __init__(self, sheet: str, number: int, cells: list[SheetCell]) -> None:
        self.sheet, self.number = sheet, number
        self.cells = {cell.column: cell for cell in cells}

    def __getitem__(self, column: int) -> SheetCell:
        return self.cells.get(column) or SheetCell(self.sheet, self.number, column, None)


def _rows(path: str, wb: Any, sheet: str) -> Iterator[_Row]:
    try:
        for number, cells in xlsx.sheet_rows(wb, sheet, path):
            yield _Row(sheet, number, cells)
    except xlsx.BeyondLastRow as exc:
        raise InputError.single(exc.cell.address, f"a value below row {xlsx.MAX_SHEET_ROWS:,}; an audit workbook has "
                                                  f"at most {xlsx.MAX_SHEET_ROWS:,} rows (in {path})") from None


def _open(path: str) -> Any:
    if Path(path).is_dir():
        raise InputError.single(path, "is a folder; expected an audit workbook (.xlsx)")
    return xlsx.open_workbook(Path(path), path, data_only=False, unreadable=lambda exc: (
        "is not an Excel workbook (.xlsx); expected the workbook `thematic workbook` made"))


def _metadata(path: str, wb: Any, sample: Sample[InspectionT]) -> dict[str, str]:
    if L.LISTS not in wb.sheetnames or L.CASES not in wb.sheetnames:
        raise InputError.single(path, f"has no {L.CASES} or {L.LISTS} sheet: it is not an audit workbook made by "
                                      "`thematic workbook`")
    meta: dict[str, SheetCell] = {}
    for row in _rows(path, wb, L.LISTS):
        if row.number > len(L.META_KEYS):
            break  # the metadata are the first rows; the drop-down lists below need not be read
        meta[str(row[1].value)] = row[2]
    fmt = meta.get("format")
    if fmt is None or fmt.value != L.WORKBOOK_FORMAT:
        where = fmt.address if fmt is not None else f"{L.LISTS}!B1"
        raise InputError.single(where, f"expected {L.WORKBOOK_FORMAT}: this is not an audit workbook made by "
                                       f"`thematic workbook` (in {path})")
    made_for = meta.get("inspection") or SheetCell(L.LISTS, 2, 2, None)
    if made_for.value != sample.inspection.id:
        raise InputError.single(made_for.address, f'the workbook was made for inspection "{made_for.value}", '
                                                  f'not "{sample.inspection.id}" (in {path})')
    inspector = meta.get("inspector")
    return {"inspector": str(inspector.value).strip() if inspector is not None and inspector.value else ""}


def _columns(header: _Row | None, sample: Sample[InspectionT], reader: _Reader) -> dict[str, int]:
    """Header text -> column number; problems for missing, repeated or unknown columns."""
    headers: dict[str, int] = {}
    for column, cell in sorted(header.cells.items()) if header is not None and header.number == 1 else ():
        if not isinstance(cell.value, str) or not cell.value.strip():
            continue
        text = cell.value.strip()
        if text in headers:
            first = SheetCell(cell.sheet, 1, headers[text], None)
            reader.problem(cell, f'column "{text}" is also column {first.coordinate[:-1]} ({first.address}); each '
                                 "column may appear once")
            continue
        headers[text] = column
        if text.endswith(L.ANSWER_SUFFIX) and text[: -len(L.ANSWER_SUFFIX)] not in sample.judgement_ids:
            criteria_id = sample.inspection.criteria.file.id
            reader.problem(cell, f'column "{text}" is not a judgement criterion of {criteria_id}; '
                                 f"judgement criteria are: {', '.join(sample.judgement_ids)}")
    for name in L.REQUIRED_HEADERS:
        if name not in headers:
            reader.problem(f"{L.CASES}!1:1", f'the column "{name}" is missing from the header row')
    return headers


def read_workbook(path: str, sample: Sample[InspectionT]) -> WorkbookAnswers:
    """Every answer and grade of a workbook made for `sample`'s inspection; InputError lists every bad cell."""
    wb = _open(path)
    try:
        return _read(path, wb, sample)
    finally:
        wb.close()


def _read(path: str, wb: Any, sample: Sample[InspectionT]) -> WorkbookAnswers:
    meta = _metadata(path, wb, sample)
    problems: list[Problem] = []
    reader = _Reader(path, problems)
    rows = _rows(path, wb, L.CASES)
    columns = _columns(next(rows, None), sample, reader)
    if problems:
        raise InputError(problems)
    made_for = meta["inspector"] or None
    known = set(sample.case_ids)
    criteria = {c.id: c for c in sample.inspection.criteria.file.criteria}
    answer_columns = {cid: (columns[L.answer_header(cid)], columns.get(L.note_header(cid)))
                      for cid in sample.judgement_ids if L.answer_header(cid) in columns}
    allowed = {cid: {a.lower(): a for a in criteria[cid].answers or {}} for cid in answer_columns}
    grade_choices = {text.lower(): value for text, value in _GRADE_TEXT.items()}
    grade_shown = [L.GRADE_LABELS[g] for g in GRADES]
    by_inspector: dict[str, dict[str, CaseEntry]] = {}
    seen: dict[tuple[str, str], int] = {}

    def at(row: _Row, column: int | None) -> SheetCell | None:
        return row[column] if column is not None else None

    for row in rows:
        answers: dict[str, AnswerEntry] = {}
        content = False
        for cid, (answer_col, note_col) in answer_columns.items():
            answer_cell, note_cell = at(row, answer_col), at(row, note_col)
            raw = reader.value(answer_cell)
            if raw == L.DOES_NOT_APPLY:
                raw = None
            note = reader.text(note_cell)
            content = content or raw is not None or note is not None
            answer = None
            if raw is not None and answer_cell is not None:
                answer = reader.choice(answer_cell, "answer", allowed[cid], list(allowed[cid].values()))
            elif note is not None and note_cell is not None:
                reader.problem(note_cell, f"note given without an answer to {cid}; choose an answer or clear the note")
            if answer is not None:
                answers[cid] = AnswerEntry(answer, note)
        grade_cell, referred_cell = at(row, columns[L.GRADE_HEADER]), at(row, columns[L.REFERRED_HEADER])
        grade_note_cell, inspector_cell = at(row, columns[L.GRADE_NOTE_HEADER]), at(row, columns[L.INSPECTOR_HEADER])
        grade = reader.choice(grade_cell, "grade", grade_choices, grade_shown) if grade_cell is not None else None
        referred_value = reader.value(referred_cell)
        referred: bool | None = None
        if isinstance(referred_value, bool):
            referred = referred_value
        elif referred_cell is not None and referred_value is not None:
            chosen = reader.choice(referred_cell, "referred back", {"yes": "yes", "no": "no"}, list(L.YES_NO))
            referred = None if chosen is None else chosen == "yes"
        grade_note = reader.text(grade_note_cell)
        content = (content or any(reader.value(c) is not None for c in (grade_cell, referred_cell))
                   or grade_note is not None)
        if grade is None and reader.value(grade_cell) is None:
            for cell, value, what in ((referred_cell, referred_value, "referred back"),
                                      (grade_note_cell, grade_note, "grade note")):
                if value is not None and cell is not None:
                    reader.problem(cell, f"{what} given without a grade; choose a grade or clear the cell")
        if not content:
            continue
        case_cell = row[columns[L.CASE_HEADER]]
        case_id = reader.text(case_cell)
        if case_id is None or case_id not in known:
            reader.problem(case_cell, f"case {_shown(case_id) if case_id else '(blank)'} is not in the inspection's "
                                      f"sample ({sample.inspection.file.cases})")
            continue
        inspector = _inspector(reader, inspector_cell, made_for)
        if inspector is None:
            continue
        earlier = seen.get((case_id, inspector))
        if earlier is not None:
            reader.problem(case_cell, f"{case_id} is already on row {earlier} for {inspector}; one row per case "
                                      "and inspector")
            continue
        seen[(case_id, inspector)] = case_cell.row
        entry = CaseEntry(answers=answers)
        if grade is not None:
            entry.grade = GradeEntry(grade, bool(referred), grade_note)
        if entry.answers or entry.grade is not None:
            by_inspector.setdefault(inspector, {})[case_id] = entry
    if problems:
        raise InputError(problems)
    return WorkbookAnswers(inspection=sample.inspection.id, inspector=made_for, by_inspector=by_inspector)


def _inspector(reader: _Reader, cell: SheetCell | None, made_for: str | None) -> str | None:
    if cell is None:
        return None
    value = reader.value(cell)
    if value is None:
        reader.problem(cell, f"the inspector's reference is missing; a row with answers needs {INSPECTOR_HINT}")
        return None
    # The reference names a file: checked as typed, so a space or line break around it is refused, not trimmed.
    if not isinstance(value, str) or not _INSPECTOR.fullmatch(cell.value):
        reader.problem(cell, f"inspector {_shown(cell.value)} is not {INSPECTOR_HINT}")
        return None
    if made_for is not None and value != made_for:
        reader.problem(cell, f'inspector "{value}" differs from the workbook\'s inspector {made_for}: it holds '
                             f"{made_for}'s answers; make a workbook for {value} with --inspector {value}")
        return None
    return value
