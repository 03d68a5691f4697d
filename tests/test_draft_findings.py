"""The draft of the findings at the top of the force report (issue 12 item 9).

Every number of the draft is read back from the rendered HTML of the demo inspection (Northmoor 2019,
100 cases) and checked against the results model it was made from: the grade counts, each theme's
and lowest criterion's "n of N", the cases failing a critical criterion, the grades by category. The
boundaries are hand-made: a theme with exactly the minimum of assessed cases is described and one
fewer is "too few cases to say"; no inadequate case reads "none was inadequate"; one case reads in
the singular; suppression leaves every case reference out.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest
from render_samples import hand_made_results, shipped_criteria

from thematic.model.results import FAILED, NO_GRADE, ResultsDocument
from thematic.render.context import force_report_context
from thematic.render.draft_findings import CRITICAL, TOO_FEW, DraftFindings, draft_findings
from thematic.render.force import render_force_report
from thematic.render.plain_words import agree, and_list
from thematic.render.views import BELOW, label, percent
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "inspections" / "northmoor-2019.yaml"
GRADE_WORDS = {"inadequate": "inadequate", "requires_improvement": "required improvement", "good": "good"}


@pytest.fixture(scope="module")
def demo():
    """The demo inspection scored: (its results model, its criteria set)."""
    inspection = load_inspection(DEMO)
    return inspection_results(inspection), inspection.criteria


def draft_text(document: ResultsDocument, criteria, **options) -> str:
    """The rendered draft section of the force report of `document` as plain text, one line a block."""
    page = render_force_report(document, criteria, formats=["html"], **options)["html"].decode()
    start = page.index('<section aria-labelledby="draft-findings"')
    section = page[start:page.index("</section>", start)]
    assert page.index("draft-findings") < page.index('id="key-findings"')  # at the top of the report
    text = re.sub(r"<(p|li|h2|h3)\b[^>]*>", "\n", section)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def number(text: str) -> int:
    return 0 if text == "none" else int(text)


def build(document: ResultsDocument, criteria, *, min_assessed: int = 10, suppress_below: int | None = None,
          thresholds=()) -> DraftFindings:
    report = force_report_context(document, criteria, min_assessed=min_assessed, suppress_below=suppress_below,
                                  thresholds=thresholds)
    return draft_findings(document, report, min_assessed=min_assessed)


# --- the demo's numbers, read back from the HTML ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_text(demo) -> str:
    return draft_text(*demo)


def test_the_draft_is_headed_as_a_draft_generated_from_the_figures(demo_text):
    assert demo_text.lstrip().startswith("Draft findings")
    assert "Draft, generated from the figures." in demo_text


def test_the_grade_counts_are_the_models_inspector_grades(demo, demo_text):
    document, _ = demo
    grades = document.summary.grades
    match = re.search(r"Of the (\d+) cases we reviewed, (\w+) (?:was|were) inadequate, (\w+) required improvement "
                      r"and (\w+) (?:was|were) good, as the inspectors graded them\.", demo_text)
    assert match, demo_text[:600]
    assert number(match[1]) == document.summary.cases == len(document.cases or ())
    assert [number(g) for g in match.groups()[1:]] == [grades.inspector[g] for g in GRADE_WORDS]
    differ = re.search(r"differs from the inspector’s in (\w+) of the (\d+) graded cases", demo_text)
    assert differ and (number(differ[1]), number(differ[2])) == (grades.disagreements, grades.compared)


def test_each_themes_sentence_has_the_models_counts_and_rates(demo, demo_text):
    document, criteria = demo
    titles = {theme_id: theme.title for theme_id, theme in criteria.file.themes.items()}
    checked = 0
    for theme_id, totals in document.summary.themes.items():
        line = next(line for line in demo_text.splitlines() if line.startswith(titles[theme_id] + "."))
        match = re.search(r"In (\d+) of the (\d+) cases assessed, every criterion of this theme that applied was met "
                          r"\((\d+)%", line)
        assert match, line
        assert (int(match[1]), int(match[2])) == (totals.all_met, totals.cases)
        assert f"{match[3]}%" == percent(totals.all_met / totals.cases)
        lowest = re.search(r"met least often was ([A-Z]+-\d+), “[^”]+”: met in (\d+) of the (\d+) cases assessed "
                           r"\((\d+)%", line)
        if lowest:
            entry = document.summary.criteria[lowest[1]]
            assert (int(lowest[2]), int(lowest[3])) == (entry.met, entry.assessed)
            assert f"{lowest[4]}%" == percent(entry.met / entry.assessed)
            # The lowest of its theme's criteria with enough assessed cases.
            ids = [c.id for c in criteria.criteria if c.definition.theme == theme_id]
            rates = [document.summary.criteria[i] for i in ids if document.summary.criteria[i].assessed >= 10]
            assert entry.met / entry.assessed == min(r.met / r.assessed for r in rates)
            checked += 1
    assert checked >= 5


def critical_failures(document: ResultsDocument, criteria) -> dict[str, list[str]]:
    critical = [c.id for c in criteria.criteria if c.definition.severity == CRITICAL]
    found: dict[str, list[str]] = {}
    for case in document.cases or ():
        failed = [cid for cid in critical if case.results[cid].state in FAILED]
        if failed:
            found[case.case_id] = failed
    return found


def test_critical_failures_are_listed_by_case(demo, demo_text):
    document, criteria = demo
    expected = critical_failures(document, criteria)
    match = re.search(r"In (\d+) of the (\d+) cases at least one critical criterion \(([^)]+)\) was not met or not "
                      r"evidenced\.", demo_text)
    assert match
    assert (int(match[1]), int(match[2])) == (len(expected), len(document.cases or ()))
    listed = {}
    for line in demo_text.splitlines():
        case = re.match(r"(NOR-2019-\d+) \([a-z ]+\): (.*)", line.strip())
        if case:
            listed[case[1]] = re.findall(r"([A-Z]+-\d+) (?:not met|not evidenced)", case[2])
    assert listed == expected


def test_results_by_area_of_child_protection_count_the_cases_of_each_category(demo, demo_text):
    document, _ = demo
    cases = document.cases or ()
    sizes = Counter(case.category for case in cases)
    described = 0
    for category, size in sizes.items():
        name = label(category)
        match = re.search(rf"Of the (\d+) {name} cases, (\w+) (?:was|were) inadequate, (\w+) required improvement and "
                          rf"(\w+) (?:was|were) good", demo_text)
        if size >= 10:
            assert match, name
            grades = Counter(case.grade or NO_GRADE for case in cases if case.category == category)
            assert int(match[1]) == size
            assert [number(g) for g in match.groups()[1:]] == [grades[g] for g in GRADE_WORDS]
            described += 1
        else:
            assert match is None
            assert re.search(rf"{name[:1].upper()}{name[1:]}: {size} cases?; {TOO_FEW.lower()}", demo_text), name
    assert described >= 3 and described < len(sizes)  # both kinds of sentence are exercised


def test_without_a_reference_no_concern_is_invented(demo_text):
    section = demo_text[demo_text.index("Causes of concern"):demo_text.index("Critical failures")]
    assert section.count("None can be drawn from the figures: no reference rate was given") == 2


def test_with_a_reference_each_criterion_clearly_below_it_is_a_concern_or_area_for_improvement(demo):
    document, criteria = demo
    draft = build(document, criteria, thresholds=(0.8,))
    report = force_report_context(document, criteria, thresholds=(0.8,))
    below = {row.id: row for theme in report.themes for row in theme.criteria
             if not row.rate.few and any(a.position == BELOW for a in row.rate.flags)}
    assert below, "the demo has criteria clearly below 80%"
    assert {c.criterion_id for c in draft.concerns} == {i for i, row in below.items() if row.severity == CRITICAL}
    assert {c.criterion_id for c in draft.improvements} == {i for i, row in below.items() if row.severity != CRITICAL}
    for concern in (*draft.concerns, *draft.improvements):
        entry = document.summary.criteria[concern.criterion_id]
        assert f"met in {entry.met} of the {entry.assessed} cases assessed" in concern.sentence
        assert "clearly below 80% (reference given on the command line)" in concern.sentence
    # A reference nothing falls below: said so, not left blank.
    none_below = build(document, criteria, thresholds=(0.01,))
    assert none_below.concerns == () and none_below.concerns_note.startswith("No critical criterion with 10 or more")


def test_the_pdf_opens_with_the_draft_and_its_numbers():
    # The committed example (16 cases), as the PDF prints it: the draft is on the first page, after the title.
    from pdf_layout import words
    from render_samples import example_results, rendered_pdf

    pdf, _ = rendered_pdf()
    first_page = " ".join(w.text for w in words(pdf) if w.page == 1)
    document = example_results()[0]
    grades = document.summary.grades
    assert "Draft findings" in first_page and "Draft, generated from the figures." in first_page
    assert (f"Of the {document.summary.cases} cases we reviewed, {grades.inspector['inadequate']} were inadequate"
            in first_page)


# --- boundaries, on hand-made samples ---------------------------------------------------------------------------

def sample(n: int, *, met: int, grade: str = "requires_improvement", critical_failed: int = 0) -> ResultsDocument:
    """`n` cases assessed on SUP-01 (the first `met` met), graded `grade` by the inspector; the first
    `critical_failed` of them fail the critical criterion TIM-02."""
    cases = []
    for i in range(n):
        states = {"SUP-01": "met" if i < met else "not_met"}
        if i < critical_failed:
            states["TIM-02"] = "not_met"
        cases.append({"case_id": f"TST-{i + 1:03d}", "states": states, "suggested": grade, "grade": grade})
    return hand_made_results(cases)


def theme_sentence(draft: DraftFindings, title: str = "Supervision") -> str:
    return " ".join(next(t.sentences for t in draft.themes if t.title == title))


def test_a_theme_with_exactly_the_minimum_of_cases_is_described_and_one_fewer_is_too_few():
    criteria = shipped_criteria()
    at_minimum = build(sample(10, met=4), criteria, min_assessed=10)
    assert theme_sentence(at_minimum).startswith("In 4 of the 10 cases assessed")
    one_fewer = build(sample(9, met=4), criteria, min_assessed=10)
    assert theme_sentence(one_fewer) == f"{TOO_FEW}: fewer than 10 cases were assessed on this theme."
    # The grade sentence and the critical failures' count follow the same rule.
    assert one_fewer.grades[0].startswith(f"{TOO_FEW} how the cases were graded")
    assert one_fewer.critical.startswith(f"{TOO_FEW} how often a critical criterion")
    assert at_minimum.grades[0].startswith("Of the 10 cases we reviewed")


def test_no_inadequate_case_reads_none_was_inadequate():
    draft = build(sample(12, met=12, grade="good"), shipped_criteria())
    assert draft.grades[0] == ("Of the 12 cases we reviewed, none was inadequate, none required improvement and "
                               "12 were good, as the inspectors graded them.")
    assert draft.critical.startswith("No critical criterion (")


def test_one_case_reads_in_the_singular():
    draft = build(sample(1, met=1, grade="inadequate", critical_failed=1), shipped_criteria(), min_assessed=1)
    assert draft.grades[0] == ("Of the 1 case we reviewed, 1 was inadequate, none required improvement and none was "
                               "good, as the inspectors graded them.")
    assert theme_sentence(draft).startswith("In 1 of the 1 case assessed")
    assert draft.critical.startswith("In 1 of the 1 case at least one critical criterion")
    assert draft.categories == ("Of the 1 neglect case, 1 was inadequate, none required improvement and none was good, "
                                "as the inspectors graded them.",)


def test_suppression_removes_every_case_reference(demo):
    document, criteria = demo
    text = draft_text(document, criteria, suppress_below=5)
    assert critical_failures(document, criteria)  # there are cases that would be listed
    assert not re.search(r"NOR-2019-\d+", text)
    assert "The cases are not listed in this version, which is prepared for publication." in text
    draft = build(document, criteria, suppress_below=5)
    assert draft.critical_cases == ()
    # A count below the limit is never printed, in grades or by category.
    assert not re.search(r"\b[1-4] (?:was|were|required|is|are)\b", text)


def test_suppression_withholds_a_breakdown_whose_one_hidden_count_the_others_would_reveal():
    # 12 cases: 2 inadequate (hidden below 5) and 10 good: 12 - 10 would reveal the 2.
    cases = [{"case_id": f"TST-{i:03d}", "suggested": "inadequate" if i < 2 else "good",
              "grade": "inadequate" if i < 2 else "good"} for i in range(12)]
    draft = build(hand_made_results(cases), shipped_criteria(), suppress_below=5)
    assert "withheld" in draft.grades[0] and "10 were good" not in draft.grades[0]
    assert "withheld" in draft.categories[0]


def test_without_inspector_grades_the_draft_counts_the_suggested_grades_and_says_so():
    cases = [{"case_id": f"TST-{i:03d}", "suggested": "inadequate" if i < 3 else "good"} for i in range(10)]
    draft = build(hand_made_results(cases), shipped_criteria())
    assert draft.grades == ("Of the 10 cases we reviewed, 3 were inadequate, none required improvement and 7 were "
                            "good, by the grades the criteria results suggest (no inspector has graded a case yet).",)


def test_a_2015_round_says_adequate_where_2019_says_requires_improvement():
    document = sample(12, met=12, grade="requires_improvement")
    document = document.model_copy(update={"inspection": document.inspection.model_copy(update={"year": 2015})})
    draft = build(document, shipped_criteria())
    assert draft.grades[0] == ("Of the 12 cases we reviewed, none was inadequate, 12 were adequate and none was good, "
                               "as the inspectors graded them.")
    assert "required improvement" not in " ".join(draft.categories)


def test_cases_not_yet_graded_are_counted_apart():
    cases = [{"case_id": f"TST-{i:03d}", "suggested": "good", "grade": None if i < 2 else "good"} for i in range(12)]
    draft = build(hand_made_results(cases), shipped_criteria())
    assert draft.grades[0] == ("Of the 12 cases we reviewed, none was inadequate, none required improvement and 10 "
                               "were good, as the inspectors graded them; 2 are not yet graded.")


@pytest.mark.parametrize(("count", "word"), [("1", "was"), ("none", "was"), ("0", "were"), ("2", "were"),
                                             ("fewer than 5", "were")])
def test_agree(count, word):
    assert agree(count, "was", "were") == word


def test_and_list():
    assert [and_list(x) for x in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
