"""Streaming and parallel scoring of a caseload: the same results as loading everything, in any number
of processes, with every problem reported as the loader reports it and nothing written on failure."""
from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
import yaml

from thematic.core.errors import InputError
from thematic.load import case_stream
from thematic.load import cases as cases_module
from thematic.load.cases import load_cases
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring import stream
from thematic.scoring.aggregate import SummaryAccumulator
from thematic.scoring.caseload import AtomicOutput, score_caseload
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.scoring.inspection import paths_results
from thematic.scoring.stream import CaseloadJob, run_caseload

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"
AS_OF = date(2019, 11, 30)


@pytest.fixture(scope="module")
def criteria():
    return load_criteria(shipped_criteria_path())


@pytest.fixture(scope="module")
def example_documents() -> list[dict]:
    """The 16 fictional cases of the example inspection as plain data (times kept as text)."""
    return [yaml.load(path.read_text(), Loader=_TextLoader) for path in sorted(EXAMPLE_CASES.glob("*.yaml"))]


class _TextLoader(yaml.SafeLoader):
    """YAML as the case loader reads it: dates and times stay text."""


_TextLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def write_jsonl(path: Path, documents: list[dict], copies: int = 1, blank_every: int = 0) -> Path:
    """`copies` rounds of `documents`, each case with its own id; a blank line every `blank_every` lines."""
    lines = []
    for round_ in range(copies):
        for document in documents:
            lines.append(json.dumps({**document, "case_id": f"{document['case_id']}-{round_}"}))
            if blank_every and len(lines) % blank_every == 0:
                lines.append("   ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def loaded(paths, criteria, parameters=None) -> dict:
    """The results document of the whole sample loaded at once (`paths_results`), as JSON data."""
    return paths_results(paths, criteria=criteria, as_of=AS_OF,
                         parameters=criteria.defaults() if parameters is None else parameters).to_json()


def expected_text(paths, criteria, **kwargs) -> str:
    return json.dumps(loaded(paths, criteria, kwargs.pop("parameters", None)), indent=2, ensure_ascii=False) + "\n"


def streamed(paths, criteria, **kwargs) -> str:
    out = io.StringIO()
    score_caseload(paths, criteria=criteria, as_of=AS_OF, parameters=kwargs.pop("parameters", criteria.defaults()),
                   stream=out, **kwargs)
    return out.getvalue()


# --- the same results as loading the whole sample --------------------------------------------------

@pytest.mark.parametrize("jobs", [1, 2])
def test_streamed_document_is_byte_for_byte_the_loaded_one(tmp_path, criteria, example_documents, monkeypatch, jobs):
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 4096)  # many chunks, spread over the processes
    jsonl = write_jsonl(tmp_path / "caseload.jsonl", example_documents, copies=4, blank_every=7)
    paths = [EXAMPLE_CASES, jsonl]
    assert streamed(paths, criteria, jobs=jobs) == expected_text(paths, criteria)


def test_overridden_parameters_reach_every_process(tmp_path, criteria, example_documents, monkeypatch):
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 4096)
    jsonl = write_jsonl(tmp_path / "caseload.jsonl", example_documents, copies=2)
    parameters = {**criteria.defaults(), "referral_max_hours": 1, "repeat_threshold": 1}
    assert streamed([jsonl], criteria, jobs=2, parameters=parameters) == expected_text([jsonl], criteria,
                                                                                       parameters=parameters)
    assert expected_text([jsonl], criteria, parameters=parameters) != expected_text([jsonl], criteria)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cases_out_holds_each_case_as_one_json_line_and_the_document_the_summary(tmp_path, criteria, example_documents,
                                                                               monkeypatch, jobs):
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", 4096)
    jsonl = write_jsonl(tmp_path / "caseload.jsonl", example_documents, copies=3)
    expected = loaded([jsonl], criteria)
    result = score_caseload([jsonl], criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(), jobs=jobs,
                            output=tmp_path / "out" / "results.json", cases_out=tmp_path / "out" / "cases.jsonl")
    lines = (tmp_path / "out" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected["cases"]
    document = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert "cases" not in document and document["cases_out"] == str(tmp_path / "out" / "cases.jsonl")
    assert document["summary"] == expected["summary"] and document["summary"]["cases"] == 48 == result.cases
    assert result.summary.to_json() == expected["summary"]  # the model the document was written from
    assert {k: v for k, v in document.items() if k not in ("cases_out", "summary")} == \
           {k: v for k, v in expected.items() if k not in ("cases", "summary")}


def test_summary_only_has_the_same_summary_and_no_cases(tmp_path, criteria, example_documents):
    jsonl = write_jsonl(tmp_path / "caseload.jsonl", example_documents, copies=2)
    document = json.loads(streamed([jsonl], criteria, summary_only=True))
    expected = loaded([jsonl], criteria)
    assert "cases" not in document and "cases_out" not in document
    assert document["summary"] == expected["summary"]


def test_merged_summaries_equal_one_summary_of_every_case(criteria):
    scorer = Scorer(criteria, criteria.defaults(), AS_OF)
    results = [scorer.score(loaded.case) for loaded in load_cases([EXAMPLE_CASES])]
    plan = [(c.id, c.definition.theme) for c in criteria.criteria]
    whole, first, second = SummaryAccumulator(plan), SummaryAccumulator(plan), SummaryAccumulator(plan)
    for index, result in enumerate(results):
        whole.add(result)
        (first if index < 5 else second).add(result)
    first.merge(second)
    assert first.summary() == whole.summary()
    with pytest.raises(ValueError):
        first.merge(SummaryAccumulator(plan[:3]))


# --- JSON Lines read in blocks -----------------------------------------------------------------------

@pytest.mark.parametrize("block", [1, 64, 4096, 1 << 20])
def test_problems_name_the_same_lines_whatever_the_block_size(tmp_path, criteria, example_documents, monkeypatch,
                                                              block):
    monkeypatch.setattr(case_stream, "BLOCK_BYTES", block)
    good = [json.dumps(d) for d in example_documents[:3]]
    bad_case = json.dumps({**example_documents[3], "category": "burglary"})
    text = "\n".join([good[0], "", "{not json", good[1], bad_case, "  ", good[2],
                      '{"case_id": "x"'])  # no final newline
    path = tmp_path / "mixed.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as streamed_error:
        score_caseload([path], criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(), summary_only=True)
    with pytest.raises(InputError) as loaded_error:
        load_cases([path])
    got = [str(p) for p in streamed_error.value.problems]
    assert got == [str(p) for p in loaded_error.value.problems]
    assert [p.line for p in streamed_error.value.problems] == [3, 5, 8]


def test_duplicate_case_ids_are_named_at_both_places(tmp_path, criteria, example_documents):
    one = write_jsonl(tmp_path / "a.jsonl", example_documents[:4])
    two = write_jsonl(tmp_path / "b.jsonl", [example_documents[5], example_documents[2]])
    with pytest.raises(InputError) as error:
        run_caseload([one, two, one.parent / "a.jsonl"], _job(criteria), criteria=criteria)
    (problem,) = error.value.problems
    first_id = f"{example_documents[2]['case_id']}-0"
    assert str(problem) == f'{two}:2: case_id: case_id "{first_id}" is already used at {one}:3'
    with pytest.raises(InputError) as loaded:
        load_cases([one, two])
    assert [str(p) for p in loaded.value.problems] == [str(problem)]


def test_different_ids_with_the_same_hash_are_not_duplicates(tmp_path, criteria, example_documents, monkeypatch):
    monkeypatch.setattr(stream, "id_hash", lambda case_id: 42)  # every id collides
    path = write_jsonl(tmp_path / "a.jsonl", example_documents[:5])
    assert run_caseload([path], _job(criteria), criteria=criteria).cases == 5


def test_problems_beyond_the_limit_are_counted_not_listed(tmp_path, criteria, monkeypatch):
    monkeypatch.setattr(stream, "MAX_PROBLEMS", 3)
    path = tmp_path / "bad.jsonl"
    path.write_text("".join("[1]\n" for _ in range(8)), encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_caseload([path], _job(criteria), criteria=criteria)
    messages = [str(p) for p in error.value.problems]
    assert messages[:3] == [f"{path}:{n}: expected a case (a mapping of fields), got a list" for n in (1, 2, 3)]
    assert messages[3] == f"{path}: and 5 more problems, not listed (the first 3 are)"


@pytest.mark.parametrize(("content", "message"), [
    (b"\n  \n", "is empty; expected JSON Lines, one case per line"),
    (b"\x00\x01binary", "is not a text file; expected JSON Lines"),
])
def test_an_empty_or_binary_file_is_reported_as_the_loader_does(tmp_path, criteria, content, message):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        run_caseload([path], _job(criteria), criteria=criteria)
    assert [str(p) for p in error.value.problems] == [f"{path}: {message}"]


def test_a_caseload_without_cases_cannot_be_scored(tmp_path, criteria):
    with pytest.raises(InputError, match="no cases found"):
        run_caseload([], _job(criteria), criteria=criteria)


def test_jobs_must_be_at_least_one(tmp_path, criteria):
    with pytest.raises(InputError, match="--jobs: must be at least 1, got 0"):
        run_caseload([EXAMPLE_CASES], _job(criteria), criteria=criteria, jobs=0)


def _job(criteria) -> CaseloadJob:
    return CaseloadJob(criteria_path=criteria.path, parameters=criteria.defaults(), as_of=AS_OF)


# --- YAML streams read from the file -----------------------------------------------------------------

YAML_STREAM = """\
case_id: Y-1
force: kent
category: neglect
reported_at: 2019-03-04T16:20
child: {ref: C-1, age: 9}
---
case_id: Y-2
force: kent
category: neglect
reported_at: 2019-03-04T16:20
child: {ref: C-2, age: 19}
---
case_id: Y-1
force: kent
category: burglary
reported_at: 2019-03-04T16:20
child: {ref: C-3, age: 9}
---
case_id: Y-4
case_id: Y-5
"""


@pytest.mark.parametrize("threshold", [0, cases_module.YAML_STREAM_BYTES])
def test_a_yaml_stream_read_from_the_file_reports_what_the_text_reader_does(tmp_path, criteria, monkeypatch, threshold):
    monkeypatch.setattr(cases_module, "YAML_STREAM_BYTES", threshold)
    path = tmp_path / "stream.yaml"
    path.write_text(YAML_STREAM, encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_caseload([path], _job(criteria), criteria=criteria)
    # In file order: the duplicate id (line 13) before the same document's bad category (line 15).
    assert [str(p) for p in error.value.problems] == [
        f"{path}:11: child.age: must be at most 17, got 19",
        f'{path}:13: case_id: case_id "Y-1" is already used at {path}:1',
        f"{path}:15: category: \"burglary\" is not one of domestic_abuse, missing, sexual_abuse, physical_abuse, "
        "neglect, "
        "sexual_exploitation, criminal_exploitation, online_abuse, police_protection, detention",
        f'{path}:20: case_id: duplicate key "case_id" (first given at line 19); each key may appear only once',
    ]


def test_a_large_yaml_stream_scores_as_a_small_one(tmp_path, criteria, monkeypatch):
    text = "---\n".join(path.read_text() for path in sorted(EXAMPLE_CASES.glob("*.yaml")))
    path = tmp_path / "all.yaml"
    path.write_text(text, encoding="utf-8")
    small = streamed([path], criteria)
    monkeypatch.setattr(cases_module, "YAML_STREAM_BYTES", 0)
    assert streamed([path], criteria) == small == expected_text([EXAMPLE_CASES], criteria)


# --- nothing half-written ----------------------------------------------------------------------------

def test_a_failed_run_leaves_existing_outputs_untouched(tmp_path, criteria, example_documents):
    bad = write_jsonl(tmp_path / "bad.jsonl", [*example_documents[:3], {**example_documents[4], "force": "Kent!"}])
    target, cases_out = tmp_path / "results.json", tmp_path / "cases.jsonl"
    target.write_text("before")
    with pytest.raises(InputError):
        score_caseload([bad], criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(), output=target,
                       cases_out=cases_out)
    assert target.read_text() == "before" and not cases_out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "results.json"]


def test_atomic_output_appears_only_on_commit_with_the_usual_permissions(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    with pytest.raises(RuntimeError):
        with AtomicOutput(target) as out:
            out.stream.write("half")
            raise RuntimeError("stop")
    assert not target.exists() and list((tmp_path / "sub").iterdir()) == []
    old = os.umask(0o022)
    try:
        with AtomicOutput(target) as out:
            out.stream.write("whole")
            out.commit()
    finally:
        os.umask(old)
    assert target.read_text() == "whole" and target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("numpy_from", [0, 10**9])
def test_repeated_hashes_are_found_with_numpy_and_without(numpy_from, monkeypatch):
    import random
    from array import array

    monkeypatch.setattr(stream, "_NUMPY_FROM", numpy_from)
    rng = random.Random(3)
    values = [rng.randint(-2**63, 2**63 - 1) for _ in range(5000)]
    twice, thrice = values[10], values[4000]
    hashes = array("q", values + [twice, thrice, thrice])
    rng.shuffle(hashes)
    assert stream._repeated(hashes) == {twice, thrice}
    assert stream._repeated(array("q", [7])) == set()
    assert stream._repeated(array("q", [-1, -1])) == {-1}
