"""`thematic workbook`'s work: the audit workbook of an inspection's sample, made and saved.

`make_workbook` checks the inspector's reference and the output's name before loading anything,
and that the output is never a file the inspection reads, a FIFO or a device before any work; it
builds the workbook (`thematic.workbook.write`), saves it, and says how many cases, questions and
of the inspector's own answers it holds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError
from thematic.load.sample import load_sample
from thematic.model.judgements import INSPECTOR_HINT, INSPECTOR_PATTERN
from thematic.render.publication import DEFAULT_MARKING, check_marking
from thematic.scoring.prepare import Inspection, load_inspection
from thematic.workbook.write import build_workbook, save_workbook


@dataclass(frozen=True)
class Made:
    """The workbook written, with the counts its message gives."""

    path: Path
    cases: int
    questions: int
    own: int  # answers and grades of the inspector it was made for, filled in


def check_output(inspection: Inspection, output: Path) -> None:
    """Before any work: `output` is never a file the inspection reads, a FIFO or a device."""
    outputs = OutputSet()
    for path, what in inspection.input_files():
        outputs.read(path, what=what)
    outputs.file(output, option="-o")


def make_workbook(inspection_file: str, output: str | None, inspector: str | None,
                  marking: str = DEFAULT_MARKING) -> Made:
    """The audit workbook of the inspection in `inspection_file`, at `output` (-o; default
    out/INSPECTION-ID/audit[-INSPECTOR].xlsx), filled in with `inspector`'s answers so far if given,
    every printed page marked with `marking`."""
    marking = check_marking(marking)  # before any work
    if inspector is not None and not re.fullmatch(INSPECTOR_PATTERN, inspector):
        raise InputError.single("--inspector", f'"{inspector}" is not {INSPECTOR_HINT}')
    inspection = load_inspection(inspection_file)
    name = f"audit-{inspector}.xlsx" if inspector else "audit.xlsx"
    path = Path(output) if output else Path("out") / inspection.id / name
    if path.suffix.lower() != ".xlsx":
        raise InputError.single(str(path), "the workbook's file name must end in .xlsx", field="-o")
    check_output(inspection, path)
    sample = load_sample(inspection)
    save_workbook(build_workbook(sample, inspector, marking), path)
    own = sum(1 for items in sample.ratings.values() for by in items.values() if inspector in by)
    return Made(path, len(sample.cases), len(sample.judgement_ids), own)
