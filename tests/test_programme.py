"""Forces side by side: funnel limits by hand and against scipy, outliers named, refusals."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from results_factory import results_doc, write
from scipy.stats import binom, binomtest

from thematic.core.errors import InputError
from thematic.load.results import load_results, load_results_files
from thematic.stats.programme import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    NO_CASES,
    PROGRAMME_FORMAT,
    WITHIN,
    build_programme,
    funnel_limits,
)


def exact_quantile(q: Fraction, n: int, p: Fraction) -> int:
    """Smallest k with P(X <= k) >= q for X ~ Binomial(n, p), in exact rational arithmetic."""
    cumulative = Fraction(0)
    for k in range(n + 1):
        cumulative += math.comb(n, k) * p**k * (1 - p) ** (n - k)
        if cumulative >= q:
            return k
    return n


def programme(tmp_path: Path, forces: dict[str, dict], **common) -> Programme:  # noqa: F821
    results = []
    for name, counts in forces.items():
        document = results_doc(counts, inspection=f"{name}-2019", force=name, **common)
        results.append(load_results(write(tmp_path / f"{name}.json", document)))
    return build_programme(results)


# --- the limits ----------------------------------------------------------------------------------

def test_limits_for_half_of_ten_by_hand():
    # Binomial(10, 1/2): P(X <= k) = (1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024) / 1024.
    # 0.1%: F(0) = 0.00098 < 0.001 <= F(1) = 0.0107 -> 1.   2.5%: F(1) < 0.025 <= F(2) = 0.0547 -> 2.
    # 97.5%: F(7) = 0.945 < 0.975 <= F(8) = 0.989 -> 8.    99.9%: F(8) < 0.999 <= F(9) = 0.99902 -> 9.
    limits = funnel_limits(0.5, 10)
    assert (limits.low_998, limits.low_95, limits.high_95, limits.high_998) == (1, 2, 8, 9)
    assert limits.rates() == {"low_99.8": 0.1, "low_95": 0.2, "high_95": 0.8, "high_99.8": 0.9}


@pytest.mark.parametrize(("p0", "n"), [("1/2", 10), ("3/10", 24), ("4/5", 120), ("9/20", 40), ("1/10", 7),
                                       ("2/3", 3), ("23/40", 20), ("1/50", 100)])
def test_limits_are_the_exact_binomial_quantiles(p0, n):
    p = Fraction(p0)
    expected = tuple(exact_quantile(Fraction(q), n, p) for q in ("0.001", "0.025", "0.975", "0.999"))
    limits = funnel_limits(float(p), n)
    assert (limits.low_998, limits.low_95, limits.high_95, limits.high_998) == expected


@pytest.mark.parametrize(("count", "position"), [
    (10, ABOVE_998), (9, ABOVE_95), (8, WITHIN), (5, WITHIN), (2, WITHIN), (1, BELOW_95), (0, BELOW_998),
])
def test_a_count_at_a_limit_is_within_and_one_beyond_is_outside(count, position):
    assert funnel_limits(0.5, 10).position(count) == position


@pytest.mark.parametrize("n", [5, 12, 30, 120])
@pytest.mark.parametrize("p0", [0.2, 0.55, 0.9])
def test_outside_a_limit_means_an_exact_one_sided_binomial_p_at_most_half_its_level(n, p0):
    limits = funnel_limits(p0, n)
    for k in range(n + 1):
        greater = binomtest(k, n, p0, alternative="greater").pvalue
        less = binomtest(k, n, p0, alternative="less").pvalue
        position = limits.position(k)
        assert (position in (ABOVE_95, ABOVE_998)) == (greater <= 0.025), k
        assert (position == ABOVE_998) == (greater <= 0.001), k
        assert (position in (BELOW_95, BELOW_998)) == (less < 0.025), k
        assert (position == BELOW_998) == (less < 0.001), k


@pytest.mark.parametrize("n", [1, 3, 10, 24, 31, 120])
@pytest.mark.parametrize("p0", [0.05, 0.3, 0.5, 0.77, 0.95])
def test_exact_limits_are_conservative(n, p0):
    limits = funnel_limits(p0, n)
    outside_95 = binom.cdf(limits.low_95 - 1, n, p0) + binom.sf(limits.high_95, n, p0)
    outside_998 = binom.cdf(limits.low_998 - 1, n, p0) + binom.sf(limits.high_998, n, p0)
    assert outside_95 <= 0.05 + 1e-12 and outside_998 <= 0.002 + 1e-12


def test_limits_approach_the_normal_approximation_for_a_large_denominator():
    # Spiegelhalter (2005): for large n the limits are p0 +/- z * sqrt(p0 (1 - p0) / n).
    n, p0 = 10_000, 0.3
    se = math.sqrt(p0 * (1 - p0) / n)
    rates = funnel_limits(p0, n).rates()
    for key, z in (("low_95", -1.959964), ("high_95", 1.959964), ("low_99.8", -3.090232), ("high_99.8", 3.090232)):
        assert rates[key] == pytest.approx(p0 + z * se, abs=2 / n)


@pytest.mark.parametrize("p0", [0.0, 1.0])
def test_a_pooled_rate_of_zero_or_one_has_limits_on_it(p0):
    limits = funnel_limits(p0, 12)
    assert {limits.low_998, limits.low_95, limits.high_95, limits.high_998} == {round(p0 * 12)}
    assert limits.position(round(p0 * 12)) == WITHIN


@pytest.mark.parametrize(("p0", "n"), [(0.5, 0), (1.2, 10), (-0.1, 10)])
def test_funnel_limits_refuse_impossible_arguments(p0, n):
    with pytest.raises(ValueError):
        funnel_limits(p0, n)


# --- forces side by side -------------------------------------------------------------------------

def test_pooled_rate_is_all_numerators_over_all_denominators(tmp_path):
    result = programme(tmp_path, {"a": {"X-01": (3, 10)}, "b": {"X-01": (5, 10)}, "c": {"X-01": (10, 20)}})
    [funnel] = result.criteria
    assert (funnel.pooled.successes, funnel.pooled.total) == (18, 40)
    assert funnel.pooled.rate == pytest.approx(0.45)
    a = funnel.forces[0]
    assert (a.inspection, a.rate.successes, a.rate.total) == ("a-2019", 3, 10)
    expected = tuple(exact_quantile(Fraction(q), 10, Fraction(9, 20)) for q in ("0.001", "0.025", "0.975", "0.999"))
    assert (a.limits.low_998, a.limits.low_95, a.limits.high_95, a.limits.high_998) == expected


def test_a_force_far_from_the_pooled_rate_is_named(tmp_path):
    # Five forces at 10/20 and one at 19/20: pooled 69/120 = 0.575. P(X >= 19) for Binomial(20, 0.575)
    # is about 0.00025, beyond the 99.9% quantile; P(X <= 10) is about 0.33.
    forces = {name: {"X-01": (10, 20)} for name in "abcde"}
    forces["f"] = {"X-01": (19, 20)}
    [funnel] = programme(tmp_path, forces).criteria
    assert funnel.pooled.rate == pytest.approx(69 / 120)
    assert [f.inspection for f in funnel.outside_998] == ["f-2019"]
    assert [f.inspection for f in funnel.outside_95] == ["f-2019"]
    assert {f.position for f in funnel.forces if f.inspection != "f-2019"} == {WITHIN}
    assert funnel.to_json()["outside_99.8"] == ["f-2019"]


def test_a_force_outside_95_but_not_99_8_is_only_worth_a_look(tmp_path):
    forces = {name: {"X-01": (10, 20)} for name in "abcdefgh"}
    forces["i"] = {"X-01": (16, 20)}  # pooled 96/180; P(X >= 16) for Binomial(20, 0.533) is about 0.014
    [funnel] = programme(tmp_path, forces).criteria
    assert binomtest(16, 20, 96 / 180, alternative="greater").pvalue == pytest.approx(0.014, abs=0.002)
    assert [f.inspection for f in funnel.outside_95] == ["i-2019"] and funnel.outside_998 == ()
    assert funnel.forces[-1].position == ABOVE_95


def test_a_force_with_no_assessed_cases_is_shown_but_not_compared(tmp_path):
    result = programme(tmp_path, {"a": {"X-01": (3, 10)}, "b": {"X-01": (0, 0)}}, cases=10)
    [funnel] = result.criteria
    b = funnel.forces[1]
    assert b.position == NO_CASES and b.limits is None and b.rate.rate is None
    assert funnel.comparisons == 1


def test_multiple_comparisons_are_counted_with_what_chance_would_give(tmp_path):
    forces = {name: {"X-01": (5, 10), "Y-01": (6, 10)} for name in "abcd"}
    families = programme(tmp_path, forces).families()
    assert families["criteria"]["comparisons"] == 8
    assert families["criteria"]["chance_at_most_95"] == pytest.approx(0.4)
    assert families["criteria"]["chance_at_most_99.8"] == pytest.approx(0.016)
    assert families["grades"]["comparisons"] == 4 * 3 * 2  # three grades, inspector and suggested


def test_a_criterion_with_another_fingerprint_is_listed_apart(tmp_path):
    docs = {name: results_doc({"X-01": (5, 10), "Y-01": (5, 10)}, inspection=f"{name}-2019", force=name,
                              themes={"supervision": (5, 10)}) for name in "abc"}
    docs["c"]["criteria"]["fingerprints"]["X-01"] = "sha256:changed"
    result = build_programme([load_results(write(tmp_path / f"{n}.json", d)) for n, d in docs.items()])
    x, y = result.criteria
    assert [f.inspection for f in x.forces] == ["a-2019", "b-2019"] and x.pooled.total == 20
    assert [(n.item, "fingerprint" in n.reason) for n in x.not_compared] == [("c-2019", True)]
    assert [f.inspection for f in y.forces] == ["a-2019", "b-2019", "c-2019"]
    [theme] = result.themes
    assert [f.inspection for f in theme.forces] == ["a-2019", "b-2019"]
    assert [n.item for n in theme.not_compared] == ["c-2019"]
    inspector = [g for g in result.grades if g.kind == "inspector_grade"]
    suggested = [g for g in result.grades if g.kind == "suggested_grade"]
    assert all(len(g.forces) == 3 for g in inspector) and all(len(g.forces) == 2 for g in suggested)


def test_curve_gives_the_limits_at_every_denominator(tmp_path):
    result = programme(tmp_path, {"a": {"X-01": (3, 10)}, "b": {"X-01": (9, 12)}})
    curve = result.criteria[0].curve()
    assert [c.total for c in curve] == list(range(1, 13))
    assert curve[9] == funnel_limits(12 / 22, 10)


def test_to_json_is_the_programme_document(tmp_path):
    result = programme(tmp_path, {"a": {"X-01": (3, 10)}, "b": {"X-01": (9, 12)}})
    document = json.loads(json.dumps(result.to_json()))
    assert document["format"] == PROGRAMME_FORMAT and document["criteria_id"] == "test-set"
    assert [i["inspection"] for i in document["inspections"]] == ["a-2019", "b-2019"]
    force = document["criteria"][0]["forces"][1]
    assert (force["successes"], force["total"], force["position"]) == (9, 12, "within")
    assert set(force["limits"]) == {"low_99.8", "low_95", "high_95", "high_99.8"}
    assert set(document["method"]) >= {"limits", "multiple_comparisons"}


def test_notes_mention_several_years_and_a_force_twice(tmp_path):
    docs = [results_doc({"X-01": (3, 10)}, inspection="a-2018", force="a", year=2018),
            results_doc({"X-01": (5, 10)}, inspection="a-2019", force="a", year=2019)]
    result = build_programme([load_results(write(tmp_path / f"{i}.json", d)) for i, d in enumerate(docs)])
    assert any("more than one year (2018, 2019)" in n for n in result.notes)
    assert any("Force a appears in 2 inspections" in n for n in result.notes)


# --- refusals ------------------------------------------------------------------------------------

def test_one_results_file_is_not_a_programme(tmp_path):
    only = load_results(write(tmp_path / "a.json", results_doc({"X-01": (3, 10)})))
    with pytest.raises(InputError, match="at least two inspections"):
        build_programme([only])


def test_mixed_criteria_sets_are_refused_naming_the_odd_file(tmp_path):
    paths = [write(tmp_path / f"{n}.json", results_doc({"X-01": (3, 10)}, inspection=f"{n}-2019", criteria_id=c))
             for n, c in (("a", "set-1"), ("b", "set-1"), ("c", "set-2"))]
    with pytest.raises(InputError) as caught:
        build_programme(load_results_files(paths))
    [problem] = caught.value.problems
    assert problem.file.endswith("c.json") and '"set-2"' in problem.message and '"set-1"' in problem.message
    assert paths[2].read_text().splitlines()[problem.line - 1].strip() == '"id": "set-2",'


def test_duplicate_inspection_ids_are_refused(tmp_path):
    paths = [write(tmp_path / f"{n}.json", results_doc({"X-01": (3, 10)}, inspection="same-2019")) for n in "ab"]
    with pytest.raises(InputError) as caught:
        build_programme(load_results_files(paths))
    [problem] = caught.value.problems
    assert problem.field == "inspection.id"
    assert "already given by" in problem.message and str(paths[0]) in problem.message


def test_the_same_file_twice_is_refused_even_without_an_inspection_id(tmp_path):
    path = write(tmp_path / "a.json", results_doc({"X-01": (3, 10)}, inspection=None))
    with pytest.raises(InputError, match="more than once"):
        build_programme(load_results_files([path, path]))


def test_problems_of_every_file_are_reported_together(tmp_path):
    bad = [results_doc({"X-01": (3, 10)}, inspection=f"{n}") for n in "ab"]
    bad[0]["format"] = "thematic.results/9"
    del bad[1]["cases"]
    with pytest.raises(InputError) as caught:
        build_programme(load_results_files([write(tmp_path / f"{i}.json", d) for i, d in enumerate(bad)]))
    assert [Path(p.file).name for p in caught.value.problems] == ["0.json", "1.json"]
