"""Programme pages (issue 15 item 7): rounds and forces across the workspace's inspections, and the
programme report and year-on-year comparison made by the existing commands from the current data.

The figures must be those `thematic report` (several results files) and `thematic compare` give for
the lead's exports of the same inspections; force users and inspectors never see these pages.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from web_helpers import (
    REPO,
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

from thematic.render.output import json_text
from thematic.web.importing import import_inspection
from thematic.web.models import Inspection
from thematic.web.report_jobs import DONE, load_job

NORTHMOOR = [REPO / "inspections" / f"northmoor-{year}.yaml" for year in (2015, 2019)]
REPORT_SECONDS = 400  # at most, for a programme report or comparison made in the background


def _results_file(w: World, inspection: Inspection, folder: Path) -> str:
    """`thematic run`'s results.json (made in process) of the lead's export of `inspection`."""
    path = folder / f"{inspection.slug}.json"
    path.write_text(json_text(lead_export_results(w, inspection, folder / inspection.slug).to_json()),
                    encoding="utf-8")
    return str(path)


def _command(*arguments: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "thematic", *arguments], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _figures(lines: list[str] | str) -> list[str]:
    """A command's printed figures, without the lines naming the files it wrote."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    return [line for line in lines if line.strip() and " written to " not in line]


def _document(path: Path) -> Any:
    """A JSON document the command wrote, without the paths of the results files it read (the only
    thing that differs between the job's folder and the test's)."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "file"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(path.read_text(encoding="utf-8")))


def _produce(client: Any, url: str, data: dict[str, str] | None = None) -> tuple[str, str]:
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content.decode()[:1000]
    scope, job_id = response["Location"].rstrip("/").split("/")[-2:]
    assert wait_for_job(scope, job_id, REPORT_SECONDS) == DONE, load_job(scope, job_id)
    return scope, job_id


def test_the_programme_page_lists_rounds_and_forces(web_db: str) -> None:
    w = world()
    for path in NORTHMOOR:
        import_inspection(path, actor=w.lead)
    page = client_for(w.programme).get("/programme").content.decode()
    for year in (2015, 2019):
        assert f'href="/programme/rounds/{year}"' in page
    for force in ("exampleshire", "northmoor"):
        assert f'href="/programme/forces/{force}"' in page
    round_page = client_for(w.programme).get("/programme/rounds/2019").content.decode()
    assert "exampleshire" in round_page and "northmoor" in round_page and "Produce the programme report" in round_page
    force_page = client_for(w.lead).get("/programme/forces/northmoor").content.decode()
    assert "Compare 2019 with 2015" in force_page
    lone = client_for(w.lead).get("/programme/forces/exampleshire").content.decode()
    assert "nothing to compare it with yet" in lone
    refused = client_for(w.lead).post("/programme/rounds/2015")  # one inspection: no programme report
    assert refused.status_code == 400 and "this round has one inspection" in refused.content.decode()
    assert client_for(w.programme).get("/programme/rounds/2001").status_code == 404
    assert client_for(w.programme).get("/programme/forces/nowhere").status_code == 404


def test_the_round_report_is_thematic_report_of_the_exports(web_db: str, tmp_path: Path) -> None:
    w = world()
    northmoor = import_inspection(NORTHMOOR[1], actor=w.lead)
    client = client_for(w.programme)
    scope, job_id = _produce(client, "/programme/rounds/2019")
    job = load_job(scope, job_id)
    assert job is not None and job.files() == ["programme.html", "programme.pdf"]
    files = [_results_file(w, i, tmp_path) for i in (w.inspection, northmoor)]
    printed = _command("report", *files, "--criteria", str(tmp_path / "exampleshire-2019" / "criteria.yaml"),
                       "--format", "json", "-o", str(tmp_path / "programme"))
    assert _figures(job.message) == _figures(printed)
    assert _document(job.out / "programme.json") == _document(tmp_path / "programme" / "programme.json")
    page = client.get(f"/programme/reports/{scope}/{job_id}").content.decode()
    assert 'data-state="done"' in page and _figures(printed)[0].split(":")[0] in page
    pdf = client.get(f"/programme/reports/{scope}/{job_id}/programme.pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="{scope}-programme.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert client.get(f"/programme/reports/{scope}/{job_id}/programme.json").status_code == 404  # html, pdf only


def test_a_force_comparison_is_thematic_compare_of_the_exports(web_db: str, tmp_path: Path) -> None:
    w = world()
    before, after = (import_inspection(path, actor=w.lead) for path in NORTHMOOR)
    scope, job_id = _produce(client_for(w.lead), "/programme/forces/northmoor",
                             {"before": before.slug, "after": after.slug})
    job = load_job(scope, job_id)
    assert job is not None and job.files() == ["comparison.html", "comparison.pdf"]
    files = [_results_file(w, i, tmp_path) for i in (before, after)]
    printed = _command("compare", *files, "--criteria", str(tmp_path / "northmoor-2019" / "criteria.yaml"),
                       "--format", "json", "-o", str(tmp_path / "comparison"))
    assert _figures(job.message) == _figures(printed)
    assert _document(job.out / "comparison.json") == _document(tmp_path / "comparison" / "comparison.json")
    html = client_for(w.programme).get(f"/programme/reports/{scope}/{job_id}/comparison.html")
    assert html.status_code == 200 and b"<html" in b"".join(html.streaming_content)  # type: ignore[attr-defined]
    # Later then earlier is refused, changing nothing.
    backwards = client_for(w.lead).post("/programme/forces/northmoor", {"before": after.slug, "after": before.slug})
    assert backwards.status_code == 400 and "the earlier first" in backwards.content.decode()


# --- the permission matrix of these pages ------------------------------------------------------------

FINISHED = "20260101T000000Z-0000cafe"


def _finished_report(w: World) -> None:
    """A produced programme report on disk (what a finished job leaves), for the status and download rows."""
    finished_job("round-2019", FINISHED, "programme.html", requested_by="prog-a")


S = SIGN_IN
READERS = (S, 200, 403, 403, 403, 403, 403, 200)  # programme users and leads; never a force or an inspector
# The world has one inspection (exampleshire 2019): producing is refused with a located error (400),
# so these rows start no report.
MATRIX: list[tuple[str, str, Callable[[World], dict[str, Any]] | None, Callable[[World], None], tuple[Any, ...]]] = [
    ("GET", "/programme", None, nothing, READERS),
    ("GET", "/programme/rounds/{year}", None, nothing, READERS),
    ("POST", "/programme/rounds/{year}", None, nothing, (S, 400, 403, 403, 403, 403, 403, 400)),
    ("GET", "/programme/forces/{force}", None, nothing, READERS),
    ("POST", "/programme/forces/{force}", lambda w: {"before": "exampleshire-2019", "after": "exampleshire-2019"},
     nothing, (S, 400, 403, 403, 403, 403, 403, 400)),
    ("GET", "/programme/reports/{scope}/{job}", None, _finished_report, READERS),
    ("GET", "/programme/reports/{scope}/{job}/{name}", None, _finished_report, READERS),
]


@pytest.mark.parametrize(("method", "path", "form", "prepare", "expected"), MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_every_programme_url_as_every_role(web_db: str, method: str, path: str,
                                           form: Callable[[World], dict[str, Any]] | None,
                                           prepare: Callable[[World], None], expected: tuple[Any, ...]) -> None:
    w = world()
    url = path.format(year=2019, force="exampleshire", scope="round-2019", job=FINISHED, name="programme.html")
    assert answers_by_role(w, method, url, form, prepare) == dict(zip(ROLES, expected, strict=True))
