"""Importing through the library's loaders (located errors, nothing imported) and exporting files that
`thematic run` scores exactly as the workspace does."""
from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from web_helpers import EXAMPLE, REPO, client_for, world

from thematic.core.errors import InputError
from thematic.scoring.inspection import inspection_results as run_results
from thematic.scoring.prepare import load_inspection
from thematic.web.accounts import add_user
from thematic.web.exporting import export_inspection
from thematic.web.importing import import_inspection
from thematic.web.models import Case, Event, Inspection
from thematic.web.results import inspection_results


def _broken_copy(tmp_path: Path) -> tuple[Path, Path, int]:
    """The example inspection copied, with one case's category misspelt: (inspection, bad file, line)."""
    tmp_path.mkdir(exist_ok=True)
    shutil.copytree(REPO / "inspections" / "cases" / "exampleshire-2019", tmp_path / "cases")
    shutil.copy(REPO / "criteria" / "ncpi-thematic-2019.yaml", tmp_path / "criteria.yaml")
    text = EXAMPLE.read_text(encoding="utf-8").replace("../criteria/ncpi-thematic-2019.yaml", "criteria.yaml")
    (tmp_path / "inspection.yaml").write_text(text.replace("cases/exampleshire-2019/", "cases/"), encoding="utf-8")
    bad = tmp_path / "cases" / "EXA-2019-004.yaml"
    lines = bad.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("category:"))
    lines[line - 1] = "category: domestic_abuze\n"
    bad.write_text("".join(lines), encoding="utf-8")
    return tmp_path / "inspection.yaml", bad, line


def test_a_bad_file_is_located_and_nothing_is_imported(web_db: str, tmp_path: Path) -> None:
    inspection, bad, line = _broken_copy(tmp_path)
    with pytest.raises(InputError) as caught:
        import_inspection(inspection, actor=None)
    assert any(p.file == str(bad) and p.line == line and p.field == "category" for p in caught.value.problems)
    assert not Inspection.objects.exists() and not Case.objects.exists() and not Event.objects.exists()


def _zip(folder: Path) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, str(path.relative_to(folder)))
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "inspection.zip"
    return upload


def test_a_bad_archive_uploaded_by_a_lead_lists_the_problem_and_imports_nothing(web_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    inspection, bad, line = _broken_copy(folder)
    lead, _ = add_user("lead-b", "lead", password="correct-horse-battery-9")
    response = client_for(lead).post("/import", {"archive": _zip(folder)})
    assert response.status_code == 400
    assert f"cases/EXA-2019-004.yaml:{line}: category" in response.content.decode()
    assert not Inspection.objects.exists()
    # A damaged archive (a changed byte breaks its checksum) is a located error too, not a failure.
    damaged = io.BytesIO(_zip(folder).getvalue().replace(b"domestic_abuze", b"domestic_abusd"))
    damaged.name = "inspection.zip"
    answer = client_for(lead).post("/import", {"archive": damaged})
    assert answer.status_code == 400 and "is damaged" in answer.content.decode()
    # The same files, mended, import.
    bad.write_text(bad.read_text(encoding="utf-8").replace("domestic_abuze", "domestic_abuse"), encoding="utf-8")
    assert client_for(lead).post("/import", {"archive": _zip(folder)}).status_code == 302
    assert Inspection.objects.get().cases.count() == 16


def test_an_inspection_is_imported_once(web_db: str) -> None:
    import_inspection(EXAMPLE, actor=None)
    with pytest.raises(InputError, match="already in the workspace"):
        import_inspection(EXAMPLE, actor=None)


def _case_results(document: dict[str, object]) -> list[object]:
    return document["cases"]  # type: ignore[return-value]


def test_imported_answers_export_to_the_same_results_as_the_original_files(web_db: str, tmp_path: Path) -> None:
    inspection = import_inspection(EXAMPLE, actor=None)
    original = run_results(load_inspection(EXAMPLE)).to_json()
    exported = export_inspection(inspection, tmp_path / "export")
    again = run_results(load_inspection(exported)).to_json()
    assert _case_results(again) == _case_results(original)
    assert [r.to_json() for r in inspection_results(inspection)] == _case_results(original)


def test_export_gives_thematic_run_the_workspace_results(web_db: str, tmp_path: Path) -> None:
    w = world()
    client = client_for(w.insp_a)
    url = f"/assignments/{w.own.pk}"
    page = client.get(url).content.decode()
    import re

    form = {f"answer-{cid}": "no" for cid in re.findall(r'name="answer-([A-Z0-9-]+)"', page)}
    client.post(url, {"version": "0", "action": "submit", "grade": "requires_improvement", "referred_back": "yes",
                      "note-SUP-04": "No supervision entry", **form})
    second = w.own.case.inspection.cases.all()[1].assignments.get()
    client.post(f"/assignments/{second.pk}", {"version": "0", "action": "save", "grade": "good"})
    exported = export_inspection(w.inspection, tmp_path / "export")
    workspace = [r.to_json() for r in inspection_results(w.inspection)]
    run = _case_results(run_results(load_inspection(exported)).to_json())
    assert run == workspace
    if web_db == "sqlite":  # the files are the same whatever the database: the command runs once
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "thematic", "run", str(exported), "-o", str(tmp_path / "run")],
                              capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads((tmp_path / "run" / "results.json").read_text())["cases"] == workspace
    first = next(c for c in workspace if c["case_id"] == w.own.case.case_id)  # type: ignore[index]
    assert first["grade"] == "requires_improvement" and first["referred_back"] is True  # type: ignore[index]
    audit = [json.loads(line) for line in (tmp_path / "export" / "audit.jsonl").read_text().splitlines()]
    assert {"who": "insp-a", "kind": "grade", "after": "requires_improvement"}.items() <= next(
        e for e in audit if e["kind"] == "grade" and e["case"] == w.own.case.case_id).items()


def test_export_refuses_a_folder_with_files_in_it(web_db: str, tmp_path: Path) -> None:
    inspection = import_inspection(EXAMPLE, actor=None)
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="new or empty folder"):
        export_inspection(inspection, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_lead_downloads_the_same_export_as_the_command_writes(web_db: str, tmp_path: Path) -> None:
    w = world()
    client_for(w.insp_a).post(f"/assignments/{w.own.pk}", {"version": "0", "action": "save", "grade": "good"})
    response = client_for(w.lead).get(f"/inspections/{w.inspection.slug}/export")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "download")
    export_inspection(w.inspection, tmp_path / "command")
    downloaded, written = tmp_path / "download" / w.inspection.slug, tmp_path / "command"
    names = sorted(str(p.relative_to(written)) for p in written.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(downloaded)) for p in downloaded.rglob("*") if p.is_file())
    assert "judgements/exampleshire-2019-insp-a.yaml" in names
    for name in names:
        assert (downloaded / name).read_bytes() == (written / name).read_bytes(), name


def test_judgements_and_moderation_files_import_and_export_to_the_same_results(web_db: str, tmp_path: Path) -> None:
    """A second inspector's judgements file that disagrees, and a moderator's decision on one of them."""
    source = tmp_path / "source"
    inspection, _, _ = _broken_copy(source)
    bad = source / "cases" / "EXA-2019-004.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("domestic_abuze", "domestic_abuse"), encoding="utf-8")
    (source / "judgements").mkdir()
    (source / "judgements" / "insp-b.yaml").write_text(
        "format: thematic.judgements/1\ninspection: exampleshire-2019\ninspector: insp-b\ncases:\n"
        "  EXA-2019-003:\n    judgements:\n      SUP-04: {answer: \"no\", note: \"No direction recorded.\"}\n"
        "      INF-02: {answer: \"no\"}\n"
        "    grade: {value: inadequate, referred_back: true}\n", encoding="utf-8")
    (source / "judgements" / "moderation.yaml").write_text(
        "format: thematic.moderation/1\ninspection: exampleshire-2019\ncases:\n"
        "  EXA-2019-003:\n    judgements:\n"
        "      SUP-04: {answer: \"yes\", by: insp-c, reason: \"Direction on day 2.\"}\n",
        encoding="utf-8")
    inspection.write_text(inspection.read_text(encoding="utf-8") + "judgements: judgements/\n", encoding="utf-8")
    original = _case_results(run_results(load_inspection(inspection)).to_json())
    imported = import_inspection(inspection, actor=None)
    assert [r.to_json() for r in inspection_results(imported)] == original
    exported = export_inspection(imported, tmp_path / "export")
    assert _case_results(run_results(load_inspection(exported)).to_json()) == original
    case3 = next(c for c in original if c["case_id"] == "EXA-2019-003")  # type: ignore[index]
    assert case3["results"]["SUP-04"]["evidence"].startswith('answer "yes" by insp-c')  # type: ignore[index]
    assert case3["results"]["INF-02"]["state"] == "pending"  # type: ignore[index]  # still disagreed
    assert (tmp_path / "export" / "judgements" / "exampleshire-2019-moderation.yaml").is_file()
    # Two inspectors answered EXA-2019-003 and only it: that case, and no other, is double-scored.
    double = Case.objects.filter(inspection=imported, double_scored=True).values_list("case_id", flat=True)
    assert list(double) == ["EXA-2019-003"]
