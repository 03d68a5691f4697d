"""The pages of live findings, the force report produced from the workspace, and the programme pages.

Live findings and the force report are the inspection lead's (anyone else who may see the inspection
gets 403, anyone who may not 404): they show results before moderation and publication. The
programme pages are read-only, for programme users and leads; a force or an inspector gets 403.
Figures come from `thematic.web.findings` and `thematic.web.programme_pages`, the reports from
`thematic.web.report_jobs`; nothing here computes a figure.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.static import serve

from thematic.web.models import LEAD, PROGRAMME, Inspection
from thematic.web.report_jobs import RUNNING, Job, inspection_scope, jobs, load_job, running
from thematic.web.visibility import inspection_or_404, is_lead, role

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


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
        "reports": _finished(scope)})


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


# --- programme pages (issue 15 item 7) ----------------------------------------------------------------

def _programme_readers(
        view: Callable[Concatenate[HttpRequest, P], R]) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """The view for a programme user or a lead; 403 for anyone else signed in (force users never see these)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        if role(request.user) not in (PROGRAMME, LEAD):
            return _forbidden(request, "These pages are for programme leads.")
        return view(request, *args, **kwargs)

    return guarded


@require_GET
@_programme_readers
def programme(request: HttpRequest) -> HttpResponse:
    """Rounds (inspection years) and forces across the workspace's inspections."""
    from thematic.web.programme_pages import forces, rounds

    return render(request, "web/programme.html", {"rounds": rounds(), "forces": forces()})


@require_http_methods(["GET", "POST"])
@_programme_readers
def programme_round(request: HttpRequest, year: int) -> HttpResponse:
    """A round's inspections and its programme reports; POST produces one from the current data."""
    from thematic.web.programme_pages import produce_programme_report, round_of

    chosen = round_of(year)
    if chosen is None:
        raise Http404("no such round")

    def start(job: Job | None) -> Job | str:
        if job is None and len(chosen.inspections) < 2:
            return "A programme report compares two or more forces: this round has one inspection"
        return job or produce_programme_report(chosen, request.user.get_username())

    return _programme_page(request, chosen.scope, start, "#produce", "web/programme_round.html", {"round": chosen})


@require_http_methods(["GET", "POST"])
@_programme_readers
def programme_force(request: HttpRequest, force: str) -> HttpResponse:
    """A force's inspections by year and its comparisons; POST compares two of them."""
    from thematic.web.programme_pages import force_of, produce_comparison

    history = force_of(force)
    if history is None:
        raise Http404("no such force")

    def start(job: Job | None) -> Job | str:
        by_slug = {i.slug: i for i in history.inspections}
        before, after = by_slug.get(request.POST.get("before", "")), by_slug.get(request.POST.get("after", ""))
        if before is None or after is None or before.year >= after.year:
            return "Choose two of this force's inspections, the earlier first"
        return job or produce_comparison(before, after, request.user.get_username())

    return _programme_page(request, history.scope, start, "#compare", "web/programme_force.html",
                           {"history": history})


def _programme_page(request: HttpRequest, scope: str, start: Callable[[Job | None], Job | str], anchor: str,
                    template: str, context: dict[str, Any]) -> HttpResponse:
    """A round's or a force's page, with its reports. On POST, `start` is given the report already
    being made for `scope` (or None) and returns the job to follow (a redirect to it), or what is
    wrong with the request: the page again with that error, linked to `anchor` (400)."""
    errors = []
    if request.method == "POST":
        outcome = start(running(scope))
        if not isinstance(outcome, str):
            return HttpResponseRedirect(reverse("programme_report", args=[scope, outcome.id]))
        errors.append({"text": outcome, "href": anchor})
    return render(request, template, {**context, "running": running(scope), "errors": errors,
                                      "reports": _finished(scope)}, status=400 if errors else 200)


def _finished(scope: str) -> list[Job]:
    """The latest five reports of `scope` no longer being made (made or failed), newest first."""
    return [j for j in jobs(scope) if j.state != RUNNING][:5]


def _programme_job(scope: str, job_id: str) -> Job:
    from thematic.web.programme_pages import force_of, round_of

    kind, _, key = scope.partition("-")
    known = (round_of(int(key)) if kind == "round" and key.isdigit() else
             force_of(key) if kind == "force" else None)
    job = load_job(scope, job_id) if known is not None else None
    if job is None:
        raise Http404("no such report")
    return job


@require_GET
@_programme_readers
def programme_report(request: HttpRequest, scope: str, job: str) -> HttpResponse:
    """How a programme report or comparison is going, and its downloads once made."""
    produced = _programme_job(scope, job)
    back = reverse("programme_round", args=[int(scope.split("-", 1)[1])]) if scope.startswith("round-") else \
        reverse("programme_force", args=[scope.split("-", 1)[1]])
    return render(request, "web/programme_report.html", {"job": produced, "back": back,
                                                         "what": "programme report" if scope.startswith("round-")
                                                         else "year-on-year comparison"})


@require_GET
@_programme_readers
def programme_file(request: HttpRequest, scope: str, job: str, name: str) -> HttpResponseBase:
    """A produced programme report or comparison file (HTML, PDF) as a download."""
    path = _programme_job(scope, job).file(name)
    if path is None:
        raise Http404("no such file")
    return attachment(request, path.parent, path.name, f"{scope}-{path.name}")
