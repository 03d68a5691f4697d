"""Reading the tables of a force's export from a SQL database (for `thematic import-table`): one query
per table, through SQLAlchemy 2, streamed.

`database_url` finds the connection URL (given, `env:NAME`, or the THEMATIC_IMPORT_DATABASE_URL
variable) and keeps its password out of every message: `DatabaseUrl.shown` hides it and `scrub`
removes it from a driver's error text. `Database` opens one read-only connection; `query` runs a
query and returns a `load.tables.Table` whose columns are the query's and whose rows are an
iterator numbered from 1, fetched in batches (`stream_results`, `yield_per`), so a table of a
million rows never has to be in memory at once. Nothing is ever committed: the connection is
read-only where the database allows it, and its transaction is rolled back when it closes.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from thematic.core.errors import InputError, Problem
from thematic.load.tables import Row, Table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult

__all__ = ["ENV_VARIABLE", "DatabaseUrl", "Database", "database_url", "BATCH_ROWS"]

#: The variable that holds the connection URL when --database-url is not given.
ENV_VARIABLE = "THEMATIC_IMPORT_DATABASE_URL"
#: Rows fetched from the database at a time: memory holds one batch of a query, not the query.
BATCH_ROWS = 1000
_PLACE = "--database-url"


@dataclass(frozen=True, repr=False)
class DatabaseUrl:
    """A connection URL, and the way messages show it (the password hidden)."""

    url: str
    shown: str
    password: str | None = None

    def __repr__(self) -> str:  # a traceback or a debugger never shows the password
        return f"DatabaseUrl({self.shown!r})"

    def scrub(self, text: str) -> str:
        """`text` (a driver's message) without the password or the URL that holds it."""
        text = text.replace(self.url, self.shown)
        if self.password:  # as written in the URL (%-encoded) and as sent
            text = text.replace(quote(self.password, safe=""), "***").replace(self.password, "***")
        return text


def database_url(given: str | None, environ: Mapping[str, str] | None = None) -> DatabaseUrl | None:
    """The URL to read: `given` (or, for `env:NAME`, the variable NAME), else the variable
    THEMATIC_IMPORT_DATABASE_URL, else None. InputError for a variable that is not set or a URL
    SQLAlchemy cannot read, never showing the password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    env = os.environ if environ is None else environ
    if given is not None and given.startswith("env:"):
        name = given[4:]
        if not name or name not in env or not env[name].strip():
            raise InputError.single(_PLACE, f'"{given}": the environment variable {name or "(no name)"} is not set '
                                            "(or is empty); set it to the connection URL")
        text, origin = env[name].strip(), f"the variable {name}"
    elif given is not None:
        text, origin = given.strip(), _PLACE
    elif env.get(ENV_VARIABLE, "").strip():
        text, origin = env[ENV_VARIABLE].strip(), f"the variable {ENV_VARIABLE}"
    else:
        return None
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        # The text may hold a password: say what is expected without repeating it.
        raise InputError.single(origin, "is not a database URL; expected e.g. postgresql+psycopg://USER@HOST/NAME "
                                        "or sqlite:///warehouse.db") from None
    if parsed.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2; psycopg 3 is installed
        parsed = parsed.set(drivername="postgresql+psycopg")
    found = DatabaseUrl(parsed.render_as_string(hide_password=False), parsed.render_as_string(hide_password=True),
                        parsed.password)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:") \
            and not Path(database).is_file():
        # SQLite would create an empty database there: reading one must not write a file.
        raise InputError.single(found.shown, f"no such SQLite database file: {database}")
    return found


class Database:
    """One read-only connection to the database of `url`; a context manager that closes it."""

    def __init__(self, url: DatabaseUrl) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import SQLAlchemyError

        self.url = url
        try:
            self.engine = create_engine(url.url)
            self.connection: Connection = self.engine.connect()
            self._read_only()
        except (SQLAlchemyError, ImportError) as exc:
            raise InputError.single(url.shown, f"cannot connect: {self.reason(exc)}") from None

    def _read_only(self) -> None:
        """Refuse writes for this connection where the database can: a mapping's query only reads."""
        from sqlalchemy import text

        dialect = self.connection.dialect.name
        if dialect == "postgresql":
            self.connection.execute(text("SET TRANSACTION READ ONLY"))
        elif dialect == "sqlite":
            self.connection.execute(text("PRAGMA query_only = ON"))

    def reason(self, exc: BaseException) -> str:
        """A driver's message, first line only, without the password."""
        orig = getattr(exc, "orig", None) or exc
        lines = str(orig).strip().splitlines() or [type(orig).__name__]
        return self.url.scrub(lines[0].strip())

    def query(self, name: str, sql: str) -> Table:
        """Run `sql`; a Table named `name` with the query's columns, its rows streamed as they are read.
        InputError (at `name`) if the query fails, returns no rows at all, or has a column without a name."""
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        # SQLAlchemy reads ":word" as a parameter (and keeps "%" and "::" as written for every driver).
        clause = text(sql)
        parameters = list(clause.compile().params)
        if parameters:
            raise InputError.single(name, f'":{parameters[0]}" would be a parameter, and a query here takes none; '
                                          f'write a colon before a word as \\: (e.g. \'a \\:{parameters[0]}\')')
        try:
            result: CursorResult[Any] = self.connection.execution_options(
                stream_results=True, yield_per=BATCH_ROWS).execute(clause)
        except SQLAlchemyError as exc:
            raise InputError.single(name, f"the query failed: {self.reason(exc)}") from None
        if not result.returns_rows:
            result.close()
            raise InputError.single(name, "is not a query that returns rows; expected SELECT …")
        columns = [str(c).strip() for c in result.keys()]
        unnamed = [i + 1 for i, c in enumerate(columns) if not c]
        if unnamed:
            result.close()
            raise InputError.single(name, f"column {unnamed[0]} of the query has no name; name it with AS")
        return Table(name, columns, 0, self._rows(name, result))

    def _rows(self, name: str, result: CursorResult[Any]) -> Iterator[Row]:
        from sqlalchemy.exc import SQLAlchemyError

        number = 0
        try:
            for record in result:
                number += 1
                yield Row(number, tuple(record))
        except SQLAlchemyError as exc:
            raise InputError([Problem(f"{name} row {number + 1}", f"cannot be read: {self.reason(exc)}")]) from None
        finally:
            result.close()

    def close(self) -> None:
        try:
            self.connection.rollback()  # nothing a query did is ever kept
        finally:
            self.connection.close()
            self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
