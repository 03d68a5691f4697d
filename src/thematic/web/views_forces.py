"""The forces' pages (issue 15 item 6): an inspection's self-assessment section, publishing, and the
comparison of the force's self-assessment with the inspectors' results, with its downloads.

Who sees what (`thematic.web.visibility`): the section is the lead's and the force's (an inspector
or a programme user gets 403, anyone who may not see the inspection 404); the lead opens the
self-assessment and publishes (403 for anyone else); the comparison and its downloads are the lead's
at any time and the force's once published (403 before). The force scores on the ordinary case page.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from thematic.web.models import PUBLISHED, SELF_ASSESSMENT, STATUS_LABELS, Event, Inspection
from thematic.web.views import STATUS_TAGS
from thematic.web.visibility import (
    inspection_or_404,
    is_lead,
    is_published,
    may_see_comparison,
    may_see_self_assessment,
    visible_assignments,
)

DONE = {"opened": "Self-assessment opened for the force", "published": "Inspection published to the force"}


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseForbidden(render(request, "web/forbidden.html", {"message": message}).content)


def _section(request: HttpRequest, slug: str) -> tuple[Inspection, HttpResponse | None]:
    """The inspection (404 if the user may not see it) and a 403 unless the section is theirs."""
    found = inspection_or_404(request.user, slug)
    if not may_see_self_assessment(request.user, found):
        return found, _refused(request, "The self-assessment is for the inspection's lead and its force.")
    return found, None


def _context(request: HttpRequest, found: Inspection, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    from thematic.render.assessors import assessors_report
    from thematic.web.self_assessment import comparison, force_users, progress, questions

    done = progress(found)
    published = Event.objects.filter(inspection=found, kind=PUBLISHED).order_by("id").first()
    report = None
    if done.total and may_see_comparison(request.user, found):
        report = assessors_report(comparison(found), questions(found))
    # The self-assessment's case pages the user may open: all of them for the lead (read only), a
    # force user's own.
    rows = [{"pk": a.pk, "case": a.case.case_id, "scorer": a.scorer.username, "status": STATUS_LABELS[a.status],
             "tag": STATUS_TAGS[a.status]}
            for a in visible_assignments(request.user).filter(case__inspection=found, kind=SELF_ASSESSMENT)
            .select_related("case", "scorer").order_by("case__position")]
    return {"inspection": found, "lead": is_lead(request.user), "progress": done, "published": published,
            "rows": rows,
            "is_published": is_published(found), "users": [u.username for u in force_users(found)],
            "cases": found.cases.count(), "report": report, "errors": errors or [],
            "done": DONE.get(request.GET.get("done", ""), "")}


@require_GET
def self_assessment(request: HttpRequest, inspection: str) -> HttpResponse:
    found, refused = _section(request, inspection)
    if refused is not None:
        return refused
    return render(request, "web/self_assessment.html", _context(request, found))


def _lead_action(request: HttpRequest, inspection: str, act: Any, done: str, anchor: str) -> HttpResponse:
    """A lead's button on the section: `act(found, lead)`; its refusal is shown on the page (400)."""
    from thematic.web.self_assessment import SelfAssessmentError

    found, refused = _section(request, inspection)
    if refused is None and not is_lead(request.user):
        refused = _refused(request, "Only the inspection's lead opens the self-assessment and publishes.")
    if refused is not None:
        return refused
    lead = request.user
    assert isinstance(lead, User)
    try:
        act(found, lead)
    except SelfAssessmentError as exc:
        return render(request, "web/self_assessment.html",
                      _context(request, found, [{"text": str(exc), "href": anchor}]), status=400)
    return HttpResponseRedirect(reverse("self_assessment", args=[found.slug]) + f"?done={done}")


@require_POST
def open_self_assessment(request: HttpRequest, inspection: str) -> HttpResponse:
    """The lead gives every case to the force's users for their self-assessment."""
    from thematic.web.self_assessment import open_self_assessment as open_it

    return _lead_action(request, inspection, open_it, "opened", "#open")


@require_POST
def publish(request: HttpRequest, inspection: str) -> HttpResponse:
    """The lead opens the inspectors' results to the force, for good."""
    from thematic.web.self_assessment import publish as publish_it

    return _lead_action(request, inspection, publish_it, "published", "#publish")


def _comparison_or_refusal(request: HttpRequest, inspection: str) -> tuple[Inspection, HttpResponse | None]:
    found, refused = _section(request, inspection)
    if refused is None and not may_see_comparison(request.user, found):
        refused = _refused(request, "The comparison opens to the force once the lead publishes the inspection.")
    return found, refused


@require_GET
def comparison_json(request: HttpRequest, inspection: str) -> HttpResponse:
    """The comparison as `thematic compare-assessors -o FILE.json` writes it (thematic.assessor-comparison/1)."""
    from thematic.render.output import json_text
    from thematic.web.self_assessment import comparison

    found, refused = _comparison_or_refusal(request, inspection)
    if refused is not None:
        return refused
    response = HttpResponse(json_text(comparison(found).to_json()), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}-self-assessment-comparison.json"'
    return response


def _report(request: HttpRequest, inspection: str, fmt: str) -> HttpResponse:
    from thematic.web.self_assessment import comparison, report

    found, refused = _comparison_or_refusal(request, inspection)
    if refused is not None:
        return refused
    content = report(found, comparison(found), fmt)
    response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}-self-assessment.{fmt}"'
    return response


@require_GET
def report_html(request: HttpRequest, inspection: str) -> HttpResponse:
    """The self-assessment report as HTML (`thematic compare-assessors --report`)."""
    return _report(request, inspection, "html")


@require_GET
def report_pdf(request: HttpRequest, inspection: str) -> HttpResponse:
    """The self-assessment report as tagged PDF."""
    return _report(request, inspection, "pdf")
