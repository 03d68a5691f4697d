"""The fast path for JSON Lines cases (`thematic.load.fast_case`) accepts only what the `Case` model
accepts, and gives the same values: every record it takes is compared field by field with the
model's reading of the same line, on generated cases and on lines broken in the ways files break."""
from __future__ import annotations

import json
import random
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from thematic.core.errors import Problem
from thematic.load.cases import jsonl_record, validate_case
from thematic.load.fast_case import CaseRecord, Record, fast_case, record_classes
from thematic.model.base import file_fields
from thematic.model.case import SECTIONS, Case

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import caseload_sample  # noqa: E402


def _plain(value: Any) -> Any:
    """A value of the model or of a record as comparable data: type names kept, records as dicts."""
    if isinstance(value, Record):
        return (type(value).__name__, {f: _plain(getattr(value, f)) for f in value._fields})
    if isinstance(value, BaseModel):
        return (type(value).__name__, {f: _plain(getattr(value, f)) for f in file_fields(type(value))})
    if isinstance(value, list):
        return ["list", [_plain(v) for v in value]]
    if isinstance(value, dict):
        return ["dict", {k: _plain(v) for k, v in value.items()}]
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, value)


def _old_way(raw: bytes) -> tuple[Case | None, list[Problem]]:
    data, problem = jsonl_record(raw, "cases.jsonl", 1)
    if problem is not None:
        return None, [problem]
    return validate_case(data, "cases.jsonl", 1)


def assert_same(raw: bytes) -> bool:
    """The fast path gives None or exactly the model's case; True if it took the record."""
    record = fast_case(raw)
    case, problems = _old_way(raw)
    if record is None:
        return False
    assert case is not None, f"fast path took a record the model refuses: {problems} {raw[:200]!r}"
    assert isinstance(record, CaseRecord)
    assert _plain(record) == _plain(case)
    assert record.absent_sections() == case.absent_sections()
    return True


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    rng = random.Random(11)
    varied = [caseload_sample.vary_example(rng, index) for index in range(300)]
    pool, _ = caseload_sample.case_pool(200, seed=3)
    return varied + [json.loads(line) for line in caseload_sample.caseload_lines(200, pool, seed=3)]


def test_every_generated_case_is_taken_with_the_models_values(documents: list[dict[str, Any]]) -> None:
    taken = sum(assert_same(json.dumps(d).encode() + b"\n") for d in documents)
    assert taken == len(documents)
    # The sample has uncaptured sections, nulls and judgements, so those paths are compared too.
    assert any(any(s not in d for s in SECTIONS) for d in documents)
    assert any(d.get("judgements") for d in documents)


def test_compact_and_unicode_text_is_taken(documents: list[dict[str, Any]]) -> None:
    for document in documents[:50]:
        assert assert_same(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())


# --- lines the fast path must refuse or read exactly as the model does -----------------------------

def _edit(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    edited = json.loads(json.dumps(document))
    target = edited
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return edited


BREAKS: list[tuple[tuple[Any, ...], Any]] = [
    (("reported_at",), "2019-03-31T01:30"),       # a time the clocks skip
    (("reported_at",), "2019-10-27T01:30"),       # a time that happens twice
    (("reported_at",), "2019-02-30T10:00"),       # no such day
    (("reported_at",), "2019-02-03T10:00+01:00"),  # an offset
    (("reported_at",), "2019-02-03T10:00Z"),
    (("reported_at",), "2019-02-03T10:00:59.123"),
    (("reported_at",), "2019-02-03 10:00"),
    (("reported_at",), " 2019-02-03T10:00"),
    (("reported_at",), "2019-02-03"),
    (("reported_at",), "1899-12-31T23:59"),
    (("reported_at",), "2101-01-01T00:00"),
    (("reported_at",), "２０１９-02-03T10:00"),
    (("reported_at",), 20190203),
    (("closed_at",), None),
    (("case_id",), "Cafe\u0301-1"),                # not in normal form NFC
    (("case_id",), "Café-1"),
    (("case_id",), " X-1"),
    (("case_id",), ""),
    (("case_id",), "x" * 101),
    (("case_id",), "a\u200bb"),
    (("force",), "Bad Force"),
    (("category",), "unknown"),
    (("child", "age"), 18),
    (("child", "age"), 17.0),
    (("child", "age"), True),
    (("child", "age"), 10**30),
    (("child", "looked_after"), "yes"),
    (("child", "x_local"), 1),
    (("child", "extra"), 1),
    (("section47",), {"started_on": " 2019-01-02", "conference_on": None}),
    (("section47",), {"started_on": "2019-13-02", "conference_on": None}),
    (("section47",), {"started_on": "2019-01-02T10:00", "conference_on": None}),
    (("judgements",), {"RISK-05": {"answer": True, "by": "I-1"}}),
    (("judgements",), {"RISK-05": {"answer": "yes", "by": "I-1", "note": "a\u0007b"}}),
    (("judgements",), {"RISK-05": {"answer": "maybe", "by": "I-1"}}),
    (("judgements",), {"NOPE-1": {"answer": "yes", "by": "I-1"}}),
    (("grade",), {"value": "good", "by": "I-1", "note": "fine\ttext\n"}),
    (("grade",), {"value": "excellent", "by": "I-1"}),
    (("incidents",), None),
    (("incidents",), []),
    (("x_source",), {"deep": [[[[]]]]}),
]


@pytest.mark.parametrize(("path", "value"), BREAKS)
def test_broken_or_unusual_fields(documents: list[dict[str, Any]], path: tuple[Any, ...], value: Any) -> None:
    document = next(d for d in documents if all(k in d and d[k] is not None for k in ("child", "section47")))
    assert_same(json.dumps(_edit(document, path, value), ensure_ascii=False).encode())


@pytest.mark.parametrize("raw", [
    b'{"case_id": "A-1", "case_id": "A-2"}',
    b"\xef\xbb\xbf{}",
    b'{"a": NaN}',
    b"[1, 2]",
    b"null",
    b'"text"',
    b'{"case_id": "\\ud800"}',
    b"{\xff}",
])
def test_odd_lines_are_left_to_the_ordinary_path(raw: bytes) -> None:
    assert fast_case(raw) is None


def test_a_key_given_twice_is_refused_at_any_depth(documents: list[dict[str, Any]]) -> None:
    text = json.dumps(documents[0])
    for key in ('"ref": ', '"at": ', '"answer": ', '"case_id": '):
        if key in text:
            position = text.index(key)
            value_end = text.index(",", position)
            repeated = text[:value_end] + ", " + text[position:value_end] + text[value_end:]
            assert fast_case(repeated.encode()) is None
            assert _old_way(repeated.encode())[0] is None
    spaced = text.replace('"force": ', '"force" : ', 1)
    assert fast_case(spaced.encode()) is None
    assert _old_way(spaced.encode())[0] is not None  # valid: only the fast path declines it


def test_record_classes_mirror_the_models() -> None:
    import thematic.model.case as models

    classes = record_classes()
    assert set(classes) >= {"Case", "Child", "Incident", "Device", "Judgement", "Grade"}
    for name, cls in classes.items():
        assert cls._fields == tuple(file_fields(getattr(models, name)))


def test_records_compare_and_print_like_values() -> None:
    raw = json.dumps(caseload_sample.vary_example(random.Random(1), 1)).encode()
    one, two = fast_case(raw), fast_case(raw)
    assert one is not None and two is not None
    assert one == two and hash(one.child) == hash(two.child) and one.child != one
    assert repr(one.child).startswith("Child(ref=")


# --- Hypothesis: values drawn at and around every boundary ----------------------------------------

_times = st.one_of(
    st.datetimes(min_value=datetime(1899, 12, 30), max_value=datetime(2101, 1, 2)).map(lambda d: d.isoformat()[:16]),
    st.sampled_from(["2019-03-31T00:59", "2019-03-31T01:00", "2019-03-31T01:59", "2019-03-31T02:00",
                     "2019-10-27T00:59", "2019-10-27T01:00", "2019-10-27T01:59", "2019-10-27T02:00",
                     "2019-12-31T23:59Z", "2019-06-01T12:00:00", "2019-06-01T12:00:00.5", "2019-06-01T12:00+00:00",
                     "2019-06-01t12:00", "2019-06-01T24:00", "2019-06-01T12:60", "2019-6-01T12:00"]),
    st.text(max_size=20),
)
_ids = st.one_of(st.text(min_size=0, max_size=8), st.sampled_from(["A-1", "é", "e\u0301", "a b", "a  b", " a"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reported=_times, closed=st.one_of(st.none(), _times), ref=_ids, age=st.integers(-2, 20),
       incident_at=_times, severity=st.integers(0, 6), answer=st.one_of(st.booleans(), _ids),
       drop=st.sets(st.sampled_from(SECTIONS)), started=st.one_of(_times, st.dates(date(1899, 1, 1)).map(str)))
def test_fast_path_agrees_with_the_model_on_drawn_values(documents: list[dict[str, Any]], reported: str,
                                                         closed: str | None, ref: str, age: int, incident_at: str,
                                                         severity: int, answer: Any, drop: set[str],
                                                         started: str) -> None:
    document = json.loads(json.dumps(documents[3]))
    document.update(reported_at=reported, closed_at=closed, case_id=f"H-{ref}")
    document["child"].update(ref=ref, age=age)
    document["incidents"] = [{"ref": ref or "I", "at": incident_at, "type": "concern", "severity": severity,
                              "child_seen": True, "demeanour_recorded": False, "response": "none"}]
    document["section47"] = {"started_on": started, "conference_on": None}
    document["judgements"] = {"RISK-05": {"answer": answer, "by": "I-1"}}
    for section in drop:
        document.pop(section, None)
    assert_same(json.dumps(document, ensure_ascii=False).encode())
