"""The criteria set written as one generated function (`scoring.set_function`, what `Scorer` uses)
gives the same results as the per-criterion loop kept as the reference (`Scorer(reference=True)`):
state for state and evidence for evidence, grades and data-quality notes too, on generated cases,
on cases drawn around windows, working days, clock changes and uncaptured sections, and on
criteria whose evaluation fails or runs out of steps."""
from __future__ import annotations

import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thematic.load.criteria import shipped_criteria_path
from thematic.load.fast_case import fast_case
from thematic.model.case import SECTIONS, Case
from thematic.scoring import functions
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.evaluate import Scorer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import caseload_sample  # noqa: E402

AS_OF = date(2019, 11, 30)


@pytest.fixture(scope="module")
def shipped() -> CriteriaSet:
    return load_criteria(shipped_criteria_path())


def both_ways(criteria: CriteriaSet, case: Any, as_of: date = AS_OF, evidence: bool = True) -> dict[str, Any]:
    parameters = criteria.defaults()
    generated = Scorer(criteria, parameters, as_of, evidence=evidence)
    reference = Scorer(criteria, parameters, as_of, evidence=evidence, reference=True)
    assert generated._set is not None and reference._set is None  # the two paths really differ
    got, expected = generated.score(case).to_json(), reference.score(case).to_json()
    assert got == expected
    return got


@pytest.mark.parametrize("evidence", [True, False])
def test_generated_cases_score_the_same_both_ways(shipped: CriteriaSet, evidence: bool) -> None:
    rng = random.Random(23)
    documents = [caseload_sample.vary_example(rng, index) for index in range(250)]
    pool, _ = caseload_sample.case_pool(150, seed=9)
    documents += [json.loads(line) for line in caseload_sample.caseload_lines(150, pool, seed=9)]
    states: set[str] = set()
    for index, document in enumerate(documents):
        for section in rng.sample(SECTIONS, rng.choice([0, 0, 0, 1, 3])):
            document.pop(section, None)
        as_of = AS_OF if index % 3 else date(2018, 10, 28) + timedelta(days=index % 40)
        case = fast_case(json.dumps(document).encode()) if index % 2 else Case.model_validate(document)
        result = both_ways(shipped, case, as_of, evidence)
        states.update(r["state"] for r in result["results"].values())
    assert {"met", "not_met", "not_evidenced", "not_applicable", "unable_to_assess", "pending"} <= states


# --- cases drawn around the edges the criteria turn on ---------------------------------------------

_CLOCKS = [datetime(2019, 3, 31, 0, 30), datetime(2019, 3, 31, 1, 30), datetime(2019, 10, 27, 0, 30),
           datetime(2019, 10, 27, 1, 30), datetime(2019, 12, 24, 16, 0), datetime(2019, 4, 18, 23, 59),
           datetime(2019, 8, 23, 17, 0), datetime(2019, 5, 3, 12, 0)]
_starts = st.one_of(st.sampled_from(_CLOCKS), st.datetimes(datetime(2018, 12, 1), datetime(2019, 11, 1)))
_offsets = st.one_of(st.sampled_from([0, 1, -1, 24 * 60, 24 * 60 + 1, 24 * 60 - 1, 72 * 60, 72 * 60 + 1,
                                      7 * 1440, 7 * 1440 + 1, 90 * 1440, 90 * 1440 + 1, 28 * 1440 + 1]),
                     st.integers(-3 * 1440, 120 * 1440))


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_starts, offsets=st.lists(_offsets, min_size=6, max_size=6), drop=st.sets(st.sampled_from(SECTIONS)),
       nulls=st.sets(st.sampled_from(["section47", "investigation", "police_protection", "custody", "closed"])),
       severities=st.lists(st.integers(1, 5), min_size=0, max_size=4), evidence=st.booleans(),
       as_of_days=st.integers(0, 400))
def test_edges_of_windows_working_days_clocks_and_absent_sections(shipped: CriteriaSet, start: datetime,
                                                                  offsets: list[int], drop: set[str],
                                                                  nulls: set[str], severities: list[int],
                                                                  evidence: bool, as_of_days: int) -> None:
    base = caseload_sample.vary_example(random.Random(5), 5)
    late = [start + timedelta(minutes=m) for m in offsets]
    base.update(reported_at=_at(start), closed_at=None if "closed" in nulls else _at(late[5]))
    base["incidents"] = [{"ref": f"I-{n}", "at": _at(start - timedelta(days=30 * (len(severities) - n))),
                          "type": "concern", "severity": s, "child_seen": n % 2 == 0, "demeanour_recorded": True,
                          "response": "immediate"} for n, s in enumerate(severities)]
    base["referrals"] = [{"at": _at(late[0]), "to": "childrens_social_care"},
                         {"at": _at(start - timedelta(minutes=offsets[1])), "to": "early_help"}]
    base["strategy_discussions"] = [{"at": _at(late[1]), "agencies": ["police", "health"]}]
    base["section47"] = None if "section47" in nulls else {
        "started_on": late[1].date().isoformat(), "conference_on": (late[2].date() + timedelta(days=14)).isoformat()}
    base["police_protection"] = None if "police_protection" in nulls else {
        "started_at": _at(start), "ended_at": _at(late[3]), "local_authority_informed_at": _at(late[4]),
        "designated_officer_informed": True}
    base["investigation"] = None if "investigation" in nulls else {
        "allocated_at": _at(start), "complexity": "complex", "officer": {"pip_level": 2, "specialist_trained": True},
        "suspect_identified_at": _at(late[2]), "suspect_arrested_at": _at(late[3])}
    base["supervision"] = [{"at": _at(moment), "kind": "reflective"} for moment in late[:3]]
    for section in drop:
        base.pop(section, None)
    case = Case.model_validate(base)
    both_ways(shipped, case, date(2019, 1, 1) + timedelta(days=as_of_days), evidence)


# --- criteria that fail, stop or read what is not there ---------------------------------------------

def _criteria(folder: Path, criteria: list[dict[str, Any]], definitions: dict[str, str] | None = None) -> CriteriaSet:
    document = {
        "id": "edges", "version": "1", "title": "t", "source": "s",
        "parameters": {"p": {"default": 1, "unit": "count", "basis": "b", "description": "d"}},
        "themes": {"t": {"title": "t", "finding": "f"}},
        "definitions": definitions or {},
        "criteria": [{"theme": "t", "type": "automatic", "severity": "minor", "question": "q", "source": "s", **c}
                     for c in criteria],
        "grading": {"rules": [{"grade": "inadequate", "when_failed": {"minor": 2}}], "otherwise": "good",
                    "description": "d"},
    }
    path = folder / "criteria.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=10**6), encoding="utf-8")
    return load_criteria(path)


def test_failures_limits_and_unknowns_are_the_same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions, "MAX_STEPS", 40)
    criteria = _criteria(tmp_path, [
        {"id": "E-01", "met": "add_working_days(as_of, 1) != null"},                      # a date off the calendar
        {"id": "E-02", "met": "date(reported_at) > 3"},                                    # a date against a number
        {"id": "E-03", "met": "count([[1 for a in referrals] for b in referrals]) > 0"},  # out of steps
        {"id": "E-04", "met": "count(pairs) > 0"},                                         # steps in a definition
        {"id": "E-05", "each": "devices", "met": "item.submitted_at != null", "evidenced": "item.triaged",
         "evidence": "device {item.ref}: {item.submitted_at}"},
        {"id": "E-06", "applies": "investigation != null", "met": "investigation.officer.pip_level >= params.p",
         "evidence": {"met": "level {investigation.officer.pip_level}", "default": "no: {1 / 0}"}},
        {"id": "E-07", "each": "[r for r in referrals if r.to == \"health\"]", "met": "item.at >= reported_at"},
        {"id": "E-08", "met": "count(pairs) > 0 or true"},
    ], definitions={"pairs": "[[1 for a in referrals] for b in referrals]"})
    referrals = [{"at": "2019-03-04T17:00", "to": "health"}] * 7
    documents: list[dict[str, Any]] = [caseload_sample.vary_example(random.Random(n), n) for n in range(40)]
    for n, document in enumerate(documents):
        if n % 4 == 0:
            document["referrals"] = referrals
        if n % 5 == 1:
            document.pop("devices", None)
        if n % 7 == 2:
            document.pop("referrals", None)
    for as_of in (AS_OF, date(9999, 12, 31)):
        for document in documents:
            for evidence in (True, False):
                both_ways(criteria, Case.model_validate(document), as_of, evidence)
