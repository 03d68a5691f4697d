"""The permission matrix of docs/web.md: every URL requested as every role and as nobody.

An id in a URL never opens someone else's data: what a user may not see answers 404 (so an id does
not even say that it exists); what they may see but not do answers 403.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web_helpers import ROLES, SIGN_IN, World, answers_by_role, client_for, world

from thematic.web.models import SUBMITTED, Assignment


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


S = SIGN_IN
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
    ("POST", "/inspections/{slug}/spread", lambda w: {"spread-inspector": ["insp-a", "insp-b"]}, _nothing,
     (S, 302, 403, 403, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/double-score", lambda w: {"share": "20", "seed": "7",
                                                            "double-inspector": ["insp-a", "insp-b"]}, _nothing,
     (S, 302, 403, 403, 404, 403, 404, 403)),
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
    answers = answers_by_role(w, method, url, form, prepare)
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


def _route_of(path: str) -> str:
    """A matrix path as its route: `{slug}` and friends, and ids, become one placeholder."""
    import re
    return re.sub(r"\{[a-z_]+\}|<[a-z]+:[a-z_]+>|\d+|no-such-inspection", "*", path.lstrip("/"))


def test_every_url_is_in_a_permission_matrix() -> None:
    """Each route of the workspace has a row in this MATRIX or in a team page's `MATRIX` (a
    `tests/web/test_*.py` module that defines one), so no page escapes the matrix."""
    import importlib.util
    from pathlib import Path

    from django.urls import get_resolver

    covered = {_route_of(path) for _, path, *_ in MATRIX}
    for module_path in sorted(Path(__file__).parent.glob("test_*.py")):
        if module_path.name == Path(__file__).name or "MATRIX" not in module_path.read_text():
            continue
        spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        covered |= {_route_of(row[1]) for row in getattr(module, "MATRIX", [])}
    routes = {_route_of(str(pattern.pattern)) for pattern in get_resolver().url_patterns}
    assert routes - covered == set()
