"""Text from the data never runs as a spreadsheet formula, in any CSV or workbook the tool writes.

A spreadsheet program opening a CSV file reads a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return, or their full-width forms) as a formula: a case id such as
`=HYPERLINK("http://…","open")` becomes a live link. `csv_text` writes such a cell with a leading
apostrophe, which spreadsheet programs show as text (OWASP's advice on CSV injection); a plain
number such as -5 or +3.5 is data, not a formula, and is kept as it is. In a workbook, openpyxl
would store any text starting with `=` as a formula: `store_as_text` stores it as text, marked
quote-prefixed so that it stays text when the cell is edited.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_START", "looks_like_formula", "csv_text", "csv_row", "store_as_text"]

#: What a spreadsheet program may read as the start of a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program could read `text` as a formula (a plain number is not one)."""
    return text.startswith(FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None


def csv_text(value: str) -> str:
    """`value` as a CSV cell that a spreadsheet program shows as the text it is."""
    return "'" + value if looks_like_formula(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row with every text cell made safe by `csv_text`; other values unchanged."""
    return [csv_text(v) if isinstance(v, str) else v for v in values]


def store_as_text(cell: Any) -> None:
    """Make an openpyxl cell holding text store it as text, never as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl typed any text starting with "=" as a formula
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
