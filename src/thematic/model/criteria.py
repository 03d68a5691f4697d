"""Criteria files as written (pydantic models) and as compiled for scoring.

A criteria file declares its parameters, themes, named definitions, criteria and grading rule.
Automatic criteria are written as expressions (see docs/criteria-language.md); judgement criteria
declare their answers and the state each answer gives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from thematic.model.base import FileModel
from thematic.scoring.expr import MAX_NUMBER, Compiled

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


class ThemeDef(FileModel):
    title: Text
    finding: Text  # the thematic report's finding the theme tests


class CriterionDef(FileModel):
    id: CriterionId
    theme: Identifier
    type: Literal["automatic", "judgement"]
    severity: Severity
    question: Text
    source: Text
    applies: Expression = "true"
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


@dataclass(frozen=True)
class Template:
    """Evidence text with `{expression}` placeholders."""

    parts: tuple[str | Compiled, ...]


@dataclass(frozen=True)
class CompiledCriterion:
    """A criterion ready to score: its definition and compiled expressions."""

    definition: CriterionDef
    applies: Compiled
    each: Compiled | None
    met: Compiled | None
    evidenced: Compiled | None
    evidence: dict[str, Template]
    sections: frozenset[str]   # top-level case fields read, through definitions too
    parameters: frozenset[str]  # parameters read, through definitions too
    uses: frozenset[str]        # definitions read, directly or through other definitions

    @property
    def id(self) -> str:
        return self.definition.id


@dataclass(frozen=True)
class CriteriaSet:
    """A loaded criteria file: definitions compiled in order, criteria in catalogue order."""

    file: CriteriaFile
    path: str
    definitions: dict[str, Compiled]
    criteria: tuple[CompiledCriterion, ...]

    @property
    def id(self) -> str:
        return self.file.id

    def defaults(self) -> dict[str, float | int]:
        return {name: p.default for name, p in self.file.parameters.items()}

    def criterion(self, criterion_id: str) -> CompiledCriterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)
