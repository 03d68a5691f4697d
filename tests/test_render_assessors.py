"""The self-assessment report (`thematic compare-assessors ... --report DIR`): per criterion the paired
cases, agreement and the direction of any bias in words; the grade with the sign test; the method;
HTML that passes axe-core and vnu, and a tagged PDF with nothing in WeasyPrint's log.

Expected numbers come from the case patterns below, through scipy, statsmodels and hand counts.
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from a11y import axe_violations, chromium, describe_violations, describe_vnu, pdf_tagging_problems, pdf_text, vnu_errors
from render_samples import ROOT, hand_made, shipped_criteria
from results_factory import results_doc, write
from scipy.stats import binomtest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from thematic.cli import main
from thematic.load.results import load_case_states_files
from thematic.render.assessors import ALIKE, LESS, MORE, NONE, UNPAIRED, assessors_report, p_text
from thematic.render.context import question_text
from thematic.stats.assessors import compare_assessors

N = 24
# TIM-01: the force says met in every case, the inspectors in the first 12 only (12 force-only, 0 the reverse).
TIM_FORCE = ["met"] * N
TIM_INSP = ["met"] * 12 + ["not_met"] * 12
# SUP-01: 20 paired (4 not applicable); 3 met by the force only, 2 by the inspectors only.
SUP_FORCE = ["met"] * 10 + ["not_met"] * 10 + ["not_applicable"] * 4
SUP_INSP = ["met"] * 7 + ["not_met"] * 3 + ["met"] * 2 + ["not_met"] * 8 + ["not_applicable"] * 4
# SUP-02: both say met in the first 10 cases; RISK-01: the inspectors' answers are pending, so nothing pairs.
SUP2 = ["met"] * 10 + ["not_applicable"] * 14
RISK_FORCE = ["met"] * 4 + ["not_applicable"] * 20
RISK_INSP = ["pending"] * 4 + ["not_applicable"] * 20
# Grades: the force grades 8 cases better, 14 the same, and leaves 2 ungraded.
GRADE_FORCE = ["good"] * 8 + ["requires_improvement"] * 14 + [None] * 2
GRADE_INSP = ["requires_improvement"] * 22 + ["inadequate"] * 2
RANK = {"good": 0, "requires_improvement": 1, "inadequate": 2}


def side(tmp: Path, name: str, inspection: str, states: dict[str, list[str]], grades: list[str | None]) -> Path:
    cases = [{"case_id": f"T-{i + 1:02d}", "states": {cid: s[i] for cid, s in states.items()}, "grade": grades[i]}
             for i in range(N)]
    document = hand_made(cases)
    document["inspection"]["id"] = inspection
    return write(tmp / name, document)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("assessors")
    force = side(tmp, "force.json", "testshire-self-2019",
                 {"TIM-01": TIM_FORCE, "SUP-01": SUP_FORCE, "SUP-02": SUP2, "RISK-01": RISK_FORCE}, GRADE_FORCE)
    inspectors = side(tmp, "inspectors.json", "testshire-2019",
                      {"TIM-01": TIM_INSP, "SUP-01": SUP_INSP, "SUP-02": SUP2, "RISK-01": RISK_INSP}, GRADE_INSP)
    return force, inspectors


@pytest.fixture(scope="module")
def report(files):
    return assessors_report(compare_assessors(*load_case_states_files(files)))


def row(report, cid):
    return next(r for r in report.criteria if r.id == cid)


def paired(force: list[str], insp: list[str]) -> list[tuple[int, int]]:
    """(force met, inspectors met) as 1/0 for the cases both assessed."""
    assessed = ("met", "not_met", "not_evidenced")
    return [(int(f == "met"), int(i == "met")) for f, i in zip(force, insp, strict=False)
            if f in assessed and i in assessed]


def mcnemar_p(force, insp) -> float:
    pairs = paired(force, insp)
    b = sum(1 for f, i in pairs if f and not i)
    c = sum(1 for f, i in pairs if i and not f)
    return binomtest(b, b + c, 0.5).pvalue  # the exact test: b + c is below 25 here


# --- view data ------------------------------------------------------------------------------------

def test_paired_cases_agreement_and_counts_per_criterion(report):
    for cid, force, insp in (("TIM-01", TIM_FORCE, TIM_INSP), ("SUP-01", SUP_FORCE, SUP_INSP)):
        pairs = paired(force, insp)
        agreed = sum(f == i for f, i in pairs)
        r = row(report, cid)
        assert (r.paired, r.not_paired) == (len(pairs), N - len(pairs))
        assert r.raw.n_of_n == f"{agreed} of {len(pairs)}"
        low, high = proportion_confint(agreed, len(pairs), method="wilson")
        assert r.raw.interval == f"{round(low * 100)}%–{round(high * 100)}%"
        assert r.force_met.n_of_n == f"{sum(f for f, _ in pairs)} of {len(pairs)}"
        assert r.inspectors_met.n_of_n == f"{sum(i for _, i in pairs)} of {len(pairs)}"
        assert (r.force_only, r.inspectors_only) == (sum(f > i for f, i in pairs), sum(i > f for f, i in pairs))
        table = np.zeros((2, 2))
        for f, i in pairs:
            table[1 - f, 1 - i] += 1
        with warnings.catch_warnings():  # TIM-01: the force's answer never varies, so kappa's z is 0/0
            warnings.simplefilter("ignore", RuntimeWarning)
            assert r.kappa.text == f"{sm_kappa(table).kappa:.2f}".replace("-", "\u2212")


def test_direction_is_named_from_the_holm_adjusted_mcnemar_p(report):
    p_tim, p_sup = mcnemar_p(TIM_FORCE, TIM_INSP), mcnemar_p(SUP_FORCE, SUP_INSP)
    adjusted = multipletests([p_tim, p_sup], method="holm")[1]
    tim, sup = row(report, "TIM-01"), row(report, "SUP-01")
    assert p_tim == pytest.approx(2 / 2 ** 12) and adjusted[0] < 0.05 <= adjusted[1]
    assert (tim.p, tim.p_adjusted, tim.test) == (p_text(p_tim), p_text(adjusted[0]), "exact")
    assert (sup.p, sup.p_adjusted) == (f"{p_sup:.3f}", f"{adjusted[1]:.3f}")
    assert (tim.finding, tim.significant) == (MORE, True)
    assert (sup.finding, sup.significant) == (NONE, False)
    assert row(report, "SUP-02").finding == ALIKE  # the same result in all 10 paired cases: nothing to test
    assert row(report, "RISK-01").finding == UNPAIRED and row(report, "RISK-01").p == "–"


@pytest.mark.parametrize("p, text", [(None, "–"), (0.0009, "less than 0.001"), (0.001, "0.001"), (0.04321, "0.043"),
                                     (1.0, "1.000")])
def test_p_values_are_printed_to_three_places_with_a_floor(p, text):
    assert p_text(p) == text


def test_grade_better_same_worse_and_the_sign_test(report):
    both = [(f, i) for f, i in zip(GRADE_FORCE, GRADE_INSP, strict=False) if f is not None]
    better = sum(RANK[f] < RANK[i] for f, i in both)
    worse = sum(RANK[f] > RANK[i] for f, i in both)
    g = report.grade
    assert (g.paired, g.not_paired, g.better, g.same, g.worse) == (len(both), N - len(both), better,
                                                                   len(both) - better - worse, worse)
    p = binomtest(better, better + worse, 0.5).pvalue
    assert g.p == f"{p:.3f}" and (g.finding, g.significant) == (MORE, True)
    same = len(both) - better - worse
    assert g.sentence == (f"Of {len(both)} cases graded by both sides (each side's own grade), the force gives a "
                          f"better grade than the inspectors in {better}, the same grade in {same} "
                          f"and a worse grade in {worse}; sign test p = {p:.3f}. "
                          "The force rates itself more favourably than the inspectors.")
    assert g.matrix[0] == ("good", (0, better, 0))


def test_key_findings_name_the_criteria_in_each_direction(report):
    direction = report.findings[0]
    compared = sum(1 for r in report.criteria if r.paired)
    assert direction.startswith(f"Of {compared} criteria with cases both sides assessed, the force rates itself more "
                                "favourably than the inspectors on 1 (TIM-01). On the other "
                                f"{compared - 1} the sample can detect no difference.")
    assert "RISK-01" in direction  # named among the criteria no case was assessed by both on
    assert report.findings[-1] == report.grade.sentence


def test_a_force_less_favourable_is_named_so(tmp_path):
    force = side(tmp_path, "f.json", "f", {"TIM-01": TIM_INSP}, GRADE_INSP)
    inspectors = side(tmp_path, "i.json", "i", {"TIM-01": TIM_FORCE}, GRADE_INSP)
    result = assessors_report(compare_assessors(*load_case_states_files([force, inspectors])))
    assert row(result, "TIM-01").finding == LESS
    assert "less favourably on 1 (TIM-01)" in result.findings[0]


# --- the command --------------------------------------------------------------------------------

class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@pytest.fixture(scope="module")
def written(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    records = _Records()
    logging.getLogger("weasyprint").addHandler(records)
    try:
        code = main(["compare-assessors", str(files[0]), str(files[1]), "--report", str(out / "dir"),
                     "-o", str(out / "comparison.json")])
    finally:
        logging.getLogger("weasyprint").removeHandler(records)
    assert code == 0
    return out, records.messages


def test_report_option_writes_html_and_pdf_and_keeps_the_json(written, files):
    out, _ = written
    assert sorted(p.name for p in (out / "dir").iterdir()) == ["assessors.html", "assessors.pdf"]
    assert json.loads((out / "comparison.json").read_text()) == json.loads(
        json.dumps(compare_assessors(*load_case_states_files(files)).to_json()))


def test_html_names_each_criterion_by_its_question_and_the_direction_in_words(written):
    out, _ = written
    page = (out / "dir" / "assessors.html").read_text(encoding="utf-8")
    criteria = shipped_criteria()
    tim = next(c for c in criteria.criteria if c.id == "TIM-01")
    question = question_text(tim.definition.question, criteria.defaults())
    assert "24" in question and question.replace("'", "&#39;") in page
    direction = page[page.index('id="direction-table"'):]
    tim_row = re.search(r'<a href="#assessed-tim-01">TIM-01</a>.*?</tr>', direction, re.S).group(0)
    assert "<strong>Force more favourable</strong>" in tim_row
    sup_row = re.search(r'<a href="#assessed-sup-01">SUP-01</a>.*?</tr>', direction, re.S).group(0)
    assert "No difference the sample can detect" in sup_row and "<strong>" not in sup_row
    assert 'id="assessed-tim-01"' in page  # the direction row links to the agreement row
    assert "McNemar" in page[page.index('id="method"'):]


def test_pdf_is_tagged_says_the_findings_and_weasyprint_logs_nothing(written):
    out, logged = written
    pdf = (out / "dir" / "assessors.pdf").read_bytes()
    assert pdf_tagging_problems(pdf) == []
    assert logged == []
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    assert "Self-assessment against inspection" in text and "Force more favourable" in text


def test_without_report_option_no_report_is_written(files, tmp_path, capsys):
    assert main(["compare-assessors", str(files[0]), str(files[1]), "-o", str(tmp_path / "c.json")]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_criteria_file_of_another_set_is_exit_2_and_writes_nothing(files, tmp_path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text((ROOT / "criteria" / "ncpi-thematic-2019.yaml").read_text().replace(
        "id: ncpi-thematic-2019", "id: another-set", 1))
    code = main(["compare-assessors", str(files[0]), str(files[1]), "--report", str(tmp_path / "dir"),
                 "--criteria", str(other)])
    assert code == 2
    assert "the results were scored with ncpi-thematic-2019 version 2" in capsys.readouterr().err
    assert not (tmp_path / "dir").exists()


@pytest.fixture(scope="module")
def unknown_set(tmp_path_factory) -> Path:
    """Two results files of a criteria set thematic does not ship (results_factory), without grades."""
    tmp = tmp_path_factory.mktemp("unknown-set")
    paths = []
    for name, met in (("force.json", 9), ("inspectors.json", 6)):
        document = results_doc({"A-01": (met, 10)}, cases=10, inspection=name[:-5], case_prefix="T")
        for i, case in enumerate(document["cases"]):
            state = "met" if i < met else "not_met"
            case.update(category="neglect", results={"A-01": {"state": state, "evidence": ""}},
                        suggested_grade="good", provisional=False, grade=None)
        paths.append(write(tmp / name, document))
    out = tmp / "dir"
    assert main(["compare-assessors", str(paths[0]), str(paths[1]), "--report", str(out)]) == 0
    return out / "assessors.html"


def test_criteria_of_an_unknown_set_are_named_by_id_and_an_ungraded_sample_has_no_grade_table(unknown_set, capsys):
    page = unknown_set.read_text(encoding="utf-8")
    assert '<span class="criterion-id">A-01</span></th>' in page
    assert "No case was graded by both sides (each side&#39;s own grade)." in page
    assert "The force&#39;s grade against the inspectors&#39; grade" not in page


# --- accessibility ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pages(written, unknown_set) -> dict[str, Path]:
    return {"shipped": written[0] / "dir" / "assessors.html", "unknown": unknown_set}


@pytest.mark.parametrize("variant", ["shipped", "unknown"])
def test_axe_finds_no_wcag_22_a_or_aa_violation(pages, variant):
    with chromium() as browser:
        violations = axe_violations(browser, pages[variant])
    assert violations == [], describe_violations(violations)


def test_html_validator_finds_no_error(pages):
    for path, found in vnu_errors(*pages.values()).items():
        assert found == [], f"{path}:\n{describe_vnu(found)}"


def test_headings_are_in_order_and_every_table_has_a_caption(pages):
    page = pages["shipped"].read_text(encoding="utf-8")
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:], strict=False))
    assert page.count("<table") == page.count("<caption>") >= 4
