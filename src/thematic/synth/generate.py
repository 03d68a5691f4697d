"""Generate a sample of fictional case files for a force, a year, a count and a seed.

Each case has its own `random.Random`, seeded from the profile, force, year, seed and the case's
number, so a case never depends on how many others are drawn and the same arguments always give
the same cases (never the global random source). Every case is validated with the case-file
model before it is returned; a case that does not validate is a bug in the generator.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.core.timeutil import start_of_local_day
from thematic.load.criteria import shipped_criteria_path
from thematic.model.case import Case
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.synth import inspector, investigation, partnership, risk, suspect
from thematic.synth.clock import DAY, HOUR, Clock, fmt
from thematic.synth.draft import Draft
from thematic.synth.profile import PracticeProfile
from thematic.synth.stories import AGE_OF_CRIMINAL_RESPONSIBILITY, OUTCOME_INTRODUCED, STORIES, code_available

__all__ = ["GeneratedSample", "generate_cases", "default_as_of", "REPORT_WINDOW_DAYS", "MAX_CASES"]

#: Reports fall in the 295 days ending 160 days before as_of (later with longer device limits): late
#: enough that every step the criteria time has had room to happen, or to be overdue, by as_of.
REPORT_WINDOW_DAYS = (455, 160)
MAX_CASES = 100_000
#: The criteria parameters the records are built around (the shipped set has them all).
PARAMETERS = (
    "referral_max_hours", "strategy_max_working_days", "conference_max_working_days", "police_protection_max_hours",
    "la_informed_max_hours", "arrest_max_days", "device_submit_max_days", "device_exam_max_days",
    "appropriate_adult_max_hours", "supervision_first_days", "supervision_max_gap_days", "risk_review_max_hours",
    "repeat_window_days", "repeat_threshold", "escalation_run", "early_help_window_days", "early_help_threshold",
    "min_pip_level",
)
_REPORT_HOURS = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 8, 8, 8, 8, 7, 6, 4, 3, 2]  # more in the afternoon
_FORMAT_VERSION = "thematic-synth/1"


@dataclass(frozen=True)
class GeneratedSample:
    """Case-file documents (plain data, datetimes as local-time text) and how they were made."""

    documents: list[dict[str, Any]]
    intended: list[dict[str, bool]]  # per case: each automatic criterion the generator decided, meant met or not
    profile: str
    force: str
    year: int
    seed: int
    as_of: date


def default_as_of(year: int) -> date:
    return date(year, 11, 30)


def case_prefix(force: str) -> str:
    letters = "".join(ch for ch in force if ch.isalpha()).upper()
    return (letters or "CASE")[:3]


def _child_ref(index: int, count: int, seed: int) -> str:
    # A permutation of 1000..9999 (or a wider range for large samples): distinct refs, no names.
    space, low = (9000, 1000) if count <= 9000 else (900_000, 100_000)
    multiplier = 7919 if space == 9000 else 999_983
    return f"C-{low + (index * multiplier + seed * 104_729) % space}"


_FORCE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _report_window(params: dict[str, Any]) -> tuple[int, int]:
    """(earliest, latest) days before as_of for reports: a device submitted late must be overdue by as_of."""
    latest = max(REPORT_WINDOW_DAYS[1], int(params["device_submit_max_days"] + params["device_exam_max_days"]) + 65)
    return latest + REPORT_WINDOW_DAYS[0] - REPORT_WINDOW_DAYS[1], latest


def _check(profile: PracticeProfile, force: str, year: int, count: int, as_of: date, criteria: CriteriaSet) -> None:
    """Every problem with the arguments at once (InputError)."""
    problems = []
    missing = [name for name in PARAMETERS if name not in criteria.file.parameters]
    if missing:
        problems.append(Problem(criteria.path, f"lacks the parameters the generator builds records around: "
                                               f"{', '.join(missing)}", field="parameters"))
    if not _FORCE.fullmatch(force):
        problems.append(Problem("--force", "expected lower-case words joined by hyphens, e.g. west-midlands, "
                                           f"got {force!r}"))
    if not 1 <= count <= MAX_CASES:
        problems.append(Problem("--cases", f"must be between 1 and {MAX_CASES}, got {count}"))
    if not 2000 <= year <= 2100:
        problems.append(Problem("--year", f"must be a year from 2000 to 2100, got {year}"))
    elif as_of.year != year:
        problems.append(Problem("--as-of", f"{as_of} is not in the inspection year {year}"))
    mixes = {"outcomes.child_suspect": profile.outcomes.child_suspect,
             "outcomes.victim.suspect_identified": profile.outcomes.victim.suspect_identified,
             "outcomes.victim.no_suspect": profile.outcomes.victim.no_suspect}
    for where, mix in mixes.items():
        for code, weight in mix.items():
            if weight > 0 and not code_available(code, year):
                problems.append(Problem(
                    profile.source, f"outcome {code} was not in use until {OUTCOME_INTRODUCED[code]}, "
                    f"so a {year} sample cannot have it; give it a share of 0 or use a later year",
                    field=f"{where}.{code}"))
    if problems:
        raise InputError(problems)


def _text(value: Any) -> Any:
    """Datetimes as local-time text, dates as ISO dates; the rest as it is."""
    kind = type(value)
    if kind is dict:
        return {k: _text(v) for k, v in value.items()}
    if kind is list:
        return [_text(v) for v in value]
    if kind is datetime:
        return fmt(value)
    if kind is date:
        return value.isoformat()
    return value


def _build(index: int, *, profile: PracticeProfile, force: str, year: int, seed: int, count: int,
           as_of: date, params: dict[str, Any], scorer: Scorer) -> tuple[dict[str, Any], dict[str, bool]]:
    rng = random.Random(f"{_FORMAT_VERSION}|{profile.profile}|{force}|{year}|{seed}|{index}")
    clock = Clock(rng)
    category = str(clock.pick(profile.categories()))
    story = STORIES[category]
    horizon = start_of_local_day(as_of)
    earliest, latest = _report_window(params)
    day = as_of - timedelta(days=rng.randint(latest, earliest))
    reported = clock.nameable(clock.local(day, clock.pick(list(enumerate(_REPORT_HOURS))), rng.randrange(0, 60)))
    draft = Draft(clock=clock, profile=profile, params=params, story=story, category=category,
                  quality=rng.gauss(0.0, 1.0), year=year, as_of=as_of, horizon=horizon,
                  reported_at=reported)
    low, high = story.ages
    if story.child_suspect:
        low = max(low, AGE_OF_CRIMINAL_RESPONSIBILITY)
    sex = "unknown" if clock.chance(0.02) else ("female" if clock.chance(story.female) else "male")
    draft.child = {"ref": _child_ref(index, count, seed), "age": rng.randint(low, high), "sex": sex,
                   "looked_after": clock.chance(story.looked_after), "plan": "none"}
    risk.build_incidents(draft)
    risk.seen_at_attended(draft)
    risk.early_help(draft)
    partnership.referrals(draft)
    partnership.strategy_and_section47(draft)
    risk.decide_escalation(draft)
    risk.build_assessments(draft)
    partnership.police_protection(draft)
    if story.child_suspect:
        suspect.child_suspect(draft)
    elif clock.chance(story.investigation):
        investigation.investigation(draft)
    if draft.investigation is None:
        _light_touch(draft)
    draft.child["plan"] = partnership.child_plan(draft)
    width = max(3, len(str(count)))
    document = _text(draft.document(f"{case_prefix(force)}-{year}-{index + 1:0{width}d}", force))
    case = _validated(document)
    return inspector.inspect(document, case, scorer=scorer, profile=profile, clock=clock), draft.intended


def _light_touch(draft: Draft) -> None:
    """A case without an investigation: a few supervisory entries and closure when the work ended."""
    clock = draft.clock
    at = draft.reported_at
    for _ in range(clock.rng.randint(0, 2)):
        at = clock.daytime_after(at, 6 * HOUR, 20 * DAY)
        draft.supervision.append({"at": at, "kind": clock.pick({"process": 0.7, "direction": 0.3})})
    if draft.closed_at is None and draft.child_as_suspect is None:
        closed = clock.after(draft.reported_at, 10 * DAY, 120 * DAY)
        draft.closed_at = closed if closed < draft.horizon else None


def _validated(document: dict[str, Any]) -> Case:
    try:
        return Case.model_validate(document)
    except ValidationError as exc:  # the generator's own bug, not the user's input
        raise RuntimeError(f"generated case {document.get('case_id')} is not a valid case file: {exc}") from exc


def generate_cases(
    profile: PracticeProfile,
    *,
    force: str,
    year: int,
    count: int,
    seed: int,
    as_of: date | None = None,
    criteria: CriteriaSet | None = None,
) -> GeneratedSample:
    """`count` fictional cases of `force` in the `year` round, drawn with `seed` from `profile`.

    `criteria` (default: the shipped 2019 set) gives the parameter values the records are built
    around and scores each case for the inspector's answers and grade. InputError for bad arguments.
    """
    as_of = as_of or default_as_of(year)
    criteria = criteria or load_criteria(shipped_criteria_path())
    _check(profile, force, year, count, as_of, criteria)
    params = criteria.defaults()
    scorer = Scorer(criteria, params, as_of)
    documents, intended = [], []
    for index in range(count):
        document, decisions = _build(index, profile=profile, force=force, year=year, seed=seed, count=count,
                                     as_of=as_of, params=params, scorer=scorer)
        _validated(document)
        documents.append(document)
        intended.append(decisions)
    return GeneratedSample(documents=documents, intended=intended, profile=profile.profile, force=force, year=year,
                           seed=seed, as_of=as_of)
