"""Reading the tables of a force's export: CSV files (the csv module) and XLSX sheets (openpyxl).

A table is its column headings and its rows, each row numbered as a spreadsheet shows it (the
heading row is row 1 unless the mapping says otherwise), so every problem can name the file, the
row and the column. Cells are kept as they are read: text from CSV; text, numbers, true/false,
datetimes and dates from XLSX (a date-formatted cell without hours is a date, not a datetime).
Rows whose cells are all blank are skipped, as spreadsheets often end with some.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from thematic.errors import InputError, Problem

__all__ = ["Row", "Table", "read_table", "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "TABLE_SUFFIXES"]

TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
TABLE_SUFFIXES: tuple[str, ...] = TEXT_SUFFIXES + WORKBOOK_SUFFIXES


@dataclass(frozen=True)
class Row:
    """One row of a table: its spreadsheet row number and its cells, in column order."""

    number: int
    cells: tuple[Any, ...]


@dataclass
class Table:
    """A table read from a CSV file or a workbook sheet."""

    name: str                      # as messages show it: "incidents.csv", "export.xlsx[Incidents]"
    columns: list[str]             # the headings, in order, as written (blank headings are "")
    header_row: int
    rows: list[Row] = field(default_factory=list)

    def positions(self, column: str) -> list[int]:
        """The indices of the columns headed `column` (more than one if the heading is repeated)."""
        return [i for i, name in enumerate(self.columns) if name == column]

    def used_columns(self) -> list[str]:
        """Headed columns, and unheaded ones that hold data (shown as "(column 7)")."""
        out = [name for name in self.columns if name]
        for index, name in enumerate(self.columns):
            if not name and any(index < len(r.cells) and not _blank(r.cells[index]) for r in self.rows):
                out.append(f"(column {index + 1})")
        return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(
    path: Path, name: str, *, sheet: str | None = None, header_row: int = 1,
    encoding: str = "utf-8-sig", delimiter: str | None = None,
) -> Table:
    """Read one table; InputError naming the file (and sheet) if it cannot be read as a table."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError.single(name, "file not found" if not path.exists() else "is not a file")
    if suffix in WORKBOOK_SUFFIXES:
        return _read_sheet(path, name, sheet, header_row)
    if suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise InputError.single(name, f'is a text table, not a workbook, so it has no sheet "{sheet}"')
        return _read_csv(path, name, header_row, encoding, delimiter or ("\t" if suffix == ".tsv" else ","))
    raise InputError.single(name, f"is not a table: expected {', '.join(TABLE_SUFFIXES)} (save .xls workbooks as .xlsx)")


def _finish(name: str, records: list[tuple[int, list[Any]]], header_row: int) -> Table:
    """A table from numbered records: the header, then the non-blank rows, checked for width."""
    header = next((cells for number, cells in records if number == header_row), None)
    if header is None or all(_blank(c) for c in header):
        raise InputError.single(f"{name} row {header_row}", "expected the column headings here, found an empty row"
                                if header is not None else "expected the column headings here, but the table ends before it")
    columns = ["" if _blank(c) else str(c).strip() for c in header]
    while columns and not columns[-1]:
        columns.pop()
    table = Table(name, columns, header_row)
    problems: list[Problem] = []
    width = len(columns)
    for number, cells in records:
        if number <= header_row or all(_blank(c) for c in cells):
            continue
        extra = [i for i in range(width, len(cells)) if not _blank(cells[i])]
        if extra:
            problems.append(Problem(f"{name} row {number}",
                                    f"a value in column {extra[0] + 1}, which has no heading (the headings in row "
                                    f"{header_row} name {width} columns)"))
            continue
        padded = list(cells[:width]) + [None] * (width - len(cells))
        table.rows.append(Row(number, tuple(padded)))
    if problems:
        raise InputError(problems)
    return table


def _read_csv(path: Path, name: str, header_row: int, encoding: str, delimiter: str) -> Table:
    try:
        with open(path, newline="", encoding=encoding) as handle:
            records = [(number, list(cells)) for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), 1)]
    except UnicodeDecodeError as exc:
        raise InputError.single(name, f"is not readable as {encoding} text ({exc.reason} at byte {exc.start}); "
                                      f"give the table's encoding in the mapping, e.g. encoding: cp1252") from None
    except LookupError:
        raise InputError.single(name, f'unknown encoding "{encoding}"') from None
    except csv.Error as exc:
        raise InputError.single(name, f"is not a readable CSV table: {exc}") from None
    except OSError as exc:
        raise InputError.single(name, f"cannot be read: {exc.strerror or exc}") from None
    if records and any("\0" in c for c in records[0][1]):
        raise InputError.single(name, "is not a text file; expected a CSV table")
    return _finish(name, records, header_row)


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _has_time(number_format: str) -> bool:
    """Whether a date cell's number format shows a time (hours, minutes or seconds)."""
    bare = _QUOTED.sub("", number_format or "").lower()
    return "h" in bare or "s" in bare


def _read_sheet(path: Path, name: str, sheet: str | None, header_row: int) -> Table:
    import openpyxl  # only here: importing it costs time that CSV imports need not pay
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError.single(name, f"is not a readable XLSX workbook: {exc}") from None
    except Exception as exc:  # zipfile.BadZipFile and friends: a damaged or mislabelled file
        raise InputError.single(name, f"is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise InputError.single(name, f'has no sheet "{sheet}"; its sheets are: {", ".join(workbook.sheetnames)}')
        shown = f"{name}[{worksheet.title}]"
        records: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(worksheet.iter_rows(), 1):
            values = []
            for cell in cells:
                value = cell.value
                if isinstance(value, datetime) and not _has_time(getattr(cell, "number_format", "")):
                    value = value.date()
                values.append(value)
            records.append((number, values))
    finally:
        workbook.close()
    return _finish(shown, records, header_row)
