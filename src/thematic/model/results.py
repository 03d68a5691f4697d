"""Scored results: one state per case and criterion, and the `thematic.results/1` document.

Two levels. Per case, `CriterionResult` and `CaseResult` are plain frozen slots dataclasses: they
are made by our own code, many millions at a time when a whole caseload is screened, and need no
validation. The document level (`ResultsDocument`: `InspectionInfo`, `CriteriaInfo`, the
parameters, the cases and the `Summary` with its `CriterionSummary`, `ThemeSummary` and
`GradeCounts`) is made of frozen pydantic models: scoring produces them once
(`thematic.scoring.aggregate`, `thematic.scoring.inspection`), `thematic.load.results` reads a
file back into the same types, and every report reads them instead of working a statistic out
again. `to_json()` is the document's serialisation, key for key in the order interfaces.md gives;
`from_json()` reads a document that is already known to be well formed (a scored one, or one
`thematic.load.results` has checked).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, SkipValidation

RESULTS_FORMAT = "thematic.results/1"

MET = "met"
NOT_MET = "not_met"
NOT_EVIDENCED = "not_evidenced"
NOT_APPLICABLE = "not_applicable"
UNABLE_TO_ASSESS = "unable_to_assess"
PENDING = "pending"
ERROR = "error"

#: Every result state, in the order reports list them.
STATES: tuple[str, ...] = (MET, NOT_MET, NOT_EVIDENCED, NOT_APPLICABLE, UNABLE_TO_ASSESS, PENDING, ERROR)
#: States that count in a rate's denominator (met / (met + not met + not evidenced)).
ASSESSED: frozenset[str] = frozenset({MET, NOT_MET, NOT_EVIDENCED})
#: States that fail a criterion.
FAILED: frozenset[str] = frozenset({NOT_MET, NOT_EVIDENCED})
#: States whose outcome is not yet known: they may make a suggested grade provisional.
OUTSTANDING: frozenset[str] = frozenset({PENDING, UNABLE_TO_ASSESS, ERROR})
#: The inspector-grade key of the cases nobody has graded, in the summary's grade counts.
NO_GRADE = "none"


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """The state of one criterion on one case and the values that decided it."""

    state: str
    evidence: str

    def to_json(self) -> dict[str, str]:
        return {"state": self.state, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class CaseResult:
    """Every criterion's result for one case, the suggested grade and the inspector's beside it."""

    case_id: str
    force: str
    category: str
    results: dict[str, CriterionResult]
    suggested_grade: str
    provisional: bool
    grade: str | None = None
    referred_back: bool = False
    data_quality: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "force": self.force,
            "category": self.category,
            "results": {cid: r.to_json() for cid, r in self.results.items()},
            "suggested_grade": self.suggested_grade,
            "provisional": self.provisional,
            "grade": self.grade,
            "referred_back": self.referred_back,
            "data_quality": list(self.data_quality),
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> CaseResult:
        """A case entry of a checked document (keys a hand-made file may leave out take their defaults)."""
        return cls(
            case_id=entry["case_id"],
            force=entry.get("force") or "",
            category=entry.get("category") or "",
            results={cid: CriterionResult(r["state"], r["evidence"]) for cid, r in entry["results"].items()},
            suggested_grade=entry["suggested_grade"],
            provisional=bool(entry.get("provisional")),
            grade=entry.get("grade"),
            referred_back=bool(entry.get("referred_back")),
            data_quality=tuple(entry.get("data_quality") or ()),
        )


class _Result(BaseModel):
    """Document-level results: made by our own code or from a checked file, never changed after."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class InspectionInfo(_Result):
    """Which inspection the results come from. `id`, `force` and `year` are unknown (None) for
    results made by `thematic score` rather than from an inspection file; only an inspection file
    gives a `title`."""

    id: str | None
    force: str | None
    year: int | None
    as_of: str
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        # The title, when there is one, comes before as_of: the order the document has always had.
        out: dict[str, Any] = {"id": self.id, "force": self.force, "year": self.year}
        if self.title is not None:
            out["title"] = self.title
        out["as_of"] = self.as_of
        return out


class CriteriaInfo(_Result):
    """The criteria set the results were scored with, and each criterion's fingerprint in catalogue order."""

    id: str
    version: str
    fingerprints: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "fingerprints": dict(self.fingerprints)}


class CriterionSummary(_Result):
    """How many cases ended in each state of one criterion, and the rate met / assessed with its
    95% Wilson interval (None where nothing was assessed, or where a hand-made file leaves them out)."""

    met: int
    not_met: int
    not_evidenced: int
    not_applicable: int
    unable_to_assess: int
    pending: int
    error: int
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def assessed(self) -> int:
        """The rate's denominator: met + not met + not evidenced."""
        return self.met + self.not_met + self.not_evidenced

    @property
    def total(self) -> int:
        """Every case counted, in whatever state."""
        return sum(self.count(state) for state in STATES)

    def count(self, state: str) -> int:
        """The number of cases in `state` (one of STATES)."""
        value: int = getattr(self, state)
        return value

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {state: self.count(state) for state in STATES}
        out["assessed"] = self.assessed
        out["rate"], out["ci_low"], out["ci_high"] = self.rate, self.ci_low, self.ci_high
        return out


class ThemeSummary(_Result):
    """Cases with at least one assessed criterion in a theme, how many met every one, and that rate
    with its 95% Wilson interval."""

    cases: int
    all_met: int
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "all_met": self.all_met, "rate": self.rate, "ci_low": self.ci_low,
                "ci_high": self.ci_high}


class GradeCounts(_Result):
    """Suggested and inspector grades over the cases (`inspector` has NO_GRADE for the cases not
    graded), and the counts a report gives beside them. The last four are None when a hand-made
    file leaves them out."""

    suggested: dict[str, int]
    inspector: dict[str, int]
    provisional: int | None = None
    compared: int | None = None
    disagreements: int | None = None
    referred_back: int | None = None

    @property
    def graded(self) -> dict[str, int]:
        """The inspector's grades without the cases nobody graded."""
        return {grade: n for grade, n in self.inspector.items() if grade != NO_GRADE}

    def to_json(self) -> dict[str, Any]:
        return {"suggested": dict(self.suggested), "inspector": dict(self.inspector),
                "provisional": self.provisional, "compared": self.compared,
                "disagreements": self.disagreements, "referred_back": self.referred_back}


class Summary(_Result):
    """The `summary` block: per criterion (catalogue order), per theme (first seen), grades, cases."""

    criteria: dict[str, CriterionSummary]
    themes: dict[str, ThemeSummary]
    grades: GradeCounts
    cases: int

    def to_json(self) -> dict[str, Any]:
        return {
            "criteria": {cid: entry.to_json() for cid, entry in self.criteria.items()},
            "themes": {theme: entry.to_json() for theme, entry in self.themes.items()},
            "grades": self.grades.to_json(),
            "cases": self.cases,
        }

    @classmethod
    def from_json(cls, block: Mapping[str, Any]) -> Summary:
        """A checked summary block (the derived `assessed` count is left to its property)."""
        grades = block["grades"]
        return cls(
            criteria={cid: CriterionSummary(**{k: v for k, v in entry.items() if k in CriterionSummary.model_fields})
                      for cid, entry in block["criteria"].items()},
            themes={theme: ThemeSummary(**{k: v for k, v in entry.items() if k in ThemeSummary.model_fields})
                    for theme, entry in block["themes"].items()},
            grades=GradeCounts(**{k: v for k, v in grades.items() if k in GradeCounts.model_fields}),
            cases=block.get("cases", sum(grades["suggested"].values())),
        )


class ResultsDocument(_Result):
    """A `thematic.results/1` document: what was scored, with what, the cases and their summary.

    `cases` is None for a document without per-case results (`thematic score --summary-only` or
    `--cases-out`).
    """

    inspection: InspectionInfo
    criteria: CriteriaInfo
    parameters: dict[str, Any]
    # Not validated again: the cases are made by the scorer or by `CaseResult.from_json`.
    cases: SkipValidation[tuple[CaseResult, ...] | None]
    summary: Summary

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(case.case_id for case in self.cases or ())

    def to_json(self) -> dict[str, Any]:
        """The document as JSON data, in the key order of interfaces.md (`json.dumps` it to write it)."""
        out: dict[str, Any] = {
            "format": RESULTS_FORMAT,
            "inspection": self.inspection.to_json(),
            "criteria": self.criteria.to_json(),
            "parameters": dict(self.parameters),
        }
        if self.cases is not None:
            out["cases"] = [case.to_json() for case in self.cases]
        out["summary"] = self.summary.to_json()
        return out

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> ResultsDocument:
        """A scored or checked document's JSON data as the model (keys this version does not know are left)."""
        inspection = document["inspection"]
        criteria = document["criteria"]
        cases = document.get("cases")
        return cls(
            inspection=InspectionInfo(**{k: v for k, v in inspection.items() if k in InspectionInfo.model_fields}),
            criteria=CriteriaInfo(id=criteria["id"], version=criteria["version"],
                                  fingerprints=dict(criteria["fingerprints"])),
            parameters=dict(document.get("parameters") or {}),
            cases=None if cases is None else tuple(CaseResult.from_json(case) for case in cases),
            summary=Summary.from_json(document["summary"]),
        )
