"""Changes stated as the data allow (issue 12 item 3): one method, the same words everywhere.

A change is "improved"/"declined" ("rose"/"fell" for a grade's share) when Holm confirms it and its
whole 95% interval agrees; "… suggested, not confirmed" when its own interval excludes zero but Holm
does not confirm it; "no change the sample can detect" only when the interval includes zero. The
comparison's summary leads with the share graded inadequate, counts each kind, says when most
criteria move the same way, and the index line is built from the same view data.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from results_factory import results_doc, write

from thematic.load.results import load_results
from thematic.render.comparison import comparison_report_context, key_facts, render_comparison_report
from thematic.stats.compare import DECLINED, FELL, IMPROVED, NO_DETECTABLE_CHANGE, SUGGESTED, compare

# 29 criteria as in the issue: one moves from 2 of 16 to 11 of 16 (Fisher p 0.003, interval +22 to
# +76 points); Holm over 29 does not confirm it. The others stay put.
STILL = {f"S-{i:02d}": (10, 16) for i in range(1, 29)}


def comparison(tmp_path: Path, before: dict, after: dict, **kw):
    kw_before = {k[:-7]: v for k, v in kw.items() if k.endswith("_before")}
    kw_after = {k[:-6]: v for k, v in kw.items() if k.endswith("_after")}
    n_before = kw_before.pop("cases", max(t for _, t in before.values()))
    n_after = kw_after.pop("cases", max(t for _, t in after.values()))
    b = load_results(write(tmp_path / "before.json", results_doc(before, inspection="t-2015", year=2015,
                                                                 cases=n_before, **kw_before)))
    a = load_results(write(tmp_path / "after.json", results_doc(after, inspection="t-2019", year=2019,
                                                                cases=n_after, **kw_after)))
    return compare(b, a, min_assessed=10)


def test_a_change_its_interval_shows_but_holm_does_not_confirm_is_suggested_not_no_change(tmp_path):
    result = comparison(tmp_path, {"X-01": (2, 16), **STILL}, {"X-01": (11, 16), **STILL})
    x01 = next(c.change for c in result.criteria if c.criterion == "X-01")
    assert x01.p_value == pytest.approx(0.003, abs=0.001) and x01.ci_low > 0
    assert x01.p_adjusted >= 0.05
    assert x01.verdict == SUGGESTED[IMPROVED]
    report = comparison_report_context(result)
    row = next(r for r in report.rows if r.id == "X-01")
    assert row.tag == "suggested" and row in report.suggested and row not in report.detected
    assert "an improvement the sample suggests but cannot confirm once 29 comparisons are allowed for" in row.sentence
    assert "Improvement suggested, not confirmed: 1." in report.counts_text
    assert "No change the sample can detect: 28." in report.counts_text


def test_no_change_is_never_printed_beside_an_interval_that_excludes_zero(tmp_path):
    rng = random.Random(12)
    before, after = {}, {}
    for i in range(40):
        n, m = rng.randint(10, 40), rng.randint(10, 40)
        before[f"R-{i:02d}"] = (rng.randint(0, n), n)
        after[f"R-{i:02d}"] = (rng.randint(0, m), m)
    result = comparison(tmp_path, before, after)
    kinds = set()
    for c in result.criteria:
        change = c.change
        kinds.add(change.verdict)
        if change.ci_low > 0 or change.ci_high < 0:
            assert change.verdict != NO_DETECTABLE_CHANGE, c.criterion
        else:
            assert change.verdict == NO_DETECTABLE_CHANGE, c.criterion
    # The sample holds every kind but a confirmed decline, so the test says something.
    assert {IMPROVED, SUGGESTED[IMPROVED], SUGGESTED[DECLINED], NO_DETECTABLE_CHANGE} <= kinds
    # The report's rows carry the same words, beside the same intervals.
    rows = {r.id: r for r in comparison_report_context(result).rows}
    assert all(rows[c.criterion].verdict == c.change.verdict for c in result.criteria)


def test_the_summary_leads_with_the_share_graded_inadequate(tmp_path):
    # The demo: inspectors graded 34 of 72 inadequate, then 23 of 90 (Holm p about 0.015).
    grades_before = {"good": 10, "requires_improvement": 28, "inadequate": 34}
    grades_after = {"good": 30, "requires_improvement": 37, "inadequate": 23}
    result = comparison(tmp_path, {"X-01": (40, 72)}, {"X-01": (50, 90)},
                        cases_before=72, cases_after=90, suggested_before=grades_before, suggested_after=grades_after)
    inadequate = next(g.change for g in result.grades if g.source == "inspector" and g.grade == "inadequate")
    assert inadequate.verdict == FELL
    report = comparison_report_context(result)
    assert report.headline.startswith("The share of cases inspectors graded inadequate (2015 and 2019) fell: from "
                                      "34 of 72 (47%")
    assert "to 23 of 90 (26%" in report.headline
    html = render_comparison_report(result, formats=("html",))["html"].decode("utf-8")
    findings = html[html.index('id="findings"'):]
    assert findings.index(report.headline[:60]) < findings.index("Improved:")  # said first
    facts = key_facts(result)
    assert facts.startswith("Graded inadequate (inspectors' grades): 47% to 26%, fell; 1 criteria compared")


def test_the_headline_is_withheld_with_the_counts_it_would_reveal(tmp_path):
    result = comparison(tmp_path, {"X-01": (10, 20)}, {"X-01": (12, 20)},
                        suggested_before={"good": 17, "requires_improvement": 0, "inadequate": 3},
                        suggested_after={"good": 16, "requires_improvement": 0, "inadequate": 4})
    assert comparison_report_context(result).headline.startswith("The share of cases inspectors graded inadequate")
    hidden = comparison_report_context(result, suppress_below=5)
    # 3 and 4 inadequate: the rates, the change and its test would reveal them.
    assert hidden.headline == ("The share of cases inspectors graded inadequate (2015 and 2019): withheld: small "
                               "numbers (before fewer than 5 of 20, after fewer than 5 of 20).")
    assert "3 of 20" not in render_comparison_report(result, formats=("html",), suppress_below=5)["html"].decode()


def test_the_summary_says_when_most_criteria_move_the_same_way(tmp_path):
    before = {f"U-{i}": (8, 20) for i in range(8)} | {"D-0": (12, 20), "D-1": (12, 20)}
    after = {f"U-{i}": (11, 20) for i in range(8)} | {"D-0": (10, 20), "D-1": (12, 20)}
    report = comparison_report_context(comparison(tmp_path, before, after))
    assert report.direction.startswith("Most criteria moved the same way: 8 of 10 compared rates were higher in the "
                                       "later sample (1 lower, 1 the same)")
    mixed = comparison_report_context(comparison(tmp_path, {"A": (8, 20), "B": (12, 20)},
                                                 {"A": (11, 20), "B": (10, 20)}))
    assert mixed.direction == ""


def test_the_index_line_and_the_report_count_the_same(tmp_path):
    result = comparison(tmp_path, {"X-01": (2, 16), "Y-01": (2, 20), "Z-01": (18, 20), **STILL},
                        {"X-01": (11, 16), "Y-01": (18, 20), "Z-01": (2, 20), **STILL})
    report = comparison_report_context(result)
    words = [r.verdict for r in report.rows]
    facts = key_facts(result)
    assert (f"{len(words)} criteria compared: {words.count(IMPROVED)} improved, {words.count(DECLINED)} declined, "
            f"{sum(1 for r in report.rows if r.tag == 'suggested')} suggested but not confirmed, "
            f"{words.count(NO_DETECTABLE_CHANGE)} no change the sample can detect") in facts
    assert (words.count(IMPROVED), words.count(DECLINED), words.count(SUGGESTED[IMPROVED])) == (1, 1, 1)


# --- the comparison and the programme report never contradict each other ---------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def northmoor(tmp_path_factory):
    """The demo's two Northmoor rounds, scored from the committed cases, loaded as results files."""
    from thematic.scoring.inspection import inspection_results
    from thematic.scoring.prepare import load_inspection

    folder = tmp_path_factory.mktemp("northmoor")
    loaded = []
    for name in ("northmoor-2015", "northmoor-2019"):
        document = inspection_results(load_inspection(ROOT / "inspections" / f"{name}.yaml")).to_json()
        loaded.append(load_results(write(folder / f"{name}.json", document)))
    return loaded


def _agree(before, after) -> int:
    """Check that no criterion's comparison word contradicts the two-inspection programme report's funnel;
    return how many criteria the funnel put beyond its 99.8% limits (where it says "clearly")."""
    from thematic.stats.programme import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, build_programme

    changes = {c.criterion: c.change for c in compare(before, after, min_assessed=10).criteria}
    programme = build_programme([before, after], min_assessed=10)
    up = {IMPROVED, SUGGESTED[IMPROVED]}
    down = {DECLINED, SUGGESTED[DECLINED]}
    clear = 0
    for funnel in programme.criteria:
        verdict = changes[funnel.key].verdict
        old, new = funnel.forces
        higher_now = new.position in (ABOVE_998, ABOVE_95) or old.position in (BELOW_998, BELOW_95)
        lower_now = new.position in (BELOW_998, BELOW_95) or old.position in (ABOVE_998, ABOVE_95)
        # "Clearly above (below) the pooled rate, beyond chance" in the programme: the comparison sees the
        # same change, confirmed or suggested, and never says "no change the sample can detect".
        if new.position == ABOVE_998 or old.position == BELOW_998:
            assert verdict in up, (funnel.key, old.rate, new.rate, verdict)
            clear += 1
        if new.position == BELOW_998 or old.position == ABOVE_998:
            assert verdict in down, (funnel.key, old.rate, new.rate, verdict)
            clear += 1
        # A change, confirmed or suggested, never points against the funnel.
        if verdict in up:
            assert not lower_now, (funnel.key, verdict)
        if verdict in down:
            assert not higher_now, (funnel.key, verdict)
    return clear


def test_comparison_and_programme_agree_for_every_criterion_of_the_demo_force(northmoor):
    # The committed Northmoor samples are small: no criterion lies beyond the limits, and nothing contradicts.
    _agree(*northmoor)


def test_comparison_and_programme_agree_across_many_criteria(tmp_path):
    rng = random.Random(2019)
    before, after = {}, {}
    for i in range(120):
        n, m = rng.randint(10, 90), rng.randint(10, 90)
        p = rng.uniform(0.1, 0.9)
        shift = rng.choice((-0.4, -0.2, 0.0, 0.2, 0.4))
        q = min(max(p + shift, 0.0), 1.0)
        before[f"R-{i:03d}"] = (sum(rng.random() < p for _ in range(n)), n)
        after[f"R-{i:03d}"] = (sum(rng.random() < q for _ in range(m)), m)
    b = load_results(write(tmp_path / "b.json", results_doc(before, inspection="t-2015", year=2015, cases=90)))
    a = load_results(write(tmp_path / "a.json", results_doc(after, inspection="t-2019", year=2019, cases=90)))
    assert _agree(b, a) >= 10  # enough criteria beyond the limits for the test to say something
