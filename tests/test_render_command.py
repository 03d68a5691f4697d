"""`thematic report RESULTS.json`: files written, and every bad input a clear message with exit 2."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_samples import ROOT, example, hand_made

from thematic.cli import main

CRITERIA = ROOT / "criteria" / "ncpi-thematic-2019.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def results(tmp_path: Path) -> Path:
    document, _ = example()
    path = tmp_path / "scored" / "results.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document, indent=2))
    return path


def edited(results: Path, change) -> Path:
    document = json.loads(results.read_text())
    change(document)
    results.write_text(json.dumps(document, indent=2))
    return results


def test_report_writes_html_and_pdf_beside_the_results(capsys, tmp_path):
    # A small hand-made sample: the PDF of the full example is tested in test_render_pdf.py.
    results = tmp_path / "results.json"
    results.write_text(json.dumps(hand_made([{"case_id": "T-01", "suggested": "inadequate",
                                              "states": {"TIM-01": "not_met", "SUP-01": "met"}}])))
    code, out, err = run(capsys, "report", str(results))
    assert (code, err) == (0, "")
    html, pdf = results.parent / "report.html", results.parent / "report.pdf"
    assert out.splitlines() == [f"report written to {html}", f"report written to {pdf}",
                                *(f"report written to {results.parent / name}" for name in ("cases.csv", "cases.xlsx"))]
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_report_format_and_output_folder(capsys, results, tmp_path):
    out_dir = tmp_path / "elsewhere"
    code, _, _ = run(capsys, "report", str(results), "-o", str(out_dir), "--format", "html", "--suppress-below", "5")
    assert code == 0
    assert [p.name for p in out_dir.iterdir()] == ["report.html"]
    assert "EXA-2019-" not in (out_dir / "report.html").read_text()
    assert not (results.parent / "report.html").exists()


def test_deprecated_thresholds_option_still_sets_a_reference_and_says_so(capsys, results, tmp_path):
    code, _, err = run(capsys, "report", str(results), "-o", str(tmp_path), "--format", "html", "--thresholds", "5")
    assert code == 0
    assert "--thresholds is deprecated, use --reference PCT" in err
    html = (tmp_path / "report.html").read_text()
    assert "Clearly above</strong> 5%" in html and "Borderline" not in html


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "html,docx"], "--format: unknown format 'docx'"),
        (["--format", ","], "--format: no format given"),
        (["--thresholds", "50,x"], "--thresholds: 'x' is not a number"),
        (["--suppress-below", "0"], "--suppress-below: must be 1 or more, got 0"),
        (["--template-dir", "/no/such/folder"], "/no/such/folder: no such folder"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(capsys, results, argv, message):
    code, _, err = run(capsys, "report", str(results), *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (results.parent / "report.html").exists()


def test_the_same_results_file_twice_is_not_a_programme(capsys, results):
    code, _, err = run(capsys, "report", str(results), str(results))
    assert code == 2
    assert "is given more than once" in err


def test_results_of_another_format_version_exit_2(capsys, results):
    edited(results, lambda d: d.update(format="thematic.results/2"))
    code, _, err = run(capsys, "report", str(results))
    assert code == 2
    assert f"{results}:2: format:" in err and "not supported" in err


def test_missing_template_names_it_and_writes_nothing(capsys, results, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "force.html.j2").write_text(
        '{% extends "default/force.html.j2" %}{% block footer %}{% include "my-footer.html" %}{% endblock %}')
    code, _, err = run(capsys, "report", str(results), "--template-dir", str(templates))
    assert code == 2
    assert "error: my-footer.html: template not found" in err
    assert not list(results.parent.glob("report.*"))


def test_user_template_that_makes_an_inaccessible_pdf_exit_2(capsys, results, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "force.html.j2").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>no language</p></body></html>")
    code, _, err = run(capsys, "report", str(results), "--template-dir", str(templates), "--format", "pdf")
    assert code == 2
    assert f"{templates}: the PDF from these templates is not accessible" in err and '"lang"' in err


def test_a_changed_criterion_definition_is_refused(capsys, results, tmp_path):
    text = CRITERIA.read_text()
    old = "  - id: TIM-01\n    theme: timeliness\n    type: automatic\n    severity: major\n"
    assert old in text
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace(old, old.replace("major", "minor")))
    code, _, err = run(capsys, "report", str(results), "--criteria", str(changed))
    assert code == 2
    assert "criteria.fingerprints: TIM-01: the definition in" in err and "fingerprints differ" in err


def test_another_criteria_version_is_refused(capsys, results, tmp_path):
    other = tmp_path / "v2.yaml"
    other.write_text(CRITERIA.read_text().replace('version: "2"', 'version: "3"', 1))
    code, _, err = run(capsys, "report", str(results), "--criteria", str(other))
    assert code == 2
    assert "scored with ncpi-thematic-2019 version 2" in err and "is ncpi-thematic-2019 version 3" in err


def test_unknown_criteria_set_asks_for_the_file(capsys, results):
    edited(results, lambda d: d["criteria"].update(id="someone-elses-set"))
    code, _, err = run(capsys, "report", str(results))
    assert code == 2
    assert 'no shipped criteria set "someone-elses-set"' in err and "--criteria FILE" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["cases"][1]["results"]["SUP-01"].update(state="maybe"),
         "cases[1].results.SUP-01: expected a state"),
        (lambda d: d["cases"][0]["results"].pop("TIM-02"), "cases[0].results: no result for criterion TIM-02"),
        (lambda d: d["cases"][2].update(suggested_grade="excellent"), "cases[2].suggested_grade: expected one of"),
        (lambda d: d["cases"][2].update(data_quality="bad"), "cases[2].data_quality: expected a list of notes"),
    ],
)
def test_malformed_case_entries_exit_2_with_their_location(capsys, results, change, message):
    edited(results, change)
    code, _, err = run(capsys, "report", str(results), "--format", "html")
    assert code == 2
    assert message in err
    assert f"{results}:" in err   # the file and the line
