"""The shipped criteria (criteria/ncpi-thematic-2019.yaml) hand-coded as a plain Python script.

This is the script a force analyst could write in an afternoon instead of running thematic: read
JSON Lines with `json.loads`, turn the times into UTC datetimes, work out each criterion with
ordinary Python and count the states. It is the baseline of benchmarks/bench_hotpath.py, so it is
written plainly, neither slowed down nor tuned. It validates nothing, and like an analyst's
script it reads a section the export did not capture as empty (the tool says "unable to assess");
tests/test_plain_script.py checks that it gives the tool's state for every criterion of every case
that captures every section, so that the comparison stays honest.

    .venv/bin/python benchmarks/plain_script.py CASES.jsonl [--as-of 2019-11-30]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
P = {  # the criteria file's default parameters
    "referral_max_hours": 24, "strategy_max_working_days": 1, "conference_max_working_days": 15,
    "police_protection_max_hours": 72, "la_informed_max_hours": 2, "arrest_max_days": 7,
    "device_submit_max_days": 7, "device_exam_max_days": 90, "appropriate_adult_max_hours": 2,
    "supervision_first_days": 7, "supervision_max_gap_days": 28, "risk_review_max_hours": 24,
    "repeat_window_days": 365, "repeat_threshold": 3, "escalation_run": 3, "early_help_window_days": 180,
    "early_help_threshold": 2, "min_pip_level": 2,
}
ANSWERS = {
    "SUP-04": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "CRM-06": {"yes": "met", "partly": "not_met", "no": "not_met"},
    "RISK-05": {"yes": "met", "partly": "not_met", "no": "not_met", "n/a": "not_applicable"},
    "INF-02": {"yes": "met", "no": "not_met", "n/a": "not_applicable"},
}
_BANK_HOLIDAYS: dict[int, set[date]] = {}


def ts(text):
    """A case-file time (local time in England and Wales unless it says otherwise) in UTC."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def local_day(moment):
    return None if moment is None else moment.astimezone(LONDON).date()


def working_day(day):
    if day.year not in _BANK_HOLIDAYS:
        _BANK_HOLIDAYS[day.year] = set(holidays.country_holidays("GB", subdiv="ENG", years=day.year))
    return day.weekday() < 5 and day not in _BANK_HOLIDAYS[day.year]


def add_working_days(day, count):
    for _ in range(count):
        day += timedelta(days=1)
        while not working_day(day):
            day += timedelta(days=1)
    return day


def within(start, end, limit):
    return start is not None and end is not None and timedelta(0) <= end - start <= limit


def hours(n):
    return timedelta(hours=n)


def days(n):
    return timedelta(days=n)


def decide(met, evidenced=None):
    """met, not met or not evidenced, as the criteria file defines them."""
    if met:
        return "met"
    if evidenced is None or evidenced:
        return "not_met"
    return "not_evidenced"


def worst(states):
    """The state of a per-entry criterion from its entries' states."""
    for state in ("not_met", "not_evidenced"):
        if state in states:
            return state
    return "met"


def by_time(entries):
    return sorted(entries, key=lambda e: e["at"])


def score(case, as_of):
    """Every criterion's state for one case (a dict as json.loads gives it)."""
    rep = ts(case["reported_at"])
    closed = ts(case.get("closed_at"))
    incidents = [dict(i, at=ts(i["at"])) for i in case.get("incidents") or []]
    ras = [dict(a, at=ts(a["at"]), reviewed=ts(a["supervisor_reviewed_at"]))
           for a in case.get("risk_assessments") or []]
    referrals = [dict(r, at=ts(r["at"])) for r in case.get("referrals") or []]
    sds = [dict(s, at=ts(s["at"])) for s in case.get("strategy_discussions") or []]
    supervision = [dict(s, at=ts(s["at"])) for s in case.get("supervision") or []]
    devices = [{**d, **{k: ts(d[k]) for k in ("seized_at", "submitted_at", "examined_at", "returned_to_suspect_at")}}
               for d in case.get("devices") or []]
    s47, pp, inv = case.get("section47"), case.get("police_protection"), case.get("investigation")
    cas, custody, outcome = case.get("child_as_suspect"), case.get("custody"), case.get("outcome")
    judgements = case.get("judgements") or {}
    as_of_start = datetime(as_of.year, as_of.month, as_of.day, tzinfo=LONDON).astimezone(UTC)
    s = {}

    case_referrals = [r for r in referrals if r["at"] >= rep]
    case_ras = [a for a in ras if a["at"] >= rep]
    case_sds = [d for d in sds if d["at"] >= rep]
    police_sds = [d for d in case_sds if "police" in d["agencies"]]

    # Supervision
    if inv is None:
        s["SUP-01"] = s["SUP-02"] = s["SUP-03"] = "not_applicable"
    else:
        allocated = ts(inv["allocated_at"])
        s["SUP-01"] = decide(any(within(allocated, e["at"], days(P["supervision_first_days"])) for e in supervision),
                             len(supervision) > 0)
        end = closed if closed is not None else as_of_start
        if end < allocated:
            gap_ok = False
        else:
            points = [allocated] + sorted(e["at"] for e in supervision if allocated <= e["at"] <= end) + [end]
            gap = max((b - a).total_seconds() / 86400 for a, b in zip(points, points[1:], strict=False))
            gap_ok = gap <= P["supervision_max_gap_days"]
        s["SUP-02"] = decide(gap_ok, len(supervision) > 0)
        if inv["complexity"] == "complex":
            reflective = sum(1 for e in supervision if e["kind"] == "reflective") > 0
            s["SUP-03"] = decide(reflective, reflective)
        else:
            s["SUP-03"] = "not_applicable"

    # Timeliness
    to_csc = [r for r in case_referrals if r["to"] == "childrens_social_care"]
    s["TIM-01"] = decide(any(within(rep, r["at"], hours(P["referral_max_hours"])) for r in to_csc), len(to_csc) > 0)
    if s47 is None:
        s["TIM-02"] = "not_applicable"
    else:
        deadline = add_working_days(local_day(rep), P["strategy_max_working_days"])
        s["TIM-02"] = decide(any(local_day(d["at"]) <= deadline for d in police_sds), len(police_sds) > 0)
    if s47 is None or s47["conference_on"] is None:
        s["TIM-03"] = "not_applicable"
    else:
        started, conference = date.fromisoformat(s47["started_on"]), date.fromisoformat(s47["conference_on"])
        before = by_time(d for d in case_sds if local_day(d["at"]) <= started)
        after = by_time(d for d in case_sds if local_day(d["at"]) > started)
        base = local_day(before[-1]["at"]) if before else local_day(after[0]["at"]) if after else started
        s["TIM-03"] = decide(base <= conference <= add_working_days(base, P["conference_max_working_days"]))
    if pp is None:
        s["TIM-04"] = s["TIM-05"] = "not_applicable"
    else:
        started, ended, informed = ts(pp["started_at"]), ts(pp["ended_at"]), ts(pp["local_authority_informed_at"])
        s["TIM-04"] = decide(within(started, ended, hours(P["police_protection_max_hours"])),
                             started is not None and ended is not None)
        s["TIM-05"] = decide(within(started, informed, hours(P["la_informed_max_hours"])),
                             started is not None and informed is not None)
    if inv is None or inv["suspect_identified_at"] is None:
        s["TIM-06"] = "not_applicable"
    else:
        arrested = ts(inv["suspect_arrested_at"])
        s["TIM-06"] = decide(within(ts(inv["suspect_identified_at"]), arrested, days(P["arrest_max_days"])),
                             arrested is not None)

    # Digital forensics
    if devices:
        s["DIG-01"] = worst([decide(within(d["seized_at"], d["submitted_at"], days(P["device_submit_max_days"])),
                                    d["submitted_at"] is not None) for d in devices])
    else:
        s["DIG-01"] = "not_applicable"
    submitted = [d for d in devices if d["submitted_at"] is not None]
    if submitted:
        states = []
        for d in submitted:
            if d["examined_at"] is not None:
                states.append(decide(within(d["submitted_at"], d["examined_at"], days(P["device_exam_max_days"]))))
            else:
                waited = (as_of_start - d["submitted_at"]).total_seconds() / 86400
                states.append(decide(waited <= P["device_exam_max_days"]))
        s["DIG-02"] = worst(states)
    else:
        s["DIG-02"] = "not_applicable"
    returned = [d for d in devices if d["indecent_images_suspected"] and d["returned_to_suspect_at"] is not None]
    if returned:
        s["DIG-03"] = worst([decide(d["triaged"] or (d["examined_at"] is not None
                                                     and d["examined_at"] <= d["returned_to_suspect_at"]))
                             for d in returned])
    else:
        s["DIG-03"] = "not_applicable"

    # Exploited children treated as offenders
    indicated = cas is not None and len(cas["exploitation_indicators"]) > 0
    if indicated:
        referred = cas["nrm_referred_at"] is not None
        s["CRM-01"] = decide(referred, referred)
    else:
        s["CRM-01"] = "not_applicable"
    s["CRM-02"] = decide(cas["s45_considered"]) if indicated and not cas.get("s45_excluded", False) \
        else "not_applicable"
    if cas is not None and outcome is not None and outcome["code"] == 1 \
            and cas["nrm_decision"] in ("pending", "reasonable_grounds", "conclusive_grounds"):
        s["CRM-03"] = decide(outcome["rationale_recorded"])
    else:
        s["CRM-03"] = "not_applicable"
    if custody is not None and custody["bail_refused"] and custody["charged_at"] is not None:
        s["CRM-04"] = decide(custody["transferred_at"] is not None or custody["s38_6_certificate"])
    else:
        s["CRM-04"] = "not_applicable"
    if custody is not None and custody["appropriate_adult_requested_at"] is not None:
        arrived = ts(custody["appropriate_adult_arrived_at"])
        s["CRM-05"] = decide(within(ts(custody["appropriate_adult_requested_at"]), arrived,
                                    hours(P["appropriate_adult_max_hours"])), arrived is not None)
    else:
        s["CRM-05"] = "not_applicable"

    # Cumulative and escalating risk
    in_year = [i for i in incidents if within(i["at"], rep, days(P["repeat_window_days"]))]
    if len(in_year) >= P["repeat_threshold"]:
        first_ra = by_time(case_ras)[0] if case_ras else None
        s["RISK-01"] = decide(first_ra is not None and first_ra["history_considered"], len(case_ras) > 0)
    else:
        s["RISK-01"] = "not_applicable"
    run = by_time(in_year)[-P["escalation_run"]:]
    severities = [i["severity"] for i in run]
    rising = all(b > a for a, b in zip(severities, severities[1:], strict=False))
    if len(run) == P["escalation_run"] and len(run) >= 2 and rising:
        since = run[-1]["at"]
        s["RISK-02"] = decide(any(a["level"] == "high" and a["at"] >= since for a in case_ras)
                              or any(d["at"] >= since for d in case_sds),
                              any(a["at"] >= since for a in case_ras) or any(d["at"] >= since for d in case_sds))
    else:
        s["RISK-02"] = "not_applicable"
    attended = [i for i in incidents if i["at"] >= rep and i["response"] != "none"]
    s["RISK-03"] = worst([decide(i["child_seen"] and i["demeanour_recorded"]) for i in attended]) \
        if attended else "not_applicable"
    raised = [a for a in case_ras if a["level"] in ("medium", "high")]
    s["RISK-04"] = worst([decide(within(a["at"], a["reviewed"], hours(P["risk_review_max_hours"])),
                                 a["reviewed"] is not None) for a in raised]) if raised else "not_applicable"

    # Information sharing, training, early intervention, outcomes
    s["INF-01"] = worst([decide("police" in d["agencies"] and "childrens_social_care" in d["agencies"]
                                and "health" in d["agencies"]) for d in case_sds]) if case_sds else "not_applicable"
    if inv is not None and inv["complexity"] == "complex":
        officer = inv["officer"]
        s["TRN-01"] = decide(officer["pip_level"] >= P["min_pip_level"] and officer["specialist_trained"])
    else:
        s["TRN-01"] = "not_applicable"
    window = [i for i in incidents if i["at"] < rep and within(i["at"], rep, days(P["early_help_window_days"]))]
    if len(window) >= P["early_help_threshold"]:
        helpful = [r for r in referrals if r["to"] in ("early_help", "childrens_social_care")]
        s["EI-01"] = decide(any(within(r["at"], rep, days(P["early_help_window_days"])) for r in helpful),
                            len(helpful) > 0)
    else:
        s["EI-01"] = "not_applicable"
    if outcome is not None and outcome["code"] in (14, 15, 16, 18, 21) and cas is None:
        s["OUT-01"] = decide(outcome["rationale_recorded"] and outcome["victim_informed"])
    else:
        s["OUT-01"] = "not_applicable"

    # Judgement criteria: the inspector's answer, or pending
    for criterion, applies in (("SUP-04", inv is not None), ("CRM-06", cas is not None), ("RISK-05", True),
                               ("INF-02", True)):
        answer = judgements.get(criterion)
        if not applies:
            s[criterion] = "not_applicable"
        elif answer is None:
            s[criterion] = "pending"
        else:
            given = {True: "yes", False: "no"}.get(answer["answer"], answer["answer"])
            s[criterion] = ANSWERS[criterion][given]
    return s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases")
    parser.add_argument("--as-of", default="2019-11-30")
    args = parser.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)
    counts = Counter()
    cases = 0
    with open(args.cases, "rb") as stream:
        for line in stream:
            if line.strip():
                for criterion, state in score(json.loads(line), as_of).items():
                    counts[criterion, state] += 1
                cases += 1
    print(json.dumps({"cases": cases, "states": {f"{c} {s}": n for (c, s), n in sorted(counts.items())}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
