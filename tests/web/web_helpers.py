"""Set-up shared by the workspace's tests: accounts of every role and an imported inspection; what
each role gets from a request (the permission matrices); `thematic run`'s results of a lead's
export; a background report job waited for, or one left finished on disk."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from thematic.model.results import ResultsDocument
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection
from thematic.web.accounts import add_user
from thematic.web.exporting import export_inspection
from thematic.web.importing import import_inspection
from thematic.web.models import Assignment, Case, Inspection
from thematic.web.report_jobs import DONE, RUNNING, load_job, scope_folder
from thematic.web.saving import assign

PASSWORD = "correct-horse-battery-9"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inspections" / "exampleshire-2019.yaml"


@dataclass
class World:
    lead: User
    insp_a: User
    insp_b: User
    outsider: User  # an inspector on no inspection
    force: User  # exampleshire's force user
    other_force: User
    programme: User
    inspection: Inspection
    own: Assignment  # insp-a's assignment of a fresh case (not started)


def world(*, answers: bool = False) -> World:
    users = {name: add_user(name, role, force=force, password=PASSWORD)[0] for name, role, force in (
        ("lead-a", "lead", None), ("insp-a", "inspector", None), ("insp-b", "inspector", None),
        ("insp-z", "inspector", None), ("force-exampleshire", "force", "exampleshire"),
        ("force-northmoor", "force", "northmoor"), ("prog-a", "programme", None))}
    inspection = import_inspection(EXAMPLE, actor=users["lead-a"], answers=answers)
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))
    assign(cases[:8], users["insp-a"], users["lead-a"])
    assign(cases[8:], users["insp-b"], users["lead-a"])
    own = Assignment.objects.get(case=cases[0], scorer=users["insp-a"])
    return World(users["lead-a"], users["insp-a"], users["insp-b"], users["insp-z"], users["force-exampleshire"],
                  users["force-northmoor"], users["prog-a"], inspection, own)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# The permission matrix's roles, in the order every matrix row lists its expected answers.
ROLES = ("anonymous", "lead", "scorer", "co-inspector", "other-inspector", "force", "other-force", "programme")
SIGN_IN = "sign-in"  # expected: a redirect to the sign-in page


def user_for(w: World, role: str) -> User | None:
    return {"anonymous": None, "lead": w.lead, "scorer": w.insp_a, "co-inspector": w.insp_b,
            "other-inspector": w.outsider, "force": w.force, "other-force": w.other_force,
            "programme": w.programme}[role]


def answers_by_role(w: World, method: str, url: str, form: Callable[[World], dict[str, Any]] | None,
                    prepare: Callable[[World], None]) -> dict[str, Any]:
    """What each role gets from one request: a status code, or SIGN_IN for a redirect to sign in."""
    answers: dict[str, Any] = {}
    for role in ROLES:
        prepare(w)
        client = client_for(user_for(w, role))
        data = form(w) if form else None
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        redirected = response.status_code == 302 and response["Location"].startswith("/sign-in")
        answers[role] = SIGN_IN if redirected else response.status_code
    return answers


def nothing(w: World) -> None:
    """A matrix row's preparation when the request needs nothing set up."""


def lead_export_results(w: World, inspection: Inspection, folder: Path) -> ResultsDocument:
    """`thematic run`'s results (made in process) of the export the lead downloads of `inspection`,
    written into `folder`: what the workspace's own figures must equal."""
    exported = export_inspection(inspection, folder, viewer=w.lead)
    return inspection_results(load_inspection(exported))


def wait_for_job(scope: str, job_id: str, seconds: float) -> str:
    """The state a background report job ends in (done or failed); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = load_job(scope, job_id)
        assert job is not None
        if job.state != RUNNING:
            return job.state
        time.sleep(0.5)
    raise AssertionError("the report was not produced in time")


def finished_job(scope: str, job_id: str, name: str, requested_by: str) -> None:
    """A report job of `scope` left on disk as a finished one leaves it, with the one file `name`
    (an HTML page): for the permission matrices' status and download rows, without making a report."""
    folder = scope_folder(scope) / job_id
    (folder / "out").mkdir(parents=True, exist_ok=True)
    (folder / "out" / name).write_text(f"<!DOCTYPE html><title>{Path(name).stem}</title>\n")
    (folder / "status.json").write_text(json.dumps({"state": DONE, "started": "2026-01-01T00:00:00+00:00",
                                                    "finished": "2026-01-01T00:01:00+00:00", "message": "",
                                                    "requested_by": requested_by}))
