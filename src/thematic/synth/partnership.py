"""Working with other agencies: referrals, strategy discussions, s47 enquiries and conferences,
and police protection.

An s47 enquiry starts on the day of its (first) strategy discussion, so TIM-03 counts the
conference from that discussion.

Decisions here drive TIM-01 (referral to children's social care), TIM-02 (strategy discussion
with the police), TIM-03 (conference timing, drawn from the profile's distribution of working
days), INF-01 (health at every strategy discussion), TIM-04 and TIM-05 (police protection).
"""
from __future__ import annotations

from datetime import date, datetime

from thematic.core.timeutil import add_working_days, local_date
from thematic.synth.clock import DAY, HOUR, MINUTE
from thematic.synth.draft import Draft

#: Chance of a strategy discussion that found the threshold for a s47 enquiry not met.
DISCUSSION_WITHOUT_S47 = 0.12


def referrals(draft: Draft) -> None:
    """TIM-01: children's social care told within the limit; other agencies as the story needs."""
    clock, reported = draft.clock, draft.reported_at
    limit = int(draft.params["referral_max_hours"] * HOUR)
    at = None
    if draft.met("referral_within_limit"):
        at = clock.daytime_after(reported, 15 * MINUTE, limit - 15 * MINUTE)
    elif not draft.unrecorded():
        at = clock.daytime_after(reported, limit + 30 * MINUTE, limit * 4)
    if at is not None:
        draft.referrals.append({"at": at, "to": "childrens_social_care"})
    others = {"health": 0.5 if draft.category in ("sexual_abuse", "physical_abuse", "neglect") else 0.1,
              "school": 0.3 if draft.child["age"] >= 5 else 0.0, "early_help": 0.12, "other": 0.05}
    for agency, chance in others.items():
        if clock.chance(chance):
            draft.referrals.append({"at": clock.daytime_after(reported, HOUR, 14 * DAY), "to": agency})


def _agencies(draft: Draft, with_health: bool) -> list[str]:
    agencies = ["police", "childrens_social_care"]
    if with_health:
        agencies.append("health")
    if draft.child["age"] >= 5 and draft.clock.chance(0.5):
        agencies.append("education")
    return agencies


def strategy_and_section47(draft: Draft) -> None:
    """Strategy discussions, the s47 enquiry and its initial child protection conference."""
    clock, reported = draft.clock, draft.reported_at
    limit = int(draft.params["strategy_max_working_days"])
    discussions = []
    if clock.chance(draft.story.section47):
        # Every s47 enquiry has its strategy discussion (so that who reaches TIM-02, TIM-03 and
        # INF-01 depends on the story alone); a failure is a late one.
        if draft.met("strategy_discussion_within_limit"):
            discussions.append(clock.within_working_days(reported, limit))
        else:
            day = add_working_days(local_date(reported), limit + clock.rng.randint(1, 6))
            discussions.append(clock.working_day_at(day))
        started: date = local_date(discussions[0])
        if clock.chance(0.25):
            discussions.append(clock.working_day_at(add_working_days(started, clock.rng.randint(8, 25))))
        conference = None
        if clock.chance(draft.profile.conference.share_of_section47):
            conference = add_working_days(started, _conference_days(draft))
            draft.conference_held = True
        draft.section47 = {"started_on": started, "conference_on": conference}
    elif clock.chance(DISCUSSION_WITHOUT_S47):
        discussions.append(clock.within_working_days(reported, 2))  # discussed; threshold for s47 not met
    if discussions:
        with_health = [True] * len(discussions)
        if not draft.met("strategy_discussions_with_health"):
            with_health[clock.rng.randrange(len(discussions))] = False
        for at, health in zip(discussions, with_health, strict=True):
            draft.strategy_discussions.append({"at": at, "agencies": _agencies(draft, health)})


def _conference_days(draft: Draft) -> int:
    bins = draft.profile.conference.working_days
    chosen = draft.clock.pick([(b, b.weight) for b in bins])
    return draft.clock.rng.randint(chosen.low, chosen.high)


def police_protection(draft: Draft) -> None:
    """TIM-04 (ended within the limit) and TIM-05 (local authority informed within the limit)."""
    clock = draft.clock
    if not clock.chance(draft.story.police_protection):
        return
    started = clock.after(draft.reported_at, 10 * MINUTE, 4 * HOUR)
    limit = int(draft.params["police_protection_max_hours"] * HOUR)
    ended: datetime | None
    if draft.met("police_protection_ended_within_limit"):
        ended = clock.after(started, 2 * HOUR, limit - HOUR)
    else:
        ended = None if draft.unrecorded() else clock.after(started, limit + 2 * HOUR, limit + 30 * HOUR)
    informed_limit = int(draft.params["la_informed_max_hours"] * HOUR)
    informed: datetime | None
    if draft.met("local_authority_informed_within_limit"):
        informed = clock.after(started, 5 * MINUTE, informed_limit - 10 * MINUTE)
    else:
        late = clock.after(started, informed_limit + 15 * MINUTE, informed_limit * 6)
        informed = None if draft.unrecorded() else late
    draft.police_protection = {"started_at": started, "ended_at": ended, "local_authority_informed_at": informed,
                               "designated_officer_informed": clock.chance(0.85)}


def child_plan(draft: Draft) -> str:
    """The plan at the time of the sample: a conference usually leads to a child protection plan."""
    clock = draft.clock
    if draft.conference_held:
        return clock.pick({"child_protection": 0.8, "child_in_need": 0.2})
    if draft.section47 is not None:
        return clock.pick({"child_in_need": 0.5, "none": 0.5})
    return clock.pick({"none": 0.8, "child_in_need": 0.2})
