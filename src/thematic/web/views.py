"""The workspace's pages. Each asks `thematic.web.visibility` what the user may see, and calls the
library (through `results`, `saving`, `importing`) for everything else; nothing here scores.

Forms post back to their own page; errors are shown with GOV.UK's error-summary pattern. Every page
works without JavaScript.
"""
from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thematic.core.errors import InputError
from thematic.model.results import NOT_APPLICABLE, STATES
from thematic.render.context import question_text
from thematic.web.chronology import chronology, undated
from thematic.web.criteria_cache import case_model, criteria_of
from thematic.web.entries import Entries, current
from thematic.web.models import (
    FORCE,
    GRADE,
    INSPECTION_KIND,
    INSPECTOR,
    LEAD,
    ROLES,
    SELF_ASSESSMENT,
    STATUS_LABELS,
    Assignment,
    Case,
    Event,
    Inspection,
    InspectionMember,
    Membership,
    SignInFailure,
)
from thematic.web.results import score_entries
from thematic.web.saving import (
    GRADE_LABELS,
    GRADES,
    NotAllowed,
    VersionConflict,
    assign,
    questions,
    read_form,
    reopen,
    save,
)
from thematic.web.visibility import (
    assignment_or_404,
    inspection_or_404,
    is_lead,
    may_edit,
    may_see_entries,
    role,
    visible_inspections,
    visible_of_case,
)

STATE_LABELS = {state: state.replace("_", " ").capitalize() for state in STATES}
STATE_TAGS = {"met": "govuk-tag--green", "not_met": "govuk-tag--red", "not_evidenced": "govuk-tag--orange",
              "not_applicable": "govuk-tag--grey", "unable_to_assess": "govuk-tag--yellow",
              "pending": "govuk-tag--blue", "error": "govuk-tag--red"}
STATUS_TAGS = {"not_started": "govuk-tag--grey", "in_progress": "govuk-tag--blue", "submitted": "govuk-tag--green"}
KIND_LABELS = {"answer": "Answer", "note": "Note", "grade": "Grade", "referred_back": "Referred back",
               "grade_note": "Grade note", "status": "Status", "assigned": "Assigned", "imported": "Imported",
               "moderation": "Moderated", "published": "Published"}


# --- signing in and out -------------------------------------------------------------------------

@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Up and able to answer: nothing else about the system."""
    return HttpResponse("ok", content_type="text/plain")


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _throttled(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_WINDOW_SECONDS)
    recent = SignInFailure.objects.filter(at__gte=since)
    limit = settings.SIGN_IN_FAILURES
    return (recent.filter(username=username).count() >= limit
            or recent.filter(address=address).count() >= limit * 4)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = ""
    errors: list[dict[str, str]] = []
    username = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        password = request.POST.get("password", "")
        address = _address(request)
        if not username or not password:
            if not username:
                errors.append({"text": "Enter your user name", "href": "#username"})
            if not password:
                errors.append({"text": "Enter your password", "href": "#password"})
            status = 400
        elif _throttled(username, address):
            minutes = settings.SIGN_IN_WINDOW_SECONDS // 60
            errors.append({"text": f"Too many failed attempts. Wait {minutes} minutes and try again.",
                           "href": "#username"})
            status = 429
        else:
            user = authenticate(request, username=username, password=password)
            if user is not None and Membership.objects.filter(user_id=user.pk).exists():
                SignInFailure.objects.filter(username=username).delete()
                login(request, user)
                return HttpResponseRedirect(next_url or reverse("home"))
            SignInFailure.objects.create(username=username, address=address)
            # Failures older than the window count for nothing: keep the table small.
            SignInFailure.objects.filter(
                at__lt=timezone.now() - timedelta(seconds=settings.SIGN_IN_WINDOW_SECONDS)).delete()
            errors.append({"text": "The user name or password is not right", "href": "#username"})
            status = 400
    return render(request, "web/sign_in.html", {"errors": errors, "username": username, "next": next_url},
                  status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("sign_in"))


# --- inspections and cases ----------------------------------------------------------------------

@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    inspections = list(visible_inspections(user))
    mine = dict(Assignment.objects.filter(scorer_id=user.pk).values_list("case__inspection_id")
                .annotate(n=Count("id")).values_list("case__inspection_id", "n"))
    moderating = set(InspectionMember.objects.filter(user_id=user.pk or 0, moderator=True)  # anonymous: none
                     .values_list("inspection_id", flat=True))
    rows = [{"inspection": i, "assigned": mine.get(i.pk, 0), "moderator": i.pk in moderating} for i in inspections]
    who = role(user)
    return render(request, "web/home.html", {"rows": rows, "lead": who == LEAD, "role": who,
                                             "moderating": any(row["moderator"] for row in rows),
                                             "self_assessment": who in (LEAD, FORCE)})


@require_GET
def my_cases(request: HttpRequest, inspection: str) -> HttpResponse:
    user = request.user
    found = inspection_or_404(user, inspection)
    status = request.GET.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    assignments = Assignment.objects.filter(case__inspection=found, scorer_id=user.pk).select_related("case")
    counts = {s: 0 for s in STATUS_LABELS}
    for value in assignments.values_list("status", flat=True):
        counts[value] += 1
    if status:
        assignments = assignments.filter(status=status)
    rows = [{"assignment": a, "status": STATUS_LABELS[a.status], "tag": STATUS_TAGS[a.status],
             "category": a.case.category.replace("_", " ")} for a in assignments]
    filters = [{"value": "", "label": "All", "checked": not status}] + [
        {"value": s, "label": f"{label} ({counts[s]})", "checked": status == s} for s, label in STATUS_LABELS.items()]
    return render(request, "web/my_cases.html", {"inspection": found, "rows": rows, "filters": filters,
                                                 "lead": is_lead(user), "status": status,
                                                 "force": role(user) == FORCE})


def _question_rows(assignment: Assignment, entries: Entries | None, errors: dict[str, str]) -> list[dict[str, Any]]:
    criteria = criteria_of(assignment.case.inspection)
    rows = []
    for cid in questions(assignment):
        definition = criteria.criterion(cid).definition
        chosen = entries.answers.get(cid) if entries else None
        rows.append({
            "id": cid, "question": _question(definition.question, assignment.case.inspection.parameters),
            "guidance": definition.note or "",
            "answers": [{"value": value, "label": value.replace("_", " ").capitalize(), "checked": value == chosen}
                        for value in (definition.answers or {})],
            "note": (entries.notes.get(cid, "") if entries else ""),
            "error": errors.get(f"answer-{cid}") or errors.get(f"note-{cid}"),
        })
    return rows


def _question(question: str, parameters: dict[str, Any]) -> str:
    """The question as the report words it; worked out once per process for each question and parameters."""
    return _worded(question, json.dumps(parameters, sort_keys=True))


@lru_cache(maxsize=4096)
def _worded(question: str, parameters: str) -> str:
    return question_text(question, json.loads(parameters))


def _history(assignment: Assignment, see_entries: bool) -> list[dict[str, Any]]:
    rows = []
    for event in Event.objects.filter(assignment=assignment).order_by("-id")[:200]:
        hidden = not see_entries and event.kind not in ("status", "assigned")
        rows.append({"at": timezone.localtime(event.at).strftime("%-d %b %Y %H:%M:%S"), "who": event.actor_ref,
                     "what": KIND_LABELS.get(event.kind, event.kind) + (f" {event.item}" if event.item and
                                                                        event.item != GRADE else ""),
                     "before": "(hidden)" if hidden else (event.before or "–"),
                     "after": "(hidden)" if hidden else (event.after or "–"),
                     "reason": event.reason, "version": event.version})
    return rows


def _case_context(request: HttpRequest, assignment: Assignment, shown: Entries | None, *,
                  errors: dict[str, str] | None = None, conflict: dict[str, Any] | None = None,
                  version: int | None = None) -> dict[str, Any]:
    user = request.user
    errors = errors or {}
    inspection = assignment.case.inspection
    case = case_model(assignment.case)
    see = may_see_entries(user, assignment)
    stored = current(assignment) if see else Entries()
    entries = shown if shown is not None else stored
    result = score_entries(inspection, assignment.case, stored, assignment.scorer.username)
    criteria = criteria_of(inspection)
    automatic = [{"id": c.id, "question": _question(c.definition.question, inspection.parameters),
                  "state": STATE_LABELS[result.results[c.id].state],
                  "tag": STATE_TAGS[result.results[c.id].state], "evidence": result.results[c.id].evidence,
                  "state_id": result.results[c.id].state}
                 for c in criteria.criteria if c.definition.type == "automatic"]
    child = case.child
    summary = [("Case", case.case_id), ("Category", case.category.replace("_", " ")),
               ("Child", f"{child.ref}, aged {child.age}" + (f", sex {child.sex}" if child.sex else "")),
               ("Looked after", "yes" if child.looked_after else "no"), ("Plan", child.plan.replace("_", " ")),
               ("Reported", timezone.localtime(case.reported_at).strftime("%-d %b %Y %H:%M")),
               ("Scorer", assignment.scorer.username), ("Status", STATUS_LABELS[assignment.status])]
    error_list = [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
    return {
        "assignment": assignment, "inspection": inspection, "summary": summary,
        "chronology": chronology(case), "undated": undated(case),
        "automatic": [c for c in automatic if c["state_id"] != NOT_APPLICABLE],
        "not_applicable": [c for c in automatic if c["state_id"] == NOT_APPLICABLE],
        "questions": _question_rows(assignment, entries if see else None, errors),
        "grades": [{"value": g, "label": GRADE_LABELS[g], "checked": entries.grade == g} for g in GRADES],
        "entries": entries, "see": see, "editable": may_edit(user, assignment),
        "suggested": GRADE_LABELS.get(result.suggested_grade, result.suggested_grade),
        "suggested_id": result.suggested_grade,
        "provisional": result.provisional, "data_quality": result.data_quality,
        "history": _history(assignment, see), "errors": error_list, "field_errors": errors,
        "status_tag": STATUS_TAGS[assignment.status], "status": STATUS_LABELS[assignment.status],
        "lead": is_lead(user), "conflict": conflict,
        "version": assignment.version if version is None else version,
        # A self-assessment stands alone: nothing about the inspectors' scoring of the case shows on it.
        "self_assessment": assignment.kind == SELF_ASSESSMENT,
        "double_scored": assignment.case.double_scored and assignment.kind == INSPECTION_KIND,
        "others": _other_scorers(user, assignment),
    }


def _other_scorers(user: Any, assignment: Assignment) -> list[dict[str, Any]]:
    """The case's other scorers' assignments this user may open, and whether their entries show yet."""
    if not assignment.case.double_scored or assignment.kind != INSPECTION_KIND:
        return []
    # One query for the case's assignments; visibility decides on them without asking again.
    rows = list(Assignment.objects.filter(case_id=assignment.case_id).select_related("scorer"))
    for row in rows:
        row.case = assignment.case
    scorings = [a for a in rows if a.kind == INSPECTION_KIND]
    return [{"pk": a.pk, "scorer": a.scorer.username, "see": may_see_entries(user, a, scorings=scorings)}
            for a in visible_of_case(user, assignment, rows) if a.pk != assignment.pk]


def _conflict_rows(mine: Entries, theirs: Entries) -> list[dict[str, str]]:
    rows = []
    a, b = mine.as_items(), theirs.as_items()
    for key in dict.fromkeys([*b, *a]):
        if (a.get(key) or None) != (b.get(key) or None):
            kind, item = key
            rows.append({"what": KIND_LABELS.get(kind, kind) + ("" if item == GRADE else f" {item}"),
                         "mine": a.get(key) or "–", "theirs": b.get(key) or "–"})
    return rows


@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = assignment_or_404(user, pk)
    if request.method == "GET":
        return render(request, "web/case.html", _case_context(request, assignment, None))
    if not may_edit(user, assignment):
        return HttpResponseForbidden(render(request, "web/forbidden.html", {
            "message": "Only the inspector it is assigned to can change this case, and only until it is submitted."
        }).content)
    assert isinstance(user, User)
    submitting = request.POST.get("action") == "submit"
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    form = {key: str(value) for key, value in request.POST.items()}
    checked = read_form(form, criteria_of(assignment.case.inspection), questions(assignment), submitting=submitting)
    if checked.errors:
        return render(request, "web/case.html", _case_context(request, assignment, checked.entries,
                                                              errors=checked.errors, version=version), status=400)
    try:
        save(assignment, user, checked.entries, version=version, submit=submitting)
    except VersionConflict as exc:
        conflict = {"by": exc.by, "version": exc.version, "rows": _conflict_rows(checked.entries, exc.stored)}
        # The form keeps what this person typed, now on the newer version: saving again is a choice.
        return render(request, "web/case.html", _case_context(request, assignment, checked.entries,
                                                              conflict=conflict, version=exc.version), status=409)
    except NotAllowed as exc:
        return HttpResponseForbidden(render(request, "web/forbidden.html", {"message": str(exc)}).content)
    target = reverse("case", args=[assignment.pk])
    return HttpResponseRedirect(f"{target}?saved={'submitted' if submitting else 'draft'}")


@require_POST
def reopen_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assignment = assignment_or_404(user, pk)
    if not is_lead(user):
        return HttpResponseForbidden(render(request, "web/forbidden.html", {"message": "Only a lead reopens a case."}
                                            ).content)
    assert isinstance(user, User)
    try:
        reopen(assignment, user, request.POST.get("reason", ""))
    except ValueError as exc:
        context = _case_context(request, assignment, None, errors={"reason": str(exc)})
        return render(request, "web/case.html", context, status=400)
    except NotAllowed as exc:
        context = _case_context(request, assignment, None, errors={"reason": str(exc)})
        return render(request, "web/case.html", context, status=409)
    return HttpResponseRedirect(reverse("case", args=[assignment.pk]) + "?saved=reopened")


# --- a lead's pages -----------------------------------------------------------------------------

def _lead_only(request: HttpRequest) -> HttpResponse | None:
    if not is_lead(request.user):
        return HttpResponseForbidden(render(request, "web/forbidden.html",
                                            {"message": "This page is for the inspection's lead."}).content)
    return None


def _inspection_context(request: HttpRequest, slug: str, errors: list[dict[str, str]] | None = None,
                        done: str = "") -> dict[str, Any]:
    found = inspection_or_404(request.user, slug)
    # The inspectors' work only: a force's self-assessment has its own section (views_forces).
    progress = (Assignment.objects.filter(case__inspection=found, kind=INSPECTION_KIND).values("scorer__username")
                .annotate(total=Count("id"), not_started=Count("id", filter=Q(status="not_started")),
                          in_progress=Count("id", filter=Q(status="in_progress")),
                          submitted=Count("id", filter=Q(status="submitted"))).order_by("scorer__username"))
    cases = (Case.objects.filter(inspection=found).order_by("position")
             .prefetch_related(Prefetch("assignments", to_attr="inspectors",
                                        queryset=Assignment.objects.filter(kind=INSPECTION_KIND)
                                        .select_related("scorer"))))
    rows = [{"case": c, "category": c.category.replace("_", " "),
             "assignments": [{"pk": a.pk, "scorer": a.scorer.username, "status": STATUS_LABELS[a.status],
                              "tag": STATUS_TAGS[a.status]} for a in c.inspectors]} for c in cases]
    inspectors = (User.objects.filter(membership__role=INSPECTOR).order_by("username")
                  .values_list("username", flat=True))
    return {"inspection": found, "progress": list(progress), "rows": rows, "inspectors": list(inspectors),
            "errors": errors or [], "done": done, "unassigned": sum(1 for r in rows if not r["assignments"]),
            "double_scored": sum(1 for c in cases if c.double_scored), "form": request.POST}


@require_GET
def inspection(request: HttpRequest, inspection: str) -> HttpResponse:
    refused = _lead_only(request)
    if refused is not None:
        inspection_or_404(request.user, inspection)  # 404 first: an id never tells what exists
        return refused
    return render(request, "web/inspection.html", _inspection_context(request, inspection,
                                                                      done=request.GET.get("done", "")))


@require_POST
def assign_cases(request: HttpRequest, inspection: str) -> HttpResponse:
    found = inspection_or_404(request.user, inspection)
    refused = _lead_only(request)
    if refused is not None:
        return refused
    lead = request.user
    assert isinstance(lead, User)
    errors: list[dict[str, str]] = []
    scorer = User.objects.filter(username=request.POST.get("scorer", ""), membership__role=INSPECTOR).first()
    if scorer is None:
        errors.append({"text": "Choose an inspector", "href": "#scorer"})
    ids = [value for value in request.POST.getlist("case") if value.isdigit()]
    chosen = list(Case.objects.filter(inspection=found, pk__in=ids))
    if not chosen:
        errors.append({"text": "Select at least one case", "href": "#cases"})
    if not errors and scorer is not None:
        problems = assign(chosen, scorer, lead)
        errors += [{"text": text, "href": "#cases"} for text in problems]
        if not problems:
            return HttpResponseRedirect(reverse("inspection", args=[found.slug]) + f"?done=assigned-{len(chosen)}")
    return render(request, "web/inspection.html", _inspection_context(request, inspection, errors), status=400)


def _bulk(request: HttpRequest, inspection: str, field: str,
          act: Callable[[Inspection, list[User], User], str]) -> HttpResponse:
    """A lead's bulk assignment form: the chosen inspectors (`field`), then `act`; errors on the page."""
    from thematic.web.assigning import AssigningError, inspectors_named

    found = inspection_or_404(request.user, inspection)
    refused = _lead_only(request)
    if refused is not None:
        return refused
    lead = request.user
    assert isinstance(lead, User)
    try:
        done = act(found, inspectors_named(request.POST.getlist(field)), lead)
    except AssigningError as exc:
        errors = [{"text": str(exc), "href": f"#{field}"}]
        return render(request, "web/inspection.html", _inspection_context(request, inspection, errors), status=400)
    return HttpResponseRedirect(reverse("inspection", args=[found.slug]) + f"?done={done}")


@require_POST
def spread_cases(request: HttpRequest, inspection: str) -> HttpResponse:
    """Spread every unassigned case evenly across the chosen inspectors."""
    from thematic.web.assigning import spread_evenly

    def act(found: Inspection, inspectors: list[User], lead: User) -> str:
        return f"spread-{len(spread_evenly(found, inspectors, lead))}"

    return _bulk(request, inspection, "spread-inspector", act)


@require_POST
def double_score_cases(request: HttpRequest, inspection: str) -> HttpResponse:
    """Draw a share of cases to double-score (stratified by category, from a seed) and give each a second
    inspector."""
    from thematic.web.assigning import AssigningError, double_score

    def act(found: Inspection, inspectors: list[User], lead: User) -> str:
        try:
            share = float(request.POST.get("share", "").strip().rstrip("%"))
        except ValueError:
            raise AssigningError("Enter the share of cases to double-score as a percentage, like 20") from None
        seed_text = request.POST.get("seed", "").strip()
        if not seed_text.isdigit():
            raise AssigningError("Enter the seed as a whole number of 0 or more, like 2019")
        result = double_score(found, share, int(seed_text), inspectors, lead)
        return f"double-{len(result.drawn)}"

    return _bulk(request, inspection, "double-inspector", act)


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    refused = _lead_only(request)
    if refused is not None:
        return refused
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        upload = request.FILES.get("archive")
        if upload is None:
            errors.append({"text": "Choose a .zip file holding the inspection", "href": "#archive"})
        else:
            lead = request.user
            assert isinstance(lead, User)
            try:
                slug = _import_archive(upload.read(), lead)
            except InputError as exc:
                errors += [{"text": str(p), "href": "#archive"} for p in exc.problems]
            else:
                return HttpResponseRedirect(reverse("inspection", args=[slug]) + "?done=imported")
    return render(request, "web/import.html", {"errors": errors}, status=400 if errors else 200)


MAX_ARCHIVE_FILES = 5000
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024


def _import_archive(data: bytes, lead: User) -> str:
    """Unpack an uploaded zip into a temporary folder and import the one inspection file at its top."""
    import io

    from thematic.web.importing import import_inspection

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError.single("archive", "is not a .zip file") from None
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_FILES or sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
        raise InputError.single("archive", "is too large to import here; use thematic web import")
    with tempfile.TemporaryDirectory(prefix="thematic-import-") as folder:
        try:
            archive.extractall(folder)  # extractall drops absolute paths and ".." components
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError.single("archive", f"is damaged and cannot be unpacked ({exc})") from None
        top = _inspection_files(Path(folder))
        if len(top) != 1:
            raise InputError.single("archive", "expected exactly one inspection file (a .yaml file with an "
                                               "`inspection:` key) at the top of the .zip")
        try:
            imported = import_inspection(top[0], actor=lead)
        except InputError as exc:
            # Name files as they are in the archive, not in the temporary folder.
            raise InputError([type(p)(p.file.replace(folder + "/", ""), p.message, p.line, p.field)
                              for p in exc.problems]) from None
    return imported.slug


@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """A lead's list of accounts, and adding one (its one-time password shown once)."""
    from thematic.web.accounts import add_user

    refused = _lead_only(request)
    if refused is not None:
        return refused
    errors: list[dict[str, str]] = []
    added: dict[str, str] | None = None
    form = {"name": "", "role": "inspector", "force": ""}
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        try:
            user, password = add_user(form["name"], form["role"], force=form["force"] or None)
        except InputError as exc:
            anchors = {"NAME": "#name", "--role": "#role", "--force": "#force"}
            errors = [{"text": p.message, "href": anchors.get(p.field or "", "#name")} for p in exc.problems]
        else:
            added = {"name": user.username, "role": form["role"], "password": password}
            form = {"name": "", "role": "inspector", "force": ""}
    rows = Membership.objects.select_related("user").order_by("user__username")
    return render(request, "web/accounts.html", {"rows": rows, "errors": errors, "added": added, "form": form,
                                                 "roles": ROLES,
                                                 "lead": True}, status=400 if errors else 200)


@require_GET
def export_download(request: HttpRequest, inspection: str) -> HttpResponse:
    """The export `thematic web export` writes, as a .zip for a lead to download."""
    import io

    from thematic.web.exporting import export_inspection

    found = inspection_or_404(request.user, inspection)
    refused = _lead_only(request)
    if refused is not None:
        return refused
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="thematic-export-") as folder:
        root = Path(folder) / found.slug
        export_inspection(found, root, viewer=request.user)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, str(path.relative_to(Path(folder))))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}-export.zip"'
    return response


def _inspection_files(folder: Path) -> list[Path]:
    """The top-level YAML files of an unpacked archive that are inspection files (a criteria file may sit beside)."""
    from thematic.load.yaml_source import read_text

    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            text = read_text(path)
            if any(line.startswith("inspection:") for line in text.splitlines()):
                found.append(path)
    return found


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)
