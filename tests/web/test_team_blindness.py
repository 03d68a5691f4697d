"""Blind double scoring (issue 15 item 2): until both inspectors of a double-scored case have submitted,
nobody but its scorer sees an assignment's answers, notes or grade, on any page, download, export or
error page, nor in the HTML source; afterwards the lead and the other inspector do.

Each scorer plants a unique marker in their notes and grade note; every role that could see the case
fetches every URL that shows it, and the other scorer's marker must not be anywhere in what comes back.
"""
from __future__ import annotations

import io
import secrets
import zipfile
from typing import Any

from django.test import Client
from web_helpers import World, client_for, world

from thematic.web.assigning import double_score
from thematic.web.criteria_cache import criteria_of
from thematic.web.models import SUBMITTED, Assignment
from thematic.web.saving import questions


def _form(assignment: Assignment, marker: str, action: str) -> dict[str, str]:
    """Every applicable question answered (its first answer) with the marker in each note and the grade note."""
    criteria = criteria_of(assignment.case.inspection)
    form = {"version": str(Assignment.objects.get(pk=assignment.pk).version), "action": action,
            "grade": "requires_improvement", "grade_note": f"grade {marker}"}
    for cid in questions(assignment):
        form[f"answer-{cid}"] = next(iter(criteria.criterion(cid).definition.answers or {}))
        form[f"note-{cid}"] = f"{cid} {marker}"
    return form


def _everything(client: Client, w: World, first: Assignment, second: Assignment) -> dict[str, str]:
    """What `client` gets back from every URL that shows the case (text, or each file of a .zip)."""
    seen: dict[str, str] = {}
    for url in (f"/assignments/{first.pk}", f"/assignments/{second.pk}", f"/inspections/{w.inspection.slug}",
                f"/inspections/{w.inspection.slug}/cases", "/"):
        seen[url] = client.get(url).content.decode()
    export = client.get(f"/inspections/{w.inspection.slug}/export")
    if export.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
            for name in archive.namelist():
                seen[f"export:{name}"] = archive.read(name).decode()
    else:
        seen["export"] = export.content.decode()
    # The stale-save (409) page, and the refusal a save on someone else's assignment gets.
    for target in (first, second):
        stale = {"version": "0", "action": "save", "grade": "good", "grade_note": "stale attempt"}
        seen[f"stale {target.pk}"] = client.post(f"/assignments/{target.pk}", stale).content.decode()
    return seen


def _leaks(seen: dict[str, str], marker: str) -> list[str]:
    return [where for where, text in seen.items() if marker in text]


def _setup(w: World) -> tuple[Assignment, Assignment]:
    """One case drawn for double scoring: (its first scorer's assignment, the second's)."""
    drawn = double_score(w.inspection, 10, 11, [w.insp_a, w.insp_b], w.lead)
    added = next(iter(drawn.added))
    both = list(Assignment.objects.filter(case__case_id=added, case__inspection=w.inspection)
                .select_related("case", "case__inspection", "scorer").order_by("id"))
    assert len(both) == 2 and both[0].scorer != both[1].scorer
    return both[0], both[1]


def test_neither_scorer_nor_anyone_sees_the_others_entries_until_both_submit(web_db: str) -> None:
    w = world()
    first, second = _setup(w)
    marker = {first.pk: f"MARK{secrets.token_hex(6)}", second.pk: f"MARK{secrets.token_hex(6)}"}
    scorer_client = {first.pk: client_for(first.scorer), second.pk: client_for(second.scorer)}
    roles: dict[str, Any] = {"lead": w.lead, "first": first.scorer, "second": second.scorer,
                             "outsider": w.outsider, "force": w.force, "other-force": w.other_force,
                             "programme": w.programme}

    def assert_blind(stage: str) -> None:
        for name, user in roles.items():
            seen = _everything(client_for(user), w, first, second)
            for assignment in (first, second):
                if user.pk == assignment.scorer_id:
                    continue
                assert not _leaks(seen, marker[assignment.pk]), (stage, name, assignment.scorer.username,
                                                                 _leaks(seen, marker[assignment.pk]))

    # Drafts on both sides.
    for assignment in (first, second):
        response = scorer_client[assignment.pk].post(f"/assignments/{assignment.pk}",
                                                     _form(assignment, marker[assignment.pk], "save"))
        assert response.status_code == 302
    assert_blind("both drafts")
    # Each scorer still sees their own work (the test would be empty otherwise).
    own = scorer_client[first.pk].get(f"/assignments/{first.pk}").content.decode()
    assert marker[first.pk] in own
    page = scorer_client[second.pk].get(f"/assignments/{first.pk}").content.decode()
    assert "hidden until every scorer of this case has submitted" in page
    # One submits: still blind.
    response = scorer_client[first.pk].post(f"/assignments/{first.pk}", _form(first, marker[first.pk], "submit"))
    assert response.status_code == 302
    assert Assignment.objects.get(pk=first.pk).status == SUBMITTED
    assert_blind("one submitted")

    # Both submit: the lead and the other scorer see each other's entries; nobody else does.
    response = scorer_client[second.pk].post(f"/assignments/{second.pk}", _form(second, marker[second.pk], "submit"))
    assert response.status_code == 302
    lead = _everything(client_for(w.lead), w, first, second)
    for assignment in (first, second):
        assert f"/assignments/{assignment.pk}" in _leaks(lead, marker[assignment.pk])
        slug, leaks = w.inspection.slug, _leaks(lead, marker[assignment.pk])
        assert f"export:{slug}/judgements/{slug}-{assignment.scorer.username}.yaml" in leaks
        assert f"export:{slug}/audit.jsonl" in leaks
    for me, other in ((first, second), (second, first)):
        seen = _everything(scorer_client[me.pk], w, first, second)
        assert _leaks(seen, marker[other.pk]) == [f"/assignments/{other.pk}"]
    for name in ("outsider", "force", "other-force", "programme"):
        seen = _everything(client_for(roles[name]), w, first, second)
        assert not _leaks(seen, marker[first.pk]) and not _leaks(seen, marker[second.pk]), name


def test_the_other_scorers_assignment_opens_for_a_co_scorer_only(web_db: str) -> None:
    w = world()
    first, second = _setup(w)
    for me, other in ((first, second), (second, first)):
        client = client_for(me.scorer)
        assert client.get(f"/assignments/{other.pk}").status_code == 200
        # Seeing is not changing: a save on the other's assignment is refused.
        response = client.post(f"/assignments/{other.pk}", {"version": "0", "action": "save", "grade": "good"})
        assert response.status_code == 403
    # Another case of the same inspector, not double-scored, stays closed to the co-scorer.
    theirs = Assignment.objects.filter(scorer=first.scorer, case__double_scored=False).first()
    stranger = w.insp_b if first.scorer == w.insp_a else w.insp_a
    assert theirs is not None and not Assignment.objects.filter(case=theirs.case, scorer=stranger).exists()
    assert client_for(stranger).get(f"/assignments/{theirs.pk}").status_code == 404


def test_reopening_one_scorers_case_makes_it_blind_again_and_the_lead_can_still_reopen_the_other(
        web_db: str) -> None:
    w = world()
    first, second = _setup(w)
    marker = f"MARK{secrets.token_hex(6)}"
    for assignment, mark in ((first, marker), (second, "other")):
        response = client_for(assignment.scorer).post(f"/assignments/{assignment.pk}",
                                                      _form(assignment, mark, "submit"))
        assert response.status_code == 302
    lead = client_for(w.lead)
    assert marker in lead.get(f"/assignments/{first.pk}").content.decode()
    assert lead.post(f"/assignments/{first.pk}/reopen", {"reason": "look again at the plan"}).status_code == 302
    for user in (w.lead, second.scorer):
        assert marker not in client_for(user).get(f"/assignments/{first.pk}").content.decode()
    page = lead.get(f"/assignments/{second.pk}").content.decode()
    assert f'action="/assignments/{second.pk}/reopen"' in page and "hidden until every scorer" in page
    assert lead.post(f"/assignments/{second.pk}/reopen", {"reason": "both look again"}).status_code == 302


def test_a_forces_self_assessment_of_a_double_scored_case_opens_no_inspectors_assignment(web_db: str) -> None:
    w = world()
    first, second = _setup(w)
    own = Assignment.objects.create(case=first.case, scorer=w.force, kind="self_assessment")
    client = client_for(w.force)
    assert client.get(f"/assignments/{own.pk}").status_code == 200
    for theirs in (first, second):
        assert client.get(f"/assignments/{theirs.pk}").status_code == 404
