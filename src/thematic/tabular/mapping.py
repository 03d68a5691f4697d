"""The mapping file of `thematic import-table`: from a force's columns and codes to case-file fields.

`MappingFile` is the pydantic model of the YAML (unknown keys rejected, every problem located at
its line); `read_mapping` reads it and compiles it against the case-file format into a `Mapping`:
for the main table and each child table, the `Rule` of every mapped field. Everything that can be
checked without the export is checked here, all at once: field names, required fields left
unmapped, codes mapped to values the format does not allow, and date formats. `read_mapping`
returns these problems with the mapping, so that the import can add those of the export's columns
and report every mistake in one run; `load_mapping` raises them.

A list section under `cases: sections:` is read from numbered column groups of the main table (a
wide export): its columns are patterns with the placeholder `{n}` (`Referral {n} Date`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import (
    YamlDocument,
    field_path,
    located_problem,
    read_yaml_file,
    validation_problems,
)
from thematic.tabular.convert import DEFAULT_BOOLEANS, ISO, OMIT, Rule, check_mapped_value, has_time, strptime_format
from thematic.tabular.targets import (
    LIST_SECTIONS,
    MAIN_PART,
    OBJECT_SECTIONS,
    Target,
    is_extension,
    leaf_fields,
    target,
)

__all__ = ["MappingFile", "Mapping", "TablePlan", "PartPlan", "load_mapping", "read_mapping", "MAPPING_VERSION",
           "GROUP_NUMBER", "group_column"]

MAPPING_VERSION = 1
#: In a column name of a repeated column group, the place of the group's number.
GROUP_NUMBER = "{n}"


def group_column(pattern: str, number: str | None) -> str:
    """The column of group `number` for `pattern` ("Referral {n} Date", "2" -> "Referral 2 Date")."""
    return pattern if number is None else pattern.replace(GROUP_NUMBER, number)

_YAML_WORDS = "YAML reads true and false without quotes as true or false"


def _column_name(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"a column name was read as {str(value).lower()} ({_YAML_WORDS}); "
                         "put it in quotes, e.g. \"true\"")
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _spec(value: Any) -> Any:
    """A bare column name stands for {column: NAME}."""
    value = _column_name(value)
    return {"column": value} if isinstance(value, str) else value


def _codes(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = {}
    for key, mapped in value.items():
        if isinstance(key, bool) or key is None:
            shown = "null" if key is None else str(key).lower()
            raise ValueError(f"a code was read as {shown} ({_YAML_WORDS}, and ~ or null as null); "
                             f"put the code in quotes, e.g. \"true\": true")
        out[str(key) if isinstance(key, (int, float)) else key] = mapped
    return out


ColumnName = Annotated[str, BeforeValidator(_column_name), Field(min_length=1)]


def _empty(kind: type) -> Any:
    """A key left blank (`sections:` with nothing under it) means none."""
    return BeforeValidator(lambda value: kind() if value is None else value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FieldSpec(_Strict):
    """Where one field's value comes from: a column (with the force's codes), or a constant."""

    column: ColumnName | None = None
    value: Any = None
    values: Annotated[dict[str, Any] | None, BeforeValidator(_codes)] = None
    blank: Any = None
    split: str | None = None
    format: str | list[str] | None = None

    @model_validator(mode="after")
    def _column_or_value(self) -> FieldSpec:
        given = self.model_fields_set
        if ("column" in given) == ("value" in given):
            raise ValueError("give either column (the force's column) or value (the same value for every row)")
        if "value" in given and given & {"values", "blank", "split", "format"}:
            raise ValueError("a constant (value) takes no values, blank, split or format")
        return self


SpecInput = Annotated[FieldSpec, BeforeValidator(_spec)]


class SectionSpec(_Strict):
    """A section filled from columns of the main table: an object section, or a list section from
    numbered column groups (its columns written with {n})."""

    present_if: SpecInput | None = None
    fields: Annotated[dict[str, SpecInput | None], _empty(dict)] = Field(default_factory=dict)

    def is_blank(self) -> bool:
        """Left blank (as in the template): the section is not mapped, so it is absent."""
        return self.present_if is None and all(v is None for v in self.fields.values())


def _default(value: Any) -> Any:
    """A key left blank (as in the template) takes its default."""
    return BeforeValidator(lambda given: value if given is None else given)


class _TableSpec(_Strict):
    sheet: str | None = None
    query: Annotated[str, Field(min_length=1)] | None = None  # read from a database instead of a file
    header_row: Annotated[int, _default(1), Field(ge=1)] = 1
    encoding: Annotated[str, _default("utf-8-sig"), Field(min_length=1)] = "utf-8-sig"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    id: ColumnName | None = None
    ignore: Annotated[list[ColumnName], _empty(list)] = Field(default_factory=list)


class MainTableSpec(_TableSpec):
    """The main table: one row per case."""

    fields: Annotated[dict[str, SpecInput | None], _empty(dict)] = Field(default_factory=dict)
    sections: Annotated[dict[str, SectionSpec | None], _empty(dict)] = Field(default_factory=dict)


class ChildTableSpec(_TableSpec):
    """A child table: one row per entry of a list section (or at most one per object section)."""

    file: Annotated[str, Field(min_length=1)] | None = None
    present_if: SpecInput | None = None
    fields: Annotated[dict[str, SpecInput | None], _empty(dict)] = Field(default_factory=dict)

    def is_blank(self) -> bool:
        """Left blank (as in the template): the table is not used, so its section is absent."""
        return (self.file is None and self.sheet is None and self.query is None and self.id is None
                and self.present_if is None and all(v is None for v in self.fields.values()))


class MappingFile(_Strict):
    """The mapping file as written."""

    mapping: Literal[1]
    datetime_format: str | list[str] = ISO
    date_format: str | list[str] = ISO
    booleans: Annotated[dict[str, bool], BeforeValidator(_codes)] = Field(
        default_factory=lambda: dict(DEFAULT_BOOLEANS))
    cases: MainTableSpec
    tables: Annotated[dict[str, ChildTableSpec | None], _empty(dict)] = Field(default_factory=dict)


# --- the compiled mapping ------------------------------------------------------------------------

@dataclass
class PartPlan:
    """How one part of a case (its top level and child, or one section) is filled from a row."""

    part: str                                  # MAIN_PART or a section name
    loc: tuple[Any, ...]                       # where the part is written in the mapping
    rules: list[Rule] = field(default_factory=list)
    present_if: Rule | None = None
    grouped: bool = False                      # a list from numbered column groups; columns hold {n}

    @property
    def is_list(self) -> bool:
        return self.part in LIST_SECTIONS


@dataclass
class TablePlan:
    """One table of the export and the parts of the case it fills."""

    loc: tuple[Any, ...]                       # ("cases",) or ("tables", NAME)
    spec: _TableSpec
    parts: list[PartPlan]
    file: str | None = None                    # child tables: the file as the mapping names it

    @property
    def id_column(self) -> str:
        """The column of each row's case id (a loaded mapping names one for every table)."""
        assert self.spec.id is not None  # read_mapping reports a table without it
        return self.spec.id

    @property
    def name(self) -> str:
        """The table as the mapping names it: cases, or the section of a child table."""
        return str(self.loc[-1])


@dataclass
class Mapping:
    """A checked, compiled mapping and the document it came from (to locate later problems)."""

    path: Path
    doc: YamlDocument
    main: TablePlan
    children: list[TablePlan]

    def problem(self, loc: tuple[Any, ...], message: str) -> Problem:
        return located_problem(self.doc, loc, message)


class _Compiler:
    def __init__(self, file: MappingFile, doc: YamlDocument) -> None:
        self.file = file
        self.doc = doc
        self.problems: list[Problem] = []

    def fail(self, loc: tuple[Any, ...], message: str) -> None:
        self.problems.append(located_problem(self.doc, loc, message))

    def formats(self, spec: str | list[str], loc: tuple[Any, ...], needs_time: bool) -> tuple[tuple[str, ...], str]:
        given = [spec] if isinstance(spec, str) else list(spec)
        out: list[str] = []
        for index, text in enumerate(given):
            where = loc if isinstance(spec, str) else (*loc, index)
            if text.strip().lower() == ISO:
                out.append(ISO)
                continue
            try:
                translated = strptime_format(text)
            except ValueError as exc:
                self.fail(where, str(exc))
                continue
            if needs_time and not has_time(translated):
                self.fail(where, f'"{text}" has no time; a datetime needs hours and minutes, e.g. dd/mm/yyyy hh:mm')
            out.append(translated)
        shown = " or ".join("ISO 8601" if t.strip().lower() == ISO else t for t in given)
        return tuple(out) or (ISO,), shown

    def rule(self, part: str, path: str, spec: FieldSpec, loc: tuple[Any, ...]) -> Rule | None:
        try:
            found = target(part, path)
        except KeyError as exc:
            self.fail(loc, f'unknown field "{path}"; expected one of: {exc.args[0]} (keys beginning with x_ are kept '
                           f"as local extensions)")
            return None
        given = spec.model_fields_set
        for name, value in (("value", spec.value), ("blank", spec.blank)):
            if name in given:
                why = check_mapped_value(found, value)
                if why:
                    self.fail((*loc, name), why)
        for code, value in (spec.values or {}).items():
            why = check_mapped_value(found, value, item=found.kind == "list")
            if why:
                self.fail((*loc, "values", code), why)
        if spec.split is not None and found.kind != "list":
            self.fail((*loc, "split"), f"split applies to a list field; {path} is {found.describe()}")
        kind = found.kind
        if spec.format is not None and kind not in ("datetime", "date"):
            self.fail((*loc, "format"), f"format applies to a date or datetime field; {path} is {found.describe()}")
        formats: tuple[str, ...]
        formats, shown = (ISO,), ""
        if kind == "date":
            formats, shown = self.formats(spec.format or self.file.date_format,
                                          (*loc, "format") if spec.format else ("date_format",), False)
        elif kind == "datetime":
            formats, shown = self.formats(spec.format or self.file.datetime_format,
                                          (*loc, "format") if spec.format else ("datetime_format",), True)
        return Rule(
            target=found,
            column=spec.column,
            constant=spec.value if "value" in given else OMIT,
            codes=spec.values,
            blank=spec.blank if "blank" in given else OMIT,
            split=spec.split if spec.split is not None else ";",
            datetime_formats=formats if kind == "datetime" else (ISO,),
            date_formats=formats if kind == "date" else (ISO,),
            booleans=dict(self.file.booleans),
            format_text=shown,
        )

    def part(self, part: str, fields: dict[str, FieldSpec | None], loc: tuple[Any, ...],
             present_if: FieldSpec | None, *, grouped: bool = False) -> PartPlan:
        plan = PartPlan(part, loc, grouped=grouped)
        for path, spec in fields.items():
            if spec is None:
                continue  # left blank: not mapped
            self.check_group(spec, (*loc, "fields", path), grouped)
            rule = self.rule(part, path, spec, (*loc, "fields", path))
            if rule is not None:
                plan.rules.append(rule)
        mapped = {path for path, spec in fields.items() if spec is not None}
        for leaf in leaf_fields(part):
            if leaf.required and leaf.path not in mapped and not is_extension(leaf.path):
                self.fail((*loc, "fields", leaf.path),
                          f'required field "{leaf.path}" ({leaf.describe()}) is not mapped; '
                          f"map a column, or give the same value for every row with {{value: ...}}")
        if present_if is not None:
            if part not in OBJECT_SECTIONS:
                self.fail((*loc, "present_if"),
                          f"present_if applies to object sections ({', '.join(OBJECT_SECTIONS)})")
            else:
                switch = Target(f"{part} present", "boolean")
                plan.present_if = Rule(switch, column=present_if.column,
                                       constant=present_if.value if "value" in present_if.model_fields_set else OMIT,
                                       codes=present_if.values, blank=False, booleans=dict(self.file.booleans))
                for code, value in (present_if.values or {}).items():
                    if not isinstance(value, bool):
                        self.fail((*loc, "present_if", "values", code), f"expected true or false, got {value!r}")
        return plan

    def check_group(self, spec: FieldSpec, loc: tuple[Any, ...], grouped: bool) -> None:
        """{n} in a column: only, and exactly once, in each column of a repeated column group."""
        if spec.column is None:
            return
        count = spec.column.count(GROUP_NUMBER)
        if grouped and count != 1:
            self.fail((*loc, "column"), f'"{spec.column}" is in a list section of numbered column groups, so it '
                                        f"needs {GROUP_NUMBER} once, where the group's number is "
                                        '(e.g. "Referral {n} Date")')
        elif not grouped and count:
            self.fail((*loc, "column"), f'"{spec.column}" has {GROUP_NUMBER}, which stands for the number of a column '
                                        "group: only in a list section under cases: sections: (e.g. referrals)")

    def compile(self) -> tuple[TablePlan, list[TablePlan]]:
        cases = self.file.cases
        if cases.id is None:
            self.fail(("cases", "id"), "give the column that holds the case id (case_id)")
        parts = [self.part(MAIN_PART, cases.fields, ("cases",), None)]
        sections = {name: s for name, s in cases.sections.items() if s is not None and not s.is_blank()}
        loc: tuple[str, ...]
        for name, section in sections.items():
            loc = ("cases", "sections", name)
            grouped = name in LIST_SECTIONS and any(
                spec is not None and spec.column is not None and GROUP_NUMBER in spec.column
                for spec in section.fields.values())
            if name not in OBJECT_SECTIONS and not grouped:
                hint = (" (a list: map it as a child table under tables:, or, in a wide export, from numbered column "
                        f'groups, with {GROUP_NUMBER} in its columns: "Referral {{n}} Date")'
                        if name in LIST_SECTIONS else "")
                self.fail(loc, f'"{name}" is not an object section{hint}; '
                               f'expected one of: {", ".join(OBJECT_SECTIONS)}')
                continue
            parts.append(self.part(name, section.fields, loc, section.present_if, grouped=grouped))
        main = TablePlan(("cases",), cases, parts)
        children = []
        for name, table in self.file.tables.items():
            if table is None or table.is_blank():
                continue
            loc = ("tables", name)
            if name not in LIST_SECTIONS + OBJECT_SECTIONS:
                self.fail(loc, f'unknown section "{name}"; '
                               f'expected one of: {", ".join(LIST_SECTIONS + OBJECT_SECTIONS)}')
                continue
            if name in sections:
                self.fail(loc, f"{name} is mapped twice: here and under cases.sections")
                continue
            if table.file is None and table.sheet is None and table.query is None:
                self.fail(loc, "give the file (e.g. file: incidents.csv) or, in a workbook, the sheet "
                               "(or, reading a database, the query)")
            if table.id is None:
                self.fail((*loc, "id"), "give the column that holds the id of the row's case")
            children.append(TablePlan(loc, table, [self.part(name, table.fields, loc, table.present_if)], table.file))
        return main, children


def _salvage(data: Any, error: ValidationError, removed: list[str]) -> Any:
    """`data` without the keys pydantic refused (each the deepest key of an error's place that is in
    the data), adding their dotted paths to `removed`; None if an error's place is not in it."""
    data = copy.deepcopy(data)
    for err in error.errors(include_url=False):
        node, parent, key = data, None, None
        for part in err["loc"]:
            if isinstance(node, dict) and part in node:
                parent, key, node = node, part, node[part]
            else:
                break
        if parent is None or (parent is data and key in ("mapping", "cases")):
            return None  # the mapping's version or its main table: nothing to check without it
        parent.pop(key, None)
        prefix = err["loc"][: list(err["loc"]).index(key) + 1] if key in err["loc"] else err["loc"]
        removed.append(field_path(tuple(prefix)))
    return data


def read_mapping(path: str | Path) -> tuple[Mapping, list[Problem]]:
    """Read and compile a mapping file: the mapping, and every problem found in it, each at its line
    (a mapping with problems is complete enough to check the export's columns against).

    A key or value of the wrong shape is a problem too: the mapping is compiled without it, so that
    the rest is still checked (a problem that only follows from leaving it out is not reported).
    InputError if the file is not a mapping at all, or lacks its version or main table."""
    doc = read_yaml_file(path)
    shape: list[Problem] = []
    removed: list[str] = []
    data = doc.data
    for _ in range(3):  # leaving out one bad key can show another beneath it, as pydantic stops at the first
        try:
            file = MappingFile.model_validate(data)
            break
        except ValidationError as exc:
            # Not what only follows from a key left out before: a spec without its misspelt `column`.
            shape += [p for p in validation_problems(exc, doc, model=MappingFile)
                      if not any(r == p.field or r.startswith(f"{p.field}.") for r in removed)]
            data = _salvage(data, exc, removed) if isinstance(data, dict) else None
            if data is None:
                raise InputError(sorted(dict.fromkeys(shape), key=lambda p: p.line or 0)) from None
    else:
        raise InputError(sorted(dict.fromkeys(shape), key=lambda p: p.line or 0))
    compiler = _Compiler(file, doc)
    main, children = compiler.compile()
    follow_on = [p for p in compiler.problems
                 if any(p.field == r or (p.field or "").startswith((r + ".", r + "[")) for r in removed)]
    # A bad global date format is found once per field that uses it: report it once.
    problems = sorted(dict.fromkeys([*shape, *(p for p in compiler.problems if p not in follow_on)]),
                      key=lambda p: p.line or 0)
    return Mapping(Path(path), doc, main, children), problems


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; InputError with every problem, each at its line."""
    mapping, problems = read_mapping(path)
    if problems:
        raise InputError(problems)
    return mapping
