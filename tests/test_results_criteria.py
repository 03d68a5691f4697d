"""The criteria set a results file was scored with (`thematic.scoring.results_criteria`): found once by
the command that makes a report, checked against the results, every refusal located and worded; and
render/ loads no criteria file itself."""
from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from thematic.core.errors import InputError
from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import Results, load_results
from thematic.scoring.criteria import load_criteria
from thematic.scoring.inspection import paths_results
from thematic.scoring.results_criteria import criteria_for, criteria_of, criteria_texts

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = shipped_criteria_path()
EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"


@pytest.fixture(scope="module")
def scored() -> dict:
    """The example inspection's cases scored with the shipped set, as the results file's JSON data."""
    criteria = load_criteria(CRITERIA)
    return paths_results([EXAMPLE_CASES], criteria=criteria, as_of=date(2019, 11, 30),
                         parameters=criteria.defaults()).to_json()


def results_file(tmp_path: Path, document: dict, change=None) -> Results:
    document = json.loads(json.dumps(document))  # a copy the change may edit
    if change is not None:
        change(document)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return load_results(path)


def criteria_file(tmp_path: Path, name: str, edit) -> str:
    path = tmp_path / name
    path.write_text(edit(CRITERIA.read_text(encoding="utf-8")), encoding="utf-8")
    return str(path)


def other_version(text: str) -> str:
    assert 'version: "2"' in text
    return text.replace('version: "2"', 'version: "3"', 1)


def test_the_shipped_set_is_found_for_results_scored_with_it(tmp_path, scored):
    results = results_file(tmp_path, scored)
    for found in (criteria_for(results, None), criteria_texts(results, None),
                  criteria_of(results.criteria_id, results.criteria_version, None)):
        assert found is not None and (found.id, found.file.version) == ("ncpi-thematic-2019", "2")
        assert Path(found.path) == CRITERIA
    given = criteria_for(results, str(CRITERIA))
    assert given.path == str(CRITERIA)


def test_a_set_with_no_shipped_file_is_none_for_the_questions_and_refused_for_the_force_report(tmp_path, scored):
    results = results_file(tmp_path, scored, lambda d: d["criteria"].update(id="someone-elses-set"))
    assert criteria_texts(results, None) is None
    assert criteria_of("someone-elses-set", "2", None) is None
    with pytest.raises(InputError) as caught:
        criteria_for(results, None)
    (problem,) = caught.value.problems
    assert (problem.file, problem.field) == (str(results.path), "criteria.id") and problem.line is not None
    assert problem.message == ('no shipped criteria set "someone-elses-set"; give the criteria file the results were '
                               "scored with (--criteria FILE)")


def test_another_version_of_the_shipped_set_is_not_shown(tmp_path, scored):
    results = results_file(tmp_path, scored, lambda d: d["criteria"].update(version="9"))
    assert criteria_texts(results, None) is None
    assert criteria_of("ncpi-thematic-2019", "9", None) is None


def test_a_criteria_file_of_another_version_is_refused_at_the_results_or_the_option(tmp_path, scored):
    results = results_file(tmp_path, scored)
    given = criteria_file(tmp_path, "v3.yaml", other_version)
    expected = (f"scored with ncpi-thematic-2019 version 2, but {given} is ncpi-thematic-2019 version 3; give the "
                "criteria file the results were scored with (--criteria FILE)")
    for find in (criteria_for, criteria_texts):
        with pytest.raises(InputError) as caught:
            find(results, given)
        (problem,) = caught.value.problems
        assert (problem.file, problem.field, problem.message) == (str(results.path), "criteria.id", expected)
    with pytest.raises(InputError) as caught:
        criteria_of("ncpi-thematic-2019", "2", given)
    assert str(caught.value) == (f"{given}: --criteria: is ncpi-thematic-2019 version 3, but the results were scored "
                                 "with ncpi-thematic-2019 version 2")


def test_the_force_report_refuses_a_changed_definition_that_the_questions_may_still_use(tmp_path, scored):
    results = results_file(tmp_path, scored)
    old = "  - id: TIM-01\n    theme: timeliness\n    type: automatic\n    severity: major\n"
    changed = criteria_file(tmp_path, "changed.yaml", lambda text: text.replace(old, old.replace("major", "minor")))
    assert criteria_texts(results, changed) is not None  # same id and version: its questions can be shown
    with pytest.raises(InputError) as caught:
        criteria_for(results, changed)
    (problem,) = caught.value.problems
    assert problem.field == "criteria.fingerprints"
    assert problem.message == (f"TIM-01: the definition in {changed} differs from the one the results were scored "
                               "with (fingerprints differ); give the criteria file they were scored with (--criteria "
                               "FILE), or score again")


def test_the_force_report_refuses_a_file_with_other_criteria(tmp_path, scored):
    results = results_file(tmp_path, scored)
    fewer = criteria_file(tmp_path, "fewer.yaml", lambda text: text[:text.index("  - id: OUT-01\n")])
    with pytest.raises(InputError) as caught:
        criteria_for(results, fewer)
    (problem,) = caught.value.problems
    assert problem.field == "criteria.fingerprints"
    assert problem.message.startswith(f"the results hold criteria {', '.join(results.fingerprints)}, but {fewer} "
                                      "defines ")
    assert "OUT-01" not in problem.message.split(" defines ")[1]


def test_the_force_report_refuses_results_without_a_parameter_the_criteria_read(tmp_path, scored):
    results = results_file(tmp_path, scored, lambda d: d["parameters"].pop("repeat_threshold"))
    with pytest.raises(InputError) as caught:
        criteria_for(results, None)
    (problem,) = caught.value.problems
    assert problem.field == "parameters"
    assert problem.message == f"no value for repeat_threshold, which the criteria in {CRITERIA} read"


_CRITERIA_LOADERS = {"load_criteria", "read_criteria", "compile_criteria", "shipped_criteria_path", "criteria_for",
                     "criteria_texts", "criteria_of"}


def test_render_finds_and_loads_no_criteria_set() -> None:
    # Reports take the loaded set from their command: no module in render/ imports or calls a criteria loader.
    found = []
    for path in sorted((ROOT / "src" / "thematic" / "render").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str | None] = []
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Call):
                names = [node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)]
            found += [f"{path.name}:{node.lineno}: {name}" for name in names if name in _CRITERIA_LOADERS]
    assert not found, "render/ finding or loading a criteria set (do it in the command):\n" + "\n".join(found)
