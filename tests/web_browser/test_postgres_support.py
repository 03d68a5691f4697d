"""The throwaway PostgreSQL server of tests/postgres_support.py answers, and each test database is its own."""
from __future__ import annotations

import psycopg


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
