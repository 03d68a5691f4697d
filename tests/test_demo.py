"""`thematic demo`: the example programme generated as inspections/README.md says, every inspection
run and reported, the programme reports and comparisons written, and an index a person can open.

The full demo takes over a minute (timed in the report of `make demo`, not here), so the command is
run on a small programme of the same shape (two of the forces, both rounds, a few cases each) and
in HTML only: the PDFs come from the same calls as `thematic report` and `thematic compare`, whose
PDFs are checked in test_render_programme.py, test_render_comparison.py and test_render_pdf.py; one
force-year's PDF is made here too.
"""
from __future__ import annotations

import filecmp
import json
import re
import shlex
from datetime import date
from pathlib import Path

import pytest
from a11y import axe_violations, chromium, describe_violations, describe_vnu, vnu_errors
from report_helpers import run

from thematic import demo
from thematic.demo import PROGRAMME, Planned, generate_and_run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "inspections" / "README.md"
SMALL = tuple(Planned(force, year, date(2015, 3, 31) if year == 2015 else date(2019, 11, 30), 8, year,
                      f"{force}-{year}") for force in ("northmoor", "southvale") for year in (2015, 2019))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """`thematic demo -o DIR` on the small programme, with its printed lines."""
    out = tmp_path_factory.mktemp("demo") / "out"
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(demo, "PROGRAMME", SMALL)
    try:
        import contextlib
        import io

        from thematic.cli import main

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main(["demo", "-o", str(out), "--format", "html"])
    finally:
        monkeypatch.undo()
    return code, printed.getvalue().splitlines(), out


def test_the_programme_is_the_one_inspections_readme_generated():
    commands = [line.removeprefix(".venv/bin/") for line in README.read_text().splitlines()
                if line.startswith(".venv/bin/thematic synth ")]
    assert sorted(p.synth_command() for p in PROGRAMME) == sorted(commands)
    assert len(PROGRAMME) == 6


def test_generated_cases_are_the_committed_ones_byte_for_byte(tmp_path):
    planned = next(p for p in PROGRAMME if p.id == "southvale-2015")
    outcome = generate_and_run(str(tmp_path), planned, ("html", "pdf"))
    assert [label for label, _ in outcome.files] == ["HTML", "PDF", "results", "cases (CSV)", "cases (workbook)"]
    assert all((tmp_path / path).is_file() for _, path in outcome.files)
    assert (tmp_path / planned.id / "report.pdf").read_bytes().startswith(b"%PDF-")
    committed = ROOT / "inspections" / "cases" / planned.id
    names = sorted(p.name for p in committed.iterdir())
    assert sorted(p.name for p in (tmp_path / "inspections" / "cases" / planned.id).iterdir()) == names
    match, mismatch, errors = filecmp.cmpfiles(committed, tmp_path / "inspections" / "cases" / planned.id, names,
                                               shallow=False)
    assert (mismatch, errors) == ([], [])
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("#")]  # noqa: E731
    assert strip((tmp_path / "inspections" / f"{planned.id}.yaml").read_text()) == strip(
        (ROOT / "inspections" / f"{planned.id}.yaml").read_text())


def test_demo_prints_one_numbered_line_per_step_then_where_to_open_it(demo_run):
    code, lines, out = demo_run
    assert code == 0
    steps = [line for line in lines if line.startswith("[")]
    # 4 inspections x (generate, score) + 2 programme reports + 2 comparisons + the index
    assert [re.match(r"\[\s*(\d+)/13\]", line).group(1) for line in steps] == [str(i) for i in range(1, 14)]
    assert sum("generated " in line for line in steps) == 4 and sum("scored " in line for line in steps) == 4
    assert sum("programme report " in line for line in steps) == 2 and sum("compared " in line for line in steps) == 2
    assert steps[-1].startswith(f"[13/13] index: wrote {out / 'index.html'}")
    assert lines[-1] == f"open {out / 'index.html'}"


@pytest.mark.parametrize("path", [
    "inspections/northmoor-2015.yaml", "inspections/cases/southvale-2019/SOU-2019-008.yaml",
    "northmoor-2015/results.json", "northmoor-2015/report.html", "southvale-2019/report.html",
    "programme-2015/programme.json", "programme-2019/programme.html",
    "northmoor-2015-to-2019/comparison.json", "southvale-2015-to-2019/comparison.html", "index.html",
])
def test_every_report_is_written(demo_run, path):
    assert (demo_run[2] / path).is_file()


def test_no_pdf_is_made_or_linked_when_html_alone_is_asked_for(demo_run):
    out = demo_run[2]
    assert not list(out.rglob("*.pdf"))
    assert ".pdf" not in (out / "index.html").read_text()


def test_index_links_every_report_and_every_link_resolves(demo_run):
    out = demo_run[2]
    html = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"#]+)">', html)
    assert links and all((out / link).is_file() for link in links)
    for folder in ("programme-2015", "programme-2019", "northmoor-2015-to-2019", "southvale-2015-to-2019",
                   "northmoor-2015", "northmoor-2019", "southvale-2015", "southvale-2019"):
        assert any(link.startswith(f"{folder}/") and link.endswith(".html") for link in links), folder
        assert any(link.startswith(f"{folder}/") and link.endswith(".json") for link in links), folder


def test_index_gives_each_report_a_line_of_key_facts_from_its_own_files(demo_run):
    out = demo_run[2]
    html = (out / "index.html").read_text()
    comparison = json.loads((out / "northmoor-2015-to-2019" / "comparison.json").read_text())
    verdicts = [c["change"] for c in comparison["criteria"]]
    suggested = sum(1 for v in verdicts if v.endswith("suggested, not confirmed"))
    expected = (f"{len(verdicts)} criteria compared: {verdicts.count('improved')} improved, "
                f"{verdicts.count('declined')} declined, {suggested} suggested but not confirmed, "
                f"{verdicts.count('no change the sample can detect')} no change the sample can detect")
    assert expected in html
    programme = json.loads((out / "programme-2019" / "programme.json").read_text())
    family = programme["multiple_comparisons"]["criteria"]
    assert (f"2 forces, 16 cases; {family['comparisons']} comparisons on {len(programme['criteria'])} criteria: "
            f"{family['outside_99.8']} outside the 99.8% limits") in html
    results = json.loads((out / "southvale-2019" / "results.json").read_text())
    grades = results["summary"]["grades"]["inspector"]
    assert (f"8 cases as of 2019-11-30; inspector&#39;s grades: {grades['good']} good, "
            f"{grades['requires_improvement']} requires improvement, {grades['inadequate']} inadequate") in html


def test_index_is_accessible_and_valid(demo_run):
    index = demo_run[2] / "index.html"
    with chromium() as browser:
        violations = axe_violations(browser, index)
    assert violations == [], describe_violations(violations)
    errors = vnu_errors(index)[index]
    assert errors == [], describe_vnu(errors)


def test_an_output_path_that_is_a_file_exits_2(capsys, tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    code, _, err = run(capsys, "demo", "-o", target)
    assert code == 2 and "exists and is not a folder" in err


@pytest.mark.parametrize(("argv", "message"), [(["--jobs", "0"], "must be 1 or more"),
                                               (["--format", "html,docx"], "unknown format 'docx'")])
def test_bad_options_exit_2_and_write_nothing(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "demo", "-o", tmp_path / "out", *argv)
    assert code == 2 and message in err and not (tmp_path / "out").exists()


def test_the_makefile_demo_target_runs_thematic_demo():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert [shlex.split(line)[0].rsplit("/", 1)[-1] for line in recipe.splitlines()] == ["thematic"]
    assert "demo" in recipe


def test_the_demo_applies_the_default_minimum_of_assessed_cases(demo_run):
    """As `thematic compare` and `thematic report` do: with 8 cases a force, no change and no funnel
    position is a finding; each is "few cases"."""
    out = demo_run[2]
    comparison = json.loads((out / "northmoor-2015-to-2019" / "comparison.json").read_text())
    tested = [c["change"] for c in comparison["criteria"] if not c["change"].startswith("cannot be compared")]
    assert tested
    assert set(tested) == {"few cases: fewer than 10 assessed"}
    programme = json.loads((out / "programme-2019" / "programme.json").read_text())
    assert programme["method"]["min_assessed"] == 10
