"""Fictional caseloads for the benchmarks: JSON Lines of many varied cases, from a seed.

`thematic.synth` (the project's generator) draws realistic cases but validates and scores each
one, far too slowly for a million; it makes a pool of distinct cases when it is installed, and
`vary_example` (below) otherwise. The file then cycles through the pool, giving every line its
own case id and child reference and shifting all its times by a whole number of weeks (so
weekdays, and so working days, stay comparable), so that no two lines are the same text.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "load" / "example.yaml"
_STAMP = "%Y-%m-%dT%H:%M"
_DATETIME_TEXT = re.compile(r'"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})"')
_DATE_TEXT = re.compile(r'"(\d{4}-\d{2}-\d{2})"')

_CATEGORIES = ["domestic_abuse", "missing", "sexual_abuse", "physical_abuse", "neglect",
               "sexual_exploitation", "criminal_exploitation", "online_abuse", "police_protection", "detention"]
_SECTIONS = ["incidents", "risk_assessments", "referrals", "strategy_discussions", "section47", "police_protection",
             "investigation", "supervision", "devices", "child_as_suspect", "custody", "outcome"]


@lru_cache(maxsize=1)
def _example_json() -> str:
    return json.dumps(yaml.safe_load(EXAMPLE.read_text()), default=str)


def _at(moment: datetime) -> str:
    return moment.strftime(_STAMP)


def _maybe(rng: random.Random, chance: float, moment: datetime, low_h: float, high_h: float) -> str | None:
    return _at(moment + timedelta(hours=rng.uniform(low_h, high_h))) if rng.random() < chance else None


def vary_example(rng: random.Random, index: int) -> dict[str, Any]:
    """One case like tests/data/load/example.yaml, with its times and details drawn from `rng`."""
    case: dict[str, Any] = json.loads(_example_json())
    reported = datetime(2018, 6, 1, 7) + timedelta(minutes=rng.randrange(480 * 24 * 60))
    category = rng.choice(_CATEGORIES)
    case.update(case_id=f"VAR-{index:06d}", category=category, reported_at=_at(reported))
    case["child"] = {"ref": f"C-{1000 + index % 9000}", "age": rng.randint(0, 17),
                     "sex": rng.choice(["female", "male", "unknown"]), "looked_after": rng.random() < 0.2,
                     "plan": rng.choice(["none", "child_in_need", "child_protection"])}
    history = sorted(reported - timedelta(days=rng.uniform(1, 500)) for _ in range(rng.randint(0, 5)))
    case["incidents"] = [
        {"ref": f"I-{n + 1}", "at": _at(at), "type": rng.choice([*_CATEGORIES, "concern"]),
         "severity": rng.randint(1, 5), "child_seen": rng.random() < 0.8, "demeanour_recorded": rng.random() < 0.6,
         "response": rng.choice(["immediate", "scheduled", "none"])}
        for n, at in enumerate([*history, reported])]
    case["risk_assessments"] = [
        {"at": _at(reported + timedelta(hours=rng.uniform(-48, 96))),
         "level": rng.choice(["standard", "medium", "high"]),
         "history_considered": rng.random() < 0.6, "supervisor_reviewed_at": _maybe(rng, 0.7, reported, 1, 72)}
        for _ in range(rng.randint(0, 2))]
    case["referrals"] = [
        {"at": _at(reported + timedelta(hours=rng.uniform(-2000, 72))),
         "to": rng.choice(["childrens_social_care", "early_help", "school", "health", "other"])}
        for _ in range(rng.randint(0, 3))]
    case["strategy_discussions"] = [
        {"at": _at(reported + timedelta(hours=rng.uniform(2, 120))),
         "agencies": rng.sample(["police", "childrens_social_care", "health", "education"], rng.randint(1, 3))}
        for _ in range(rng.randint(0, 2))]
    started = (reported + timedelta(days=rng.randint(0, 3))).date()
    case["section47"] = ({"started_on": started.isoformat(),
                          "conference_on": (started + timedelta(days=rng.randint(5, 30))).isoformat()
                          if rng.random() < 0.6 else None} if rng.random() < 0.5 else None)
    case["supervision"] = [{"at": _at(reported + timedelta(days=rng.uniform(0, 60))),
                            "kind": rng.choice(["process", "direction", "reflective"])}
                                for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.4:
        case["investigation"] = {
            "allocated_at": _at(reported + timedelta(hours=rng.uniform(1, 48))),
            "complexity": rng.choice(["standard", "complex"]),
            "officer": {"pip_level": rng.randint(0, 4), "specialist_trained": rng.random() < 0.5},
            "suspect_identified_at": _maybe(rng, 0.6, reported, 1, 200),
            "suspect_arrested_at": _maybe(rng, 0.4, reported, 24, 600)}
    for device in case["devices"]:
        device.update(seized_at=_at(reported + timedelta(hours=rng.uniform(0, 48))),
                      submitted_at=_maybe(rng, 0.8, reported, 24, 600),
                          examined_at=_maybe(rng, 0.4, reported, 300, 4000),
                      triaged=rng.random() < 0.5, indecent_images_suspected=rng.random() < 0.3)
    if category not in ("criminal_exploitation", "detention"):
        case["child_as_suspect"] = None
        case["custody"] = None
    if rng.random() < 0.3:
        del case["judgements"]
    if rng.random() < 0.5:
        case.pop("grade", None)
    for section in _SECTIONS:  # some exports do not capture every section
        if rng.random() < 0.03:
            case.pop(section, None)
    return json.loads(json.dumps(case, default=str))


def _synth_pool(size: int, seed: int) -> list[dict[str, Any]] | None:
    try:
        from thematic.synth.generate import generate_cases
        from thematic.synth.profile import load_profile, shipped_profiles
        names = shipped_profiles()
        if not names:
            return None
        profile = load_profile("national-2019" if "national-2019" in names else names[0])
        return generate_cases(profile, force="benchshire", year=2019, count=size, seed=seed).documents
    except Exception:  # the generator is optional here: any failure falls back to vary_example
        return None


def case_pool(size: int, seed: int) -> tuple[list[dict[str, Any]], str]:
    """`size` distinct fictional cases and where they came from ("thematic.synth" or "example variations")."""
    pool = _synth_pool(size, seed)
    if pool:
        return pool, "thematic.synth"
    rng = random.Random(seed)
    return [vary_example(rng, index) for index in range(size)], "example variations"


def _shift(text: str, days: int) -> str:
    def moment(match: re.Match[str]) -> str:
        shifted = datetime.fromisoformat(f"{match[1]}T{match[2]}") + timedelta(days=days)
        return f'"{shifted.strftime(_STAMP)}"'

    def day(match: re.Match[str]) -> str:
        return f'"{(date.fromisoformat(match[1]) + timedelta(days=days)).isoformat()}"'

    return _DATE_TEXT.sub(day, _DATETIME_TEXT.sub(moment, text))


def caseload_lines(count: int, pool: list[dict[str, Any]], seed: int) -> Iterator[str]:
    """`count` JSON Lines cycling through `pool`: own case ids and child refs, times shifted by whole weeks."""
    rng = random.Random(seed)
    templates = [json.dumps({**case, "case_id": "@ID@", "child": {**case["child"], "ref": "@REF@"}}) for case in pool]
    shifted: dict[tuple[int, int], str] = {}
    for index in range(count):
        key = (index % len(templates), 7 * rng.randint(-8, 8))
        text = shifted.get(key)
        if text is None:
            text = shifted[key] = _shift(templates[key[0]], key[1])
            if len(shifted) > 50_000:
                shifted.clear()
        yield text.replace('"@ID@"', f'"CL-{index:08d}"', 1).replace('"@REF@"', f'"C-{index:07d}"', 1) + "\n"


def write_caseload(path: Path, count: int, seed: int = 7, pool_size: int = 2000) -> str:
    """Write `count` cases to `path` as JSON Lines; returns where the pool came from."""
    pool, source = case_pool(min(pool_size, count), seed)
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(caseload_lines(count, pool, seed))
    return source
