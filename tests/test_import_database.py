"""import-table reading a SQL database (issue 16 item 2): one query per table, through SQLAlchemy, the
same mapping language and located errors, streamed rows, no password shown; SQLite and PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from tabular_helpers import EXPORTS, build_warehouse

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.database_tables import BATCH_ROWS, ENV_VARIABLE, Database, database_url

WAREHOUSE_MAPPING = EXPORTS / "westmoor-warehouse" / "mapping.yaml"
SECRET = "Fict-Secret-7731"  # a password that must never appear in what the command prints


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def case_files(folder: Path) -> dict[str, str]:
    """Each case file without its first line (the comment naming the table and row it came from)."""
    out = {}
    for path in sorted(folder.iterdir()):
        first, rest = path.read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith("# Imported by thematic import-table from ")
        out[path.name] = rest
    return out


@pytest.fixture(scope="module")
def long_cases(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("long") / "cases"
    assert main(["import-table", str(EXPORTS / "westmoor" / "cases.csv"), "--mapping",
                 str(EXPORTS / "westmoor" / "mapping.yaml"), "-o", str(out)]) == 0
    return case_files(out)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    build_warehouse(url)
    return url


def with_password(url: str, password: str) -> str:
    """The PostgreSQL URL with its user's password replaced (scheme for SQLAlchemy's psycopg driver)."""
    from sqlalchemy.engine import make_url

    return make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)).set(password=password) \
        .render_as_string(hide_password=False)


@pytest.fixture
def pg_url(postgres_database) -> str:
    url = postgres_database.replace("postgresql://", "postgresql+psycopg://", 1)
    build_warehouse(url)
    return url


# --- the warehouse imports to the long export's case files ---------------------------------------

def test_a_sqlite_warehouse_imports_to_the_same_case_files_as_the_long_export(
        sqlite_url, long_cases, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", sqlite_url)
    code, out, err = run(capsys, "import-table", "--database-url", "env:WAREHOUSE_URL", "--mapping",
                         WAREHOUSE_MAPPING, "-o", tmp_path / "cases")
    assert code == 0, err
    assert "imported 20 case(s) from 7 table(s)" in out
    assert err == ""  # every column of every query mapped or ignored
    assert case_files(tmp_path / "cases") == long_cases


def test_a_postgresql_warehouse_imports_to_the_same_case_files(pg_url, long_cases, tmp_path, capsys, monkeypatch):
    from sqlalchemy.engine import make_url

    password = make_url(pg_url).password
    assert password  # the fixture's server asks for one: it must not be shown
    monkeypatch.setenv(ENV_VARIABLE, pg_url)
    code, out, err = run(capsys, "import-table", "--mapping", WAREHOUSE_MAPPING, "-o", tmp_path / "cases")
    assert code == 0, err
    assert password not in out + err
    assert case_files(tmp_path / "cases") == long_cases
    # The cases' provenance names the query and its row.
    first = (tmp_path / "cases" / "WM-2019-001.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Imported by thematic import-table from the cases query row 1 (mapping: ")


# --- located errors --------------------------------------------------------------------------------

def warehouse_mapping(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = WAREHOUSE_MAPPING.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_mapping_mistakes_against_a_query_are_all_reported_at_their_lines(sqlite_url, tmp_path, capsys):
    path = warehouse_mapping(
        tmp_path,
        ("    child.age: age", "    child.age: agee"),                             # not a column of the query
        ("      FROM wm_referral ORDER BY row_id", "      FROM wm_referal ORDER BY row_id"),  # no such table
        ('"High": 4', '"High": 8'),                                              # a bad value mapping
    )
    code, _, err = run(capsys, "import-table", "--database-url", sqlite_url, "--mapping", path, "-o",
                       tmp_path / "out")
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, err
    assert f"mapping.yaml:{line_of(path, 'child.age: agee')}: cases.fields.child.age: " \
           'column "agee" is not in the cases query; did you mean "age"?' in err
    referral_query = next(n for n, line in enumerate(path.read_text().splitlines(), 1)
                          if "referrals:" in line) + 1
    assert f"mapping.yaml:{referral_query}: tables.referrals.query: the query failed: " in err
    assert "no such table: wm_referal" in err
    assert "8 is outside whole number 1–5" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_cell_is_located_at_its_query_row_and_column(sqlite_url, tmp_path, capsys):
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE wm_incident SET risk = 'Hgih' WHERE row_id = 5"))
    engine.dispose()
    code, _, err = run(capsys, "import-table", "--database-url", sqlite_url, "--mapping", WAREHOUSE_MAPPING, "-o",
                       tmp_path / "out")
    assert code == 2
    assert 'the incidents query row 5, column "risk": "Hgih" is not one of V High, High, Med, Low, V Low; ' \
           'did you mean "High"?' in err


def test_a_query_that_writes_is_refused_and_changes_nothing(sqlite_url, tmp_path, capsys):
    path = warehouse_mapping(tmp_path, ("  query: SELECT * FROM wm_case ORDER BY case_ref",
                                        "  query: DELETE FROM wm_device"))
    code, _, err = run(capsys, "import-table", "--database-url", sqlite_url, "--mapping", path, "-o",
                       tmp_path / "out")
    assert code == 2 and "cases.query: the query failed" in err and "readonly" in err
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM wm_device")).scalar() == 7
    engine.dispose()


def test_a_wrong_password_is_reported_without_it(pg_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", with_password(pg_url, SECRET))
    code, out, err = run(capsys, "import-table", "--database-url", "env:WAREHOUSE_URL", "--mapping",
                         WAREHOUSE_MAPPING, "-o", tmp_path / "out")
    assert code == 2 and "Traceback" not in err
    assert "cannot connect" in err and "password authentication failed" in err
    assert SECRET not in out + err
    assert "***" in err  # the URL is shown, its password hidden


def test_a_password_on_the_command_line_is_warned_about_and_not_printed(pg_url, tmp_path, capsys):
    code, out, err = run(capsys, "import-table", "--database-url", pg_url, "--mapping", WAREHOUSE_MAPPING, "-o",
                         tmp_path / "cases")
    from sqlalchemy.engine import make_url

    password = make_url(pg_url).password
    assert code == 0, err
    assert "warning: --database-url holds a password" in err
    assert password and password not in out + err


@pytest.mark.parametrize("argv, message", [
    (["--database-url", "env:NO_SUCH_VARIABLE_7731"], "the environment variable NO_SUCH_VARIABLE_7731 is not set"),
    (["--database-url", f"not a url {SECRET}"], "is not a database URL"),
    (["TABLE.csv", "--database-url", "sqlite://"], "give TABLE (a file export) or --database-url"),
    ([], "TABLE (or --database-url) required"),
])
def test_usage_mistakes_are_clear_and_show_no_secret(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    code, out, err = run(capsys, "import-table", *argv, "--mapping", WAREHOUSE_MAPPING, "-o", tmp_path / "out")
    assert code == 2 and message in err and "Traceback" not in err
    assert SECRET not in out + err


def test_a_query_in_a_file_import_asks_for_a_database(tmp_path, capsys):
    path = warehouse_mapping(tmp_path)
    (tmp_path / "cases.csv").write_bytes((EXPORTS / "westmoor" / "cases.csv").read_bytes())
    code, _, err = run(capsys, "import-table", tmp_path / "cases.csv", "--mapping", path, "-o", tmp_path / "out")
    assert code == 2
    assert f"mapping.yaml:{line_of(path, 'query: SELECT * FROM wm_case')}: cases.query: a query reads a " \
           "database: give --database-url" in err


def test_a_file_table_in_a_database_import_asks_for_a_query(sqlite_url, tmp_path, capsys):
    text = WAREHOUSE_MAPPING.read_text(encoding="utf-8")
    start = text.index("    query: >-\n      SELECT case_ref, exhibit_ref")
    end = text.index("ORDER BY row_id\n", start) + len("ORDER BY row_id\n")
    path = warehouse_mapping(tmp_path, (text[start:end], "    file: devices.csv\n"))
    code, _, err = run(capsys, "import-table", "--database-url", sqlite_url, "--mapping", path, "-o", tmp_path / "o")
    assert code == 2 and "Traceback" not in err
    assert f"mapping.yaml:{line_of(path, '  devices:')}: tables.devices: give the query" in err
    assert not (tmp_path / "o").exists()


# --- streaming -------------------------------------------------------------------------------------

MANY = 100_000
COUNTING = (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MANY}) "
            "SELECT i AS case_ref, 'a fictional value of some length, as a record system holds' AS note FROM n")


def peak_while_reading(url: str, sql: str) -> tuple[int, int]:
    """(rows read, the most memory Python held at once while reading them)."""
    found = database_url(url)
    assert found is not None
    with Database(found) as db:
        tracemalloc.start()
        try:
            table = db.query("the cases query", sql)
            count = sum(1 for _ in table.rows)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return count, peak


def test_a_large_query_streams_in_batches_on_sqlite(tmp_path):
    count, peak = peak_while_reading("sqlite://", COUNTING)  # an in-memory database
    assert count == MANY
    # Held whole, 100,000 rows of this size take over 20 MB; in batches of BATCH_ROWS, a few.
    assert peak < 8_000_000, peak
    assert BATCH_ROWS < MANY


def test_a_large_query_streams_through_a_server_side_cursor_on_postgresql(postgres_database):
    url = postgres_database.replace("postgresql://", "postgresql+psycopg://", 1)
    count, peak = peak_while_reading(url, f"SELECT i AS case_ref, repeat('x', 60) AS note "
                                          f"FROM generate_series(1, {MANY}) AS i")
    assert count == MANY
    assert peak < 8_000_000, peak


def test_reading_a_database_does_not_load_sqlalchemy_at_start_up():
    code = "import sys, thematic.cli; print('sqlalchemy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_url_never_shows_its_password():
    found = database_url(f"postgresql+psycopg://inspector:{SECRET}@db.example/warehouse")
    assert found is not None
    assert SECRET not in found.shown and SECRET not in repr(found)
    assert SECRET not in found.scrub(f"FATAL: bad login for {found.url} with {SECRET}")
    with pytest.raises(InputError) as caught:
        database_url("env:")
    assert "not set" in str(caught.value)


# --- the query as written ------------------------------------------------------------------------

def read_all(url: str, sql: str) -> list[tuple]:
    found = database_url(url)
    assert found is not None
    with Database(found) as db:
        return [row.cells for row in db.query("the cases query", sql).rows]


def test_a_colon_before_a_word_is_named_and_its_escape_works():
    with pytest.raises(InputError) as caught:
        read_all("sqlite://", "SELECT 'ref :a' AS case_ref")
    assert '":a" would be a parameter' in str(caught.value) and "\\:" in str(caught.value)
    assert read_all("sqlite://", "SELECT 'ref \\:a' AS case_ref, '10:00' AS at") == [("ref :a", "10:00")]


def test_percent_signs_and_casts_reach_postgresql_as_written(pg_url):
    rows = read_all(pg_url, "SELECT case_ref, age::text AS age FROM wm_case "
                            "WHERE case_ref LIKE 'WM-2019-00%' AND age > 15 ORDER BY case_ref")
    assert rows and all(ref.startswith("WM-2019-00") and isinstance(age, str) and int(age) > 15 for ref, age in rows)


def test_a_query_that_writes_is_refused_on_postgresql(pg_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE SEQUENCE wm_fictional_seq"))
    engine.dispose()
    with pytest.raises(InputError):  # a streamed query is a cursor, which only a SELECT can be
        read_all(pg_url, "DELETE FROM wm_device RETURNING case_ref")
    with pytest.raises(InputError) as caught:  # and the transaction is read-only
        read_all(pg_url, "SELECT nextval('wm_fictional_seq') AS case_ref")
    assert "read-only transaction" in str(caught.value)
    assert len(read_all(pg_url, "SELECT case_ref FROM wm_device")) == 7


def test_a_sqlite_file_that_is_not_there_is_reported_and_not_created(tmp_path, capsys):
    missing = tmp_path / "no-such-warehouse.db"
    code, _, err = run(capsys, "import-table", "--database-url", f"sqlite:///{missing}", "--mapping",
                       WAREHOUSE_MAPPING, "-o", tmp_path / "out")
    assert code == 2 and "no such SQLite database file" in err
    assert not missing.exists()


def test_a_percent_encoded_password_is_hidden_as_written_and_as_sent():
    found = database_url("postgresql+psycopg://inspector:Fict%40Secret%2F1@db.example/warehouse")
    assert found is not None and found.password == "Fict@Secret/1"
    assert "Secret" not in found.scrub("login failed: Fict@Secret/1, from Fict%40Secret%2F1")


def test_a_wide_table_in_a_database_is_read_by_its_column_groups(tmp_path, long_cases, capsys):
    """The wide export as one database table (its headings as column names, its cells as text): the
    wide mapping with a query instead of the file gives the long export's case files."""
    import csv

    from sqlalchemy import create_engine, text

    with open(EXPORTS / "westmoor-wide" / "cases.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    url = f"sqlite:///{tmp_path / 'wide.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE wm_wide (" + ", ".join(f'"{h}" TEXT' for h in header) + ")")
        names = [f"c{i}" for i in range(len(header))]
        connection.execute(text(f"INSERT INTO wm_wide VALUES ({', '.join(':' + n for n in names)})"),
                           [dict(zip(names, [v or None for v in row], strict=True)) for row in rows])
    engine.dispose()
    mapping = (EXPORTS / "westmoor-wide" / "mapping.yaml").read_text(encoding="utf-8")
    assert mapping.count("  id: Case Ref\n") == 1
    query = "  query: 'SELECT * FROM wm_wide ORDER BY \"Case Ref\"'\n"
    mapping = mapping.replace("  id: Case Ref\n", "  id: Case Ref\n" + query)
    (tmp_path / "mapping.yaml").write_text(mapping, encoding="utf-8")
    code, _, err = run(capsys, "import-table", "--database-url", url, "--mapping", tmp_path / "mapping.yaml", "-o",
                       tmp_path / "cases")
    assert code == 0, err
    assert case_files(tmp_path / "cases") == long_cases


def test_a_plain_postgresql_url_uses_the_installed_driver(postgres_database):
    assert postgres_database.startswith("postgresql://")
    assert read_all(postgres_database, "SELECT 'WM-2019-001' AS case_ref") == [("WM-2019-001",)]
