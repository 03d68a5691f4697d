"""The case-file format, version 1 (see docs/case-file-format.md), as pydantic models.

Absent, empty and null are kept apart: a top-level section whose key is absent is not in the
model's `model_fields_set` (the export did not capture it), an empty list is `[]` (captured,
nothing there) and a null object is `None` (did not happen or does not apply).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from thematic.model.base import MAX_ID_LENGTH, CaseId, Date, DateTime, FileModel, FreeText, Identifier

Category = Literal[
    "domestic_abuse", "missing", "sexual_abuse", "physical_abuse", "neglect",
    "sexual_exploitation", "criminal_exploitation", "online_abuse", "police_protection", "detention",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
IncidentType = Literal[
    "domestic_abuse", "missing", "sexual_abuse", "physical_abuse", "neglect",
    "sexual_exploitation", "criminal_exploitation", "online_abuse", "police_protection", "detention",
    "concern",
]
Agency = Literal["police", "childrens_social_care", "health", "education", "other"]
NrmDecision = Literal["none", "pending", "reasonable_grounds", "conclusive_grounds", "negative"]
GradeValue = Literal["good", "requires_improvement", "inadequate"]
GRADES: tuple[str, ...] = GradeValue.__args__  # type: ignore[attr-defined]

NonEmpty = Annotated[str, Field(min_length=1)]
ForceCode = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=MAX_ID_LENGTH)]
Offence = Annotated[FreeText, Field(min_length=1)]

#: The top-level sections where an absent key means "not captured by the export".
SECTIONS: tuple[str, ...] = (
    "incidents", "risk_assessments", "referrals", "strategy_discussions", "section47",
    "police_protection", "investigation", "supervision", "devices", "child_as_suspect",
    "custody", "outcome",
)


class Child(FileModel):
    ref: Identifier
    age: Annotated[int, Field(ge=0, le=17)]
    sex: Literal["female", "male", "other", "unknown"] | None = None
    looked_after: bool = False
    plan: Literal["none", "child_in_need", "child_protection"] = "none"


class Incident(FileModel):
    ref: Identifier
    at: DateTime
    type: IncidentType
    severity: Annotated[int, Field(ge=1, le=5)]
    child_seen: bool
    demeanour_recorded: bool
    response: Literal["immediate", "scheduled", "none"]


class RiskAssessment(FileModel):
    at: DateTime
    level: Literal["standard", "medium", "high"]
    history_considered: bool
    supervisor_reviewed_at: DateTime | None


class Referral(FileModel):
    at: DateTime
    to: Literal["childrens_social_care", "early_help", "school", "health", "other"]


class StrategyDiscussion(FileModel):
    at: DateTime
    agencies: list[Agency]


class Section47(FileModel):
    started_on: Date
    conference_on: Date | None


class PoliceProtection(FileModel):
    started_at: DateTime | None
    ended_at: DateTime | None
    local_authority_informed_at: DateTime | None
    designated_officer_informed: bool


class Officer(FileModel):
    pip_level: Annotated[int, Field(ge=0, le=4)]
    specialist_trained: bool


class Investigation(FileModel):
    allocated_at: DateTime
    complexity: Literal["standard", "complex"]
    officer: Officer
    suspect_identified_at: DateTime | None
    suspect_arrested_at: DateTime | None


class SupervisionEntry(FileModel):
    at: DateTime
    kind: Literal["process", "direction", "reflective"]


class Device(FileModel):
    ref: Identifier
    seized_at: DateTime
    submitted_at: DateTime | None
    examined_at: DateTime | None
    returned_to_suspect_at: DateTime | None
    triaged: bool
    indecent_images_suspected: bool


class ChildAsSuspect(FileModel):
    offence: Offence
    exploitation_indicators: list[Identifier]
    nrm_referred_at: DateTime | None
    nrm_decision: NrmDecision
    s45_considered: bool
    s45_excluded: bool = False


class Custody(FileModel):
    arrived_at: DateTime
    charged_at: DateTime | None
    bail_refused: bool
    transferred_at: DateTime | None
    s38_6_certificate: bool
    appropriate_adult_requested_at: DateTime | None
    appropriate_adult_arrived_at: DateTime | None


class Outcome(FileModel):
    code: Annotated[int, Field(ge=1, le=22)]
    decided_at: DateTime
    rationale_recorded: bool
    victim_informed: bool


def _yaml_yes_no(value: Any) -> Any:
    # Files read as YAML 1.1 (and JSON written from them) may hold true/false for yes/no.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class Judgement(FileModel):
    answer: Annotated[Identifier, BeforeValidator(_yaml_yes_no)]
    by: Identifier
    note: FreeText | None = None


class Grade(FileModel):
    value: GradeValue
    by: Identifier
    referred_back: bool = False
    note: FreeText | None = None


class Case(FileModel):
    """One child-protection case of an inspection sample."""

    case_id: CaseId
    force: ForceCode
    category: Category
    reported_at: DateTime
    closed_at: DateTime | None = None
    child: Child
    incidents: list[Incident] = Field(default_factory=list)
    risk_assessments: list[RiskAssessment] = Field(default_factory=list)
    referrals: list[Referral] = Field(default_factory=list)
    strategy_discussions: list[StrategyDiscussion] = Field(default_factory=list)
    section47: Section47 | None = None
    police_protection: PoliceProtection | None = None
    investigation: Investigation | None = None
    supervision: list[SupervisionEntry] = Field(default_factory=list)
    devices: list[Device] = Field(default_factory=list)
    child_as_suspect: ChildAsSuspect | None = None
    custody: Custody | None = None
    outcome: Outcome | None = None
    judgements: dict[Identifier, Judgement] = Field(default_factory=dict)
    grade: Grade | None = None

    def absent_sections(self) -> frozenset[str]:
        """The top-level sections the export did not capture (their keys are absent)."""
        return frozenset(s for s in SECTIONS if s not in self.model_fields_set)
