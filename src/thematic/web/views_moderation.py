"""The moderation and agreement pages of an inspection (issue 15 items 3 and 4).

Who may open them: the lead and the inspection's named moderators; another user who may see the
inspection gets 403, anyone else 404 (`visibility.inspection_or_404` first, so an id tells nothing).
The queue and its decisions are `thematic.web.moderation`; the figures are the library's agreement
code through `thematic.web.agreement_page`. Nothing here decides what is a disagreement or computes
a statistic.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thematic.web.chronology import chronology
from thematic.web.criteria_cache import case_model, criteria_of
from thematic.web.entries import Entries
from thematic.web.models import Case, Inspection
from thematic.web.moderation import (
    CaseQueue,
    DecisionError,
    Disagreement,
    decide,
    inspectors_of,
    open_count,
    queue,
    set_moderator,
)
from thematic.web.results import score_entries
from thematic.web.saving import GRADE_LABELS, NotAllowed
from thematic.web.views import STATE_LABELS, STATE_TAGS
from thematic.web.visibility import inspection_or_404, is_lead, is_moderator, may_moderate, may_see_sides

if TYPE_CHECKING:
    from thematic.render.sections import AgreementRow

GRADE_ITEM = "grade"


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseForbidden(render(request, "web/forbidden.html", {"message": message}).content)


def _moderating(request: HttpRequest, slug: str) -> tuple[Inspection, HttpResponse | None]:
    """The inspection, and a 403 page when the user may see it but not moderate it (404 raised first)."""
    found = inspection_or_404(request.user, slug)
    if not may_moderate(request.user, found):
        return found, _forbidden(request, "This page is for the inspection's lead and its named moderators.")
    return found, None


def _label(item: str, value: str) -> str:
    if item == GRADE_ITEM:
        return GRADE_LABELS.get(value, value)
    return value.replace("_", " ").capitalize()


def _evidence(inspection: Inspection, row: Case) -> list[dict[str, Any]]:
    """The case's automatic criteria with their state and evidence, as the case page shows them."""
    result = score_entries(inspection, row, Entries(), "")  # automatic results do not depend on answers
    shown = []
    for c in criteria_of(inspection).criteria:
        if c.definition.type != "automatic" or result.results[c.id].state == "not_applicable":
            continue
        state = result.results[c.id].state
        shown.append({"id": c.id, "state": STATE_LABELS[state], "tag": STATE_TAGS[state], "state_id": state,
                      "evidence": result.results[c.id].evidence})
    return shown


def _when(iso: str) -> str:
    at = parse_datetime(iso) if iso else None
    return timezone.localtime(at).strftime("%-d %b %Y %H:%M") if at else ""


def _entry(d: Disagreement, scored: bool, form: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """One disagreement as the template shows it: both sides, any decision, and its form."""
    mine = form.get("key") == d.key  # the posted form, kept on an error
    # Not decided yet, and the scorers gave the same grade (they differ on "referred back" only): start there.
    agreed = {s.answer for s in d.sides}
    start = d.decision.value if d.decision else (agreed.pop() if len(agreed) == 1 else "")
    chosen = form.get("value", "") if mine else start
    referred = (form.get("referred_back") == "yes") if mine else bool(d.decision and d.decision.referred_back)
    return {
        "key": d.key, "case_pk": d.case.pk, "item": d.item, "is_grade": d.item == GRADE_ITEM,
        "title": "Grade" if d.item == GRADE_ITEM else d.item, "question": d.question,
        "differs_on": " and ".join(d.differs_on),
        "sides": [{"scorer": s.scorer, "answer": _label(d.item, s.answer), "note": s.note,
                   "referred_back": "Yes" if s.referred_back else "No"} for s in d.sides],
        "answers": [{"value": a, "label": _label(d.item, a), "checked": a == chosen} for a in d.answers],
        "referred_back": referred, "reason": form.get("reason", "") if mine else "",
        "decision": ({"answer": _label(d.item, d.decision.value), "by": d.decision.by, "reason": d.decision.reason,
                      "referred_back": d.decision.referred_back, "at": _when(d.decided_at)}
                     if d.decision else None),
        "may_decide": not scored, "value_error": errors.get("value") if mine else None,
        "reason_error": errors.get("reason") if mine else None,
    }


def _queue_context(request: HttpRequest, found: Inspection, *, form: dict[str, str] | None = None,
                   errors: dict[str, str] | None = None, page_errors: list[dict[str, str]] | None = None
                   ) -> dict[str, Any]:
    user = request.user
    form, errors = form or {}, errors or {}
    lead = is_lead(user)
    cases: list[CaseQueue] = queue(found)
    open_cases: list[dict[str, Any]] = []
    decided_cases: list[dict[str, Any]] = []
    cases = [entry for entry in cases if may_see_sides(user, entry.case)]  # the one visibility rule, asked
    for entry in cases:
        # A moderator never settles a case they scored themselves (the lead scores none).
        scored = not lead and user.username in entry.scorers
        rows = [_entry(d, scored, form, errors) for d in entry.disagreements]
        common = {"case": entry.case, "category": entry.case.category.replace("_", " "),
                  "scorers": ", ".join(entry.scorers), "scored": scored}
        waiting = [r for r in rows if r["decision"] is None]
        done = [r for r in rows if r["decision"] is not None]
        if waiting:
            open_cases.append({**common, "entries": waiting, "evidence": _evidence(found, entry.case),
                               "chronology": chronology(case_model(entry.case))})
        if done:
            decided_cases.append({**common, "entries": done})
    error_list = list(page_errors or [])
    if errors and form.get("key"):
        error_list += [{"text": text, "href": f"#{field}-{form['key']}"} for field, text in errors.items()]
    members = [{"name": m.user.username, "moderator": m.moderator} for m in inspectors_of(found)] if lead else []
    return {"inspection": found, "open_cases": open_cases, "decided_cases": decided_cases,
            "open": open_count(cases), "decided": sum(len(c["entries"]) for c in decided_cases),
            "errors": error_list, "lead": lead, "members": members, "done": request.GET.get("done", ""),
            "moderator": is_moderator(user, found)}


@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest, inspection: str) -> HttpResponse:
    """The queue of disagreements, and recording a decision on one (POST)."""
    found, refused = _moderating(request, inspection)
    if refused is not None:
        return refused
    if request.method == "GET":
        return render(request, "web/moderation.html", _queue_context(request, found))
    user = request.user
    assert isinstance(user, User)
    form = {key: str(request.POST.get(key, "")) for key in ("case", "item", "value", "referred_back", "reason")}
    row = Case.objects.filter(inspection=found, pk=form["case"]).first() if form["case"].isdigit() else None
    if row is None:
        raise Http404("no such case")
    form["key"] = f"{row.pk}-{form['item']}"
    try:
        decide(row, form["item"], form["value"], form["referred_back"] == "yes", form["reason"], user)
    except NotAllowed as exc:
        return _forbidden(request, str(exc))
    except DecisionError as exc:
        context = _queue_context(request, found, form=form, errors=exc.errors)
        return render(request, "web/moderation.html", context, status=400)
    target = reverse("moderation", args=[found.slug])
    return HttpResponseRedirect(f"{target}?done=decided-{row.case_id}")


@require_POST
def moderators(request: HttpRequest, inspection: str) -> HttpResponse:
    """The lead names or removes a moderator among the inspection's inspectors."""
    found = inspection_or_404(request.user, inspection)
    lead = request.user
    if not is_lead(lead):
        return _forbidden(request, "Only the inspection's lead names moderators.")
    assert isinstance(lead, User)
    name = request.POST.get("moderator", "")
    named = request.POST.get("action") == "name"
    try:
        set_moderator(found, name, named, lead)
    except DecisionError as exc:
        context = _queue_context(request, found, page_errors=[{"text": text, "href": "#moderators"}
                                                              for text in exc.errors.values()])
        return render(request, "web/moderation.html", context, status=400)
    target = reverse("moderation", args=[found.slug])
    return HttpResponseRedirect(f"{target}?done={'named' if named else 'removed'}-{name}#moderators")


def _figures(row: AgreementRow) -> dict[str, str]:
    """The row's numbers unrounded, for machine reading (data- attributes): repr, or "" for none."""
    values = {"double": row.double_scored.value, "agreed": row.raw.met.value, "raw": row.raw.rate,
              "raw-low": row.raw.ci_low, "raw-high": row.raw.ci_high, "kappa": row.kappa.value,
              "alpha": row.alpha.value, "ac1": row.ac1.value}
    return {name: "" if value is None else repr(value) for name, value in values.items()}


@require_GET
def agreement(request: HttpRequest, inspection: str) -> HttpResponse:
    """Agreement between the inspectors on the submitted double scoring, from the library."""
    from thematic.render.context import question_text
    from thematic.web.agreement_page import agreement_of, agreement_view

    found, refused = _moderating(request, inspection)
    if refused is not None:
        return refused
    result = agreement_of(found)
    questions = {c.id: question_text(c.definition.question, found.parameters) for c in criteria_of(found).criteria}
    section = agreement_view(result, questions)
    # The section's rows are the items with a double-scored case, in the same order: pair each with its id.
    scored = [i.item for i in result.items if i.cases_double_scored > 0]
    rows = list(zip(scored, section.rows, strict=True)) if section else []
    return render(request, "web/agreement.html", {
        "inspection": found, "section": section,
        "rows": [{"id": item, "row": row, "figures": _figures(row)} for item, row in rows],
        "open": result.open_disagreements, "disagreements": len(result.moderation),
        "lead": is_lead(request.user)})
