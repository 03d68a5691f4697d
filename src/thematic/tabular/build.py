"""Turning the rows of an export into case-file cases, validated by `thematic.model.case.Case`.

The main table gives one case per row; child tables add entries to the case whose id they name.
Absent, empty and null follow the case-file format: a section the mapping does not name is left
out of every case (the export did not capture it); a list section the mapping names is `[]` for a
case with no rows; an object section is null where its `present_if` column is blank or false, or
(without `present_if`) where all its columns are blank in the case's row. A list section from
numbered column groups of the main table has one entry per group, in number order, skipping the
groups whose columns are all blank in the case's row.

Rows are read once, in order, and not kept (a database's rows stream): a case remembers the row
numbers its values came from, not the rows.

Every value remembers the table, row and column it came from, so a problem found by the case
model (an age of 19, a severity of 7) is reported at its cell, like a code that does not convert.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from thematic.core.errors import Problem
from thematic.core.identifiers import hidden_character
from thematic.load.tables import Row
from thematic.load.yaml_source import YamlDocument, validation_problems
from thematic.model.case import SECTIONS, Case
from thematic.tabular.convert import OMIT, CellError, cell_text, convert, is_blank
from thematic.tabular.mapping import Mapping, PartPlan, group_column
from thematic.tabular.sources import Source
from thematic.tabular.targets import MAIN_PART, leaf_fields

__all__ = ["RowProblem", "ImportedCase", "Built", "build_cases"]


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row (and usually one cell) of the export."""

    table: str
    row: int
    column: str | None
    message: str
    case_id: str | None = None
    value: Any = None
    field: str | None = None
    order: tuple[int, int] = (0, 0)  # (table, column) positions, to list problems in file order

    def problem(self) -> Problem:
        where = f"{self.table} row {self.row}" + (f', column "{self.column}"' if self.column is not None else "")
        return Problem(where, self.message, field=self.field)


@dataclass(frozen=True)
class ImportedCase:
    """A valid case, in the order of the case-file format, and the main-table row it came from."""

    case_id: str
    data: dict[str, Any]
    table: str
    row: int


@dataclass
class Built:
    """Every case built: the valid ones, and every problem found (mapping problems apart)."""

    cases: list[ImportedCase] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    mapping_problems: list[Problem] = field(default_factory=list)
    rejected_ids: list[str] = field(default_factory=list)


@dataclass
class _Origin:
    source_index: int
    row: int                                   # the row's number
    column: str | None
    raw: Any = None


@dataclass
class _Draft:
    case_id: str
    row: int                                   # the main-table row's number
    data: dict[str, Any]
    origins: dict[str, _Origin] = field(default_factory=dict)   # field path -> where it came from
    constants: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # field path -> loc in mapping
    failed: set[str] = field(default_factory=set)               # field paths whose cell did not convert
    problems: list[RowProblem] = field(default_factory=list)


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = value


@cache
def _rank(part: str) -> dict[str, int]:
    """The position of every field path (and of its parents) in the case-file format's order."""
    rank: dict[str, int] = {}
    for index, leaf in enumerate(leaf_fields(part)):
        names = leaf.path.split(".")
        for depth in range(1, len(names) + 1):
            rank.setdefault(".".join(names[:depth]), index)
    return rank


def _ordered(part: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its keys in the order of the case-file format (extensions last)."""
    rank = _rank(part)

    def order(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        keys = sorted(node, key=lambda k: rank.get(prefix + k, len(rank)))
        return {k: order(node[k], f"{prefix}{k}.") if isinstance(node[k], dict) else node[k] for k in keys}

    return order(data, "")


class _Builder:
    def __init__(self, mapping: Mapping, sources: list[Source]) -> None:
        self.mapping = mapping
        self.sources = sources
        self.out = Built()
        self.drafts: dict[str, _Draft] = {}

    # -- problems ---------------------------------------------------------------------------------

    def row_problem(self, index: int, row: Row | int, column: str | None, message: str, *, case_id: str | None,
                    raw: Any = None, field_name: str | None = None) -> RowProblem:
        source = self.sources[index]
        position = source.positions.get(column, -1) if column is not None else -1
        number = row if isinstance(row, int) else row.number
        return RowProblem(source.table.name, number, column, message, case_id, raw, field_name, (index, position))

    # -- one part of a row ------------------------------------------------------------------------

    def fill(self, draft: _Draft, index: int, row: Row, part: PartPlan, prefix: str,
             group: str | None = None) -> dict[str, Any] | None:
        """The values of `part` from `row` (from column group number `group` of a grouped part), noting
        where each came from; None if it is null."""
        source = self.sources[index]
        if part.present_if is not None:
            switch = part.present_if
            raw = row.cells[source.positions[switch.column]] if switch.column is not None else None
            try:
                present = convert(switch, raw)
            except CellError as exc:
                draft.problems.append(self.row_problem(index, row, switch.column, str(exc),
                                                       case_id=draft.case_id, raw=raw))
                draft.failed.add(prefix[:-1])
                return {}
            if not present:
                return None
        elif part.loc[:2] == ("cases", "sections") and not part.grouped:  # an object section of the main table
            filled = [r for r in part.rules
                      if r.column is not None and not is_blank(row.cells[source.positions[r.column]])]
            if not filled:
                return None
        values: dict[str, Any] = {}
        for rule in part.rules:
            path = prefix + rule.target.path
            if rule.column is None:
                if rule.constant is not OMIT:
                    _set(values, rule.target.path, rule.constant)
                    draft.constants[path] = (*part.loc, "fields", rule.target.path, "value")
                continue
            column = group_column(rule.column, group)
            raw = row.cells[source.positions[column]]
            try:
                value = convert(rule, raw)
            except CellError as exc:
                message = str(exc)
                if is_blank(raw):
                    message = (f"is blank; {self.qualified(part, rule.target.path)} needs a value "
                               f"({rule.target.describe()})")
                draft.problems.append(self.row_problem(index, row, column, message,
                                                       case_id=draft.case_id, raw=raw))
                draft.failed.add(path)
                continue
            draft.origins[path] = _Origin(index, row.number, column, raw)
            if value is not OMIT:
                _set(values, rule.target.path, value)
        return values

    @staticmethod
    def qualified(part: PartPlan, path: str) -> str:
        return path if part.part == MAIN_PART else f"{part.part}.{path}"

    # -- tables -----------------------------------------------------------------------------------

    def hidden_in_id(self, index: int, row: Row, raw: Any) -> bool:
        """Refuse an id with a character that cannot be seen; True if it had one."""
        hidden = hidden_character(raw)
        if hidden is not None:
            self.out.problems.append(self.row_problem(
                index, row, self.sources[index].plan.spec.id, f"the id has {hidden}, which cannot be seen; ids must "
                "be visible text", case_id=None, raw=raw, field_name="case_id"))
        return hidden is not None

    def main_rows(self) -> None:
        source = self.sources[0]
        seen: dict[str, int] = {}
        for row in source.table.rows:
            raw = row.cells[source.id_position]
            case_id = cell_text(raw)
            if not case_id:
                self.out.problems.append(self.row_problem(0, row, source.plan.spec.id,
                                                          "is blank; every case needs its id", case_id=None))
                continue
            if self.hidden_in_id(0, row, raw):
                continue
            if case_id in seen:
                first = seen[case_id]
                self.out.problems.append(self.row_problem(
                    0, row, source.plan.spec.id, f'case id "{case_id}" is already used in row {first}',
                    case_id=case_id, raw=raw))
                self.drafts[case_id].problems.append(self.row_problem(
                    0, first, source.plan.spec.id, f'case id "{case_id}" is used again in row {row.number}',
                    case_id=case_id, raw=raw))
                continue
            seen[case_id] = row.number
            draft = _Draft(case_id, row.number, {"case_id": case_id})
            draft.origins["case_id"] = _Origin(0, row.number, source.plan.spec.id, raw)
            self.drafts[case_id] = draft
            for part in source.plan.parts:
                if part.part == MAIN_PART:
                    draft.data.update(self.fill(draft, 0, row, part, "") or {})
                elif part.grouped:
                    draft.origins[part.part] = _Origin(0, row.number, None)
                    draft.data[part.part] = self.groups(draft, row, part)
                else:
                    draft.origins[part.part] = _Origin(0, row.number, None)
                    draft.data[part.part] = self.fill(draft, 0, row, part, part.part + ".")

    def groups(self, draft: _Draft, row: Row, part: PartPlan) -> list[dict[str, Any]]:
        """A list section's entries from the row's numbered column groups, in number order; a group
        whose columns are all blank is no entry."""
        source = self.sources[0]
        entries: list[dict[str, Any]] = []
        for number in source.groups[part.part]:
            cells = [row.cells[source.positions[group_column(r.column, number)]] for r in part.rules
                     if r.column is not None]
            if all(is_blank(cell) for cell in cells):
                continue
            prefix = f"{part.part}[{len(entries)}]."
            draft.origins[prefix[:-1]] = _Origin(0, row.number, None)
            entries.append(self.fill(draft, 0, row, part, prefix, number) or {})
        return entries

    def child_rows(self, index: int) -> None:
        source = self.sources[index]
        part = source.plan.parts[0]
        section = part.part
        main_name = self.sources[0].table.name
        for each in self.drafts.values():
            each.data[section] = [] if part.is_list else None
        firsts: dict[str, int] = {}
        for row in source.table.rows:
            raw = row.cells[source.id_position]
            case_id = cell_text(raw)
            column = source.plan.spec.id
            if not case_id:
                self.out.problems.append(self.row_problem(
                    index, row, column, f"is blank; every row needs the id of its case in {main_name}", case_id=None))
                continue
            if self.hidden_in_id(index, row, raw):
                continue
            draft = self.drafts.get(case_id)
            if draft is None:
                self.out.problems.append(self.row_problem(
                    index, row, column, f'"{case_id}" is not a case id in {main_name}', case_id=case_id, raw=raw))
                continue
            if part.is_list:
                entries = draft.data[section]
                prefix = f"{section}[{len(entries)}]."
                draft.origins[prefix[:-1]] = _Origin(index, row.number, None)
                entry = self.fill(draft, index, row, part, prefix)
                entries.append(entry if entry is not None else {})
            else:
                if case_id in firsts:
                    draft.problems.append(self.row_problem(
                        index, row, column,
                        f'a second row for case "{case_id}" (the first is row {firsts[case_id]}); '
                        f"{section} takes at most one row per case", case_id=case_id, raw=raw))
                    continue
                firsts[case_id] = row.number
                draft.origins[section] = _Origin(index, row.number, None)
                draft.data[section] = self.fill(draft, index, row, part, section + ".")

    # -- validation -------------------------------------------------------------------------------

    def finish(self, draft: _Draft) -> None:
        data = {"case_id": draft.data["case_id"], **_ordered(MAIN_PART, {k: v for k, v in draft.data.items()
                                                                           if k not in SECTIONS and k != "case_id"})}
        for section in SECTIONS:
            if section in draft.data:
                value = draft.data[section]
                if isinstance(value, dict):
                    value = _ordered(section, value)
                elif isinstance(value, list):
                    value = [_ordered(section, entry) for entry in value]
                data[section] = value
        try:
            Case.model_validate(data)
        except ValidationError as exc:
            for problem in validation_problems(exc, YamlDocument(data, "", 0), model=Case):
                self.model_problem(draft, problem)
        if draft.problems:
            self.out.problems.extend(draft.problems)
            self.out.rejected_ids.append(draft.case_id)
        else:
            self.out.cases.append(ImportedCase(draft.case_id, data, self.sources[0].table.name, draft.row))

    def model_problem(self, draft: _Draft, problem: Problem) -> None:
        path = problem.field or ""
        if any(path == f or path.startswith(f + ".") or path.startswith(f + "[") for f in draft.failed):
            return  # the cell's own problem is already reported
        if path in draft.constants:
            self.out.mapping_problems.append(self.mapping.problem(draft.constants[path], problem.message))
            return
        probe = path
        while probe and probe not in draft.origins:
            probe = probe[: max(probe.rfind("."), probe.rfind("["), 0)]
        origin = draft.origins.get(probe) or _Origin(0, draft.row, None)
        name = _unindexed(path)
        draft.problems.append(self.row_problem(
            origin.source_index, origin.row, origin.column, problem.message, case_id=draft.case_id,
            raw=origin.raw, field_name=name or None))

    def build(self) -> Built:
        self.main_rows()
        for index in range(1, len(self.sources)):
            self.child_rows(index)
        for draft in self.drafts.values():
            self.finish(draft)
        self.out.problems.sort(key=lambda p: (p.order[0], p.row, p.order[1]))
        self.out.mapping_problems = list(dict.fromkeys(self.out.mapping_problems))
        return self.out


def _unindexed(path: str) -> str:
    """`incidents[3].severity` -> `incidents.severity`: entry numbers mean nothing in a table."""
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def build_cases(mapping: Mapping, sources: list[Source]) -> Built:
    """Every case of the export: valid ones in main-table order, and every problem of every row."""
    return _Builder(mapping, sources).build()

