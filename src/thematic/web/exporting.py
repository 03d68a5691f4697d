"""Export an inspection as the files the command line reads, plus its audit trail.

DIR/inspection.yaml names DIR/criteria.yaml (the criteria frozen at import), DIR/cases/ (one JSON
case file per case, without answers) and DIR/judgements/ (one `thematic.judgements/1` file per
scorer, and a `thematic.moderation/1` file when anything was moderated), so that
`thematic run DIR/inspection.yaml` scores the workspace's current entries as the workspace does.
DIR/audit.jsonl holds every event of the inspection, oldest first. Written all or none (OutputSet).
With a `viewer` (a lead's download), whatever `may_see_entries` hides from them is left out of both.

Only the inspectors' assignments (kind "inspection") go into DIR/judgements/. A force's
self-assessment, once it has entries, is its own inspection file beside the first,
DIR/self-assessment.yaml (id `<inspection>-self-assessment`, the same criteria and cases), reading
DIR/self-assessment/ (one judgements file per force user): `thematic run` on each file gives the two
results files that `thematic compare-assessors FORCE.json INSPECTORS.json` compares.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError
from thematic.model.judgements import JUDGEMENTS_FORMAT, MODERATION_FORMAT
from thematic.web.entries import ENTRY_KINDS, current_for
from thematic.web.models import INSPECTION_KIND, MODERATION, SELF_ASSESSMENT, Assignment, Case, Event, Inspection
from thematic.web.results import self_assessment_id, self_assessment_title
from thematic.web.visibility import AnyUser, may_see_entries

OPTION = "-o"
SELF_ASSESSMENT_FILE, SELF_ASSESSMENT_FOLDER = "self-assessment.yaml", "self-assessment"


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def inspection_document(inspection: Inspection, *, kind: str = INSPECTION_KIND,
                        judgements: bool = True) -> dict[str, Any]:
    """The export's inspection file; with `kind=SELF_ASSESSMENT`, its self-assessment file. Without
    `judgements` (nothing to write there) it names no judgements folder: `thematic run` refuses one
    that does not exist."""
    own = kind == SELF_ASSESSMENT
    document = {"inspection": self_assessment_id(inspection) if own else inspection.slug,
            "title": self_assessment_title(inspection) if own else inspection.title, "force": inspection.force,
            "year": inspection.year, "as_of": inspection.as_of.isoformat(), "criteria": "criteria.yaml",
            # Sorted: PostgreSQL's jsonb keeps no key order, and an export must not depend on the database.
            "parameters": dict(sorted(inspection.parameters.items())), "cases": "cases/"}
    if judgements:
        document["judgements"] = [f"{SELF_ASSESSMENT_FOLDER}/" if own else "judgements/"]
    return document


def judgements_documents(inspection: Inspection, viewer: AnyUser | None, *,
                         kind: str = INSPECTION_KIND) -> dict[str, dict[str, Any]]:
    """scorer -> their judgements file, with only the assignments of `kind` that `viewer` may see (None:
    all). The inspectors' files (the default kind) never hold a force's self-assessment."""
    slug = self_assessment_id(inspection) if kind == SELF_ASSESSMENT else inspection.slug
    assignments = [a for a in Assignment.objects.filter(case__inspection=inspection, kind=kind)
                   .select_related("scorer", "case").order_by("case__position")
                   if viewer is None or may_see_entries(viewer, a)]
    entries = current_for(assignments)
    files: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        current = entries[assignment.pk]
        if current.is_empty():
            continue
        who = assignment.scorer.username
        document = files.setdefault(who, {"format": JUDGEMENTS_FORMAT, "inspection": slug,
                                          "inspector": who, "cases": {}})
        case: dict[str, Any] = {}
        if current.answers:
            case["judgements"] = {cid: ({"answer": answer, "note": current.notes[cid]} if cid in current.notes
                                        else {"answer": answer}) for cid, answer in current.answers.items()}
        if current.grade:
            grade: dict[str, Any] = {"value": current.grade, "referred_back": current.referred_back}
            if current.grade_note:
                grade["note"] = current.grade_note
            case["grade"] = grade
        if case:
            document["cases"][assignment.case.case_id] = case
    return files


def moderation_document(inspection: Inspection) -> dict[str, Any] | None:
    cases: dict[str, dict[str, Any]] = {}
    for event in Event.objects.filter(inspection=inspection, kind=MODERATION).select_related("case").order_by("id"):
        if event.case is None or event.after is None:
            continue
        entry = cases.setdefault(event.case.case_id, {})
        if event.item == "grade":
            value, _, referred = event.after.partition("|")
            entry["grade"] = {"value": value, "referred_back": referred == "yes", "by": event.actor_ref,
                              "reason": event.reason}
        else:
            entry.setdefault("judgements", {})[event.item] = {"answer": event.after, "by": event.actor_ref,
                                                              "reason": event.reason}
    return {"format": MODERATION_FORMAT, "inspection": inspection.slug, "cases": cases} if cases else None


def audit_lines(inspection: Inspection, viewer: AnyUser | None = None) -> str:
    """Every event of the inspection as JSON Lines, oldest first. The values of entry events of an
    assignment `viewer` may not see (a blind double-scored case) are left out: `"hidden": true`."""
    lines = []
    events = Event.objects.filter(inspection=inspection).select_related("case", "assignment").order_by("id")
    blind: dict[int, bool] = {}
    for event in events:
        hidden = False
        if viewer is not None and event.assignment is not None and event.kind in ENTRY_KINDS:
            if event.assignment_id not in blind:
                blind[event.assignment.pk] = not may_see_entries(viewer, event.assignment)
            hidden = blind[event.assignment.pk]
        line = {"at": event.at.isoformat(), "who": event.actor_ref, "kind": event.kind,
                "case": event.case.case_id if event.case else None, "assignment": event.assignment_id,
                "item": event.item or None, "before": None if hidden else event.before,
                "after": None if hidden else event.after, "reason": event.reason or None, "version": event.version}
        if hidden:
            line["hidden"] = True
        lines.append(json.dumps(line, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def export_inspection(inspection: Inspection, out: str | Path, *, viewer: AnyUser | None = None) -> Path:
    """Write the export into the folder `out` (new or empty); the inspection file's path."""
    folder = Path(out)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError.single(str(out), "expected a new or empty folder for the export", field=OPTION)
    inspectors = judgements_documents(inspection, viewer)
    moderation = moderation_document(inspection)
    with OutputSet() as outputs:
        outputs.add_in(folder, "inspection.yaml",
                       _yaml(inspection_document(inspection, judgements=bool(inspectors) or moderation is not None)),
                       option=OPTION)
        outputs.add_in(folder, "criteria.yaml", inspection.criteria_text, option=OPTION)
        for case in Case.objects.filter(inspection=inspection).order_by("position"):
            outputs.add_in(folder / "cases", f"{case.case_id}.json", case.data + "\n", option=OPTION)
        for who, document in inspectors.items():
            outputs.add_in(folder / "judgements", f"{inspection.slug}-{who}.yaml", _yaml(document), option=OPTION)
        if moderation is not None:
            outputs.add_in(folder / "judgements", f"{inspection.slug}-moderation.yaml", _yaml(moderation),
                           option=OPTION)
        own = judgements_documents(inspection, viewer, kind=SELF_ASSESSMENT)
        if own:
            outputs.add_in(folder, SELF_ASSESSMENT_FILE, _yaml(inspection_document(inspection, kind=SELF_ASSESSMENT)),
                           option=OPTION)
            for who, document in own.items():
                outputs.add_in(folder / SELF_ASSESSMENT_FOLDER, f"{self_assessment_id(inspection)}-{who}.yaml",
                               _yaml(document), option=OPTION)
        outputs.add_in(folder, "audit.jsonl", audit_lines(inspection, viewer), option=OPTION)
        outputs.commit()
    return folder / "inspection.yaml"
