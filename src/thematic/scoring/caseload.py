"""Scoring a whole caseload into a results document, streamed: the library behind `thematic score`.

`score_caseload` writes the `thematic.results/1` document (interfaces.md) without holding the
cases in memory. By default the document carries every case's results, exactly as `paths_results`'
document serialises them (the entries are spooled to a temporary file and the document is put together at
the end, since its `inspection` block depends on the forces of all the cases). With `cases_out`
the per-case results go to that file as JSON Lines instead (one `cases` entry per line) and the
document holds the summary, with `cases_out` naming the file; with `summary_only` there are no
per-case results at all, and no evidence text is built. Nothing is written unless every case is
valid: outputs are checked first (`thematic.core.atomic.OutputSet`: never a special file, an input or
the other output) and moved into place together at the end.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from thematic.core.atomic import OutputSet
from thematic.load.cases import collect_case_files
from thematic.model.results import ResultsDocument, Summary
from thematic.scoring.criteria import CriteriaSet
from thematic.scoring.inspection import build_results
from thematic.scoring.stream import CaseloadJob, ChunkResult, run_caseload

_CASES = "@@thematic:cases@@"
_SUMMARY = "@@thematic:summary@@"


@dataclass(frozen=True)
class CaseloadResult:
    """What a run scored and where it wrote it."""

    cases: int
    forces: tuple[str, ...]
    output: str | None
    cases_out: str | None
    summary: Summary


def score_caseload(
    paths: Iterable[str | Path],
    *,
    criteria: CriteriaSet,
    as_of: date,
    parameters: Mapping[str, Any],
    output: str | Path | None = None,
    stream: IO[str] | None = None,
    cases_out: str | Path | None = None,
    summary_only: bool = False,
    jobs: int = 1,
    progress: Any = None,
    inspection: Mapping[str, Any] | None = None,
    force: str | None = None,
) -> CaseloadResult:
    """Score every case of `paths`; write the results document to `output` (a file) or `stream`.

    InputError lists every problem of the caseload (nothing is written then). `jobs` > 1 spreads
    JSON Lines over that many processes, with the same output. `progress` (see thematic.core.progress)
    is told the bytes read and the cases scored.
    """
    if cases_out is not None and summary_only:
        raise ValueError("cases_out and summary_only exclude each other")
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)  # read twice: declared, then scored
    kind = "line" if cases_out is not None else (None if summary_only else "entry")
    job = CaseloadJob(criteria_path=criteria.path, parameters=dict(parameters), as_of=as_of, force=force,
                      case_json=kind)
    where = Path(output).parent if output is not None else None
    with OutputSet() as outputs:
        declare_caseload(outputs, paths, criteria)
        if output is not None:
            outputs.file(output, option="-o")
        if cases_out is not None:
            outputs.file(cases_out, option="--cases-out")  # checked before any case is scored
        with _CaseSink(kind, outputs, cases_out, where) as sink:
            totals = run_caseload(paths, job, criteria=criteria, jobs=jobs, progress=progress, on_chunk=sink.take)
            forces = sorted(totals.forces)
            meta = inspection or {"id": None, "force": forces[0] if len(forces) == 1 else None, "year": None}
            # The document without its cases: they are spooled (or written to cases_out) instead.
            document = build_results(inspection={**meta, "as_of": as_of.isoformat()}, criteria=criteria,
                                     parameters=parameters, case_results=None, summary=totals.summary.result())
            if output is not None:
                _write_document(outputs.open_text(output), document, sink, cases_out)
            elif stream is not None:
                _write_document(stream, document, sink, cases_out)
        outputs.commit()  # the results and the case results appear together, or neither
    return CaseloadResult(totals.cases, tuple(forces), str(output) if output is not None else None,
                          str(cases_out) if cases_out is not None else None, document.summary)


class _CaseSink:
    """Where per-case results go while the caseload is read: a JSON Lines output, or a spool of
    document entries (a temporary file beside the output, or in the system's temporary folder)."""

    def __init__(self, kind: str | None, outputs: OutputSet, cases_out: str | Path | None, where: Path | None) -> None:
        self.kind = kind
        self.count = 0
        self.output = outputs.open_text(cases_out) if kind == "line" and cases_out is not None else None
        self.spool: IO[str] | None = None
        if kind == "entry":
            if where is not None:
                where.mkdir(parents=True, exist_ok=True)
            self.spool = tempfile.TemporaryFile("w+", encoding="utf-8", dir=where)

    def take(self, chunk: ChunkResult) -> None:
        if self.output is not None:
            self.output.writelines(chunk.case_json)
            self.count += len(chunk.case_json)
        elif self.spool is not None:
            for entry in chunk.case_json:
                self.spool.write(",\n    " + entry if self.count else "    " + entry)
                self.count += 1

    def copy_entries(self, stream: IO[str]) -> None:
        assert self.spool is not None
        self.spool.flush()
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, stream, 1 << 20)

    def __enter__(self) -> _CaseSink:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.spool is not None:
            self.spool.close()


def _write_document(stream: IO[str], document: ResultsDocument, sink: _CaseSink,
                    cases_out: str | Path | None) -> None:
    """`document` (its cases in `sink`) as `json.dumps(document.to_json(), indent=2, ensure_ascii=False)`
    writes it, plus a newline; `cases_out`, if given, is named between the parameters and the summary."""
    data = document.to_json()
    summary = data.pop("summary")
    if sink.kind == "entry":
        data["cases"] = _CASES
    elif cases_out is not None:
        data["cases_out"] = str(cases_out)
    data["summary"] = _SUMMARY
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if sink.kind == "entry":
        before, text = text.split(json.dumps(_CASES), 1)
        stream.write(before)
        if sink.count:
            stream.write("[\n")
            sink.copy_entries(stream)
            stream.write("\n  ]")
        else:
            stream.write("[]")
    before, after = text.split(json.dumps(_SUMMARY), 1)
    stream.write(before)
    stream.write(json.dumps(summary, indent=2, ensure_ascii=False).replace("\n", "\n  "))
    stream.write(after + "\n")


def declare_caseload(outputs: OutputSet, paths: Iterable[str | Path], criteria: CriteriaSet) -> None:
    """Tell `outputs` what a caseload run reads: the criteria file and every case file."""
    outputs.read(criteria.path, what="the criteria file")
    for path in collect_case_files(list(paths), []):  # bad paths are reported by the run itself
        outputs.read(path, what="a case file")


class AtomicOutput:
    """A text file written under a staged name, moved into place by `commit` (`thematic.core.atomic.OutputSet`).

    For outputs too large to build in memory first: leaving the `with` block without `commit` (an
    error, an interruption) removes the staged file. A target that is not a regular file is refused.
    """

    def __init__(self, path: str | Path, *, option: str | None = None) -> None:
        self.target = Path(path)
        self._outputs = OutputSet()
        self._outputs.file(path, option=option)
        self.stream = self._outputs.open_text(path)
        self.committed = False

    def commit(self) -> None:
        self._outputs.commit()
        self.committed = True

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.committed:
            self._outputs.discard()
