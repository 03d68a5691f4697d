"""The audit trail: every change is a new event (who, when, before, after, why), and nothing in the
application, nor any database client, can change or delete one."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from web_helpers import client_for, world

from thematic.web.entries import current
from thematic.web.models import AppendOnlyError, Assignment, Event


def _changes(assignment: Assignment) -> list[tuple[str, str, str | None, str | None, str]]:
    return [(e.kind, e.item, e.before, e.after, e.actor_ref)
            for e in Event.objects.filter(assignment=assignment).exclude(kind="assigned").order_by("id")]


def test_every_change_is_an_event_and_the_current_value_is_the_latest(web_db: str) -> None:
    w = world()
    client = client_for(w.insp_a)
    url = f"/assignments/{w.own.pk}"
    client.post(url, {"version": "0", "action": "save", "answer-SUP-04": "yes", "note-SUP-04": "first"})
    client.post(url, {"version": "1", "action": "save", "answer-SUP-04": "no", "grade": "inadequate"})
    assert _changes(w.own) == [
        ("answer", "SUP-04", None, "yes", "insp-a"), ("note", "SUP-04", None, "first", "insp-a"),
        ("status", "", "not_started", "in_progress", "insp-a"),
        ("answer", "SUP-04", "yes", "no", "insp-a"), ("grade", "grade", None, "inadequate", "insp-a"),
        ("note", "SUP-04", "first", None, "insp-a"),  # a cleared note is a change too
    ]
    entries = current(w.own)
    assert entries.answers == {"SUP-04": "no"} and entries.notes == {} and entries.grade == "inadequate"
    history = client.get(url).content.decode()
    assert history.count("insp-a</td>") >= 6  # the page's history lists each change and who made it


def test_the_application_refuses_to_change_or_delete_an_event(web_db: str) -> None:
    w = world()
    event = Event.objects.filter(assignment=w.own).first()
    assert event is not None
    event.after = "someone-else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_event(web_db: str, change: str) -> None:
    w = world()
    events = Event.objects.filter(inspection=w.inspection)
    count = events.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if change == "update":
            events.update(after="rewritten")
        else:
            events.delete()
    assert events.count() == count
    assert not events.filter(after="rewritten").exists()


def test_a_failed_save_writes_nothing(web_db: str) -> None:
    w = world()
    client = client_for(w.insp_a)
    before = Event.objects.count()
    client.post(f"/assignments/{w.own.pk}", {"version": "7", "action": "save", "answer-SUP-04": "yes"})  # stale
    client.post(f"/assignments/{w.own.pk}", {"version": "0", "action": "submit", "answer-SUP-04": "yes"})  # incomplete
    assert Event.objects.count() == before
    assert Assignment.objects.get(pk=w.own.pk).version == 0
