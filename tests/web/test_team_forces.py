"""Forces assess themselves (issue 15 item 6): the lead opens a self-assessment, the force scores its
own copy of the sample on the ordinary case page, the lead publishes, and the force then sees its
self-assessment beside the inspectors' results, computed by the library's `compare-assessors`.

Before publishing, nothing the inspectors entered reaches the force: each inspector plants a unique
marker in every note and grade note, and every page, download and error the force can open is
searched for it. A self-assessment never counts in the inspectors' results or their export.
"""
from __future__ import annotations

import io
import json
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from web_helpers import ROLES, SIGN_IN, World, answers_by_role, client_for, world

from thematic.cli import main
from thematic.render.output import json_text
from thematic.scoring.inspection import inspection_results as run_results
from thematic.scoring.prepare import load_inspection
from thematic.web.criteria_cache import criteria_of
from thematic.web.exporting import export_inspection
from thematic.web.models import ASSIGNED, PUBLISHED, SELF_ASSESSMENT, SUBMITTED, Assignment, Event, Inspection
from thematic.web.results import inspection_results
from thematic.web.saving import questions
from thematic.web.self_assessment import OPENED, open_self_assessment


def _form(assignment: Assignment, *, action: str, marker: str = "", answer: int = 0,
          grade: str = "requires_improvement") -> dict[str, str]:
    """Every applicable question answered (the criterion's answer at index `answer`, or its last),
    `marker` in each note and the grade note."""
    criteria = criteria_of(assignment.case.inspection)
    form = {"version": str(Assignment.objects.get(pk=assignment.pk).version), "action": action, "grade": grade}
    if marker:
        form["grade_note"] = f"grade {marker}"
    for cid in questions(assignment):
        answers = list(criteria.criterion(cid).definition.answers or {})
        form[f"answer-{cid}"] = answers[min(answer, len(answers) - 1)]
        if marker:
            form[f"note-{cid}"] = f"{cid} {marker}"
    return form


def _post(user: Any, assignment: Assignment, form: dict[str, str]) -> None:
    response = client_for(user).post(f"/assignments/{assignment.pk}", form)
    assert response.status_code == 302, response.content.decode()[:2000]


def _inspectors_score(w: World, marker: str = "", cases: int = 20) -> list[Assignment]:
    """The inspectors answer their first `cases` cases (alternating answers; the odd ones submitted)."""
    done = list(Assignment.objects.filter(case__inspection=w.inspection, kind="inspection")
                .select_related("case", "case__inspection", "scorer").order_by("case__position"))[:cases]
    for index, assignment in enumerate(done):
        _post(assignment.scorer, assignment, _form(assignment, action="submit" if index % 2 else "save",
                                                   marker=marker, answer=index % 3,
                                                   grade=("good", "requires_improvement", "inadequate")[index % 3]))
    return done


def _own(w: World) -> list[Assignment]:
    return list(Assignment.objects.filter(case__inspection=w.inspection, kind=SELF_ASSESSMENT)
                .select_related("case", "case__inspection", "scorer").order_by("case__position"))


def _force_scores(w: World, *, answer: int = 0, grade: str = "good") -> list[Assignment]:
    own = _own(w)
    for index, assignment in enumerate(own):
        _post(w.force, assignment, _form(assignment, action="submit" if index % 3 else "save", answer=answer,
                                         grade=grade if index % 4 else "requires_improvement"))
    return own


def _everything(client: Client, w: World, prefix: str = "") -> dict[str, str]:
    """What `client` gets back from every URL of the inspection (text, or each file of a .zip)."""
    slug = w.inspection.slug
    seen: dict[str, str] = {}
    urls = ["/", f"/inspections/{slug}", f"/inspections/{slug}/cases", f"/inspections/{slug}/self-assessment",
            f"/inspections/{slug}/self-assessment/comparison.json", f"/inspections/{slug}/self-assessment/report.html"]
    urls += [f"/assignments/{a.pk}" for a in Assignment.objects.filter(case__inspection=w.inspection)]
    for url in urls:
        seen[prefix + url] = client.get(url).content.decode()
    export = client.get(f"/inspections/{slug}/export")
    if export.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
            for name in archive.namelist():
                seen[f"{prefix}export:{name}"] = archive.read(name).decode()
    else:
        seen[f"{prefix}export"] = export.content.decode()
    # Error pages: a stale save, a save on someone else's assignment, an empty reopen.
    for assignment in Assignment.objects.filter(case__inspection=w.inspection)[:40]:
        stale = {"version": "0", "action": "save", "grade": "good", "grade_note": "stale attempt"}
        seen[f"{prefix}stale {assignment.pk}"] = client.post(f"/assignments/{assignment.pk}", stale).content.decode()
        seen[f"{prefix}reopen {assignment.pk}"] = client.post(f"/assignments/{assignment.pk}/reopen",
                                                              {"reason": ""}).content.decode()
    return seen


def test_the_lead_opens_the_self_assessment_and_the_force_scores_it_on_the_case_page(web_db: str) -> None:
    w = world()
    lead = client_for(w.lead)
    response = lead.post(f"/inspections/{w.inspection.slug}/self-assessment/open")
    assert response.status_code == 302
    own = _own(w)
    cases = w.inspection.cases.count()
    assert len(own) == cases and {a.scorer for a in own} == {w.force}
    assert Event.objects.filter(kind=ASSIGNED, reason=OPENED, assignment__kind=SELF_ASSESSMENT).count() == cases
    # Opening again gives nothing new: every case already has its self-assessment.
    assert lead.post(f"/inspections/{w.inspection.slug}/self-assessment/open").status_code == 302
    assert len(_own(w)) == cases

    force = client_for(w.force)
    listed = force.get(f"/inspections/{w.inspection.slug}/cases").content.decode()
    assert all(f'href="/assignments/{a.pk}"' in listed for a in own)
    assert not any(f'href="/assignments/{a.pk}"' in listed
                   for a in Assignment.objects.filter(case__inspection=w.inspection, kind="inspection"))
    first = own[0]
    page = force.get(f"/assignments/{first.pk}").content.decode()
    assert 'id="self-assessment"' in page and 'name="answer-' in page
    marker = f"FORCE{secrets.token_hex(6)}"
    _post(w.force, first, _form(first, action="submit", marker=marker))
    assert Assignment.objects.get(pk=first.pk).status == SUBMITTED
    # The lead reads it, and cannot change it; no inspector opens it.
    read = lead.get(f"/assignments/{first.pk}").content.decode()
    assert marker in read and 'name="answer-' not in read
    assert lead.post(f"/assignments/{first.pk}", _form(first, action="save")).status_code == 403
    for user in (w.insp_a, w.insp_b, w.outsider, w.other_force, w.programme):
        assert client_for(user).get(f"/assignments/{first.pk}").status_code == 404, user.username
    progress = client_for(w.force).get(f"/inspections/{w.inspection.slug}/self-assessment").content.decode()
    assert f"{cases} of {cases}: 1 submitted" in progress
    # The section lists the self-assessment's case pages: the lead reaches every one from it.
    section = lead.get(f"/inspections/{w.inspection.slug}/self-assessment").content.decode()
    assert all(f'href="/assignments/{a.pk}"' in section for a in own)
    # The lead's progress page counts the inspectors' assignments only.
    inspection_page = lead.get(f"/inspections/{w.inspection.slug}").content.decode()
    assert w.force.username not in inspection_page


def test_opening_needs_a_force_account(web_db: str) -> None:
    w = world()
    other = Inspection.objects.filter(pk=w.inspection.pk)
    other.update(force="nowhere")
    w.inspection.refresh_from_db()
    response = client_for(w.lead).post(f"/inspections/{w.inspection.slug}/self-assessment/open")
    assert response.status_code == 400 and "has no user account" in response.content.decode()
    assert not _own(w)


def test_before_publishing_nothing_of_the_inspectors_reaches_the_force(web_db: str) -> None:
    w = world()
    marker = f"MARK{secrets.token_hex(6)}"
    scored = _inspectors_score(w, marker)
    open_self_assessment(w.inspection, w.lead)
    _force_scores(w)
    # The markers are there to be found: the lead sees them, so an absence below means something.
    lead = _everything(client_for(w.lead), w)
    assert f"/assignments/{scored[0].pk}" in [k for k, v in lead.items() if marker in v]

    force = client_for(w.force)
    seen = _everything(force, w)
    assert [where for where, text in seen.items() if marker in text] == []
    slug = w.inspection.slug
    page = seen[f"/inspections/{slug}/self-assessment"]
    assert 'id="not-published"' in page and "kappa" not in page
    for url in ("comparison.json", "report.html", "report.pdf"):
        assert force.get(f"/inspections/{slug}/self-assessment/{url}").status_code == 403
    # The inspectors' assignments stay unknown to the force (404), not merely refused.
    assert all(force.get(f"/assignments/{a.pk}").status_code == 404 for a in scored)

    # Published: the comparison opens to the force; the inspectors' notes still never show.
    assert client_for(w.lead).post(f"/inspections/{slug}/publish").status_code == 302
    seen = _everything(force, w)
    assert [where for where, text in seen.items() if marker in text] == []
    page = seen[f"/inspections/{slug}/self-assessment"]
    assert 'id="criteria"' in page and 'id="not-published"' not in page
    assert json.loads(seen[f"/inspections/{slug}/self-assessment/comparison.json"])["format"] == \
        "thematic.assessor-comparison/1"
    # The other force sees none of it.
    for url in ("", "/comparison.json", "/report.html"):
        assert client_for(w.other_force).get(f"/inspections/{slug}/self-assessment{url}").status_code == 404


def test_the_self_assessment_counts_in_no_inspection_result_nor_the_inspectors_export(
        web_db: str, tmp_path: Path) -> None:
    w = world()
    _inspectors_score(w, cases=12)
    before = [r.to_json() for r in inspection_results(w.inspection)]
    export_inspection(w.inspection, tmp_path / "before")
    open_self_assessment(w.inspection, w.lead)
    _force_scores(w, answer=5, grade="inadequate")
    assert [r.to_json() for r in inspection_results(w.inspection)] == before
    export_inspection(w.inspection, tmp_path / "after")
    judgements = sorted(p.name for p in (tmp_path / "before" / "judgements").iterdir())
    assert sorted(p.name for p in (tmp_path / "after" / "judgements").iterdir()) == judgements
    for name in judgements:
        assert (tmp_path / "after" / "judgements" / name).read_bytes() == \
            (tmp_path / "before" / "judgements" / name).read_bytes()
    # The self-assessment is its own inspection file beside the inspectors', read by `thematic run`.
    own = tmp_path / "after" / "self-assessment"
    assert [p.name for p in own.iterdir()] == [f"{w.inspection.slug}-self-assessment-{w.force.username}.yaml"]
    assert not (tmp_path / "before" / "self-assessment.yaml").exists()
    assert (tmp_path / "after" / "self-assessment.yaml").is_file()
    mine = [r.to_json() for r in inspection_results(w.inspection, kind=SELF_ASSESSMENT)]
    assert mine != before  # the force's answers do score, on their own


def test_the_comparison_is_thematic_compare_assessors_on_the_export(web_db: str, tmp_path: Path) -> None:
    w = world()
    _inspectors_score(w)
    open_self_assessment(w.inspection, w.lead)
    _force_scores(w)
    slug = w.inspection.slug
    assert client_for(w.lead).post(f"/inspections/{slug}/publish").status_code == 302
    force = client_for(w.force)
    download = force.get(f"/inspections/{slug}/self-assessment/comparison.json")
    assert download.status_code == 200
    ours = json.loads(download.content)
    page = force.get(f"/inspections/{slug}/self-assessment").content.decode()
    # On the export: each inspection file's results.json as `thematic run` makes it (its library call:
    # `run` itself renders a PDF too, seconds each), then the real `thematic compare-assessors` command.
    root = tmp_path / "export"
    export_inspection(w.inspection, root)
    for name, out in (("inspection.yaml", "inspectors"), ("self-assessment.yaml", "force")):
        (tmp_path / out).mkdir()
        (tmp_path / out / "results.json").write_text(json_text(run_results(load_inspection(root / name)).to_json()),
                                                     encoding="utf-8")
    assert main(["compare-assessors", str(tmp_path / "force" / "results.json"),
                 str(tmp_path / "inspectors" / "results.json"), "-o", str(tmp_path / "comparison.json")]) == 0
    theirs = json.loads((tmp_path / "comparison.json").read_text(encoding="utf-8"))
    for side in ("force", "inspectors"):
        assert Path(theirs[side].pop("file")).name == "results.json"
        ours[side].pop("file")
    assert ours == theirs
    # The page shows the same figures: each criterion's paired cases and agreement, and the grade table.
    assert ours["criteria"] and any(c["paired"] for c in ours["criteria"])
    for row in ours["criteria"]:
        assert f'data-criterion="{row["criterion"]}"' in page
        assert f'data-raw="{row["agreed"]} of {row["paired"]}"' in page
    grade = ours["grade"]
    assert f"Of {grade['paired']} cases graded by both sides" in page
    assert grade["paired"] and grade["force_better"] + grade["same"] + grade["force_worse"] == grade["paired"]


def test_publishing_is_recorded_once_and_never_undone(web_db: str) -> None:
    w = world()
    slug = w.inspection.slug
    lead = client_for(w.lead)
    assert lead.post(f"/inspections/{slug}/publish").status_code == 302
    w.inspection.refresh_from_db()
    assert w.inspection.published_at is not None
    events = Event.objects.filter(inspection=w.inspection, kind=PUBLISHED)
    assert [e.actor_ref for e in events] == [w.lead.username]
    again = lead.post(f"/inspections/{slug}/publish")
    assert again.status_code == 400 and "already published" in again.content.decode()
    assert events.count() == 1
    page = lead.get(f"/inspections/{slug}/self-assessment").content.decode()
    assert "Publishing is not undone" in page and f"by {w.lead.username}" in page


def _opened(w: World) -> None:
    if not _own(w):
        open_self_assessment(w.inspection, w.lead)


def _published(w: World) -> None:
    _opened(w)
    Inspection.objects.filter(pk=w.inspection.pk).update(published_at=timezone.now())


def _nothing(w: World) -> None:
    pass


S = SIGN_IN
# (method, path, form, prepare, expected status per role in web_helpers.ROLES order:
#  anonymous, lead, scorer, co-inspector, other-inspector, force, other-force, programme)
MATRIX: list[tuple[str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], None], tuple[Any, ...]]] = [
    ("GET", "/inspections/{slug}/self-assessment", None, _opened, (S, 200, 403, 403, 404, 200, 404, 403)),
    ("POST", "/inspections/{slug}/self-assessment/open", None, _nothing, (S, 302, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/self-assessment/comparison.json", None, _opened,
     (S, 200, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/self-assessment/comparison.json", None, _published,
     (S, 200, 403, 403, 404, 200, 404, 403)),
    ("GET", "/inspections/{slug}/self-assessment/report.html", None, _published,
     (S, 200, 403, 403, 404, 200, 404, 403)),
    ("GET", "/inspections/{slug}/self-assessment/report.pdf", None, _opened, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/publish", None, _nothing, (S, 302, 403, 403, 404, 403, 404, 403)),
]


@pytest.mark.parametrize(("method", "path", "form", "prepare", "expected"), MATRIX,
                         ids=[f"{m} {p} {prep.__name__}" for m, p, _, prep, _ in MATRIX])
def test_every_forces_url_as_every_role(web_db: str, method: str, path: str,
                                        form: Callable[[World], dict[str, Any]] | None,
                                        prepare: Callable[[World], None], expected: tuple[Any, ...]) -> None:
    w = world()
    url = path.format(slug=w.inspection.slug, own=w.own.pk)
    answers = answers_by_role(w, method, url, form, prepare)
    assert answers == dict(zip(ROLES, expected, strict=True))


def test_a_forces_own_case_page_follows_the_matrix(web_db: str) -> None:
    """The force's self-assessment assignment: its scorer saves; the lead reads; no one else opens it."""
    w = world()
    open_self_assessment(w.inspection, w.lead)
    own = _own(w)[0]
    expected = {"anonymous": S, "lead": 200, "scorer": 404, "co-inspector": 404, "other-inspector": 404,
                "force": 200, "other-force": 404, "programme": 404}
    assert answers_by_role(w, "GET", f"/assignments/{own.pk}", None, _nothing) == expected
    save = answers_by_role(w, "POST", f"/assignments/{own.pk}",
                           lambda w: {"version": str(Assignment.objects.get(pk=own.pk).version), "action": "save",
                                      "grade": "good"}, _nothing)
    assert save == {**expected, "lead": 403, "force": 302}
