"""Harness for the hostile-input suite: run a command as a user does and check what it left behind.

A command runs either in this process (`thematic.cli.main(argv)`, standard output and error
captured) or as a process (`python -m thematic`, for what only a process shows: closed pipes,
FIFOs that could block, commands that spawn workers), always in a working folder of its own.
Every file under that folder is snapshotted before and after (type, inode, mode and a hash of the
bytes), so a test can say exactly what changed: nothing, when the input is refused.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from thematic.cli import main

ROOT = Path(__file__).resolve().parent.parent

#: How a message may give a location in a file: `file:12`, `line 12`, `row 12`, a cell `Cases!C4` or `cell C4`.
LINE = r"(:\d+\b|\bline \d+)"
ROW = r"(\brow \d+|:\d+\b|\bline \d+)"
CELL = r"(![A-Z]{1,3}\d+\b|\bcell [A-Z]{1,3}\d+\b)"
#: The option naming an output, in either spelling.
OUTPUT_OPTION = r"(?<![\w-])(-o|--output)\b"

#: What must never reach a user's terminal.
CRASH_MARKS = ("Traceback", "Exception ignored", "internal error")


@dataclass(frozen=True)
class Outcome:
    """What a command did: its exit code and everything it printed."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stderr ---\n{self.err[-3000:]}\n--- stdout ---\n{self.out[-1500:]}"


@contextlib.contextmanager
def _working_folder(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(argv: Sequence[str], cwd: Path) -> Outcome:
    """Run `thematic ARGV` in this process, in `cwd`, as a user would from a shell."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with _working_folder(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's --help and --version, or a stray sys.exit
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # anything escaping main() would reach the user as a traceback
            traceback.print_exc()
            code = 1
    texts = []
    for stream in (out, err):
        stream.flush()
        texts.append(stream.buffer.getvalue().decode("utf-8", "replace"))  # type: ignore[attr-defined]
    return Outcome(code, texts[0], texts[1])


def run_process(argv: Sequence[str], cwd: Path, *, timeout: float = 60) -> Outcome:
    """Run `python -m thematic ARGV` as a process in its own session; killed (and failed) past `timeout`."""
    process = subprocess.Popen([sys.executable, "-m", "thematic", *argv], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        out, err = process.communicate()
        err += f"\n[hostile suite: killed after {timeout} s: the command did not finish]".encode()
        return Outcome(-1, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    return Outcome(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def run_into_closed_pipe(argv: Sequence[str], cwd: Path, *, read: int = 100, timeout: float = 60) -> Outcome:
    """`thematic ARGV | head -c READ`: the reader takes a few bytes, then closes its end of the pipe."""
    process = subprocess.Popen([sys.executable, "-m", "thematic", *argv], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert process.stdout is not None and process.stderr is not None
    taken = process.stdout.read(read)
    process.stdout.close()
    try:
        err = process.stderr.read()
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return Outcome(-1, taken.decode("utf-8", "replace"), "[hostile suite: killed: no exit after the pipe closed]")
    finally:
        process.stderr.close()
    return Outcome(process.returncode, taken.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def kill_group(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """End a process this suite started, with every worker it started (its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# --- special files --------------------------------------------------------------------------------

def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_null_device(path: Path) -> Path:
    """A character device with /dev/null's numbers, made in the test's own folder (never the real one)."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


def can_make_devices() -> bool:
    return hasattr(os, "mknod") and os.geteuid() == 0


# --- snapshots ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One path as the file system has it: kind, inode, permission bits, and a hash of a regular file's bytes."""

    kind: str
    inode: int
    mode: int
    digest: str | None

    def describe(self) -> str:
        return f"{self.kind} (inode {self.inode}, mode {self.mode:o}{', ' + self.digest[:12] if self.digest else ''})"


_KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "folder", stat.S_IFIFO: "FIFO", stat.S_IFCHR: "character device",
          stat.S_IFBLK: "block device", stat.S_IFLNK: "symlink", stat.S_IFSOCK: "socket"}


def _entry(path: Path) -> Entry:
    info = path.lstat()
    kind = _KINDS.get(stat.S_IFMT(info.st_mode), "other")
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if kind == "file" else None  # never open a FIFO
    return Entry(kind, info.st_ino, stat.S_IMODE(info.st_mode), digest)


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under `root` (relative, `root` itself as '.'), not following symbolic links."""
    found = {".": _entry(root)}
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in folders + files:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = _entry(path)
    return found


def changes(before: dict[str, Entry], after: dict[str, Entry], *, ignore_new_empty_folders: bool = True,
            root: Path | None = None) -> list[str]:
    """What differs, one line each: added, removed, replaced (another inode or kind) or rewritten."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None:
            assert new is not None
            if ignore_new_empty_folders and new.kind == "folder" and root is not None \
                    and not any(k.startswith(name + os.sep) for k in after):
                continue
            lines.append(f"added {name}: {new.describe()}")
        elif new is None:
            lines.append(f"removed {name}: was {old.describe()}")
        elif name == "." or (old.kind == new.kind == "folder" and old.inode == new.inode):
            continue  # a folder's own entry changes with its contents; the contents are compared one by one
        elif old.kind != new.kind or old.inode != new.inode:
            lines.append(f"replaced {name}: {old.describe()} -> {new.describe()}")
        else:
            lines.append(f"rewritten {name}: {old.describe()} -> {new.describe()}")
    return lines


def temporaries(after: dict[str, Entry]) -> list[str]:
    """Left-over temporary files (`.NAME.xxxx.tmp` and the like)."""
    return [name for name in after
            if re.search(r"(\.tmp|~|\.part)$|(^|/)\.[^/]+\.tmp|\.thematic-staging-", name)]


# --- assertions -----------------------------------------------------------------------------------

def assert_no_crash(outcome: Outcome) -> None:
    for mark in CRASH_MARKS:
        assert mark not in outcome.err, f"{mark!r} on standard error:\n{outcome}"
    assert outcome.code in (0, 2), f"exit {outcome.code}: expected 0 (success) or 2 (bad input)\n{outcome}"


def assert_refused(outcome: Outcome, *, names: Sequence[str] = (), where: str | None = None,
                   field: str | None = None, says: Sequence[str] = ()) -> None:
    """Exit 2, no traceback, and a message naming every one of `names` (files or options), a location
    matching the pattern `where`, the `field` (a regular expression) and each of `says` (case-insensitive)."""
    assert_no_crash(outcome)
    assert outcome.code == 2, f"expected exit 2 (bad input), got {outcome.code}\n{outcome}"
    errors = [line for line in outcome.err.splitlines() if line.startswith("error:")] or outcome.err.splitlines()
    text = "\n".join(errors)
    assert text.strip(), f"exit 2 without a message\n{outcome}"
    for name in names:
        assert name in text, f"the message does not name {name!r}\n{outcome}"
    if where is not None:
        assert re.search(where, text), f"the message gives no location (expected /{where}/)\n{outcome}"
    if field is not None:
        assert re.search(field, text), f"the message does not name the field /{field}/\n{outcome}"
    for words in says:
        assert words.lower() in text.lower(), f"the message does not say {words!r}\n{outcome}"


def assert_succeeded(outcome: Outcome) -> None:
    assert_no_crash(outcome)
    assert outcome.code == 0, f"expected success (exit 0) on legitimate input\n{outcome}"


def copy_into(source: Path, target: Path) -> Path:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return target


# --- a working folder with fictional inputs -------------------------------------------------------

EXAMPLE_CASES = ROOT / "inspections" / "cases" / "exampleshire-2019"
SHIPPED_CRITERIA = ROOT / "criteria" / "ncpi-thematic-2019.yaml"
WESTMOOR = ROOT / "inspections" / "exports" / "westmoor"
REGISTER = ROOT / "inspections" / "registers" / "exampleshire-register.csv"

#: A case file with every section captured, one field a line, so a test knows each field's line:
#: case_id 1, reported_at 4, child 5, outcome 17, grade 18.
CASE_YAML = """\
case_id: {case_id}
force: exampleshire
category: neglect
reported_at: {reported_at}
child: {{ref: C-0001, age: {age}}}
incidents: []
risk_assessments: []
referrals: []
strategy_discussions: []
section47: null
police_protection: null
investigation: null
supervision: []
devices: []
child_as_suspect: null
custody: null
outcome: {outcome}
grade: {grade}
"""
CASE_DEFAULTS = {"case_id": "H-001", "reported_at": "2019-03-04T16:20", "age": "9", "outcome": "null",
                 "grade": "{value: good, by: insp-a}"}


def case_yaml(**fields: str) -> str:
    return CASE_YAML.format(**{**CASE_DEFAULTS, **fields})


def case_record(case_id: str = "H-001", **fields: object) -> dict[str, object]:
    """A valid case as a JSON object (for .json and .jsonl files)."""
    record: dict[str, object] = {
        "case_id": case_id, "force": "exampleshire", "category": "neglect", "reported_at": "2019-03-04T16:20",
        "child": {"ref": "C-0001", "age": 9}, "incidents": [], "risk_assessments": [], "referrals": [],
        "strategy_discussions": [], "section47": None, "police_protection": None, "investigation": None,
        "supervision": [], "devices": [], "child_as_suspect": None, "custody": None, "outcome": None,
    }
    record.update(fields)
    return record


INSPECTION_YAML = """\
inspection: exampleshire-2019
title: Fictional test inspection
force: exampleshire
year: 2019
as_of: 2019-11-30
criteria: criteria.yaml
cases: cases/
judgements: [judgements/*.yaml]
"""


class Workspace:
    """A user's working folder, three levels below the test's own folder so `..` paths stay inside it."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.root = top / "a" / "b" / "c" / "work"
        self.root.mkdir(parents=True)

    def path(self, name: str) -> Path:
        return self.root / name

    def write(self, name: str, content: str | bytes) -> str:
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return name

    def copy(self, source: Path, name: str) -> str:
        copy_into(source, self.path(name))
        return name

    def fifo(self, name: str) -> str:
        make_fifo(self.path(name))
        return name

    def device(self, name: str) -> str:
        make_null_device(self.path(name))
        return name

    # inputs -----------------------------------------------------------------------------------

    def criteria(self, name: str = "criteria.yaml") -> str:
        return self.copy(SHIPPED_CRITERIA, name)

    def cases(self, name: str = "cases") -> str:
        return self.copy(EXAMPLE_CASES, name)

    def inspection(self, text: str = INSPECTION_YAML, *, cases: bool = True) -> str:
        self.criteria()
        if cases:
            self.cases()
        return self.write("inspection.yaml", text)

    def jsonl(self, lines: list[str] | list[dict[str, object]], name: str = "cases.jsonl") -> str:
        import json

        rendered = [line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines]
        return self.write(name, "\n".join(rendered) + "\n")

    def export(self, name: str = "export") -> str:
        return self.copy(WESTMOOR, name)

    def register(self, name: str = "register.csv") -> str:
        return self.copy(REGISTER, name)
