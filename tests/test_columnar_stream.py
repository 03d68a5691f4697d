"""The columnar path of `thematic score --summary-only`: grouped counts, and the same document as the Python path.

`SummaryAccumulator.add_counts` must count n identical cases exactly as n calls of `add`; the
columnar run (scoring/columnar_batch.py, wired into scoring/stream.py) must give, byte for byte,
the document the Python path gives (forced with THEMATIC_SCORING=python) on generated caseloads,
the demo, caseloads with invalid lines, absent sections and lines the query bounces.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fast_case import BREAKS, _data_agrees, _edit, _ids, _times

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load import case_stream
from thematic.load.criteria import shipped_criteria_path
from thematic.load.fast_case import REAL_DATETIME_PATTERN, fast_case, fast_case_data
from thematic.model.base import PLAIN_DATETIME_PATTERN, plain_datetime
from thematic.model.case import SECTIONS
from thematic.model.results import STATES, CaseResult, CriterionResult
from thematic.scoring import stream
from thematic.scoring.aggregate import SummaryAccumulator
from thematic.scoring.columnar_batch import ColumnarBatch
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.scoring.stream import CaseloadJob, run_caseload

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import caseload_sample  # noqa: E402

PLAIN = re.compile(PLAIN_DATETIME_PATTERN)

CRITERIA = [("A-1", "alpha"), ("A-2", "alpha"), ("B-1", "beta"), ("C-1", "gamma")]
GRADES = ("good", "requires_improvement", "inadequate")


def _result(i: int, states: tuple[int, ...], suggested: str, grade: str | None, provisional: bool,
            referred_back: bool) -> CaseResult:
    return CaseResult(case_id=f"C-{i}", force="testshire", category="neglect",
                      results={cid: CriterionResult(state=STATES[s], evidence="")
                               for (cid, _), s in zip(CRITERIA, states, strict=True)},
                      suggested_grade=suggested, provisional=provisional, grade=grade, referred_back=referred_back)


@pytest.mark.parametrize("seed", range(6))
def test_add_counts_equals_adding_each_case(seed: int) -> None:
    rng = random.Random(seed)
    keys = [(tuple(rng.randrange(len(STATES)) for _ in CRITERIA), rng.choice(GRADES),
             rng.choice((None, *GRADES)), rng.random() < 0.3, rng.random() < 0.2)
            for _ in range(rng.randrange(1, 300))]
    one_by_one = SummaryAccumulator(CRITERIA)
    for i, key in enumerate(keys):
        one_by_one.add(_result(i, *key))
    grouped = SummaryAccumulator(CRITERIA)
    for (states, suggested, grade, provisional, referred_back), n in Counter(keys).items():
        grouped.add_counts(list(states), suggested, grade, provisional, referred_back, n)
    assert grouped.summary() == one_by_one.summary()
    assert grouped.result().cases == len(keys)


def test_add_counts_of_one_group_counts_themes_and_grades_n_times() -> None:
    acc = SummaryAccumulator(CRITERIA)
    met, not_met, na = STATES.index("met"), STATES.index("not_met"), STATES.index("not_applicable")
    acc.add_counts([met, not_met, met, na], "good", "inadequate", True, True, 7)
    summary = acc.summary()
    assert summary["criteria"]["A-1"]["met"] == 7 and summary["criteria"]["A-2"]["not_met"] == 7
    assert summary["themes"]["alpha"]["cases"] == 7 and summary["themes"]["alpha"]["all_met"] == 0
    assert summary["themes"]["beta"]["all_met"] == 7 and summary["themes"]["gamma"]["cases"] == 0
    grades = summary["grades"]
    assert grades["provisional"] == 7 and grades["referred_back"] == 7
    assert grades["compared"] == 7 and grades["disagreements"] == 7


@pytest.mark.parametrize(("indices", "suggested", "grade", "n", "needle"), [
    ([0, 0, 0], "good", None, 1, "3 states given for 4 criteria"),
    ([0, 0, 0, 0, 0], "good", None, 1, "5 states given"),
    ([0, 0, 0, len(STATES)], "good", None, 1, "unknown state index 7"),
    ([0, 0, -1, 0], "good", None, 1, "'B-1' has unknown state index -1"),
    ([0, 0, True, 0], "good", None, 1, "unknown state index True"),
    ([0, 0, 0, 0], "excellent", None, 1, "unknown suggested grade 'excellent'"),
    ([0, 0, 0, 0], "good", "none", 1, "unknown inspector grade 'none'"),
    ([0, 0, 0, 0], "good", None, 0, "at least 1, got 0"),
    ([0, 0, 0, 0], "good", None, -2, "at least 1, got -2"),
])
def test_add_counts_refuses_what_add_refuses_and_counts_nothing(indices, suggested, grade, n, needle) -> None:
    acc = SummaryAccumulator(CRITERIA)
    acc.add_counts([0, 1, 2, 3], "good", None, False, False, 2)
    before = acc.summary()
    with pytest.raises(ValueError, match=needle):
        acc.add_counts(indices, suggested, grade, False, False, n)
    assert acc.summary() == before


# --- fast_case_data: fast_case's acceptance without building records ------------------------------

@functools.cache
def _generated() -> str:
    rng = random.Random(11)
    varied = [caseload_sample.vary_example(rng, index) for index in range(200)]
    pool, _ = caseload_sample.case_pool(150, seed=3)
    return json.dumps(varied + [json.loads(line) for line in caseload_sample.caseload_lines(150, pool, seed=3)])


def _generated_documents() -> list[dict[str, Any]]:
    return json.loads(_generated())  # a fresh copy each time


def test_fast_case_data_takes_every_generated_case() -> None:
    documents = _generated_documents()
    for document in documents:
        assert _data_agrees(json.dumps(document).encode() + b"\n")
        assert _data_agrees(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())


@pytest.mark.parametrize(("path", "value"), BREAKS)
def test_fast_case_data_on_broken_or_unusual_fields(path: tuple[Any, ...], value: Any) -> None:
    document = next(d for d in _generated_documents() if all(d.get(k) is not None for k in ("child", "section47")))
    _data_agrees(json.dumps(_edit(document, path, value), ensure_ascii=False).encode())


@pytest.mark.parametrize("text", [
    "2019-02-29T10:00", "2100-02-29T10:00", "1900-02-29T10:00", "2019-04-31T10:00", "2019-00-10T10:00",
    "2019-13-01T10:00", "2019-01-00T10:00", "2019-01-32T10:00", "2019-06-01T24:00", "2019-06-01T23:60",
    "2019-06-01T12:00:60", "2019-06-01T12:00:00.1234567", "2019-06-01T12:00+01:00", "2019-06-01t12:00",
    " 2019-06-01T12:00", "2019-06-0１T12:00",
])
def test_fast_case_data_refuses_times_that_are_not_real_or_not_plain(text: str) -> None:
    document = _generated_documents()[0]
    raw = json.dumps({**document, "reported_at": text}, ensure_ascii=False).encode()
    assert fast_case_data(raw) is None


@pytest.mark.parametrize("text", ["2020-02-29T10:00", "2000-02-29T23:59", "2019-03-31T01:30", "2019-10-27T01:30",
                                  "2019-06-01 12:00", "2019-06-01T12:00:59.123456", "2019-06-01T12:00Z"])
def test_fast_case_data_takes_real_times_of_every_shape(text: str) -> None:
    document = _generated_documents()[0]
    assert _data_agrees(json.dumps({**document, "reported_at": text}).encode())


def test_the_real_time_pattern_agrees_with_plain_datetime_on_every_day_and_clock() -> None:
    pattern = re.compile(REAL_DATETIME_PATTERN)
    texts = [f"{y:04d}-{m:02d}-{d:02d}T10:00" for y in range(1899, 2102) for m in range(14) for d in range(33)]
    texts += [f"2019-06-01T{h:02d}:{m:02d}{s}" for h in range(26) for m in range(62)
              for s in ("", ":00", ":59", ":60", "Z")]
    matched = 0
    for text in texts:
        try:
            plain_datetime(text)
            real = True
        except ValueError:
            real = False
        if pattern.fullmatch(text) is not None:
            matched += 1
            assert real, text  # never a text the model refuses
        elif real and PLAIN.fullmatch(text):
            raise AssertionError(f"{text} is real but refused")
    assert matched == 73_414 + 24 * 60 * 4


@settings(max_examples=300, deadline=None)
@given(reported=_times, incident_at=_times, ref=_ids, answer=st.one_of(st.booleans(), _ids),
       drop=st.sets(st.sampled_from(SECTIONS)), started=st.one_of(_times, st.dates(date(1899, 1, 1)).map(str)))
def test_fast_case_data_never_takes_more_than_fast_case_on_drawn_values(reported: str, incident_at: str, ref: str,
                                                                         answer: Any, drop: set[str],
                                                                         started: str) -> None:
    document = json.loads(json.dumps(_generated_documents()[3]))
    document.update(reported_at=reported, case_id=f"H-{ref}")
    document["child"].update(ref=ref)
    document["incidents"] = [{"ref": ref or "I", "at": incident_at, "type": "concern", "severity": 2,
                              "child_seen": True, "demeanour_recorded": False, "response": "none"}]
    document["section47"] = {"started_on": started, "conference_on": None}
    document["judgements"] = {"RISK-05": {"answer": answer, "by": "I-1"}}
    for section in drop:
        document.pop(section, None)
    _data_agrees(json.dumps(document, ensure_ascii=False).encode())


def test_fast_case_data_refuses_a_key_given_twice_at_any_depth() -> None:
    text = json.dumps(_generated_documents()[0])
    for key in ('"ref": ', '"at": ', '"case_id": ', '"age": '):
        position = text.index(key)
        value_end = text.index(",", position)
        repeated = text[:value_end] + ", " + text[position:value_end] + text[value_end:]
        assert fast_case_data(repeated.encode()) is None
    assert fast_case_data(text.replace('"force": ', '"force" : ', 1).encode()) is None


# --- the columnar path in `thematic score --summary-only`: the same document as the Python path ----

AS_OF = "2019-11-30"
EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"


class _TextLoader(yaml.SafeLoader):
    """YAML as the case loader reads it: dates and times stay text."""


_TextLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cases: Path, scoring: str, jobs: int = 1,
           extra: tuple[str, ...] = ()) -> tuple[int, bytes, str]:
    """`thematic score CASES --summary-only` with THEMATIC_SCORING=scoring: (exit code, document bytes, stderr)."""
    monkeypatch.setenv("THEMATIC_SCORING", scoring)
    out = tmp_path / "summary.json"  # one name: the message on standard error names it
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["score", str(cases), "--as-of", AS_OF, "--summary-only", "-o", str(out), "--jobs", str(jobs),
                     *extra])
    document = out.read_bytes() if out.exists() else b""
    if out.exists():
        out.unlink()
    return code, document, err.getvalue()


def _score_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: list[Path],
                 scoring: str) -> tuple[int, bytes, str]:
    """`_score` of several case files, in this order."""
    monkeypatch.setenv("THEMATIC_SCORING", scoring)
    out = tmp_path / "summary.json"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["score", *map(str, paths), "--as-of", AS_OF, "--summary-only", "-o", str(out)])
    document = out.read_bytes() if out.exists() else b""
    if out.exists():
        out.unlink()
    return code, document, err.getvalue()


@dataclass(frozen=True)
class _OraclePlan:
    """A stand-in for a columnar plan whose answers are the Python scorer's, looked up by case id.

    It tests the wiring (batches, counts, bounces, fallbacks) apart from the compiler: a case id
    in `bounce` (or one it has no answer for) is bounced; DuckDB fails on a batch holding `fails`."""

    criteria_ids: tuple[str, ...]
    answers: tuple[tuple[Any, ...], ...]
    columns: str = "{'_line': 'BIGINT', 'case_id': 'VARCHAR'}"
    fails: str | None = None

    def setup(self) -> tuple[str, ...]:
        return ()

    def query(self, relation: str, *, set_up: bool = False) -> str:
        n = len(self.criteria_ids)
        names = ", ".join(["case_id", "bounce", *(f"s{i}" for i in range(n)), "suggested_grade", "grade",
                           "provisional", "referred_back"])
        values = ", ".join("(" + ", ".join(_sql(v) for v in row) + ")" for row in self.answers)
        states = ", ".join(f"o.s{i}::UTINYINT AS s{i}" for i in range(n))
        bounce = "coalesce(o.bounce, true)"
        if self.fails is not None:
            bounce = f"CASE WHEN r.case_id = {_sql(self.fails)} THEN error('boom')::BOOLEAN ELSE {bounce} END"
        return (f"SELECT r._line AS _line, {bounce} AS _bounce, {states}, o.suggested_grade, o.grade, "
                f"o.provisional, o.referred_back FROM {relation} r LEFT JOIN (VALUES {values}) o({names}) "
                f"ON r.case_id = o.case_id")


def _sql(value: Any) -> str:
    if value is None:
        return "NULL"
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _oracle(cases: Path, bounce: set[str], wrong: set[str] = frozenset()) -> _OraclePlan:  # type: ignore[assignment]
    """The Python scorer's answers for every valid line of `cases`; those of `wrong` given a wrong state."""
    criteria = load_criteria(shipped_criteria_path())
    scorer = Scorer(criteria, criteria.defaults(), date.fromisoformat(AS_OF))
    rows = []
    for raw in cases.read_bytes().splitlines():
        case = fast_case(raw)
        if case is None:
            continue
        result = scorer.score(case)
        states = [STATES.index(result.results[c.id].state) for c in criteria.criteria]
        if case.case_id in wrong:
            states[0] = (states[0] + 1) % len(STATES)
        rows.append((case.case_id, case.case_id in bounce, *states, result.suggested_grade, result.grade,
                     result.provisional, result.referred_back))
    return _OraclePlan(tuple(c.id for c in criteria.criteria), tuple(rows))


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("columnar") / "caseload.jsonl"
    caseload_sample.write_caseload(path, 700, seed=5, pool_size=120)
    return path


def _use_plan(monkeypatch: pytest.MonkeyPatch, plan: Any) -> list[int]:
    """Make `columnar_plan` give `plan`; the list it returns gets the size of every batch run here."""
    sizes: list[int] = []
    monkeypatch.setattr(stream, "_columnar_plan", lambda criteria, parameters, as_of: plan)
    original = ColumnarBatch.finish

    def finish(self: ColumnarBatch) -> Any:
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ColumnarBatch, "finish", finish)
    return sizes


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_columnar_wiring_gives_the_python_document_byte_for_byte(
        caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    ids = [json.loads(line)["case_id"] for line in caseload.read_text().splitlines()]
    sizes = _use_plan(monkeypatch, _oracle(caseload, bounce=set(ids[::9])))
    python = _score(tmp_path, monkeypatch, caseload, "python", jobs)
    assert python[0] == 0 and sizes == []  # the Python path runs no batch
    columnar_run = _score(tmp_path, monkeypatch, caseload, "columnar", jobs)
    assert columnar_run == python
    assert json.loads(python[1])["summary"]["cases"] == len(ids)
    if jobs == 1:
        assert sum(sizes) == len(ids)  # every line went to the batch (a ninth bounced back)


def test_a_plan_that_answers_wrongly_changes_the_document(caseload: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: a plan giving one case a wrong state gives another document."""
    ids = [json.loads(line)["case_id"] for line in caseload.read_text().splitlines()]
    _use_plan(monkeypatch, _oracle(caseload, bounce=set(), wrong={ids[3]}))
    assert _score(tmp_path, monkeypatch, caseload, "columnar") != _score(tmp_path, monkeypatch, caseload, "python")


def test_a_plan_duckdb_cannot_run_leaves_the_python_path(caseload: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A query DuckDB refuses (here a type it does not know) is tried on the first batch only: that batch's
    lines, read again from the case file, and every later line are scored in Python."""
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 100_000)
    monkeypatch.setattr(stream, "COLUMNAR_BATCH_BYTES", 300_000)  # five batches, were the query taken
    plan = dataclasses.replace(_oracle(caseload, bounce=set()), columns="{'_line': 'BIGINT', 'case_id': 'NOSUCHTYPE'}")
    sizes = _use_plan(monkeypatch, plan)
    python = _score(tmp_path, monkeypatch, caseload, "python")
    assert python[0] == 0 and _score(tmp_path, monkeypatch, caseload, "columnar") == python
    assert len(sizes) == 1 and 0 < sizes[0] < 700


def test_a_batch_duckdb_fails_on_is_scored_in_python(caseload: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 100_000)  # several batches: one fails, the others run
    monkeypatch.setattr(stream, "COLUMNAR_BATCH_BYTES", 200_000)
    ids = [json.loads(line)["case_id"] for line in caseload.read_text().splitlines()]
    oracle = _oracle(caseload, bounce=set(ids[::5]))
    sizes = _use_plan(monkeypatch, dataclasses.replace(oracle, fails=ids[len(ids) // 2]))
    outcomes: list[Any] = []
    spied = ColumnarBatch.finish

    def finish(self: ColumnarBatch) -> Any:
        outcomes.append(spied(self))
        return outcomes[-1]

    monkeypatch.setattr(ColumnarBatch, "finish", finish)
    assert _score(tmp_path, monkeypatch, caseload, "columnar") == _score(tmp_path, monkeypatch, caseload, "python")
    assert len(sizes) > 3 and sum(sizes) == len(ids)
    assert sum(outcome is None for outcome in outcomes) == 1  # the batch holding the case, scored in Python


def test_without_a_plan_the_python_path_runs(caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    joined: list[int] = []
    original = stream._joined
    monkeypatch.setattr(stream, "_joined", lambda blocks, size: joined.append(size) or original(blocks, size))
    sizes = _use_plan(monkeypatch, None)
    assert _score(tmp_path, monkeypatch, caseload, "columnar") == _score(tmp_path, monkeypatch, caseload, "python")
    assert sizes == [] and joined == []  # and chunks of the usual size, spread over the --jobs
    _use_plan(monkeypatch, _oracle(caseload, bounce=set()))
    _score(tmp_path, monkeypatch, caseload, "columnar")
    assert joined == []  # one process gathers its batch from the usual chunks
    _score(tmp_path, monkeypatch, caseload, "columnar", 2)
    assert joined == [stream.COLUMNAR_CHUNK_BYTES]  # a pool's worker scores a joined chunk as a batch


def test_one_process_gathers_one_batch_across_chunks_and_files(caseload: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 1 the lines of many chunks and of several JSON Lines files wait in one batch, scored
    once it is full and at the end; a YAML file in between is scored in its place, after the batch.
    Lines the query bounces are read back and scored in Python under their own file and line."""
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 50_000)  # many chunks
    lines = caseload.read_text().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "c.jsonl"
    first.write_text("".join(lines[:400]))
    second.write_text("".join(lines[400:]))
    middle = tmp_path / "b.yaml"
    middle.write_text(yaml.safe_dump(json.loads(lines[0]) | {"case_id": "CASE-MIDDLE-1"}))
    ids = [json.loads(line)["case_id"] for line in lines]
    sizes = _use_plan(monkeypatch, _oracle(caseload, bounce={ids[0], ids[399], ids[400], ids[699]}))
    paths = [first, middle, second]
    python = _score_paths(tmp_path, monkeypatch, paths, "python")
    assert python[0] == 0 and json.loads(python[1])["summary"]["cases"] == 701
    assert _score_paths(tmp_path, monkeypatch, paths, "columnar") == python
    assert sizes == [400, 300]  # a.jsonl's chunks in one batch (flushed before b.yaml), c.jsonl's in another
    sizes.clear()
    monkeypatch.setattr(stream, "COLUMNAR_BATCH_BYTES", 300_000)  # full before the end of a file
    assert _score_paths(tmp_path, monkeypatch, paths, "columnar") == python
    assert sum(sizes[:4]) == 400 and sum(sizes) == 700 and max(sizes) < 300  # a.jsonl ends its last batch early


@pytest.mark.parametrize("filled", [False, True])
def test_each_pool_worker_gathers_its_chunks_and_flushes_once(caseload: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, filled: bool) -> None:
    """With --jobs 2 each worker's chunks wait in its own batch; once every chunk is in, each worker
    scores what waits, exactly once (the sizes are written by the workers, in other processes)."""
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 40_000)
    monkeypatch.setattr(stream, "COLUMNAR_CHUNK_BYTES", 80_000)  # chunks enough for both workers
    if filled:
        monkeypatch.setattr(stream, "COLUMNAR_BATCH_BYTES", 150_000)
    ids = [json.loads(line)["case_id"] for line in caseload.read_text().splitlines()]
    _use_plan(monkeypatch, _oracle(caseload, bounce=set(ids[::7])))
    log = tmp_path / "sizes.txt"
    original = ColumnarBatch.finish

    def finish(self: ColumnarBatch) -> Any:
        with log.open("a") as handle:
            handle.write(f"{os.getpid()} {self.size}\n")
        return original(self)

    monkeypatch.setattr(ColumnarBatch, "finish", finish)
    python = _score(tmp_path, monkeypatch, caseload, "python", 2)
    assert _score(tmp_path, monkeypatch, caseload, "columnar", 2) == python
    batches = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    assert sum(size for _, size in batches) == len(ids)  # every line scored by a query once
    workers = {pid for pid, _ in batches}
    assert len(workers) == 2 and os.getpid() not in workers
    if not filled:
        assert len(batches) == 2  # nothing filled a batch: each worker's, scored once at the end
    else:
        assert len(batches) > 4  # filled and scored along the way, the rest at the end


@pytest.mark.parametrize("limit", [500_000, 1_200_000])
def test_a_batch_that_cannot_be_written_is_scored_from_the_cases_files(caseload: Path, tmp_path: Path,
                                                                        limit: int) -> None:
    """A file size limit (as a full temporary folder would) stops the batch file part way: at the first
    write of its buffer (500 kB) or at the last, when the batch is scored (1.2 MB of about 1.6): the
    lines that waited in it are read again from the case file and the run ends with the same document."""
    assert 1_400_000 < caseload.stat().st_size < 2_000_000

    def run(scoring: str) -> tuple[int, bytes, str]:
        out = tmp_path / f"{scoring}.json"
        done = subprocess.run(
            [sys.executable, "-m", "thematic", "score", str(caseload), "--as-of", AS_OF, "--summary-only",
             "-o", str(out)], capture_output=True, text=True, env={**os.environ, "THEMATIC_SCORING": scoring},
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)), timeout=600)
        return done.returncode, out.read_bytes() if out.exists() else b"", done.stderr

    columnar_run, python = run("columnar"), run("python")
    assert python[0] == 0 and columnar_run[0] == 0, columnar_run[2]
    assert columnar_run[1] == python[1]


def test_a_problem_in_a_later_chunk_leaves_the_waiting_batch_unscored(caseload: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The run stops with the problem: the lines waiting from earlier chunks are never scored."""
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 50_000)
    lines = caseload.read_text().splitlines(keepends=True)
    lines[650] = json.dumps({**json.loads(lines[650]), "reported_at": "2019-02-30T10:00"}) + "\n"
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(lines))
    sizes = _use_plan(monkeypatch, _oracle(caseload, bounce=set()))
    columnar_run = _score(tmp_path, monkeypatch, broken, "columnar")
    assert columnar_run == _score(tmp_path, monkeypatch, broken, "python")
    assert columnar_run[0] == 2 and ":651:" in columnar_run[2] and sizes == []


def _edited_caseload(source: Path, target: Path) -> tuple[Path, set[str]]:
    """`source` with invalid lines, absent sections, defaults left out, escapes and odd spacing mixed in."""
    lines = source.read_text().splitlines()
    out = []
    for index, line in enumerate(lines[:300]):
        document = json.loads(line)
        kind = index % 10
        if kind == 1:
            document.pop("devices", None)  # a section the export did not capture
        elif kind == 2:
            document["child"].pop("looked_after", None)  # fields left to their defaults
            document["child"].pop("plan", None)
            if document.get("child_as_suspect"):
                document["child_as_suspect"].pop("s45_excluded", None)
        elif kind == 3:
            document["judgements"] = {"RISK-05": {"answer": "yes", "by": "I-1", "note": "said \"fine\"\n"}}
        elif kind == 4:
            out.append("  " + json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\r")
            continue
        out.append(json.dumps(document, ensure_ascii=False))
    target.write_text("\n".join(out) + "\n\n   \n")
    return target, {json.loads(line)["case_id"] for line in out}


def test_absent_sections_defaults_escapes_and_spacing_give_the_python_document(
        caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited, ids = _edited_caseload(caseload, tmp_path / "edited.jsonl")
    sizes = _use_plan(monkeypatch, _oracle(edited, bounce=set()))
    python = _score(tmp_path, monkeypatch, edited, "python")
    assert python[0] == 0
    assert _score(tmp_path, monkeypatch, edited, "columnar") == python
    assert 0 < sum(sizes) < len(ids)  # the lines with absent sections went the Python way


@pytest.mark.parametrize("jobs", [1, 2])
def test_invalid_lines_give_the_same_problems_and_nothing_is_written(
        caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    lines = caseload.read_text().splitlines()[:400]
    lines[5] = json.dumps({**json.loads(lines[5]), "reported_at": "2019-02-30T10:00"})
    lines[50] = json.dumps({**json.loads(lines[50]), "judgements": {"RISK-05": {"answer": "perhaps", "by": "I-1"}}})
    lines[120] = lines[3]  # a case id used twice
    lines[200] = "{not json"
    lines[399] = json.dumps({**json.loads(lines[399]), "force": "Bad Force"})
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    _use_plan(monkeypatch, _oracle(broken, bounce=set()))
    python = _score(tmp_path, monkeypatch, broken, "python", jobs)
    assert python[0] == 2 and python[1] == b""
    for needle in (":6:", ":51:", ":121:", ":201:", ":400:"):
        assert needle in python[2]
    assert _score(tmp_path, monkeypatch, broken, "columnar", jobs) == python


def test_an_inspection_force_is_checked_the_same_way(caseload: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    lines = caseload.read_text().splitlines()[:100]
    lines[7] = json.dumps({**json.loads(lines[7]), "force": "otherfordshire"})
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines) + "\n")
    _use_plan(monkeypatch, _oracle(mixed, bounce=set()))
    job = CaseloadJob(criteria_path=str(shipped_criteria_path()), parameters={}, as_of=date.fromisoformat(AS_OF),
                      force="benchshire")
    criteria = load_criteria(shipped_criteria_path())
    found = []
    for scoring in ("python", "columnar"):
        monkeypatch.setenv("THEMATIC_SCORING", scoring)
        with pytest.raises(InputError) as caught:
            run_caseload([mixed], job, criteria=criteria)
        found.append([(p.file, p.line, p.message) for p in caught.value.problems])
    assert found[0] == found[1] and len(found[0]) == 1 and found[0][0][1] == 8


def test_the_demo_inspection_as_json_lines_gives_the_python_document(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [yaml.load(path.read_text(), Loader=_TextLoader) for path in sorted(EXAMPLE_CASES.glob("*.yaml"))]
    demo = tmp_path / "demo.jsonl"
    demo.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents))
    _use_plan(monkeypatch, _oracle(demo, bounce=set()))
    python = _score(tmp_path, monkeypatch, demo, "python")
    assert python[0] == 0 and json.loads(python[1])["summary"]["cases"] == len(documents)
    assert _score(tmp_path, monkeypatch, demo, "columnar") == python


def test_an_unknown_scoring_setting_is_a_located_error(caseload: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, document, err = _score(tmp_path, monkeypatch, caseload, "fast")
    assert code == 2 and document == b"" and "THEMATIC_SCORING" in err and "'fast'" in err
    assert "Traceback" not in err


# --- the batch runner on its own: counts, refusals, and a connection that reads nothing else -------

def _batch_of(plan: Any) -> ColumnarBatch:
    criteria = load_criteria(shipped_criteria_path())
    return ColumnarBatch(plan, [(c.id, c.definition.theme) for c in criteria.criteria])


def test_a_batch_counts_what_the_python_path_counts(caseload: Path) -> None:
    lines = caseload.read_bytes().splitlines(keepends=True)[:200]
    ids = [json.loads(line)["case_id"] for line in lines]
    batch = _batch_of(_oracle(caseload, bounce={ids[0], ids[10], ids[199]}))
    counts = batch.run([b"  " + line.rstrip() + b"\r\n" if i % 3 == 0 else line for i, line in enumerate(lines)])
    assert counts is not None and counts.bounced == [0, 10, 199] and counts.scored == 197
    criteria = load_criteria(shipped_criteria_path())
    scorer = Scorer(criteria, criteria.defaults(), date.fromisoformat(AS_OF))
    expected = SummaryAccumulator([(c.id, c.definition.theme) for c in criteria.criteria])
    for i, line in enumerate(lines):
        if i not in (0, 10, 199):
            expected.add(scorer.score(fast_case(line)))
    assert counts.summary.summary() == expected.summary()
    assert batch.run([]) is not None and batch.run([]).scored == 0  # type: ignore[union-attr]
    batch.close()
    assert not Path(batch.folder).exists()


def test_a_batch_reads_back_its_lines_as_they_were_added(caseload: Path) -> None:
    """What `texts` gives is each line as added, the spacing and line end made plain; a scored
    batch stays readable until discarded."""
    lines = caseload.read_bytes().splitlines(keepends=True)[:6]
    added = [b"  " + lines[0].rstrip() + b"\r\n", lines[1], lines[2].rstrip(), *lines[3:]]
    batch = _batch_of(_oracle(caseload, bounce=set()))
    batch.begin()
    for raw in added:
        batch.add(raw)
    assert batch.size == 6 and batch.written == sum(len(b'{"_line":%d,' % i) + len(line) - 1
                                                   for i, line in enumerate(lines))
    assert batch.finish() is not None
    assert list(batch.texts()) == list(enumerate(lines))
    assert list(batch.texts([5, 0, 3])) == [(0, lines[0]), (3, lines[3]), (5, lines[5])]
    assert list(batch.texts([])) == []
    batch.discard()
    assert not Path(batch.path).exists()
    batch.close()


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT 1 AS x FROM (SELECT * FROM glob('/tmp/*')) r",
])
def test_a_query_cannot_read_outside_its_batch(caseload: Path, query: str) -> None:
    plan = _oracle(caseload, bounce=set())
    batch = _batch_of(dataclasses.replace(plan, columns=plan.columns))
    lines = caseload.read_bytes().splitlines(keepends=True)[:5]
    assert batch.run(lines) is not None
    with pytest.raises(Exception, match="(?i)permission|disabled"):
        batch.connection.execute(query).fetchall()
    for setting in ("SET enable_external_access = true", "SET threads = 4", "SET memory_limit = '8GB'"):
        with pytest.raises(Exception, match="(?i)configuration"):
            batch.connection.execute(setting)
    assert batch.connection.execute("SELECT current_setting('threads')").fetchone() == (1,)
    batch.close()


def test_counts_that_do_not_add_up_give_none(caseload: Path) -> None:
    """A query that loses or repeats a line, or gives a state out of range, is not believed."""
    lines = caseload.read_bytes().splitlines(keepends=True)[:20]
    plan = _oracle(caseload, bounce=set())

    @dataclass(frozen=True)
    class Losing(_OraclePlan):
        repeat: bool = False

        def query(self, relation: str, *, set_up: bool = False) -> str:
            inner = _OraclePlan.query(self, relation, set_up=set_up)
            if self.repeat:
                return f"SELECT * FROM ({inner}) UNION ALL (SELECT * FROM ({inner}) WHERE _line = 3)"
            return f"SELECT * FROM ({inner}) WHERE _line <> 3"

    for repeat in (False, True):
        batch = _batch_of(Losing(plan.criteria_ids, plan.answers, repeat=repeat))
        assert batch.run(lines) is None
        batch.close()
    wrong = dataclasses.replace(plan, answers=tuple((*row[:2], 99, *row[3:]) for row in plan.answers))
    batch = _batch_of(wrong)
    assert batch.run(lines) is None
    batch.close()


def test_a_plan_for_other_criteria_is_refused(caseload: Path) -> None:
    plan = _oracle(caseload, bounce=set())
    with pytest.raises(ValueError, match="not the summary's"):
        _batch_of(dataclasses.replace(plan, criteria_ids=plan.criteria_ids[::-1]))


# --- the real plan (scoring/columnar.py) of the shipped criteria, wired in: the same documents -----

def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every batch run here, with the plan `columnar_plan` really gives."""
    sizes: list[int] = []
    original = ColumnarBatch.finish

    def finish(self: ColumnarBatch) -> Any:
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ColumnarBatch, "finish", finish)
    return sizes


@pytest.mark.parametrize(("count", "seed", "jobs"), [(700, 5, 1), (700, 5, 2), (1500, 8, 1)])
def test_the_real_plan_gives_the_python_document_on_generated_caseloads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, seed: int, jobs: int) -> None:
    cases = tmp_path / "generated.jsonl"
    caseload_sample.write_caseload(cases, count, seed=seed, pool_size=min(count, 400))
    sizes = _spy(monkeypatch)
    python = _score(tmp_path, monkeypatch, cases, "python", jobs)
    assert python[0] == 0 and sizes == []
    assert _score(tmp_path, monkeypatch, cases, "columnar", jobs) == python
    if jobs == 1:
        assert sum(sizes) == count  # every line went to the query (any it bounced was scored in Python)


def test_the_real_plan_on_absent_sections_defaults_escapes_and_spacing(
        caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited, _ = _edited_caseload(caseload, tmp_path / "edited.jsonl")
    sizes = _spy(monkeypatch)
    python = _score(tmp_path, monkeypatch, edited, "python")
    assert python[0] == 0
    assert _score(tmp_path, monkeypatch, edited, "columnar") == python
    assert sum(sizes) > 0


def test_the_real_plan_on_invalid_lines_gives_the_same_problems(caseload: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    lines = caseload.read_text().splitlines()[:300]
    lines[9] = json.dumps({**json.loads(lines[9]), "reported_at": "2019-02-29T10:00"})
    lines[99] = lines[98]
    lines[150] = json.dumps({**json.loads(lines[150]), "grade": {"value": "excellent", "by": "I-1"}})
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    python = _score(tmp_path, monkeypatch, broken, "python")
    assert python[0] == 2 and python[1] == b"" and all(f":{n}:" in python[2] for n in (10, 100, 151))
    assert _score(tmp_path, monkeypatch, broken, "columnar") == python


def test_the_real_plan_on_the_demo_inspection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [yaml.load(path.read_text(), Loader=_TextLoader) for path in sorted(EXAMPLE_CASES.glob("*.yaml"))]
    demo = tmp_path / "demo.jsonl"
    demo.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents))
    sizes = _spy(monkeypatch)
    python = _score(tmp_path, monkeypatch, demo, "python")
    assert python[0] == 0
    assert _score(tmp_path, monkeypatch, demo, "columnar") == python
    assert sum(sizes) > 0  # the demo's cases with every section captured went to the query


@pytest.mark.parametrize("as_of", ["2019-11-30", "2019-03-31", "2020-10-25", "2019-12-26"])
def test_the_real_plan_at_other_dates_and_parameters(caseload: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, as_of: str) -> None:
    """Dates of a clock change and a bank holiday as the run's date, and a parameter set on the command line."""
    criteria = load_criteria(shipped_criteria_path())
    name, value = next(iter(criteria.defaults().items()))
    extra = ("--set", f"{name}={value + 1}")
    found = []
    for scoring in ("python", "columnar"):
        monkeypatch.setenv("THEMATIC_SCORING", scoring)
        out = tmp_path / "summary.json"
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            code = main(["score", str(caseload), "--as-of", as_of, "--summary-only", "-o", str(out), *extra])
        found.append((code, out.read_bytes()))
        out.unlink()
    assert found[0][0] == 0 and found[0] == found[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_real_plan_over_many_small_batches(caseload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               jobs: int) -> None:
    """The prepared query run again and again on rewritten batch files gives each batch's own counts."""
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 60_000)
    monkeypatch.setattr(stream, "COLUMNAR_CHUNK_BYTES", 120_000)  # --jobs 2
    monkeypatch.setattr(stream, "COLUMNAR_BATCH_BYTES", 120_000)  # --jobs 1
    sizes = _spy(monkeypatch)
    python = _score(tmp_path, monkeypatch, caseload, "python", jobs)
    assert python[0] == 0
    assert _score(tmp_path, monkeypatch, caseload, "columnar", jobs) == python
    if jobs == 1:
        assert len(sizes) > 8 and sum(sizes) == 700


_MUTATIONS = st.lists(st.tuples(
    st.integers(0, 59),
    st.one_of(
        st.tuples(st.just("drop"), st.sampled_from(SECTIONS)),
        st.tuples(st.just("reported_at"), _times),
        st.tuples(st.just("incident_at"), _times),
        st.tuples(st.just("age"), st.integers(-1, 18)),
        st.tuples(st.just("answer"), st.one_of(st.sampled_from(["yes", "no", "partly"]), _ids)),
        st.tuples(st.just("twice"), st.just("")),
        st.tuples(st.just("extension"), st.just("")),
        st.tuples(st.just("null_section"), st.sampled_from(["section47", "investigation", "custody", "outcome"])),
        st.tuples(st.just("empty_list"), st.sampled_from(["incidents", "referrals", "devices", "supervision"])),
    )), max_size=8)


def _mutated(lines: list[str], mutations: list[tuple[int, tuple[str, Any]]]) -> str:
    out = list(lines)
    for index, (kind, value) in mutations:
        document = json.loads(out[index])
        if kind == "drop":
            document.pop(value, None)
        elif kind == "reported_at":
            document["reported_at"] = value
        elif kind == "incident_at" and document.get("incidents"):
            document["incidents"][0]["at"] = value
        elif kind == "age":
            document["child"]["age"] = value
        elif kind == "answer":
            document["judgements"] = {"RISK-05": {"answer": value, "by": "I-1"}}
        elif kind == "extension":
            document["x_source"] = "export 3"
        elif kind == "null_section":
            document[value] = None
        elif kind == "empty_list":
            document[value] = []
        text = json.dumps(document, ensure_ascii=False)
        if kind == "twice":
            text = text.replace('"force": ', '"force": "otherfordshire", "force": ', 1)
        out[index] = text
    return "\n".join(out) + "\n"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=_MUTATIONS)
def test_the_real_plan_on_mutated_caseloads_gives_the_python_outcome(caseload: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     mutations: list[Any]) -> None:
    """Drawn edits (times, ages, answers, absent, null and empty sections, repeated and extension keys)
    give the same document, or the same problems, by either path."""
    cases = tmp_path / "mutated.jsonl"
    cases.write_text(_mutated(caseload.read_text().splitlines()[:60], mutations))
    assert _score(tmp_path, monkeypatch, cases, "columnar") == _score(tmp_path, monkeypatch, cases, "python")
