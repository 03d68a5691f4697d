"""Saves survive faults (issue 15 item 8): a real `thematic serve` killed with SIGKILL while inspectors
are saving loses no acknowledged save and leaves no half-written case, then starts again and serves;
once on SQLite and once on PostgreSQL. And a save keeps every answer it was given, "no" included (the
load benchmark found a new answer "no" dropped).

The killed server is real (gunicorn through the CLI, tests/web_browser/workspace.py): its arbiter and
workers are one process group, killed together, as a power cut or the OOM killer would. What the
database then holds is read through `thematic web export` and straight from its tables
(tests/web_browser/team_saves.py).
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import threading
import time
from pathlib import Path

import pytest
from postgres_support import create_database
from web_browser.team_saves import Inspector, Session, check_saves, spread, versions
from web_browser.workspace import Server, serving, thematic, unscored_inspection
from web_helpers import world

from thematic.web.entries import Entries, current
from thematic.web.saving import save

INSPECTION = "exampleshire-2019"
LEAD = "lead-k"
INSPECTORS = ("insp-k1", "insp-k2", "insp-k3", "insp-k4")
ACKNOWLEDGED_BEFORE_KILL = 8  # saves acknowledged before the kill: the kill lands mid-stream


def test_an_answer_no_is_saved_and_an_unticked_referred_back_is_no_change(web_db: str) -> None:
    w = world()
    question = "INF-02"  # answers yes / no / n/a
    version = save(w.own, w.insp_a, Entries(answers={question: "no"}), version=0, submit=False)
    assert current(w.own).answers == {question: "no"}
    # referred back posts "no" when unticked: saving it over nothing writes no event for it
    assert not w.own.events.filter(kind="referred_back").exists()
    save(w.own, w.insp_a, Entries(answers={question: "yes"}, referred_back=True), version=version, submit=False)
    assert current(w.own).answers == {question: "yes"} and current(w.own).referred_back


def _arbiter(server: Server) -> int:
    """The gunicorn arbiter's process id, from its log ("Listening at: URL (PID)")."""
    found = re.search(r"Listening at: \S+ \((\d+)\)", server.log_text())
    assert found, f"no arbiter pid in the server log:\n{server.log_text()}"
    return int(found.group(1))


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_server_killed_mid_save_loses_no_acknowledged_save_and_restarts(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database_url = None
    if database == "postgres":
        database_url = create_database(request.getfixturevalue("postgres_url"), f"kill_{secrets.token_hex(4)}")
    data = tmp_path / "data"
    passwords = {name: secrets.token_urlsafe(12) for name in (LEAD, *INSPECTORS)}

    def cli(*words: str | Path, stdin: str | None = None) -> None:
        thematic(*words, "--data", data, database_url=database_url, stdin=stdin)

    cli("web", "init")
    for name, password in passwords.items():
        cli("web", "adduser", name, "--role", "lead" if name == LEAD else "inspector", "--password-stdin",
            stdin=password + "\n")
    cli("web", "import", unscored_inspection(INSPECTION, tmp_path / "inspection", limit=8))

    inspectors = [Inspector(name, passwords[name], Session(""), seed=n) for n, name in enumerate(INSPECTORS)]
    with serving(data, database_url=database_url, workers=2) as server:
        lead = Session(server.url)
        lead.sign_in(LEAD, passwords[LEAD])
        spread(lead, INSPECTION, list(INSPECTORS))
        for person in inspectors:
            person.session.base = server.url
            person.start(INSPECTION)
        stop = threading.Event()
        threads = [threading.Thread(target=person.run, kwargs={"saves": 1000, "stop": stop}) for person in inspectors]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while sum(len(p.saved) for p in inspectors) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(os.getpgid(_arbiter(server)), signal.SIGKILL)  # arbiter and workers at once, mid-stream
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        assert not any(thread.is_alive() for thread in threads)

    acknowledged = sum(len(p.saved) for p in inspectors)
    assert acknowledged >= ACKNOWLEDGED_BEFORE_KILL, [e for p in inspectors for e in p.errors]
    # The kill was felt: some request after it failed (else the test killed nothing in flight).
    assert any(p.errors for p in inspectors)

    export = tmp_path / "export"
    cli("web", "export", INSPECTION, "-o", export)
    assert check_saves(export, INSPECTION, inspectors) == []
    # No half-written case: every assignment's version is its latest event's.
    found = versions(data, database_url)
    assert found and all(version == latest for version, latest in found.values()), found
    assert sum(version for version, _ in found.values()) >= acknowledged

    with serving(data, database_url=database_url, workers=1) as again:
        person = inspectors[0]
        person.session = Session(again.url)
        person.start(INSPECTION)
        before = len(person.saved)
        person.run(saves=1, stop=threading.Event())
        assert len(person.saved) == before + 1, person.errors[-3:]
    export_again = tmp_path / "export-again"
    cli("web", "export", INSPECTION, "-o", export_again)
    assert check_saves(export_again, INSPECTION, [person]) == []
