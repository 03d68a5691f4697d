"""Every page of the workspace through Django's test client: what it shows and what it does."""
from __future__ import annotations

import re

from django.test import Client
from web_helpers import PASSWORD, client_for, world

from thematic.web.entries import current
from thematic.web.models import SUBMITTED, Assignment, Event


def test_healthz_answers_ok_without_signing_in(web_db: str) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_every_page_carries_the_security_headers(web_db: str) -> None:
    response = Client().get("/sign-in")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script anywhere on the page


def test_signing_in_and_out(web_db: str) -> None:
    w = world()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/sign-in")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    refused = client.post("/sign-in", {"username": "insp-a", "password": PASSWORD})  # no CSRF token
    assert refused.status_code == 403
    wrong = client.post("/sign-in", {"username": "insp-a", "password": "not-it", "csrfmiddlewaretoken": token[1]})
    assert wrong.status_code == 400 and "govuk-error-summary" in wrong.content.decode()
    signed = client.post("/sign-in", {"username": "insp-a", "password": PASSWORD, "csrfmiddlewaretoken": token[1]})
    assert signed.status_code == 302 and signed["Location"] == "/"
    home = client.get("/")
    assert w.inspection.title in home.content.decode()
    token2 = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.content.decode())
    assert token2 is not None
    assert client.post("/sign-out", {"csrfmiddlewaretoken": token2[1]}).status_code == 302
    assert client.get("/").status_code == 302  # signed out: back to the sign-in page


def test_sign_in_is_throttled_after_repeated_failures(web_db: str) -> None:
    world()
    client = Client()
    for _ in range(5):
        assert client.post("/sign-in", {"username": "insp-a", "password": "wrong"}).status_code == 400
    locked = client.post("/sign-in", {"username": "insp-a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_never_redirects_off_site(web_db: str) -> None:
    world()
    response = Client().post("/sign-in?next=https://elsewhere.example/", {"username": "insp-a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_my_cases_lists_only_my_cases_with_status_and_filter(web_db: str) -> None:
    w = world()
    client = client_for(w.insp_a)
    page = client.get(f"/inspections/{w.inspection.slug}/cases").content.decode()
    assert page.count('href="/assignments/') == 8
    assert "EXA-2019-001" in page and "EXA-2019-009" not in page  # the ninth case is insp-b's
    assert "Not started" in page
    Assignment.objects.filter(pk=w.own.pk).update(status=SUBMITTED)
    submitted = client.get(f"/inspections/{w.inspection.slug}/cases?status=submitted").content.decode()
    assert submitted.count('href="/assignments/') == 1


def test_case_page_reads_top_to_bottom(web_db: str) -> None:
    w = world()
    page = client_for(w.insp_a).get(f"/assignments/{w.own.pk}").content.decode()
    order = [page.index(h) for h in (">Summary<", ">Chronology<", ">Automatic criteria<", ">Questions<", ">Grade<",
                                      ">History<")]
    assert order == sorted(order)
    # The chronology is in date order: the 2018 incident comes before the 2019 report.
    chronology = page[page.index(">Chronology<"):page.index(">Automatic criteria<")]
    assert chronology.index("10 Dec 2018") < chronology.index("14 May 2019 20:40") < chronology.index("10 Jul 2019")
    assert "before the report" in chronology
    assert 'name="answer-SUP-04"' in page and 'name="grade"' in page and 'name="version" value="0"' in page
    assert "Suggested grade" in page


def test_saving_a_draft_then_submitting(web_db: str) -> None:
    w = world()
    client = client_for(w.insp_a)
    url = f"/assignments/{w.own.pk}"
    saved = client.post(url, {"version": "0", "action": "save", "answer-SUP-04": "yes", "note-SUP-04": "Seen."})
    assert saved.status_code == 302
    assignment = Assignment.objects.get(pk=w.own.pk)
    assert (assignment.status, assignment.version) == ("in_progress", 1)
    assert current(assignment).answers == {"SUP-04": "yes"}
    # Submitting with questions unanswered: the error summary names each, nothing is stored.
    incomplete = client.post(url, {"version": "1", "action": "submit", "answer-SUP-04": "yes"})
    assert incomplete.status_code == 400
    body = incomplete.content.decode()
    assert "There is a problem" in body and 'href="#grade"' in body
    assert Assignment.objects.get(pk=w.own.pk).version == 1
    form = {"version": "1", "action": "submit", "grade": "good", "grade_note": "Joined-up response."}
    form.update({f"answer-{cid}": "yes" for cid in re.findall(r'name="answer-([A-Z0-9-]+)"', body)})
    done = client.post(url, form)
    assert done.status_code == 302
    assignment = Assignment.objects.get(pk=w.own.pk)
    assert assignment.status == SUBMITTED and assignment.version == 2
    # Submitted: the scorer can no longer change it.
    assert client.post(url, {**form, "version": "2", "action": "save"}).status_code == 403


def test_a_stale_save_is_refused_and_both_versions_shown(web_db: str) -> None:
    w = world()
    first, second = client_for(w.insp_a), client_for(w.insp_a)  # the same inspector in two browser tabs
    url = f"/assignments/{w.own.pk}"
    assert first.post(url, {"version": "0", "action": "save", "answer-SUP-04": "yes"}).status_code == 302
    stale = second.post(url, {"version": "0", "action": "save", "answer-SUP-04": "no"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Someone else saved this case" in body
    conflict = body[body.index('id="conflict"'):]
    assert ">no<" in conflict and ">yes<" in conflict  # both versions shown
    assert current(Assignment.objects.get(pk=w.own.pk)).answers == {"SUP-04": "yes"}  # nothing overwritten
    assert 'name="version" value="1"' in body  # saving again is now a deliberate choice


def test_bad_answer_values_are_refused_with_the_error_summary(web_db: str) -> None:
    w = world()
    response = client_for(w.insp_a).post(f"/assignments/{w.own.pk}", {"version": "0", "action": "save",
                                                                        "answer-SUP-04": "maybe", "grade": "great"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#answer-SUP-04"' in body and 'href="#grade"' in body
    assert not Event.objects.filter(assignment=w.own).exclude(kind="assigned").exists()


def test_lead_sees_progress_assigns_and_reopens_with_a_reason(web_db: str) -> None:
    w = world()
    lead = client_for(w.lead)
    page = lead.get(f"/inspections/{w.inspection.slug}").content.decode()
    assert "insp-a" in page and "insp-b" in page and "Progress by inspector" in page
    Assignment.objects.filter(pk=w.own.pk).update(status=SUBMITTED, version=3)
    no_reason = lead.post(f"/assignments/{w.own.pk}/reopen", {"reason": " "})
    assert no_reason.status_code == 400
    assert lead.post(f"/assignments/{w.own.pk}/reopen", {"reason": "Grade contradicts RISK-05"}).status_code == 302
    reopened = Assignment.objects.get(pk=w.own.pk)
    assert reopened.status == "in_progress" and reopened.version == 4
    event = Event.objects.filter(assignment=w.own, kind="status").latest("id")
    assert (event.before, event.after, event.reason, event.actor_ref) == (
        "submitted", "in_progress", "Grade contradicts RISK-05", "lead-a")
    # Assign a case from insp-b (not started) to insp-z.
    case = Assignment.objects.filter(scorer=w.insp_b).first()
    assert case is not None
    moved = lead.post(f"/inspections/{w.inspection.slug}/assign", {"scorer": "insp-z", "case": [str(case.case_id)]})
    assert moved.status_code == 302
    assert Assignment.objects.get(pk=case.pk).scorer == w.outsider
    assert Event.objects.filter(kind="assigned", before="insp-b", after="insp-z").exists()


def test_a_session_ends_after_inactivity(web_db: str) -> None:
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    w = world()
    client = Client()
    assert client.post("/sign-in", {"username": "insp-a", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    # Each request pushes the end of the session on by the inactivity limit ...
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # ... and once that time has passed without a request, the session is over.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/inspections/{w.inspection.slug}/cases")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in")


def test_passwords_are_hashed_with_argon2(web_db: str) -> None:
    from django.test.utils import override_settings

    from thematic.web.accounts import add_user
    from thematic.web.settings import PASSWORD_HASHERS as REAL_HASHERS  # the module's, not the tests' override

    assert REAL_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=REAL_HASHERS):
        user, _ = add_user("insp-q", "inspector", password=PASSWORD)
        assert user.password.startswith("argon2$argon2id$")
        assert Client().post("/sign-in", {"username": "insp-q", "password": PASSWORD}).status_code == 302


def test_a_lead_adds_an_account_and_sees_its_password_once(web_db: str) -> None:
    w = world()
    lead = client_for(w.lead)
    page = lead.post("/accounts", {"name": "insp-c", "role": "inspector"}).content.decode()
    found = re.search(r'id="one-time-password">([^<]+)<', page)
    assert found is not None
    assert Client().post("/sign-in", {"username": "insp-c", "password": found[1]}).status_code == 302
    assert 'id="one-time-password"' not in lead.get("/accounts").content.decode()
    bad = lead.post("/accounts", {"name": "Jane Smith", "role": "inspector"})
    assert bad.status_code == 400 and 'href="#name"' in bad.content.decode()
    no_force = lead.post("/accounts", {"name": "force-x", "role": "force"})
    assert no_force.status_code == 400 and 'href="#force"' in no_force.content.decode()
