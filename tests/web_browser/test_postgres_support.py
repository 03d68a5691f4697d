"""The throwaway PostgreSQL server of tests/postgres_support.py answers, each test database is its own,
and without PostgreSQL the fixture skips (or fails, under `make test`)."""
from __future__ import annotations

import postgres_support
import psycopg
import pytest


def test_the_session_cluster_answers_a_query(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
        # A real server, not something standing in for one.
        version = connection.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 120000


def test_a_per_test_database_is_empty_and_separate(postgres_url: str, postgres_database: str) -> None:
    assert postgres_database != postgres_url
    with psycopg.connect(postgres_database) as connection:
        connection.execute("CREATE TABLE note (body text)")
        connection.execute("INSERT INTO note VALUES ('fictional')")
        connection.commit()
    with psycopg.connect(postgres_url) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'note'"
        ).fetchone()
        assert tables == (0,)


def test_without_postgresql_the_fixture_skips_or_under_make_test_fails(monkeypatch) -> None:
    monkeypatch.delenv(postgres_support.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y postgresql"):
        postgres_support._unavailable(f"not installed; {postgres_support.INSTALL_HINT}")
    monkeypatch.setenv(postgres_support.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="THEMATIC_REQUIRE_POSTGRES=1"):
        postgres_support._unavailable(f"not installed; {postgres_support.INSTALL_HINT}")
