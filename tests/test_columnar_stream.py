"""The columnar path of `thematic score --summary-only`: grouped counts, and the same document as the Python path.

`SummaryAccumulator.add_counts` must count n identical cases exactly as n calls of `add`; the
columnar run (scoring/columnar_batch.py, wired into scoring/stream.py) must give, byte for byte,
the document the Python path gives (forced with THEMATIC_SCORING=python) on generated caseloads,
the demo, caseloads with invalid lines, absent sections and lines the query bounces.
"""
from __future__ import annotations

import random
from collections import Counter

import pytest

from thematic.model.results import STATES, CaseResult, CriterionResult
from thematic.scoring.aggregate import SummaryAccumulator

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
