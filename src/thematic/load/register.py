"""A force's case register (CSV): read and checked before a sample is drawn from it.

The register is one row per eligible case with a header row. `read_register` reads it as UTF-8
(a byte-order mark allowed), checks the header names the strata and id columns, and every row: the
right number of fields, a visible, unique id and a stratum. Every problem is reported with its file,
line and column, up to MAX_PROBLEMS of them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from thematic.core.errors import InputError, Problem
from thematic.core.identifiers import hidden_character
from thematic.load.yaml_source import encoding_problem, other_unicode_encoding

WEIGHT_COLUMN = "stratum_weight"
MAX_PROBLEMS = 50  # beyond this a list of errors stops helping; the count is still given


@dataclass(frozen=True)
class Register:
    """A checked register: its header, its rows (cells as read) and where each row starts."""

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on
    strata: list[str]  # each row's stratum (the cell, stripped)


def read_register(path: str | Path, *, strata_column: str, id_column: str = "case_id") -> Register:
    """Read a UTF-8 CSV register; raise InputError listing every problem found."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError.single(file, f"cannot read the register: {exc.strerror or exc}") from None
    text = _decode(file, data)

    records = _records(file, text)
    if not records:
        raise InputError.single(
            file, "the register is empty: expected a header row naming the columns, then one row per case", line=1)
    header_line, header = records[0]
    names = [cell.strip() for cell in header]
    column = _columns(file, header_line, names, strata_column, id_column)

    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    strata: list[str] = []
    first_line_of: dict[str, int] = {}
    for line, cells in records[1:]:
        if len(cells) != len(header):
            problems.append(Problem(
                file, f"has {len(cells)} field(s); the header on line {header_line} has {len(header)}", line=line))
            continue
        case_id, stratum = cells[column[id_column]].strip(), cells[column[strata_column]].strip()
        raw_id = cells[column[id_column]]
        hidden = hidden_character(raw_id.strip()) if raw_id.strip() else None
        if not case_id:
            problems.append(Problem(file, "is empty; every case needs an id", line=line, field=id_column))
        elif hidden is not None:
            problems.append(Problem(file, f"{case_id!r} holds {hidden}; an id must be visible characters only, "
                                          "or two ids that look the same would count as different cases",
                                    line=line, field=id_column))
        elif case_id in first_line_of:
            problems.append(Problem(file, f"{case_id!r} is also on line {first_line_of[case_id]}; ids must be unique",
                                    line=line, field=id_column))
        else:
            first_line_of[case_id] = line
        if not stratum:
            problems.append(Problem(file, "is empty; every case needs a stratum to be sampled from", line=line,
                                    field=strata_column))
        rows.append(cells)
        lines.append(line)
        strata.append(stratum)
    if problems:
        raise InputError(_capped(file, problems))
    if not rows:
        raise InputError.single(file, "the register has no cases: only a header row", line=header_line)
    return Register(file=file, header=header, rows=rows, lines=lines, strata=strata)


def _decode(file: str, data: bytes) -> str:
    if other_unicode_encoding(data[:64]) is not None:  # UTF-16/32: name it, rather than "NUL bytes"
        raise InputError.single(file, str(encoding_problem(data[:64], "a CSV register")), line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError.single(
            file, "is not a CSV text file (it holds NUL bytes; a spreadsheet? save it as 'CSV UTF-8')", line=line)
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as Excel writes, is allowed
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.single(
            file, f"is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded (save the register as "
                  "'CSV UTF-8')", line=line) from None


def _records(file: str, text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            raise InputError.single(file, f"is not valid CSV: {exc}", line=start) from None
        if any(cell.strip() for cell in cells):  # blank lines and all-empty rows hold no case
            records.append((start, cells))
        start = reader.line_num + 1


def _columns(file: str, line: int, names: list[str], strata_column: str, id_column: str) -> dict[str, int]:
    problems = [Problem(file, f"column {name!r} appears more than once in the header", line=line)
                for name in sorted({n for n in names if n and names.count(n) > 1})]
    if WEIGHT_COLUMN in names:
        problems.append(Problem(
            file, f"the register already has a {WEIGHT_COLUMN!r} column, which the sample adds; rename it", line=line))
    available = ", ".join(n for n in names if n) or "none"
    for option, wanted in (("--strata", strata_column), ("--id-column", id_column)):
        if wanted not in names:
            problems.append(Problem(file, f"no column {wanted!r} (given by {option}); the header has: {available}",
                                    line=line, field=wanted))
    if problems:
        raise InputError(problems)
    return {name: names.index(name) for name in (strata_column, id_column)}


def _capped(file: str, problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem(file, f"... and {more} more problem(s) not listed")]

