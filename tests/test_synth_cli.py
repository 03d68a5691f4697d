"""`thematic synth` on the command line: what it writes and prints, and exit code 2 for bad input."""
from __future__ import annotations

import json

import pytest

from thematic.cli import build_parser, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BASE = ("synth", "--profile", "southvale-2019", "--force", "southvale", "--year", "2019", "--cases", "6", "--seed", "3")


def test_synth_has_a_description_and_help_on_every_option():
    parser = build_parser()
    synth = next(a for a in parser._actions if a.dest == "command").choices["synth"]
    assert "fictional" in synth.description
    assert all(action.help for action in synth._actions)


def test_synth_writes_one_yaml_file_per_case_and_says_what_it_wrote(capsys, tmp_path):
    code, out, err = run(capsys, *BASE, "-o", str(tmp_path / "cases"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == [f"SOU-2019-00{i}.yaml" for i in range(1, 7)]
    assert out.startswith(f"wrote 6 fictional case(s) of southvale 2019 (profile southvale-2019, seed 3, "
                          f"as of 2019-11-30) to {tmp_path / 'cases'}\n")
    assert "inspector grades: " in out


def test_a_jsonl_output_name_gives_json_lines(capsys, tmp_path):
    code, _, err = run(capsys, *BASE, "--as-of", "2019-06-30", "-o", str(tmp_path / "sample.jsonl"))
    assert code == 0, err
    lines = (tmp_path / "sample.jsonl").read_text().splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["case_id"] == "SOU-2019-001"


def test_a_profile_file_may_be_given_instead_of_a_name(capsys, tmp_path):
    profile = tmp_path / "mine.yaml"
    profile.write_text("profile: mine\ntitle: Mine (fictional)\nextends: northmoor-2019\n")
    code, out, err = run(capsys, "synth", "--profile", str(profile), "--force", "mine", "--year", "2019",
                         "--cases", "2", "--seed", "1", "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "(profile mine, seed 1" in out


@pytest.mark.parametrize("change, expected", [
    (("--cases", "0"), "error: --cases: must be between 1 and 100000, got 0"),
    (("--seed", "one"), "error: --seed: expected a whole number, got 'one'"),
    (("--year", "2019x", "--cases", "x"), "error: --cases: expected a whole number, got 'x'"),
    (("--as-of", "2019-02-30"), "error: --as-of: '2019-02-30' is not a real date"),
    (("--as-of", "2018-11-30"), "error: --as-of: 2018-11-30 is not in the inspection year 2019"),
    (("--force", "South Vale"), "error: --force: expected lower-case words joined by hyphens"),
    (("--profile", "nowhere"), "error: nowhere: no such profile; shipped profiles are:"),
    (("--year", "2015", "--as-of", "2015-03-31"), "outcomes.child_suspect.21: outcome 21 was not in use until 2016"),
    (("--format", "csv"), "argument --format: invalid choice: 'csv'"),
])
def test_bad_input_exits_2_with_a_message_naming_the_option(capsys, tmp_path, change, expected):
    argv = list(BASE)
    for option, value in zip(change[::2], change[1::2], strict=False):
        if option in argv:
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
    code, out, err = run(capsys, *argv, "-o", str(tmp_path / "cases"))
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "cases").exists()


def test_a_folder_with_another_samples_files_exits_2_and_keeps_them(capsys, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "OTHER-1.yaml").write_text("kept")
    code, _, err = run(capsys, *BASE, "-o", str(folder))
    assert code == 2 and "already holds other case files (OTHER-1.yaml)" in err
    assert [p.name for p in folder.iterdir()] == ["OTHER-1.yaml"]
