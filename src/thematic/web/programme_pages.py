"""What the programme pages show: the workspace's rounds (inspection years) and forces, and their reports.

A round's programme report and a force's year-on-year comparison are made by the EXISTING commands,
`thematic report A.json B.json …` and `thematic compare BEFORE.json AFTER.json`, run in the
background by `thematic.web.report_jobs` on results files written from the database: each
inspection's results as they stand (`thematic.web.findings.current_document`, the document `thematic
run` makes of the lead's export), with the criteria text frozen at import as `--criteria`. So the
figures are the commands' own, and a blind double-scored case counts only once both have submitted.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet
from thematic.render.output import json_text
from thematic.web.findings import current_document
from thematic.web.models import Inspection
from thematic.web.report_jobs import Job, start


@dataclass(frozen=True)
class Round:
    """The inspections of one year, one per force."""

    year: int
    inspections: tuple[Inspection, ...]

    @property
    def scope(self) -> str:
        return round_scope(self.year)


@dataclass(frozen=True)
class ForceHistory:
    """One force's inspections, oldest first, and the consecutive pairs a comparison can be made of."""

    force: str
    inspections: tuple[Inspection, ...]

    @property
    def scope(self) -> str:
        return force_scope(self.force)

    @property
    def pairs(self) -> list[tuple[Inspection, Inspection]]:
        return list(zip(self.inspections, self.inspections[1:], strict=False))


def round_scope(year: int) -> str:
    return f"round-{year}"


def force_scope(force: str) -> str:
    return f"force-{force}"


def rounds() -> list[Round]:
    """Every year with an inspection, newest first."""
    by_year: dict[int, list[Inspection]] = {}
    for inspection in Inspection.objects.order_by("year", "force", "slug"):
        by_year.setdefault(inspection.year, []).append(inspection)
    return [Round(year, tuple(found)) for year, found in sorted(by_year.items(), reverse=True)]


def forces() -> list[ForceHistory]:
    """Every force with an inspection, by force code."""
    by_force: dict[str, list[Inspection]] = {}
    for inspection in Inspection.objects.order_by("force", "year", "slug"):
        by_force.setdefault(inspection.force, []).append(inspection)
    return [ForceHistory(force, tuple(found)) for force, found in sorted(by_force.items())]


def round_of(year: int) -> Round | None:
    return next((r for r in rounds() if r.year == year), None)


def force_of(force: str) -> ForceHistory | None:
    return next((f for f in forces() if f.force == force), None)


def _results_files(inspections: Sequence[Inspection], folder: Path) -> list[str]:
    """Each inspection's current results as INSPECTION.json in `folder`, with the first one's criteria
    as criteria.yaml, written together; the files' paths relative to the job's folder."""
    with OutputSet() as outputs:
        outputs.add_in(folder, "criteria.yaml", inspections[0].criteria_text, option="input")
        for inspection in inspections:
            outputs.add_in(folder, f"{inspection.slug}.json", json_text(current_document(inspection).to_json()),
                           option="input")
        outputs.commit()
    return [f"input/{inspection.slug}.json" for inspection in inspections]


def produce_programme_report(chosen: Round, requested_by: str, *, wait: bool = False) -> Job:
    """Start `thematic report` of the round's inspections: programme.json, .html and .pdf."""

    def prepare(folder: Path) -> list[str]:
        return ["report", *_results_files(chosen.inspections, folder), "--criteria", "input/criteria.yaml",
                "-o", "out"]

    return start(chosen.scope, requested_by, prepare, wait=wait)


def produce_comparison(before: Inspection, after: Inspection, requested_by: str, *, wait: bool = False) -> Job:
    """Start `thematic compare` of a force's two inspections: comparison.json, .html and .pdf."""

    def prepare(folder: Path) -> list[str]:
        files = _results_files([after, before], folder)
        return ["compare", files[1], files[0], "--criteria", "input/criteria.yaml", "-o", "out"]

    return start(force_scope(after.force), requested_by, prepare, wait=wait)
