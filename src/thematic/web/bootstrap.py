"""Configure Django for the workspace and bring its database up to date: what every command does first."""
from __future__ import annotations

import os
from pathlib import Path

from thematic.core.errors import InputError
from thematic.web.datadir import ENV_DATABASE_URL, prepare

SETTINGS = "thematic.web.settings"


def setup(data: str | Path, *, migrate: bool = True) -> Path:
    """Prepare the data folder, configure Django from it and (by default) apply migrations."""
    folder = prepare(data)
    url = os.environ.get(ENV_DATABASE_URL)
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise InputError.single(ENV_DATABASE_URL, "expected a postgresql://USER:PASSWORD@HOST:PORT/NAME URL")
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django
    from django.conf import settings

    if not settings.configured or not _configured_for(folder):
        django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return folder


def _configured_for(folder: Path) -> bool:
    # Settings are read once per process; a second data folder in one process is a mistake.
    from django.conf import settings

    return bool(getattr(settings, "DATA", None) == folder)
