"""Whole-caseload scoring against its floor and the issue's targets, measured in one run.

Run from the repository root (about 15 minutes on a quiet 2-core machine):

    .venv/bin/python benchmarks/bench_caseload.py [--sizes 100000,1000000] [--keep DIR]

For each size it writes a fictional caseload as JSON Lines (benchmarks/caseload_sample.py: cases
from thematic.synth when it is installed, else variations of the example case, from a seed), then
measures, each in a fresh process and one after the other so that they share the machine's load:
(a) the floor, reading every line and `json.loads` of it, before and after the scoring runs;
(b) scoring every case against every criterion as `thematic score --summary-only` does, with
--jobs 1 and --jobs 2 (and, for the smallest size, writing every case's results with --cases-out);
(c) peak memory (resident set size) of the main process and of the pool's workers. It prints
cases per second, each run's ratio to the floor, and each target of the issue met or missed (and by
how much), then where the time goes: each stage timed alone on a slice of the caseload, and a
profile of the scoring. Other work on the machine slows every figure; ratios in one run hold better.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

AS_OF = date(2019, 11, 30)
TARGET_RATIO = 3.0          # --jobs 1 at least a third of the floor's throughput
TARGET_MB = 300.0           # peak memory
TARGET_GROWTH = 0.20        # peak memory within 20% between the sizes
TARGET_MILLION_S = 120.0    # 1,000,000 cases with --jobs 2


# --- child processes: each measurement starts fresh -----------------------------------------------

def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports kilobytes


def child_floor(path: Path) -> dict:
    start = time.perf_counter()
    count = 0
    with path.open("rb") as stream:
        for line in stream:
            if json.loads(line):
                count += 1
    return {"seconds": time.perf_counter() - start, "cases": count, "peak_mb": _peak_mb(resource.RUSAGE_SELF)}


def child_score(path: Path, jobs: int, mode: str, out: Path) -> dict:
    from thematic.load.criteria import shipped_criteria_path
    from thematic.scoring.caseload import score_caseload
    from thematic.scoring.criteria import load_criteria

    criteria = load_criteria(shipped_criteria_path())
    start = time.perf_counter()
    result = score_caseload([path], criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(),
                            output=out / "results.json", jobs=jobs, summary_only=mode == "summary",
                            cases_out=out / "cases.jsonl" if mode == "cases-out" else None)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cases": result.cases, "peak_mb": _peak_mb(resource.RUSAGE_SELF),
            "worker_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN) if jobs > 1 else 0.0}


def run_child(*argv: str) -> dict:
    command = [sys.executable, __file__, "--child", *argv]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- where the time goes ---------------------------------------------------------------------------

def stage_times(path: Path, count: int) -> list[tuple[str, float]]:
    """Seconds per case of each stage alone, on the first `count` cases, in this process."""
    from thematic.load.criteria import shipped_criteria_path
    from thematic.model.case import Case
    from thematic.scoring.criteria import load_criteria
    from thematic.scoring.evaluate import Scorer

    criteria = load_criteria(shipped_criteria_path())
    with path.open("rb") as stream:
        lines = [next(stream) for _ in range(count)]

    def timed(function) -> tuple[float, object]:
        start = time.process_time()
        value = function()
        return (time.process_time() - start) / count, value

    parse, data = timed(lambda: [json.loads(line) for line in lines])
    validate, cases = timed(lambda: [Case.model_validate(d) for d in data])
    bare, full = (Scorer(criteria, criteria.defaults(), AS_OF, evidence=e) for e in (False, True))
    bare.score(cases[0]), full.score(cases[0])  # first-use costs (bank holidays) out of the figures
    states, _ = timed(lambda: [bare.score(c) for c in cases])
    evidence, results = timed(lambda: [full.score(c) for c in cases])
    dump, _ = timed(lambda: [json.dumps(r.to_json(), ensure_ascii=False, separators=(",", ":")) for r in results])
    return [("json.loads", parse), ("validate the case (pydantic)", validate),
            ("score every criterion (states)", states), ("  + evidence texts", evidence - states),
            ("write the case's results as JSON", dump)]


def profile_summary(path: Path, count: int, top: int = 14) -> str:
    """cProfile of scoring `count` cases as --jobs 1 --summary-only does, by own time."""
    from thematic.load.criteria import shipped_criteria_path
    from thematic.scoring.caseload import score_caseload
    from thematic.scoring.criteria import load_criteria

    criteria = load_criteria(shipped_criteria_path())
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "slice.jsonl"
        with path.open("rb") as source, sample.open("wb") as target:
            for _ in range(count):
                target.write(next(source))
        profiler = cProfile.Profile()
        profiler.enable()
        score_caseload([sample], criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(),
                       output=Path(folder) / "r.json", summary_only=True)
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:]).replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")


# --- the benchmark ---------------------------------------------------------------------------------

def fmt_rate(cases: int, seconds: float) -> str:
    return f"{cases / seconds:>9,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="caseload sizes, comma-separated")
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the generated caseloads in DIR")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        report = child_floor(path) if kind == "floor" else child_score(path, int(args.child[2]), args.child[3],
                                                                       Path(args.child[4]))
        print(json.dumps(report))
        return

    from caseload_sample import write_caseload

    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-caseload-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}")
    rows, peaks, million_jobs2 = [], {}, None
    try:
        for size in sizes:
            path = folder / f"caseload-{size}-seed{args.seed}.jsonl"
            if not path.exists():
                start = time.perf_counter()
                source = write_caseload(path, size, seed=args.seed)
                print(f"wrote {size:,} cases ({path.stat().st_size / 1e9:.2f} GB, pool from {source}) "
                      f"in {time.perf_counter() - start:.0f} s")
            out = folder / f"out-{size}"
            out.mkdir(exist_ok=True)
            before = run_child("floor", str(path))
            runs = [("jobs 1, summary", run_child("score", str(path), "1", "summary", str(out))),
                    ("jobs 2, summary", run_child("score", str(path), "2", "summary", str(out)))]
            if size == min(sizes):
                runs += [("jobs 1, --cases-out", run_child("score", str(path), "1", "cases-out", str(out))),
                         ("jobs 2, --cases-out", run_child("score", str(path), "2", "cases-out", str(out)))]
            after = run_child("floor", str(path))
            floor_s = (before["seconds"] + after["seconds"]) / 2
            rows.append((size, "floor: read + json.loads", floor_s, size, before["peak_mb"], 0.0,
                         f"(before {before['seconds']:.1f} s, after {after['seconds']:.1f} s)"))
            for label, run in runs:
                assert run["cases"] == size, (label, run["cases"], size)
                rows.append((size, label, run["seconds"], size, run["peak_mb"], run["worker_peak_mb"], ""))
            peaks[size] = max(r["peak_mb"] + 2 * r["worker_peak_mb"] for _, r in runs[:2])
            peaks[(size, 1)] = runs[0][1]["peak_mb"]
            if size == 1_000_000:
                million_jobs2 = runs[1][1]["seconds"]
            (out / "cases.jsonl").unlink(missing_ok=True)
    finally:
        if not args.keep:
            for item in sorted(folder.rglob("*"), reverse=True):
                item.unlink() if item.is_file() else item.rmdir()
            folder.rmdir()

    print(f"load average at end {os.getloadavg()[0]:.2f}\n")
    print(f"{'cases':>9}  {'run':<26}{'seconds':>9}{'cases/s':>10}{'x floor':>9}{'peak MB':>9}{'worker MB':>10}")
    floors = {}
    for size, label, seconds, cases, peak, worker, note in rows:
        if label.startswith("floor"):
            floors[size] = seconds
        ratio = seconds / floors[size]
        print(f"{size:>9,}  {label:<26}{seconds:>9.1f}{fmt_rate(cases, seconds):>10}{ratio:>9.1f}{peak:>9.0f}"
              f"{(f'{worker:.0f}' if worker else '-'):>10} {note}")

    print("\ntargets (issue 7):")
    for size in sizes:
        jobs1 = next(r for r in rows if r[0] == size and r[1] == "jobs 1, summary")
        ratio = jobs1[2] / floors[size]
        verdict = "met" if ratio <= TARGET_RATIO else f"MISSED: {ratio / TARGET_RATIO:.1f}x too slow"
        print(f"  --jobs 1 >= 1/3 of the floor's throughput, {size:,} cases: {ratio:.1f}x the floor's time; {verdict}")
    worst = max(peaks[s] for s in sizes)
    verdict = "met" if worst < TARGET_MB else f"MISSED by {worst - TARGET_MB:.0f} MB"
    print(f"  peak memory < {TARGET_MB:.0f} MB (main + 2 workers, --jobs 2): {worst:.0f} MB; {verdict}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for key, what in (((small, 1), (large, 1)), "--jobs 1"), ((small, large), "--jobs 2, all processes"):
            growth = peaks[key[1]] / peaks[key[0]] - 1
            verdict = "met" if growth <= TARGET_GROWTH else f"MISSED by {100 * (growth - TARGET_GROWTH):.0f} points"
            print(f"  peak memory within 20% from {small:,} to {large:,} cases ({what}): "
                  f"{100 * growth:+.0f}%; {verdict}")
    if million_jobs2 is not None:
        verdict = "met" if million_jobs2 < TARGET_MILLION_S else f"MISSED by {million_jobs2 - TARGET_MILLION_S:.0f} s"
        print(f"  1,000,000 cases with --jobs 2 in < {TARGET_MILLION_S:.0f} s: {million_jobs2:.0f} s; {verdict}")

    slice_path = folder / "slice.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    write_caseload(slice_path, 20_000, seed=args.seed)
    print("\nwhere the time goes: each stage alone, 20,000 cases, CPU microseconds per case")
    stages = stage_times(slice_path, 20_000)
    total = sum(seconds for _, seconds in stages[:4])
    for label, seconds in stages:
        print(f"  {label:<36}{seconds * 1e6:>8.0f}" + (f"  ({100 * seconds / total:.0f}% of a --cases-out-free run)"
                                                    if label != stages[-1][0] else ""))
    print("\nprofile of --jobs 1 --summary-only on 5,000 cases (own time; the profiler inflates small calls):")
    print(profile_summary(slice_path, 5_000))
    slice_path.unlink()
    if not args.keep:
        folder.rmdir()
    print(f"\nrerun: .venv/bin/python benchmarks/bench_caseload.py --sizes {args.sizes}"
          + (f" --keep {args.keep}" if args.keep else ""))


if __name__ == "__main__":
    main()
