"""Saving an import: the case files and the rejected rows of `import_tables`, checked and written together.

`case_format` and `rejected_path` decide where things go from the output named; `accepted` says
whether an outcome may be written (every row valid, or the invalid ones skipped, and at least one
case); `save_import` checks every output before anything is written (never an input, a FIFO or a
device) and moves the case files and the CSV of rejected rows into place together.
`write_template` writes a blank mapping, never over an existing file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet, write_text_atomic
from thematic.core.errors import InputError, Problem
from thematic.tabular import ImportOutcome
from thematic.tabular.output import other_case_files, plan_outputs, rejected_csv, write_cases
from thematic.tabular.sources import display_name
from thematic.tabular.template import template_text


@dataclass(frozen=True)
class Saved:
    """What an import wrote: the case files, the CSV of rejected rows (if any), and other case files
    already in the folder the cases went to, which would be scored with them."""

    written: list[Path]
    rejected: Path | None
    others: list[Path]
    folder: Path


def case_format(output: Path, fmt: str | None) -> str:
    """The case-file format: `fmt` if given, else jsonl for a .jsonl output and yaml for a folder."""
    return fmt or ("jsonl" if output.suffix.lower() == ".jsonl" else "yaml")


def rejected_path(output: Path, fmt: str, rejected: str | None) -> Path:
    """The CSV of rejected rows: `rejected` if given, else NAME-rejected.csv beside a .jsonl file or
    rejected.csv in the output folder."""
    if rejected:
        return Path(rejected)
    if fmt == "jsonl" and output.suffix.lower() == ".jsonl":
        return output.with_name(f"{output.stem}-rejected.csv")
    return output / "rejected.csv"


def accepted(outcome: ImportOutcome, table: str, *, skip_invalid: bool) -> list[Problem]:
    """The problems of the rows to be rejected; InputError with them unless `skip_invalid`, and when
    no case is left to write."""
    problems = outcome.as_problems()
    if problems and not skip_invalid:
        raise InputError(problems)
    if not outcome.cases:
        raise InputError(problems or [Problem(display_name(Path(table)), "has no rows; there is nothing to import")])
    return problems


def save_import(outcome: ImportOutcome, *, table: str, mapping: str, output: Path, fmt: str,
                problems: list[Problem], rejected: str | None) -> Saved:
    """Write the outcome's cases to `output` in `fmt`, and with `problems` the rejected rows to
    `rejected_path` (named by --rejected if `rejected` is given); all the files appear together, or none."""
    planned = plan_outputs(outcome.cases, output, fmt)  # may raise: nothing is written yet
    outputs = OutputSet()
    for path, what in [(table, "the table"), (mapping, "the mapping"),
                       *((t, "a table of the export") for t in outcome.tables)]:
        if Path(path).is_file():
            outputs.read(path, what=what)
    for target in planned:  # never an input, a FIFO or a device; checked before anything is written
        outputs.file(target, option="-o")
    rejected_file = rejected_path(output, fmt, rejected) if problems else None
    if rejected_file is not None:
        outputs.file(rejected_file, option="--rejected" if rejected else "-o")
    with outputs:  # the case files and the rejected rows appear together, or none
        written = write_cases(planned, fmt, display_name(Path(mapping)), outputs)
        if rejected_file is not None:
            outputs.add(rejected_file, rejected_csv(outcome.problems))
        outputs.commit()
    folder = output if fmt == "yaml" or output.suffix.lower() != ".jsonl" else output.parent
    return Saved(written, rejected_file, other_case_files(folder, written), folder)


def write_template(path: str) -> None:
    """A blank, commented mapping at `path` (-o); InputError if something is there already."""
    target = Path(path)
    if target.exists():
        raise InputError.single(path, "already exists; a template never replaces a file (choose another name)")
    write_text_atomic(target, template_text(), option="-o")
