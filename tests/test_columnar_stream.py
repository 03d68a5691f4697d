"""The columnar path of `thematic score --summary-only`: grouped counts, and the same document as the Python path.

`SummaryAccumulator.add_counts` must count n identical cases exactly as n calls of `add`; the
columnar run (scoring/columnar_batch.py, wired into scoring/stream.py) must give, byte for byte,
the document the Python path gives (forced with THEMATIC_SCORING=python) on generated caseloads,
the demo, caseloads with invalid lines, absent sections and lines the query bounces.
"""
from __future__ import annotations

import functools
import json
import random
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_case import BREAKS, _edit, _ids, _times

from thematic.load.fast_case import REAL_DATETIME_PATTERN, fast_case, fast_case_data
from thematic.model.base import PLAIN_DATETIME_PATTERN, plain_datetime
from thematic.model.case import SECTIONS
from thematic.model.results import STATES, CaseResult, CriterionResult
from thematic.scoring.aggregate import SummaryAccumulator

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


def _never_more_than_fast_case(raw: bytes) -> bool:
    """fast_case_data takes a line only if fast_case does, with the same validated values; True if it took it."""
    data = fast_case_data(raw)
    if data is None:
        return False
    record = fast_case(raw)
    assert record is not None, f"fast_case_data took a line fast_case refuses: {raw[:300]!r}"
    assert data["case_id"] == record.case_id and data["force"] == record.force
    return True


def test_fast_case_data_takes_every_generated_case() -> None:
    documents = _generated_documents()
    for document in documents:
        assert _never_more_than_fast_case(json.dumps(document).encode() + b"\n")
        assert _never_more_than_fast_case(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())


@pytest.mark.parametrize(("path", "value"), BREAKS)
def test_fast_case_data_on_broken_or_unusual_fields(path: tuple[Any, ...], value: Any) -> None:
    document = next(d for d in _generated_documents() if all(d.get(k) is not None for k in ("child", "section47")))
    _never_more_than_fast_case(json.dumps(_edit(document, path, value), ensure_ascii=False).encode())


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
    assert _never_more_than_fast_case(json.dumps({**document, "reported_at": text}).encode())


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
    _never_more_than_fast_case(json.dumps(document, ensure_ascii=False).encode())


def test_fast_case_data_refuses_a_key_given_twice_at_any_depth() -> None:
    text = json.dumps(_generated_documents()[0])
    for key in ('"ref": ', '"at": ', '"case_id": ', '"age": '):
        position = text.index(key)
        value_end = text.index(",", position)
        repeated = text[:value_end] + ", " + text[position:value_end] + text[value_end:]
        assert fast_case_data(repeated.encode()) is None
    assert fast_case_data(text.replace('"force": ', '"force" : ', 1).encode()) is None
