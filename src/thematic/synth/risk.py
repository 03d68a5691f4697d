"""A child's history and risk: earlier incidents and their severity path, the reported incident,
later incidents, risk assessments and early-help referrals made before the report.

History lies before `reported_at` (the reported incident is at it); an escalating history is
three incidents in the year up to the report with strictly rising severity. Decisions here drive
RISK-01 (history considered), RISK-02 (escalation recognised, where no strategy discussion met
it), RISK-03 (child seen, demeanour recorded), RISK-04 (assessments reviewed) and EI-01 (early
help before the report).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from thematic.synth.clock import DAY, HOUR, MINUTE
from thematic.synth.draft import Draft
from thematic.synth.stories import HISTORY_TYPES

_RESPONSES = {"immediate": 0.6, "scheduled": 0.3, "none": 0.1}


def _incident(at: datetime, kind: str, severity: int, *, seen: bool, demeanour: bool, response: str) -> dict[str, Any]:
    return {"at": at, "type": kind, "severity": severity, "child_seen": seen,
            "demeanour_recorded": demeanour, "response": response}


def _history_incident(draft: Draft, at: datetime, severity: int) -> dict[str, Any]:
    clock = draft.clock
    response = clock.pick(_RESPONSES)
    seen = response != "none" and clock.chance(0.7)
    return _incident(at, clock.rng.choice(HISTORY_TYPES[draft.category]), severity,
                     seen=seen, demeanour=seen and clock.chance(0.6), response=response)


def _not_rising_pair(draft: Draft, last: int) -> tuple[int, int]:
    """Two earlier severities that, followed by `last`, do not rise strictly."""
    while True:
        a, b = draft.rng.randint(1, 5), draft.rng.randint(1, 5)
        if not (a < b < last):
            return a, b


def build_incidents(draft: Draft) -> None:
    """Earlier incidents, the reported incident (at `reported_at`) and later ones."""
    clock, story, reported = draft.clock, draft.story, draft.reported_at
    run = int(draft.params["escalation_run"])
    kind = clock.pick({"none": draft.profile.history.none, "one": draft.profile.history.one,
                       "repeat": draft.profile.history.repeat})
    earlier = {"none": 0, "one": 1, "repeat": clock.rng.randint(max(2, run - 1), 6)}[kind]
    escalating = kind == "repeat" and 2 <= run <= 5 and clock.chance(draft.profile.history.escalating_share)
    if escalating:
        path = sorted(clock.rng.sample(range(1, 6), run))
        severity = path[-1]
        tail = path[:-1]
    else:
        severity = clock.rng.randint(*story.severity)
        tail = list(_not_rising_pair(draft, severity)) if earlier >= 2 else []
    # Earlier incidents in the year before the report, in time order (at least a day apart from it).
    offsets = sorted(clock.rng.sample(range(1 * DAY, 364 * DAY, 7 * HOUR), earlier), reverse=True)
    times = [clock.nameable(reported - timedelta(minutes=o)) for o in offsets]
    severities = [clock.rng.randint(1, 4) for _ in range(earlier - len(tail))] + tail
    for at, value in zip(times, severities, strict=True):
        draft.incidents.append(_history_incident(draft, at, value))
    if clock.chance(draft.profile.history.older_incidents):
        for _ in range(clock.rng.randint(1, 2)):
            at = clock.nameable(reported - timedelta(minutes=clock.rng.randint(400 * DAY, 1000 * DAY)))
            draft.incidents.append(_history_incident(draft, at, clock.rng.randint(1, 3)))
    response = "none" if clock.chance(story.response_none) else clock.pick({"immediate": 0.8, "scheduled": 0.2})
    index_type = "concern" if draft.category == "detention" and clock.chance(0.3) else draft.category
    draft.incidents.append(_incident(reported, index_type, severity, seen=response != "none",
                                     demeanour=response != "none", response=response))
    if clock.chance(story.later_incidents):
        later = reported
        for _ in range(clock.rng.randint(1, 2)):
            later = clock.after(later, 2 * DAY, 60 * DAY)
            if later >= draft.horizon:
                break
            attended = clock.pick({"immediate": 0.7, "scheduled": 0.2, "none": 0.1})
            draft.incidents.append(_incident(later, clock.rng.choice(HISTORY_TYPES[draft.category]),
                                             clock.rng.randint(1, 5), seen=attended != "none",
                                             demeanour=attended != "none", response=attended))


def _window(draft: Draft, days: float, *, include_report: bool) -> list[dict[str, Any]]:
    reported = draft.reported_at
    return [i for i in draft.incidents
            if timedelta(0) <= reported - i["at"] <= timedelta(days=days)
            and (include_report or i["at"] < reported)]


def repeat_pattern(draft: Draft) -> bool:
    """RISK-01 applies: enough incidents in the repeat window up to and including the report."""
    window = _window(draft, draft.params["repeat_window_days"], include_report=True)
    threshold: float = draft.params["repeat_threshold"]
    return len(window) >= threshold


def escalation(draft: Draft) -> bool:
    """RISK-02 applies: the last `escalation_run` incidents in the window rise strictly in severity."""
    run = int(draft.params["escalation_run"])
    window = sorted(_window(draft, draft.params["repeat_window_days"], include_report=True), key=lambda i: i["at"])
    last = [i["severity"] for i in window[-run:]] if run > 0 else []
    return len(last) == run and run >= 2 and all(b > a for a, b in zip(last, last[1:], strict=False))


def decide_escalation(draft: Draft) -> None:
    """RISK-02. An escalating history followed by a strategy discussion meets it as the story stands;
    without one, was the escalation recognised (graded high) or not (graded medium)?"""
    draft.escalation_met = None
    draft.escalation_graded = False
    if escalation(draft):
        if any(s["at"] >= draft.reported_at for s in draft.strategy_discussions):
            draft.escalation_met = True
            draft.intend("RISK-02", True)
        else:
            draft.escalation_met = draft.met("escalation_recognised")
            draft.escalation_graded = True


def _level(draft: Draft, severity: int) -> str:
    clock = draft.clock
    if severity >= 5:
        level = clock.pick({"high": 0.8, "medium": 0.2})
    elif severity == 4:
        level = clock.pick({"high": 0.4, "medium": 0.5, "standard": 0.1})
    elif severity == 3:
        level = clock.pick({"medium": 0.6, "standard": 0.3, "high": 0.1})
    else:
        level = clock.pick({"standard": 0.7, "medium": 0.3})
    if draft.escalation_met is False and level == "high":
        level = "medium"  # the escalation went unrecognised: never graded high
    return level


def _assessment(draft: Draft, at: datetime, level: str, history: bool) -> dict[str, Any]:
    return {"at": at, "level": level, "history_considered": history, "supervisor_reviewed_at": None}


def build_assessments(draft: Draft) -> None:
    """History assessments, the case's first assessment after the report, and one per later incident."""
    clock, reported = draft.clock, draft.reported_at
    for incident in draft.incidents:
        if incident["at"] < reported and incident["severity"] >= 3 and clock.chance(0.6):
            at = clock.after(incident["at"], 30 * MINUTE, 6 * HOUR)
            past = _assessment(draft, at, _level(draft, incident["severity"]), clock.chance(0.4))
            past["supervisor_reviewed_at"] = clock.daytime_after(at, 1 * HOUR, 3 * DAY) if clock.chance(0.6) else None
            draft.risk_assessments.append(past)
    index = next(i for i in draft.incidents if i["at"] == reported)
    if draft.escalation_graded:  # graded high (recognised) or medium (not): raised either way
        level = "high" if draft.escalation_met else "medium"
    else:
        level = _level(draft, index["severity"])
    if repeat_pattern(draft):
        history = draft.met("history_considered")
    else:
        history = any(i["at"] < reported for i in draft.incidents) and clock.chance(0.5)
    case = [_assessment(draft, clock.after(reported, 20 * MINUTE, 10 * HOUR), level, history)]
    for incident in draft.incidents:
        if incident["at"] > reported and incident["response"] != "none":
            at = clock.after(incident["at"], 30 * MINUTE, 12 * HOUR)
            if at < draft.horizon:
                case.append(_assessment(draft, at, _level(draft, incident["severity"]), clock.chance(0.5)))
    _reviews(draft, case)
    draft.risk_assessments.extend(case)


def _reviews(draft: Draft, case: list[dict[str, Any]]) -> None:
    """RISK-04: medium and high assessments reviewed by a supervisor within the limit."""
    clock, limit = draft.clock, int(draft.params["risk_review_max_hours"] * HOUR)
    raised = [a for a in case if a["level"] in ("medium", "high")]
    failing = None
    if raised and not draft.met("risk_assessment_reviewed_within_limit"):
        failing = clock.rng.choice(raised)
    for assessment in case:
        at = assessment["at"]
        if assessment is failing:
            late = None if draft.unrecorded() else clock.daytime_after(at, limit + 2 * HOUR, limit * 4)
            assessment["supervisor_reviewed_at"] = late
        elif assessment in raised:
            assessment["supervisor_reviewed_at"] = clock.daytime_after(at, 30 * MINUTE, limit - 30 * MINUTE)
        elif clock.chance(0.5):
            assessment["supervisor_reviewed_at"] = clock.daytime_after(at, 1 * HOUR, 3 * DAY)


def seen_at_attended(draft: Draft) -> None:
    """RISK-03: at every attended incident from the report on, the child seen and demeanour recorded."""
    attended = [i for i in draft.incidents if i["at"] >= draft.reported_at and i["response"] != "none"]
    for incident in attended:
        incident["child_seen"], incident["demeanour_recorded"] = True, True
    if attended and not draft.met("child_seen_and_demeanour_recorded"):
        missed = draft.clock.rng.choice(attended)
        if draft.clock.chance(0.4):
            missed["child_seen"] = False
            missed["demeanour_recorded"] = False
        else:
            missed["demeanour_recorded"] = False


def early_help(draft: Draft) -> None:
    """EI-01: earlier incidents in the early-help window call for a referral before the report."""
    clock, reported = draft.clock, draft.reported_at
    window = _window(draft, draft.params["early_help_window_days"], include_report=False)
    if len(window) >= draft.params["early_help_threshold"]:
        if draft.met("early_help_referral"):
            anchor = min(i["at"] for i in window)
            span = int((reported - anchor).total_seconds() // 60) - 2 * HOUR
            at = clock.daytime_after(anchor, HOUR, max(HOUR, span))
            draft.referrals.append({"at": at, "to": clock.pick({"early_help": 0.6, "childrens_social_care": 0.4})})
        return
    earlier = [i for i in draft.incidents if i["at"] < reported]
    if earlier and clock.chance(0.3):
        incident = clock.rng.choice(earlier)
        at = clock.daytime_after(incident["at"], 2 * HOUR, 3 * DAY)
        if at < reported:
            draft.referrals.append({"at": at, "to": clock.pick({"early_help": 0.5, "childrens_social_care": 0.3,
                                                                  "school": 0.2})})
