"""docs/import-table.md shows what the command does: its YAML parses, its example of every mistake at
once is the command's own output, and the template names what the guide describes."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from thematic.cli import main
from thematic.tabular.template import template_text

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "import-table.md").read_text(encoding="utf-8")
WESTMOOR = ROOT / "inspections" / "exports" / "westmoor"


def blocks(language: str) -> list[str]:
    """The guide's fenced blocks opened with ```LANGUAGE (```, bare, for "")."""
    found, current, opened = [], [], None
    for line in GUIDE.splitlines():
        if line.startswith("```"):
            if opened is None:
                opened, current = line[3:], []
            else:
                if opened == language:
                    found.append("\n".join(current) + "\n")
                opened = None
        elif opened is not None:
            current.append(line)
    return found


def test_every_yaml_example_parses():
    examples = blocks("yaml")
    assert len(examples) >= 3
    for text in examples:
        assert isinstance(yaml.safe_load(text), dict)


def test_the_example_of_every_mistake_at_once_is_the_commands_output(tmp_path, capsys, monkeypatch):
    for table in WESTMOOR.glob("*.csv"):
        shutil.copy(table, tmp_path / table.name)
    text = (WESTMOOR / "mapping.yaml").read_text(encoding="utf-8")
    for old, new in [("    child.age: Age\n", "    child.age: Agee\n"),
                     ("      at: Referral Date\n", "      at: Referal Date\n"),
                     ('"V High": 5, "High": 4', '"V High": 5, "High": 6'),
                     ("    reported_at: Date Reported\n", "")]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["import-table", "cases.csv", "--mapping", "mapping.yaml", "-o", "out"])
    err = capsys.readouterr().err
    assert code == 2 and not os.path.exists("out")
    shown = next(b for b in blocks("") if "nothing was written" in b)
    expected = [line for line in shown.splitlines() if not line.startswith("$ ")]
    assert err.splitlines() == expected


def test_the_template_names_what_the_guide_describes():
    template = template_text()
    for words in ("header_row:", "encoding:", "delimiter:", "query:", "{n}", "THEMATIC_IMPORT_DATABASE_URL",
                  "docs/import-table.md"):
        assert words in template, words
        assert words == "docs/import-table.md" or words.rstrip(":") in GUIDE, words
