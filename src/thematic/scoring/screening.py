"""Screening a whole caseload: the cases failing chosen criteria, as a CSV list for a safeguarding team.

A case is listed when any chosen criterion is not met or not evidenced on it. The list is sorted
by the most serious failing severity (critical, major, minor), then by recency (reported_at, most
recent first), then in input order. Each row names the case, the child's reference, the force,
the category, when it was reported, and the failing criteria with their states, severities and
evidence. Cases are scored in streaming chunks (thematic.scoring.stream); the rows are sorted in runs that
spill to temporary files beyond SORT_RUN rows and are merged at the end, so a caseload of any size
is screened in bounded memory. Evidence is built only for the cases listed.
"""
from __future__ import annotations

import csv
import heapq
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from thematic.core.errors import InputError
from thematic.core.formulas import csv_row
from thematic.model.case import Case
from thematic.model.criteria import SEVERITIES
from thematic.model.results import FAILED, CaseResult
from thematic.scoring.caseload import AtomicOutput
from thematic.scoring.criteria import CriteriaSet
from thematic.scoring.evaluate import Scorer
from thematic.scoring.expr import format_value
from thematic.scoring.stream import CaseloadJob, ChunkResult, run_caseload

COLUMNS = ("case_id", "child_ref", "force", "category", "reported_at", "highest_severity",
           "failing_criteria", "states", "severities", "evidence")
SORT_RUN = 50_000
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # critical first
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScreenOptions:
    """The chosen criteria, in the order given, with their severities."""

    criteria: tuple[str, ...]
    severities: dict[str, str]


@dataclass(frozen=True)
class ScreenResult:
    cases: int        # cases scored
    listed: int       # cases listed (failing a chosen criterion)
    output: str | None


def parse_criteria_list(text: str, criteria: CriteriaSet) -> ScreenOptions:
    """`RISK-01,RISK-02,CRM-01` → ScreenOptions; InputError naming any unknown or repeated id."""
    known = {c.id: c.definition.severity for c in criteria.criteria}
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    if not chosen:
        raise InputError.single("--fail", "expected criterion ids separated by commas, e.g. RISK-01,RISK-02,CRM-01")
    problems = [f"unknown criterion '{cid}'" for cid in chosen if cid not in known]
    problems += [f"'{cid}' is given twice" for cid in sorted({c for c in chosen if chosen.count(c) > 1})]
    if problems:
        raise InputError.single("--fail", "; ".join(problems) + f"; criteria are: {', '.join(known)}")
    return ScreenOptions(tuple(chosen), {cid: known[cid] for cid in chosen})

#: A listed case: its sort key (severity rank, newest first, file, line) and its CSV cells.
ScreenRow = tuple[tuple[int, int, int, int], list[str]]


def screen_row(case: Case, result: CaseResult, full: Scorer, file_index: int, line: int,
               options: ScreenOptions) -> ScreenRow | None:
    """(sort key, CSV cells) of a case failing a chosen criterion, else None. Runs in the workers."""
    failing = [cid for cid in options.criteria if result.results[cid].state in FAILED]
    if not failing:
        return None
    failing.sort(key=lambda cid: _RANK[options.severities[cid]])  # stable: the order given within a severity
    evidence = full.score(case).results  # with evidence text, for the few cases listed
    highest = options.severities[failing[0]]
    recency = (case.reported_at - _EPOCH) // timedelta(microseconds=1)
    cells = [case.case_id, case.child.ref, case.force, case.category, format_value(case.reported_at), highest,
             "; ".join(failing), "; ".join(result.results[cid].state for cid in failing),
             "; ".join(options.severities[cid] for cid in failing),
             " | ".join(f"{cid}: {evidence[cid].evidence}" for cid in failing)]
    return (_RANK[highest], -recency, file_index, line), csv_row(cells)  # no cell runs as a formula


class _RunSorter:
    """Rows sorted in memory up to SORT_RUN at a time, spilled to temporary files, merged at the end."""

    def __init__(self) -> None:
        self.rows: list[ScreenRow] = []
        self.runs: list[IO[bytes]] = []
        self.count = 0

    def add(self, rows: Iterable[ScreenRow]) -> None:
        for row in rows:
            self.rows.append(row)
            self.count += 1
            if len(self.rows) >= SORT_RUN:
                self._spill()

    def _spill(self) -> None:
        self.rows.sort(key=lambda row: row[0])
        run = tempfile.TemporaryFile()
        for row in self.rows:
            pickle.dump(row, run, protocol=pickle.HIGHEST_PROTOCOL)
        run.seek(0)
        self.runs.append(run)
        self.rows = []

    @staticmethod
    def _read(run: IO[bytes]) -> Iterator[ScreenRow]:
        while True:
            try:
                yield pickle.load(run)  # noqa: S301 - our own temporary file
            except EOFError:
                return

    def sorted(self) -> Iterator[ScreenRow]:
        self.rows.sort(key=lambda row: row[0])
        return heapq.merge(self.rows, *(self._read(run) for run in self.runs), key=lambda row: row[0])

    def close(self) -> None:
        for run in self.runs:
            run.close()


def screen_caseload(
    paths: Iterable[str | Path],
    *,
    criteria: CriteriaSet,
    as_of: date,
    parameters: Mapping[str, Any],
    fail: ScreenOptions,
    output: str | Path | None = None,
    stream: IO[str] | None = None,
    jobs: int = 1,
    progress: Any = None,
) -> ScreenResult:
    """Score every case of `paths` and write the CSV list of those failing a criterion of `fail`
    to `output` (atomically) or `stream`. InputError lists every problem (nothing is written)."""
    job = CaseloadJob(criteria_path=criteria.path, parameters=dict(parameters), as_of=as_of,
                      row_maker=screen_row, row_options=fail)
    sorter = _RunSorter()
    try:
        def take(chunk: ChunkResult) -> None:
            sorter.add(chunk.rows)

        totals = run_caseload(paths, job, criteria=criteria, jobs=jobs, progress=progress, on_chunk=take)
        if output is not None:
            with AtomicOutput(output) as out:
                _write_csv(out.stream, sorter)
                out.commit()
        elif stream is not None:
            _write_csv(stream, sorter)
    finally:
        sorter.close()
    return ScreenResult(totals.cases, sorter.count, str(output) if output is not None else None)


def _write_csv(stream: IO[str], sorter: _RunSorter) -> None:
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for _, cells in sorter.sorted():
        writer.writerow(cells)
