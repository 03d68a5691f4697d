"""The force report's "Agreement between inspectors" section: the right numbers for the inspectors'
answers, the kappa paradox in words, the moderation list, suppression, absence when nothing was
double-scored, `thematic run`, the agreement file for `thematic report --agreement`, and the
page's accessibility (axe-core, vnu, a tagged PDF with nothing in WeasyPrint's log).

The fixture is the fictional Exampleshire sample copied into a temporary folder, its answers taken
out, and two inspectors' judgements files written from the answer lists below; every expected
number is worked out from those lists (by hand, statsmodels or krippendorff), not from the report.
"""
from __future__ import annotations

import html as html_lib
import json
import logging
import re
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from a11y import axe_violations, chromium, describe_violations, describe_vnu, pdf_tagging_problems, vnu_errors
from render_samples import rendered_html
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.proportion import proportion_confint
from workbook_support import example_inspection, write_judgements, write_moderation

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.agreement import load_agreement
from thematic.load.sample import load_sample
from thematic.render.context import force_report_context
from thematic.render.force import render_force_report
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection
from thematic.stats.agreement import agreement_from_sample, gwet_ac1

IDS = [f"EXA-2019-{i:03d}" for i in range(1, 17)]
# INF-02 (yes, no, n/a): 14 cases both "yes", then one split each way: the kappa paradox.
INF_A = ["yes"] * 14 + ["yes", "no"]
INF_B = ["yes"] * 14 + ["no", "yes"]
# RISK-05 (yes, partly, no, n/a): insp-b scored the first 12 cases only; 7 alike, 5 not.
RISK_A = ["yes", "yes", "no", "no", "partly", "yes", "n/a", "yes", "no", "yes", "partly", "yes"] + ["yes"] * 4
RISK_B = ["yes", "no", "no", "yes", "partly", "no", "n/a", "yes", "partly", "no", "partly", "yes"]
GRADE_A = ["good"] * 6 + ["requires_improvement"] * 5 + ["inadequate"] * 5
GRADE_B = GRADE_A[:2] + ["requires_improvement"] + GRADE_A[3:]
REFERRED_B = 11  # insp-b alone refers the twelfth case back
DECIDED = (IDS[14], "INF-02", "no", "insp-c", "No record of why information was shared.")
GRADES = ["good", "requires_improvement", "inadequate"]


def minus(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "\u2212")


def pairs(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    return list(zip(a, b, strict=False))  # zip stops at the shorter list: the cases both scored


def table(pairs_: list[tuple[str, str]], categories: list[str]) -> np.ndarray:
    out = np.zeros((len(categories), len(categories)))
    for x, y in pairs_:
        out[categories.index(x), categories.index(y)] += 1
    return out


def alpha(pairs_: list[tuple[str, str]], categories: list[str], level: str = "nominal") -> float:
    data = np.array([[categories.index(x) for x, _ in pairs_], [categories.index(y) for _, y in pairs_]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                    value_domain=list(range(len(categories)))))


def write_answers(folder: Path) -> Path:
    inspection = example_inspection(folder)
    a = {case: {"judgements": {"INF-02": {"answer": INF_A[i]}, "RISK-05": {"answer": RISK_A[i]},
                               "SUP-04": {"answer": "yes"}},
                "grade": {"value": GRADE_A[i]}} for i, case in enumerate(IDS)}
    b = {case: {"judgements": {"INF-02": {"answer": INF_B[i]},
                               **({"RISK-05": {"answer": RISK_B[i]}} if i < len(RISK_B) else {})},
                "grade": {"value": GRADE_B[i], "referred_back": i == REFERRED_B}} for i, case in enumerate(IDS)}
    write_judgements(folder / "judgements" / "insp-a.yaml", "insp-a", a)
    write_judgements(folder / "judgements" / "insp-b.yaml", "insp-b", b)
    case, item, answer, by, reason = DECIDED
    write_moderation(folder / "judgements" / "moderation.yaml",
                     {case: {"judgements": {item: {"answer": answer, "by": by, "reason": reason}}}})
    return inspection


@pytest.fixture(scope="module")
def inspection_file(tmp_path_factory) -> Path:
    return write_answers(tmp_path_factory.mktemp("double-scored"))


@pytest.fixture(scope="module")
def scored(inspection_file):
    inspection = load_inspection(inspection_file)
    return inspection_results(inspection), inspection.criteria, agreement_from_sample(load_sample(inspection)).to_json()


@pytest.fixture(scope="module")
def section(scored):
    document, criteria, agreement = scored
    return force_report_context(document, criteria, agreement=agreement).agreement


@pytest.fixture(scope="module")
def pages(scored, tmp_path_factory) -> dict[str, Path]:
    document, criteria, agreement = scored
    folder = tmp_path_factory.mktemp("pages")
    files = {}
    for name, below in (("full", None), ("suppressed", 5)):
        html = render_force_report(document, criteria, formats=["html"], suppress_below=below, agreement=agreement)
        files[name] = folder / f"force-{name}.html"
        files[name].write_bytes(html["html"])
    return files


def agreement_part(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text[text.index('<section aria-labelledby="agreement">'):text.index('<section aria-labelledby="method">')]


def row_cells(part: str, name: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\">(?:(?!</tr>).)*?{re.escape(name)}.*?</tr>", part, re.S).group(0)
    return [html_lib.unescape(re.sub(r"<[^>]+>", " ", cell)).split() for cell in
            re.findall(r'<td class="num[^"]*">(.*?)</td>', row)]


# --- the numbers ----------------------------------------------------------------------------------

def test_only_items_with_double_scored_cases_get_a_row(section):
    assert [row.item for row in section.rows] == ["RISK-05", "INF-02", "Overall grade"]
    assert section.not_double_scored == ("SUP-04", "CRM-06")  # insp-a alone answered SUP-04; nobody CRM-06
    assert section.not_double_scored_text == "SUP-04 and CRM-06"
    assert section.inspectors == ("insp-a", "insp-b")


@pytest.mark.parametrize("name, a, b, categories", [
    ("INF-02", INF_A, INF_B, ["yes", "no", "n/a"]),
    ("RISK-05", RISK_A, RISK_B, ["yes", "partly", "no", "n/a"]),
])
def test_each_criterion_row_shows_counts_raw_agreement_and_coefficients(section, name, a, b, categories):
    both = pairs(a, b)
    agreed = sum(x == y for x, y in both)
    row = next(r for r in section.rows if r.item == name)
    assert row.double_scored.text == str(len(both))
    assert row.raw.n_of_n == f"{agreed} of {len(both)}"
    assert row.raw.percent == f"{round(100 * agreed / len(both))}%"
    low, high = proportion_confint(agreed, len(both), method="wilson")
    assert row.raw.interval == f"{round(low * 100)}%–{round(high * 100)}%"
    counts = table(both, categories)
    kappa = sm_kappa(counts)
    assert row.kappa.text == minus(kappa.kappa)
    assert row.kappa.interval == f"{minus(max(-1, kappa.kappa_low))} to {minus(min(1, kappa.kappa_upp))}"
    assert row.alpha.text == minus(alpha(both, categories))
    assert row.ac1.text == minus(gwet_ac1(counts).value)
    assert row.anchor == f"criterion-{name.lower()}"  # traces back to the criterion's row in its theme


def test_inf_02_is_the_kappa_paradox_worked_by_hand(section):
    row = next(r for r in section.rows if r.item == "INF-02")
    # po = 14/16; chance for kappa (15/16)^2 + (1/16)^2 = 226/256, so kappa = (224 - 226) / (256 - 226).
    assert row.kappa.text == minus(-2 / 30) == "\u22120.07"
    # AC1 chance term: 2 x (15/16)(1/16) / (3 - 1) answers = 15/256, so AC1 = (224 - 15) / (256 - 15).
    assert row.ac1.text == minus(209 / 241) == "0.87"
    assert row.paradox.startswith("INF-02: the inspectors gave the same answer in 14 of 16 cases (88%), yet "
                                  "Cohen's kappa is only \u22120.07. This is the kappa paradox")
    assert row.paradox.endswith("Gwet's AC1, which does not fall this way, is 0.87.")


@pytest.mark.parametrize("name", ["RISK-05", "Overall grade"])
def test_no_paradox_note_where_raw_agreement_is_low_or_kappa_high(section, name):
    # RISK-05: 7 of 12 alike (below 80%); the grade: 15 of 16 alike and a high weighted kappa.
    assert next(r for r in section.rows if r.item == name).paradox == ""


def test_grade_row_uses_linear_weights_and_ordinal_alpha(section):
    both = pairs(GRADE_A, GRADE_B)
    row = next(r for r in section.rows if r.item == "Overall grade")
    assert row.weighted and row.anchor == "" and row.question == ""
    assert row.raw.n_of_n == "15 of 16"
    assert row.kappa.text == minus(sm_kappa(table(both, GRADES), wt="linear").kappa)
    assert row.alpha.text == minus(alpha(both, GRADES, "ordinal"))


def expected_disagreements() -> list[tuple[str, str, str]]:
    """(case, item, status) for every case and item where the inspectors' answers differ, in case order."""
    found = []
    for i, case in enumerate(IDS):
        if i < len(RISK_B) and RISK_A[i] != RISK_B[i]:
            found.append((case, "RISK-05"))
        if INF_A[i] != INF_B[i]:
            found.append((case, "INF-02"))
        if GRADE_A[i] != GRADE_B[i]:
            found.append((case, "overall grade"))
        if i == REFERRED_B:
            found.append((case, "referred back"))
    return [(case, item, "decided" if (case, item) == DECIDED[:2] else "open") for case, item in found]


def test_moderation_list_has_every_disagreement_open_or_decided(section):
    expected = expected_disagreements()
    assert [(d.case_id, d.item, "decided" if d.decided else "open") for d in section.moderation] == expected
    assert section.disagreements.text == str(len(expected))
    assert (section.open.text, section.decided.text) == (str(len(expected) - 1), "1")
    decided = next(d for d in section.moderation if d.decided)
    assert decided.answers == "insp-a \u201cyes\u201d; insp-b \u201cno\u201d"
    assert decided.status == f"decided: \u201cno\u201d by insp-c: {DECIDED[4]}"
    grade = next(d for d in section.moderation if d.item == "overall grade")
    assert grade.answers == "insp-a \u201cgood\u201d; insp-b \u201crequires improvement\u201d"


def test_html_section_prints_the_numbers_in_their_columns(pages):
    part = agreement_part(pages["full"])
    both = pairs(INF_A, INF_B)
    low, high = proportion_confint(14, 16, method="wilson")
    kappa = sm_kappa(table(both, ["yes", "no", "n/a"]))
    assert row_cells(part, "INF-02") == [
        ["16"], ["14", "of", "16"], ["88%"], [f"{round(low * 100)}%–{round(high * 100)}%"],
        [minus(kappa.kappa), f"({minus(max(-1, kappa.kappa_low))}", "to", f"{minus(min(1, kappa.kappa_upp))})"],
        [minus(alpha(both, ["yes", "no", "n/a"]))],
        ["0.87", *gwet_interval(both, ["yes", "no", "n/a"])],
    ]
    assert '<a href="#criterion-inf-02">INF-02</a>' in part and 'id="criterion-inf-02"' in pages["full"].read_text()
    assert "This is the kappa paradox" in part
    assert "No case was double-scored on SUP-04 and CRM-06." in part
    for case, item, _status in expected_disagreements():
        assert re.search(rf"<th scope=\"row\">{case}</th><td>{item}</td>", part), (case, item)
    assert '<li><a href="#agreement">Agreement between inspectors</a></li>' in pages["full"].read_text()


def gwet_interval(both, categories) -> list[str]:
    c = gwet_ac1(table(both, categories))
    return [f"({minus(c.ci_low)}", "to", f"{minus(c.ci_high)})"]


# --- suppression and absence ----------------------------------------------------------------------

def test_suppression_shows_fewer_than_n_withholds_what_would_reveal_it_and_lists_no_case(scored, pages):
    document, criteria, agreement = scored
    section = force_report_context(document, criteria, agreement=agreement, suppress_below=5).agreement
    risk = next(r for r in section.rows if r.item == "RISK-05")
    # RISK-05: 7 alike and 5 not, both at least 5: shown. INF-02: 2 not alike, fewer than 5: withheld.
    assert (risk.raw.n_of_n, risk.raw.percent, risk.kappa.text != "withheld") == ("7 of 12", "58%", True)
    inf = next(r for r in section.rows if r.item == "INF-02")
    assert inf.raw.n_of_n == "more than 11 of 16" and inf.raw.withheld
    assert (inf.kappa.text, inf.alpha.text, inf.ac1.text, inf.paradox) == ("withheld", "withheld", "withheld", "")
    assert section.moderation == () and section.withheld
    assert section.decided.text == "fewer than 5"
    part = agreement_part(pages["suppressed"])
    assert "EXA-2019-" not in part
    assert "The cases are not listed in this version" in part
    assert not re.search(r'<td class="num">[1-4]</td>', part)


def test_no_agreement_or_no_double_scored_case_leaves_the_report_as_it_was(tmp_path):
    inspection_file = example_inspection(tmp_path, keep_answers=True)  # each case answered by one inspector
    write_judgements(tmp_path / "judgements" / "insp-c.yaml", "insp-c", {})
    inspection = load_inspection(inspection_file)
    agreement = agreement_from_sample(load_sample(inspection)).to_json()
    assert all(item["cases_double_scored"] == 0 for item in agreement["items"])
    document = inspection_results(inspection)
    assert force_report_context(document, inspection.criteria, agreement=agreement).agreement is None
    assert force_report_context(document, inspection.criteria, agreement=None).agreement is None
    with_agreement = render_force_report(document, inspection.criteria, formats=["html"], agreement=agreement)
    without = render_force_report(document, inspection.criteria, formats=["html"])
    assert with_agreement["html"] == without["html"]
    assert 'id="agreement"' not in without["html"].decode()
    assert 'id="agreement"' not in rendered_html()  # the committed example's report, as in the golden files


# --- thematic run, and the file for thematic report --agreement -------------------------------------

class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@pytest.fixture(scope="module")
def run_output(inspection_file, tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("run")
    records = _Records()
    logging.getLogger("weasyprint").addHandler(records)
    try:
        assert main(["run", str(inspection_file), "-o", str(out)]) == 0
    finally:
        logging.getLogger("weasyprint").removeHandler(records)
    return out, records.messages


def test_run_puts_the_agreement_into_the_report(run_output):
    out, _ = run_output
    part = agreement_part(out / "report.html")
    assert row_cells(part, "RISK-05")[:3] == [["12"], ["7", "of", "12"], ["58%"]]
    assert "insp-b \u201cno\u201d" in html_lib.unescape(part)


def test_run_pdf_with_the_section_is_tagged_and_weasyprint_logs_nothing(run_output):
    from a11y import pdf_text

    out, logged = run_output
    pdf = (out / "report.pdf").read_bytes()
    assert pdf_tagging_problems(pdf) == []
    assert logged == []
    assert "Agreement between inspectors" in pdf_text(pdf)


def test_agreement_file_from_the_agreement_command_loads_for_the_report(inspection_file, scored, tmp_path, capsys):
    document, criteria, agreement = scored
    path = tmp_path / "agreement.json"
    assert main(["agreement", str(inspection_file), "-o", str(path)]) == 0
    capsys.readouterr()
    loaded = load_agreement(path, inspection_id="exampleshire-2019", case_ids=IDS)
    assert loaded == json.loads(json.dumps(agreement))
    from_file = render_force_report(document, criteria, formats=["html"], agreement=loaded)["html"]
    direct = render_force_report(document, criteria, formats=["html"], agreement=agreement)["html"]
    assert from_file == direct


def edited(path: Path, change) -> Path:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))
    return path


@pytest.mark.parametrize("change, field, message, on_line", [
    (lambda d: d.update(format="thematic.agreement/2"), "format", '"thematic.agreement/2" is not supported',
     '"format"'),
    (lambda d: d["inspection"].update(id="northmoor-2019"), "inspection.id",
     '"northmoor-2019" is not the inspection of the results ("exampleshire-2019")', '"id"'),
    (lambda d: d["items"][2].update(agreed=13), "items[2].agreed", "13 is more than the 12 cases double-scored",
     '"agreed"'),
    (lambda d: d["items"][3]["gwet_ac1"].update(value="high"), "items[3].gwet_ac1.value",
     'expected a number or null, got "high"', '"value"'),
    (lambda d: d["items"][0].pop("cases_double_scored"), "items[0].cases_double_scored", "missing", "{"),
    (lambda d: d["moderation"][0].update(case_id="EXA-2019-099"), "moderation[0].case_id",
     'case "EXA-2019-099" is not in the results', '"case_id"'),
])
def test_a_bad_agreement_file_is_an_input_error_at_its_line(inspection_file, tmp_path, capsys, change, field, message,
                                                            on_line):
    path = tmp_path / "agreement.json"
    assert main(["agreement", str(inspection_file), "-o", str(path)]) == 0
    capsys.readouterr()
    edited(path, change)
    with pytest.raises(InputError) as caught:
        load_agreement(path, inspection_id="exampleshire-2019", case_ids=IDS)
    problem = caught.value.problems[0]
    assert (problem.field, problem.file) == (field, str(path))
    assert problem.message.startswith(message)
    assert on_line in path.read_text().splitlines()[problem.line - 1]  # a missing key: its mapping's line


def test_a_file_that_is_not_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "agreement.json"
    path.write_text('{"format": "thematic.agreement/1",\n  "items": [,]}')
    with pytest.raises(InputError, match="invalid JSON") as caught:
        load_agreement(path)
    assert caught.value.problems[0].line == 2


# --- accessibility ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("variant", ["full", "suppressed"])
def test_axe_finds_no_wcag_22_a_or_aa_violation_with_the_section(browser, pages, variant):
    violations = axe_violations(browser, pages[variant])
    assert violations == [], describe_violations(violations)


def test_html_validator_finds_no_error_with_the_section(pages):
    errors = vnu_errors(*pages.values())
    for path, found in errors.items():
        assert found == [], f"{path.name}:\n{describe_vnu(found)}"


def test_answers_from_more_than_two_inspectors_are_said_and_no_disagreement_means_no_list(scored):
    document, criteria, agreement = scored
    changed = json.loads(json.dumps(agreement))
    next(i for i in changed["items"] if i["item"] == "RISK-05")["cases_more_than_two"] = 2
    changed["moderation"] = []
    section = force_report_context(document, criteria, agreement=changed).agreement
    assert (section.more_than_two.text, section.disagreements.text, section.moderation) == ("2", "0", ())
    html = render_force_report(document, criteria, formats=["html"], agreement=changed)["html"].decode()
    assert "2 times more than two inspectors answered the same question on a case" in html
    assert "0 disagreements: 0 open, 0 decided." in html and 'class="moderation"' not in html


def test_report_command_adds_the_agreement_file_and_refuses_another_inspections(inspection_file, scored, tmp_path,
                                                                               capsys):
    document, _, _ = scored
    results = tmp_path / "results.json"
    results.write_text(json.dumps(document.to_json()))
    agreement = tmp_path / "agreement.json"
    assert main(["agreement", str(inspection_file), "-o", str(agreement)]) == 0
    argv = ["report", str(results), "--agreement", str(agreement), "--format", "html", "-o", str(tmp_path / "out")]
    assert main([*argv, "--suppress-below", "5"]) == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="agreement">Agreement between inspectors</h2>' in page and "EXA-2019-" not in page
    capsys.readouterr()
    edited(agreement, lambda d: d["inspection"].update(id="northmoor-2019"))
    assert main(argv) == 2
    assert '"northmoor-2019" is not the inspection of the results ("exampleshire-2019")' in capsys.readouterr().err


@pytest.mark.parametrize("text, line, message", [
    ('{"format": "thematic.agreement/1",\n "items": ' + "[" * 1000 + "]" * 1000 + "}", 2, "nested too deeply"),
    ('{"format": "thematic.agreement/1",\n "items": [' + "9" * 5000 + "]}", 2, "at most"),
    ('{"format": "thematic.agreement/1",\n "format": "thematic.agreement/1"}', 2, "duplicate key"),
])
def test_agreement_files_are_read_by_the_same_json_rules_as_every_input(tmp_path, text, line, message):
    # json.loads took all three: a RecursionError, a ValueError past 4,300 digits, the last key winning
    path = tmp_path / "agreement.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_agreement(path, inspection_id="exampleshire-2019", case_ids=IDS)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == (str(path), line) and message in problem.message, problem
