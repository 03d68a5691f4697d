"""Flags a reader can act on (issue 12 item 6): clearly above, clearly below, or not distinguishable.

A rate is flagged only when its whole 95% interval lies on one side of a reference; an interval that
contains or touches the reference is "not distinguishable from" it, printed as plain words and never
as a flag. A reference always comes with its source: a criteria file's `reference` (the theme's own
or the file's) or `thematic report --reference PCT` ("reference given on the command line"). The
shipped criteria give none, so by default nothing is flagged, and the method says why.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_samples import example, example_results, hand_made_results, shipped_criteria
from report_helpers import run

from thematic.core.errors import InputError
from thematic.load.criteria import shipped_criteria_path
from thematic.render.context import force_report_context
from thematic.render.views import (
    ABOVE,
    BELOW,
    COMMAND_LINE_SOURCE,
    UNDISTINGUISHED,
    Reference,
    Suppression,
    position,
)
from thematic.scoring.criteria import load_criteria
from thematic.scoring.fingerprint import fingerprints
from thematic.stats.proportion import proportion

SOURCE = "Fictional inspectorate target for the tests, 2026"
THEME_SOURCE = "Fictional supervision standard for the tests, 2026"


def criteria_with(tmp_path: Path, *, top: float | None = None, supervision: float | None = None,
                  extra: str = "") -> Path:
    """The shipped criteria file with a top-level and/or a supervision theme `reference` added."""
    text = shipped_criteria_path().read_text(encoding="utf-8")
    if supervision is not None:
        anchor = "  supervision:\n    title: Supervision\n"
        assert anchor in text
        text = text.replace(anchor, f"{anchor}    reference:\n      rate: {supervision}\n"
                                    f"      source: {THEME_SOURCE}\n{extra}")
    if top is not None:
        text += f"\nreference:\n  rate: {top}\n  source: {SOURCE}\n"
    path = tmp_path / "criteria-with-reference.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rows(report):
    return {row.id: row for theme in report.themes for row in theme.criteria}


# --- where an interval lies against a reference ----------------------------------------------------------

@pytest.mark.parametrize(
    ("low", "high", "reference", "expected"),
    [
        (0.80, 0.95, 0.80, UNDISTINGUISHED),     # touching the reference from above: it is in the interval
        (0.8000001, 0.95, 0.80, ABOVE),          # just clear of it
        (0.60, 0.80, 0.80, UNDISTINGUISHED),     # touching from below
        (0.60, 0.7999999, 0.80, BELOW),
        (0.40, 0.89, 0.50, UNDISTINGUISHED),     # 7 of 10 against 50%
        (0.0, 2.8e-17, 0.01, BELOW),             # a bound within float noise of 0 is 0
    ],
)
def test_position_is_clear_only_when_the_whole_interval_is_on_one_side(low, high, reference, expected):
    assert position(low, high, reference) == expected


def test_a_rate_one_case_over_the_edge_is_flagged_and_one_at_it_is_not():
    # 24 of 30 met: Wilson 95% interval 62.7%–90.5%. Against 62%, clearly above; against its own
    # lower bound (the interval touches it), not distinguishable; one case fewer (23 of 30, 59.1%–
    # 88.2%) is not distinguishable from 62% either.
    p = proportion(24, 30)
    touching = Reference(p.ci_low, "test")
    above = Suppression().rate(24, 30, p.ci_low, p.ci_high, (Reference(0.62, "test"), touching))
    assert [a.position for a in above.against] == [ABOVE, UNDISTINGUISHED]
    assert above.flag == "clearly above 62%"
    q = proportion(23, 30)
    assert Suppression().rate(23, 30, q.ci_low, q.ci_high, (Reference(0.62, "test"),)).flags == ()


def test_no_rate_means_no_comparison():
    references = (Reference(0.8, "test"),)
    nothing = Suppression().rate(0, 0, None, None, references)
    p = proportion(3, 10)
    withheld = Suppression(5).rate(3, 10, p.ci_low, p.ci_high, references)
    assert nothing.against == () and nothing.flag == ""
    assert withheld.withheld and withheld.against == ()


# --- the force report's view data -----------------------------------------------------------------------

SUP_SAMPLE = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 3 else "not_met",
                                                    "SUP-02": "met" if i < 9 else "not_met"}}
              for i in range(30)]


def test_without_a_reference_nothing_is_flagged_and_the_method_says_so():
    report = force_report_context(hand_made_results(SUP_SAMPLE), shipped_criteria())
    assert all(row.rate.against == () for row in rows(report).values())
    assert all(theme.references == () for theme in report.themes)
    assert report.method.thresholds.startswith("No rate is flagged: no reference was given.")
    assert "thematic report --reference PCT" in report.method.thresholds


def test_a_reference_given_on_the_command_line_is_said_to_be_so():
    report = force_report_context(hand_made_results(SUP_SAMPLE), shipped_criteria(), thresholds=(0.5,))
    sup01, sup02 = rows(report)["SUP-01"], rows(report)["SUP-02"]
    # 3 of 30 (3%–26%) is clearly below 50%; 9 of 30 (17%–48%) too; SUP-03, no case assessed: nothing.
    assert sup01.rate.flag == "clearly below 50%" and sup02.rate.flag == "clearly below 50%"
    assert rows(report)["SUP-03"].rate.against == ()
    assert f"50% for every theme ({COMMAND_LINE_SOURCE})" in report.method.thresholds
    assert "whole of its 95% interval is above, or below, the reference" in report.method.thresholds
    supervision = next(f for f in report.key_findings if f.theme.id == "supervision")
    assert "Clearly below 50%: the whole 95% interval is below it." in supervision.summary


def test_the_criteria_file_gives_references_with_their_sources(tmp_path):
    criteria = load_criteria(criteria_with(tmp_path, top=0.9, supervision=0.25))
    report = force_report_context(hand_made_results(SUP_SAMPLE, criteria), criteria)
    # Supervision uses its own reference: 3 of 30 (3%–26%) touches nothing and contains 25%;
    # 9 of 30 (17%–48%) contains 25% too. Timeliness (no case assessed) has the file's 90%.
    assert rows(report)["SUP-01"].rate.against_text == "not distinguishable from 25%"
    assert rows(report)["SUP-01"].rate.flag == ""
    supervision = next(t for t in report.themes if t.id == "supervision")
    timeliness = next(t for t in report.themes if t.id == "timeliness")
    assert supervision.references == (Reference(0.25, THEME_SOURCE),)
    assert timeliness.references == (Reference(0.9, SOURCE),)
    assert f"25% for the themes Supervision ({THEME_SOURCE})" in report.method.thresholds
    assert f"({SOURCE})" in report.method.thresholds
    # The command line replaces the file's references, and says so.
    overridden = force_report_context(hand_made_results(SUP_SAMPLE, criteria), criteria, thresholds=(0.5,))
    assert {t.references for t in overridden.themes} == {(Reference(0.5, COMMAND_LINE_SOURCE),)}


def test_a_reference_changes_no_fingerprint(tmp_path):
    shipped = shipped_criteria()
    with_reference = load_criteria(criteria_with(tmp_path, top=0.9, supervision=0.25))
    assert fingerprints(with_reference, with_reference.defaults()) == fingerprints(shipped, shipped.defaults())


@pytest.mark.parametrize(
    ("rate", "extra", "expected"),
    [
        (80, "", "reference.rate"),                      # a percentage where a proportion belongs
        (0.0, "", "reference.rate"),
        (0.8, "      target: 1\n", "target"),             # an unknown key
    ],
)
def test_a_bad_reference_is_a_located_error(tmp_path, rate, extra, expected):
    path = criteria_with(tmp_path, supervision=rate, extra=extra)
    with pytest.raises(InputError) as raised:
        load_criteria(path)
    text = str(raised.value)
    assert path.name in text and expected in text


# --- the command line and the page ----------------------------------------------------------------------

@pytest.fixture
def results(tmp_path: Path) -> Path:
    document, _ = example()
    path = tmp_path / "scored" / "results.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document, indent=2))
    return path


def test_reference_option_flags_rates_and_names_its_source(capsys, results, tmp_path):
    code, _, err = run(capsys, "report", str(results), "-o", str(tmp_path / "out"), "--format", "html",
                       "--reference", "95")
    assert code == 0, err
    html = (tmp_path / "out" / "report.html").read_text()
    assert '<strong class="tag tag-flag">Clearly below</strong> 95%' in html
    assert "not distinguishable from 95%" in html   # said in plain words, with no tag
    assert COMMAND_LINE_SOURCE in html
    assert "Borderline" not in html


def test_criteria_file_reference_is_used_by_the_report(capsys, results, tmp_path):
    criteria = criteria_with(tmp_path, top=0.99)
    code, _, err = run(capsys, "report", str(results), "-o", str(tmp_path / "out"), "--format", "html",
                       "--criteria", str(criteria))
    assert code == 0, err
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Clearly below</strong> 99%" in html and SOURCE in html
    assert COMMAND_LINE_SOURCE not in html


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reference", "50,80"], "--reference: give one percentage, such as 80, not 50,80"),
        (["--reference", "100"], "--reference: 100 is not strictly between 0 and 100"),
        (["--reference", "x"], "--reference: 'x' is not a number"),
        (["--reference", "80", "--thresholds", "80"], "--thresholds: give --reference only"),
    ],
)
def test_bad_reference_exits_2_and_writes_nothing(capsys, results, tmp_path, argv, message):
    out = tmp_path / "out"
    code, _, err = run(capsys, "report", str(results), "-o", str(out), "--format", "html", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_reference_is_for_the_force_report_only(capsys, results, tmp_path):
    code, _, err = run(capsys, "report", str(results), str(results), "-o", str(tmp_path / "p"), "--reference", "80")
    assert code == 2
    assert "--reference: goes with one results file" in err


def test_force_pdf_with_flags_has_no_overprinted_words():
    # The "Against the reference" column holds the longest words with a reference ("not distinguishable
    # from 80%", a flag and "few cases"): they must wrap, never run into the next column.
    from pdf_layout import describe, overlaps

    from thematic.render.force import render_force_report

    document, criteria = example_results()
    pdf = render_force_report(document, criteria, formats=["pdf"], thresholds=(0.8,))["pdf"]
    found = overlaps(pdf)
    assert found == [], describe(found)
