"""Streaming and parallel scoring of a whole caseload, in memory that does not grow with its size.

Case files are read in chunks (JSON Lines in blocks of about a megabyte, YAML and JSON a few
hundred documents at a time); each chunk is parsed, validated, checked and scored by a worker,
which hands back only what the run keeps: the chunk's summary counts, its problems, an 8-byte
hash of each case id, and, when asked for, each case's results as JSON text or a screening row.
With `jobs` > 1, JSON Lines chunks go to a pool of processes (each loads the criteria set once,
from its file); results are taken back in the order the chunks were read, so the output is the
same, order included, for any number of jobs. YAML and JSON files are parsed and scored in this
process.

A `--summary-only` run (no per-case JSON, no screening rows) over JSON Lines takes the columnar
path when the criteria set compiles to one DuckDB query (`scoring.columnar.columnar_plan`): each
line is validated in Python exactly as the fast path does (`load.fast_case.fast_case_data`, the
criteria's answer and force checks, every section captured) without building its record, and the
lines that pass go to the query (`scoring.columnar_batch`), which hands back counts by result; every
other line, and each line the query bounces, is scored the Python way as before, so the summary, the
problems and the case count are the same. DuckDB binds the query again for every batch (a fixed cost
of about 0.07 CPU s), and its memory does not grow with a batch, so batches are large: each worker
(this process's, or each of the pool's) gathers lines from chunk after chunk into one batch of
COLUMNAR_BATCH_BYTES, waiting in a file, scored when it is full and once all chunks are in
(`Worker.flush`, `_pool_flush`). The
environment variable THEMATIC_SCORING=python forces the Python path everywhere (the reference, for
comparison); THEMATIC_SCORING=columnar (or unset) allows the columnar path.

Memory: a bounded number of chunks is in flight; what grows with the caseload is only the id
hashes of the duplicate-case-id check (8 bytes a case, 8 MB a million). A duplicate is found from
the hashes at the end, and a second read of the files names both places it is used. Problems are
listed up to MAX_PROBLEMS. Callers write their outputs only once the run has returned, so a
caseload with a problem writes nothing.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematic.core.errors import InputError, Problem
from thematic.load.case_check import case_check
from thematic.load.case_stream import case_records, document_chunks, file_size, jsonl_blocks, readable_jsonl_text
from thematic.load.cases import collect_case_files, jsonl_record, validate_case
from thematic.load.fast_case import fast_case, fast_case_data
from thematic.load.yaml_source import YamlDocument, located_problem
from thematic.model.case import SECTIONS
from thematic.model.results import CaseResult
from thematic.scoring.aggregate import SummaryAccumulator
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.evaluate import Scorer

if TYPE_CHECKING:
    from thematic.scoring.columnar_batch import ColumnarBatch

MAX_PROBLEMS = 1000
SCORING_ENV = "THEMATIC_SCORING"  # "python" forces the Python path; "columnar" (the default) allows the other
COLUMNAR_CHUNK_BYTES = 2 << 20  # a chunk sent to a pool's worker in a counts-only run: fewer, larger messages
COLUMNAR_BATCH_BYTES = 64 << 20  # a columnar batch, gathered across chunks (its lines wait in a file, not here)
_IN_FLIGHT_PER_JOB = 3  # chunks queued per worker: enough to keep it busy, few enough to bound memory

#: Makes a screening row of a scored case, or None: (case, result, full scorer, file index, line, options).
RowMaker = Callable[..., Any]


@dataclass(frozen=True)
class CaseloadJob:
    """What each worker does with a case; picklable, so that a pool of processes can share it."""

    criteria_path: str
    parameters: dict[str, Any]
    as_of: date
    force: str | None = None        # every case must belong to this force (an inspection's)
    case_json: str | None = None    # None, "line" (JSON Lines) or "entry" (an entry of a results document)
    row_maker: RowMaker | None = None  # a module-level function, so that it pickles by name
    row_options: Any = None
    columnar: bool = True           # False: never the columnar path (THEMATIC_SCORING=python)

    @property
    def counts_only(self) -> bool:
        """Whether only the summary counts are kept of each case: the columnar path may then score it."""
        return self.columnar and self.case_json is None and self.row_maker is None


@dataclass
class ChunkResult:
    """What one chunk leaves behind."""

    file_index: int
    summary: SummaryAccumulator
    records: int = 0
    cases: int = 0
    problems: list[Problem] = field(default_factory=list)
    id_hashes: array[int] = field(default_factory=lambda: array("q"))
    forces: set[str] = field(default_factory=set)
    case_json: list[str] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    done_bytes: int = 0  # how far into its file this chunk ends, for progress


def id_hash(case_id: str) -> int:
    """A stable 64-bit hash of a case id (the same in every process, unlike `hash`)."""
    digest = hashlib.blake2b(case_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _entry_text(document: dict[str, Any]) -> str:
    """An entry of a results document's `cases`, exactly as json.dumps(indent=2) places it there.

    `json.dumps` with an indent runs the pure-Python encoder, which took longer than scoring the
    case: the same text is written here with the C string encoder (tests/test_stream_entry.py)."""
    try:
        return _indented(document, "\n    ")
    except _Unusual:
        return json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\n    ")


def _case_entry(result: CaseResult) -> str:
    """`_entry_text(result.to_json())`, written straight from the result (every case of a run is written)."""
    text = _encode_text
    if type(result.provisional) is not bool or type(result.referred_back) is not bool:
        return _entry_text(result.to_json())
    try:
        states = ",\n        ".join([
            f'{text(cid)}: {{\n          "state": {text(r.state)},'
            f'\n          "evidence": {text(r.evidence)}\n        }}'
            for cid, r in result.results.items()])
        notes = ",\n        ".join([text(note) for note in result.data_quality])
        results = "{\n        " + states + "\n      }" if states else "{}"
        quality = "[\n        " + notes + "\n      ]" if notes else "[]"
        grade = "null" if result.grade is None else text(result.grade)
        provisional = "true" if result.provisional is True else "false"
        referred_back = "true" if result.referred_back is True else "false"
        return (f'{{\n      "case_id": {text(result.case_id)},\n      "force": {text(result.force)},'
                f'\n      "category": {text(result.category)},\n      "results": {results},'
                f'\n      "suggested_grade": {text(result.suggested_grade)},\n      "provisional": {provisional},'
                f'\n      "grade": {grade},\n      "referred_back": {referred_back},'
                f'\n      "data_quality": {quality}\n    }}')
    except TypeError:  # a value that is not text where text is expected: the general way
        return _entry_text(result.to_json())


def _case_line(result: CaseResult) -> str:
    """`result.to_json()` as one JSON Line, as json.dumps(ensure_ascii=False, separators=(",", ":")) writes it."""
    text = _encode_text
    if type(result.provisional) is not bool or type(result.referred_back) is not bool:
        return json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        states = ",".join([f'{text(cid)}:{{"state":{text(r.state)},"evidence":{text(r.evidence)}}}'
                           for cid, r in result.results.items()])
        notes = ",".join([text(note) for note in result.data_quality])
        grade = "null" if result.grade is None else text(result.grade)
        return (f'{{"case_id":{text(result.case_id)},"force":{text(result.force)},"category":{text(result.category)},'
                f'"results":{{{states}}},"suggested_grade":{text(result.suggested_grade)},'
                f'"provisional":{"true" if result.provisional else "false"},"grade":{grade},'
                f'"referred_back":{"true" if result.referred_back else "false"},"data_quality":[{notes}]}}\n')
    except TypeError:  # a value that is not text where text is expected: the general way
        return json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"


class _Unusual(Exception):
    """A value `_indented` leaves to `json.dumps` (a float, a key that is not text)."""


_encode_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses, in C where it can


def _indented(value: Any, newline: str) -> str:
    """`value` as json.dumps(indent=2, ensure_ascii=False) writes it, each new line starting `newline`."""
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    inner = newline + "  "
    if kind is dict:
        if not value:
            return "{}"
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            items.append(f"{_encode_text(key)}: {_indented(item, inner)}")
        return "{" + inner + ("," + inner).join(items) + newline + "}"
    if kind is list:
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([_indented(item, inner) for item in value]) + newline + "]"
    raise _Unusual


class Worker:
    """Validates, checks and scores chunks of cases for one job."""

    def __init__(self, job: CaseloadJob, criteria: CriteriaSet | None = None, plan: Any = None) -> None:
        """`plan`: the criteria set's columnar plan if the caller has made it already. Whoever runs a worker
        over JSON Lines calls `flush` once all chunks are in: lines wait in its columnar batch till then."""
        criteria = criteria if criteria is not None else load_criteria(job.criteria_path)
        self.job = job
        # Evidence is built only where it is written: case results, or the failing cases of a screen.
        self.scorer = Scorer(criteria, job.parameters, job.as_of, evidence=job.case_json is not None)
        # The scorer with evidence a screening row reads (one more set compiled: only when rows are made).
        self.full = None if job.row_maker is None else (
            self.scorer if job.case_json is not None else Scorer(criteria, job.parameters, job.as_of))
        self.check = case_check(criteria.file, job.force)
        self.plan = [(c.id, c.definition.theme) for c in criteria.criteria]
        self.criteria = criteria
        # What `case_check` accepts, for a line's data: judgement criterion id -> its answers.
        self.answers = {c.id: frozenset(c.answers or {}) for c in criteria.file.criteria if c.type == "judgement"}
        self.batch: ColumnarBatch | None = None
        self.columnar = job.counts_only  # until the plan is asked for: then whether there is one
        self.given_plan = plan
        # (file name, line number, force) of each line waiting in the open columnar batch, in order.
        self.waiting: list[tuple[str, int, str]] = []
        self.open = False  # whether a columnar batch is open (begun, not yet scored)
        self.failed = False  # a problem was found: the run will stop, so waiting lines are not scored
        self.last = (0, 0)  # (file index, bytes done) of the last columnar chunk, for a flushed result

    def jsonl(self, file_index: int, name: str, first_line: int, block: bytes, done_bytes: int) -> ChunkResult:
        """Score a block of whole JSON Lines whose first line is number `first_line`.

        Each line goes the fast way (`load.fast_case`: validated from its bytes by pydantic-core)
        when that accepts it and the criteria's check finds nothing; any other line is read and
        validated the ordinary way, which words and locates its problems. In a counts-only run
        with a columnar plan, the lines that pass go to the query instead (see the module's docstring)."""
        out = ChunkResult(file_index, SummaryAccumulator(self.plan), done_bytes=done_bytes)
        batch = self._batch() if self.columnar else None
        if batch is not None:
            self._columnar(out, batch, name, first_line, block)
            return out
        number = first_line - 1
        for raw in io.BytesIO(block):  # splits exactly as iterating the file does
            number += 1
            if not raw.isspace():
                self._line(out, name, raw, number)
        return out

    def _line(self, out: ChunkResult, name: str, raw: bytes, number: int, counted: bool = False) -> None:
        """Validate, check and score one JSON Line the Python way (`counted`: its record and id are already)."""
        case: Any = fast_case(raw)  # a record with the fields of the Case model
        if case is not None and not self.check(case):
            if not counted:
                out.records += 1
                out.id_hashes.append(id_hash(case.case_id))
            if not out.problems:
                self._take(out, case, out.file_index, number)
            return
        data, problem = jsonl_record(raw, name, number)
        self._record(out, name, data, number, None, problem, counted)

    def _batch(self) -> ColumnarBatch | None:
        """This worker's columnar batch runner, made on first use; None if the criteria set has no plan."""
        if self.batch is None and self.columnar:
            from thematic.scoring.columnar_batch import ColumnarBatch  # DuckDB: only when used

            plan = self.given_plan
            if plan is None:
                plan = _columnar_plan(self.criteria, self.job.parameters, self.job.as_of)
            if plan is None or plan.criteria_ids != tuple(criterion_id for criterion_id, _ in self.plan):
                self.columnar = False
            else:
                self.batch = ColumnarBatch(plan, self.plan)
                if not self.batch.usable:
                    self.batch.close()
                    self.batch, self.columnar = None, False
        return self.batch

    def _columnar(self, out: ChunkResult, batch: ColumnarBatch, name: str, first_line: int, block: bytes) -> None:
        """Validate a block's lines: those valid beyond doubt join the open batch, the others are scored in
        Python; the batch is scored once it holds COLUMNAR_BATCH_BYTES."""
        waiting = self.waiting
        hashes = out.id_hashes
        number = first_line - 1
        live: ColumnarBatch | None = batch
        if not self.open:
            try:
                batch.begin()
                self.open = True
            except OSError:
                self._abandon(out, batch)
                live = None
        for raw in io.BytesIO(block):
            number += 1
            if raw.isspace():
                continue
            data = fast_case_data(raw) if live is not None else None
            if data is not None and data.keys() >= _ALL_SECTIONS and self._checked(data):
                out.records += 1
                hashes.append(id_hash(data["case_id"]))
                try:
                    batch.add(raw)
                except OSError:
                    self._abandon(out, batch)
                    live = None
                    self._line(out, name, raw, number, counted=True)
                    continue
                waiting.append((name, number, data["force"]))
            else:
                self._line(out, name, raw, number)
        self.failed = self.failed or bool(out.problems)
        self.last = (out.file_index, out.done_bytes)
        if live is not None and batch.written >= COLUMNAR_BATCH_BYTES:
            self._score_batch(out, batch)

    def _score_batch(self, out: ChunkResult, batch: ColumnarBatch) -> None:
        """Score the open batch into `out`: by the query, and the lines it bounced (all of them, if DuckDB
        could not) the Python way, read back from the batch."""
        if not self.waiting or self.failed:
            # Nothing to score, or the run will stop with problems: scoring would be wasted.
            self.waiting, self.open = [], False
            batch.discard()
            return
        try:
            counts = batch.finish()
        except OSError:  # the last of the file could not be written
            self._abandon(out, batch)
            return
        if not batch.usable:  # DuckDB cannot take the plan's query: this batch and the rest in Python
            self._abandon(out, batch)
            return
        waiting, self.waiting, self.open = self.waiting, [], False
        try:
            bounced: list[int] | None = None  # None: every line
            if counts is not None:
                out.summary.merge(counts.summary)
                out.cases += counts.scored
                bounced = counts.bounced
                skip = set(bounced)
                out.forces.update(force for index, (_, _, force) in enumerate(waiting) if index not in skip)
            for index, raw in batch.texts(bounced):
                name, line, _ = waiting[index]
                self._line(out, name, raw, line, counted=True)
        finally:
            batch.discard()

    def _abandon(self, out: ChunkResult, batch: ColumnarBatch) -> None:
        """The batch's file cannot be written (its folder full, a file size limit), or DuckDB refuses the
        query: the lines waiting in it are read again from their own files and scored in Python, as is
        every line after them in this run."""
        waiting, self.waiting, self.open = self.waiting, [], False
        batch.discard()
        batch.close()
        self.batch, self.columnar = None, False
        if self.failed or out.problems:
            return  # the run will stop with problems: scoring would be wasted
        wanted: dict[str, set[int]] = {}
        for name, line, _ in waiting:
            wanted.setdefault(name, set()).add(line)
        for name, lines in wanted.items():
            for first_line, block, _ in jsonl_blocks(Path(name), name, out.problems):  # read as the first time
                for number, raw in enumerate(io.BytesIO(block), first_line):
                    if number in lines:
                        self._line(out, name, raw, number, counted=True)

    def flush(self) -> ChunkResult | None:
        """The results of the lines still waiting in the open columnar batch, scored now; None if none wait."""
        if not self.open or self.batch is None:
            return None
        file_index, done_bytes = self.last
        out = ChunkResult(file_index, SummaryAccumulator(self.plan), done_bytes=done_bytes)
        self._score_batch(out, self.batch)
        return out

    def _checked(self, data: dict[str, Any]) -> bool:
        """Whether `case_check` would find nothing wrong with the case of this validated data."""
        force = self.job.force
        if force is not None and data["force"] != force:
            return False
        judgements = data.get("judgements")
        if judgements:
            answers = self.answers
            for criterion_id, judgement in judgements.items():
                allowed = answers.get(criterion_id)
                if allowed is None or judgement["answer"] not in allowed:
                    return False
        return True

    def score(self, file_index: int, name: str, records: Iterable[tuple[Any, int, YamlDocument | None, Problem | None]],
              done_bytes: int = 0) -> ChunkResult:
        """Score (data, line, document, parse problem) records of one file, in order."""
        out = ChunkResult(file_index, SummaryAccumulator(self.plan), done_bytes=done_bytes)
        for data, line, doc, problem in records:
            self._record(out, name, data, line, doc, problem)
        return out

    def _record(self, out: ChunkResult, name: str, data: Any, line: int, doc: YamlDocument | None,
                problem: Problem | None, counted: bool = False) -> None:
        """Validate, check and score one record read the ordinary way (`counted`: its record and id are already)."""
        if not counted:
            out.records += 1
        if problem is not None:
            out.problems.append(problem)
            return
        if type(data) is dict and not counted:
            case_id = data.get("case_id")
            if type(case_id) is str and case_id:
                out.id_hashes.append(id_hash(case_id))
        case, problems = validate_case(data, name, line, doc, self.check)
        if case is None:
            out.problems.extend(problems)
            return
        if out.problems:
            return  # the run will stop with these problems: scoring would be wasted
        self._take(out, case, out.file_index, line)

    def _take(self, out: ChunkResult, case: Any, file_index: int, line: int) -> None:
        """Score a valid case and keep what the run needs of it."""
        job = self.job
        result = self.scorer.score(case)
        out.summary.add(result)
        out.cases += 1
        out.forces.add(case.force)
        if job.case_json == "line":
            out.case_json.append(_case_line(result))
        elif job.case_json == "entry":
            out.case_json.append(_case_entry(result))
        if job.row_maker is not None:
            row = job.row_maker(case, result, self.full, file_index, line, job.row_options)
            if row is not None:
                out.rows.append(row)


def _columnar_plan(criteria: CriteriaSet, parameters: dict[str, Any], as_of: date) -> Any:
    """The criteria set as one DuckDB query (`scoring.columnar.columnar_plan`), or None."""
    from thematic.scoring.columnar import columnar_plan  # the compiler: only for a run that may use it

    return columnar_plan(criteria, parameters, as_of)


_ALL_SECTIONS = frozenset(SECTIONS)
_POOL_WORKER: Worker | None = None
_POOL_BARRIER: Any = None  # the pool's workers meet here to flush: see `_pool_flush`
_FLUSH_WAIT = 3600.0  # seconds a worker waits for the others to flush (a guard; they take moments)


def _start_pool_worker(job: CaseloadJob, barrier: Any) -> None:
    global _POOL_WORKER, _POOL_BARRIER
    # Each process loads the criteria set once.
    _POOL_WORKER = Worker(job)
    _POOL_BARRIER = barrier


def _pool_jsonl(*args: Any) -> ChunkResult:
    assert _POOL_WORKER is not None
    return _POOL_WORKER.jsonl(*args)


def _pool_flush() -> ChunkResult | None:
    """This worker's waiting batch, scored (`Worker.flush`). The pool hands a task to whichever worker
    is free, so each flush task first waits for all the others to start: with as many tasks as
    workers, every worker then holds exactly one, and every waiting batch is scored once."""
    assert _POOL_WORKER is not None and _POOL_BARRIER is not None
    _POOL_BARRIER.wait(_FLUSH_WAIT)
    return _POOL_WORKER.flush()


class _Executor:
    """Runs chunks here (jobs=1) or in a pool of processes, handing results back in the order submitted."""

    def __init__(self, job: CaseloadJob, jobs: int, criteria: CriteriaSet, plan: Any = None) -> None:
        self.job, self.jobs = job, jobs
        self.local = Worker(job, criteria, plan)
        self.pool: Any = None  # started with the first JSON Lines chunk: YAML and JSON are scored here
        self.pending: deque[Any] = deque()
        self.limit = jobs * _IN_FLIGHT_PER_JOB

    def jsonl(self, *args: Any) -> Iterator[ChunkResult]:
        if self.jobs == 1:
            yield self.local.jsonl(*args)
            return
        if self.pool is None:
            context = multiprocessing.get_context()
            self.pool = context.Pool(self.jobs, _start_pool_worker, (self.job, context.Barrier(self.jobs)))
        self.pending.append(self.pool.apply_async(_pool_jsonl, args))
        while len(self.pending) >= self.limit:
            yield self.pending.popleft().get()

    def here(self, *args: Any) -> Iterator[ChunkResult]:
        yield from self.drain()  # keep the order: earlier chunks first
        yield self.local.score(*args)

    def drain(self) -> Iterator[ChunkResult]:
        """Every result still to come, the workers' waiting batches scored last (after every chunk's)."""
        while self.pending:
            yield self.pending.popleft().get()
        flushes = [self.pool.apply_async(_pool_flush) for _ in range(self.jobs)] if self.pool is not None else []
        for flushed in [*(flush.get() for flush in flushes), self.local.flush()]:
            if flushed is not None:
                yield flushed

    def close(self, ok: bool) -> None:
        if self.pool is not None:
            if ok:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()


@dataclass
class CaseloadTotals:
    """What a clean run over a caseload found."""

    summary: SummaryAccumulator
    cases: int
    forces: set[str]


def run_caseload(
    paths: Iterable[str | Path], job: CaseloadJob, *, criteria: CriteriaSet, jobs: int = 1,
    progress: Any = None, on_chunk: Callable[[ChunkResult], None] | None = None,
) -> CaseloadTotals:
    """Score every case of `paths`; `on_chunk` gets each chunk's results in input order.

    InputError lists the problems of the whole caseload (bad paths, files, cases, duplicate case
    ids; the first MAX_PROBLEMS of them) or says that there is no case at all. Once a problem is
    found, chunks are still read for their problems but no longer handed to `on_chunk`.
    """
    if jobs < 1:
        raise InputError.single("--jobs", f"must be at least 1, got {jobs}")
    scoring = os.environ.get(SCORING_ENV, "")
    if scoring not in ("", "python", "columnar"):
        raise InputError.single(SCORING_ENV, f"must be python or columnar (or unset), got {scoring!r}")
    if scoring == "python" and job.columnar:
        job = dataclasses.replace(job, columnar=False)
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    problems: list[Problem] = []
    files = collect_case_files(paths, problems)
    plan = None
    if job.counts_only and any(path.suffix.lower() == ".jsonl" for path in files):
        # Made here once, as the size of the chunks depends on it (and this process's worker uses it).
        plan = _columnar_plan(criteria, job.parameters, job.as_of)
        if plan is None:
            job = dataclasses.replace(job, columnar=False)
    starts = [0]
    for path in files:
        starts.append(starts[-1] + file_size(path))
    if progress is not None:
        progress.start(starts[-1])
    totals = CaseloadTotals(SummaryAccumulator([(c.id, c.definition.theme) for c in criteria.criteria]), 0, set())
    hashes = array("q")
    records = [0] * len(files)
    more = 0  # problems past MAX_PROBLEMS, counted but not kept

    def take(chunk: ChunkResult) -> None:
        nonlocal more
        for problem in chunk.problems:
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            else:
                more += 1
        hashes.extend(chunk.id_hashes)
        records[chunk.file_index] += chunk.records
        if not problems:
            totals.summary.merge(chunk.summary)
            totals.cases += chunk.cases
            totals.forces |= chunk.forces
            if on_chunk is not None:
                on_chunk(chunk)
        if progress is not None:
            progress.update(starts[chunk.file_index] + chunk.done_bytes, totals.cases)

    executor = _Executor(job, jobs, criteria, plan)
    ok = False
    try:
        for index, path in enumerate(files):
            name, suffix = str(path), path.suffix.lower()
            if suffix == ".jsonl":
                for chunk in _jsonl_chunks(executor, index, path, name, problems):
                    take(chunk)
            else:
                for batch in document_chunks(path, name, suffix, problems):
                    for chunk in executor.here(index, name, batch, 0):
                        take(chunk)
                if progress is not None:
                    progress.update(starts[index + 1], totals.cases)
        for chunk in executor.drain():
            take(chunk)
        ok = True
    finally:
        executor.close(ok)
    for index, path in enumerate(files):
        if path.suffix.lower() == ".jsonl" and records[index] == 0 and readable_jsonl_text(path):
            problems.append(Problem(str(path), "is empty; expected JSON Lines, one case per line"))
    if not more:  # with the list already full, a second read would add nothing shown
        problems.extend(_duplicate_problems(files, hashes))
    if problems:
        order = {str(path): index for index, path in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.file, -1), p.line or 0))
        more += max(0, len(problems) - MAX_PROBLEMS)
        del problems[MAX_PROBLEMS:]
        if more:
            problems.append(Problem(problems[-1].file,
                                    f"and {more} more problems, not listed (the first {MAX_PROBLEMS} are)"))
        raise InputError(problems)
    if totals.cases == 0:
        raise InputError.single(", ".join(str(p) for p in paths) or "(no paths given)",
                                "no cases found: an empty sample cannot be scored")
    return totals


def _jsonl_chunks(executor: _Executor, index: int, path: Path, name: str,
                  problems: list[Problem]) -> Iterator[ChunkResult]:
    blocks = jsonl_blocks(path, name, problems)
    if executor.job.counts_only and executor.jobs > 1:  # sent to a pool: fewer, larger messages
        blocks = _joined(blocks, COLUMNAR_CHUNK_BYTES)
    for first_line, block, done in blocks:
        yield from executor.jsonl(index, name, first_line, block, done)


def _joined(blocks: Iterable[tuple[int, bytes, int]], size: int) -> Iterator[tuple[int, bytes, int]]:
    """Consecutive blocks of whole lines joined into blocks of at least `size` bytes (the last may be less)."""
    parts: list[bytes] = []
    first = held = 0
    for first_line, block, done in blocks:
        if not parts:
            first = first_line
        parts.append(block)
        held += len(block)
        if held >= size:
            joined = b"".join(parts)
            parts, held = [], 0  # dropped before the yield: the parts and their join are never held together
            yield first, joined, done
            del joined
    if parts:
        yield first, b"".join(parts), done


# --- duplicate case ids --------------------------------------------------------------------------

_NUMPY_FROM = 200_000  # hashes; fewer are sorted in Python, sparing the import of numpy (0.1 s)


def _repeated(hashes: array[int]) -> set[int]:
    """The hashes that occur more than once."""
    if len(hashes) < _NUMPY_FROM:
        ordered = sorted(hashes)
        return {b for a, b in zip(ordered, ordered[1:], strict=False) if a == b}
    import numpy as np  # here, not at the top: starting the CLI must stay quick

    array_ = np.sort(np.frombuffer(hashes, dtype=np.int64))  # 8 bytes a case, where a list takes 40
    return set(np.unique(array_[1:][array_[1:] == array_[:-1]]).tolist())


def _duplicate_problems(files: list[Path], hashes: array[int]) -> list[Problem]:
    """Every later use of a case id, found from the hashes and named by reading the files again."""
    if len(hashes) < 2:
        return []
    repeated = _repeated(hashes)
    if not repeated:
        return []
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for path in files:
        for data, line, doc in case_records(path):
            case_id = data.get("case_id") if type(data) is dict else None
            if type(case_id) is not str or not case_id or id_hash(case_id) not in repeated:
                continue
            earlier = first.setdefault(case_id, (str(path), line))
            if earlier != (str(path), line):
                problems.append(located_problem(doc or YamlDocument(data, str(path), line), ("case_id",),
                                                f'case_id "{case_id}" is already used at {earlier[0]}:{earlier[1]}'))
    return problems
