"""The command line contract of interfaces.md: commands, outputs, messages and exit codes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from thematic.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "load" / "example.yaml"
CRITERIA = ROOT / "criteria" / "ncpi-thematic-2019.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "NOR-2019-014.yaml")
    return folder


def write_inspection(tmp_path: Path, cases: Path, **extra: str) -> Path:
    lines = {
        "inspection": "northumbria-2019",
        "title": "Fictional test inspection",
        "force": "northumbria",
        "year": "2019",
        "as_of": "2019-11-30",
        "criteria": str(CRITERIA),
        "cases": str(cases),
        **extra,
    }
    path = tmp_path / "inspection.yaml"
    path.write_text("".join(f"{k}: {v}\n" for k, v in lines.items()))
    return path


def test_every_command_has_help_text():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest} has no help"


def test_score_writes_results_json_to_stdout(capsys, sample):
    code, out, _ = run(capsys, "score", str(sample), "--as-of", "2019-11-30")
    assert code == 0
    document = json.loads(out)
    assert document["format"] == "thematic.results/1"
    assert document["inspection"]["as_of"] == "2019-11-30"
    assert [c["case_id"] for c in document["cases"]] == ["NOR-2019-014"]
    assert set(document["criteria"]["fingerprints"]) == set(document["summary"]["criteria"])
    assert len(document["cases"][0]["results"]) == 29
    assert document["parameters"]["referral_max_hours"] == 24


def test_score_set_overrides_a_parameter_and_changes_its_fingerprint(capsys, sample):
    _, before, _ = run(capsys, "score", str(sample), "--as-of", "2019-11-30")
    _, after, _ = run(capsys, "score", str(sample), "--as-of", "2019-11-30", "--set", "referral_max_hours=12")
    before, after = json.loads(before), json.loads(after)
    assert after["parameters"]["referral_max_hours"] == 12
    # The example's referral came 18.2 h after the report: met at 24 h, not met at 12 h.
    assert before["cases"][0]["results"]["TIM-01"]["state"] == "met"
    assert after["cases"][0]["results"]["TIM-01"]["state"] == "not_met"
    assert before["criteria"]["fingerprints"]["TIM-01"] != after["criteria"]["fingerprints"]["TIM-01"]
    assert before["criteria"]["fingerprints"]["SUP-01"] == after["criteria"]["fingerprints"]["SUP-01"]


def test_score_output_file_is_written_and_a_failed_run_leaves_it_untouched(capsys, sample, tmp_path):
    target = tmp_path / "results.json"
    assert run(capsys, "score", str(sample), "--as-of", "2019-11-30", "-o", str(target))[0] == 0
    first = target.read_text()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("case_id: X\n")
    code, _, err = run(capsys, "score", str(bad), "--as-of", "2019-11-30", "-o", str(target))
    assert code == 2
    assert target.read_text() == first
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["score", "{sample}", "--as-of", "2019-13-01"], "--as-of: '2019-13-01' is not a real date"),
        (["score", "{sample}", "--as-of", "30/11/2019"], "--as-of: '30/11/2019' is not a date; expected YYYY-MM-DD"),
        (["score", "{sample}", "--as-of", "2019-11-30", "--set", "no_such=1"], "unknown parameter 'no_such'"),
        (["score", "{sample}", "--as-of", "2019-11-30", "--set", "referral_max_hours=soon"], "is not a number"),
        # int() would read ٤٨ as 48
        (["score", "{sample}", "--as-of", "2019-11-30", "--set", "referral_max_hours=٤٨"],
         "is not a number (digits 0-9 only)"),
        (["score", "{sample}", "--as-of", "2019-11-30", "--set", "referral_max_hours"], "expected NAME=VALUE"),
        (["score", "{sample}"], "--as-of"),
        (["score", "{missing}", "--as-of", "2019-11-30"], "no-such-folder"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_usage_exits_2_with_a_message_and_no_traceback(capsys, sample, tmp_path, argv, message):
    argv = [a.format(sample=sample, missing=tmp_path / "no-such-folder") for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_duplicate_case_ids_across_files_exit_2(capsys, sample):
    shutil.copy(EXAMPLE, sample / "copy.yaml")
    code, _, err = run(capsys, "score", str(sample), "--as-of", "2019-11-30")
    assert code == 2
    assert "NOR-2019-014" in err and "already used" in err


def test_empty_sample_exits_2(capsys, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _, err = run(capsys, "score", str(empty), "--as-of", "2019-11-30")
    assert code == 2 and "empty" in err


def test_judgement_for_an_unknown_criterion_and_a_bad_answer_are_located(capsys, tmp_path):
    text = EXAMPLE.read_text().replace(
        'CRM-06: {answer: "no", by: insp-a, note: "Charged the same day; exploitation not discussed."}',
        'CRM-06: {answer: "maybe", by: insp-a}\n  XYZ-01: {answer: "yes", by: insp-a}\n'
        '  TIM-01: {answer: "yes", by: insp-a}',
    )
    assert "maybe" in text
    path = tmp_path / "case.yaml"
    path.write_text(text)
    line_of = {key: i + 1 for i, line in enumerate(text.splitlines()) for key in ("CRM-06", "XYZ-01", "TIM-01")
               if line.strip().startswith(key)}
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:{line_of['CRM-06']}: judgements.CRM-06.answer: \"maybe\" is not one of yes, partly, no" in err
    assert f"{path}:{line_of['XYZ-01']}: judgements.XYZ-01: unknown criterion 'XYZ-01'" in err
    assert f"{path}:{line_of['TIM-01']}: judgements.TIM-01: TIM-01 is an automatic criterion" in err


def test_validate_accepts_criteria_inspection_and_cases(capsys, sample, tmp_path):
    inspection = write_inspection(tmp_path, sample)
    code, out, err = run(capsys, "validate", str(CRITERIA), str(inspection), str(sample))
    assert code == 0, err
    assert "(criteria)" in out and "(inspection)" in out and "(cases)" in out


def test_run_writes_results_and_prints_a_summary_table(capsys, sample, tmp_path):
    inspection = write_inspection(tmp_path, sample)
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "run", str(inspection), "-o", str(out_dir))
    assert code == 0, err
    document = json.loads((out_dir / "results.json").read_text())
    assert document["inspection"] == {"id": "northumbria-2019", "force": "northumbria", "year": 2019,
                                      "title": "Fictional test inspection", "as_of": "2019-11-30"}
    assert "CRM-01" in out and "northumbria-2019: 1 cases" in out


def test_run_rejects_a_case_from_another_force(capsys, sample, tmp_path):
    inspection = write_inspection(tmp_path, sample)
    text = inspection.read_text().replace("force: northumbria", "force: durham")
    inspection.write_text(text)
    code, _, err = run(capsys, "run", str(inspection), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "force: case force 'northumbria' differs from the inspection's force 'durham'" in err
    assert not (tmp_path / "out" / "results.json").exists()


def test_run_rejects_an_unknown_parameter_override_with_its_line(capsys, sample, tmp_path):
    inspection = write_inspection(tmp_path, sample)
    inspection.write_text(inspection.read_text() + "parameters:\n  referal_max_hours: 12\n")
    code, _, err = run(capsys, "run", str(inspection))
    assert code == 2
    line = len(inspection.read_text().splitlines())
    assert f"{inspection}:{line}: parameters.referal_max_hours: unknown parameter 'referal_max_hours'" in err


def test_python_dash_m_and_console_script_agree():
    result = subprocess.run([sys.executable, "-m", "thematic", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("thematic ")


def test_output_files_get_the_usual_permissions(capsys, sample, tmp_path):
    import os

    target = tmp_path / "results.json"
    old = os.umask(0o022)
    try:
        assert run(capsys, "score", str(sample), "--as-of", "2019-11-30", "-o", str(target))[0] == 0
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_starting_the_cli_does_not_import_the_statistics_libraries():
    # scipy and statsmodels take seconds to import, openpyxl and numpy a third of a second (the audit
    # workbook's command), the synthesiser and the table importer a tenth (synth, import-table);
    # `thematic --help` and every other command must not pay it.
    heavy = ("scipy", "statsmodels", "matplotlib", "weasyprint", "openpyxl", "numpy", "thematic.synth",
             "thematic.tabular")
    code = (
        "import sys, thematic.cli\n"
        "try:\n    thematic.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"heavy = sorted(m for m in {heavy!r} if m in sys.modules)\n"
        "print('loaded:', ','.join(heavy), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "usage: thematic" in result.stdout  # the help was printed, so the parser was built
    assert result.stderr.strip() == "loaded:"


def test_the_help_of_synth_and_import_table_names_what_their_libraries_take():
    # The help text is built without importing thematic.synth or thematic.tabular: it must still agree.
    from thematic.commands.import_table import FORMATS as COMMAND_FORMATS
    from thematic.synth.profile import shipped_profiles
    from thematic.tabular.output import FORMATS

    assert COMMAND_FORMATS == FORMATS
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    profile = next(a for a in subparsers.choices["synth"]._actions if a.dest == "profile")
    assert shipped_profiles() and f"({', '.join(shipped_profiles())})" in (profile.help or "")
    fmt = next(a for a in subparsers.choices["import-table"]._actions if a.dest == "format")
    assert tuple(fmt.choices or ()) == FORMATS


def test_run_writes_results_and_the_force_report(exampleshire_run):
    # The run is shared with tests/test_results_model.py (conftest.exampleshire_run): one run, seconds saved.
    folder = exampleshire_run.folder
    assert exampleshire_run.code == 0, exampleshire_run.err
    assert sorted(p.name for p in folder.iterdir()) == ["cases.csv", "cases.xlsx", "report.html", "report.pdf",
                                                        "results.json"]
    assert f"report written to {folder / 'report.pdf'}" in exampleshire_run.out
