"""The workspace's caches and cheaper queries (issue 15 item 8) give exactly what recomputing gives.

- The live findings' per-case cache (`thematic.web.result_cache`): after saves, submissions and
  moderation decisions the cached results equal a fresh computation, and a save or a decision
  rescores its own case and no other.
- The case page's co-scorer list (`visibility.visible_of_case`, `may_see_entries(scorings=...)`)
  decides exactly as `visible_assignments` and `may_see_entries` do on their own queries, for every role.
"""
from __future__ import annotations

import pytest
from web_helpers import World, user_for, world

from thematic.model.results import CaseResult
from thematic.web.assigning import double_score
from thematic.web.criteria_cache import criteria_of
from thematic.web.entries import Entries
from thematic.web.findings import current_document, current_results, live_findings
from thematic.web.models import INSPECTION_KIND, Assignment, Case
from thematic.web.moderation import decide
from thematic.web.result_cache import ResultCache, scored_cases
from thematic.web.saving import questions, save
from thematic.web.visibility import may_see_entries, visible_assignments, visible_of_case


def _pairs(w: World) -> list[tuple[Assignment, Assignment]]:
    """Cases drawn for double scoring, each as (insp-a's assignment, insp-b's), in sample order."""
    drawn = double_score(w.inspection, 25, 11, [w.insp_a, w.insp_b], w.lead)
    pairs = []
    for row in Case.objects.filter(inspection=w.inspection, case_id__in=drawn.drawn).order_by("position"):
        both = {a.scorer.username: a for a in row.assignments.filter(kind=INSPECTION_KIND).select_related(
            "scorer", "case", "case__inspection")}
        pairs.append((both["insp-a"], both["insp-b"]))
    assert len(pairs) >= 2
    return pairs


def _score(assignment: Assignment, *, pick: int = 0, grade: str = "good", submit: bool = False) -> None:
    """Every applicable question answered with its `pick`-th allowed answer (wrapping), then saved."""
    criteria = criteria_of(assignment.case.inspection)
    answers = {}
    for cid in questions(assignment):
        allowed = list(criteria.criterion(cid).definition.answers or {})
        answers[cid] = allowed[pick % len(allowed)]
    version = Assignment.objects.get(pk=assignment.pk).version
    save(assignment, assignment.scorer, Entries(answers=answers, grade=grade), version=version, submit=submit)


def _fresh(w: World) -> list[CaseResult]:
    scored_cases.clear()
    return current_results(w.inspection)


def _by_case(results: list[CaseResult]) -> dict[str, CaseResult]:
    return {r.case_id: r for r in results}


def test_cached_findings_after_saves_equal_a_fresh_computation(web_db: str) -> None:
    w = world()
    scored_cases.clear()
    (a1, b1), (a2, b2) = _pairs(w)[:2]
    steps = [lambda: _score(w.own, pick=1), lambda: _score(w.own, pick=0, grade="inadequate", submit=True),
             lambda: _score(a1, submit=True),              # a1's case now blind: b1 has not submitted
             lambda: _score(b1, pick=1, submit=True),      # both submitted, disagreeing: counts now
             lambda: _score(a2, pick=1)]
    for step in steps:
        step()
        cached = current_results(w.inspection)  # warm from the previous step's entries
        assert cached == _fresh(w)
        assert current_results(w.inspection) == cached  # and now entirely from the cache
    document = live_findings(w.inspection).document.to_json()
    scored_cases.clear()
    assert live_findings(w.inspection).document.to_json() == document
    assert b2.case_id == a2.case_id


def test_a_save_rescores_its_case_and_no_other(web_db: str) -> None:
    w = world()
    scored_cases.clear()
    before = current_results(w.inspection)
    assert scored_cases.misses == len(before) and scored_cases.hits == 0
    _score(w.own, pick=1, grade="inadequate")
    after = current_results(w.inspection)
    assert scored_cases.misses == len(before) + 1 and scored_cases.hits == len(before) - 1
    changed = [b.case_id for b, a in zip(before, after, strict=True) if a is not b]
    assert changed == [w.own.case.case_id]
    assert _by_case(after)[w.own.case.case_id] != _by_case(before)[w.own.case.case_id]
    assert after == _fresh(w)


def test_a_moderation_decision_rescores_its_case(web_db: str) -> None:
    w = world()
    first, second = _pairs(w)[0]
    _score(first, submit=True)
    _score(second, pick=1, grade="inadequate", submit=True)
    scored_cases.clear()
    before = current_results(w.inspection)
    misses = scored_cases.misses
    decide(first.case, "grade", "requires_improvement", True, "between the two", w.lead)
    after = current_results(w.inspection)
    assert scored_cases.misses == misses + 1
    case_id = first.case.case_id
    assert _by_case(before)[case_id].grade != "requires_improvement"
    assert _by_case(after)[case_id].grade == "requires_improvement"
    assert after == _fresh(w)


def test_becoming_blind_rescores_the_case(web_db: str) -> None:
    """A case drawn for double scoring after its inspector saved: its entries stop counting."""
    w = world()
    _score(w.own, pick=1, grade="inadequate")
    scored_cases.clear()
    before = _by_case(current_results(w.inspection))[w.own.case.case_id]
    assert before.grade == "inadequate"
    double_score(w.inspection, 100, 3, [w.insp_a, w.insp_b], w.lead)
    after = _by_case(current_results(w.inspection))[w.own.case.case_id]
    assert after.grade is None
    assert current_results(w.inspection) == _fresh(w)


def test_whole_findings_come_from_the_cache_until_something_changes(web_db: str) -> None:
    w = world()
    first = live_findings(w.inspection)
    assert live_findings(w.inspection) is first  # nothing changed: nothing computed
    _score(w.own, pick=1, grade="inadequate", submit=True)
    after = live_findings(w.inspection)
    assert after is not first and w.own.case.case_id not in after.unscored
    assert w.own.case.case_id in first.unscored
    scored_cases.clear()
    fresh = live_findings(w.inspection)  # the same key: the whole findings are still cached
    assert fresh is after
    assert after.document.to_json() == current_document(w.inspection).to_json()


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = ResultCache(limit=2)
    results = [CaseResult.__new__(CaseResult) for _ in range(3)]
    cache.put("a", results[0])
    cache.put("b", results[1])
    assert cache.get("a") is results[0]  # "a" now the most recently used
    cache.put("c", results[2])
    assert len(cache) == 2 and cache.get("b") is None
    assert cache.get("a") is results[0] and cache.get("c") is results[2]


@pytest.mark.parametrize("who", ["lead", "scorer", "co-inspector", "other-inspector", "force", "programme"])
def test_the_case_page_co_scorers_decide_as_the_visibility_rules(web_db: str, who: str) -> None:
    w = world()
    pairs = _pairs(w)
    _score(pairs[0][0], submit=True)
    _score(pairs[0][1], pick=1, submit=True)  # case 0 open to its co-scorers; case 1 blind
    _score(pairs[1][0], submit=True)
    user = user_for(w, who)
    assert user is not None
    for first, _ in pairs[:3]:
        rows = list(Assignment.objects.filter(case_id=first.case_id).select_related("scorer"))
        scorings = [a for a in rows if a.kind == INSPECTION_KIND]
        opened = [a for a in rows if visible_assignments(user).filter(pk=a.pk).exists()]
        for assignment in opened:
            expected = set(visible_assignments(user).filter(case_id=first.case_id).values_list("pk", flat=True))
            assert {a.pk for a in visible_of_case(user, assignment, rows)} == expected
        for assignment in rows:
            assert may_see_entries(user, assignment, scorings=scorings) == may_see_entries(user, assignment)
