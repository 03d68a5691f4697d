"""The demo workspace (`thematic serve --demo`, `make serve`) shows a double-scored inspection caught
mid-moderation: disagreements decided and waiting, blind cases, cases scored and not."""
from __future__ import annotations

from pathlib import Path

from thematic.web.criteria_cache import criteria_of
from thematic.web.demo import ACCOUNTS, DEMO, build_demo
from thematic.web.exporting import moderation_document
from thematic.web.models import INSPECTION_KIND, NOT_STARTED, SUBMITTED, Assignment, Case, Inspection
from thematic.web.moderation import open_count, queue
from thematic.web.results import inspection_results


def test_the_demo_is_mid_moderation(web_db: str, tmp_path: Path) -> None:
    accounts = build_demo(tmp_path)
    # The printed accounts are as they were: every role, each with a one-time password.
    assert [(a.role, a.name) for a in accounts] == [(role, name) for role, name, _ in ACCOUNTS]
    assert all(len(a.password) >= 12 for a in accounts)

    inspection = Inspection.objects.get(slug=DEMO.id)
    statuses: dict[str, list[str]] = {}
    for assignment in Assignment.objects.filter(case__inspection=inspection, kind=INSPECTION_KIND):
        statuses.setdefault(assignment.case.case_id, []).append(assignment.status)
    doubles = set(Case.objects.filter(inspection=inspection, double_scored=True).values_list("case_id", flat=True))
    assert len(doubles) == round(DEMO.cases * 0.2)
    assert all(len(statuses[c]) == 2 for c in doubles) and all(len(s) == 1 for c, s in statuses.items()
                                                                if c not in doubles)
    both = {c for c in doubles if statuses[c] == [SUBMITTED, SUBMITTED]}
    blind = {c for c in doubles if sorted(statuses[c]) == ["in_progress", SUBMITTED]}
    assert both and blind
    singles = [s[0] for c, s in statuses.items() if c not in doubles]
    assert {SUBMITTED, "in_progress", NOT_STARTED} <= set(singles)

    waiting = queue(inspection)
    decided = [d for entry in waiting for d in entry.disagreements if d.decision is not None]
    assert decided, "no disagreement decided"
    assert open_count(waiting) > 0, "no disagreement waiting in the queue"
    assert {entry.case.case_id for entry in waiting} <= both  # a blind case is never in the queue
    # The decisions are the moderation file's, and scoring uses them as `thematic run` does.
    document = moderation_document(inspection)
    assert document is not None
    results = {r.case_id: r for r in inspection_results(inspection)}
    criteria = criteria_of(inspection)
    for d in decided:
        assert d.decision is not None and d.case.case_id in document["cases"]
        result = results[d.case.case_id]
        if d.item == "grade":
            assert (result.grade, result.referred_back) == (d.decision.value, d.decision.referred_back)
        else:  # the decided answer's state, whichever way the inspectors answered
            answers = criteria.criterion(d.item).definition.answers or {}
            assert result.results[d.item].state == answers[d.decision.value]
