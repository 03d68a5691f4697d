"""The README's kappa-paradox example states what the code computes for the table it states.

Every paragraph of README.md and docs/*.md that speaks of kappa and gives a table as counts of
answer pairs ("18 yes/yes, 1 yes/no and 1 no/yes": first inspector's answer / second's) is parsed
clause by clause (sentences and ";"-separated parts); each figure the clause states (raw agreement
as a whole percentage, Cohen's kappa and Gwet's AC1 to two places) must be what
`thematic.stats.agreement` gives for that table, and Cohen's kappa what statsmodels gives directly.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from thematic.stats.agreement import item_agreement

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ["yes", "no"]
CELL = re.compile(r"\b(\d+) (yes|no)/(yes|no)\b")
FIGURES = {
    "raw": re.compile(r"raw agreement (?:is )?(\d+)%"),
    "kappa": re.compile(r"Cohen's kappa (?:is )?([−-]?\d+\.\d+)"),
    "ac1": re.compile(r"Gwet's AC1 (?:is )?([−-]?\d+\.\d+)"),
}
TOTAL = re.compile(r"\b(\d+) cases double-scored")


def two_places(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def examples(paragraph: str) -> list[tuple[np.ndarray, dict[str, str]]]:
    """(table, stated figures) for every clause of `paragraph` that gives a table of answer pairs."""
    found = []
    for clause in re.split(r";|(?<=[a-z0-9)%])\.\s+(?=[A-Z])", paragraph):
        cells = CELL.findall(clause)
        if not cells:
            continue
        table = np.zeros((2, 2))
        for count, first, second in cells:
            table[CATEGORIES.index(first), CATEGORIES.index(second)] += int(count)
        stated = {name: m.group(1).replace("−", "-") for name, pattern in FIGURES.items()
                  if (m := pattern.search(clause))}
        found.append((table, stated))
    return found


def mismatches(paragraph: str) -> list[str]:
    """Each figure the paragraph states that differs from what the code computes, in words."""
    problems = []
    total = TOTAL.search(paragraph)
    for table, stated in examples(paragraph):
        if total and table.sum() != int(total.group(1)):
            problems.append(f"{table.tolist()}: {int(table.sum())} cases, the text says {total.group(1)}")
        if set(stated) != set(FIGURES):
            problems.append(f"{table.tolist()}: states {sorted(stated)}, not raw agreement, kappa and AC1")
        units = [{"insp-a": CATEGORIES[i], "insp-b": CATEGORIES[j]}
                 for i in range(2) for j in range(2) for _ in range(int(table[i, j]))]
        result = item_agreement("X", "q", CATEGORIES, units)
        assert result.raw_agreement is not None and result.cohens_kappa.value is not None
        assert result.gwet_ac1.value is not None
        computed = {"raw": str(round(result.raw_agreement * 100)), "kappa": two_places(result.cohens_kappa.value),
                    "ac1": two_places(result.gwet_ac1.value)}
        for name, text in stated.items():
            if text != computed[name]:
                problems.append(f"{table.tolist()}: the text says {name} {text}, the code computes {computed[name]}")
        with warnings.catch_warnings():  # no interval for a table without spread: statsmodels warns
            warnings.simplefilter("ignore", RuntimeWarning)
            direct = two_places(float(sm_kappa(table).kappa))
        if "kappa" in stated and stated["kappa"] != direct:
            problems.append(f"{table.tolist()}: the text says kappa {stated['kappa']}, statsmodels {direct}")
    return problems


def kappa_paragraphs(path: Path) -> list[str]:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
    return [p for p in paragraphs if "kappa" in p and CELL.search(p)]


README_PARAGRAPHS = kappa_paragraphs(ROOT / "README.md")


def test_the_readme_states_the_paradox_table_and_its_figures():
    assert len(README_PARAGRAPHS) == 1
    paragraph = README_PARAGRAPHS[0]
    assert "yes/no question" in paragraph  # AC1's chance term counts the answers the question offers
    assert [(t.tolist(), s) for t, s in examples(paragraph)] == [
        ([[18, 1], [1, 0]], {"raw": "90", "kappa": "-0.05", "ac1": "0.89"}),
        ([[18, 2], [0, 0]], {"raw": "90", "kappa": "0.00", "ac1": "0.89"}),
    ]


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))],
                         ids=lambda p: p.name)
def test_every_kappa_example_in_the_docs_matches_the_code(path):
    for paragraph in kappa_paragraphs(path):
        assert mismatches(paragraph) == []


def test_the_paradox_holds_high_raw_agreement_and_kappa_at_or_below_zero():
    for table, stated in examples(README_PARAGRAPHS[0]):
        assert int(stated["raw"]) >= 90 and float(stated["kappa"]) <= 0 < float(stated["ac1"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert float(sm_kappa(table).kappa) <= 1e-12


@pytest.mark.parametrize("wrong, expected, also", [
    # The report: 18 yes/yes and 2 yes/no said to give kappa -0.05 (statsmodels: 0.00).
    ("Of 20 cases double-scored, 18 yes/yes and 2 yes/no give raw agreement 90%, Cohen's kappa −0.05 "
     "and Gwet's AC1 0.89.", "the text says kappa -0.05, the code computes 0.00",
     "the text says kappa -0.05, statsmodels 0.00"),
    ("Of 20 cases double-scored, 18 yes/yes, 1 yes/no and 1 no/yes give raw agreement 90%, Cohen's kappa "
     "−0.05 and Gwet's AC1 0.90.", "the text says ac1 0.90, the code computes 0.89", None),
    ("Of 20 cases double-scored, 18 yes/yes, 1 yes/no and 1 no/yes give raw agreement 95%, Cohen's kappa "
     "−0.05 and Gwet's AC1 0.89.", "the text says raw 95, the code computes 90", None),
    ("Of 21 cases double-scored, 18 yes/yes, 1 yes/no and 1 no/yes give raw agreement 90%, Cohen's kappa "
     "−0.05 and Gwet's AC1 0.89.", "20 cases, the text says 21", None),
    ("Of 20 cases double-scored, 18 yes/yes, 1 yes/no and 1 no/yes give raw agreement 90% and Gwet's AC1 0.89.",
     "not raw agreement, kappa and AC1", None),
])
def test_a_figure_that_drifts_from_the_code_is_caught(wrong, expected, also):
    problems = mismatches(wrong)
    assert len(problems) == (2 if also else 1)
    assert expected in problems[0] and (also is None or also in problems[1])
