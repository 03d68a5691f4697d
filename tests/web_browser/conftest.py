"""Fixtures of the browser tests: one real workspace per database (SQLite, then PostgreSQL), its users,
an inspection assigned to an inspector, and a headless Chromium.

Every test that takes `workspace` runs twice, once per database. The users are fictional inspector
references with passwords generated per run.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from a11y import chromium
from postgres_support import create_database

from .workspace import Server, serving, thematic, unscored_inspection

LEAD, INSPECTOR, OTHER_INSPECTOR, FORCE_USER, PROGRAMME_USER = "lead-t", "insp-t", "insp-u", "force-t", "prog-t"
# The inspection the inspector tests score, imported with the CLI and assigned by the lead in the browser.
SCORED = "exampleshire-2019"


@dataclass
class Workspace:
    backend: str
    server: Server
    database_url: str | None
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    def cli(self, *args: str | Path, stdin: str | None = None) -> Any:
        """`thematic ARGS --data DATA` against this workspace's database."""
        return thematic(*args, "--data", self.server.data, database_url=self.database_url, stdin=stdin)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def workspace(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    backend: str = request.param
    database_url = None
    if backend == "postgres":
        database_url = create_database(request.getfixturevalue("postgres_url"), f"web_{secrets.token_hex(4)}")
    data = tmp_path_factory.mktemp(f"workspace-{backend}") / "data"
    roles = {LEAD: ["lead"], INSPECTOR: ["inspector"], OTHER_INSPECTOR: ["inspector"],
             FORCE_USER: ["force", "--force", "exampleshire"], PROGRAMME_USER: ["programme"]}
    passwords = {name: secrets.token_urlsafe(12) for name in roles}

    def cli(*args: str | Path, stdin: str | None = None) -> Any:
        return thematic(*args, "--data", data, database_url=database_url, stdin=stdin)

    cli("web", "init")
    for name, role in roles.items():
        cli("web", "adduser", name, "--role", *role, "--password-stdin", stdin=passwords[name] + "\n")
    cli("web", "import", unscored_inspection(SCORED, data.parent / "inspection"))
    with serving(data, database_url=database_url) as server:
        yield Workspace(backend, server, database_url, passwords)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser
