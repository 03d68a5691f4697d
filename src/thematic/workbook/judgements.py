"""Writing an inspector's judgements file: its entries in memory, updated by an import, as YAML.

The file format and its models are `thematic.model.judgements`; reading is `thematic.load.judgements`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from thematic.model.judgements import JUDGEMENTS_FORMAT, AnswerEntry, CaseEntry, GradeEntry, JudgementsFile


def entries_of(content: JudgementsFile) -> dict[str, CaseEntry]:
    """The cases of a judgements file as plain entries (to be updated and written back)."""
    return {
        case_id: CaseEntry(
            answers={cid: AnswerEntry(a.answer, a.note) for cid, a in case.judgements.items()},
            grade=GradeEntry(case.grade.value, case.grade.referred_back, case.grade.note) if case.grade else None,
        )
        for case_id, case in content.cases.items()
    }


def judgements_yaml(
    *, inspection_id: str, inspector: str, cases: Mapping[str, CaseEntry], order: list[str], criteria_order: list[str],
) -> str:
    """The text of a judgements file: cases in `order` (sample order), answers in catalogue order."""
    rank = {cid: i for i, cid in enumerate(criteria_order)}
    position = {case_id: i for i, case_id in enumerate(order)}
    body: dict[str, Any] = {}
    for case_id in sorted(cases, key=lambda c: (position.get(c, len(position)), c)):
        entry = cases[case_id]
        out: dict[str, Any] = {}
        if entry.answers:
            out["judgements"] = {
                cid: _without_none({"answer": a.answer, "note": a.note})
                for cid, a in sorted(entry.answers.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
            }
        if entry.grade is not None:
            out["grade"] = _without_none(
                {"value": entry.grade.value, "referred_back": entry.grade.referred_back, "note": entry.grade.note})
        if out:
            body[case_id] = out
    header = (f"# {inspector}'s judgements for inspection {inspection_id}, written by `thematic import-workbook`.\n"
              "# One file per inspector: importing a workbook again updates these entries; other\n"
              "# inspectors' files are never changed. Inspectors are references, never names.\n")
    document = {"format": JUDGEMENTS_FORMAT, "inspection": inspection_id, "inspector": inspector, "cases": body}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


@dataclass
class Changes:
    """What an update did: answers and grades added, changed and left as they were."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0


def update_entries(
    existing: Mapping[str, CaseEntry], incoming: Mapping[str, CaseEntry],
) -> tuple[dict[str, CaseEntry], Changes]:
    """`existing` updated with `incoming`: an entry given replaces the one recorded (never a second
    copy); an entry not given is kept. Returns the new entries and what changed."""
    merged = {case_id: CaseEntry(dict(entry.answers), entry.grade) for case_id, entry in existing.items()}
    changes = Changes()

    def count(old: object, new: object) -> None:
        if old is None:
            changes.added += 1
        elif old == new:
            changes.unchanged += 1
        else:
            changes.changed += 1

    for case_id, entry in incoming.items():
        target = merged.setdefault(case_id, CaseEntry({}))
        for cid, answer in entry.answers.items():
            count(target.answers.get(cid), answer)
            target.answers[cid] = answer
        if entry.grade is not None:
            count(target.grade, entry.grade)
            target.grade = entry.grade
    return merged, changes
