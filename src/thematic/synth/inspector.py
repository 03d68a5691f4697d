"""The inspector's part of a generated case: judgement answers and an overall grade.

The generated record is scored with the criteria set first, as an inspector reads the automatic
results beside the file. A judgement is answered from the profile's `sound` shares when no
automatic criterion of its theme at least as severe as the judgement failed, else from its
`weak` shares: RISK-05 (critical) follows RISK-01, SUP-04 (major) follows SUP-01 and SUP-02. The
grade starts from the suggested grade (automatic results and answers together) and differs from
it as often as the profile's `grade_agreement` allows, one step at a time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thematic.model.case import GRADES, Case
from thematic.model.results import FAILED, PENDING
from thematic.scoring.criteria import CriteriaSet
from thematic.scoring.evaluate import Scorer
from thematic.scoring.grading import suggest_grade
from thematic.synth.clock import Clock
from thematic.synth.profile import PracticeProfile
from thematic.synth.stories import GRADE_NOTES, JUDGEMENT_NOTES, NO_HISTORY_NOTE

#: Judgement criteria about the child's history: answered n/a when the child has no earlier incident.
HISTORY_JUDGEMENTS = frozenset({"RISK-05"})
_NOTE_SHARE = 0.2


_RANK = {"minor": 0, "major": 1, "critical": 2}


def related(criteria: CriteriaSet, judgement: str) -> list[str]:
    """The automatic criteria a judgement follows: same theme, at least as severe."""
    definition = criteria.criterion(judgement).definition
    return [c.id for c in criteria.criteria
            if c.definition.type == "automatic" and c.definition.theme == definition.theme
            and _RANK[c.definition.severity] >= _RANK[definition.severity]]


def sound(criteria: CriteriaSet, judgement: str, states: dict[str, str]) -> bool:
    """True when none of the judgement's related automatic criteria failed (not met, not evidenced)."""
    return not any(states.get(cid) in FAILED for cid in related(criteria, judgement))


def _answer(clock: Clock, profile: PracticeProfile, allowed: Mapping[str, str], is_sound: bool) -> str:
    shares = (profile.inspection.judgements.sound if is_sound else profile.inspection.judgements.weak).as_dict()
    answer = str(clock.pick(shares))
    if answer not in allowed:  # e.g. INF-02 has no "partly": a partial answer is a "no"
        answer = "no" if "no" in allowed else next(iter(allowed))
    return answer


def inspect(document: dict[str, Any], case: Case, *, scorer: Scorer, profile: PracticeProfile,
            clock: Clock) -> dict[str, Any]:
    """`document` with `judgements` and `grade` added, drawn as one of the profile's inspectors."""
    criteria = scorer.criteria
    result = scorer.score(case)
    states = {cid: r.state for cid, r in result.results.items()}
    inspector = clock.rng.choice(profile.inspection.inspectors)
    has_history = any(i.at < case.reported_at for i in case.incidents)
    judgements: dict[str, Any] = {}
    for criterion in criteria.criteria:
        definition = criterion.definition
        if definition.type != "judgement" or states[criterion.id] != PENDING:
            continue  # automatic, or a judgement that does not apply to this case
        allowed = dict(definition.answers or {})
        note = None
        if "n/a" in allowed and criterion.id in HISTORY_JUDGEMENTS and not has_history:
            answer, note = "n/a", NO_HISTORY_NOTE
        elif "n/a" in allowed and criterion.id not in HISTORY_JUDGEMENTS and \
                clock.chance(profile.inspection.judgements.not_applicable):
            answer = "n/a"
        else:
            answer = _answer(clock, profile, allowed, sound(criteria, criterion.id, states))
        entry: dict[str, Any] = {"answer": answer, "by": inspector}
        if answer in JUDGEMENT_NOTES and clock.chance(_NOTE_SHARE):
            note = clock.rng.choice(JUDGEMENT_NOTES[answer])
        if note is not None:
            entry["note"] = note
        judgements[criterion.id] = entry
        states[criterion.id] = allowed[answer]
    severity = {c.id: c.definition.severity for c in criteria.criteria}
    suggested, _ = suggest_grade(criteria.file.grading, ((severity[cid], s) for cid, s in states.items()))
    grade = _inspector_grade(clock, profile, suggested)
    referred = grade == "inadequate" and clock.chance(profile.inspection.referred_back_share_of_inadequate)
    document = dict(document)
    document["judgements"] = judgements
    document["grade"] = {"value": grade, "by": inspector, "referred_back": referred}
    if referred:
        document["grade"]["note"] = clock.rng.choice(GRADE_NOTES["referred_back"])
    return document


def _inspector_grade(clock: Clock, profile: PracticeProfile, suggested: str) -> str:
    """The suggested grade, or one step from it (more often the kinder step, as the profile says)."""
    if clock.chance(profile.inspection.grade_agreement):
        return suggested
    order = list(GRADES)  # good, requires_improvement, inadequate
    index = order.index(suggested)
    kinder = clock.chance(profile.inspection.lenient_share_of_disagreements)
    step = -1 if kinder else 1
    if not 0 <= index + step < len(order):
        step = -step
    return order[index + step]
