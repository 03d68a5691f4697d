"""Finding and reading the tables a mapping names, and matching its columns to their headings.

Child tables are found relative to the mapping file, then relative to the main table; a child
table without a file is a sheet of the main workbook. Every column the mapping names must be a
heading of its table (a missing one is reported at its line in the mapping, with the closest
heading); columns the mapping neither maps nor ignores are listed, for a warning.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError, Problem
from thematic.load.tables import WORKBOOK_SUFFIXES, Table, read_table
from thematic.tabular.mapping import Mapping, TablePlan

__all__ = ["Source", "read_sources", "display_name"]


@dataclass
class Source:
    """A table of the export, read, with the position of every column its plan uses."""

    plan: TablePlan
    table: Table
    id_position: int
    positions: dict[str, int] = field(default_factory=dict)  # column name -> index in the row
    unmapped: list[str] = field(default_factory=list)


def display_name(path: Path) -> str:
    """A path as messages show it: relative to the working folder when it is below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _resolve(mapping: Mapping, plan: TablePlan, main_path: Path, problems: list[Problem]) -> Path | None:
    if plan.file is None:
        if main_path.suffix.lower() not in WORKBOOK_SUFFIXES:
            problems.append(mapping.problem((*plan.loc, "sheet"), f"a sheet needs a workbook, but the main table "
                                            f"{display_name(main_path)} is not one; give the file"))
            return None
        return main_path
    given = Path(plan.file)
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = list(dict.fromkeys([mapping.path.parent / given, main_path.parent / given]))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = " and ".join(display_name(c.parent) if str(c.parent) else "." for c in candidates)
    problems.append(mapping.problem((*plan.loc, "file"), f'"{plan.file}" not found (looked in {looked})'))
    return None


def _columns_of(plan: TablePlan) -> list[tuple[tuple[Any, ...], str]]:
    """Every column the plan names, with the place in the mapping that names it."""
    out: list[tuple[tuple[Any, ...], str]] = [((*plan.loc, "id"), plan.id_column)]
    for part in plan.parts:
        if part.present_if is not None and part.present_if.column is not None:
            out.append(((*part.loc, "present_if"), part.present_if.column))
        for rule in part.rules:
            if rule.column is not None:
                out.append(((*part.loc, "fields", rule.target.path), rule.column))
    return out


def _match(mapping: Mapping, plan: TablePlan, table: Table, problems: list[Problem]) -> Source | None:
    found: dict[str, int] = {}
    bad = False
    for loc, column in _columns_of(plan):
        positions = table.positions(column)
        if len(positions) == 1:
            found[column] = positions[0]
            continue
        bad = True
        if positions:
            where = " and ".join(str(p + 1) for p in positions)
            problems.append(mapping.problem(
                loc, f'column "{column}" is headed the same way {len(positions)} times in '
                     f"{table.name} (columns {where}); rename one so the mapping can tell them apart"))
            continue
        headings = [c for c in table.columns if c]
        close = difflib.get_close_matches(column, headings, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else f"; its columns are: {', '.join(headings)}"
        problems.append(mapping.problem(loc, f'column "{column}" is not in {table.name}{hint}'))
    if bad:
        return None
    used = set(found) | set(plan.spec.ignore)
    unmapped = [c for c in table.used_columns() if c not in used]
    return Source(plan, table, found[plan.id_column], found, unmapped)


def read_sources(mapping: Mapping, main_path: Path) -> list[Source]:
    """The main table then each child table, read and matched; InputError with every problem."""
    problems: list[Problem] = []
    read: dict[tuple[str, str | None], Table] = {}
    sources: list[Source] = []
    for plan in [mapping.main, *mapping.children]:
        path = main_path if plan is mapping.main else _resolve(mapping, plan, main_path, problems)
        if path is None:
            continue
        spec = plan.spec
        key = (os.path.realpath(path), spec.sheet)
        try:
            table = read[key] if key in read else read_table(
                path, display_name(path), sheet=spec.sheet, header_row=spec.header_row,
                encoding=spec.encoding, delimiter=spec.delimiter)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        read[key] = table
        source = _match(mapping, plan, table, problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))  # two sheets of one unreadable workbook: said once
    return sources
