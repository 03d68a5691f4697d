"""The scoring hot path against its floor and a hand-written script, in one run on one file.

Run from the repository root:

    .venv/bin/python benchmarks/bench_hotpath.py [--cases 40000] [--repeat 1] [--keep DIR]

It writes a fictional caseload of `--cases` cases as JSON Lines (benchmarks/caseload_sample.py, from
seed 7), then runs, one after the other and each as its own process, start-up included:
(a) the floor: read every line and `json.loads` it;
(b) benchmarks/plain_script.py: the shipped criteria hand-coded in plain Python (its states are
    checked against the tool's by tests/test_plain_script.py);
(c) `thematic score` as a user runs it: `--summary-only` (counts of states, as the script gives)
    with `--jobs 1` and `--jobs 2` (the columnar path, scoring/columnar_batch.py, where the
    criteria set compiles to a query), the same with `--jobs 1` and THEMATIC_SCORING=python (the
    Python path, the reference: before and after in one run; `--no-python-path` leaves it out), and
    the whole results document (every case's results and evidence, `-o`) with `--jobs 1`.
For each it prints elapsed (wall) seconds, CPU seconds (user + system, pool workers included),
cases per second by each, the tool's ratios to the script and to the floor, and peak memory: the
largest resident set of the process and its workers (`wait4`). Other work on the machine slows
the wall-clock figures more than the CPU ones; with `--repeat N` each run's best of N is kept.
The runs use compiled bytecode, as an installed package does: the package is compiled first, and
PYTHONDONTWRITEBYTECODE (set on some machines, where every run would compile the package's sources
again, about 0.3 s of each start) is left out of the runs' environment.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

AS_OF = "2019-11-30"
TARGET_SCRIPT = 1.5  # --jobs 1 at least 1.5 times the plain script's throughput
TARGET_FLOOR = 0.15  # and at least 0.15 of the floor's
FLOOR = "import json,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n    if json.loads(line): n+=1\nprint(n)"


@dataclass
class Run:
    label: str
    wall: float
    cpu: float
    peak_mb: float


def measure(label: str, command: list[str], repeat: int, scoring: str | None = None) -> Run:
    """Best of `repeat` runs of `command`: wall seconds, CPU seconds and peak RSS of it and its workers.

    `scoring`: THEMATIC_SCORING for the run (unset otherwise)."""
    best: Run | None = None
    env = {k: v for k, v in os.environ.items() if k not in ("THEMATIC_SCORING", "PYTHONDONTWRITEBYTECODE")}
    if scoring is not None:
        env["THEMATIC_SCORING"] = scoring
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            assert process.stderr is not None
            raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
        run = Run(label, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
        if best is None or run.cpu < best.cpu:
            best = run
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the generated caseload in DIR")
    parser.add_argument("--no-full", action="store_true", help="leave out the whole results document run")
    parser.add_argument("--no-python-path", action="store_true",
                        help="leave out the --summary-only run with THEMATIC_SCORING=python")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-hotpath-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"caseload-{args.cases}-seed{args.seed}.jsonl"
    if not path.exists():
        # In a process of its own: Linux carries a parent's peak resident set over into the
        # children it starts, so generating here would inflate every run's peak memory.
        source = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from caseload_sample import write_caseload; "
             "print(write_caseload(Path(sys.argv[1]), int(sys.argv[2]), seed=int(sys.argv[3])))",
             str(path), str(args.cases), str(args.seed)],
            cwd=ROOT / "benchmarks", check=True, capture_output=True, text=True).stdout.strip()
        print(f"wrote {args.cases:,} cases ({path.stat().st_size / 1e6:.0f} MB, pool from {source})")
    python = sys.executable
    script = Path(python).parent / "thematic"  # the command a user runs
    thematic = [str(script) if script.exists() else python, *([] if script.exists() else ["-m", "thematic"]),
                "score", str(path), "--as-of", AS_OF]
    out = folder / "out"
    out.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "thematic")], check=True, env=env)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}")
    try:
        runs = [
            measure("floor: read + json.loads", [python, "-c", FLOOR, str(path)], args.repeat),
            measure("plain script", [python, str(ROOT / "benchmarks" / "plain_script.py"), str(path),
                                     "--as-of", AS_OF], args.repeat),
            measure("thematic score --summary-only -j1", [*thematic, "--summary-only", "-o", str(out / "s1.json"),
                                                          "--jobs", "1"], args.repeat),
            measure("thematic score --summary-only -j2", [*thematic, "--summary-only", "-o", str(out / "s2.json"),
                                                          "--jobs", "2"], args.repeat),
        ]
        if not args.no_python_path:
            runs.append(measure("... -j1, THEMATIC_SCORING=python", [*thematic, "--summary-only", "-o",
                                                                     str(out / "p1.json"), "--jobs", "1"],
                                args.repeat, scoring="python"))
        if not args.no_full:
            runs.append(measure("thematic score -o (all results) -j1",
                                [*thematic, "-o", str(out / "full.json"), "--jobs", "1"], args.repeat))
        documents = [(out / name).read_bytes() for name in ("s1.json", "s2.json", "p1.json") if (out / name).exists()]
        same = all(document == documents[0] for document in documents)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}\n")
    floor, script = runs[0], runs[1]
    n = args.cases
    print(f"{'run':<38}{'wall s':>8}{'CPU s':>8}{'cases/s':>9}{'(CPU)':>8}{'x script':>9}{'x floor':>8}{'peak MB':>8}")
    for run in runs:
        print(f"{run.label:<38}{run.wall:>8.1f}{run.cpu:>8.1f}{n / run.wall:>9,.0f}{n / run.cpu:>8,.0f}"
              f"{script.cpu / run.cpu:>9.2f}{floor.cpu / run.cpu:>8.2f}{run.peak_mb:>8.0f}")
    print("(x script, x floor: throughput as a share of theirs, from CPU seconds; 1.00 is as fast)")
    print(f"the --summary-only documents (-j1, -j2{'' if args.no_python_path else ', Python path'}) are "
          + ("the same, byte for byte" if same else "NOT THE SAME"))
    tool = runs[2]
    for what, ratio, target in (("the plain script", script.cpu / tool.cpu, TARGET_SCRIPT),
                                ("the json.loads floor", floor.cpu / tool.cpu, TARGET_FLOOR)):
        wall = (script.wall if target == TARGET_SCRIPT else floor.wall) / tool.wall
        verdict = "met" if ratio >= target else f"MISSED by {target / ratio:.1f}x"
        print(f"target --jobs 1 >= {target}x {what}: {ratio:.2f}x by CPU ({wall:.2f}x by wall clock); {verdict}")
    print(f"\nrerun: .venv/bin/python benchmarks/bench_hotpath.py --cases {args.cases} --repeat {args.repeat}"
          + (f" --keep {args.keep}" if args.keep else ""))


if __name__ == "__main__":
    main()
