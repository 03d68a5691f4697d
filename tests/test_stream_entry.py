"""A case's entry in a results document is written, without the pure-Python JSON encoder, exactly as
`json.dumps(entry, indent=2, ensure_ascii=False)` places it inside the document."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from thematic.scoring.stream import _entry_text


def expected(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\n    ")


def test_a_case_entry_is_written_as_json_dumps_writes_it() -> None:
    entry = {"case_id": "A-1 \"quoted\" é \u2028 \t\n\x01", "force": "f", "category": "missing",
             "results": {"SUP-01": {"state": "met", "evidence": "a\\b / ü 😀"}, "X": {}},
             "suggested_grade": "good", "provisional": False, "grade": None, "referred_back": True,
             "data_quality": [], "more": ["one", ["two", {}], 3, -4, 10**20]}
    assert _entry_text(entry) == expected(entry)


def test_values_json_writes_otherwise_are_left_to_it() -> None:
    entry = {"rate": 0.5, "nan": float("nan"), "keys": {1: "one"}}
    assert _entry_text(entry) == expected(entry)


_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=False)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children,
                                                                                 max_size=4)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _values, max_size=6))
def test_drawn_documents_are_written_as_json_dumps_writes_them(document: dict[str, Any]) -> None:
    assert _entry_text(document) == expected(document)


def test_a_scored_case_is_written_straight_as_its_json_would_be() -> None:
    import random
    import sys
    from datetime import date
    from pathlib import Path

    from thematic.load.criteria import shipped_criteria_path
    from thematic.model.case import Case
    from thematic.model.results import CaseResult, CriterionResult
    from thematic.scoring.criteria import load_criteria
    from thematic.scoring.evaluate import Scorer
    from thematic.scoring.stream import _case_entry, _case_line

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import caseload_sample

    criteria = load_criteria(shipped_criteria_path())
    scorer = Scorer(criteria, criteria.defaults(), date(2019, 11, 30))
    rng = random.Random(4)
    results = [scorer.score(Case.model_validate(caseload_sample.vary_example(rng, n))) for n in range(120)]
    assert any(r.data_quality for r in results) and any(r.grade for r in results)
    results += [
        CaseResult("A \"1\" é\n", "f", "c", {}, "good", True),
        CaseResult("A-2", "f", "c", {"X\t": CriterionResult("met", "")}, "good", False, "good", True, ("n\u2028",)),
        CaseResult("A-3", "f", "c", {}, "good", 1, None, 0),  # type: ignore[arg-type]  # not booleans
    ]
    for result in results:
        assert _case_entry(result) == _entry_text(result.to_json())
        assert _case_line(result) == json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
