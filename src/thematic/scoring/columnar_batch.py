"""Running a columnar plan (`scoring.columnar`) over a batch of validated JSON Lines, in DuckDB.

The lines of a batch have already been validated beyond doubt in Python (`load.fast_case.fast_case_data`
and the criteria's checks: scoring/stream.py); here they are written, each with its index in the
batch as `_line`, to a file in a folder private to this process, read by DuckDB's JSON reader with
the plan's explicit columns, scored by the plan's query and counted by a GROUP BY over the states,
grades and flags. What comes back is one count per distinct result, and the lines the query
bounced (to be scored in Python: `_bounce`).

The connection runs on one thread (a worker is one core: `--jobs` gives processes), within a
memory limit, and may touch no file outside the batch folder, install or load no extension, and
change none of these settings afterwards. If DuckDB fails on a batch for any reason, or its counts
do not add up to the batch, `run` gives None and the caller scores the whole batch in Python.
duckdb is imported here, on the first batch, never when the CLI starts.
"""
from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from thematic.scoring.aggregate import SummaryAccumulator

__all__ = ["BatchCounts", "ColumnarBatch", "MEMORY_LIMIT", "Plan"]

MEMORY_LIMIT = "256MB"  # per worker; a batch of a few MB of JSON needs far less


class Plan(Protocol):
    """What this module needs of `scoring.columnar.ColumnarPlan` (see its docstring)."""

    @property
    def columns(self) -> str: ...

    @property
    def criteria_ids(self) -> tuple[str, ...]: ...

    def setup(self) -> Sequence[str]: ...

    def query(self, relation: str, *, set_up: bool = False) -> str: ...


@dataclass
class BatchCounts:
    """What the query made of a batch: the counts of the lines it scored, and the lines it bounced."""

    summary: SummaryAccumulator
    scored: int
    bounced: list[int]  # indices into the batch, in order


def _sql_text(text: str) -> str:
    """`text` as an SQL string literal (quotes doubled; a NUL refused)."""
    if "\0" in text:
        raise ValueError("a NUL character cannot go into SQL text")
    return "'" + text.replace("'", "''") + "'"


class ColumnarBatch:
    """One process's DuckDB connection, running one plan over batch after batch."""

    def __init__(self, plan: Plan, criteria: Sequence[tuple[str, str]]) -> None:
        import duckdb  # here: importing it costs start-up time a run without a batch never needs

        if tuple(criteria_id for criteria_id, _ in criteria) != plan.criteria_ids:
            raise ValueError("the plan's criteria are not the summary's, in the same order")
        self.plan = plan
        self.criteria = list(criteria)
        self.folder = tempfile.mkdtemp(prefix="thematic-columnar-")
        # Removed when the process ends normally, pool workers included (multiprocessing runs these
        # finalisers before a worker exits, where atexit does not run).
        self._cleanup = multiprocessing.util.Finalize(self, shutil.rmtree, args=(self.folder, True), exitpriority=10)
        self.path = os.path.join(self.folder, "batch.jsonl")
        self.handle: Any = None  # the open batch's file (`begin`)
        self.error: type[Exception] = duckdb.Error
        # What DuckDB raises for a query it cannot take at all, whatever the batch (not for a batch's data).
        self.unbindable: tuple[type[Exception], ...] = (duckdb.ParserException, duckdb.BinderException,
                                                        duckdb.CatalogException)
        self.connection: Any = duckdb.connect(":memory:", config={
            "threads": 1, "memory_limit": MEMORY_LIMIT, "autoinstall_known_extensions": False,
            "autoload_known_extensions": False})
        folder = _sql_text(self.folder)
        for setting in (f"SET temp_directory = {folder}", f"SET allowed_directories = [{folder}]",
                        "SET enable_external_access = false", "SET lock_configuration = true"):
            self.connection.execute(setting)
        n = len(plan.criteria_ids)
        try:
            # After the lock: the plan's own SQL (constant tables) runs with no file access and no setting to change.
            for statement in plan.setup():
                self.connection.execute(statement)
        except self.error:
            self.usable = False
            return
        states = ", ".join(f"s{i}" for i in range(n))
        relation = (f"read_json({_sql_text(self.path)}, format = 'newline_delimited', "
                    f"columns = {plan.columns})")
        # A bounced row keeps its own group (by its line) and its other columns are not read.
        self.query = (f"WITH r AS ({plan.query(relation, set_up=True)}) "
                      f"SELECT coalesce(_bounce, true) AS b, CASE WHEN coalesce(_bounce, true) THEN _line END AS l, "
                      f"{states}{', ' if n else ''}suggested_grade, grade, provisional, referred_back, "
                      f"count(*) AS n FROM r GROUP BY ALL")
        self.width = n
        # Not prepared: DuckDB 2.0 binds and optimises a prepared statement that reads a file or table again
        # at every EXECUTE (0.085 s of the shipped set's query, as much as PREPARE), so preparing it would
        # only bind it once more. That is the fixed cost of a batch, and why batches are large.
        self.usable = True  # False once DuckDB has refused the query itself (the caller then keeps to Python)

    def begin(self) -> None:
        """Start a new batch (its file written as lines are added, so no copy of them is held)."""
        # A large buffer: lines of a few kB each would fill the default 8 kB one every few writes.
        self.handle = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by finish or discard
        self.size = 0  # lines
        self.written = 0  # bytes

    def add(self, raw: bytes) -> None:
        """Add a validated JSON object (one line) to the batch, as line `self.size` of it."""
        write = self.handle.write
        # `{"_line":i,` in place of the opening brace: every line is an object with at least one key.
        self.written += write(b'{"_line":%d,' % self.size)
        if raw[:1] == b"{" and raw[-1:] == b"\n" and raw[-2:-1] != b"\r":
            self.written += write(memoryview(raw)[1:])
        else:
            self.written += write(raw.lstrip()[1:].rstrip() + b"\n")
        self.size += 1

    def finish(self) -> BatchCounts | None:
        """Score the batch: its counts, or None if DuckDB could not, or its counts are off. The batch's
        lines stay readable (`texts`) until `discard`."""
        self.handle.close()
        try:
            rows = self.connection.execute(self.query).fetchall()
        except self.unbindable:
            self.usable = False
            return None
        except self.error:
            return None
        return self._counts(rows, self.size)

    def texts(self, indices: Sequence[int] | None = None) -> Iterator[tuple[int, bytes]]:
        """(index, text) of the batch's lines, all or those of `indices`, in order, read back from its
        file: each is its line as added, without leading white space and ending in one newline."""
        wanted = None if indices is None else set(indices)
        left = self.size if wanted is None else len(wanted)
        with open(self.path, "rb") as handle:
            for index, line in enumerate(handle):
                if left == 0:
                    return
                if wanted is None or index in wanted:
                    left -= 1
                    yield index, b"{" + line[line.index(b",") + 1:]  # the `{"_line":i,` prefix undone

    def discard(self) -> None:
        """Drop the batch (scored or not) and its file."""
        if self.handle is not None:
            with contextlib.suppress(OSError):  # what could not be written is dropped anyway
                self.handle.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def run(self, lines: Sequence[bytes]) -> BatchCounts | None:
        """Score `lines` (validated JSON objects, one a line) as one batch."""
        self.begin()
        for raw in lines:
            self.add(raw)
        try:
            return self.finish()
        finally:
            self.discard()

    def _counts(self, rows: list[tuple[Any, ...]], size: int) -> BatchCounts | None:
        summary = SummaryAccumulator(self.criteria)
        bounced: list[int] = []
        scored = 0
        width = self.width
        for row in rows:
            if row[0] is not False:
                line = row[1]
                if type(line) is not int or not 0 <= line < size:
                    return None
                bounced.append(line)
                continue
            count = row[-1]
            suggested, grade, provisional, referred_back = row[2 + width:6 + width]
            if type(provisional) is not bool or type(referred_back) is not bool or type(suggested) is not str:
                return None
            try:
                summary.add_counts(list(row[2:2 + width]), suggested, grade, provisional, referred_back, count)
            except ValueError:
                return None
            scored += count
        bounced.sort()
        if scored + len(bounced) != size or len(set(bounced)) != len(bounced):
            return None  # every line counted once, or the batch is scored in Python
        return BatchCounts(summary, scored, bounced)

    def close(self) -> None:
        self.connection.close()
        self._cleanup()
