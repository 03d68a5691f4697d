"""Reading an uploaded .xlsx workbook in bounded time and memory, refusing what must not be expanded.

A workbook is a zip file of XML parts. Before openpyxl parses anything, every part is checked: its
declared uncompressed size is at most MAX_PART_BYTES (zip reads stop there, so a small file cannot
unpack to gigabytes), and no XML part declares a DOCTYPE, the way to entities that expand without
bound or read other files (spreadsheet programs never write one). openpyxl parses with defusedxml
as a second line of defence; its refusal is reported the same way, with the file's name.

Sheets are read in read-only mode, row by row as their XML is parsed, never as the rectangle their
"used range" claims: a sheet whose used range reaches row 1,048,576 costs only the rows really in
the file. A value below row MAX_SHEET_ROWS is refused with its cell (`BeyondLastRow`). A formula
whose result was never saved (files made by programs other than spreadsheets) has no value to
read: it is marked (`SheetCell.formula`), so callers report it instead of reading a blank.
"""
from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from thematic.core.errors import InputError, Problem

__all__ = ["MAX_PART_BYTES", "MAX_SHEET_ROWS", "SheetCell", "BeyondLastRow", "open_workbook", "sheet_rows"]

#: The largest uncompressed size of one part (a sheet of 100,000 rows of 30 columns is about 120 MiB).
MAX_PART_BYTES = 256 * 1024 * 1024
#: The last row of a sheet that may hold a value.
MAX_SHEET_ROWS = 100_000
MAX_PARTS = 10_000
_PROLOG_BYTES = 64 * 1024  # a DOCTYPE must come before the root element: it is in the first bytes of a part
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, KeyError, OSError, ValueError)


@dataclass(frozen=True)
class SheetCell:
    """One cell that holds something: a value, an error value, or a formula with no saved value."""

    sheet: str
    row: int
    column: int
    value: Any                # text, number, bool, datetime; the error text (#N/A) for an error value
    formula: str | None = None  # "=...": a formula whose value is not read (none saved, or not asked for)
    error: bool = False
    number_format: str = "General"

    @property
    def coordinate(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def address(self) -> str:
        """As spreadsheets and messages write it: Cases!F12."""
        return f"{self.sheet}!{self.coordinate}"


class BeyondLastRow(InputError):
    """A value below row MAX_SHEET_ROWS; callers may say it their way (`cell` is the first such cell)."""

    def __init__(self, name: str, cell: SheetCell) -> None:
        self.cell = cell
        super().__init__([Problem(name, f"{cell.address}: a value below row {MAX_SHEET_ROWS:,}; a sheet may have "
                                        f"at most {MAX_SHEET_ROWS:,} rows")])


def _check_package(path: Path, name: str) -> None:
    """Refuse oversized parts and DOCTYPE declarations before any XML is parsed."""
    with zipfile.ZipFile(path) as package:
        members = package.infolist()
        if len(members) > MAX_PARTS:
            raise InputError.single(name, f"holds {len(members):,} parts; a workbook may have at most {MAX_PARTS:,}")
        for info in members:
            if info.file_size > MAX_PART_BYTES:
                raise InputError.single(name, f"part {info.filename} is {info.file_size:,} bytes uncompressed; a "
                                              f"workbook part may be at most {MAX_PART_BYTES:,} bytes")
            if not info.filename.lower().endswith(_XML_SUFFIXES):
                continue
            with package.open(info) as stream:
                head = stream.read(_PROLOG_BYTES)
            text = head.decode("utf-16") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head.decode("latin-1")
            found = text.upper().find("<!DOCTYPE")
            if found >= 0:
                shown = " ".join(text[found:found + 60].split())
                raise InputError.single(name, f'part {info.filename} declares a DOCTYPE ("{shown}..."): XML '
                                              "entities and DTDs are refused in an uploaded workbook, as they can "
                                              "expand without bound or read other files; save the workbook again "
                                              "from a spreadsheet program")


def _refused_xml(name: str, exc: Exception, part: str = "an XML part") -> InputError:
    return InputError.single(name, f"{part} declares an XML entity or DTD ({type(exc).__name__}): XML entities and "
                                   "DTDs are refused in an uploaded workbook")


def open_workbook(path: Path, name: str, *, data_only: bool, unreadable: Callable[[Exception], str]) -> Any:
    """The workbook at `path` in read-only mode, after `_check_package`; InputError naming `name`
    (with `unreadable(exc)` as the message when it is not a readable workbook at all)."""
    import openpyxl  # only here: importing it costs time that CSV imports need not pay
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_package(path, name)
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except InputError:
        raise
    except DefusedXmlException as exc:
        raise _refused_xml(name, exc) from None
    except ValueError as exc:
        refused = exc.__cause__ or exc.__context__  # openpyxl re-raises a parser's refusal as a ValueError
        if isinstance(refused, DefusedXmlException):
            raise _refused_xml(name, refused) from None
        raise InputError.single(name, unreadable(exc)) from None
    except FileNotFoundError:
        raise InputError.single(name, "file not found") from None
    except IsADirectoryError:
        raise InputError.single(name, "is a folder, not a workbook") from None
    except (InvalidFileException, *_UNREADABLE) as exc:
        raise InputError.single(name, unreadable(exc)) from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged file (TypeError, AttributeError...)
        raise InputError.single(name, unreadable(exc)) from None


def _parser_class() -> type:
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    formula_tag = f"{{{SHEET_MAIN_NS}}}f"

    class Parser(WorkSheetParser):
        """openpyxl's sheet parser, also noting formulas whose value is not read."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            formula = element.find(formula_tag)
            if formula is not None and (not self.data_only or cell["value"] is None):
                cell["formula"] = "=" + (formula.text or "")
            return cell

    return Parser


def _blank(cell: dict[str, Any]) -> bool:
    value = cell["value"]
    return "formula" not in cell and (value is None or (isinstance(value, str) and not value.strip()))


def sheet_rows(workbook: Any, sheet: str, name: str) -> Iterator[tuple[int, list[SheetCell]]]:
    """(row number, the cells holding something) of each row of `sheet` with such a cell, in order,
    parsed as read. BeyondLastRow at the first value below MAX_SHEET_ROWS; InputError naming the
    file and part if the XML cannot be read."""
    from defusedxml import DefusedXmlException
    from openpyxl.cell.read_only import ReadOnlyCell

    worksheet = workbook[sheet]
    # openpyxl's read-only sheet pads every row of its claimed used range; its parser, used directly,
    # yields only the rows in the file. These attributes are openpyxl's own (3.1); the tests pin them.
    part = getattr(worksheet, "_worksheet_path", "a worksheet part")
    try:
        with worksheet._get_source() as source:
            parser = _parser_class()(source, worksheet._shared_strings, data_only=workbook.data_only,
                                     epoch=workbook.epoch, date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for number, raw in parser.parse():
                cells = []
                for cell in raw:
                    if _blank(cell):
                        continue
                    value, formula = cell["value"], cell.get("formula")
                    number_format = "General"
                    if isinstance(value, datetime):
                        number_format = ReadOnlyCell(worksheet, cell["row"], cell["column"], value,
                                                     cell["data_type"], cell["style_id"]).number_format
                    found = SheetCell(worksheet.title, cell["row"], cell["column"], None if formula else value,
                                      formula, cell["data_type"] == "e", number_format)
                    if number > MAX_SHEET_ROWS:
                        raise BeyondLastRow(name, found)
                    cells.append(found)
                if cells:
                    yield number, cells
    except InputError:
        raise
    except DefusedXmlException as exc:
        raise _refused_xml(name, exc, f"part {part.lstrip('/')}") from None
    except _UNREADABLE as exc:
        raise InputError.single(name, f"part {part.lstrip('/')} cannot be read ({type(exc).__name__}: {exc}); "
                                      "save the workbook again from a spreadsheet program") from None
