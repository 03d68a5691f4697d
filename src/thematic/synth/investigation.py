"""The criminal investigation in which the child is a victim: officer, suspect, devices,
supervision, outcome and closure.

Decisions here drive TRN-01 (trained lead for complex cases), TIM-06 (arrest), DIG-01..03
(devices), SUP-01..03 (supervision) and OUT-01 (closure explained). A case still open at `as_of`
has no outcome and no `closed_at`; supervision is then read up to `as_of`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from thematic.synth.clock import DAY, HOUR, MINUTE
from thematic.synth.draft import Draft
from thematic.synth.stories import code_available

#: Outcomes after which OUT-01 asks that the rationale be recorded and the victim told.
EXPLAINED_CODES = frozenset({14, 15, 16, 18, 21})


def _minutes(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() // 60)


def investigation(draft: Draft) -> None:
    clock, story = draft.clock, draft.story
    allocated = clock.daytime_after(draft.reported_at, 30 * MINUTE, 48 * HOUR)
    complexity = "complex" if clock.chance(story.complex) else "standard"
    minimum = int(draft.params["min_pip_level"])
    if complexity == "complex":
        if draft.met("complex_lead_trained"):
            officer = {"pip_level": min(4, minimum + (clock.rng.random() < 0.2)), "specialist_trained": True}
        elif minimum > 0 and clock.chance(0.5):
            officer = {"pip_level": minimum - 1, "specialist_trained": clock.chance(0.3)}
        else:
            officer = {"pip_level": minimum, "specialist_trained": False}
    else:
        officer = {"pip_level": clock.pick({1: 0.6, 2: 0.4}), "specialist_trained": clock.chance(0.4)}
    identified = arrested = None
    if clock.chance(story.suspect_identified):
        identified = (clock.after(draft.reported_at, 10 * MINUTE, 12 * HOUR) if clock.chance(0.6)
                      else clock.after(draft.reported_at, DAY, 30 * DAY))
        limit = int(draft.params["arrest_max_days"] * DAY)
        if draft.met("suspect_arrested_within_limit"):
            arrested = clock.after(identified, 30 * MINUTE, limit - 2 * HOUR)
        elif not draft.unrecorded():
            arrested = clock.after(identified, limit + DAY, limit + 60 * DAY)
    draft.investigation = {"allocated_at": allocated, "complexity": complexity, "officer": officer,
                           "suspect_identified_at": identified, "suspect_arrested_at": arrested}
    # Long enough for any supervision lapse with the default limits, and independent of every
    # practice decision, so that which cases are closed (OUT-01) depends on the story alone.
    duration = clock.rng.randint(150, 420) if complexity == "complex" else clock.rng.randint(115, 240)
    decided = clock.daytime_after(allocated, duration * DAY, duration * DAY + DAY)
    if arrested is not None:
        decided = max(decided, clock.daytime_after(arrested, DAY, 10 * DAY))
    if clock.chance(story.devices):
        devices(draft, allocated, indecent=clock.chance(story.indecent_images), close_by=decided)
    plan = _supervision_plan(draft, allocated, complexity)
    if plan is not None:
        first, long_gap, _ = plan
        needed = first + timedelta(minutes=(long_gap or 0) + 2 * DAY)
        if decided < needed:  # only with limits far above the defaults
            decided = clock.daytime_after(needed, 0, 20 * DAY)
    closed = clock.daytime_after(decided, HOUR, 7 * DAY)
    if closed < draft.horizon:
        victim_outcome(draft, decided, identified is not None)
        draft.closed_at = closed
    if plan is not None:
        _supervision(draft, plan, draft.closed_at or draft.horizon)


def devices(draft: Draft, start: datetime, *, indecent: bool, close_by: datetime | None = None) -> None:
    """DIG-01 (submitted within the limit), DIG-02 (examined within the limit), DIG-03 (triaged before return).

    A late examination planned after `close_by` (the case's decision) never happened: the case
    closed while the device waited. Any examination planned after as_of is still waiting.
    """
    clock = draft.clock
    count = clock.pick({1: 0.6, 2: 0.3, 3: 0.1})
    submit_limit = int(draft.params["device_submit_max_days"] * DAY)
    exam_limit = int(draft.params["device_exam_max_days"] * DAY)
    seized = [clock.after(start, HOUR, 14 * DAY) for _ in range(count)]
    late_submit = None if draft.met("devices_submitted_within_limit") else clock.rng.randrange(count)
    submitted: list[datetime | None] = []
    for index, at in enumerate(seized):
        if index == late_submit:
            # Unrecorded only beside a submitted device, so that DIG-02 applies whenever devices do.
            unrecorded = draft.unrecorded() and count > 1
            late = clock.daytime_after(at, submit_limit + DAY, submit_limit + 40 * DAY)
            submitted.append(None if unrecorded else late)
        else:
            submitted.append(clock.daytime_after(at, HOUR, submit_limit - 6 * HOUR))
    waiting = [i for i, s in enumerate(submitted) if s is not None]
    late_exam = None
    if waiting and not draft.met("devices_examined_within_limit"):
        late_exam = clock.rng.choice(waiting)
    examined: list[datetime | None] = []
    for index, sent in enumerate(submitted):
        if sent is None:
            examined.append(None)
            continue
        planned = (clock.daytime_after(sent, exam_limit + 2 * DAY, exam_limit + 300 * DAY) if index == late_exam
                   else clock.daytime_after(sent, DAY, exam_limit - DAY))
        cutoff = min(draft.horizon, close_by or draft.horizon) if index == late_exam else draft.horizon
        examined.append(planned if planned < cutoff else None)
    images = [indecent and clock.chance(0.8) for _ in range(count)]
    if indecent and not any(images):
        images[0] = True
    returned: list[datetime | None] = [None] * count
    triaged = [clock.chance(draft.profile.devices.triage_available) for _ in range(count)]
    suspect_devices = [i for i in range(count) if images[i]]
    if suspect_devices and clock.chance(draft.profile.devices.returned_to_suspect):
        chosen = [i for i in suspect_devices if clock.chance(0.7)] or [suspect_devices[0]]
        failing = None if draft.met("returned_devices_triaged_first") else clock.rng.choice(chosen)
        for index in chosen:
            returned[index], triaged[index] = _return(draft, seized[index], examined[index], index == failing)
    for index in range(count):
        done = examined[index]
        if returned[index] is None and not images[index] and done is not None and clock.chance(0.4):
            candidate = clock.daytime_after(done, DAY, 30 * DAY)
            returned[index] = candidate if candidate < draft.horizon else None
    base = len(draft.devices)
    for index in range(count):
        draft.devices.append({"ref": f"D-{base + index + 1}", "seized_at": seized[index],
                              "submitted_at": submitted[index], "examined_at": examined[index],
                              "returned_to_suspect_at": returned[index], "triaged": triaged[index],
                              "indecent_images_suspected": images[index]})


def _return(draft: Draft, seized: datetime, examined: datetime | None, failing: bool) -> tuple[datetime, bool]:
    """(returned_to_suspect_at, triaged) for a device that may hold indecent images and went back."""
    clock = draft.clock
    if failing:  # back to the suspect untriaged, before any examination
        latest = examined if examined is not None else min(draft.horizon, seized + timedelta(days=60))
        return clock.after(seized, 2 * HOUR, max(2 * HOUR, _minutes(seized, latest) - HOUR)), False
    if examined is not None and clock.chance(0.3):
        back = clock.daytime_after(examined, DAY, 20 * DAY)
        if back < draft.horizon:
            return back, clock.chance(0.3)
    return clock.daytime_after(seized, 6 * HOUR, 20 * DAY), True


def _supervision_plan(draft: Draft, allocated: datetime, complexity: str) -> tuple[datetime, int | None, bool] | None:
    """SUP-01..03 decisions: (first entry, a lapse's length in minutes or None, a reflective entry).

    `complexity` is the investigation's ("complex" or "standard").

    None: the investigation has no supervision entry at all (which fails all three).
    """
    clock = draft.clock
    first_limit = int(draft.params["supervision_first_days"] * DAY)
    gap_limit = int(draft.params["supervision_max_gap_days"] * DAY)
    if clock.chance(draft.profile.records.investigations_without_supervision):
        complex_case = complexity == "complex"
        draft.intend("SUP-01", False)
        draft.intend("SUP-02", False)
        if complex_case:
            draft.intend("SUP-03", False)
        return None
    on_time = draft.met("supervision_first_within_limit")
    regular = draft.met("supervision_regular")
    if complexity == "complex":
        reflective = draft.met("reflective_supervision_in_complex")
    else:
        reflective = clock.chance(0.15)
    if on_time:
        first = clock.daytime_after(allocated, HOUR, first_limit - 12 * HOUR)
    else:  # late, but within the gap limit, so that SUP-02 is decided by its own draw
        first = clock.daytime_after(allocated, first_limit + 12 * HOUR, min(first_limit + 20 * DAY, gap_limit - DAY))
    long_gap = None if regular else clock.rng.randint(gap_limit + DAY, gap_limit + 50 * DAY)
    return first, long_gap, reflective


def _supervision(draft: Draft, plan: tuple[datetime, int | None, bool], end: datetime) -> None:
    """Entries from the first to `end`, each gap within the limit except one lapse when planned."""
    clock = draft.clock
    first, long_gap, reflective = plan
    gap_limit = int(draft.params["supervision_max_gap_days"] * DAY)
    times = [first]

    def regular_until(limit: datetime) -> None:
        while True:
            following = clock.daytime_after(times[-1], 5 * DAY, gap_limit - DAY)
            if following >= limit:
                return
            times.append(following)

    if long_gap is not None:
        span = max(0, _minutes(first, end) - long_gap - 2 * DAY)
        regular_until(clock.after(first, 0, span))
        times.append(clock.daytime_after(times[-1], long_gap, long_gap + DAY))
    regular_until(end)
    kinds = [clock.pick({"process": 0.6, "direction": 0.4}) for _ in times]
    if reflective:
        kinds[clock.rng.randrange(len(kinds))] = "reflective"
    draft.supervision.extend({"at": at, "kind": kind} for at, kind in zip(times, kinds, strict=True))


def victim_outcome(draft: Draft, decided: datetime, identified: bool) -> None:
    """The outcome decided at `decided`, with a code that fits the story (no charge without a suspect)."""
    clock = draft.clock
    mix = draft.profile.outcomes.victim.suspect_identified if identified else draft.profile.outcomes.victim.no_suspect
    allowed = [(code, w) for code, w in mix.items()
               if code in draft.story.victim_codes and code_available(code, draft.year) and w > 0]
    if not allowed:
        allowed = [(15, 1.0)] if identified else [(18, 1.0)]
    code = clock.pick(allowed)
    if code in EXPLAINED_CODES:
        if draft.met("closure_explained"):
            rationale = informed = True
        else:
            rationale, informed = clock.pick([((False, True), 0.4), ((True, False), 0.4), ((False, False), 0.2)])
    else:
        rationale = clock.chance(draft.profile.outcomes.other_rationale_recorded)
        informed = clock.chance(0.9)
    draft.outcome = {"code": code, "decided_at": decided, "rationale_recorded": rationale, "victim_informed": informed}
