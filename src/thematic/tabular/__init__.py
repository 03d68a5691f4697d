"""Importing a force's own record-system export (CSV or XLSX tables) into case files.

`import_tables(main_table, mapping)` reads the mapping (`mapping`), the tables it names
(`sources`, `read`), and builds one case per main-table row with its child-table entries
(`build`, `convert`), each validated by the case model. It returns the valid cases and every
problem of every row, located by file, row and column; writing them is `output`'s job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from thematic.core.errors import InputError, Problem
from thematic.tabular.build import ImportedCase, RowProblem, build_cases
from thematic.tabular.mapping import Mapping, load_mapping
from thematic.tabular.sources import read_sources

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


def import_tables(main_table: str | Path, mapping: str | Path) -> ImportOutcome:
    """Read and convert an export. InputError for problems with the mapping or the files
    themselves (a missing column, an unreadable file); row problems are in the outcome."""
    compiled = load_mapping(mapping)
    sources = read_sources(compiled, Path(main_table))
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
