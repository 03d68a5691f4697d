"""`thematic web ...` and `thematic serve` as a user runs them: real processes, real data folders."""
from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from web_helpers import EXAMPLE, PASSWORD

from thematic.web.testing import start_server


def thematic(*args: str, stdin: str | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("THEMATIC_DATA", "THEMATIC_DATABASE_URL")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "thematic", *args], input=stdin, capture_output=True, text=True,
                          env=environment, timeout=300, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_init_makes_an_owner_only_folder_and_key_and_keeps_the_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert thematic("web", "init", "--data", str(data)).returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    key = data / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    assert len(first.strip()) >= 50
    assert thematic("web", "init", "--data", str(data)).returncode == 0
    assert key.read_text() == first  # a second init never changes the key (sessions would end)


def test_adduser_offers_exactly_the_workspace_s_roles() -> None:
    from thematic.cli import build_parser
    from thematic.core.errors import InputError
    from thematic.web.models import ROLES

    parser = build_parser()
    for role in ROLES:
        assert parser.parse_args(["web", "adduser", "insp-c", "--role", role]).role == role
    with pytest.raises(InputError, match="invalid choice: 'moderator'"):
        parser.parse_args(["web", "adduser", "insp-c", "--role", "moderator"])


def test_adduser_refuses_a_name_that_is_not_a_reference(tmp_path: Path) -> None:
    done = thematic("web", "adduser", "Jane Smith", "--role", "inspector", "--data", str(tmp_path / "d"))
    assert done.returncode == 2
    assert "NAME: expected an inspector's reference" in done.stderr and "Traceback" not in done.stderr
    short = thematic("web", "adduser", "insp-c", "--role", "inspector", "--password-stdin", "--data",
                     str(tmp_path / "d"), stdin="short\n")
    assert short.returncode == 2 and "password:" in short.stderr
    force = thematic("web", "adduser", "force-x", "--role", "force", "--data", str(tmp_path / "d"))
    assert force.returncode == 2 and "--force" in force.stderr


def test_import_of_a_bad_file_exits_2_with_its_location_and_imports_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    (tmp_path / "inspection.yaml").write_text(EXAMPLE.read_text().replace("year: 2019", "year: twenty"))
    (tmp_path / "criteria.yaml").write_text("")
    done = thematic("web", "import", str(tmp_path / "inspection.yaml"), "--data", data)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'inspection.yaml'}:" in done.stderr and "year" in done.stderr
    missing = thematic("web", "export", "exampleshire-2019", "-o", str(tmp_path / "out"), "--data", data)
    assert missing.returncode == 2 and "no inspection of that id" in missing.stderr


def test_backup_while_serving_and_restore(tmp_path: Path) -> None:
    data, snapshot = tmp_path / "data", tmp_path / "snapshot.sqlite3"
    assert thematic("web", "adduser", "lead-a", "--role", "lead", "--password-stdin", "--data", str(data),
                    stdin=PASSWORD + "\n").returncode == 0
    with start_server(data, _free_port()) as server:
        with urllib.request.urlopen(server.url + "/healthz") as answer:
            assert answer.read() == b"ok"
        done = thematic("web", "backup", "-o", str(snapshot), "--data", str(data))
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    with sqlite3.connect(snapshot) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM web_inspection").fetchone() == (0,)
    assert thematic("web", "import", str(EXAMPLE), "--data", str(data)).returncode == 0
    restored = thematic("web", "restore", str(snapshot), "--data", str(data))
    assert restored.returncode == 0, restored.stderr
    # Back to the snapshot: the inspection imported after it is gone, and can be imported again.
    gone = thematic("web", "export", "exampleshire-2019", "-o", str(tmp_path / "out"), "--data", str(data))
    assert gone.returncode == 2
    assert thematic("web", "import", str(EXAMPLE), "--data", str(data)).returncode == 0


def test_backup_of_postgresql_restores_with_pg_restore(tmp_path: Path, postgres_url: str) -> None:
    from postgres_support import create_database

    url = create_database(postgres_url, "web_app_backup")
    env = {"THEMATIC_DATABASE_URL": url}
    data, dump = str(tmp_path / "data"), tmp_path / "workspace.dump"
    assert thematic("web", "import", str(EXAMPLE), "--data", data, env=env).returncode == 0
    done = thematic("web", "backup", "-o", str(dump), "--data", data, env=env)
    assert done.returncode == 0, done.stderr
    target = create_database(postgres_url, "web_app_restored")
    pg_restore = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_restore"), reverse=True)), None)
    assert pg_restore is not None
    restored = subprocess.run([str(pg_restore), "--no-owner", f"--dbname={target}", str(dump)],
                              capture_output=True, text=True, check=False)
    assert restored.returncode == 0, restored.stderr
    import psycopg

    with psycopg.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM web_case").fetchone() == (16,)


def test_deployment_checks_are_clean_in_production_settings(tmp_path: Path) -> None:
    assert thematic("web", "init", "--data", str(tmp_path)).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "THEMATIC_DATABASE_URL"}
    env.update(THEMATIC_DATA=str(tmp_path), THEMATIC_HTTPS="1", DJANGO_SETTINGS_MODULE="thematic.web.settings")
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          capture_output=True, text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_serve_demo_refuses_an_existing_workspace(tmp_path: Path) -> None:
    (tmp_path / "keep").write_text("x")
    done = thematic("serve", "--demo", "--data", str(tmp_path))
    assert done.returncode == 2 and "new or empty folder" in done.stderr


@pytest.mark.parametrize("option", [("--port", "0"), ("--workers", "0")])
def test_serve_refuses_bad_numbers(tmp_path: Path, option: tuple[str, str]) -> None:
    done = thematic("serve", "--data", str(tmp_path), *option)
    assert done.returncode == 2 and option[0] in done.stderr


class _Browser:
    """A signed-in session against a real server: cookies and the CSRF token, as a browser keeps them."""

    def __init__(self, url: str, name: str) -> None:
        import http.cookiejar

        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/sign-in", {"username": name, "password": PASSWORD})

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path) as answer:
            return str(answer.read().decode())

    def post(self, path: str, form: dict[str, str | list[str]]) -> int:
        import re
        import urllib.error
        import urllib.parse

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path if "sign-in" in path else "/"))
        assert token is not None
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token[1]}, doseq=True).encode()
        request = urllib.request.Request(self.url + path, data=body, headers={"Referer": self.url + path})
        try:
            with self.opener.open(request) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)


def test_two_saves_of_the_same_version_at_once_keep_exactly_one(tmp_path: Path) -> None:
    """Against the real server (two worker processes): both saves race; one is stored whole, the other refused."""
    from concurrent.futures import ThreadPoolExecutor

    data = str(tmp_path / "data")
    for name, role in (("lead-a", "lead"), ("insp-a", "inspector")):
        assert thematic("web", "adduser", name, "--role", role, "--password-stdin", "--data", data,
                        stdin=PASSWORD + "\n").returncode == 0
    assert thematic("web", "import", str(EXAMPLE), "--without-answers", "--data", data).returncode == 0
    with start_server(data, _free_port(), workers=2) as server:
        lead = _Browser(server.url, "lead-a")
        page = lead.get("/inspections/exampleshire-2019")
        import re

        first_case = re.search(r'name="case" type="checkbox" value="(\d+)"', page)
        assert first_case is not None
        assert lead.post("/inspections/exampleshire-2019/assign", {"scorer": "insp-a", "case": [first_case[1]]}) == 200
        tabs = [_Browser(server.url, "insp-a") for _ in range(2)]
        link = re.search(r'href="(/assignments/\d+)"', tabs[0].get("/inspections/exampleshire-2019/cases"))
        assert link is not None
        forms = [{"version": "0", "action": "save", "grade": grade, "grade_note": f"note {grade}"}
                 for grade in ("good", "inadequate")]
        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(lambda pair: pair[0].post(link[1], pair[1]), zip(tabs, forms, strict=True)))
        # urllib follows the winner's redirect to the case page (200); the other is refused with 409.
        assert statuses == [200, 409]
        page = tabs[0].get(link[1])
        stored = re.search(r'name="grade" type="radio" value="(\w+)" checked', page)
        assert stored is not None
        assert f"note {stored[1]}" in page  # grade and note from the same save: never half of each
        assert 'name="version" value="1"' in page
