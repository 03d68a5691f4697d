"""The summary block: criterion and theme counts, rates, intervals and grades over case results."""
from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping

import pytest
from statsmodels.stats.proportion import proportion_confint

from thematic.model.results import CaseResult, CriterionResult
from thematic.scoring.aggregate import SummaryAccumulator, summarise

MET, NOT_MET, NOT_EVIDENCED = "met", "not_met", "not_evidenced"
NOT_APPLICABLE, UNABLE, PENDING, ERROR = "not_applicable", "unable_to_assess", "pending", "error"
# Written out here rather than imported, so a renamed or dropped state in the model fails a test.
ALL_STATES = (MET, NOT_MET, NOT_EVIDENCED, NOT_APPLICABLE, UNABLE, PENDING, ERROR)
GRADE_NAMES = ("good", "requires_improvement", "inadequate")

CRITERIA = [("A-1", "alpha"), ("A-2", "alpha"), ("B-1", "beta")]


def case(
    states: Mapping[str, str],
    *,
    case_id: str = "C-1",
    suggested: str = "good",
    provisional: bool = False,
    grade: str | None = None,
    referred_back: bool = False,
) -> CaseResult:
    return CaseResult(
        case_id=case_id,
        force="testshire",
        category="neglect",
        results={cid: CriterionResult(state=state, evidence="") for cid, state in states.items()},
        suggested_grade=suggested,
        provisional=provisional,
        grade=grade,
        referred_back=referred_back,
    )


def one_criterion_cases(states: list[str]) -> list[CaseResult]:
    return [case({"X": s}, case_id=f"C-{i}") for i, s in enumerate(states)]


def wilson(k: int, n: int) -> tuple[float, float]:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return low, high


# --- criteria -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("states", "expected_counts", "assessed", "met"),
    [
        # each of the seven states once: only met, not_met and not_evidenced are assessed
        (list(ALL_STATES), dict.fromkeys(ALL_STATES, 1), 3, 1),
        ([MET, MET, NOT_MET, NOT_EVIDENCED, NOT_APPLICABLE, UNABLE, PENDING, ERROR],
         {MET: 2, NOT_MET: 1, NOT_EVIDENCED: 1, NOT_APPLICABLE: 1, UNABLE: 1, PENDING: 1, ERROR: 1}, 4, 2),
        ([MET] * 5, {MET: 5}, 5, 5),
        ([NOT_EVIDENCED] * 3 + [NOT_APPLICABLE] * 2, {NOT_EVIDENCED: 3, NOT_APPLICABLE: 2}, 3, 0),
        ([MET, NOT_MET, PENDING, PENDING, ERROR], {MET: 1, NOT_MET: 1, PENDING: 2, ERROR: 1}, 2, 1),
    ],
)
def test_criterion_counts_and_rate(states, expected_counts, assessed, met) -> None:
    entry = summarise(one_criterion_cases(states), [("X", "t")])["criteria"]["X"]
    for state in ALL_STATES:
        assert entry[state] == expected_counts.get(state, 0), state
    assert entry["assessed"] == assessed
    assert entry["rate"] == pytest.approx(met / assessed)
    assert (entry["ci_low"], entry["ci_high"]) == wilson(met, assessed)


def test_criterion_entry_has_exactly_the_contract_keys() -> None:
    entry = summarise(one_criterion_cases([MET]), [("X", "t")])["criteria"]["X"]
    assert set(entry) == {*ALL_STATES, "assessed", "rate", "ci_low", "ci_high"}
    # zero counts are present, not omitted
    assert entry[ERROR] == 0 and entry[PENDING] == 0


@pytest.mark.parametrize(
    "states",
    [[], [NOT_APPLICABLE] * 4, [PENDING, UNABLE, ERROR, NOT_APPLICABLE], [PENDING] * 3],
)
def test_criterion_with_nothing_assessed_has_null_rate(states) -> None:
    entry = summarise(one_criterion_cases(states), [("X", "t")])["criteria"]["X"]
    assert entry["assessed"] == 0
    assert entry["rate"] is None and entry["ci_low"] is None and entry["ci_high"] is None
    assert sum(entry[s] for s in ALL_STATES) == len(states)


def test_interfaces_example_crm01() -> None:
    # interfaces.md: CRM-01 with 3 met, 7 not evidenced, 30 not applicable -> rate 0.3, 0.108-0.603,
    # and the criminalisation theme: 10 cases, 3 all met, same interval.
    states = [MET] * 3 + [NOT_EVIDENCED] * 7 + [NOT_APPLICABLE] * 30
    cases = [case({"CRM-01": s}, case_id=f"NOR-{i}") for i, s in enumerate(states)]
    summary = summarise(cases, [("CRM-01", "criminalisation")])
    entry = summary["criteria"]["CRM-01"]
    assert (entry[MET], entry[NOT_MET], entry[NOT_EVIDENCED], entry[NOT_APPLICABLE]) == (3, 0, 7, 30)
    assert entry["rate"] == pytest.approx(0.3)
    assert (round(entry["ci_low"], 3), round(entry["ci_high"], 3)) == (0.108, 0.603)
    theme = summary["themes"]["criminalisation"]
    assert (theme["cases"], theme["all_met"]) == (10, 3)
    assert (round(theme["ci_low"], 3), round(theme["ci_high"], 3)) == (0.108, 0.603)
    assert summary["cases"] == 40


# --- themes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a1", "a2", "counted", "all_met"),
    [
        (MET, MET, True, True),
        (MET, NOT_EVIDENCED, True, False),      # one met, one not evidenced: not all met
        (NOT_MET, MET, True, False),
        (MET, NOT_APPLICABLE, True, True),      # excluded states do not spoil "all met"
        (MET, UNABLE, True, True),
        (PENDING, MET, True, True),
        (ERROR, NOT_MET, True, False),
        (NOT_APPLICABLE, PENDING, False, False),  # nothing assessed in the theme: not counted
        (UNABLE, ERROR, False, False),
        (NOT_APPLICABLE, NOT_APPLICABLE, False, False),
    ],
)
def test_theme_rule_for_one_case(a1, a2, counted, all_met) -> None:
    summary = summarise([case({"A-1": a1, "A-2": a2, "B-1": MET})], CRITERIA)
    alpha = summary["themes"]["alpha"]
    assert alpha["cases"] == int(counted)
    assert alpha["all_met"] == int(all_met)
    if counted:
        assert alpha["rate"] == float(all_met)
    else:
        assert alpha["rate"] is None and alpha["ci_low"] is None and alpha["ci_high"] is None
    # the other theme is unaffected
    assert (summary["themes"]["beta"]["cases"], summary["themes"]["beta"]["all_met"]) == (1, 1)


def test_theme_counts_cases_not_criteria() -> None:
    cases = [
        case({"A-1": MET, "A-2": MET, "B-1": NOT_MET}, case_id="1"),
        case({"A-1": MET, "A-2": NOT_EVIDENCED, "B-1": NOT_APPLICABLE}, case_id="2"),
        case({"A-1": NOT_APPLICABLE, "A-2": PENDING, "B-1": MET}, case_id="3"),
        case({"A-1": NOT_MET, "A-2": NOT_MET, "B-1": PENDING}, case_id="4"),
        case({"A-1": MET, "A-2": UNABLE, "B-1": MET}, case_id="5"),
    ]
    themes = summarise(cases, CRITERIA)["themes"]
    # alpha: cases 1, 2, 4, 5 have an assessed criterion; 1 and 5 have all of them met
    assert (themes["alpha"]["cases"], themes["alpha"]["all_met"]) == (4, 2)
    assert (themes["alpha"]["ci_low"], themes["alpha"]["ci_high"]) == wilson(2, 4)
    # beta: cases 1, 3, 5 are assessed; 3 and 5 met
    assert (themes["beta"]["cases"], themes["beta"]["all_met"]) == (3, 2)
    assert themes["beta"]["rate"] == pytest.approx(2 / 3)


def test_order_of_criteria_and_themes_follows_the_catalogue() -> None:
    criteria = [("Z-1", "second"), ("A-9", "first"), ("M-5", "second"), ("B-2", "third")]
    states = {cid: MET for cid, _ in criteria}
    summary = summarise([case(states)], criteria)
    assert list(summary["criteria"]) == ["Z-1", "A-9", "M-5", "B-2"]
    assert list(summary["themes"]) == ["second", "first", "third"]


# --- grades ---------------------------------------------------------------------------------------

def test_grades_table() -> None:
    all_met = {"A-1": MET, "A-2": MET, "B-1": MET}
    rows = [
        # suggested, provisional, inspector grade, referred back
        ("good", False, "good", False),
        ("good", True, None, False),
        ("requires_improvement", False, "inadequate", True),
        ("inadequate", False, "inadequate", False),
        ("inadequate", True, "requires_improvement", False),
        ("good", False, None, True),
        ("requires_improvement", False, "good", False),
    ]
    cases = [
        case(all_met, case_id=str(i), suggested=s, provisional=p, grade=g, referred_back=r)
        for i, (s, p, g, r) in enumerate(rows)
    ]
    grades = summarise(cases, CRITERIA)["grades"]
    assert grades["suggested"] == {"good": 3, "requires_improvement": 2, "inadequate": 2}
    assert grades["inspector"] == {"good": 2, "requires_improvement": 1, "inadequate": 2, "none": 2}
    assert grades["provisional"] == 2
    assert grades["compared"] == 5  # every case with an inspector grade
    assert grades["disagreements"] == 3  # rows 3, 5 and 7
    assert grades["referred_back"] == 2


@pytest.mark.parametrize(
    ("suggested", "grade", "compared", "disagreements"),
    [
        ("good", "good", 1, 0),
        ("good", "inadequate", 1, 1),
        ("inadequate", "requires_improvement", 1, 1),
        ("requires_improvement", None, 0, 0),  # no inspector grade: nothing to compare
    ],
)
def test_disagreement_for_one_case(suggested, grade, compared, disagreements) -> None:
    grades = summarise([case({}, suggested=suggested, grade=grade)], [])["grades"]
    assert (grades["compared"], grades["disagreements"]) == (compared, disagreements)


# --- boundaries -----------------------------------------------------------------------------------

def test_empty_input() -> None:
    summary = summarise([], CRITERIA)
    assert summary["cases"] == 0
    assert list(summary["criteria"]) == ["A-1", "A-2", "B-1"]
    for entry in summary["criteria"].values():
        assert all(entry[s] == 0 for s in ALL_STATES) and entry["assessed"] == 0
        assert entry["rate"] is None and entry["ci_low"] is None and entry["ci_high"] is None
    assert summary["themes"] == {
        name: {"cases": 0, "all_met": 0, "rate": None, "ci_low": None, "ci_high": None}
        for name in ("alpha", "beta")
    }
    assert summary["grades"] == {
        "suggested": dict.fromkeys(GRADE_NAMES, 0),
        "inspector": dict.fromkeys((*GRADE_NAMES, "none"), 0),
        "provisional": 0, "compared": 0, "disagreements": 0, "referred_back": 0,
    }


def test_no_criteria_at_all() -> None:
    summary = summarise([case({}, case_id="1"), case({}, case_id="2", grade="good")], [])
    assert summary["criteria"] == {} and summary["themes"] == {}
    assert summary["cases"] == 2
    assert summary["grades"]["suggested"]["good"] == 2


def test_summary_is_strict_json() -> None:
    cases = [case({"A-1": MET, "A-2": PENDING, "B-1": NOT_APPLICABLE}, grade="good")]
    summary = summarise(cases, CRITERIA)
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary


# --- incremental and streaming --------------------------------------------------------------------

def random_cases(seed: int, count: int) -> list[CaseResult]:
    rng = random.Random(seed)
    grades = [*GRADE_NAMES, None]
    return [
        case(
            {cid: rng.choice(ALL_STATES) for cid, _ in CRITERIA},
            case_id=f"R-{i}",
            suggested=rng.choice(GRADE_NAMES),
            provisional=rng.random() < 0.3,
            grade=rng.choice(grades),
            referred_back=rng.random() < 0.2,
        )
        for i in range(count)
    ]


def naive_summary_counts(cases: list[CaseResult]) -> dict:
    """A second, deliberately plain reading of the rules, to check the accumulator against."""
    criteria = {
        cid: {s: sum(c.results[cid].state == s for c in cases) for s in ALL_STATES} for cid, _ in CRITERIA
    }
    themes = {}
    for theme in ("alpha", "beta"):
        ids = [cid for cid, t in CRITERIA if t == theme]
        assessed_sets = [
            [c.results[cid].state for cid in ids if c.results[cid].state in (MET, NOT_MET, NOT_EVIDENCED)]
            for c in cases
        ]
        counted = [s for s in assessed_sets if s]
        themes[theme] = (len(counted), sum(all(x == MET for x in s) for s in counted))
    graded = [c for c in cases if c.grade is not None]
    grades = {
        "suggested": {g: sum(c.suggested_grade == g for c in cases) for g in GRADE_NAMES},
        "inspector": {g: sum(c.grade == g for c in cases) for g in GRADE_NAMES}
        | {"none": len(cases) - len(graded)},
        "provisional": sum(c.provisional for c in cases),
        "compared": len(graded),
        "disagreements": sum(c.grade != c.suggested_grade for c in graded),
        "referred_back": sum(c.referred_back for c in cases),
    }
    return {"criteria": criteria, "themes": themes, "grades": grades}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_agrees_with_a_plain_recount(seed: int) -> None:
    cases = random_cases(seed, 60)
    summary = summarise(cases, CRITERIA)
    expected = naive_summary_counts(cases)
    for cid, counts in expected["criteria"].items():
        assert {s: summary["criteria"][cid][s] for s in ALL_STATES} == counts
        assert summary["criteria"][cid]["assessed"] == counts[MET] + counts[NOT_MET] + counts[NOT_EVIDENCED]
    for theme, (counted, all_met) in expected["themes"].items():
        assert (summary["themes"][theme]["cases"], summary["themes"][theme]["all_met"]) == (counted, all_met)
    assert summary["grades"] == expected["grades"]
    assert summary["cases"] == 60


def test_incremental_add_equals_summarise() -> None:
    cases = random_cases(7, 40)
    accumulator = SummaryAccumulator(CRITERIA)
    for i, c in enumerate(cases, start=1):
        accumulator.add(c)
        if i in (1, 17, 40):
            assert accumulator.summary() == summarise(cases[:i], CRITERIA)


def test_summarise_consumes_a_generator_once() -> None:
    cases = random_cases(11, 25)
    pulled = 0

    def stream() -> Iterator[CaseResult]:
        nonlocal pulled
        for c in cases:
            pulled += 1
            yield c

    assert summarise(stream(), CRITERIA) == summarise(cases, CRITERIA)
    assert pulled == 25


def test_summary_returns_a_fresh_dict_each_time() -> None:
    accumulator = SummaryAccumulator(CRITERIA)
    accumulator.add(case({"A-1": MET, "A-2": MET, "B-1": MET}, grade="good"))
    first = accumulator.summary()
    first["criteria"]["A-1"]["met"] = 99
    first["grades"]["suggested"]["good"] = 99
    second = accumulator.summary()
    assert second["criteria"]["A-1"]["met"] == 1
    assert second["grades"]["suggested"]["good"] == 1


# --- incomplete or malformed results --------------------------------------------------------------

@pytest.mark.parametrize(
    ("states", "needle"),
    [
        ({"A-1": MET, "A-2": MET}, "B-1"),                                   # missing
        ({"A-1": MET, "A-2": MET, "B-1": MET, "Q-7": MET}, "Q-7"),           # not in the catalogue
        ({"A-1": MET, "A-2": MET, "Q-7": MET}, "B-1"),                       # both: missing reported
        ({"A-1": MET, "A-2": "maybe", "B-1": MET}, "A-2"),                   # unknown state
    ],
)
def test_incomplete_case_is_a_value_error_naming_case_and_criterion(states, needle) -> None:
    accumulator = SummaryAccumulator(CRITERIA)
    with pytest.raises(ValueError) as raised:
        accumulator.add(case(states, case_id="NOR-2019-014"))
    assert "NOR-2019-014" in str(raised.value)
    assert needle in str(raised.value)


@pytest.mark.parametrize(
    ("suggested", "grade"),
    [("outstanding", None), ("good", "outstanding"), ("Good", "good")],
)
def test_unknown_grade_is_a_value_error(suggested, grade) -> None:
    with pytest.raises(ValueError, match="C-9"):
        summarise([case({}, case_id="C-9", suggested=suggested, grade=grade)], [])


def test_a_rejected_case_changes_no_count() -> None:
    accumulator = SummaryAccumulator(CRITERIA)
    accumulator.add(case({"A-1": MET, "A-2": NOT_MET, "B-1": MET}, case_id="ok", grade="good"))
    before = accumulator.summary()
    bad = [
        case({"A-1": MET, "A-2": MET}, case_id="missing"),
        case({"A-1": NOT_MET, "A-2": "bogus", "B-1": MET}, case_id="bad-state"),
        case({"A-1": MET, "A-2": MET, "B-1": MET}, case_id="bad-grade", suggested="excellent"),
    ]
    for c in bad:
        with pytest.raises(ValueError):
            accumulator.add(c)
    assert accumulator.summary() == before


def test_duplicate_criterion_in_catalogue_is_rejected() -> None:
    with pytest.raises(ValueError, match="A-1"):
        SummaryAccumulator([("A-1", "alpha"), ("A-1", "beta")])


# --- the typed summary: the JSON block is its serialisation -------------------------------------------

def test_the_typed_summary_is_what_the_json_block_serialises() -> None:
    from pydantic import ValidationError

    from thematic.model.results import Summary
    from thematic.scoring.aggregate import summary_of

    cases = [case({"A-1": MET, "A-2": NOT_MET, "B-1": PENDING}, case_id="C-1", grade="good", provisional=True),
             case({"A-1": MET, "A-2": MET, "B-1": NOT_APPLICABLE}, case_id="C-2", suggested="inadequate")]
    summary = summary_of(cases, CRITERIA)
    assert summary.to_json() == summarise(cases, CRITERIA)
    assert list(json.dumps(summary.to_json())) == list(json.dumps(summarise(cases, CRITERIA)))  # key order too
    assert Summary.from_json(summary.to_json()) == summary
    a1 = summary.criteria["A-1"]
    assert (a1.met, a1.assessed, a1.rate) == (2, 2, 1.0)
    assert summary.criteria["B-1"].rate is None and summary.criteria["B-1"].pending == 1
    assert (summary.themes["alpha"].cases, summary.themes["alpha"].all_met) == (2, 1)
    assert summary.grades.graded == {"good": 1, "requires_improvement": 0, "inadequate": 0}
    assert (summary.grades.provisional, summary.grades.compared, summary.cases) == (1, 1, 2)
    with pytest.raises(ValidationError):
        summary.criteria["A-1"].met = 3  # frozen: made once by scoring, read by every report
    with pytest.raises(ValidationError):
        Summary(criteria={}, themes={}, grades=summary.grades, cases=2, extra=1)  # unknown fields are refused
