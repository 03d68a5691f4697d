"""Many inspectors saving at once against a real `thematic serve`, and what the database then holds:
shared by benchmarks/bench_web_team.py (load) and tests/web/test_web_kill.py (a server killed
mid-save); benchmarks/bench_web.py (one person's latency) reads pages through the same `Session` and
`read_form`.

- `read_form(html)`: a page's hidden inputs, radio groups and links to case pages (`FormReader`).
- `Session`: one browser's worth of HTTP (cookies, redirects followed, every answer's status).

- `Inspector`: one simulated person (a session of its own) who signs in and saves answers on their own
  cases in a loop, recording each save the server acknowledged (`saved`) and each one sent but not
  answered (`unanswered`: the connection broke, so it may or may not have been made).
- `stored(export)`: each assignment's answers and notes version by version, folded from the audit
  trail of `thematic web export`.
- `check_saves(export, inspectors)`: every acknowledged save is there with exactly what was sent, no
  version is made of part of a save, and each case's current entries are its last save's.
- `versions(data, database_url)`: each assignment's version and its latest event's, read straight from
  the database (SQLite file or PostgreSQL), for "no half-written case".
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import random
import re
import secrets
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

REQUEST_TIMEOUT = 60.0
Snapshot = tuple[dict[str, str], dict[str, str]]  # (answers, notes)


class FormReader(HTMLParser):
    """A page's hidden inputs, radio groups (name -> values) and links to case pages."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "input" and found.get("type") == "hidden" and "name" in found:
            self.hidden[found["name"]] = found.get("value", "")
        elif tag == "input" and found.get("type") == "radio" and "name" in found:
            self.radios.setdefault(found["name"], []).append(found.get("value", ""))
        elif tag == "a" and re.fullmatch(r"/assignments/\d+", found.get("href", "")):
            self.links.append(found["href"])


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


class Session:
    """One browser's worth of HTTP: a cookie jar; redirects followed; every answer's status returned."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
                body: bytes = response.read()
                return response.status, body.decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def post(self, path: str, pairs: list[tuple[str, str]] | dict[str, str]) -> int:
        items = list(pairs.items()) if isinstance(pairs, dict) else pairs
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(items).encode(),
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                response.read()
                status: int = response.status
                return status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, user: str, password: str) -> None:
        form = read_form(self.get("/sign-in")[1])
        self.post("/sign-in", {**form.hidden, "username": user, "password": password})
        if "/sign-in" in self.get("/")[1]:
            raise RuntimeError(f"could not sign in as {user}")


def spread(lead: Session, inspection: str, inspectors: list[str]) -> None:
    """As a signed-in lead: spread the inspection's unassigned cases evenly over the inspectors."""
    token = read_form(lead.get(f"/inspections/{inspection}")[1]).hidden["csrfmiddlewaretoken"]
    status = lead.post(f"/inspections/{inspection}/spread",
                       [("csrfmiddlewaretoken", token)] + [("spread-inspector", name) for name in inspectors])
    if status != 200:
        raise RuntimeError(f"spreading {inspection}'s cases answered {status}")


@dataclass(frozen=True)
class Save:
    """One save sent: the assignment, the version it would make, the answers and notes sent."""

    assignment: int
    version: int
    answers: dict[str, str]
    notes: dict[str, str]


@dataclass
class Inspector:
    """A simulated inspector: signs in, then opens one of their cases, answers every question (seeded
    random choices) with a note unique to the save, and saves a draft; again, until told to stop."""

    name: str
    password: str
    session: Session
    seed: int = 0
    timings: dict[str, list[float]] = field(default_factory=dict)
    saved: list[Save] = field(default_factory=list)  # acknowledged: 200 after the save's redirect
    unanswered: list[Save] = field(default_factory=list)  # sent, no answer (made or not, unknown)
    errors: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)

    def timed(self, label: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        finally:
            self.timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)

    def start(self, inspection: str) -> None:
        self.session.sign_in(self.name, self.password)
        self.cases = read_form(self.session.get(f"/inspections/{inspection}/cases")[1]).links
        if not self.cases:
            raise RuntimeError(f"{self.name} has no case in {inspection}")

    def save_one(self, index: int, rng: random.Random) -> None:
        path = self.cases[index % len(self.cases)]
        status, html = self.timed("case page", lambda: self.session.get(path))
        if status != 200:
            self.errors.append(f"{self.name}: GET {path} answered {status}")
            return
        form = read_form(html)
        answers = {name.removeprefix("answer-"): rng.choice(values)
                   for name, values in form.radios.items() if name.startswith("answer-")}
        noted = rng.choice(sorted(answers))
        notes = {noted: f"{self.name} save {index + 1}: {secrets.token_hex(4)}"}  # every save changes something
        fields = {**form.hidden, **{f"answer-{cid}": value for cid, value in answers.items()},
                  **{f"note-{cid}": text for cid, text in notes.items()}, "action": "save"}
        sent = Save(int(path.rsplit("/", 1)[1]), int(form.hidden["version"]) + 1, answers, notes)
        try:
            status = self.timed("save", lambda: self.session.post(path, fields))
        except (OSError, http.client.HTTPException) as error:
            self.unanswered.append(sent)
            self.errors.append(f"{self.name}: POST {path}: {error}")
            return
        if status == 200:  # the save's 302, followed back to the case page
            self.saved.append(sent)
        else:
            self.errors.append(f"{self.name}: POST {path} answered {status}")

    def run(self, *, saves: int, stop: threading.Event, begin: threading.Barrier | None = None,
            deadline: float = float("inf"), think: float = 0.0) -> None:
        """Save up to `saves` times (stopping early when `stop` is set or at `deadline`), pausing about
        `think` seconds (half to one and a half times, seeded) before each: a person reads and types."""
        rng = random.Random(self.seed)
        if begin is not None:
            begin.wait()
        for index in range(saves):
            if think:
                stop.wait(rng.uniform(0.5, 1.5) * think)
            if stop.is_set() or time.monotonic() > deadline:
                return
            try:
                self.save_one(index, rng)
            except (OSError, http.client.HTTPException) as error:  # no case page: nothing was sent
                self.errors.append(f"{self.name}: {error}")
                if stop.is_set():
                    return


def stored(export: Path) -> tuple[dict[int, dict[int, Snapshot]], dict[int, str]]:
    """Each assignment's (answers, notes) after each version, from the export's audit trail; and each
    assignment's case id."""
    snapshots: dict[int, dict[int, Snapshot]] = {}
    state: dict[int, Snapshot] = {}
    case_of: dict[int, str] = {}
    for line in (export / "audit.jsonl").read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        pk = event["assignment"]
        if pk is None or event["kind"] not in ("answer", "note"):
            continue
        case_of[pk] = event["case"]
        answers, notes = state.setdefault(pk, ({}, {}))
        target = answers if event["kind"] == "answer" else notes
        if event["after"]:
            target[event["item"]] = event["after"]
        else:
            target.pop(event["item"], None)
        snapshots.setdefault(pk, {})[event["version"]] = (dict(answers), dict(notes))
    return snapshots, case_of


def check_saves(export: Path, inspection: str, inspectors: list[Inspector]) -> list[str]:
    """What is wrong between what the clients were told and what the export holds (empty: nothing)."""
    problems: list[str] = []
    snapshots, case_of = stored(export)
    for person in inspectors:
        judgements = export / "judgements" / f"{inspection}-{person.name}.yaml"
        current = yaml.safe_load(judgements.read_text(encoding="utf-8"))["cases"] if judgements.exists() else {}
        # Two attempts may carry the same key: an unanswered save still queued in the server when the
        # next one read the case page. A stored version must be one of them, whole.
        sent: dict[tuple[int, int], list[Save]] = {}
        for s in [*person.saved, *person.unanswered]:
            sent.setdefault((s.assignment, s.version), []).append(s)
        for save in person.saved:
            found = snapshots.get(save.assignment, {}).get(save.version)
            if found is None:
                problems.append(f"{person.name}: the acknowledged save making version {save.version} of "
                                f"assignment {save.assignment} is not in the database")
            elif found != (save.answers, save.notes):
                problems.append(f"{person.name}: assignment {save.assignment} version {save.version} holds "
                                f"{found}; the client sent {(save.answers, save.notes)}")
        mine = {s.assignment for s in [*person.saved, *person.unanswered]}
        for pk in mine:
            for version, found in snapshots.get(pk, {}).items():
                attempts = sent.get((pk, version))
                if not attempts:
                    problems.append(f"{person.name}: assignment {pk} has a version {version} nobody sent")
                elif all(found != (a.answers, a.notes) for a in attempts):  # a save made in part
                    problems.append(f"{person.name}: assignment {pk} version {version} is part of a save: "
                                    f"{found}, sent {[(a.answers, a.notes) for a in attempts]}")
            made = snapshots.get(pk, {})
            if made:
                latest = made[max(made)]
                case = current.get(case_of[pk], {}).get("judgements", {})
                now = ({cid: j["answer"] for cid, j in case.items()},
                       {cid: j["note"] for cid, j in case.items() if "note" in j})
                if now != latest:
                    problems.append(f"{person.name}: {case_of[pk]}'s current entries are not its latest save's")
    return problems


def versions(data: Path, database_url: str | None) -> dict[int, tuple[int, int]]:
    """assignment id -> (its version, the highest version among its events), from the database."""
    query = ("SELECT a.id, a.version, COALESCE(MAX(e.version), 0) FROM web_assignment a "
             "LEFT JOIN web_event e ON e.assignment_id = a.id GROUP BY a.id, a.version")
    if database_url is None:
        connection = sqlite3.connect(f"file:{data / 'workspace.sqlite3'}?mode=ro", uri=True)
        try:
            rows = connection.execute(query).fetchall()
        finally:
            connection.close()
    else:
        import psycopg

        with psycopg.connect(database_url) as pg:
            rows = pg.execute(query).fetchall()
    return {pk: (version, latest) for pk, version, latest in rows}
