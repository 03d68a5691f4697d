"""Finding and reading the tables a mapping names, and matching its columns to their headings.

Child tables are found relative to the mapping file, then relative to the main table; a child
table without a file is a sheet of the main workbook. Reading a database instead, each table is
its query (`query:`), run through `load.database_tables`.

The mapping is checked against every table's headings (a query's columns) before any row is read:
every column it names must be a heading of its table (a missing one is reported at its line in the
mapping, with the closest heading), and every problem found, with these and in the mapping itself,
is reported together. A list section of numbered column groups (`Referral {n} Date`) takes the
groups whose numbers appear in the headings, in number order. Columns the mapping neither maps nor
ignores are listed, for a warning.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematic.core.errors import InputError, Problem
from thematic.load.tables import WORKBOOK_SUFFIXES, Table, read_header, read_table
from thematic.tabular.mapping import GROUP_NUMBER, Mapping, PartPlan, TablePlan, group_column

if TYPE_CHECKING:
    from thematic.load.database_tables import Database

__all__ = ["Source", "read_sources", "display_name", "ordered_problems"]


@dataclass
class Source:
    """A table of the export, read, with the position of every column its plan uses."""

    plan: TablePlan
    table: Table
    id_position: int
    positions: dict[str, int] = field(default_factory=dict)  # column name -> index in the row
    unmapped: list[str] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)  # grouped part -> its group numbers, in order


def display_name(path: Path) -> str:
    """A path as messages show it: relative to the working folder when it is below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _resolve(mapping: Mapping, plan: TablePlan, main_path: Path, problems: list[Problem]) -> Path | None:
    if plan.file is None and plan.spec.sheet is None:
        return None  # reported with the mapping's own problems
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


def _group_numbers(mapping: Mapping, part: PartPlan, table: Table, problems: list[Problem],
                   unmatched_patterns: set[str]) -> list[str]:
    """The numbers of a grouped part's column groups found in the headings, in number order (as
    written, so "01" stays "01"); a pattern that matches no heading is a problem at its line (and
    goes in `unmatched_patterns`, so that its groups' columns are not reported one by one)."""
    numbers: dict[int, str] = {}
    unmatched: list[tuple[tuple[Any, ...], str]] = []
    for rule in part.rules:
        if rule.column is None or rule.column.count(GROUP_NUMBER) != 1:
            continue
        before, after = rule.column.split(GROUP_NUMBER)
        pattern = re.compile(re.escape(before) + r"([0-9]+)" + re.escape(after))
        matched = [m.group(1) for m in map(pattern.fullmatch, table.columns) if m]
        for text in matched:
            numbers.setdefault(int(text), text)
        if not matched:
            unmatched.append(((*part.loc, "fields", rule.target.path), rule.column))
    for loc, column in unmatched:
        unmatched_patterns.add(column)
        headings = [c for c in table.columns if c]
        close = difflib.get_close_matches(column.replace(GROUP_NUMBER, "1"), headings, n=1, cutoff=0.6)
        hint = f'; did you mean "{_as_pattern(close[0])}"?' if close else f"; its columns are: {', '.join(headings)}"
        problems.append(mapping.problem(loc, f'no column of {table.name} matches "{column}" ({GROUP_NUMBER} '
                                             f"standing for a group's number){hint}"))
    return [numbers[n] for n in sorted(numbers)]


def _as_pattern(heading: str) -> str:
    """A heading as a group's pattern: its first number replaced by {n}."""
    return re.sub(r"[0-9]+", GROUP_NUMBER, heading, count=1)


def _columns_of(plan: TablePlan, groups: dict[str, list[str]],
                unmatched: set[str]) -> list[tuple[tuple[Any, ...], str]]:
    """Every column the plan names (each column of every group found), with the place in the mapping
    that names it."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if plan.spec.id is not None:
        out.append(((*plan.loc, "id"), plan.spec.id))
    for part in plan.parts:
        if part.present_if is not None and part.present_if.column is not None:
            out.append(((*part.loc, "present_if"), part.present_if.column))
        numbers: list[str | None] = list(groups.get(part.part, [])) if part.grouped else [None]
        for rule in part.rules:
            if rule.column is None or (part.grouped and (rule.column.count(GROUP_NUMBER) != 1
                                                         or rule.column in unmatched)):
                continue
            out += [((*part.loc, "fields", rule.target.path), group_column(rule.column, n)) for n in numbers]
    return out


def _match(mapping: Mapping, plan: TablePlan, table: Table, problems: list[Problem]) -> Source | None:
    """The plan's columns found in the table's headings; None (and the problems) if any is missing
    or headed twice."""
    unmatched: set[str] = set()
    groups = {part.part: _group_numbers(mapping, part, table, problems, unmatched)
              for part in plan.parts if part.grouped}
    found: dict[str, int] = {}
    bad = plan.spec.id is None or bool(unmatched)
    missing: dict[tuple[Any, ...], list[str]] = {}
    for loc, column in _columns_of(plan, groups, unmatched):
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
        missing.setdefault(loc, []).append(column)
    for loc, columns in missing.items():
        headings = [c for c in table.columns if c]
        if len(columns) > 1:  # a group's column missing from several groups: said once
            listed = ", ".join(f'"{c}"' for c in columns)
            problems.append(mapping.problem(loc, f"columns {listed} are not in {table.name}; every group of a list "
                                                 "section needs each of its columns"))
            continue
        column = columns[0]
        close = difflib.get_close_matches(column, headings, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else f"; its columns are: {', '.join(headings)}"
        problems.append(mapping.problem(loc, f'column "{column}" is not in {table.name}{hint}'))
    if bad:
        return None
    return Source(plan, table, found[plan.id_column], found, groups=groups)


def _unmapped(source: Source) -> list[str]:
    """Columns neither mapped nor ignored; an ignored name with {n} ignores that column of every group."""
    used = set(source.positions) | set(source.plan.spec.ignore)
    groups = [re.compile(re.escape(before) + "[0-9]+" + re.escape(after))
              for before, after in (name.split(GROUP_NUMBER, 1) for name in source.plan.spec.ignore
                                    if GROUP_NUMBER in name)]
    return [c for c in source.table.used_columns() if c not in used and not any(g.fullmatch(c) for g in groups)]


def _mode_problems(mapping: Mapping, plan: TablePlan, database: bool) -> list[Problem]:
    """A table read the wrong way: a query without a database, or a file or sheet with one."""
    spec = plan.spec
    if database and spec.query is None:
        return [mapping.problem(plan.loc, "give the query (query: SELECT …); the tables are read from the database "
                                          "(--database-url)")]
    if database and (spec.sheet is not None or getattr(spec, "file", None) is not None):
        key = "sheet" if spec.sheet is not None else "file"
        return [mapping.problem((*plan.loc, key), f"{key} names a table of a file export; reading the database, "
                                                  "each table is its query: leave the file and sheet out")]
    if not database and spec.query is not None:
        return [mapping.problem((*plan.loc, "query"), "a query reads a database: give --database-url (or set "
                                                      "THEMATIC_IMPORT_DATABASE_URL), or give the table's file")]
    return []


def ordered_problems(mapping: Mapping, problems: list[Problem]) -> list[Problem]:
    """Every problem once: the mapping's by line, then the export's, in the order found."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (0, p.line or 0) if p.file == mapping.doc.file else (1, 0))


def read_sources(mapping: Mapping, main_path: Path | None, problems: list[Problem] | None = None, *,
                 database: Database | None = None) -> list[Source]:
    """The main table then each child table, read and matched; InputError with every problem, those
    of the mapping (`problems`, from `read_mapping`) among them. Every table's headings are checked
    before any row is read; a database's rows stream as the cases are built."""
    problems = list(problems or [])
    sources: list[Source] = []
    paths: dict[int, Path] = {}
    for plan in [mapping.main, *mapping.children]:
        mode = _mode_problems(mapping, plan, database is not None)
        if mode:
            problems += mode
            continue
        spec = plan.spec
        try:
            if database is not None:
                assert spec.query is not None  # _mode_problems
                try:
                    table = database.query(f"the {plan.name} query", spec.query)
                except InputError as exc:
                    problems += [mapping.problem((*plan.loc, "query"), p.message) for p in exc.problems]
                    continue
            else:
                assert main_path is not None
                path = main_path if plan is mapping.main else _resolve(mapping, plan, main_path, problems)
                if path is None:
                    continue
                paths[id(plan)] = path
                table = read_header(path, display_name(path), sheet=spec.sheet, header_row=spec.header_row,
                                    encoding=spec.encoding, delimiter=spec.delimiter)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        source = _match(mapping, plan, table, problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise InputError(ordered_problems(mapping, problems))  # two sheets of one unreadable workbook: said once
    if database is None:
        _read_rows(sources, paths)
    for source in sources:
        source.unmapped = _unmapped(source)
    return sources


def _read_rows(sources: list[Source], paths: dict[int, Path]) -> None:
    """Every file table read whole, once per file and sheet; InputError with every table's problems."""
    problems: list[Problem] = []
    read: dict[tuple[str, str | None], Table] = {}
    for source in sources:
        spec, path = source.plan.spec, paths[id(source.plan)]
        key = (os.path.realpath(path), spec.sheet)
        try:
            source.table = read[key] if key in read else read_table(
                path, display_name(path), sheet=spec.sheet, header_row=spec.header_row,
                encoding=spec.encoding, delimiter=spec.delimiter)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        read[key] = source.table
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
