"""Scoring throughput against its floor, measured in one run.

Run from the repository root:

    .venv/bin/python benchmarks/bench_scoring.py [--cases N]

It writes N copies of the example case (each with its own case id) as JSON Lines to a temporary
file, then times in the same run: (a) the floor, reading the file and `json.loads` of each line;
(b) loading, the floor plus case-file validation; (c) scoring every case against every criterion
of the shipped set. It prints cases per second and each step's ratio to the floor.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from thematic.load.cases import iter_cases  # noqa: E402
from thematic.load.criteria import shipped_criteria_path  # noqa: E402
from thematic.scoring.criteria import load_criteria  # noqa: E402
from thematic.scoring.evaluate import Scorer  # noqa: E402

EXAMPLE = ROOT / "tests" / "data" / "load" / "example.yaml"


def write_sample(path: Path, count: int) -> None:
    case = yaml.safe_load(EXAMPLE.read_text())
    # safe_load turns unquoted datetimes with seconds into objects; the example has none, but be sure.
    text = json.dumps(case, default=str)
    with path.open("w") as stream:
        for index in range(count):
            stream.write(text.replace('"NOR-2019-014"', f'"BEN-{index:07d}"', 1) + "\n")


def timed(label: str, function) -> tuple[str, float, object]:
    start = time.perf_counter()
    value = function()
    return label, time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    criteria = load_criteria(shipped_criteria_path())
    scorer = Scorer(criteria, criteria.defaults(), date(2019, 11, 30))
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "cases.jsonl"
        write_sample(sample, args.cases)

        def floor() -> int:
            with sample.open() as stream:
                return sum(1 for line in stream if json.loads(line))

        def load() -> int:
            problems: list = []
            count = sum(1 for _ in iter_cases([sample], problems))
            assert not problems, problems[:3]
            return count

        def score() -> int:
            problems: list = []
            count = 0
            for loaded in iter_cases([sample], problems):
                scorer.score(loaded.case)
                count += 1
            return count

        rows = [timed("floor: read + json.loads", floor), timed("load: + validate case files", load),
                timed("score: + every criterion", score)]
        tracemalloc.start()
        score()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    base = rows[0][1]
    print(f"{args.cases} cases, {len(criteria.criteria)} criteria, Python {sys.version.split()[0]}")
    print(f"{'step':<32} {'seconds':>8} {'cases/s':>10} {'x floor':>8}")
    for label, seconds, count in rows:
        assert count == args.cases
        print(f"{label:<32} {seconds:>8.2f} {args.cases / seconds:>10.0f} {seconds / base:>8.1f}")
    print(f"peak traced memory while scoring: {peak / 1e6:.1f} MB")
    print(f"rerun: .venv/bin/python benchmarks/bench_scoring.py --cases {args.cases}")


if __name__ == "__main__":
    main()
