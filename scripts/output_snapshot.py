#!/usr/bin/env python3
"""Snapshot every `thematic` command's output, to prove a refactor changed none of it.

    python scripts/output_snapshot.py --python .venv/bin/python --out before.json
    ... refactor ...
    python scripts/output_snapshot.py --python .venv/bin/python --out after.json
    python scripts/output_snapshot.py --diff before.json after.json

Each command runs only through the command line (`PYTHON -m thematic ...` in a subprocess, with
PYTHONPATH=DIR when `--pythonpath DIR` is given), so the same script drives an older and a newer
checkout. The inputs are copied from this repository (`inspections/`, `criteria/`, or `--inputs
DIR`) into a fresh run folder, plus a few small fixtures written below (a second inspector's
judgements and a moderation file, a case file with errors); every command runs with that folder
as its working directory and relative paths, and nothing is written outside it.

The manifest (JSON, sorted keys) maps every output to the sha256 of its normalised bytes:

    commands/NAME/exit, commands/NAME/stdout, commands/NAME/stderr   what each command printed
    out/...                     the files the commands wrote (also any file a command added to or
                                changed among the copied inputs, under its own path)
    inputs                      one hash over every input file, so two manifests made from
                                different inputs are not mistaken for a change of code

Normalisation, kept to what legitimately varies from run to run (see `Normaliser`, `demo_stdout`):
  * the run folder's absolute path, wherever it appears, becomes <SNAPSHOT>;
  * `thematic demo`: the elapsed seconds it prints, and the order of its step lines (steps run in
    two worker processes and are printed as each finishes);
  * XLSX workbooks (zip files): the members are hashed uncompressed, sorted by name, so zip
    timestamps do not count, and docProps/core.xml's created/modified times (openpyxl writes the
    current time) become <DATE>;
  * the date reports say they were produced ("Produced 1 January 2020 with thematic ..."): every
    command runs with SOURCE_DATE_EPOCH set to one fixed time (`PRODUCED`), which thematic uses
    instead of today, so a snapshot taken on another day gives the same HTML and PDF bytes (the
    date is drawn as glyphs in a PDF's compressed page streams: it could not be masked there).
PDFs are hashed as written: WeasyPrint (70) writes no /CreationDate, /ModDate or trailer /ID
for these reports, so two runs give the same bytes. A PDF that does carry a date is reported on
standard error, since it will make two snapshots differ.

Standard library only. Exit codes: 0 done (or, with --diff, identical); 1 differences;
2 usage or setup error.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = b"<SNAPSHOT>"
INPUT_FOLDERS = ("inspections", "criteria")
COMMAND_TIMEOUT = 1200  # seconds; the demo takes about three minutes on a busy 2-core machine



class SetupError(Exception):
    """The snapshot cannot be taken (no inputs, an interpreter that cannot import thematic, ...): exit 2."""


SUBCOMMANDS = ("validate", "score", "run", "demo", "agreement", "compare", "compare-assessors", "import-table",
               "import-workbook", "report", "sample", "screen", "synth", "workbook")

# --- fixtures written into the run folder (fictional, like everything in inspections/) ------------

# exampleshire-2019 double-scored: insp-b's answers on cases insp-a answered in the case files, and
# a moderation file (the README's inspector workflow), so `agreement` and the force report's
# agreement section have disagreements to show, moderated and open.
DOUBLE_INSPECTION = """\
# FICTIONAL: the exampleshire-2019 sample, double-scored by a second inspector (output_snapshot.py).
inspection: exampleshire-2019
title: Exampleshire Police child protection inspection 2019, double-scored (fictional)
force: exampleshire
year: 2019
as_of: 2019-11-30
criteria: ../../criteria/ncpi-thematic-2019.yaml
cases: ../../inspections/cases/exampleshire-2019/
judgements: [judgements/*.yaml]
"""

DOUBLE_JUDGEMENTS_B = """\
format: thematic.judgements/1
inspection: exampleshire-2019
inspector: insp-b
cases:
  EXA-2019-001:
    judgements:
      SUP-04: {answer: "yes"}
      RISK-05: {answer: "yes"}
      INF-02: {answer: "yes"}
    grade: {value: good, referred_back: false}
  EXA-2019-003:
    judgements:
      SUP-04: {answer: partly, note: "Directions only."}
      RISK-05: {answer: n/a}
      INF-02: {answer: "yes"}
    grade: {value: requires_improvement, referred_back: false}
  EXA-2019-006:
    judgements:
      SUP-04: {answer: "no"}
      RISK-05: {answer: "no", note: "The risk assessment cites the latest incident only."}
      INF-02: {answer: "yes"}
    grade: {value: requires_improvement, referred_back: true}
  EXA-2019-008:
    judgements:
      CRM-06: {answer: partly}
      RISK-05: {answer: n/a}
      INF-02: {answer: "yes"}
    grade: {value: requires_improvement, referred_back: false}
  EXA-2019-010:
    judgements:
      SUP-04: {answer: partly}
      RISK-05: {answer: "no"}
      INF-02: {answer: "no"}
    grade: {value: inadequate, referred_back: true}
  EXA-2019-016:
    judgements:
      SUP-04: {answer: "yes"}
      RISK-05: {answer: "yes"}
      INF-02: {answer: "no"}
    grade: {value: inadequate, referred_back: false}
"""

DOUBLE_MODERATION = """\
format: thematic.moderation/1
inspection: exampleshire-2019
cases:
  EXA-2019-006:
    judgements:
      RISK-05: {answer: "no", by: insp-c, reason: "The risk assessment cites the latest incident only."}
    grade: {value: requires_improvement, referred_back: false, by: insp-c, reason: "Agreed at panel."}
"""

# A case file with two errors, for the error listing of `validate` (exit 2).
BAD_CASE = """\
# FICTIONAL case with two deliberate errors (output_snapshot.py).
case_id: EXA-2019-901
force: exampleshire
category: domestic_abuse
reported_at: 2019-05-14T20:40
child: {ref: C-9001, age: 19, sex: female, looked_after: false, plan: none}
incidents:
  - {ref: I-1, at: 2019-05-14T20:40, type: domestic_abuse, severity: 7, child_seen: true,
     demeanour_recorded: true, response: immediate}
judgements:
  RISK-05: {answer: "maybe", by: insp-a}
"""

FIXTURES = {
    "fixtures/double/exampleshire-2019.yaml": DOUBLE_INSPECTION,
    "fixtures/double/judgements/exampleshire-2019-insp-b.yaml": DOUBLE_JUDGEMENTS_B,
    "fixtures/double/judgements/exampleshire-2019-moderation.yaml": DOUBLE_MODERATION,
    "fixtures/bad/EXA-2019-901.yaml": BAD_CASE,
}


# --- the commands ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    name: str                 # unique; the manifest's commands/NAME/...
    args: tuple[str, ...]     # after `python -m thematic`
    needs: tuple[str, ...] = ()  # steps whose output files this one reads


def inspections(root: Path) -> list[tuple[str, str]]:
    """(id, as_of) of every example inspection, by file name."""
    found = []
    for path in sorted((root / "inspections").glob("*.yaml")):
        match = re.search(r"^as_of:\s*(\S+)", path.read_text("utf-8"), re.M)
        if not match:
            raise SetupError(f"{path}: no as_of line")
        found.append((path.stem, match.group(1)))
    return found


def plan(root: Path) -> list[Step]:
    """Every command, in the order they are started (longest first; dependencies permitting)."""
    ids = inspections(root)
    ids_set = {i for i, _ in ids}
    steps: list[Step] = []

    def add(name: str, *args: str, needs: tuple[str, ...] = ()) -> None:
        steps.append(Step(name, tuple(args), needs))

    # The README's main job, and the longest: its own two worker processes.
    add("demo", "demo", "-o", "out/demo")

    # Every example inspection: run (results, force report HTML and PDF) and score.
    for ident, _ in ids:
        add(f"run-{ident}", "run", f"inspections/{ident}.yaml", "-o", f"out/run/{ident}")
    add("run-exampleshire-2019-double", "run", "fixtures/double/exampleshire-2019.yaml",
        "-o", "out/run/exampleshire-2019-double")
    for ident, as_of in ids:
        add(f"score-{ident}", "score", f"inspections/cases/{ident}/", "--as-of", as_of, "-o", f"out/score/{ident}.json")
    add("score-exampleshire-2019-set-stdout", "score", "inspections/cases/exampleshire-2019/", "--as-of", "2019-11-30",
        "--set", "referral_max_hours=48")
    add("score-usage-error", "score", "inspections/cases/exampleshire-2019/")

    # A caseload in JSON Lines (three ~1 MB chunks), scored and screened with one and two processes:
    # --jobs must give the same bytes.
    caseload = "out/synth/caseload.jsonl"
    add("synth-caseload-jsonl", "synth", "--profile", "national-2019", "--force", "exampleshire", "--year", "2019",
        "--cases", "1200", "--seed", "7", "-o", caseload)
    for jobs in ("1", "2"):
        add(f"score-caseload-summary-jobs{jobs}", "score", caseload, "--as-of", "2019-11-30", "--jobs", jobs,
            "--summary-only", "-o", f"out/caseload/summary-jobs{jobs}.json", needs=("synth-caseload-jsonl",))
        add(f"screen-caseload-jobs{jobs}", "screen", caseload, "--as-of", "2019-11-30", "--fail",
            "RISK-01,RISK-02,CRM-01", "--jobs", jobs, "-o", f"out/caseload/screen-jobs{jobs}.csv",
            needs=("synth-caseload-jsonl",))
    add("score-caseload-cases-out-jobs2", "score", caseload, "--as-of", "2019-11-30", "--jobs", "2",
        "--cases-out", "out/caseload/cases.jsonl", "-o", "out/caseload/results.json", needs=("synth-caseload-jsonl",))
    add("screen-exampleshire-2019-stdout", "screen", "inspections/cases/exampleshire-2019/", "--as-of", "2019-11-30",
        "--fail", "RISK-01,RISK-02,CRM-01")

    # Reports from results files through `thematic report` (the demo makes every report's PDF too):
    # the programme report of each round, and a force report for publication with the agreement section.
    rounds: dict[str, list[str]] = {}
    for ident, _ in ids:
        force, _, year = ident.rpartition("-")
        if force != "exampleshire":
            rounds.setdefault(year, []).append(ident)
    for year, members in sorted(rounds.items()):
        formats = ("--format", "json,html") if year == max(rounds) else ("--format", "json")
        add(f"report-programme-{year}", "report", *(f"out/run/{i}/results.json" for i in members),
            "-o", f"out/report/programme-{year}", *formats, needs=tuple(f"run-{i}" for i in members))
    add("agreement-exampleshire-2019", "agreement", "inspections/exampleshire-2019.yaml",
        "-o", "out/agreement/exampleshire-2019.json")
    add("agreement-exampleshire-2019-double", "agreement", "fixtures/double/exampleshire-2019.yaml",
        "-o", "out/agreement/exampleshire-2019-double.json")
    add("report-exampleshire-2019-publication", "report", "out/run/exampleshire-2019-double/results.json",
        "--agreement", "out/agreement/exampleshire-2019-double.json", "--suppress-below", "5", "--thresholds", "60,90",
        "--format", "html", "-o", "out/report/exampleshire-2019-publication",
        needs=("run-exampleshire-2019-double", "agreement-exampleshire-2019-double"))

    # Year on year: each force with both rounds; the first in full (JSON, HTML, PDF), the others' JSON.
    pairs = sorted({i.rpartition("-")[0] for i, _ in ids if f"{i.rpartition('-')[0]}-2015" in ids_set
                    and f"{i.rpartition('-')[0]}-2019" in ids_set})
    for n, force in enumerate(pairs):
        before, after = f"{force}-2015", f"{force}-2019"
        whole: tuple[str, ...] = () if n == 0 else ("--format", "json")
        add(f"compare-{force}", "compare", f"out/run/{before}/results.json", f"out/run/{after}/results.json",
            "-o", f"out/compare/{before}-to-2019", *whole, needs=(f"run-{before}", f"run-{after}"))
    if pairs:  # the default output folder (out/BEFORE-ID-to-AFTER-ID), and a refused comparison
        force = pairs[-1]
        add("compare-default-output", "compare", f"out/run/{force}-2015/results.json",
            f"out/run/{force}-2019/results.json", "--format", "json", needs=(f"run-{force}-2015", f"run-{force}-2019"))
        add("compare-same-inspection-error", "compare", f"out/run/{force}-2019/results.json",
            f"out/run/{force}-2019/results.json", "-o", "out/compare/refused", needs=(f"run-{force}-2019",))

    # A force's self-assessment beside the inspectors' (the same 40 case ids from two practice profiles).
    for side, profile in (("self-assessment", "northmoor-2019"), ("inspection", "national-2019")):
        add(f"synth-assessors-{side}", "synth", "--profile", profile, "--force", "northmoor", "--year", "2019",
            "--cases", "40", "--seed", "11", "-o", f"out/assessors/{side}/cases")
        add(f"score-assessors-{side}", "score", f"out/assessors/{side}/cases/", "--as-of", "2019-11-30",
            "-o", f"out/assessors/{side}/results.json", needs=(f"synth-assessors-{side}",))
    both = ("score-assessors-self-assessment", "score-assessors-inspection")
    add("compare-assessors", "compare-assessors", "out/assessors/self-assessment/results.json",
        "out/assessors/inspection/results.json", "-o", "out/assessors/comparison.json",
        "--report", "out/assessors/report", needs=both)
    add("compare-assessors-suggested-grade", "compare-assessors", "out/assessors/self-assessment/results.json",
        "out/assessors/inspection/results.json", "--grade", "suggested", needs=both)

    # Workbooks and reading them back.
    add("workbook-exampleshire-2019-insp-a", "workbook", "inspections/exampleshire-2019.yaml", "--inspector", "insp-a",
        "-o", "out/workbook/audit-insp-a.xlsx")
    add("workbook-double-insp-b", "workbook", "fixtures/double/exampleshire-2019.yaml", "--inspector", "insp-b",
        "-o", "out/workbook/audit-double-insp-b.xlsx")
    # No --inspector and no -o: every inspector's answers, written to out/INSPECTION-ID/audit.xlsx.
    add("workbook-default-output", "workbook", "inspections/exampleshire-2019.yaml")
    add("import-workbook-exampleshire-2019-insp-a", "import-workbook", "out/workbook/audit-insp-a.xlsx",
        "--inspection", "inspections/exampleshire-2019.yaml", "-o", "out/workbook/judgements-insp-a.yaml",
        needs=("workbook-exampleshire-2019-insp-a",))
    add("import-workbook-double-insp-b", "import-workbook", "out/workbook/audit-double-insp-b.xlsx",
        "--inspection", "fixtures/double/exampleshire-2019.yaml", "-o", "out/workbook/judgements-double-insp-b.yaml",
        needs=("workbook-double-insp-b",))

    # A force's export through its mapping, then validated and scored.
    export = "inspections/exports/westmoor"
    add("import-table-template-stdout", "import-table", "--template")
    add("import-table-westmoor", "import-table", f"{export}/cases.csv", "--mapping", f"{export}/mapping.yaml",
        "-o", "out/import-table/westmoor/")
    add("import-table-westmoor-jsonl", "import-table", f"{export}/cases.csv", "--mapping", f"{export}/mapping.yaml",
        "-o", "out/import-table/westmoor.jsonl")
    add("validate-westmoor", "validate", "out/import-table/westmoor/", needs=("import-table-westmoor",))
    add("score-westmoor", "score", "out/import-table/westmoor/", "--as-of", "2019-11-30",
        "-o", "out/import-table/westmoor-results.json", needs=("import-table-westmoor",))

    # Samples from the register (the README's two invocations, and a minimum per stratum).
    register = "inspections/registers/exampleshire-register.csv"
    add("sample-margin", "sample", register, "--margin", "0.1", "--strata", "category", "--seed", "20191130",
        "-o", "out/sample/exampleshire-sample.csv")
    add("sample-size", "sample", register, "--strata", "category", "--size", "16", "--seed", "2019",
        "-o", "out/sample/sample.csv")
    add("sample-min-per-stratum", "sample", register, "--strata", "category", "--size", "40", "--seed", "1",
        "--min-per-stratum", "3", "-o", "out/sample/min-per-stratum.csv")

    # Synth as in the README, at a small size.
    add("synth-northmoor-2019", "synth", "--profile", "northmoor-2019", "--force", "northmoor", "--year", "2019",
        "--cases", "20", "--seed", "2019", "-o", "out/synth/northmoor-2019")

    # Validation: the criteria and every inspection (one command), and a case file with errors.
    add("validate-inspections", "validate", "criteria/ncpi-thematic-2019.yaml",
        *(f"inspections/{ident}.yaml" for ident, _ in ids))
    add("validate-bad-case", "validate", "fixtures/bad/EXA-2019-901.yaml")

    # The command line itself.
    add("version", "--version")
    add("help", "--help")
    for command in SUBCOMMANDS:
        add(f"help-{command}", command, "--help")

    names = [s.name for s in steps]
    assert len(names) == len(set(names)), "step names must be unique"
    return steps


# --- normalisation and hashing ----------------------------------------------------------------------

_DEMO_STEP = re.compile(rb"^(\[\s*\d+/\d+\] )(.*)$")
_DEMO_SECONDS = re.compile(rb"\(\d+ s in all\)")
_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\b|<xmp:(CreateDate|ModifyDate|MetadataDate)>")


def demo_stdout(data: bytes) -> bytes:
    """`thematic demo` prints one numbered line per step as each finishes; with two worker processes
    the order of steps that run side by side depends on which finishes first, and the run ends with
    its elapsed seconds. Keep the numbering (always 1..N in order), sort the steps' text, and drop
    the seconds."""
    lines = data.split(b"\n")
    at = [i for i, line in enumerate(lines) if _DEMO_STEP.match(line)]
    texts = sorted(_DEMO_STEP.match(lines[i]).group(2) for i in at)  # type: ignore[union-attr]
    for i, text in zip(at, texts, strict=True):
        lines[i] = _DEMO_STEP.match(lines[i]).group(1) + text  # type: ignore[union-attr]
    return _DEMO_SECONDS.sub(b"(<N> s in all)", b"\n".join(lines))


class Normaliser:
    def __init__(self, run_folder: Path) -> None:
        # The run folder is a new temporary folder each time; a command that prints or writes an
        # absolute path would otherwise differ between any two runs.
        spellings = {str(run_folder), os.path.realpath(run_folder)}
        self.paths = sorted((s.encode() for s in spellings), key=len, reverse=True)
        self.warnings: list[str] = []
        self.lock = threading.Lock()

    def text(self, data: bytes) -> bytes:
        for path in self.paths:
            data = data.replace(path, PLACEHOLDER)
        return data

    def file(self, relative: str, data: bytes) -> bytes:
        """The bytes that are hashed for one file."""
        if relative.endswith(".xlsx") and data[:2] == b"PK":
            return self.xlsx(data)
        if relative.endswith(".pdf"):
            self.check_pdf(relative, data)
        return self.text(data)

    def xlsx(self, data: bytes) -> bytes:
        """An XLSX is a zip: its members' names and uncompressed bytes, sorted by name (zip entry
        times and compression do not count). openpyxl stamps docProps/core.xml with the current
        time as created and modified; those two values become <DATE>."""
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in sorted(archive.namelist()):
                member = self.text(archive.read(name))
                if name == "docProps/core.xml":
                    member = _CORE_DATE.sub(rb"\1<DATE>\3", member)
                out.write(name.encode() + b"\0" + str(len(member)).encode() + b"\0" + member)
        return out.getvalue()

    def check_pdf(self, relative: str, data: bytes) -> None:
        """No PDF normalisation is needed (WeasyPrint 70 writes no /CreationDate, /ModDate or /ID for
        these reports); say so if that stops being true, since two snapshots would then differ."""
        parts, view = [data], memoryview(data)
        for match in re.finditer(rb"stream\r?\n", data):
            try:
                parts.append(zlib.decompressobj().decompress(view[match.end():]))
            except zlib.error:
                continue
        if any(_PDF_DATE.search(part) for part in parts):
            with self.lock:
                self.warnings.append(f"{relative}: the PDF carries a creation or modification date")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


# --- running -----------------------------------------------------------------------------------------

def prepare(run: Path, inputs: Path) -> dict[str, str]:
    """Copy the inputs and write the fixtures into the run folder; their raw hashes, by path."""
    for folder in INPUT_FOLDERS:
        source = inputs / folder
        if not source.is_dir():
            raise SetupError(f"no {source} to take inputs from")
        shutil.copytree(source, run / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for relative, text in FIXTURES.items():
        target = run / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return {rel: sha256(path.read_bytes()) for rel, path in files_under(run).items()}


#: The time every command's reports say they were produced (SOURCE_DATE_EPOCH): 1 January 2020.
PRODUCED = "1577836800"


def environment(pythonpath: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = PRODUCED  # reports print the date they were produced: one date, any day
    env.pop("THEMATIC_DEBUG", None)  # a traceback instead of the one-line message would differ
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    env["COLUMNS"] = "80"  # argparse wraps --help to the terminal's width; a pipe has none
    return env


def check_interpreter(python: str, env: dict[str, str], run: Path, pythonpath: str | None) -> str:
    """Where `import thematic` finds the package with this interpreter and PYTHONPATH."""
    try:
        probe = subprocess.run([python, "-c", "import thematic; print(thematic.__file__)"], cwd=run, env=env,
                               capture_output=True, text=True, timeout=120)
    except OSError as exc:
        raise SetupError(f"cannot run {python}: {exc}") from None
    if probe.returncode != 0:
        raise SetupError(f"{python} cannot import thematic:\n{probe.stderr}")
    location = probe.stdout.strip()
    if pythonpath and not Path(location).resolve().is_relative_to(Path(pythonpath).resolve()):
        raise SetupError(f"with PYTHONPATH={pythonpath}, thematic is imported from {location}, "
                         "not from that folder")
    return location


def run_steps(steps: list[Step], python: str, env: dict[str, str], run: Path, workers: int,
              log: Callable[[str], None]) -> dict[str, float]:
    """Run every step (at most `workers` at once, each after the steps it needs); write each one's
    exit code, stdout and stderr to commands/NAME/. The CPU seconds of each, by name."""
    cpu_seconds: dict[str, float] = {}
    by_name = {s.name: s for s in steps}
    for step in steps:
        missing = [n for n in step.needs if n not in by_name]
        if missing:
            raise SetupError(f"step {step.name} needs unknown step(s) {missing}")

    def one(step: Step) -> tuple[int, float, float]:
        """Run one command; its exit code, wall seconds and CPU seconds (its own and its workers')."""
        started = time.monotonic()
        proc = subprocess.Popen([python, "-m", "thematic", *step.args], cwd=run, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        streams: dict[str, bytes] = {}
        readers = [threading.Thread(target=lambda key=key, pipe=pipe: streams.__setitem__(key, pipe.read()))
                   for key, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr))]
        for reader in readers:
            reader.start()
        timer = threading.Timer(COMMAND_TIMEOUT, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)  # wait4, not wait(): it gives the CPU time
        timer.cancel()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join()
        for pipe in (proc.stdout, proc.stderr):
            pipe.close()  # type: ignore[union-attr]
        folder = run / "commands" / step.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "exit").write_bytes(f"{code}\n".encode())
        (folder / "stdout").write_bytes(streams["stdout"])
        (folder / "stderr").write_bytes(streams["stderr"])
        return code, time.monotonic() - started, usage.ru_utime + usage.ru_stime

    finished: set[str] = set()
    pending = list(steps)
    running: dict[Future[tuple[int, float, float]], Step] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending or running:
            for step in [s for s in pending if all(n in finished for n in s.needs)]:
                if len(running) >= workers:
                    break
                pending.remove(step)
                running[pool.submit(one, step)] = step
            if not running:
                raise SetupError("steps wait on each other: " + ", ".join(s.name for s in pending))
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                step = running.pop(future)
                code, seconds, cpu = future.result()
                finished.add(step.name)
                cpu_seconds[step.name] = cpu
                log(f"[{len(finished):>3}/{len(steps)}] {step.name}: exit {code}, {seconds:.1f} s, {cpu:.1f} s CPU")
    return cpu_seconds


def snapshot(args: argparse.Namespace) -> int:
    started = time.monotonic()
    python = args.python if os.sep not in args.python else os.path.abspath(args.python)  # not resolved: a venv's
    pythonpath = os.path.abspath(args.pythonpath) if args.pythonpath else None          # python is a symlink
    inputs = Path(args.inputs).resolve()
    if args.keep:
        run = Path(args.keep).absolute()
        if run.exists() and any(run.iterdir()):
            print(f"output_snapshot: --keep {run}: the folder is not empty", file=sys.stderr)
            return 2
        run.mkdir(parents=True, exist_ok=True)
    else:
        run = Path(tempfile.mkdtemp(prefix="thematic-snapshot-"))

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        before = prepare(run, inputs)
        env = environment(pythonpath)
        location = check_interpreter(python, env, run, pythonpath)
        log(f"thematic from {location}; inputs from {inputs}; running in {run}")
        steps = plan(run)
        cpu = run_steps(steps, python, env, run, args.workers, log)

        normaliser = Normaliser(run)
        manifest: dict[str, str] = {
            "inputs": sha256("".join(f"{rel}\0{digest}\n" for rel, digest in sorted(before.items())).encode())}
        for relative, path in files_under(run).items():
            if relative in before and sha256(path.read_bytes()) == before[relative]:
                continue  # an input, unchanged
            data = path.read_bytes()
            if relative == "commands/demo/stdout":
                data = demo_stdout(data)
            manifest[relative] = sha256(normaliser.file(relative, data))
        for relative in sorted(set(before) - set(files_under(run))):
            manifest[relative] = "deleted"  # a command removed one of its inputs
        for warning in normaliser.warnings:
            log(f"warning: {warning}")

        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        temporary.replace(out)
        failures = sum(1 for s in steps if (run / "commands" / s.name / "exit").read_text().strip() not in ("0", "2"))
        log(f"wrote {out}: {len(manifest)} entries from {len(steps)} commands "
            f"({failures} exited other than 0 or 2) in {time.monotonic() - started:.0f} s, "
            f"{sum(cpu.values()):.0f} s of CPU (most: "
            + ", ".join(f"{n} {c:.0f} s" for n, c in sorted(cpu.items(), key=lambda i: -i[1])[:4]) + ")")
        if args.keep:
            log(f"outputs kept in {run}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)


def diff(a: str, b: str) -> int:
    try:
        first, second = (json.loads(Path(p).read_text("utf-8")) for p in (a, b))
    except (OSError, ValueError) as exc:
        print(f"output_snapshot: {exc}", file=sys.stderr)
        return 2
    differ = sorted(k for k in first.keys() & second.keys() if first[k] != second[k])
    missing = sorted(first.keys() - second.keys())
    new = sorted(second.keys() - first.keys())
    for label, keys in (("differs", differ), ("missing", missing), ("new", new)):
        for key in keys:
            print(f"{label:8} {key}")
    if differ or missing or new:
        print(f"{len(differ)} differ, {len(missing)} missing from {b}, {len(new)} new in {b} "
              f"({len(first)} entries in {a}, {len(second)} in {b})")
        return 1
    print(f"identical: {len(first)} entries")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run every thematic command through its command line and write a manifest of the sha256 of "
                    "each output, normalised; or compare two manifests.")
    parser.add_argument("--python", help="the interpreter to run `-m thematic` with, e.g. .venv/bin/python")
    parser.add_argument("--pythonpath", metavar="DIR", help="PYTHONPATH for the commands, e.g. a checkout's src/ "
                        "(thematic must then be imported from there)")
    parser.add_argument("--out", metavar="MANIFEST.json", help="where to write the manifest")
    parser.add_argument("--keep", metavar="DIR", help="run in DIR (new or empty) and keep every output there")
    parser.add_argument("--inputs", metavar="DIR", default=str(REPO),
                        help="the checkout whose inspections/ and criteria/ are the inputs (default: this script's "
                             "repository); use the same for both snapshots")
    parser.add_argument("--workers", type=int, default=2, help="commands run at once (default 2)")
    parser.add_argument("--diff", nargs=2, metavar=("A.json", "B.json"),
                        help="compare two manifests: entries that differ, are missing from B or new in B; "
                             "exit 1 if any")
    args = parser.parse_args(argv)
    if args.diff:
        return diff(*args.diff)
    if not args.python or not args.out:
        parser.error("--python and --out are required (or --diff A.json B.json)")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        return snapshot(args)
    except SetupError as exc:
        print(f"output_snapshot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
