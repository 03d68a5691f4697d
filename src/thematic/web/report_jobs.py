"""Reports produced from the workspace's current data, in the background, into the data folder.

A job is a folder, `DATA/reports/SCOPE/JOB/`: `input/` holds what the request took from the database
(an inspection's export, or results files), `out/` what the command wrote, `status.json` its state.
The request prepares `input/` (database reads stay in the request and its transaction), writes the
status "running" and starts a thread that runs the EXISTING command in a subprocess
(`python -m thematic run`, `report`, `compare`): the report is made exactly as on the command line,
written all or none by the library's OutputSet, and a gunicorn worker keeps serving other requests
while it renders (the subprocess has its own interpreter, so not even the GIL is shared). When the
command ends the thread writes "done" or "failed" with the command's own message. The thread never
touches the database, so a job needs no connection of its own (the REPORT event is written by the
request that starts it).

A job whose thread died with its server (still "running" long after any command would have ended)
reads as failed.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth.models import User

from thematic.core.atomic import write_text_atomic
from thematic.core.errors import InputError
from thematic.load.yaml_source import read_text
from thematic.web.datadir import data_folder
from thematic.web.models import REPORT, Event, Inspection

RUNNING, DONE, FAILED = "running", "done", "failed"
#: Longest a command may run; a job still "running" well after it is read as failed.
TIMEOUT_SECONDS = 900
STALE_SECONDS = TIMEOUT_SECONDS + 120
JOB_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}")
SCOPE = re.compile(r"[a-z]+-[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
STATUS_FILE = "status.json"
#: The longest part of a failed command's message kept for the status page (the end, where the error
#: is); a finished command's printed figures are kept whole.
MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class Job:
    """One report being produced, or produced: where it lives and how it went."""

    scope: str
    id: str
    folder: Path
    state: str
    started: str     # ISO 8601, UTC
    finished: str
    message: str     # the command's printed summary when done, its error when failed
    requested_by: str

    @property
    def started_text(self) -> str:
        """"4 Dec 2026, 21:24 UTC": when the data was taken, as the pages print it."""
        return _readable(self.started)

    @property
    def finished_text(self) -> str:
        return _readable(self.finished)

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def input(self) -> Path:
        return self.folder / "input"

    def file(self, name: str) -> Path | None:
        """An output file of a finished job by its plain name (html and pdf reports), else None."""
        if self.state != DONE or not re.fullmatch(r"[a-z0-9-]+\.(html|pdf)", name):
            return None
        path = self.out / name
        return path if path.is_file() else None

    def files(self) -> list[str]:
        """The names of the job's report files (HTML first, then PDF), once done."""
        if self.state != DONE or not self.out.is_dir():
            return []
        names = [p.name for p in self.out.iterdir() if p.is_file() and p.suffix in (".html", ".pdf")]
        return sorted(names, key=lambda n: (n.endswith(".pdf"), n))


def scope_folder(scope: str) -> Path:
    if not SCOPE.fullmatch(scope):
        raise ValueError(f"not a report scope: {scope!r}")
    return data_folder() / "reports" / scope


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_status(folder: Path, **status: str) -> None:
    write_text_atomic(folder / STATUS_FILE, json.dumps(status, ensure_ascii=False, indent=1) + "\n")


def load_job(scope: str, job_id: str) -> Job | None:
    """The job `job_id` of `scope`, or None when there is none (or the id is not a job id)."""
    if not JOB_ID.fullmatch(job_id) or not SCOPE.fullmatch(scope):
        return None
    folder = scope_folder(scope) / job_id
    try:
        status = json.loads(read_text(folder / STATUS_FILE, "report status"))
    except (InputError, ValueError):
        return None
    state = status.get("state", FAILED)
    message = status.get("message", "")
    if state == RUNNING and _age(status.get("started", "")) > STALE_SECONDS:
        state, message = FAILED, "The report was not finished: the server stopped while producing it. Produce it again."
    return Job(scope, job_id, folder, state, status.get("started", ""), status.get("finished", ""), message,
               status.get("requested_by", ""))


def _readable(moment: str) -> str:
    try:
        return datetime.fromisoformat(moment).astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")
    except ValueError:
        return moment


def _age(started: str) -> float:
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(started)).total_seconds()
    except ValueError:
        return float("inf")


def jobs(scope: str) -> list[Job]:
    """Every job of `scope`, newest first."""
    folder = scope_folder(scope)
    if not folder.is_dir():
        return []
    found = [load_job(scope, p.name) for p in folder.iterdir() if p.is_dir() and JOB_ID.fullmatch(p.name)]
    return sorted((j for j in found if j is not None), key=lambda j: j.id, reverse=True)


def running(scope: str) -> Job | None:
    """The job of `scope` still running, if any (one at a time per scope: the machine is small)."""
    return next((j for j in jobs(scope) if j.state == RUNNING), None)


def start(scope: str, requested_by: str, prepare: Callable[[Path], list[str]], *, wait: bool = False) -> Job:
    """A new job of `scope`: `prepare(input folder)` fills the input (in the caller's thread, so it may
    read the database) and returns the `thematic` command's arguments; the command then runs in a
    background thread (or before returning, with `wait`), writing into the job's `out/` folder."""
    job_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)
    folder = scope_folder(scope) / job_id
    folder.mkdir(mode=0o700, parents=True)
    arguments = prepare(folder / "input")
    started = _now()
    _write_status(folder, state=RUNNING, started=started, finished="", message="", requested_by=requested_by)
    worker = threading.Thread(target=_run, args=(folder, arguments, started, requested_by),
                              name=f"thematic-report-{job_id}", daemon=True)
    worker.start()
    if wait:
        worker.join()
    job = load_job(scope, job_id)
    assert job is not None
    return job


def _run(folder: Path, arguments: list[str], started: str, requested_by: str) -> None:
    """Run `thematic ARGUMENTS` in a subprocess and record how it went (in the job's thread)."""
    command = [sys.executable, "-m", "thematic", *arguments]
    try:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        state = DONE if done.returncode == 0 else FAILED
        message = (done.stdout if state == DONE else done.stderr or done.stdout).strip()
    except subprocess.TimeoutExpired:
        state, message = FAILED, f"The report took longer than {TIMEOUT_SECONDS // 60} minutes and was stopped."
    except OSError as exc:  # the interpreter could not be started
        state, message = FAILED, f"The report could not be started: {exc.strerror or exc}"
    # The command prints paths of the job folder: shown relative to it, so the data folder's place is not.
    message = message.replace(str(folder) + os.sep, "")
    if state == FAILED:
        message = message[-MESSAGE_LIMIT:]
    _write_status(folder, state=state, started=started, finished=_now(), message=message, requested_by=requested_by)


def inspection_scope(slug: str) -> str:
    """The scope of an inspection's force reports."""
    return f"inspection-{slug}"


def produce_force_report(inspection: Inspection, lead: User, *, wait: bool = False) -> Job:
    """Start the force report of `inspection` as it stands for `lead` (HTML and tagged PDF, with the
    default marking): the lead's export, as the download gives it, run through `thematic run`.

    The REPORT event records who asked and when: the moment the data was taken. `wait` (the demo, a
    script) returns only when the report is made.
    """
    from thematic.web.exporting import export_inspection

    def prepare(folder: Path) -> list[str]:
        export_inspection(inspection, folder, viewer=lead)
        return ["run", "input/inspection.yaml", "-o", "out"]

    scope = inspection_scope(inspection.slug)
    job = start(scope, lead.username, prepare, wait=wait)
    Event.objects.create(inspection=inspection, actor=lead, actor_ref=lead.username, kind=REPORT, item=job.id,
                         after=f"reports/{scope}/{job.id}", reason="force report produced from the current data")
    return job
