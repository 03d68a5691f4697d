"""The workspace's tests: Django configured once per run, a database per backend (SQLite and
PostgreSQL), every test in a transaction rolled back at its end.

Django reads its settings once per process, so this folder's conftest sets THEMATIC_DATA (a temporary
data folder) before configuring it; the PostgreSQL variant re-points the default connection at a
database of web-infra's throwaway cluster (`postgres_url`), migrated once.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_DATA = Path(tempfile.mkdtemp(prefix="thematic-web-tests-"))
os.environ.setdefault("THEMATIC_DATA", str(_DATA))
os.environ.pop("THEMATIC_DATABASE_URL", None)  # SQLite first; the postgresql fixture re-points
os.environ["DJANGO_SETTINGS_MODULE"] = "thematic.web.settings"

from thematic.web.datadir import prepare  # noqa: E402

prepare(os.environ["THEMATIC_DATA"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from thematic.web.settings import _database  # noqa: E402

# Argon2 is slow by design (about half a second per password on this machine, and every test makes
# seven accounts); the tests use a fast hasher, except test_web_pages' Argon2 test and the real server.
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inspections" / "exampleshire-2019.yaml"
_SQLITE = dict(connections.settings["default"])
_migrated: set[str] = set()


def _point_at(config: dict[str, Any]) -> None:
    connections["default"].close()
    del connections["default"]
    connections.settings["default"] = connections.configure_settings({"default": config})["default"]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database the tests run on; PostgreSQL from web-infra's throwaway cluster."""
    if request.param == "postgresql":
        try:
            from postgres_support import create_database
        except ImportError:  # web-infra's module absent: nothing to run PostgreSQL with
            pytest.skip("tests/postgres_support.py is absent")
        url = request.getfixturevalue("postgres_url")
        name = f"web_app_{secrets.token_hex(4)}"
        _point_at(_database(create_database(url, name)))
    else:
        _point_at(_SQLITE)
    with _unblocked(request):
        if request.param not in _migrated:
            call_command("migrate", interactive=False, verbosity=0)
            _migrated.add(request.param)
    yield request.param
    _point_at(_SQLITE)


def _unblocked(request: pytest.FixtureRequest) -> Any:
    """pytest-django blocks database access outside its own fixtures; these tests manage their own."""
    blocker = request.getfixturevalue("django_db_blocker")
    return blocker.unblock() if blocker is not None else contextlib.nullcontext()


@pytest.fixture()
def web_db(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A test's database work, rolled back at its end (the tables stay migrated)."""
    with _unblocked(request):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield backend
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
