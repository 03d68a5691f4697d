"""The permission matrix of docs/web.md: every URL requested as every role and as nobody.

An id in a URL never opens someone else's data: what a user may not see answers 404 (so an id does
not even say that it exists); what they may see but not do answers 403.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web_helpers import World, client_for, world

from thematic.web.models import SUBMITTED, Assignment

ROLES = ("anonymous", "lead", "scorer", "co-inspector", "other-inspector", "force", "other-force", "programme")


def _user(w: World, role: str) -> Any:
    return {"anonymous": None, "lead": w.lead, "scorer": w.insp_a, "co-inspector": w.insp_b,
            "other-inspector": w.outsider, "force": w.force, "other-force": w.other_force,
            "programme": w.programme}[role]


def _submitted(w: World) -> None:
    Assignment.objects.filter(pk=w.own.pk).update(status=SUBMITTED)


def _nothing(w: World) -> None:
    pass


def _save_form(w: World) -> dict[str, str]:
    return {"version": str(Assignment.objects.get(pk=w.own.pk).version), "action": "save", "answer-SUP-04": "yes"}


def _assign_form(w: World) -> dict[str, Any]:
    movable = Assignment.objects.filter(scorer=w.insp_b, status="not_started").first()
    assert movable is not None
    return {"scorer": "insp-a", "case": [str(movable.case_id)]}  # insp-z stays outside the inspection


S = "sign-in"  # a redirect to the sign-in page
# (method, path, form, prepare, expected status per role in ROLES order)
MATRIX: list[tuple[str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], None], tuple[Any, ...]]] = [
    ("GET", "/healthz", None, _nothing, (200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/sign-in", None, _nothing, (200, 200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/", None, _nothing, (S, 200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/import", None, _nothing, (S, 200, 403, 403, 403, 403, 403, 403)),
    ("GET", "/accounts", None, _nothing, (S, 200, 403, 403, 403, 403, 403, 403)),
    ("POST", "/accounts", lambda w: {"name": "insp-new", "role": "inspector"}, _nothing,
     (S, 200, 403, 403, 403, 403, 403, 403)),
    ("GET", "/inspections/{slug}", None, _nothing, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/cases", None, _nothing, (S, 200, 200, 200, 404, 200, 404, 200)),
    ("GET", "/inspections/{slug}/export", None, _nothing, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/assign", _assign_form, _nothing, (S, 302, 403, 403, 404, 403, 404, 403)),
    ("GET", "/assignments/{own}", None, _nothing, (S, 200, 200, 404, 404, 404, 404, 404)),
    ("POST", "/assignments/{own}", _save_form, _nothing, (S, 403, 302, 404, 404, 404, 404, 404)),
    ("POST", "/assignments/{own}/reopen", lambda w: {"reason": "check RISK-05"}, _submitted,
     (S, 302, 403, 404, 404, 404, 404, 404)),
    ("POST", "/sign-out", None, _nothing, (S, S, S, S, S, S, S, S)),  # signed out: back to the sign-in page
    ("GET", "/inspections/no-such-inspection/cases", None, _nothing, (S, 404, 404, 404, 404, 404, 404, 404)),
    ("GET", "/assignments/999999", None, _nothing, (S, 404, 404, 404, 404, 404, 404, 404)),
]


@pytest.mark.parametrize(("method", "path", "form", "prepare", "expected"), MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_every_url_as_every_role(web_db: str, method: str, path: str, form: Callable[[World], dict[str, Any]] | None,
                                 prepare: Callable[[World], None], expected: tuple[Any, ...]) -> None:
    w = world()
    url = path.format(slug=w.inspection.slug, own=w.own.pk)
    answers = {}
    for role, want in zip(ROLES, expected, strict=True):
        prepare(w)
        client = client_for(_user(w, role))
        data = form(w) if form else None
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        if want == S:
            answers[role] = S if response.status_code == 302 and response["Location"].startswith("/sign-in") \
                else response.status_code
        else:
            answers[role] = response.status_code
    assert answers == dict(zip(ROLES, expected, strict=True))


def test_a_forbidden_save_changes_nothing(web_db: str) -> None:
    w = world()
    before = Assignment.objects.get(pk=w.own.pk).version
    for user in (w.lead, w.insp_b, w.force, w.programme):
        client_for(user).post(f"/assignments/{w.own.pk}", _save_form(w))
    assert Assignment.objects.get(pk=w.own.pk).version == before


def test_lists_show_only_what_the_user_may_see(web_db: str) -> None:
    w = world()
    assert w.inspection.title in client_for(w.force).get("/").content.decode()
    assert w.inspection.title not in client_for(w.other_force).get("/").content.decode()
    assert w.inspection.title not in client_for(w.outsider).get("/").content.decode()
    assert w.inspection.title in client_for(w.programme).get("/").content.decode()
    # The co-inspector's list has their own cases only, never insp-a's.
    theirs = client_for(w.insp_b).get(f"/inspections/{w.inspection.slug}/cases").content.decode()
    assert f'href="/assignments/{w.own.pk}"' not in theirs


def test_a_lead_who_co_scores_a_double_scored_case_is_blind_until_both_submit(web_db: str) -> None:
    """The hook issue 15 builds on: `may_see_entries` keeps co-scorers blind."""
    from thematic.web.models import Case
    from thematic.web.visibility import may_see_entries

    w = world()
    Case.objects.filter(pk=w.own.case_id).update(double_scored=True)
    mine = Assignment.objects.create(case_id=w.own.case_id, scorer=w.lead)
    theirs = Assignment.objects.select_related("case").get(pk=w.own.pk)
    assert not may_see_entries(w.lead, theirs) and not may_see_entries(w.insp_b, theirs)
    Assignment.objects.filter(pk=mine.pk).update(status=SUBMITTED)
    assert not may_see_entries(w.lead, Assignment.objects.select_related("case").get(pk=w.own.pk))
    Assignment.objects.filter(pk=w.own.pk).update(status=SUBMITTED)
    assert may_see_entries(w.lead, Assignment.objects.select_related("case").get(pk=w.own.pk))
