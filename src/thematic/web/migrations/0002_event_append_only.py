"""Database triggers that refuse UPDATE and DELETE on the audit events, whatever the client."""
from __future__ import annotations

from typing import Any

from django.db import migrations

_SQLITE = [
    "CREATE TRIGGER web_event_no_update BEFORE UPDATE ON web_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER web_event_no_delete BEFORE DELETE ON web_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]
_POSTGRES = [
    "CREATE FUNCTION web_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
    "CREATE TRIGGER web_event_no_change BEFORE UPDATE OR DELETE ON web_event "
    "FOR EACH ROW EXECUTE FUNCTION web_event_append_only()",
    "CREATE TRIGGER web_event_no_truncate BEFORE TRUNCATE ON web_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION web_event_append_only()",
]


def _add_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = _SQLITE if vendor == "sqlite" else _POSTGRES if vendor == "postgresql" else []
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]
    operations = [migrations.RunPython(_add_triggers, migrations.RunPython.noop)]
