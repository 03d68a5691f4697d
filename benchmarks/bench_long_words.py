"""PDF layout time of a force report holding one long unbroken word, with and without the break
opportunities `thematic.render.pdf.breakable` adds, in the same run.

Run from the repository root:

    .venv/bin/python benchmarks/bench_long_words.py [--lengths 0,5000,10000,20000] [--repeat 1]

The word stands in one case's data-quality note and two evidence fields (the test sample of
tests/test_render_pdf.py). Without breaks WeasyPrint's time grows with the square of the word's
length; with them it should grow about linearly. Wall-clock and CPU seconds are both printed,
since a busy machine stretches the first but not the second.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from test_render_pdf import long_word_report  # noqa: E402

import thematic.render.pdf as pdf  # noqa: E402
from thematic.render.force import render_force_report  # noqa: E402


def timed(length: int, repeat: int) -> tuple[float, float]:
    document, criteria = long_word_report(length)
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        render_force_report(document, criteria, formats=["pdf"])
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="0,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    with_breaks = pdf.breakable
    print(f"{'word length':>12}  {'with breaks (wall / cpu s)':>28}  {'without (baseline)':>22}")
    for length in lengths:
        pdf.breakable = with_breaks
        wall, cpu = timed(length, args.repeat)
        pdf.breakable = lambda html: html  # the baseline: the text as it was before this fix
        base_wall, base_cpu = timed(length, args.repeat)
        print(f"{length:>12}  {wall:>13.1f} / {cpu:>6.1f}       {base_wall:>9.1f} / {base_cpu:>6.1f}", flush=True)
    pdf.breakable = with_breaks
    print(f"\nrerun: .venv/bin/python benchmarks/bench_long_words.py --lengths {args.lengths} --repeat {args.repeat}")


if __name__ == "__main__":
    main()
