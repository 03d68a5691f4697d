"""Outputs never destroy files (issue 11): special files, inputs, partial runs, unsafe ids, kill -9,
closed pipes, and the bounds of --jobs and --margin.

Every FIFO and device here is made inside the test's own folder, never the machine's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from thematic.cli import main
from thematic.core.atomic import STAGING_PREFIX, OutputSet, write_text_atomic
from thematic.core.errors import InputError
from thematic.core.options import JOBS_PER_CPU, jobs_option, max_jobs
from thematic.stats.sampling import MIN_MARGIN, SamplingError, size_for_margin

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "load" / "example.yaml"
CRITERIA = ROOT / "criteria" / "ncpi-thematic-2019.yaml"
REGISTER = ROOT / "inspections" / "registers" / "exampleshire-register.csv"
AS_OF = ["--as-of", "2019-11-30"]


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, out, err


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "NOR-2019-014.yaml")
    return folder


def kind(path: Path) -> str:
    mode = os.lstat(path).st_mode
    return "fifo" if stat.S_ISFIFO(mode) else "chr" if stat.S_ISCHR(mode) else "dir" if stat.S_ISDIR(mode) else "file"


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- special files ------------------------------------------------------------------------------

def test_score_refuses_a_fifo_as_output_and_leaves_it_a_fifo(capsys, tmp_path, cases):
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "score", cases, *AS_OF, "-o", fifo)
    assert code == 2
    assert f"{fifo}: -o: is a FIFO (named pipe), not a regular file" in err
    assert kind(fifo) == "fifo"
    assert listing(tmp_path) == ["cases", "cases/NOR-2019-014.yaml", "results.json"]


@pytest.mark.skipif(not hasattr(os, "mknod") or os.geteuid() != 0, reason="making a device needs root")
def test_cases_out_refuses_a_character_device_and_leaves_it_a_device(capsys, tmp_path, cases):
    device = tmp_path / "null"  # /dev/null's numbers, in the test's own folder
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, _, err = run(capsys, "score", cases, *AS_OF, "-o", tmp_path / "r.json", "--cases-out", device)
    assert code == 2 and f"{device}: --cases-out: is a character device, not a regular file" in err
    assert kind(device) == "chr" and not (tmp_path / "r.json").exists()


def test_sample_refuses_a_fifo_and_writes_a_regular_file(capsys, tmp_path):
    fifo = tmp_path / "sample.csv"
    os.mkfifo(fifo)
    argv = ["sample", REGISTER, "--size", "10", "--strata", "category", "--seed", "1", "-o"]
    code, _, err = run(capsys, *argv, fifo)
    assert code == 2 and "sample.csv: -o: is a FIFO" in err and kind(fifo) == "fifo"
    fifo.unlink()
    assert run(capsys, *argv, fifo)[0] == 0 and kind(fifo) == "file"


# --- inputs and outputs of the same run ---------------------------------------------------------

def test_score_refuses_to_write_over_its_criteria_file(capsys, tmp_path, cases):
    criteria = shutil.copy(CRITERIA, tmp_path / "criteria.yaml")
    before = Path(criteria).read_bytes()
    code, _, err = run(capsys, "score", cases, *AS_OF, "--criteria", criteria, "-o", criteria)
    assert code == 2 and "-o: is the criteria file itself" in err
    assert Path(criteria).read_bytes() == before


def test_score_refuses_a_symbolic_link_or_hard_link_to_a_case_file(capsys, tmp_path, cases):
    case = cases / "NOR-2019-014.yaml"
    before = case.read_bytes()
    (tmp_path / "soft.json").symlink_to(case)
    os.link(case, tmp_path / "hard.json")
    for name in ("soft.json", "hard.json"):
        code, _, err = run(capsys, "score", cases, *AS_OF, "-o", tmp_path / name)
        assert code == 2 and f"{name}: -o: is a case file itself" in err
    assert case.read_bytes() == before and (tmp_path / "soft.json").is_symlink()


def test_score_refuses_cases_out_equal_to_output(capsys, tmp_path, cases):
    target = tmp_path / "out.json"
    code, _, err = run(capsys, "score", cases, *AS_OF, "-o", target, "--cases-out", tmp_path / "." / "out.json")
    assert code == 2 and "--cases-out: is also the output of -o" in err
    assert not target.exists() and listing(tmp_path) == ["cases", "cases/NOR-2019-014.yaml"]


def test_run_refuses_an_output_folder_that_is_its_inspection_file(capsys, tmp_path, cases):
    inspection = tmp_path / "inspection.yaml"
    inspection.write_text(f"inspection: northumbria-2019\ntitle: T\nforce: northumbria\nyear: 2019\n"
                          f"as_of: 2019-11-30\ncriteria: {CRITERIA}\ncases: cases/\n")
    before = inspection.read_bytes()
    code, _, err = run(capsys, "run", inspection, "-o", inspection)
    assert code == 2 and "inspection.yaml: -o: exists and is not a folder" in err
    assert inspection.read_bytes() == before


# --- all or nothing -----------------------------------------------------------------------------

def test_run_with_one_output_unwritable_replaces_none_of_the_earlier_outputs(capsys, tmp_path, cases):
    inspection = tmp_path / "inspection.yaml"
    inspection.write_text(f"inspection: northumbria-2019\ntitle: T\nforce: northumbria\nyear: 2019\n"
                          f"as_of: 2019-11-30\ncriteria: {CRITERIA}\ncases: cases/\n")
    out = tmp_path / "out"
    (out / "report.pdf").mkdir(parents=True)  # the last of the three cannot be written
    (out / "results.json").write_text("an earlier run\n")
    code, _, err = run(capsys, "run", inspection, "-o", out)
    assert code == 2 and "report.pdf: -o: is a folder, not a regular file" in err
    assert (out / "results.json").read_text() == "an earlier run\n"
    assert listing(out) == ["report.pdf", "results.json"]


def test_a_failed_move_puts_back_the_files_already_moved(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a")
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if Path(target) == second:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        with OutputSet() as outputs:
            outputs.add(first, "new a", option="-o")
            outputs.add(second, "new b", option="--cases-out")
            outputs.commit()
    assert first.read_text() == "old a" and not second.exists()
    assert listing(tmp_path) == ["a.json"]  # no staging folder either


def test_outputs_appear_only_at_commit_with_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        with OutputSet() as outputs:
            outputs.add(tmp_path / "a.txt", "a")
            with outputs.open_text(tmp_path / "b.txt") as stream:
                pass
            assert listing(tmp_path) == [n for n in listing(tmp_path) if n.startswith(STAGING_PREFIX)]
            outputs.commit()
    finally:
        os.umask(old)
    assert listing(tmp_path) == ["a.txt", "b.txt"] and stream.closed
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640


# --- ids used in paths --------------------------------------------------------------------------

def test_compare_refuses_an_inspection_id_that_would_leave_the_working_folder(capsys, tmp_path, cases):
    work = tmp_path / "work"
    work.mkdir()
    for name in ("before.json", "after.json"):
        assert run(capsys, "score", cases, *AS_OF, "-o", work / name)[0] == 0
        document = json.loads((work / name).read_text())
        document["inspection"]["id"] = "../../x"
        (work / name).write_text(json.dumps(document, indent=2) + "\n")
    before = listing(tmp_path)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        code, _, err = run(capsys, "compare", "before.json", "after.json", "--format", "json")
    finally:
        os.chdir(cwd)
    assert code == 2
    line = next(i for i, text in enumerate((work / "before.json").read_text().splitlines(), 1)
                if '"id": "../../x"' in text)
    assert f"before.json:{line}: inspection.id: '../../x' cannot name the default output folder" in err
    assert "expected 1 to 128 letters" in err
    assert listing(tmp_path) == before


def test_an_output_name_outside_its_folder_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    with pytest.raises(InputError, match="cannot be used in a file name"):
        OutputSet().in_folder(tmp_path / "out", "../escape.json", option="-o")
    with pytest.raises(InputError, match="outside the output folder"):
        OutputSet().in_folder(tmp_path / "out", "link", option="-o")


# --- kill -9 ------------------------------------------------------------------------------------

STAGE_AND_WAIT = """
import sys, time
from thematic.core.atomic import OutputSet
outputs = OutputSet()
stream = outputs.open_text(sys.argv[1], option="-o")
stream.write("half a document"); stream.flush()
print("staged", flush=True)
time.sleep(60)
"""


def _staging_process(target: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", STAGE_AND_WAIT, str(target)], stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"staged\n"
    return process


def test_a_run_killed_mid_write_leaves_only_a_hidden_staging_folder_that_the_next_run_removes(tmp_path):
    target = tmp_path / "results.json"
    process = _staging_process(target)
    process.kill()
    process.wait()
    left = os.listdir(tmp_path)
    assert len(left) == 1 and left[0].startswith(STAGING_PREFIX) and not target.exists()
    write_text_atomic(target, "whole\n")
    assert os.listdir(tmp_path) == ["results.json"] and target.read_text() == "whole\n"


def test_a_live_run_keeps_its_staging_folder_while_another_run_writes_beside_it(tmp_path):
    process = _staging_process(tmp_path / "a.json")
    try:
        write_text_atomic(tmp_path / "b.json", "b\n")
        assert len([n for n in os.listdir(tmp_path) if n.startswith(STAGING_PREFIX)]) == 1
    finally:
        process.kill()
        process.wait()


def test_a_run_clearing_orphans_while_another_run_makes_its_staging_folder_leaves_it_alone(tmp_path, monkeypatch):
    """Two writers in one folder at once (two saves in the web workspace): the second one's sweep
    for orphans can come between the first one creating its lock file and locking it."""
    from thematic.core import atomic

    real_flock = atomic.fcntl.flock
    swept: list[bool] = []

    def flock_after_another_runs_sweep(fd, operation):
        if not swept:  # once, at the first run's own lock, as a second run would interleave
            swept.append(True)
            atomic.remove_orphans(tmp_path)
        return real_flock(fd, operation)

    monkeypatch.setattr(atomic.fcntl, "flock", flock_after_another_runs_sweep)
    write_text_atomic(tmp_path / "a.json", "a\n")
    assert swept and (tmp_path / "a.json").read_text() == "a\n"
    assert os.listdir(tmp_path) == ["a.json"]


# --- a closed pipe ------------------------------------------------------------------------------

def test_score_into_a_closed_pipe_ends_quietly_with_sigpipe_status(tmp_path):
    case = yaml.safe_load(EXAMPLE.read_text())
    lines = [json.dumps({**case, "case_id": f"NOR-2019-{i:04d}"}, default=str) for i in range(400)]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines) + "\n")
    process = subprocess.Popen([sys.executable, "-m", "thematic", "score", "cases.jsonl", *AS_OF], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)
    process.stdout.close()  # `| head -c 10`
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in err and "Exception ignored" not in err and "Error" not in err, err
    assert os.listdir(tmp_path) == ["cases.jsonl"]


# --- bounds -------------------------------------------------------------------------------------

def test_jobs_is_bounded_by_four_per_cpu():
    limit = max_jobs()
    assert limit % JOBS_PER_CPU == 0 and jobs_option(str(limit)) == limit
    with pytest.raises(argparse.ArgumentTypeError, match=f"must be at most {limit} "):
        jobs_option(str(limit + 1))


@pytest.mark.parametrize("command", [["score", "{cases}", *AS_OF], ["demo", "-o", "{tmp}/demo"]])
def test_jobs_100000_is_refused_before_any_work(capsys, tmp_path, cases, command):
    argv = [a.format(cases=cases, tmp=tmp_path) for a in command]
    code, _, err = run(capsys, *argv, "--jobs", "100000")
    assert code == 2 and "--jobs: must be at most" in err and f"at most {max_jobs()} ({JOBS_PER_CPU} per CPU" in err
    assert not (tmp_path / "demo").exists()


def test_margin_has_a_lower_bound_whose_size_the_register_can_hold(capsys, tmp_path):
    assert size_for_margin(MIN_MARGIN, 400).size == 400
    with pytest.raises(SamplingError, match="at least 0.001"):
        size_for_margin(MIN_MARGIN * 0.999, 400)
    code, _, err = run(capsys, "sample", REGISTER, "--margin", "1e-300", "--strata", "category", "--seed", "1",
                       "-o", tmp_path / "sample.csv")
    assert code == 2 and "--margin: must be at least 0.001 (±0.1 points), got 1e-300" in err
    assert os.listdir(tmp_path) == []
