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
from thematic.load.fast_case import CaseRecord, Record, fast_case, fast_case_data, record_classes
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


# --- the key count: repeated, unknown and spaced keys, colons and quotes inside values ------------
# pydantic-core keeps the last of a key given twice and drops unknown keys: both fast paths take a
# line only if its text has as many key separators (`":`) as the validated dictionaries hold keys,
# and no key with white space before its colon. These tests write lines where that count is one
# short or one over, or made to match by a spaced key, in every kind of object a case holds.

def _data_agrees(raw: bytes) -> bool:
    """fast_case_data takes `raw` only if fast_case does (and so the model); True if it took it."""
    data = fast_case_data(raw)
    if data is None:
        return False
    record = fast_case(raw)
    assert record is not None, f"fast_case_data took a line fast_case refuses: {raw[:300]!r}"
    assert data["case_id"] == record.case_id and data["force"] == record.force
    return True


def _refused_by_both(raw: bytes) -> bool:
    return fast_case(raw) is None and fast_case_data(raw) is None


def _full(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A valid case holding every kind of object, with every optional key, from the generated ones."""
    full = json.loads(json.dumps(documents[0]))
    for key in (*SECTIONS, "closed_at", "judgements", "grade"):
        full[key] = json.loads(json.dumps(next(d[key] for d in documents if d.get(key))))
    full["child"].update(sex="female", looked_after=True, plan="child_protection")
    full["child_as_suspect"]["s45_excluded"] = False
    full["grade"].update(referred_back=True, note="A note.")
    next(iter(full["judgements"].values()))["note"] = "Another note."
    return full


def _dumps(value: Any, at: tuple[Any, ...] = (), change: Any = None, path: tuple[Any, ...] = (),
           colon: str = ": ") -> str:
    """json.dumps's text of `value`, with the items of the object at path `at` passed through `change`."""
    if isinstance(value, dict):
        items = [f"{json.dumps(k, ensure_ascii=False)}{colon}{_dumps(v, at, change, (*path, k), colon)}"
                 for k, v in value.items()]
        return "{" + ", ".join(change(items) if change is not None and path == at else items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v, at, change, (*path, i), colon) for i, v in enumerate(value)) + "]"
    return json.dumps(value, ensure_ascii=False)


def _object_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path, *(p for k, v in value.items() for p in _object_paths(v, (*path, k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _object_paths(v, (*path, i))]
    return []


def _keys(value: Any) -> int:
    """How many keys `value` holds, in every object in it."""
    if isinstance(value, dict):
        return len(value) + sum(_keys(v) for v in value.values())
    if isinstance(value, list):
        return sum(_keys(v) for v in value)
    return 0


@pytest.fixture(scope="module")
def full(documents: list[dict[str, Any]]) -> dict[str, Any]:
    document = _full(documents)
    text = _dumps(document)
    assert text == json.dumps(document, ensure_ascii=False)
    assert _old_way(text.encode())[0] is not None and assert_same(text.encode()) and _data_agrees(text.encode())
    judgement = next(iter(document["judgements"]))
    paths = set(_object_paths(document))
    assert paths >= {(), ("child",), ("incidents", 0), ("risk_assessments", 0), ("referrals", 0),
                     ("strategy_discussions", 0), ("section47",), ("police_protection",), ("investigation",),
                     ("investigation", "officer"), ("supervision", 0), ("devices", 0), ("child_as_suspect",),
                     ("custody",), ("outcome",), ("judgements",), ("judgements", judgement), ("grade",)}
    return document


def test_a_key_repeated_in_any_object_is_refused(full: dict[str, Any]) -> None:
    tried = 0
    for path in _object_paths(full):
        for index in range(len(_value_at(full, path))):
            for where in ("after", "before"):  # the repeat read last (its value kept) or first
                def repeat(items: list[str], index: int = index, where: str = where) -> list[str]:
                    return [*items, items[index]] if where == "after" else [items[index], *items]
                raw = _dumps(full, path, repeat).encode()
                assert _refused_by_both(raw), (path, index)
                assert _old_way(raw)[0] is None
                tried += 1
    assert tried == 2 * _keys(full)  # every key of every object


def _value_at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@pytest.mark.parametrize(("key", "value", "model_takes"), [
    ("zz_unknown", 1, False),
    ("zz_unknown", {"a": 1, "b": [{"c": None}]}, False),
    ("x_local", {"a": 1}, True),  # an extension: the model keeps it, the fast paths leave it to the model
])
def test_an_unknown_key_in_any_object_is_refused(full: dict[str, Any], key: str, value: Any, model_takes: bool) -> None:
    extra = f"{json.dumps(key)}: {json.dumps(value)}"
    for path in _object_paths(full):
        if path == ("judgements",):
            continue  # any id is a key there
        raw = _dumps(full, path, lambda items: [*items, extra]).encode()
        assert _refused_by_both(raw), path
        assert (_old_way(raw)[0] is not None) == model_takes


@pytest.mark.parametrize("space", [" ", "\t", "\r", "\n", " \t\r\n  "])
def test_a_spaced_key_cannot_hide_a_repeated_or_unknown_one(full: dict[str, Any], space: str) -> None:
    spaced = _dumps(full, ("child",), lambda items: [items[0].replace('": ', f'"{space}: ', 1), *items[1:]])
    assert _refused_by_both(spaced.encode())  # valid, but the count cannot vouch for it
    assert _old_way(spaced.encode())[0] is not None
    with_separator = json.loads(json.dumps(full))
    with_separator["grade"]["note"] = 'He said ": no"'  # a separator in a value: one more in the text
    for document, path, change, spaced_keys in (
        (full, ("devices", 0), lambda items: [*items, items[0]], ('"ref"',)),
        (full, ("grade",), lambda items: [*items, '"zz_unknown": true'], ('"ref"',)),
        (full, (), lambda items: [*items, items[1]], ('"ref"',)),
        (with_separator, ("outcome",), lambda items: [*items, items[0]], ('"code"', '"age"')),
    ):
        raw = _dumps(document, path, change)
        for key in spaced_keys:  # keys in the text that the count does not see
            raw = raw.replace(f"{key}: ", f"{key}{space}: ", 1)
        # the count alone would match: a key more in the text than in the data, as many separators less
        assert raw.count('":') == _keys(document)
        assert _refused_by_both(raw.encode()), path
        assert _old_way(raw.encode())[0] is None


@pytest.mark.parametrize("text", [
    'He said ": no" twice', 'x\\":', "ends with a backslash \\", '": "', '{"a": 1, "b": 2}', '"',
    "a colon after a space : here", "tab\tthere", "line\r\nbreaks", "Ünïcode “quotes”: and —",
])
def test_colons_and_quotes_inside_values_are_read_as_the_model_reads_them(full: dict[str, Any], text: str) -> None:
    document = json.loads(json.dumps(full))
    document["grade"]["note"] = text
    document["child_as_suspect"]["offence"] = text
    next(iter(document["judgements"].values()))["note"] = text
    raw = json.dumps(document, ensure_ascii=False).encode()
    taken = assert_same(raw)
    assert _data_agrees(raw) == taken
    if '"' not in text:  # nothing the count could mistake for a key: taken
        assert taken
    repeated = _dumps(document, ("outcome",), lambda items: [*items, items[0]]).encode()
    assert _refused_by_both(repeated) and _old_way(repeated)[0] is None


def test_judgement_ids_with_quotes_and_colons(full: dict[str, Any]) -> None:
    for criterion_id in ('RISK":05', 'A\\"B', "C: D", 'E" : F'):
        document = json.loads(json.dumps(full))
        document["judgements"][criterion_id] = {"answer": "yes", "by": "insp-a"}
        raw = json.dumps(document, ensure_ascii=False).encode()
        assert _data_agrees(raw) == assert_same(raw)
        assert _old_way(raw)[0] is not None


def test_absent_null_and_empty_objects_and_optional_keys_are_counted(full: dict[str, Any]) -> None:
    variants: list[dict[str, Any]] = []
    for key in (*SECTIONS, "closed_at", "judgements", "grade"):
        for value in (None, [], {}, "absent"):
            document = json.loads(json.dumps(full))
            if value == "absent":
                del document[key]
            else:
                document[key] = value
            variants.append(document)
    for model_key, optional in (("child", ("sex", "looked_after", "plan")), ("grade", ("referred_back", "note")),
                                ("child_as_suspect", ("s45_excluded",))):
        for key in optional:
            document = json.loads(json.dumps(full))
            del document[model_key][key]
            variants.append(document)
    document = json.loads(json.dumps(full))
    next(iter(document["judgements"].values())).pop("note")
    variants.append(document)
    taken = 0
    for document in variants:
        raw = json.dumps(document).encode()
        model_takes = _old_way(raw)[0] is not None
        assert assert_same(raw) == model_takes
        assert _data_agrees(raw) == model_takes
        taken += model_takes
    assert taken >= len(SECTIONS) * 2 + 6


@pytest.mark.parametrize(("separators", "indent", "end"), [
    ((",", ":"), None, b""), ((", ", ": "), None, b"\r\n"), ((",\t", ":\t"), None, b"\n"),
    ((",\r", ": \r"), None, b"\n"), ((",", ": "), 2, b"\n"),
])
def test_white_space_elsewhere_than_before_a_colon_is_taken(full: dict[str, Any], separators: tuple[str, str],
                                                             indent: int | None, end: bytes) -> None:
    raw = json.dumps(full, separators=separators, indent=indent, ensure_ascii=False).encode() + end
    assert assert_same(raw)
    assert _data_agrees(raw)
