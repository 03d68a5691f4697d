"""No overprinted text in any PDF report: every word box of every PDF `thematic demo` writes (each
force report, year-on-year comparison and programme report of the example programme: 72 to 110 cases
a force) and of the other reports is extracted with poppler (tests/pdf_layout.py), and no two words
may overlap, whether table cells running into each other, lines of a heading, or chart labels
colliding (charts are SVG drawn as text in the PDF), with no exception for any report or chart.

The demo's reports carry the figures `thematic demo` prints: changes with decimal points ("−0.1 to
+32 points"), long intervals, ticks from −100 to +100, funnel charts whose forces sit close
together. The example force report is the committed example's (tests/render_samples.py). Each PDF
takes seconds; the demo's are made once for the module.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from pdf_layout import Word, describe, overlapping, overlaps, words
from render_samples import rendered_pdf

from thematic.demo import PROGRAMME, run_demo


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory) -> dict[str, Path]:
    """Every PDF the example programme's demo writes, by its path in the demo folder."""
    out = tmp_path_factory.mktemp("overlap") / "demo"
    run_demo(out, formats=("pdf",))
    return {str(path.relative_to(out)): path for path in sorted(out.rglob("*.pdf"))}


def test_the_demo_writes_every_kind_of_pdf(demo_pdfs):
    expected = {f"{p.id}/report.pdf" for p in PROGRAMME}
    expected |= {f"programme-{year}/programme.pdf" for year in {p.year for p in PROGRAMME}}
    expected |= {f"{force}-2015-to-2019/comparison.pdf" for force in {p.force for p in PROGRAMME}}
    assert set(demo_pdfs) == expected


def test_the_checker_sees_words_and_finds_overprinting():
    pdf, _ = rendered_pdf()
    found = words(pdf)
    assert len(found) > 500 and any(w.text == "Exampleshire" for w in found)
    page = [w for w in found if w.page == 1 and w.text.strip()]
    assert overlapping(page) == []
    # The page printed twice, the second copy 3 pt to the right: each word overlaps its twin.
    twins = [Word(w.page, w.text, w.x0 + 3, w.y0, w.x1 + 3, w.y1) for w in page]
    pairs = {(o.first.text, o.second.text) for o in overlapping(page + twins) if o.first.text == o.second.text}
    assert len(pairs) >= len({w.text for w in page if w.x1 - w.x0 > 4}) * 0.9
    # Words that only touch, across or down, do not count; any strip of overlap beyond 0.6 pt does,
    # between lines (a label 1 pt into the one above it, as the funnel charts' were) as across.
    a = Word(1, "+15", 100, 100, 120, 110)
    assert overlapping([a, Word(1, "points", 120.3, 100, 150, 110)]) == []
    assert overlapping([a, Word(1, "below", 100, 109.5, 130, 119.5)]) == []
    assert len(overlapping([a, Word(1, "Eastport", 105, 109, 130, 119)])) == 1
    assert len(overlapping([a, Word(1, "0.069", 118, 100, 140, 110)])) == 1


@pytest.mark.parametrize("name", sorted({f"{p.id}/report.pdf" for p in PROGRAMME}
                                         | {f"programme-{p.year}/programme.pdf" for p in PROGRAMME}
                                         | {f"{p.force}-2015-to-2019/comparison.pdf" for p in PROGRAMME}))
def test_no_demo_pdf_has_overprinted_words(demo_pdfs, name):
    found = overlaps(demo_pdfs[name])
    assert found == [], describe(found)


def test_comparison_pdf_prints_the_interval_and_p_values_apart(demo_pdfs):
    text = " ".join(w.text for w in words(demo_pdfs["northmoor-2015-to-2019/comparison.pdf"]))
    assert "Fisher" in text and "points" in text


def test_funnel_labels_are_in_the_programme_pdfs_and_checked(demo_pdfs):
    # The forces' names label the funnel charts: the words the check above holds apart.
    for year in (2015, 2019):
        text = [w.text for w in words(demo_pdfs[f"programme-{year}/programme.pdf"])]
        assert all(text.count(force.capitalize()) > 20 for force in ("northmoor", "southvale", "eastport"))


@pytest.mark.parametrize("suppress_below", [None, 5])
def test_example_force_pdf_has_no_overprinted_words(suppress_below):
    pdf, _ = rendered_pdf(suppress_below)
    found = overlaps(pdf)
    assert found == [], describe(found)


def test_force_pdf_with_the_agreement_section_has_no_overprinted_words(tmp_path):
    import test_render_agreement as agreement

    from thematic.cli import main

    inspection = agreement.write_answers(tmp_path / "inspection")  # double-scored cases: the section is there
    assert main(["run", str(inspection), "-o", str(tmp_path / "out")]) == 0
    pdf = (tmp_path / "out" / "report.pdf").read_bytes()
    assert "Agreement between inspectors" in " ".join(w.text for w in words(pdf))
    found = overlaps(pdf)
    assert found == [], describe(found)


def test_assessors_pdf_has_no_overprinted_words(tmp_path):
    # TIM-01's p-values read "less than 0.001", which ran into the next columns of the direction table
    import test_render_assessors as assessors

    from thematic.cli import main

    def side(name: str, inspection: str, which: str):
        states = {"TIM-01": getattr(assessors, f"TIM_{which}"), "SUP-01": getattr(assessors, f"SUP_{which}"),
                  "SUP-02": assessors.SUP2, "RISK-01": getattr(assessors, f"RISK_{which}")}
        return assessors.side(tmp_path, name, inspection, states, getattr(assessors, f"GRADE_{which}"))

    force, inspectors = side("force.json", "testshire-self-2019", "FORCE"), side("inspectors.json", "testshire-2019",
                                                                                 "INSP")
    assert main(["compare-assessors", str(force), str(inspectors), "--report", str(tmp_path / "report"),
                 "-o", str(tmp_path / "comparison.json")]) == 0
    pdf = (tmp_path / "report" / "assessors.pdf").read_bytes()
    assert "less than 0.001" in " ".join(w.text for w in words(pdf))
    found = overlaps(pdf)
    assert found == [], describe(found)
