"""Live findings and the force report from the workspace (issue 15 item 5).

The findings page's figures are the library's: they must equal what `thematic run` makes of the lead's
export of the same data, change as inspectors save and submit, leave a blind double-scored case's
entries out until both have submitted, and the report button must produce the real report (HTML and
a PDF that WeasyPrint made) in the background while other requests are served.
"""
from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from web_helpers import (
    ROLES,
    SIGN_IN,
    World,
    answers_by_role,
    client_for,
    finished_job,
    lead_export_results,
    nothing,
    wait_for_job,
    world,
)

from thematic.render.context import force_report_context
from thematic.web.criteria_cache import criteria_of
from thematic.web.findings import live_findings
from thematic.web.models import REPORT, Assignment, Case, Event
from thematic.web.report_jobs import DONE, FAILED, RUNNING, inspection_scope, load_job, scope_folder, start
from thematic.web.saving import questions

REPORT_SECONDS = 300  # at most, for a force report made in the background


def _form(assignment: Assignment, action: str, answer: str = "no", grade: str = "inadequate") -> dict[str, str]:
    """Every question of the case answered `answer` (where the criteria allow it) and graded `grade`."""
    criteria = criteria_of(assignment.case.inspection)
    form = {"version": str(Assignment.objects.get(pk=assignment.pk).version), "action": action, "grade": grade}
    for cid in questions(assignment):
        allowed = list(criteria.criterion(cid).definition.answers or {})
        form[f"answer-{cid}"] = answer if answer in allowed else allowed[0]
    return form


def _submit(w: World, assignment: Assignment, **kwargs: str) -> None:
    client = client_for(assignment.scorer)
    response = client.post(f"/assignments/{assignment.pk}", _form(assignment, "submit", **kwargs))
    assert response.status_code == 302, response.content.decode()[:2000]


def _page(w: World) -> str:
    response = client_for(w.lead).get(f"/inspections/{w.inspection.slug}/findings")
    assert response.status_code == 200
    return response.content.decode()


def _figures(page: str) -> dict[str, str]:
    """Each theme's and criterion's figure as the page prints it."""
    cells = re.findall(r'data-(?:theme|criterion)="([A-Za-z0-9_-]+)">([^<]*)', page)
    return dict(cells)


def test_the_findings_equal_thematic_run_on_the_export_and_are_formatted_as_the_report(
        web_db: str, tmp_path: Path) -> None:
    w = world()
    _submit(w, w.own)
    second = Assignment.objects.filter(scorer=w.insp_b).order_by("case__position").first()
    assert second is not None
    client_for(w.insp_b).post(f"/assignments/{second.pk}", _form(second, "save", answer="yes", grade="good"))
    found = live_findings(w.inspection)
    run = lead_export_results(w, w.inspection, tmp_path / "export")
    assert found.document.to_json()["summary"] == run.to_json()["summary"]
    assert found.document.to_json()["cases"] == run.to_json()["cases"]
    # The page prints the report's own view data of the run's document: every theme's "n of N", rate
    # and interval, and every criterion's.
    report = force_report_context(run, criteria_of(w.inspection))
    page = _page(w)
    figures = _figures(page)
    for key in report.key_findings:
        rate = key.theme.rate
        assert figures[key.theme.id].startswith(rate.n_of_n)
        if rate.has_rate:
            assert f"{rate.percent} (95% interval {rate.interval})" in figures[key.theme.id]
        assert key.weakest_text in _unescaped(page)
        for row in key.theme.criteria:
            assert figures[row.id].startswith(row.rate.sentence.split(" (")[0])
    for row in report.grades.rows:
        assert row.inspector.sentence in _unescaped(page)
    if web_db == "sqlite":  # the real command, once: its results.json holds the same summary
        done = subprocess.run([sys.executable, "-m", "thematic", "run", str(tmp_path / "export" / "inspection.yaml"),
                               "-o", str(tmp_path / "run")], capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads((tmp_path / "run" / "results.json").read_text())["summary"] == run.to_json()["summary"]


def _unescaped(page: str) -> str:
    import html

    return html.unescape(page)


def test_the_findings_change_after_a_save_and_a_submit_and_count_the_unscored(web_db: str) -> None:
    w = world()
    before = live_findings(w.inspection)
    assert before.unscored == tuple(Case.objects.filter(inspection=w.inspection).order_by("position")
                                    .values_list("case_id", flat=True))
    page = _page(w)
    assert f"{before.cases} of {before.cases} (no submitted assignment yet)" in page
    # A draft changes the figures (the export holds drafts too) but scores nothing.
    client_for(w.insp_a).post(f"/assignments/{w.own.pk}", _form(w.own, "save"))
    drafted = live_findings(w.inspection)
    assert drafted.document.summary != before.document.summary
    assert drafted.unscored == before.unscored
    assert drafted.document.summary.grades.inspector.get("inadequate", 0) == \
        before.document.summary.grades.inspector.get("inadequate", 0) + 1
    _submit(w, w.own)
    submitted = live_findings(w.inspection)
    assert submitted.unscored == before.unscored[1:]
    assert w.own.case.case_id not in submitted.unscored
    after = _unescaped(_page(w))
    assert f"{before.cases - 1} of {before.cases} (no submitted assignment yet)" in after
    assert "inspector's grade inadequate" in after  # now among the cases to look at
    assert _figures(after) != _figures(_unescaped(page))


def test_a_blind_double_scored_case_counts_only_once_both_have_submitted(web_db: str, tmp_path: Path) -> None:
    w = world()
    Case.objects.filter(pk=w.own.case_id).update(double_scored=True)
    second = Assignment.objects.create(case_id=w.own.case_id, scorer=w.insp_b)
    before = live_findings(w.inspection)
    _submit(w, w.own, grade="inadequate")
    blind = live_findings(w.inspection)
    assert blind.blind == (w.own.case.case_id,)
    assert blind.document.to_json() == before.document.to_json()  # insp-a's answers tell nobody anything yet
    assert blind.document.to_json()["summary"] == \
        lead_export_results(w, w.inspection, tmp_path / "one").to_json()["summary"]
    assert w.own.case.case_id in _page(w).split('id="blind"')[1].split("</dd>")[0]
    _submit(w, second, grade="inadequate")
    both = live_findings(w.inspection)
    assert both.blind == ()
    assert both.document.summary.grades.inspector.get("inadequate", 0) == \
        before.document.summary.grades.inspector.get("inadequate", 0) + 1
    assert both.document.to_json()["summary"] == \
        lead_export_results(w, w.inspection, tmp_path / "two").to_json()["summary"]


def test_the_report_is_produced_in_the_background_and_downloaded_as_html_and_a_real_pdf(web_db: str) -> None:
    import io

    from pypdf import PdfReader

    w = world()
    _submit(w, w.own)
    # A blind double-scored case: insp-a has submitted it, insp-b not yet. The report must not use it.
    blind = Assignment.objects.filter(scorer=w.insp_a).order_by("case__position")[1]
    Case.objects.filter(pk=blind.case_id).update(double_scored=True)
    Assignment.objects.create(case_id=blind.case_id, scorer=w.insp_b)
    _submit(w, Assignment.objects.get(pk=blind.pk), grade="good")
    lead = client_for(w.lead)
    response = lead.post(f"/inspections/{w.inspection.slug}/reports")
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    scope = inspection_scope(w.inspection.slug)
    # Not blocking: while the report is being made, another user's page is served.
    other = client_for(w.insp_a).get(f"/assignments/{w.own.pk}")
    assert other.status_code == 200
    job = load_job(scope, job_id)
    assert job is not None and job.state == RUNNING, "the other request waited for the report"
    status = lead.get(response["Location"]).content.decode()
    assert 'data-state="running"' in status and "Check again" in status
    assert Event.objects.filter(inspection=w.inspection, kind=REPORT, item=job_id, actor_ref="lead-a").exists()
    assert wait_for_job(scope, job_id, REPORT_SECONDS) == DONE
    job = load_job(scope, job_id)
    assert job is not None
    made = json.loads((job.out / "results.json").read_text(encoding="utf-8"))
    by_id = {case["case_id"]: case for case in made["cases"]}
    assert by_id[w.own.case.case_id]["grade"] == "inadequate"
    assert by_id[blind.case.case_id]["grade"] is None  # insp-a's "good" counts once insp-b has submitted
    assert made["summary"] == live_findings(w.inspection).document.to_json()["summary"]
    status = lead.get(response["Location"]).content.decode()
    assert 'data-state="done"' in status
    pdf = lead.get(f"/inspections/{w.inspection.slug}/reports/{job_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"] == f'attachment; filename="{w.inspection.slug}-report.pdf"'
    body = b"".join(pdf.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF")
    document = PdfReader(io.BytesIO(body))
    assert "OFFICIAL-SENSITIVE" in document.pages[0].extract_text()
    assert str((document.metadata or {}).get("/Producer", "")).startswith("WeasyPrint")
    assert "/StructTreeRoot" in document.trailer["/Root"]  # tagged, as the report's renderer makes it
    html = lead.get(f"/inspections/{w.inspection.slug}/reports/{job_id}/report.html")
    assert html["Content-Disposition"] == f'attachment; filename="{w.inspection.slug}-report.html"'
    text = b"".join(html.streaming_content).decode()  # type: ignore[attr-defined]
    report = force_report_context(live_findings(w.inspection).document, criteria_of(w.inspection))
    assert report.key_findings[0].theme.rate.n_of_n in text
    # The findings page lists it; nobody else downloads it; an unknown file or job is 404.
    assert f"/reports/{job_id}/report.pdf" in _page(w)
    assert client_for(w.insp_a).get(f"/inspections/{w.inspection.slug}/reports/{job_id}/report.pdf").status_code == 403
    for bad in (f"{job_id}/results.json", f"{job_id}/..%2Fstatus.json", "20260101T000000Z-deadbeef/report.pdf"):
        assert lead.get(f"/inspections/{w.inspection.slug}/reports/{bad}").status_code == 404


def test_a_failed_report_says_why_and_a_dead_one_reads_as_failed(web_db: str) -> None:
    w = world()
    scope = inspection_scope(w.inspection.slug)
    job = start(scope, "lead-a", lambda folder: ["run", "input/missing.yaml", "-o", "out"], wait=True)
    assert job.state == FAILED
    page = _unescaped(client_for(w.lead).get(f"/inspections/{w.inspection.slug}/reports/{job.id}").content.decode())
    assert "The force report could not be produced" in page
    assert "input/missing.yaml: file not found" in page
    assert str(scope_folder(scope)) not in page  # the data folder's place is not shown
    stale = scope_folder(scope) / f"20200101T000000Z-{secrets.token_hex(4)}"  # the data folder outlives a test
    stale.mkdir(parents=True)
    (stale / "status.json").write_text(json.dumps({"state": RUNNING, "started": "2020-01-01T00:00:00+00:00"}))
    dead = load_job(scope, stale.name)
    assert dead is not None and dead.state == FAILED and "server stopped" in dead.message


# --- the permission matrix of these pages ------------------------------------------------------------

FINISHED = "20260101T000000Z-0000abcd"


def _finished_report(w: World) -> None:
    """A produced report on disk (what a finished job leaves), for the status and download rows."""
    finished_job(inspection_scope(w.inspection.slug), FINISHED, "report.html", requested_by="lead-a")


S = SIGN_IN
MATRIX: list[tuple[str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], None], tuple[Any, ...]]] = [
    ("GET", "/inspections/{slug}/findings", None, nothing, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("POST", "/inspections/{slug}/reports", None, nothing, (S, 302, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/reports/{job}", None, _finished_report, (S, 200, 403, 403, 404, 403, 404, 403)),
    ("GET", "/inspections/{slug}/reports/{job}/{name}", None, _finished_report,
     (S, 200, 403, 403, 404, 403, 404, 403)),
]


@pytest.mark.parametrize(("method", "path", "form", "prepare", "expected"), MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_every_findings_url_as_every_role(web_db: str, method: str, path: str,
                                          form: Callable[[World], dict[str, Any]] | None,
                                          prepare: Callable[[World], None], expected: tuple[Any, ...]) -> None:
    w = world()
    url = path.format(slug=w.inspection.slug, job=FINISHED, name="report.html")
    assert answers_by_role(w, method, url, form, prepare) == dict(zip(ROLES, expected, strict=True))
    if method == "POST":
        job = next(iter(Event.objects.filter(inspection=w.inspection, kind=REPORT)), None)
        assert job is not None
        assert wait_for_job(inspection_scope(w.inspection.slug), job.item, REPORT_SECONDS) in (DONE, FAILED)
