"""The child as a suspect: the alleged offence, exploitation indicators, the NRM, custody and the
outcome of the child's offence.

Decisions here drive CRM-01 (NRM referral), CRM-02 (s45 defence considered), CRM-03 (rationale
for charging a child with a positive or pending NRM decision), CRM-04 (transfer after refused
bail) and CRM-05 (appropriate adult). A charge in custody is the outcome's decision time, so
outcome code 1 and `custody.charged_at` always tell the same story.
"""
from __future__ import annotations

from datetime import datetime

from thematic.synth.clock import DAY, HOUR, MINUTE
from thematic.synth.draft import Draft
from thematic.synth.investigation import devices
from thematic.synth.stories import EXPLOITATION_INDICATORS

#: NRM decisions with which CRM-03 asks for a recorded rationale before a charge.
_NRM_POSITIVE = frozenset({"pending", "reasonable_grounds", "conclusive_grounds"})


def child_suspect(draft: Draft) -> None:
    clock, story, reported = draft.clock, draft.story, draft.reported_at
    offence, excluded = clock.rng.choice(story.offences)
    indicators: list[str] = []
    if clock.chance(story.indicators):
        pool = list(EXPLOITATION_INDICATORS)
        indicators = sorted(clock.rng.sample(pool, clock.rng.randint(1, 3)), key=pool.index)
        if draft.category == "criminal_exploitation" and "county_lines" not in indicators and clock.chance(0.7):
            indicators.insert(0, "county_lines")
    referred, decision = None, "none"
    if indicators:
        if draft.met("nrm_referral_of_exploited_suspects"):
            referred = clock.daytime_after(reported, 2 * HOUR, 21 * DAY)
            decision = str(clock.pick(draft.profile.exploitation.nrm_decisions))
        considered = draft.met("s45_defence_considered") if not excluded else clock.chance(0.2)
    else:
        considered = False
    draft.child_as_suspect = {"offence": offence, "exploitation_indicators": indicators, "nrm_referred_at": referred,
                              "nrm_decision": decision, "s45_considered": considered, "s45_excluded": excluded}
    arrived = None
    if clock.chance(story.custody):
        arrived = clock.after(reported, 10 * MINUTE, 3 * HOUR)
        _custody(draft, arrived)
    if clock.chance(story.devices):
        devices(draft, arrived or reported, indecent=False)
    _outcome(draft, arrived, decision)


def _custody(draft: Draft, arrived: datetime) -> None:
    clock = draft.clock
    requested = clock.after(arrived, 5 * MINUTE, HOUR)
    limit = int(draft.params["appropriate_adult_max_hours"] * HOUR)
    adult: datetime | None
    if draft.met("appropriate_adult_within_limit"):
        adult = clock.after(requested, 15 * MINUTE, limit - 10 * MINUTE)
    else:
        adult = None if draft.unrecorded() else clock.after(requested, limit + 15 * MINUTE, limit + 10 * HOUR)
    draft.custody = {"arrived_at": arrived, "charged_at": None, "bail_refused": False, "transferred_at": None,
                     "s38_6_certificate": False, "appropriate_adult_requested_at": requested,
                     "appropriate_adult_arrived_at": adult}


def _outcome(draft: Draft, arrived: datetime | None, decision: str) -> None:
    clock, outcomes = draft.clock, draft.profile.outcomes
    code = int(clock.pick(outcomes.child_suspect))
    custody = draft.custody
    # A custody record always has its arrival, so `arrived` is set whenever `custody` is.
    if code == 1 and custody is not None and arrived is not None and clock.chance(outcomes.charged_in_custody):
        decided = clock.after(arrived, 3 * HOUR, 20 * HOUR)
        custody["charged_at"] = decided
        if clock.chance(outcomes.bail_refused_after_charge):
            custody["bail_refused"] = True
            if draft.met("refused_bail_transfer_or_certificate"):
                if clock.chance(0.5):
                    custody["transferred_at"] = clock.after(decided, HOUR, 8 * HOUR)
                else:
                    custody["s38_6_certificate"] = True
    elif code == 1:
        decided = clock.daytime_after(draft.reported_at, 5 * DAY, 90 * DAY)  # summons or postal requisition
    else:
        decided = clock.daytime_after(draft.reported_at, DAY, 120 * DAY)
    if decided >= draft.horizon:
        return
    if code == 1 and decision in _NRM_POSITIVE:
        rationale = draft.met("charge_rationale_recorded")
    else:
        rationale = clock.chance(outcomes.other_rationale_recorded)
    closed = clock.daytime_after(decided, HOUR, 10 * DAY)
    draft.outcome = {"code": code, "decided_at": decided, "rationale_recorded": rationale,
                     "victim_informed": clock.chance(0.7)}
    if closed < draft.horizon:
        draft.closed_at = closed
