"""Import a filled-in audit workbook into each inspector's judgements file.

The whole workbook is checked first (`thematic.load.workbook_answers.read_workbook`); only then is anything written, one
file per inspector, each atomically. An inspector's existing file is updated in place (an answer
given replaces the recorded one; a blank cell keeps it), and no other inspector's file is ever
touched: a target file that belongs to someone else is refused. Where a file goes: `output` if
given, else the file the inspection already reads for that inspector, else
`judgements/<inspection>-<inspector>.yaml` beside the inspection file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError, Problem
from thematic.load.judgements import read_judgements_file
from thematic.load.sample import Sample, judgements_paths, load_sample
from thematic.load.workbook_answers import read_workbook
from thematic.load.yaml_source import parse_yaml_documents
from thematic.model.judgements import CaseEntry, JudgementsFile
from thematic.scoring.prepare import Inspection
from thematic.workbook.judgements import Changes, entries_of, judgements_yaml, update_entries


@dataclass(frozen=True)
class Imported:
    """One inspector's import: where it went, how many cases, and what changed."""

    inspector: str
    path: str
    cases: int
    changes: Changes
    read_by_inspection: bool  # False: add the file (or a glob matching it) to the inspection's `judgements:`


def default_path(inspection: Inspection, inspector: str) -> Path:
    return Path(inspection.path).parent / "judgements" / f"{inspection.id}-{inspector}.yaml"


def _existing(
    path: Path, inspector: str, sample: Sample[Inspection], problems: list[Problem],
) -> dict[str, CaseEntry]:
    """The entries already in `path`, which must be `inspector`'s own judgements file."""
    if not path.exists():
        return {}
    before = len(problems)
    loaded = read_judgements_file(str(path), inspection_id=sample.inspection.id,
                                  criteria=sample.inspection.criteria.file, problems=problems)
    if loaded is None:
        if len(problems) == before:
            problems.append(Problem(str(path), "cannot be read as a judgements file; nothing was written"))
        return {}
    if not isinstance(loaded.content, JudgementsFile):
        problems.append(Problem(
            str(path), "is a moderation file; judgements are imported into an inspector's own file"))
        return {}
    if loaded.content.inspector != inspector:
        problems.append(Problem(
            str(path), f"holds {loaded.content.inspector}'s judgements; {inspector}'s answers never overwrite "
                       "another inspector's: choose another file"))
        return {}
    return entries_of(loaded.content)


def import_workbook(workbook: str, inspection: Inspection, output: str | None = None) -> list[Imported]:
    """Read `workbook`, check every cell, then write each inspector's judgements file."""
    sample = load_sample(inspection)
    answers = read_workbook(workbook, sample)
    if output is not None and len(answers.by_inspector) > 1:
        raise InputError.single(output, f"the workbook holds answers of {', '.join(sorted(answers.by_inspector))}; "
                                        "-o takes one inspector's file: leave it out to write one file each")
    problems: list[Problem] = []
    plans: list[tuple[Path, str, str, int, Changes]] = []
    order = sample.case_ids
    criteria_order = [c.id for c in inspection.criteria.criteria]
    for inspector, cases in sorted(answers.by_inspector.items()):
        listed = sample.files.get(inspector)
        if output is not None:
            target = Path(output)
        elif listed is not None:
            target = Path(listed.path)
        else:
            target = default_path(inspection, inspector)
        existing = (entries_of(listed.content) if listed is not None and output is None  # type: ignore[arg-type]
                    else _existing(target, inspector, sample, problems))
        merged, changes = update_entries(existing, cases)
        text = judgements_yaml(inspection_id=inspection.id, inspector=inspector, cases=merged, order=order,
                               criteria_order=criteria_order)
        # What is written must read back as it was meant: parse it with the file model before writing.
        JudgementsFile.model_validate(parse_yaml_documents(text, str(target))[0].data)
        plans.append((target, text, inspector, len(cases), changes))
    if problems:
        raise InputError(problems)
    # Every inspector's file appears together, or none does.
    with OutputSet() as outputs:
        for target, text, *_ in plans:
            outputs.add(target, text, option="-o")
        outputs.commit()
    read = {os.path.realpath(p) for p in judgements_paths(inspection, [])}
    return [Imported(inspector, str(target), count, changes, os.path.realpath(target) in read)
            for target, _, inspector, count, changes in plans]
