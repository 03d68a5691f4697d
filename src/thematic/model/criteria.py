"""Criteria files as written (pydantic models); thematic.scoring.criteria compiles them for scoring.

A criteria file declares its parameters, themes, named definitions, criteria and grading rule.
Automatic criteria are written as expressions (see docs/criteria-language.md); judgement criteria
declare their answers and the state each answer gives.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from thematic.model.base import Date, FileModel

#: The largest number a criteria file may hold, written in an expression or as a parameter's value,
#: so that arithmetic stays bounded (the expression language checks its number literals against it).
MAX_NUMBER = 10**9

Severity = Literal["critical", "major", "minor"]
SEVERITIES: tuple[str, ...] = ("critical", "major", "minor")
AnswerState = Literal["met", "not_met", "not_applicable"]

Text = Annotated[str, Field(min_length=1)]
# Within the range of a number written in an expression, so that arithmetic stays bounded.
Number = Annotated[float | int, Field(ge=0, le=MAX_NUMBER)]
CriterionId = Annotated[str, Field(pattern=r"^[A-Z]+-[0-9]+$")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


def _yes_no_keys(value: Any) -> Any:
    # An unquoted yes/no key in YAML 1.1 is a boolean: read it as the answer "yes"/"no".
    if isinstance(value, dict):
        return {("yes" if k is True else "no" if k is False else k): v for k, v in value.items()}
    return value


def _expression_text(value: Any) -> Any:
    # `applies: true` in YAML is a boolean: accept it as the expression "true".
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


Expression = Annotated[Text, BeforeValidator(_expression_text)]


class ParameterDef(FileModel):
    default: Number
    unit: Literal["hours", "days", "working_days", "count", "level"]
    basis: Text  # where the value comes from: statute, statutory guidance or local practice
    description: Text


#: Quotation marks a quotation's text must not begin or end with: reports add their own.
QUOTE_MARKS = "\"'\u2018\u2019\u201c\u201d"


class QuoteDef(FileModel):
    """Words of the report, exactly as published, and where they are: reports print them in quotation marks."""

    text: Text    # verbatim, without quotation marks
    source: Text  # the report and the place in it (section and heading, or who quoted it and when)

    @model_validator(mode="after")
    def _no_quotation_marks(self) -> QuoteDef:
        text = self.text.strip()
        if text[:1] in QUOTE_MARKS or text[-1:] in QUOTE_MARKS:
            raise ValueError("write the quotation's words without quotation marks around them: reports add them")
        return self


class ReferenceDef(FileModel):
    """A rate a force's rates are compared with in its report, and where the figure comes from.

    Optional everywhere, and never part of a criterion's fingerprint: it changes what a report
    flags, not how a case is scored.
    """

    rate: Annotated[float, Field(gt=0, lt=1)]  # a proportion: 0.8 for 80%
    source: Text  # who set it and where: a report, a standard, an inspectorate's own target


class ThemeDef(FileModel):
    title: Text
    # The report's finding in the file's own words: reports show it as a summary, never in quotation
    # marks, because it is not the report's wording.
    finding: Text
    # The report's own words behind the finding, if any are known verbatim: shown as quotations.
    quotes: list[QuoteDef] = Field(default_factory=list)
    # The reference this theme's criteria (and the theme's own rate) are compared with, if any:
    # it replaces the file's top-level `reference` for this theme.
    reference: ReferenceDef | None = None


class CriterionDef(FileModel):
    id: CriterionId
    theme: Identifier
    type: Literal["automatic", "judgement"]
    severity: Severity
    question: Text
    source: Text
    applies: Expression = "true"
    # The date the criterion applies from (the statute's commencement, say), and the expression giving
    # the datetime of the case's event compared with it (default: reported_at). A case dated before it
    # is not applicable; `thematic.scoring.criteria` folds both into the compiled applicability.
    # Left out of `model_dump` (so out of every other criterion's fingerprint): a criterion that has
    # them carries them into its fingerprint through the applicability definition they compile to.
    applies_from: Date | None = Field(default=None, exclude=True)
    dated_by: Expression | None = Field(default=None, exclude=True)
    # automatic criteria
    each: Expression | None = None
    met: Expression | None = None
    evidenced: Expression | None = None
    # Only the states an automatic criterion decides from its expressions take evidence text.
    evidence: dict[Literal["met", "not_met", "not_evidenced", "default"], Text] | Text | None = None
    # judgement criteria
    answers: Annotated[dict[Text, AnswerState] | None, BeforeValidator(_yes_no_keys)] = None
    note: str | None = None

    @model_validator(mode="after")
    def _fields_for_type(self) -> CriterionDef:
        if self.dated_by is not None and self.applies_from is None:
            raise ValueError("'dated_by' says which date of a case 'applies_from' is compared with: "
                             "give 'applies_from' too (a date such as 2015-07-31)")
        if self.type == "automatic":
            if self.met is None:
                raise ValueError("an automatic criterion needs a 'met' expression")
            if self.answers is not None:
                raise ValueError("'answers' belongs to judgement criteria only")
        else:
            if not self.answers:
                raise ValueError("a judgement criterion needs 'answers' (each answer and the state it gives)")
            extra = [k for k in ("each", "met", "evidenced", "evidence") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} belong to automatic criteria only")
        return self


class GradingRule(FileModel):
    grade: Literal["good", "requires_improvement", "inadequate"]
    when_failed: dict[Severity, Annotated[int, Field(ge=1)]]


class GradingDef(FileModel):
    rules: list[GradingRule]
    otherwise: Literal["good", "requires_improvement", "inadequate"]
    description: Text


class CriteriaFile(FileModel):
    id: Identifier | Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    version: Text
    title: Text
    source: Text
    parameters: dict[Identifier, ParameterDef] = Field(default_factory=dict)
    themes: dict[Identifier, ThemeDef]
    definitions: dict[Identifier, Expression] = Field(default_factory=dict)
    criteria: Annotated[list[CriterionDef], Field(min_length=1)]
    grading: GradingDef
    # The reference every theme without its own is compared with, if any (with its source).
    reference: ReferenceDef | None = None

