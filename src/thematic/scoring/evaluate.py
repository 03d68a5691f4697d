"""Score one case against a compiled criteria set: pure, with no file access, clock or printing.

Each criterion gets one of the seven result states and an evidence string made of the values
that decided it. The order of decisions follows spec/criteria.md: applicability (unknown when it
depends on an uncaptured section), then met, then evidenced (not evidenced when the record lacks
the entry that would show it), else not met. A per-entry (`each`) criterion is not met if any
entry is not met, else unable to assess if any entry is unknown, else not evidenced if any entry
is not evidenced, else met.

Speed: a whole caseload is scored case by case, so everything that does not depend on the case
(each criterion's compiled functions, its fixed texts) is prepared once per Scorer as a `_Plan`,
and the per-case loop calls the compiled functions directly.

Bounds: each criterion of each case starts with a full budget of steps (functions.MAX_STEPS). A
criterion that goes over a limit, or whose evaluation fails in any other way (a date pushed out of
the calendar, a comparison of a date with a number), is `error` on that case with the reason;
the rest of the case and the sample are still scored.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thematic.load.fast_case import CaseRecord
from thematic.model.base import file_fields
from thematic.model.case import Case
from thematic.model.results import (
    ERROR,
    MET,
    NOT_APPLICABLE,
    NOT_EVIDENCED,
    NOT_MET,
    PENDING,
    UNABLE_TO_ASSESS,
    CaseResult,
    CriterionResult,
)
from thematic.scoring import functions as _functions
from thematic.scoring.criteria import CompiledCriterion, CriteriaSet, Template
from thematic.scoring.expr import format_value
from thematic.scoring.functions import UNKNOWN, LimitExceeded, charge_items, reset_budget
from thematic.scoring.grading import suggest_grade
from thematic.scoring.quality import data_quality
from thematic.scoring.set_function import SetFunction, build_set_function

#: The case fields an expression may read by name (the rest of the case is the inspector's).
_READABLE = tuple(name for name in file_fields(Case) if name not in ("judgements", "grade"))
_read_fields = operator.attrgetter(*_READABLE)  # in C: the case model and the fast path's records alike
_MAX_ITEMS_SHOWN = 5
#: Results without evidence text (runs that only count states), one of each, shared: they are frozen.
_BARE = {state: CriterionResult(state, "") for state in (MET, NOT_MET, NOT_EVIDENCED)}
#: The order in which an `each` criterion's entry states decide the criterion's state.
_EACH_ORDER = (NOT_MET, UNKNOWN, NOT_EVIDENCED, MET)


class _Namespace(dict[str, Any]):
    """Case fields by name; a named definition is computed the first time it is read."""

    __slots__ = ("_definitions", "_params")

    def __init__(self, values: Iterable[tuple[str, Any]], definitions: Mapping[str, Callable[..., Any]],
                 params: Mapping[str, Any]):
        super().__init__(values)
        self._definitions = definitions
        self._params = params

    def __missing__(self, name: str) -> Any:
        value = self._definitions[name](self, self._params)
        self[name] = value
        return value


def _truth(value: Any) -> Any:
    """`functions.truth`, kept local for the hot loop: True, False or UNKNOWN."""
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return False
    return bool(value)


# A template as (is_text, text or compiled function) pairs, or, with no template, a fixed text.
_Parts = tuple[tuple[bool, Any], ...]


class _Plan:
    """What scoring needs of one criterion, prepared once: compiled functions and fixed texts."""

    __slots__ = ("id", "criterion", "judgement", "applies", "not_applicable", "reason", "each", "met",
                 "evidenced", "evidence", "answers")

    def __init__(self, criterion: CompiledCriterion, evidence: bool = True):
        definition = criterion.definition
        self.id = criterion.id
        self.criterion = criterion
        self.judgement = definition.type == "judgement"
        self.applies = criterion.applies.function
        self.not_applicable = CriterionResult(NOT_APPLICABLE, f"does not apply: {criterion.applies.source} is false")
        # A dated criterion (`applies_from`) says, case by case, when its date is why it does not apply.
        self.reason = criterion.not_applicable_reason
        self.each = criterion.each.function if criterion.each is not None else None
        self.met = criterion.met.function if criterion.met is not None else None
        self.evidenced = criterion.evidenced.function if criterion.evidenced is not None else None
        self.evidence: dict[str, _Parts | str | None] = {
            state: self._parts(criterion, state) if evidence else None for state in (MET, NOT_MET, NOT_EVIDENCED)
        }
        self.answers = definition.answers or {}

    @staticmethod
    def _parts(criterion: CompiledCriterion, state: str) -> _Parts | str:
        template: Template | None = criterion.evidence.get(state) or criterion.evidence.get("default")
        if template is None:
            return f"{state.replace('_', ' ')}: {criterion.met.source if criterion.met else ''}"
        return tuple((True, part) if isinstance(part, str) else (False, part.function) for part in template.parts)


@dataclass(frozen=True)
class Scorer:
    """Scores cases with one criteria set, one set of parameter values and one `as_of` date."""

    criteria: CriteriaSet
    parameters: Mapping[str, Any]
    as_of: date
    #: False leaves the evidence of met, not met and not evidenced results empty (""): for runs
    #: that only count states (a caseload summary), where building the text is a third of the time.
    evidence: bool = True
    #: True scores criterion by criterion (`_automatic`, `_judgement`): the reference that the
    #: generated function of the whole set (`scoring.set_function`, used otherwise) is tested against.
    reference: bool = False
    _severity: dict[str, str] = field(init=False, repr=False, compare=False)
    _plans: tuple[_Plan, ...] = field(init=False, repr=False, compare=False)
    _definitions: dict[str, Callable[..., Any]] = field(init=False, repr=False, compare=False)
    _set: SetFunction | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_severity", {c.id: c.definition.severity for c in self.criteria.criteria})
        object.__setattr__(self, "_plans", tuple(_Plan(c, self.evidence) for c in self.criteria.criteria))
        object.__setattr__(self, "_definitions", {n: d.function for n, d in self.criteria.definitions.items()})
        function = None if self.reference else build_set_function(
            self._plans, evidence=self.evidence, judge=self._judgement, unable=_unable, each_result=_each_result,
            evidenced_result=_evidenced_result, failure=_failure, not_applicable=_not_applicable)
        object.__setattr__(self, "_set", function)

    def score(self, case: Case | CaseRecord) -> CaseResult:
        """Every criterion's result for a case: the model, or the fast path's record of it (the same fields)."""
        absent = case.absent_sections()
        params = self.parameters
        ns = _Namespace(zip(_READABLE, _read_fields(case), strict=True), self._definitions, params)
        for name in absent:
            ns[name] = UNKNOWN
        ns["as_of"] = self.as_of
        notes = _quality_notes(case)
        results: dict[str, CriterionResult] = {}
        if self._set is not None:
            try:
                self._set(ns, params, absent, case, notes, results, _functions.MAX_STEPS)
            finally:
                reset_budget(_UNLIMITED)
            return self._case_result(case, results, notes)
        budget, steps = _functions._budget, _functions.MAX_STEPS  # `reset_budget()`, written out in the loop
        for plan in self._plans:
            budget.steps = steps
            try:
                if plan.judgement:
                    result = self._judgement(plan, case, ns, notes)
                else:
                    result = self._automatic(plan, ns, params, absent)
            except LimitExceeded as exc:
                result = CriterionResult(ERROR, f"evaluation stopped: {exc}")
            except Exception as exc:  # a criterion that fails on one case must not stop the sample
                result = CriterionResult(ERROR, _failure(exc))
            results[plan.id] = result
        reset_budget(_UNLIMITED)
        return self._case_result(case, results, notes)

    def _case_result(self, case: Case | CaseRecord, results: dict[str, CriterionResult],
                     notes: list[str]) -> CaseResult:
        severity = self._severity
        suggested, provisional = suggest_grade(
            self.criteria.file.grading, [(severity[cid], r.state) for cid, r in results.items()]
        )
        grade = case.grade
        return CaseResult(
            case_id=case.case_id,
            force=case.force,
            category=case.category,
            results=results,
            suggested_grade=suggested,
            provisional=provisional,
            grade=grade.value if grade else None,
            referred_back=bool(grade and grade.referred_back),
            data_quality=tuple(notes),
        )

    # --- automatic criteria ----------------------------------------------------------------

    def _automatic(self, plan: _Plan, ns: _Namespace, params: Mapping[str, Any],
                   absent: frozenset[str]) -> CriterionResult:
        applies = _truth(plan.applies(ns, params))
        if applies is UNKNOWN:
            return CriterionResult(UNABLE_TO_ASSESS, _not_captured(plan.criterion, absent))
        if not applies:
            return _not_applicable(plan, ns, params)
        if plan.each is None:
            state = _state(plan, ns, params)
            if state is UNKNOWN:
                return CriterionResult(UNABLE_TO_ASSESS, _not_captured(plan.criterion, absent))
            if plan.evidence[state] is None:
                return _BARE[state]
            return CriterionResult(state, _evidence(plan, state, ns, params))
        items = plan.each(ns, params)
        if items is UNKNOWN:
            return CriterionResult(UNABLE_TO_ASSESS, _not_captured(plan.criterion, absent))
        charge_items(items)
        states = [(item, _state(plan, ns, params, item)) for item in items]
        return _each_result(plan, states, ns, params, absent)

    # --- judgement criteria ----------------------------------------------------------------

    def _judgement(self, plan: _Plan, case: Case | CaseRecord, ns: _Namespace, notes: list[str]) -> CriterionResult:
        answer = case.judgements.get(plan.id)
        applies = _truth(plan.applies(ns, self.parameters))
        if applies is False:
            if answer is not None:
                notes.append(f"{plan.id}: answer \"{answer.answer}\" by {answer.by} ignored: "
                             f"the criterion does not apply ({plan.criterion.applies.source} is false)")
            return _not_applicable(plan, ns, self.parameters)
        if answer is None:
            # The judgement is the inspector's: unanswered, it is pending even where the export is incomplete.
            return CriterionResult(PENDING, "no inspector answer yet")
        answers = plan.answers
        if answer.answer not in answers:
            return CriterionResult(ERROR, f"answer \"{answer.answer}\" is not one of {', '.join(answers)}")
        text = f"answer \"{answer.answer}\" by {answer.by}" + (f": {answer.note}" if answer.note else "")
        return CriterionResult(answers[answer.answer], text)


def _not_applicable(plan: _Plan, ns: _Namespace, params: Mapping[str, Any]) -> CriterionResult:
    """The result of a criterion that does not apply: the case's own date when that is the reason
    ("not applicable: CRM-02 applies from 31 July 2015; outcome.decided_at was 3 March 2015"),
    else the criterion's fixed text. Shared by the loop and the generated set function."""
    if plan.reason is not None:
        text = plan.reason(ns, params)
        if text is not None:
            return CriterionResult(NOT_APPLICABLE, text)
    return plan.not_applicable


def _each_result(plan: _Plan, states: list[tuple[Any, Any]], ns: _Namespace, params: Mapping[str, Any],
                 absent: frozenset[str]) -> CriterionResult:
    """The result of an `each` criterion from its entries' (entry, state) pairs, with its evidence."""
    found = {s for _, s in states}
    state: Any = MET  # the state of an `each` criterion with no entries
    for state in _EACH_ORDER:
        if state in found:
            break
    if state is UNKNOWN:
        return _unable(plan, absent)
    if plan.evidence[state] is None:
        return _BARE[state]
    shown = [_evidence(plan, state, ns, params, item) for item, s in states if s is state]
    if not shown:
        text = "no entries"
    elif len(shown) > _MAX_ITEMS_SHOWN:
        text = "; ".join(shown[:_MAX_ITEMS_SHOWN]) + f"; and {len(shown) - _MAX_ITEMS_SHOWN} more"
    else:
        text = "; ".join(shown)
    return CriterionResult(state, text)


def _unable(plan: _Plan, absent: frozenset[str]) -> CriterionResult:
    return CriterionResult(UNABLE_TO_ASSESS, _not_captured(plan.criterion, absent))


def _evidenced_result(plan: _Plan, state: str, ns: _Namespace, params: Mapping[str, Any]) -> CriterionResult:
    """A decided result of a criterion that is not `each`, with its evidence (if the scorer writes it)."""
    if plan.evidence[state] is None:
        return _BARE[state]
    return CriterionResult(state, _evidence(plan, state, ns, params))


def _state(plan: _Plan, ns: _Namespace, params: Mapping[str, Any], *item: Any) -> Any:
    assert plan.met is not None  # only automatic criteria are scored here, and each has its `met`
    met = _truth(plan.met(ns, params, *item))
    if met is True:
        return MET
    if met is UNKNOWN:
        return UNKNOWN
    if plan.evidenced is None:
        return NOT_MET
    evidenced = _truth(plan.evidenced(ns, params, *item))
    if evidenced is UNKNOWN:
        return UNKNOWN
    return NOT_MET if evidenced else NOT_EVIDENCED


def _evidence(plan: _Plan, state: str, ns: _Namespace, params: Mapping[str, Any], *item: Any) -> str:
    parts = plan.evidence[state]
    if parts is None:
        return ""
    if isinstance(parts, str):
        return parts
    pieces = []
    for is_text, part in parts:
        if is_text:
            pieces.append(part)
            continue
        try:
            pieces.append(format_value(part(ns, params, *item)))
        except Exception:  # evidence must never turn a decided state into an error
            pieces.append("?")
    return "".join(pieces)


_UNLIMITED = 10**18


def _failure(exc: Exception) -> str:
    """The evidence of a criterion whose evaluation failed: what went wrong, in words where we know them."""
    if isinstance(exc, OverflowError):
        return f"evaluation failed: a date, time or number is out of range ({exc})"
    if isinstance(exc, RecursionError):
        return "evaluation failed: definitions nested too deeply"
    if isinstance(exc, MemoryError):
        return "evaluation failed: out of memory"
    return f"evaluation failed: {type(exc).__name__}: {exc}"


def _quality_notes(case: Case | CaseRecord) -> list[str]:
    """Data-quality notes; a note that cannot be written (a time out of range) never stops scoring."""
    try:
        return data_quality(case)
    except (OverflowError, ValueError) as exc:
        return [f"data-quality check failed: {exc}"]


def _not_captured(criterion: CompiledCriterion, absent: frozenset[str]) -> str:
    missing = sorted(criterion.sections & absent)
    return f"not captured in the export: {', '.join(missing)}" if missing else "not captured in the export"
