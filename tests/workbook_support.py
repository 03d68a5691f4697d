"""Helpers for the workbook, judgements and agreement tests: fictional inspections in a temporary folder."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"
CRITERIA = ROOT / "criteria" / "ncpi-thematic-2019.yaml"
_INSPECTOR_KEYS = re.compile(r"^(judgements|grade):", re.MULTILINE)


def write_inspection(folder: Path, *, cases: str = "cases/", criteria: Path = CRITERIA,
                     judgements: Iterable[str] | None = ("judgements/*.yaml",), force: str = "exampleshire",
                     inspection: str = "exampleshire-2019", name: str = "inspection.yaml") -> Path:
    lines = [f"inspection: {inspection}", "title: Fictional test inspection", f"force: {force}", "year: 2019",
             "as_of: 2019-11-30", f"criteria: {criteria}", f"cases: {cases}"]
    if judgements is not None:
        lines.append(f"judgements: {json.dumps(list(judgements))}")
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def example_inspection(folder: Path, *, keep_answers: bool = False, **kwargs: Any) -> Path:
    """The fictional Exampleshire sample copied into `folder`; without the answers in its case files
    unless `keep_answers` (they end each file: `judgements:` then `grade:`)."""
    target = folder / "cases"
    shutil.copytree(EXAMPLE_CASES, target)
    if not keep_answers:
        for path in target.glob("*.yaml"):
            text = path.read_text()
            found = _INSPECTOR_KEYS.search(text)
            if found:
                path.write_text(text[: found.start()])
    return write_inspection(folder, **kwargs)


def minimal_cases(folder: Path, count: int, *, force: str = "testshire") -> Path:
    """`count` minimal cases (every section captured and empty) in one JSON Lines file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cases.jsonl"
    with path.open("w") as out:
        for i in range(1, count + 1):
            out.write(json.dumps({
                "case_id": f"T-{i:03d}", "force": force, "category": "neglect", "reported_at": "2019-03-04T16:20",
                "child": {"ref": f"C-{1000 + i}", "age": 9}, "incidents": [], "risk_assessments": [],
                "referrals": [], "strategy_discussions": [], "section47": None, "police_protection": None,
                "investigation": None, "supervision": [], "devices": [], "child_as_suspect": None,
                "custody": None, "outcome": None,
            }) + "\n")
    return path


def write_judgements(path: Path, inspector: str, cases: dict[str, Any], inspection: str = "exampleshire-2019") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": "thematic.judgements/1", "inspection": inspection, "inspector": inspector, "cases": cases}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def write_moderation(path: Path, cases: dict[str, Any], inspection: str = "exampleshire-2019") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"format": "thematic.moderation/1", "inspection": inspection, "cases": cases},
                                   sort_keys=False))
    return path


class Sheet:
    """The Cases sheet of a workbook, addressed by case id and header text, for tests to fill in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)
        self.ws = self.book["Cases"]
        self.columns = {c.value: c.column for c in self.ws[1] if c.value}
        self.rows = {self.ws.cell(row=r, column=1).value: r for r in range(2, self.ws.max_row + 1)}

    def cell(self, case_id: str, header: str) -> Any:
        return self.ws.cell(row=self.rows[case_id], column=self.columns[header])

    def address(self, case_id: str, header: str) -> str:
        return f"Cases!{self.cell(case_id, header).coordinate}"

    def set(self, case_id: str, header: str, value: Any) -> str:
        cell = self.cell(case_id, header)
        cell.value = value
        return f"Cases!{cell.coordinate}"

    def save(self) -> None:
        self.book.save(self.path)


OFFICE_MISSING = ("LibreOffice is needed for this test and is missing. On Debian or Ubuntu install it with: "
                  "apt-get update && apt-get install -y --no-install-recommends libreoffice-calc-nogui")


def libreoffice_convert(path: Path, to: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Convert a workbook with the machine's LibreOffice (`--convert-to TO`, into `folder`).

    A private profile, so parallel runs share no lock; and a fontconfig that knows only the
    packaged family, so the check needs none of the machine's fonts (LibreOffice will not start
    without any) and lays the workbook out in the font it names.
    """
    import os

    from thematic.core.typeface import FONT_DIR

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        import pytest

        pytest.fail(OFFICE_MISSING)
    fonts = folder / "fonts.conf"
    fonts.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                     f"<dir>{FONT_DIR}</dir><cachedir>{folder / 'fontconfig-cache'}</cachedir></fontconfig>\n")
    env = {**os.environ, "HOME": str(folder), "FONTCONFIG_FILE": str(fonts)}
    return subprocess.run([office, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                           "--convert-to", to, "--outdir", str(folder), str(path)],
                          capture_output=True, text=True, timeout=180, env=env)
