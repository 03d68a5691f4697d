"""The pages of live findings, the force report produced from the workspace, and the programme pages.

Live findings and the force report are the inspection lead's (anyone else who may see the inspection
gets 403, anyone who may not 404): they show results before moderation and publication. The
programme pages are read-only, for programme users and leads; a force or an inspector gets 403.
Figures come from `thematic.web.findings` and `thematic.web.programme_pages`, the reports from
`thematic.web.report_jobs`; nothing here computes a figure.
"""
from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.static import serve

from thematic.web.models import Inspection
from thematic.web.report_jobs import RUNNING, Job, inspection_scope, jobs, load_job, running
from thematic.web.visibility import inspection_or_404, is_lead


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseForbidden(render(request, "web/forbidden.html", {"message": message}).content)


def _lead_inspection(request: HttpRequest, slug: str) -> Inspection | HttpResponse:
    """The inspection for its lead; 404 when the user may not see it (first: an id never tells), else 403."""
    found = inspection_or_404(request.user, slug)
    if not is_lead(request.user):
        return _forbidden(request, "This page is for the inspection's lead.")
    return found


@require_GET
def findings(request: HttpRequest, inspection: str) -> HttpResponse:
    """The live findings: the force report's key findings as the data stands now."""
    from thematic.web.findings import live_findings

    found = _lead_inspection(request, inspection)
    if isinstance(found, HttpResponse):
        return found
    scope = inspection_scope(found.slug)
    return render(request, "web/findings.html", {
        "inspection": found, "findings": live_findings(found), "running": running(scope),
        "reports": [j for j in jobs(scope) if j.state != RUNNING][:5]})


@require_POST
def produce_report(request: HttpRequest, inspection: str) -> HttpResponse:
    """Start the force report of the current data (or show the one already being produced)."""
    from thematic.web.report_jobs import produce_force_report

    found = _lead_inspection(request, inspection)
    if isinstance(found, HttpResponse):
        return found
    job = running(inspection_scope(found.slug))
    if job is None:
        assert isinstance(request.user, User)
        job = produce_force_report(found, request.user)
    return HttpResponseRedirect(reverse("report_status", args=[found.slug, job.id]))


def _job_or_404(found: Inspection, job_id: str) -> Job:
    job = load_job(inspection_scope(found.slug), job_id)
    if job is None:
        raise Http404("no such report")
    return job


@require_GET
def report_status(request: HttpRequest, inspection: str, job: str) -> HttpResponse:
    """How a report is going: running (the page looks again by itself), made (downloads), or failed."""
    found = _lead_inspection(request, inspection)
    if isinstance(found, HttpResponse):
        return found
    produced = _job_or_404(found, job)
    # No automatic refresh: a page that reloads itself takes a screen reader's place away (WCAG 2.2.1);
    # the page offers "Check again" instead.
    return render(request, "web/report_status.html", {"inspection": found, "job": produced})


@require_GET
def report_file(request: HttpRequest, inspection: str, job: str, name: str) -> HttpResponseBase:
    """A produced report file (report.html, report.pdf) as a download."""
    found = _lead_inspection(request, inspection)
    if isinstance(found, HttpResponse):
        return found
    path = _job_or_404(found, job).file(name)
    if path is None:
        raise Http404("no such file")
    return attachment(request, path.parent, path.name, f"{found.slug}-{path.name}")


def attachment(request: HttpRequest, folder: object, name: str, download_name: str) -> HttpResponseBase:
    """The file `name` of `folder` as a download named `download_name` (Django's file server opens it)."""
    response = serve(request, name, document_root=str(folder))
    response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response
