"""The force report's view types: one frozen dataclass per section, of strings, counts and rates.

Built by `thematic.render.context.force_report_context` and read by the templates and charts;
nothing here computes anything beyond a derived id.
"""
from __future__ import annotations

from dataclasses import dataclass

from thematic.render.findings import FindingView
from thematic.render.views import CountView, RateView, Reference, slug


@dataclass(frozen=True)
class CriterionRow:
    id: str
    anchor: str
    question: str
    severity: str
    type: str
    source: str
    rate: RateView
    not_applicable: CountView
    unable_to_assess: CountView
    pending: CountView
    error: CountView


@dataclass(frozen=True)
class ThemeSection:
    id: str
    anchor: str
    title: str
    finding: FindingView
    rate: RateView
    criteria: tuple[CriterionRow, ...]
    references: tuple[Reference, ...] = ()  # what this theme's rates are compared with (none: no flags)


@dataclass(frozen=True)
class KeyFinding:
    """One theme in plain words: the thematic's finding, the theme's rate, its lowest criterion."""

    theme: ThemeSection
    summary: str
    weakest: CriterionRow | None
    weakest_text: str


@dataclass(frozen=True)
class GradeRow:
    grade: str
    suggested: RateView | None   # None for "not graded": every case has a suggested grade
    inspector: RateView


@dataclass(frozen=True)
class GradeSection:
    cases: CountView
    graded: CountView
    rows: tuple[GradeRow, ...]
    columns: tuple[str, ...]                         # inspector grades of the cross-table
    matrix: tuple[tuple[str, tuple[CountView, ...]], ...]  # suggested grade → counts by inspector grade
    provisional: CountView
    disagreements: RateView
    referred_back: CountView
    differing: tuple[tuple[str, str, str], ...]      # (case id, suggested, inspector); empty when withheld


@dataclass(frozen=True)
class EvidenceRow:
    case_id: str
    criterion_id: str
    question: str
    state: str
    evidence: str

    @property
    def anchor(self) -> str:
        """The id of the criterion's row in its theme's table."""
        return f"criterion-{slug(self.criterion_id)}"


@dataclass(frozen=True)
class ReviewCase:
    case_id: str
    anchor: str
    category: str
    reasons: tuple[str, ...]
    suggested: str
    inspector: str
    evidence: tuple[EvidenceRow, ...]


@dataclass(frozen=True)
class ReviewSection:
    criteria: tuple[tuple[str, str], ...]  # (id, question) of REVIEW_CRITERIA present in the set
    count: CountView
    cases: tuple[ReviewCase, ...]          # empty when withheld
    withheld: bool


@dataclass(frozen=True)
class OutstandingRow:
    criterion_id: str
    unable_to_assess: CountView
    pending: CountView
    error: CountView


@dataclass(frozen=True)
class DataQualitySection:
    unable_to_assess: CountView
    pending: CountView
    error: CountView
    provisional: CountView
    rows: tuple[OutstandingRow, ...]
    not_captured: tuple[tuple[str, str], ...]   # (case id, what the export did not capture)
    errors: tuple[EvidenceRow, ...]
    notes: tuple[tuple[str, str], ...]          # (case id, data-quality note)
    noted_cases: CountView
    withheld: bool


@dataclass(frozen=True)
class ParameterRow:
    name: str
    value: str
    default: str
    unit: str
    description: str
    basis: str
    overridden: bool


@dataclass(frozen=True)
class MethodSection:
    criteria_id: str
    criteria_version: str
    criteria_title: str
    criteria_source: str
    fingerprints: tuple[tuple[str, str], ...]
    parameters: tuple[ParameterRow, ...]
    as_of: str
    cases: CountView
    categories: tuple[tuple[str, CountView], ...]
    statistics: str
    thresholds: str
    suppression: str
    grading: str
    review: str
    generator: str


@dataclass(frozen=True)
class CoefficientView:
    """An agreement coefficient as printed: "0.87", "−0.07", "not defined", "withheld" or "–".

    `interval` is "0.68 to 1.00" or "" (none given); `note` says why there is no value or interval.
    """

    value: float | None
    text: str
    interval: str
    note: str


@dataclass(frozen=True)
class AgreementRow:
    """One judgement criterion (or the overall grade) over the cases two inspectors scored."""

    item: str                  # the criterion id, or "Overall grade"
    anchor: str                # the criterion's row in its theme's table; "" for the grade
    question: str
    double_scored: CountView
    raw: RateView              # cases the two inspectors answered alike, of those double-scored
    kappa: CoefficientView     # linearly weighted for the grade
    alpha: CoefficientView
    ac1: CoefficientView
    weighted: bool
    paradox: str               # the kappa paradox in plain words, or ""


@dataclass(frozen=True)
class DisagreementRow:
    case_id: str
    item: str                  # a criterion id, "overall grade" or "referred back"
    answers: str               # insp-a "yes"; insp-b "no" (with the inspectors' notes)
    decided: bool
    status: str                # "open", or the moderator's answer, who decided and why


@dataclass(frozen=True)
class AgreementSection:
    """Agreement between inspectors on the double-scored cases, and the moderation list."""

    inspectors: tuple[str, ...]
    rows: tuple[AgreementRow, ...]          # items with at least one double-scored case
    not_double_scored: tuple[str, ...]      # items no case was double-scored on
    notes: tuple[str, ...]                  # why a coefficient or interval is missing
    more_than_two: CountView                # item-cases scored by more than two inspectors
    disagreements: CountView
    open: CountView
    decided: CountView
    moderation: tuple[DisagreementRow, ...]  # empty when withheld
    withheld: bool
    method: str

    @property
    def not_double_scored_text(self) -> str:
        """"SUP-04 and CRM-06", or ""."""
        names = self.not_double_scored
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


@dataclass(frozen=True)
class ForceReport:
    title: str
    inspection_id: str
    force: str
    year: str
    as_of: str
    cases: CountView
    key_findings: tuple[KeyFinding, ...]
    grades: GradeSection
    themes: tuple[ThemeSection, ...]
    review: ReviewSection
    data_quality: DataQualitySection
    method: MethodSection
    suppressed: bool
    suppress_below: int | None
    thresholds: tuple[float, ...]
    thresholds_text: str
    agreement: AgreementSection | None = None  # only when the inspection has double-scored cases
    references_text: str = ""  # what a flag means and what each theme is compared with, said once
    # The inspection round the sample belongs to ("2015 inspection round"), "" when its year is not
    # known, and what that round changes: its grade words, criteria that did not yet apply.
    round: str = ""
    round_note: str = ""
