"""The workspace's data folder: the SQLite database, the secret key and backups, owner-only.

Pure file-system set-up, no Django: the commands call `prepare` before configuring Django, and the
settings module reads what it made through `secret_key` and `database_path`.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from thematic.core.atomic import write_text_atomic
from thematic.core.errors import InputError
from thematic.load.yaml_source import read_text

DEFAULT_DATA = "thematic-data"
ENV_DATA = "THEMATIC_DATA"
ENV_DATABASE_URL = "THEMATIC_DATABASE_URL"
SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "workspace.sqlite3"


def data_folder() -> Path:
    """The data folder the environment names (THEMATIC_DATA), else ./thematic-data."""
    return Path(os.environ.get(ENV_DATA) or DEFAULT_DATA).absolute()


def database_path(folder: Path) -> Path:
    return folder / DATABASE_FILE


def prepare(folder: str | Path) -> Path:
    """Create the data folder (0700) and its secret key (0600) if missing; point THEMATIC_DATA at it."""
    path = Path(folder).absolute()
    if path.exists() and not path.is_dir():
        raise InputError.single(str(folder), "is not a folder; expected the workspace's data folder", field="--data")
    # The folder is owner-only before the key is written into it, so the key is never readable by others.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    key = path / SECRET_KEY_FILE
    if not key.exists():
        write_text_atomic(key, secrets.token_urlsafe(50) + "\n")
    os.chmod(key, 0o600)
    os.environ[ENV_DATA] = str(path)
    return path


def secret_key(folder: Path) -> str | None:
    """The key in the data folder, or None when the folder has not been prepared."""
    key = folder / SECRET_KEY_FILE
    if not key.is_file():
        return None
    return read_text(key, "secret key").strip()
