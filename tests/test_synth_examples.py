"""The generated example programme in inspections/: valid, scored, reproducible, and worth comparing."""
from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from scipy.stats import fisher_exact

from thematic.cli import main
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

ROOT = Path(__file__).resolve().parent.parent
INSPECTIONS = ROOT / "inspections"
README = INSPECTIONS / "README.md"
COMMANDS = [line for line in README.read_text().splitlines() if line.startswith(".venv/bin/thematic synth ")]
PROGRAMME = sorted(p.stem for p in INSPECTIONS.glob("*-20[0-9][0-9].yaml") if not p.stem.startswith("exampleshire"))


@pytest.fixture(scope="module")
def results():
    return {name: inspection_results(load_inspection(INSPECTIONS / f"{name}.yaml")).to_json() for name in PROGRAMME}


def test_three_fictional_forces_each_have_a_2015_and_a_2019_inspection():
    forces = Counter(name.rsplit("-", 1)[0] for name in PROGRAMME)
    assert len(forces) >= 3
    assert PROGRAMME == sorted(f"{force}-{year}" for force in forces for year in (2015, 2019))


@pytest.mark.parametrize("name", PROGRAMME)
def test_each_inspection_names_the_2019_criteria_an_as_of_in_its_year_and_its_own_cases(name):
    inspection = load_inspection(INSPECTIONS / f"{name}.yaml")
    force, year = name.rsplit("-", 1)
    assert inspection.file.criteria == "../criteria/ncpi-thematic-2019.yaml"
    assert (inspection.file.force, inspection.file.year, inspection.file.as_of.year) == (force, int(year), int(year))
    assert Path(inspection.cases).resolve() == (INSPECTIONS / "cases" / name).resolve()


@pytest.mark.parametrize("name", PROGRAMME)
def test_each_sample_validates_and_scores_completely_with_two_inspectors(capsys, results, name):
    assert main(["validate", str(INSPECTIONS / f"{name}.yaml")]) == 0
    assert "ok: 1 path(s) valid" in capsys.readouterr().out
    document = results[name]
    assert 60 <= len(document["cases"]) <= 120
    for criterion, summary in document["summary"]["criteria"].items():
        assert summary["error"] == summary["unable_to_assess"] == summary["pending"] == 0, criterion
    assert all(case["grade"] is not None and not case["provisional"] for case in document["cases"])
    folder = INSPECTIONS / "cases" / name
    inspectors = Counter(re.findall(r"by: (insp-[a-z])", "".join(p.read_text() for p in folder.iterdir())))
    assert set(inspectors) == {"insp-a", "insp-b"}


def test_the_readme_gives_the_command_of_every_generated_sample():
    outputs = sorted(shlex.split(command)[-1] for command in COMMANDS)
    assert outputs == sorted(f"inspections/cases/{name}" for name in PROGRAMME)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: shlex.split(c)[-1].rsplit("/", 1)[-1])
def test_the_readme_command_regenerates_the_committed_sample_byte_for_byte(capsys, tmp_path, command):
    argv = shlex.split(command)[1:]  # without .venv/bin/thematic
    committed = ROOT / argv[-1]
    argv[-1] = str(tmp_path / "sample")
    assert main(argv) == 0, capsys.readouterr().err
    regenerated = sorted((tmp_path / "sample").iterdir())
    assert [p.name for p in regenerated] == sorted(p.name for p in committed.iterdir())
    for path in regenerated:
        assert path.read_bytes() == (committed / path.name).read_bytes(), path.name


def rate(document: dict, criterion: str) -> tuple[int, int]:
    summary = document["summary"]["criteria"][criterion]
    return summary["met"], summary["met"] + summary["not_met"] + summary["not_evidenced"]


@pytest.mark.parametrize("first, second, criterion", [
    ("southvale-2019", "eastport-2019", "TIM-01"),   # forces differ: referrals within a day
    ("northmoor-2015", "northmoor-2019", "RISK-01"),  # a round differs: history considered
])
def test_the_programme_holds_differences_the_statistics_can_find(results, first, second, criterion):
    (a_met, a_n), (b_met, b_n) = rate(results[first], criterion), rate(results[second], criterion)
    assert a_n >= 15 and b_n >= 15
    assert fisher_exact([[a_met, a_n - a_met], [b_met, b_n - b_met]])[1] < 0.05
