"""Reading the tables of a force's export (for `thematic import-table`): CSV files (the csv module) and XLSX
sheets (openpyxl).

A table is its column headings and its rows, each row numbered as a spreadsheet shows it (the
heading row is row 1 unless the mapping says otherwise), so every problem can name the file, the
row and the column. Cells are kept as they are read: text from CSV; text, numbers, true/false,
datetimes and dates from XLSX (a date-formatted cell without hours is a date, not a datetime).
Rows whose cells are all blank are skipped, as spreadsheets often end with some.

`read_header` reads a table only as far as its heading row, so a mapping can be checked against
every table's columns before any row is read.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError, Problem

__all__ = ["Row", "Table", "read_table", "read_header", "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES", "TABLE_SUFFIXES"]

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
    """A table read from a CSV file, a workbook sheet or a database query."""

    name: str                      # as messages show it: "incidents.csv", "export.xlsx[Incidents]"
    columns: list[str]             # the headings, in order, as written (blank headings are "")
    header_row: int
    # A list for a file; a query's rows are an iterator, read once as they stream from the database.
    rows: Iterable[Row] = field(default_factory=list)

    def positions(self, column: str) -> list[int]:
        """The indices of the columns headed `column` (more than one if the heading is repeated)."""
        return [i for i, name in enumerate(self.columns) if name == column]

    def used_columns(self) -> list[str]:
        """Headed columns, and unheaded ones that hold data (shown as "(column 7)")."""
        out = [name for name in self.columns if name]
        unheaded = [index for index, name in enumerate(self.columns) if not name]
        if unheaded and isinstance(self.rows, list):  # only a file's columns can be unheaded
            out += [f"(column {index + 1})" for index in unheaded
                    if any(index < len(r.cells) and not _blank(r.cells[index]) for r in self.rows)]
        return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(
    path: Path, name: str, *, sheet: str | None = None, header_row: int = 1,
    encoding: str = "utf-8-sig", delimiter: str | None = None,
) -> Table:
    """Read one table; InputError naming the file (and sheet) if it cannot be read as a table."""
    return _read(path, name, sheet, header_row, encoding, delimiter, header_only=False)


def read_header(
    path: Path, name: str, *, sheet: str | None = None, header_row: int = 1,
    encoding: str = "utf-8-sig", delimiter: str | None = None,
) -> Table:
    """The table's headings, as a Table without rows, reading no further than the heading row;
    InputError naming the file (and sheet) as `read_table` gives it."""
    return _read(path, name, sheet, header_row, encoding, delimiter, header_only=True)


def _read(path: Path, name: str, sheet: str | None, header_row: int, encoding: str, delimiter: str | None, *,
          header_only: bool) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError.single(name, "file not found" if not path.exists() else "is not a file")
    if suffix in WORKBOOK_SUFFIXES:
        return _read_sheet(path, name, sheet, header_row, header_only)
    if suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise InputError.single(name, f'is a text table, not a workbook, so it has no sheet "{sheet}"')
        return _read_csv(path, name, header_row, encoding, delimiter or ("\t" if suffix == ".tsv" else ","),
                         header_only)
    raise InputError.single(
        name, f"is not a table: expected {', '.join(TABLE_SUFFIXES)} (save .xls workbooks as .xlsx)")


def _through_header(records: Iterable[tuple[int, list[Any]]], header_row: int) -> list[tuple[int, list[Any]]]:
    """The records up to the heading row, and a blank one after it if the table goes on (so that
    `_finish` can tell a blank heading row from a table that ends before it), reading no further."""
    out: list[tuple[int, list[Any]]] = []
    for number, cells in records:
        if number > header_row:
            out.append((number, []))
            break
        out.append((number, cells))
        if number == header_row:
            break
    return out


def _finish(name: str, records: list[tuple[int, list[Any]]], header_row: int) -> Table:
    """A table from numbered records: the header, then the non-blank rows, checked for width."""
    header = next((cells for number, cells in records if number == header_row), None)
    if header is None and any(number > header_row for number, _ in records):
        header = []  # a workbook's blank rows are not read at all
    if header is None or all(_blank(c) for c in header):
        raise InputError.single(f"{name} row {header_row}",
                                "expected the column headings here, found an empty row" if header is not None
                                else "expected the column headings here, but the table ends before it")
    columns = ["" if _blank(c) else str(c).strip() for c in header]
    while columns and not columns[-1]:
        columns.pop()
    rows: list[Row] = []
    table = Table(name, columns, header_row, rows)
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
        rows.append(Row(number, tuple(padded)))
    if problems:
        raise InputError(problems)
    return table


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16"),
         (codecs.BOM_UTF16_BE, "UTF-16"))


def _other_unicode(path: Path, name: str, encoding: str) -> None:
    """Name a UTF-16 or UTF-32 table (as Windows tools save "Unicode text") instead of failing to decode it."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(4)
        wanted = codecs.lookup(encoding).name
    except (OSError, LookupError):
        return  # reported when the table is read
    for bom, family in _BOMS:
        if start.startswith(bom) and not wanted.startswith(family.lower()):
            raise InputError.single(name, f"is {family} text (it starts with a {family} byte-order mark); expected "
                                          f'{encoding} text: save it as "CSV UTF-8", or give its encoding in the '
                                          f"mapping, e.g. encoding: {family.lower()}")


def _read_csv(path: Path, name: str, header_row: int, encoding: str, delimiter: str, header_only: bool) -> Table:
    _other_unicode(path, name, encoding)
    try:
        with open(path, newline="", encoding=encoding) as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            numbered = ((number, list(cells)) for number, cells in enumerate(reader, 1))
            records = _through_header(numbered, header_row) if header_only else list(numbered)
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
        raise InputError.single(name, f"is not {encoding} text: it holds NUL bytes, as UTF-16 text and binary files "
                                      'do; expected a CSV table: save it as "CSV UTF-8", or give its encoding in the '
                                      "mapping, e.g. encoding: utf-16")
    _check_widths(name, records, header_row)
    return _finish(name, records, header_row)


def _check_widths(name: str, records: list[tuple[int, list[Any]]], header_row: int) -> None:
    """Every CSV row below the headings has as many fields as the heading row: a short or long row means
    a lost or extra separator, and its values would land in the wrong columns."""
    header = next((cells for number, cells in records if number == header_row), None)
    if header is None:
        return
    width, headed = len(header), max((i + 1 for i, c in enumerate(header) if not _blank(c)), default=0)
    problems = [Problem(f"{name} row {number}", f"has {len(cells)} columns; the headings in row {header_row} have "
                                                f"{width} (a missing or extra separator, or a value with a separator "
                                                "that is not in quotes?)")
                for number, cells in records
                if number > header_row and len(cells) != width and not all(_blank(c) for c in cells)
                # a value beyond the last heading is reported by _finish, with its column
                and all(_blank(c) for c in cells[headed:])]
    if problems:
        raise InputError(problems)


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _has_time(number_format: str) -> bool:
    """Whether a date cell's number format shows a time (hours, minutes or seconds)."""
    bare = _QUOTED.sub("", number_format or "").lower()
    return "h" in bare or "s" in bare


def _read_sheet(path: Path, name: str, sheet: str | None, header_row: int, header_only: bool) -> Table:
    from thematic.load import xlsx

    workbook = xlsx.open_workbook(
        path, name, data_only=True,
        unreadable=lambda exc: f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})")
    try:
        if sheet is None:
            sheet = workbook.sheetnames[0]
        elif sheet not in workbook.sheetnames:
            raise InputError.single(name, f'has no sheet "{sheet}"; its sheets are: {", ".join(workbook.sheetnames)}')
        shown = f"{name}[{sheet}]"
        records: list[tuple[int, list[Any]]] = []
        formulas: list[xlsx.SheetCell] = []
        try:
            for number, cells in xlsx.sheet_rows(workbook, sheet, name):
                values: list[Any] = [None] * cells[-1].column
                for cell in cells:
                    value = cell.value
                    if isinstance(value, datetime) and not _has_time(cell.number_format):
                        value = value.date()
                    if cell.formula is not None:
                        formulas.append(cell)
                    values[cell.column - 1] = value
                records.append((number, values))
                if header_only and number >= header_row:
                    records = _through_header(records, header_row)
                    break
        except xlsx.BeyondLastRow as exc:
            raise InputError.single(f"{shown} row {exc.cell.row}",
                                    f"a value below row {xlsx.MAX_SHEET_ROWS:,} ({exc.cell.address}); a table has at "
                                    f"most {xlsx.MAX_SHEET_ROWS:,} rows; split the export into several "
                                    "tables") from None
    finally:
        workbook.close()
    table = _finish(shown, records, header_row)
    if formulas:
        # Made by a program that wrote the formula and not its result: the value is unknown, not blank.
        raise InputError([Problem(f"{shown} row {cell.row}" + _column_of(table, cell.column),
                                  f"{cell.address} is a formula ({cell.formula}) with no saved value, so its value is "
                                  "unknown; open and save the file in a spreadsheet program, or paste the values")
                          for cell in formulas])
    return table


def _column_of(table: Table, column: int) -> str:
    heading = table.columns[column - 1] if column <= len(table.columns) else ""
    return f', column "{heading}"' if heading else f", column {column}"
