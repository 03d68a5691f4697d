"""Statistics a report shows are worked out in stats/, and a file's are checked in load/ (issue 13).

`thematic.stats.grades` gives each grade's share of a sample with its 95% Wilson interval (the force
report's grade table), `thematic.stats.assessors` the "met" shares of the self-assessment report, and
`thematic.load.agreement` refuses an agreement file whose raw agreement is not agreed / double-scored
or lacks its interval, since the report prints the interval the file holds.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from thematic.core.errors import InputError
from thematic.load.agreement import load_agreement
from thematic.model.results import NO_GRADE, GradeCounts
from thematic.stats.agreement import Agreement, item_agreement
from thematic.stats.grades import grade_shares


def wilson(count: int, total: int) -> tuple[float, float]:
    low, high = proportion_confint(count, total, method="wilson")
    return float(low), float(high)


def test_each_grade_is_a_share_of_the_sample_with_its_wilson_interval():
    grades = GradeCounts(suggested={"good": 7, "requires_improvement": 2, "inadequate": 1},
                         inspector={"good": 5, "inadequate": 3, NO_GRADE: 2},
                         provisional=0, compared=8, disagreements=3, referred_back=0)
    shares = grade_shares(grades, 10)
    assert [(g, s.successes, s.total) for g, s in shares.suggested.items()] == [
        ("good", 7, 10), ("requires_improvement", 2, 10), ("inadequate", 1, 10)]
    # A grade nobody gave is a share of 0, and the cases nobody graded are the rest of the sample.
    assert [(g, s.successes) for g, s in shares.inspector.items()] == [
        ("good", 5), ("requires_improvement", 0), ("inadequate", 3), (NO_GRADE, 2)]
    for share in (*shares.suggested.values(), *shares.inspector.values()):
        assert (share.ci_low, share.ci_high) == pytest.approx(wilson(share.successes, 10), abs=1e-15)
    assert shares.disagreements is not None
    assert (shares.disagreements.successes, shares.disagreements.total) == (3, 8)
    assert (shares.disagreements.ci_low, shares.disagreements.ci_high) == pytest.approx(wilson(3, 8), abs=1e-15)


def test_an_empty_sample_has_no_rates_and_a_summary_without_counts_no_disagreement_share():
    shares = grade_shares(GradeCounts(suggested={}, inspector={}), 0)
    assert all(s.rate is None and s.ci_low is None for s in (*shares.suggested.values(), *shares.inspector.values()))
    assert shares.disagreements is None  # a hand-made summary without compared or disagreements
    only_compared = grade_shares(GradeCounts(suggested={}, inspector={}, compared=0, disagreements=0), 0)
    assert only_compared.disagreements is not None and only_compared.disagreements.rate is None


def test_the_assessors_met_shares_come_from_stats_with_their_intervals():
    from thematic.stats.assessors import CriterionAgreement

    fields = {name: None for name in CriterionAgreement.__dataclass_fields__}
    row = CriterionAgreement(**{**fields, "paired": 12, "force_met": 9, "inspectors_met": 12})
    assert (row.force_met_share.successes, row.force_met_share.total) == (9, 12)
    assert (row.force_met_share.ci_low, row.force_met_share.ci_high) == pytest.approx(wilson(9, 12), abs=1e-15)
    assert row.inspectors_met_share.rate == 1.0


# --- the agreement file's raw agreement --------------------------------------------------------------

def agreement_file(tmp_path: Path, change=None) -> Path:
    units = [{"a": "yes", "b": "yes"}] * 8 + [{"a": "yes", "b": "no"}] * 2
    document = Agreement(inspection={"id": "testshire-2019", "force": "testshire", "year": 2019, "title": None},
                         inspectors=("a", "b"),
                         items=(item_agreement("INF-02", "q", ["yes", "no"], units),
                                item_agreement("INF-03", "q", ["yes", "no"], [])),
                         moderation=()).to_json()
    if change:
        change(document)
    path = tmp_path / "agreement.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def test_a_written_agreement_file_keeps_its_interval_to_the_last_bit(tmp_path):
    loaded = load_agreement(agreement_file(tmp_path))
    first, empty = loaded["items"]
    assert (first["raw_agreement"], first["raw_ci_low"], first["raw_ci_high"]) == (0.8, *wilson(8, 10))
    assert (empty["raw_agreement"], empty["raw_ci_low"], empty["raw_ci_high"]) == (None, None, None)


@pytest.mark.parametrize("change, field, message", [
    (lambda d: d["items"][0].update(raw_agreement=0.7), "items[0].raw_agreement",
     "0.7 does not belong to these counts: expected 8 / 10 = 0.8"),
    (lambda d: d["items"][0].pop("raw_ci_low"), "items[0].raw_ci_low", "missing"),
    (lambda d: d["items"][0].update(raw_ci_high=None), "items[0]",
     "expected raw_agreement, raw_ci_low and raw_ci_high all numbers"),
    (lambda d: d["items"][0].update(raw_ci_high=1.5), "items[0].raw_ci_high",
     "expected a proportion from 0 to 1, or null, got 1.5"),
    (lambda d: d["items"][0].update(raw_ci_low="low"), "items[0].raw_ci_low",
     'expected a proportion from 0 to 1, or null, got "low"'),
    (lambda d: d["items"][1].update(raw_agreement=1.0), "items[1].raw_agreement",
     "1.0 does not belong to these counts: expected null, as no case was double-scored"),
])
def test_raw_agreement_that_is_not_its_counts_or_lacks_its_interval_is_refused_at_its_line(tmp_path, change, field,
                                                                                         message):
    path = agreement_file(tmp_path, change)
    with pytest.raises(InputError) as caught:
        load_agreement(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == (str(path), field)
    assert problem.message.startswith(message)
    assert problem.line is not None
