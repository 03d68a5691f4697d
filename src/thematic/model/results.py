"""Scored results: one state per case and criterion, and the `thematic.results/1` document.

Plain frozen dataclasses rather than pydantic models: results are made by our own code, many
millions at a time when a whole caseload is screened, and need no validation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
