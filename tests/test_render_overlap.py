"""No overprinted text in any PDF report: every word box of the comparison, programme and force
reports is extracted with poppler (tests/pdf_layout.py) and no two words may overlap, whether table
cells running into each other or chart labels colliding (charts are SVG drawn as text in the PDF).

The samples are the committed demo-sized inspections (Northmoor 2015 and 2019, Eastport and
Southvale 2019: 70 to 90 cases each), scored here, so the reports carry the figures `thematic demo`
prints: changes with decimal points ("−0.1 to +32 points"), long intervals, ticks from −100 to +100.
The force report is the committed example's (tests/render_samples.py). Each PDF takes seconds.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pdf_layout import Word, describe, overlapping, overlaps, words
from render_samples import rendered_pdf

from thematic.load.results import load_results
from thematic.render.comparison import render_comparison_report
from thematic.render.force import render_force_report
from thematic.render.programme import render_programme_report
from thematic.scoring.inspection import score_inspection
from thematic.scoring.prepare import load_inspection
from thematic.stats.compare import compare
from thematic.stats.programme import build_programme

ROOT = Path(__file__).resolve().parent.parent
INSPECTIONS = ROOT / "inspections"


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """inspection id: (its results.json, its criteria set), scored once for the module."""
    folder = tmp_path_factory.mktemp("overlap")
    done = {}
    for name in ("northmoor-2015", "northmoor-2019", "southvale-2019", "eastport-2019"):
        inspection = load_inspection(INSPECTIONS / f"{name}.yaml")
        path = folder / f"{name}.json"
        path.write_text(json.dumps(score_inspection(inspection)), encoding="utf-8")
        done[name] = (path, inspection.criteria)
    return done


@pytest.fixture(scope="module")
def comparison_pdf(scored) -> bytes:
    (before, _), (after, criteria) = scored["northmoor-2015"], scored["northmoor-2019"]
    b, a = load_results(before), load_results(after)
    return render_comparison_report(compare(b, a), criteria, a.parameters, formats=["pdf"])["pdf"]


@pytest.fixture(scope="module")
def programme_pdf(scored) -> bytes:
    names = ("northmoor-2019", "southvale-2019", "eastport-2019")
    results = [load_results(scored[n][0]) for n in names]
    return render_programme_report(build_programme(results), results, scored[names[0]][1], formats=["pdf"])["pdf"]


@pytest.fixture(scope="module")
def demo_force_pdf(scored) -> bytes:
    path, criteria = scored["northmoor-2019"]
    return render_force_report(json.loads(path.read_text()), criteria, formats=["pdf"])["pdf"]


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
    # Words that only touch, and lines whose boxes share a strip of their leading, do not count.
    a = Word(1, "+15", 100, 100, 120, 110)
    assert overlapping([a, Word(1, "points", 120.3, 100, 150, 110)]) == []
    assert overlapping([a, Word(1, "below", 100, 108.5, 130, 118.5)]) == []
    assert len(overlapping([a, Word(1, "0.069", 118, 100, 140, 110)])) == 1


def test_comparison_pdf_has_no_overprinted_words(comparison_pdf):
    found = overlaps(comparison_pdf)
    assert found == [], describe(found)


def test_comparison_pdf_prints_the_interval_and_p_values_apart(comparison_pdf):
    text = " ".join(w.text for w in words(comparison_pdf))
    assert "Fisher" in text and "points" in text


def test_programme_pdf_has_no_overprinted_words(programme_pdf):
    found = overlaps(programme_pdf)
    assert found == [], describe(found)


def test_demo_force_pdf_has_no_overprinted_words(demo_force_pdf):
    found = overlaps(demo_force_pdf)
    assert found == [], describe(found)


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
