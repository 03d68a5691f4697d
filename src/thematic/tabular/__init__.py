"""Importing a force's own record-system export (CSV or XLSX tables, or queries of its reporting
database) into case files.

`import_tables(main_table, mapping)` reads the mapping (`mapping`), checks it against the headings
of the tables it names (`sources`) and reports every mistake of both in one run, then builds one
case per main-table row with its child-table entries (`build`, `convert`), each validated by the
case model. With `database=`, each table is a query of that database, its rows streamed. It returns
the valid cases and every problem of every row, located by file (or query), row and column; writing
them is `output`'s job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.core.errors import InputError, Problem
from thematic.tabular.build import ImportedCase, RowProblem, build_cases
from thematic.tabular.mapping import Mapping, read_mapping
from thematic.tabular.sources import read_sources

if TYPE_CHECKING:
    from thematic.load.database_tables import DatabaseUrl

__all__ = ["ImportOutcome", "import_tables", "ImportedCase", "RowProblem"]


@dataclass
class ImportOutcome:
    """What an import found: the valid cases, the problems of the rest, and unmapped columns."""

    mapping: Mapping
    cases: list[ImportedCase]
    problems: list[RowProblem]
    rejected_ids: list[str]
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # table name -> columns neither mapped nor ignored
    tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_problems(self) -> list[Problem]:
        return [p.problem() for p in self.problems]


def import_tables(main_table: str | Path | None, mapping: str | Path, *,
                  database: DatabaseUrl | None = None) -> ImportOutcome:
    """Read and convert an export: the files from `main_table`, or with `database` the mapping's
    queries of it. InputError for problems with the mapping or the tables themselves (a missing
    column, an unreadable file, a failing query), every one found before any row is read; row
    problems are in the outcome."""
    compiled, problems = read_mapping(mapping)
    if database is None:
        if main_table is None:
            raise InputError.single(str(mapping), "needs the main table (or a database to query)")
        sources = read_sources(compiled, Path(main_table), problems)
        built = build_cases(compiled, sources)
    else:
        from thematic.load.database_tables import Database

        try:
            db = Database(database)
        except InputError as exc:  # with the mapping's own mistakes, not before them
            raise InputError([*exc.problems, *problems]) from None
        with db:  # open while the rows stream into the cases
            sources = read_sources(compiled, None, problems, database=db)
            built = build_cases(compiled, sources)
    if built.mapping_problems:
        raise InputError(built.mapping_problems)
    return ImportOutcome(
        mapping=compiled,
        cases=built.cases,
        problems=built.problems,
        rejected_ids=built.rejected_ids,
        unmapped={s.table.name: s.unmapped for s in sources if s.unmapped},
        tables=[s.table.name for s in sources],
    )
