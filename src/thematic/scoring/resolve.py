"""An inspection's sample resolved for scoring: one answer per criterion and one grade per case.

Every inspector's answers are in the loaded sample (`thematic.load.sample`). For scoring, each case
gets one answer per criterion and one grade:

- a moderated answer (moderation file), where there is one: who decided and why go into the evidence,
  beside the inspectors' original answers;
- otherwise the answer, when every inspector who answered gave the same one;
- otherwise none: the criterion stays `pending`, its evidence listing the answers that await
  moderation (an open grade leaves the case ungraded, with a note under data quality).

A case stays referred back if any inspector referred it back, unless a moderator decided otherwise.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from thematic.load.sample import GRADE, InspectionT, Moderation, Rating, Sample
from thematic.model.case import Case, Grade, Judgement
from thematic.model.results import PENDING, CaseResult, CriterionResult
from thematic.scoring.evaluate import Scorer


@dataclass(frozen=True)
class Resolved:
    """A case with the answers scoring uses, and what is still open."""

    case: Case
    open: dict[str, str]  # item -> why it has no answer (inspectors disagree)
    referred_back: bool


def listing(ratings: dict[str, Rating]) -> str:
    """`insp-a "yes", insp-b "no"`: every inspector's answer, in inspector order."""
    return ", ".join(f'{r.inspector} "{r.value}"' for r in sorted(ratings.values(), key=lambda r: r.inspector))


def _joined_notes(ratings: list[Rating]) -> str | None:
    if len(ratings) == 1:
        return ratings[0].note
    notes = [f"{r.inspector}: {r.note}" for r in ratings if r.note]
    return "; ".join(notes) or None


def resolve(case: Case, items: dict[str, dict[str, Rating]], moderation: dict[str, Moderation]) -> Resolved:
    """The case with one answer per criterion and one grade, as scoring uses them (see the module)."""
    judgements: dict[str, Judgement] = {}
    open_items: dict[str, str] = {}
    for item in dict.fromkeys([*items, *moderation]):
        if item == GRADE:
            continue
        given = items.get(item, {})
        decision = moderation.get(item)
        if decision is not None:
            judgements[item] = Judgement(answer=decision.value, by=decision.by,
                                         note=_moderated_note(given, decision))
        elif len({r.value for r in given.values()}) == 1:
            ordered = sorted(given.values(), key=lambda r: r.inspector)
            judgements[item] = Judgement(answer=ordered[0].value, by=", ".join(r.inspector for r in ordered),
                                         note=_joined_notes(ordered))
        elif given:
            open_items[item] = f"inspectors disagree ({listing(given)}); awaiting moderation"
    grades = items.get(GRADE, {})
    decision = moderation.get(GRADE)
    grade: Grade | None = None
    referred_back = any(r.referred_back for r in grades.values())
    if decision is not None:
        referred_back = decision.referred_back
        grade = Grade(value=decision.value, by=decision.by, referred_back=decision.referred_back,  # type: ignore[arg-type]
                      note=_moderated_note(grades, decision))
    elif len({r.value for r in grades.values()}) == 1:
        ordered = sorted(grades.values(), key=lambda r: r.inspector)
        grade = Grade(value=ordered[0].value, by=", ".join(r.inspector for r in ordered),  # type: ignore[arg-type]
                      referred_back=referred_back, note=_joined_notes(ordered))
    elif grades:
        open_items[GRADE] = f"grade: inspectors disagree ({listing(grades)}); no inspector grade until moderated"
    resolved = case.model_copy(update={"judgements": judgements, "grade": grade})
    return Resolved(case=resolved, open=open_items, referred_back=referred_back)


def _moderated_note(given: dict[str, Rating], decision: Moderation) -> str:
    originals = f" ({listing(given)})" if given else ""
    return f"moderated{originals}: {decision.reason}"


def score_resolved(scorer: Scorer, resolved: Resolved) -> CaseResult:
    """Score a resolved case; an open disagreement says so in its evidence instead of "no answer yet"."""
    result = scorer.score(resolved.case)
    results = dict(result.results)
    for item, text in resolved.open.items():
        if item != GRADE and results.get(item) is not None and results[item].state == PENDING:
            results[item] = CriterionResult(PENDING, text)
    notes = result.data_quality + ((resolved.open[GRADE],) if GRADE in resolved.open else ())
    return dataclasses.replace(result, results=results, referred_back=resolved.referred_back, data_quality=notes)


def unanswered(case: Case) -> Case:
    """The case without any inspector's answers or grade (what the automatic criteria alone say)."""
    return case.model_copy(update={"judgements": {}, "grade": None})


def resolve_case(sample: Sample[InspectionT], case: Case) -> Resolved:
    """`case` of `sample` with its inspectors' answers resolved (see the module)."""
    return resolve(case, sample.ratings.get(case.case_id, {}), sample.moderation.get(case.case_id, {}))


def score_sample(sample: Sample[InspectionT], scorer: Scorer) -> list[CaseResult]:
    """Every case of the sample, resolved and scored, in sample order."""
    return [score_resolved(scorer, resolve_case(sample, loaded.case)) for loaded in sample.cases]
