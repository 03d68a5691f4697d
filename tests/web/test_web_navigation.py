"""The links each role is offered: a named moderator reaches the moderation queue from their list
and sees only the sections they may open; programme pages are offered to programme users and leads."""
from __future__ import annotations

from web_helpers import client_for, world

from thematic.web.moderation import set_moderator


def test_a_named_moderator_is_offered_moderation_and_agreement_only(web_db: str) -> None:
    w = world()
    queue = f'href="/inspections/{w.inspection.slug}/moderation"'
    assert queue not in client_for(w.insp_b).get("/").content.decode()  # not yet named
    set_moderator(w.inspection, "insp-b", True, w.lead)
    home = client_for(w.insp_b).get("/").content.decode()
    assert queue in home
    page = client_for(w.insp_b).get(f"/inspections/{w.inspection.slug}/moderation").content.decode()
    assert f'href="/inspections/{w.inspection.slug}/agreement"' in page
    for lead_only in ("", "/findings", "/self-assessment"):  # sections that answer a moderator 403
        assert f'href="/inspections/{w.inspection.slug}{lead_only}"' not in page
    lead_page = client_for(w.lead).get(f"/inspections/{w.inspection.slug}/moderation").content.decode()
    assert f'href="/inspections/{w.inspection.slug}/findings"' in lead_page


def test_programme_pages_are_offered_to_programme_users_and_leads_only(web_db: str) -> None:
    w = world()
    for user, offered in ((w.programme, True), (w.lead, True), (w.insp_a, False), (w.force, False)):
        assert ('href="/programme"' in client_for(user).get("/").content.decode()) is offered, user.username
