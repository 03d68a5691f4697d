"""A consistent snapshot of the workspace's database while the server runs, and restoring one.

SQLite: the database's own online backup (a consistent copy even while saves go on). PostgreSQL:
`pg_dump` in its custom format (one transaction, so consistent too); restore with `pg_restore`
(docs/web.md). The snapshot is written beside the target and moved into place (all or none).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from thematic.core.errors import InputError


def backup(target: str | Path) -> str:
    """Write a snapshot to `target` (a new file or one to replace); which kind it is."""
    path = Path(target).absolute()
    if path.exists() and not path.is_file():
        raise InputError.single(str(target), "exists and is not a regular file", field="-o")
    if not path.parent.is_dir():
        raise InputError.single(str(target), f"{path.parent} is not a folder", field="-o")
    database = settings.DATABASES["default"]
    if path.exists() and connection.vendor == "sqlite" and path.samefile(database["NAME"]):
        raise InputError.single(str(target), "is the workspace's database itself", field="-o")
    handle, staged = tempfile.mkstemp(prefix=".thematic-backup-", dir=path.parent)
    os.close(handle)
    try:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(database["NAME"])
            copy = sqlite3.connect(staged)
            with copy:
                source.backup(copy)
            copy.close()
            source.close()
            kind = "SQLite database"
        else:
            _pg_dump(database, staged)
            kind = "PostgreSQL custom-format dump (restore with pg_restore)"
        os.chmod(staged, 0o600)  # case data: owner-only, like the data folder
        os.replace(staged, path)
    finally:
        if os.path.exists(staged):
            os.unlink(staged)
    return kind


def _pg_dump(database: dict[str, object], staged: str) -> None:
    program = shutil.which("pg_dump") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True)), None)
    if program is None:
        raise InputError.single("pg_dump", "not found: install PostgreSQL's client programs")
    env = dict(os.environ, PGPASSWORD=str(database.get("PASSWORD") or ""))
    command = [program, "--format=custom", "--no-owner", f"--file={staged}", f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        command.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        command.append(f"--port={database['PORT']}")
    if database.get("USER"):
        command.append(f"--username={database['USER']}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InputError.single("pg_dump", done.stderr.strip() or f"exit {done.returncode}")


def restore_sqlite(snapshot: str | Path, data: str | Path) -> None:
    """Put a SQLite snapshot back as the data folder's database (the server must be stopped)."""
    from thematic.web.datadir import database_path, prepare

    folder = prepare(data)
    target = database_path(folder)
    for suffix in ("-wal", "-shm"):  # a stale write-ahead log would be replayed over the snapshot
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(str(snapshot))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    copy.close()
    source.close()
