"""Moderation in the workspace (issue 15 item 3): the queue holds exactly the disagreements of submitted
double-scored cases, nothing of a case still blind; a decision (reason required) is a `moderation` event
that scoring, the export's moderation file and `thematic run` on the export all use; the lead names
moderators; who may open and post what (the permission MATRIX).
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from web_helpers import ROLES, SIGN_IN, World, answers_by_role, client_for, world

from thematic.web.assigning import double_score
from thematic.web.criteria_cache import criteria_of
from thematic.web.entries import Entries
from thematic.web.exporting import export_inspection
from thematic.web.models import INSPECTION_KIND, MODERATION, MODERATOR, Assignment, Case, Event, InspectionMember
from thematic.web.moderation import DecisionError, decide, queue, set_moderator
from thematic.web.results import inspection_results
from thematic.web.saving import NotAllowed, questions, save


def _pairs(w: World, share: float = 25, seed: int = 11) -> list[tuple[Assignment, Assignment]]:
    """Cases drawn for double scoring, each as (insp-a's assignment, insp-b's), in sample order."""
    drawn = double_score(w.inspection, share, seed, [w.insp_a, w.insp_b], w.lead)
    pairs = []
    for row in Case.objects.filter(inspection=w.inspection, case_id__in=drawn.drawn).order_by("position"):
        both = {a.scorer.username: a for a in row.assignments.filter(kind=INSPECTION_KIND).select_related(
            "scorer", "case", "case__inspection")}
        pairs.append((both["insp-a"], both["insp-b"]))
    assert len(pairs) >= 3
    return pairs


def _entries(assignment: Assignment, changes: dict[str, str], grade: str = "good", referred_back: bool = False,
             note: str = "") -> Entries:
    """Every applicable question answered with its first answer, except `changes`; notes name the scorer."""
    criteria = criteria_of(assignment.case.inspection)
    applicable = questions(assignment)
    answers = {cid: next(iter(criteria.criterion(cid).definition.answers or {})) for cid in applicable}
    answers.update(changes)
    notes = {cid: f"{note} on {cid}" for cid in applicable} if note else {}
    return Entries(answers=answers, notes=notes, grade=grade, referred_back=referred_back)


def _score(assignment: Assignment, entries: Entries, *, submit: bool = True) -> None:
    version = Assignment.objects.get(pk=assignment.pk).version
    save(assignment, assignment.scorer, entries, version=version, submit=submit)


def _other_answer(assignment: Assignment, cid: str) -> str:
    """An allowed answer of `cid` other than its first (the one `_entries` gives by default)."""
    return list(criteria_of(assignment.case.inspection).criterion(cid).definition.answers or {})[1]


def _disagreeing(w: World) -> tuple[Assignment, Assignment, str]:
    """One double-scored case, both submitted, disagreeing on its first question and on the grade."""
    first, second = _pairs(w)[0]
    cid = questions(first)[0]
    _score(first, _entries(first, {}, "good", note="insp-a"))
    _score(second, _entries(second, {cid: _other_answer(second, cid)}, "inadequate", note="insp-b"))
    return first, second, cid


def test_the_queue_lists_exactly_the_disagreements(web_db: str) -> None:
    w = world()
    pairs = _pairs(w)
    (a1, b1), (a2, b2), (a3, b3) = pairs[:3]
    q1, q2 = questions(a1)[:2]
    # Case 1: two questions and the grade's value differ. Case 2: all alike. Case 3: only "referred back".
    _score(a1, _entries(a1, {}, "good"))
    _score(b1, _entries(b1, {q1: _other_answer(b1, q1), q2: _other_answer(b1, q2)}, "requires_improvement"))
    _score(a2, _entries(a2, {}, "good"))
    _score(b2, _entries(b2, {}, "good"))
    _score(a3, _entries(a3, {}, "inadequate", referred_back=True))
    _score(b3, _entries(b3, {}, "inadequate", referred_back=False))
    found = {c.case.case_id: [(d.item, d.differs_on) for d in c.disagreements] for c in queue(w.inspection)}
    assert found == {a1.case.case_id: [(q1, []), (q2, []), ("grade", ["grade"])],
                     a3.case.case_id: [("grade", ["referred back"])]}
    entry = next(c for c in queue(w.inspection) if c.case.case_id == a1.case.case_id).disagreements[0]
    assert [(s.scorer, s.answer) for s in entry.sides] == [("insp-a", _entries(a1, {}).answers[q1]),
                                                           ("insp-b", _other_answer(b1, q1))]
    page = client_for(w.lead).get(f"/inspections/{w.inspection.slug}/moderation").content.decode()
    assert f'data-queue="open" data-case="{a1.case.case_id}"' in page
    assert f'data-case="{a2.case.case_id}"' not in page
    assert page.count('class="thematic-disagreement"') == 4
    assert 'id="open-count">4<' in page
    # Where only "referred back" differs, the grade they agree on is chosen already.
    referred = page.split(f'id="d-{a3.case.pk}-grade"')[1].split('class="thematic-disagreement"')[0]
    assert 'value="inadequate" checked' in referred and referred.count(" checked") == 1
    # Each entry shows both sides, the question, and the case's automatic evidence.
    assert f'data-item="{q1}"' in page and "Automatic criteria and their evidence" in page


def test_a_case_still_blind_shows_nothing(web_db: str) -> None:
    w = world()
    first, second = _pairs(w)[0]
    cid = questions(first)[0]
    _score(first, _entries(first, {}, "good", note="MARKER-first"))
    # The second scorer disagrees, but has only saved a draft: the case is blind, so not in the queue.
    _score(second, _entries(second, {cid: _other_answer(second, cid)}, "inadequate", note="MARKER-second"),
           submit=False)
    assert queue(w.inspection) == []
    for user in (w.lead, w.insp_b):
        if user is w.insp_b:
            set_moderator(w.inspection, "insp-b", True, w.lead)
        page = client_for(user).get(f"/inspections/{w.inspection.slug}/moderation").content.decode()
        assert "MARKER" not in page and first.case.case_id not in page
        assert 'id="nothing-open"' in page
    with pytest.raises(NotAllowed, match="not ready"):
        decide(first.case, cid, "yes", False, "seen", w.lead)
    assert not Event.objects.filter(kind=MODERATION).exists()


def test_a_decision_changes_the_results_the_export_and_thematic_run(web_db: str, tmp_path: Path) -> None:
    w = world()
    first, second, cid = _disagreeing(w)
    case_id = first.case.case_id
    decided_answer = _other_answer(second, cid)

    def mine() -> dict[str, Any]:
        return next(r.to_json() for r in inspection_results(w.inspection) if r.case_id == case_id)

    before = mine()
    assert before["results"][cid]["state"] == "pending" and before["grade"] is None
    client = client_for(w.lead)
    url = f"/inspections/{w.inspection.slug}/moderation"
    done = client.post(url, {"case": first.case.pk, "item": cid, "value": decided_answer,
                             "reason": "the chronology shows it"})
    assert done.status_code == 302
    done = client.post(url, {"case": first.case.pk, "item": "grade", "value": "requires_improvement",
                             "referred_back": "yes", "reason": "between the two"})
    assert done.status_code == 302
    after = mine()
    assert after["results"][cid]["state"] != "pending"
    assert after["grade"] == "requires_improvement" and after["referred_back"] is True
    exported = export_inspection(w.inspection, tmp_path / "export")
    moderation = yaml.safe_load((exported.parent / "judgements" / f"{w.inspection.slug}-moderation.yaml").read_text())
    assert moderation["cases"][case_id] == {
        "judgements": {cid: {"answer": decided_answer, "by": "lead-a", "reason": "the chronology shows it"}},
        "grade": {"value": "requires_improvement", "referred_back": True, "by": "lead-a", "reason": "between the two"}}
    if web_db == "sqlite":  # the files are the same whatever the database: the command runs once
        run = subprocess.run([sys.executable, "-m", "thematic", "run", str(exported), "-o", str(tmp_path / "run")],
                             capture_output=True, text=True, check=False, timeout=300)
        assert run.returncode == 0, run.stderr
        cases = json.loads((tmp_path / "run" / "results.json").read_text())["cases"]
        assert next(c for c in cases if c["case_id"] == case_id) == after
        assert cases == [r.to_json() for r in inspection_results(w.inspection)]
    # Decided items leave the queue and show as decided, with who and why.
    page = client.get(url).content.decode()
    assert 'id="open-count">0<' in page and 'id="decided-count">2<' in page
    assert f'data-queue="decided" data-case="{case_id}"' in page and "the chronology shows it" in page


def test_deciding_again_appends_an_event_and_the_latest_counts(web_db: str) -> None:
    w = world()
    first, second, cid = _disagreeing(w)
    one = decide(first.case, cid, _other_answer(second, cid), False, "first look", w.lead)
    two = decide(first.case, cid, _entries(first, {}).answers[cid], False, "second look", w.lead)
    assert two.pk > one.pk and two.before == one.after
    assert list(Event.objects.filter(kind=MODERATION).values_list("reason", flat=True)) == ["first look", "second look"]
    entry = queue(w.inspection)[0].disagreements[0]
    assert entry.decision is not None and entry.decision.reason == "second look"


def test_a_reason_and_an_allowed_answer_are_required(web_db: str) -> None:
    w = world()
    first, second, cid = _disagreeing(w)
    url = f"/inspections/{w.inspection.slug}/moderation"
    client = client_for(w.lead)
    reason, answer = "Give the reason for the decision", "Choose the answer"
    for form, wrong in (({"value": "yes", "reason": "  "}, {"reason": reason}),
                        ({"value": "perhaps", "reason": "a reason"}, {"value": answer}),
                        ({"reason": "a reason"}, {"value": answer}),
                        ({}, {"value": answer, "reason": reason})):
        response = client.post(url, {"case": first.case.pk, "item": cid, **form})
        page = response.content.decode()
        assert response.status_code == 400
        summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
        assert summary.count("<li>") == len(wrong)
        for field, message in wrong.items():
            assert message in summary and f'href="#{field}-{first.case.pk}-{cid}"' in summary
            assert f'id="{field}-{first.case.pk}-{cid}"' in page  # the link's target is on the page
        if "value" in form and "reason" in wrong:  # what was typed or chosen is kept
            assert 'value="yes" checked' in page
    with pytest.raises(DecisionError, match="Choose the grade"):
        decide(first.case, "grade", "outstanding", False, "a reason", w.lead)
    assert not Event.objects.filter(kind=MODERATION).exists()
    # A case of another inspection, or none: 404.
    assert client.post(url, {"case": "999999", "item": cid, "value": "yes", "reason": "x"}).status_code == 404


def test_nothing_to_decide_where_the_scorers_agree(web_db: str) -> None:
    w = world()
    first, second, cid = _disagreeing(w)
    agreed = questions(first)[1]
    with pytest.raises(NotAllowed, match="do not disagree"):
        decide(first.case, agreed, "yes", False, "a reason", w.lead)


def test_the_lead_names_a_moderator_who_decides_cases_they_did_not_score(web_db: str) -> None:
    w = world()
    first, second, cid = _disagreeing(w)
    # insp-z joins the inspection with one case of their own, so the lead can name them.
    spare = Assignment.objects.filter(scorer=w.insp_b, case__double_scored=False).first()
    assert spare is not None
    InspectionMember.objects.create(inspection=w.inspection, user=w.outsider)
    url = f"/inspections/{w.inspection.slug}/moderation"
    assert client_for(w.outsider).get(url).status_code == 403
    named = client_for(w.lead).post(f"/inspections/{w.inspection.slug}/moderators",
                                    {"moderator": "insp-z", "action": "name"})
    assert named.status_code == 302
    event = Event.objects.get(kind=MODERATOR)
    assert (event.item, event.before, event.after, event.actor_ref) == ("insp-z", "no", "yes", "lead-a")
    moderator = client_for(w.outsider)
    assert moderator.get(url).status_code == 200
    assert moderator.get(f"/inspections/{w.inspection.slug}/agreement").status_code == 200
    done = moderator.post(url, {"case": first.case.pk, "item": cid, "value": "yes", "reason": "the record shows it"})
    assert done.status_code == 302
    assert Event.objects.get(kind=MODERATION).actor_ref == "insp-z"
    # A scorer named moderator sees the queue but does not decide their own case.
    set_moderator(w.inspection, "insp-b", True, w.lead)
    page = client_for(w.insp_b).get(url).content.decode()
    assert "You scored this case" in page
    refused = client_for(w.insp_b).post(url, {"case": first.case.pk, "item": "grade", "value": "good",
                                               "reason": "mine"})
    assert refused.status_code == 403
    # Removed: back to 403, and only inspectors of the inspection can be named.
    client_for(w.lead).post(f"/inspections/{w.inspection.slug}/moderators", {"moderator": "insp-z",
                                                                               "action": "remove"})
    assert client_for(w.outsider).get(url).status_code == 403
    bad = client_for(w.lead).post(f"/inspections/{w.inspection.slug}/moderators",
                                  {"moderator": "force-exampleshire", "action": "name"})
    assert bad.status_code == 400 and "Choose one of the inspection&#x27;s inspectors" in bad.content.decode()
    assert list(Event.objects.filter(kind=MODERATOR).values_list("item", "after")) == [
        ("insp-z", "yes"), ("insp-b", "yes"), ("insp-z", "no")]


# --- the permission matrix ----------------------------------------------------------------------

def _nothing(w: World) -> None:
    pass


def _settled(w: World) -> None:
    """A double-scored case both inspectors submitted, disagreeing (made once per world)."""
    if not Case.objects.filter(inspection=w.inspection, double_scored=True).exists():
        _disagreeing(w)


def _insp_b_moderates(w: World) -> None:
    InspectionMember.objects.filter(inspection=w.inspection, user=w.insp_b).update(moderator=True)


def _decision_form(w: World) -> dict[str, Any]:
    entry = queue(w.inspection)[0].disagreements[0]
    return {"case": entry.case.pk, "item": entry.item, "value": entry.answers[0], "reason": "the record shows it"}


S = SIGN_IN
# (method, path, form, prepare, expected status per role in ROLES order)
MATRIX: list[tuple[str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], None], tuple[Any, ...]]] = [
    ("GET", "/inspections/{slug}/moderation", None, _settled, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/moderation", None, _insp_b_moderates, (S, 200, 403, 200, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/moderation", _decision_form, _settled, (S, 302, 403, 403, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/moderators", lambda w: {"moderator": "insp-b", "action": "name"}, _nothing,
     (S, 302, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/agreement", None, _settled, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/agreement", None, _insp_b_moderates, (S, 200, 403, 200, 404, 403, 404, 403)),
    ("GET", "/inspections/no-such-inspection/moderation", None, _nothing, (S, 404, 404, 404, 404, 404, 404, 404)),
]


@pytest.mark.parametrize(("method", "path", "form", "prepare", "expected"), MATRIX,
                         ids=[f"{m} {p} {prep.__name__}" for m, p, _, prep, _ in MATRIX])
def test_moderation_urls_as_every_role(web_db: str, method: str, path: str,
                                       form: Callable[[World], dict[str, Any]] | None,
                                       prepare: Callable[[World], None], expected: tuple[Any, ...]) -> None:
    w = world()
    url = path.format(slug=w.inspection.slug, own=w.own.pk)
    assert answers_by_role(w, method, url, form, prepare) == dict(zip(ROLES, expected, strict=True))
