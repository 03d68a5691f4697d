"""Score one case against a compiled criteria set: pure, with no file access, clock or printing.

Each criterion gets one of the seven result states and an evidence string made of the values
that decided it. The order of decisions follows spec/criteria.md: applicability (unknown when it
depends on an uncaptured section), then met, then evidenced (not evidenced when the record lacks
the entry that would show it), else not met. A per-entry (`each`) criterion is not met if any
entry is not met, else unable to assess if any entry is unknown, else not evidenced if any entry
is not evidenced, else met.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from thematic.expr import Compiled, format_value
from thematic.functions import UNKNOWN, truth
from thematic.grading import suggest_grade
from thematic.model.case import Case
from thematic.model.criteria import CompiledCriterion, CriteriaSet, Template
from thematic.model.results import (
    ERROR, MET, NOT_APPLICABLE, NOT_EVIDENCED, NOT_MET, PENDING, UNABLE_TO_ASSESS,
    CaseResult, CriterionResult,
)
from thematic.quality import data_quality

#: The case fields an expression may read by name (the rest of the case is the inspector's).
_READABLE = tuple(name for name in Case.model_fields if name not in ("judgements", "grade"))
_MAX_ITEMS_SHOWN = 5


class _Namespace(dict):
    """Case fields by name; a named definition is computed the first time it is read."""

    def __init__(self, values: dict[str, Any], definitions: Mapping[str, Compiled], params: Mapping[str, Any]):
        super().__init__(values)
        self._definitions = definitions
        self._params = params

    def __missing__(self, name: str) -> Any:
        value = self._definitions[name](self, self._params)
        self[name] = value
        return value


@dataclass(frozen=True)
class Scorer:
    """Scores cases with one criteria set, one set of parameter values and one `as_of` date."""

    criteria: CriteriaSet
    parameters: Mapping[str, Any]
    as_of: date
    _severity: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_severity", {c.id: c.definition.severity for c in self.criteria.criteria})

    def score(self, case: Case) -> CaseResult:
        absent = case.absent_sections()
        values = {name: (UNKNOWN if name in absent else getattr(case, name)) for name in _READABLE}
        values["as_of"] = self.as_of
        ns = _Namespace(values, self.criteria.definitions, self.parameters)
        notes = list(data_quality(case))
        results: dict[str, CriterionResult] = {}
        for criterion in self.criteria.criteria:
            try:
                if criterion.definition.type == "judgement":
                    result = self._judgement(criterion, case, ns, absent, notes)
                else:
                    result = self._automatic(criterion, ns, absent)
            except Exception as exc:  # a criterion that fails on one case must not stop the sample
                result = CriterionResult(ERROR, f"evaluation failed: {type(exc).__name__}: {exc}")
            results[criterion.id] = result
        suggested, provisional = suggest_grade(
            self.criteria.file.grading, ((self._severity[cid], r.state) for cid, r in results.items())
        )
        return CaseResult(
            case_id=case.case_id,
            force=case.force,
            category=case.category,
            results=results,
            suggested_grade=suggested,
            provisional=provisional,
            grade=case.grade.value if case.grade else None,
            referred_back=bool(case.grade and case.grade.referred_back),
            data_quality=tuple(notes),
        )

    # --- automatic criteria ----------------------------------------------------------------

    def _applicability(self, criterion: CompiledCriterion, ns: _Namespace, absent: frozenset[str]) -> CriterionResult | None:
        applies = truth(criterion.applies(ns, self.parameters))
        if applies is UNKNOWN:
            return CriterionResult(UNABLE_TO_ASSESS, _not_captured(criterion, absent))
        if not applies:
            return CriterionResult(NOT_APPLICABLE, f"does not apply: {criterion.applies.source} is false")
        return None

    def _automatic(self, criterion: CompiledCriterion, ns: _Namespace, absent: frozenset[str]) -> CriterionResult:
        decided = self._applicability(criterion, ns, absent)
        if decided is not None:
            return decided
        if criterion.each is None:
            state = self._state(criterion, ns)
            if state is UNKNOWN:
                return CriterionResult(UNABLE_TO_ASSESS, _not_captured(criterion, absent))
            return CriterionResult(state, self._evidence(criterion, state, ns))
        items = criterion.each(ns, self.parameters)
        if items is UNKNOWN:
            return CriterionResult(UNABLE_TO_ASSESS, _not_captured(criterion, absent))
        states = [(item, self._state(criterion, ns, item)) for item in items]
        found = {state for _, state in states}
        for state in (NOT_MET, UNKNOWN, NOT_EVIDENCED, MET):
            if state in found or (state is MET and not states):
                break
        if state is UNKNOWN:
            return CriterionResult(UNABLE_TO_ASSESS, _not_captured(criterion, absent))
        shown = [self._evidence(criterion, state, ns, item) for item, s in states if s is state]
        if not shown:
            text = "no entries"
        elif len(shown) > _MAX_ITEMS_SHOWN:
            text = "; ".join(shown[:_MAX_ITEMS_SHOWN]) + f"; and {len(shown) - _MAX_ITEMS_SHOWN} more"
        else:
            text = "; ".join(shown)
        return CriterionResult(state, text)

    def _state(self, criterion: CompiledCriterion, ns: _Namespace, *item: Any) -> Any:
        assert criterion.met is not None
        met = truth(criterion.met(ns, self.parameters, *item))
        if met is True:
            return MET
        if met is UNKNOWN:
            return UNKNOWN
        if criterion.evidenced is None:
            return NOT_MET
        evidenced = truth(criterion.evidenced(ns, self.parameters, *item))
        if evidenced is UNKNOWN:
            return UNKNOWN
        return NOT_MET if evidenced else NOT_EVIDENCED

    def _evidence(self, criterion: CompiledCriterion, state: str, ns: _Namespace, *item: Any) -> str:
        template = criterion.evidence.get(state) or criterion.evidence.get("default")
        if template is None:
            return f"{state.replace('_', ' ')}: {criterion.met.source if criterion.met else ''}"
        return _render(template, ns, self.parameters, item)

    # --- judgement criteria ----------------------------------------------------------------

    def _judgement(self, criterion: CompiledCriterion, case: Case, ns: _Namespace,
                   absent: frozenset[str], notes: list[str]) -> CriterionResult:
        answer = case.judgements.get(criterion.id)
        applies = truth(criterion.applies(ns, self.parameters))
        if applies is False:
            if answer is not None:
                notes.append(f"{criterion.id}: answer \"{answer.answer}\" by {answer.by} ignored: "
                             f"the criterion does not apply ({criterion.applies.source} is false)")
            return CriterionResult(NOT_APPLICABLE, f"does not apply: {criterion.applies.source} is false")
        if answer is None:
            # The judgement is the inspector's: unanswered, it is pending even where the export is incomplete.
            return CriterionResult(PENDING, "no inspector answer yet")
        answers = criterion.definition.answers or {}
        if answer.answer not in answers:
            return CriterionResult(ERROR, f"answer \"{answer.answer}\" is not one of {', '.join(answers)}")
        text = f"answer \"{answer.answer}\" by {answer.by}" + (f": {answer.note}" if answer.note else "")
        return CriterionResult(answers[answer.answer], text)


def _not_captured(criterion: CompiledCriterion, absent: frozenset[str]) -> str:
    missing = sorted(criterion.sections & absent)
    return f"not captured in the export: {', '.join(missing)}" if missing else "not captured in the export"


def _render(template: Template, ns: _Namespace, params: Mapping[str, Any], item: tuple[Any, ...]) -> str:
    pieces = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        try:
            pieces.append(format_value(part(ns, params, *item)))
        except Exception:  # evidence must never turn a decided state into an error
            pieces.append("?")
    return "".join(pieces)
