"""A throwaway PostgreSQL server for tests and benchmarks, started from Debian's binaries.

- `postgres_cluster()`: a context manager that initialises a cluster in a temporary folder, starts it
  on a free loopback port (and a unix socket in that folder), creates a database and yields its URL
  (`postgresql://thematic:PASSWORD@127.0.0.1:PORT/thematic`); on exit the server is stopped and the
  folder removed. Raises `PostgresUnavailable` when PostgreSQL is not installed.
- `create_database(url, name)`: another empty database in the same cluster; returns its URL.
- pytest fixtures (registered in tests/conftest.py): `postgres_url` (session scope, one cluster for
  the run) and `postgres_database` (a fresh empty database per test, in that cluster).

PostgreSQL refuses to run as root, so as root (CI, the development containers) every server program
runs as the `postgres` system user that Debian's package creates. Nothing depends on the package's
own `main` cluster, which may or may not be running.

Without PostgreSQL the fixtures skip with the command that installs it; under `make test`
(THEMATIC_REQUIRE_POSTGRES=1) they fail instead, so that CI cannot pass by skipping.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

INSTALL_HINT = "install it with: apt-get update && apt-get install -y postgresql (or run `make system-tools`)"
REQUIRE_ENV = "THEMATIC_REQUIRE_POSTGRES"
USER = "thematic"
DATABASE = "thematic"
START_ATTEMPTS = 3  # a free port found by binding can be taken by someone else before the server binds it


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed, or cannot be run here."""


def server_bindir() -> Path:
    """The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else pg_config's."""
    # Debian keeps the server programs off PATH, one folder per major version.
    candidates = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(f"PostgreSQL's server programs (initdb, pg_ctl) are not installed; {INSTALL_HINT}")


def _run_as() -> str | None:
    """The system user to run the server as: `postgres` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, but there is no `postgres` system user to run PostgreSQL as; {INSTALL_HINT}"
        ) from None
    return "postgres"


def _temporary_parent(user: str | None) -> str | None:
    """Where the cluster's folder goes: the usual temporary folder, unless the `postgres` user could
    not reach it (a TMPDIR inside root's home), then /tmp."""
    parent = Path(tempfile.gettempdir()).resolve()
    if user is None or all(folder.stat().st_mode & 0o001 for folder in (parent, *parent.parents)):
        return None
    return "/tmp"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command(args: list[str], user: str | None, folder: Path) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        args, user=user, group=user, extra_groups=[] if user else None,
        cwd=folder, capture_output=True, text=True, timeout=120,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    return completed


def _check(completed: subprocess.CompletedProcess[str], what: str, log: Path | None = None) -> None:
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        if log is not None and log.exists():
            detail += "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"PostgreSQL: {what} failed (exit {completed.returncode}):\n{detail}")


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a throwaway cluster; yield the URL of an empty database in it; stop and remove it on exit."""
    bindir = server_bindir()
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="thematic-pg-", dir=_temporary_parent(user)))
    try:
        if user is not None:
            shutil.chown(folder, user=user, group=user)
        data, log = folder / "data", folder / "server.log"
        password = secrets.token_urlsafe(18)
        password_file = folder / "password"
        password_file.write_text(password + "\n")
        if user is not None:
            shutil.chown(password_file, user=user, group=user)
        password_file.chmod(0o600)
        _check(_server_command([
            str(bindir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(password_file),
            "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        ], user, folder), "initdb")
        password_file.unlink()
        started = False
        try:
            for attempt in range(START_ATTEMPTS):
                port = _free_port()
                # fsync off and a socket in our own folder: a fast server that needs no /var/run access.
                options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={folder} "
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
                completed = _server_command([
                    str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                    "-o", options, "start",
                ], user, folder)
                if completed.returncode == 0:
                    started = True
                    break
                if attempt == START_ATTEMPTS - 1:
                    _check(completed, "starting the server", log)
            assert started
            url = f"postgresql://{USER}:{quote(password, safe='')}@127.0.0.1:{port}/{DATABASE}"
            create_database(url, DATABASE)
            yield url
        finally:
            if started:
                _server_command([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def database_url(url: str, name: str) -> str:
    """`url` with its database name replaced by `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def create_database(url: str, name: str) -> str:
    """Create the empty database `name` in the cluster that `url` points at; return its URL."""
    import psycopg
    from psycopg import sql

    if not name.replace("_", "").isalnum():
        raise ValueError(f"database name {name!r}: use letters, digits and underscores only")
    # CREATE DATABASE cannot run in a transaction; connect to the maintenance database to issue it.
    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(url, name)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: PostgreSQL is required here)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of an empty database in a throwaway PostgreSQL cluster shared by the whole test run."""
    try:
        server_bindir()
        _run_as()
    except PostgresUnavailable as error:
        _unavailable(str(error))
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    """The URL of a new, empty database for this test alone (in the session's cluster)."""
    return create_database(postgres_url, f"t_{secrets.token_hex(6)}")
