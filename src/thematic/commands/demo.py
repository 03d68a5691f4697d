"""`thematic demo`: run the fictional example programme end to end (`thematic.demo.run_demo`)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.commands._options import add_formats, add_jobs, add_marking, add_output

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("demo", help="run the whole pipeline on the fictional example programme",
                              description="Generate the fictional example programme (three forces, 2015 and 2019 "
                                          "rounds; the profiles, seeds and counts of inspections/README.md) into "
                                          "DIR/inspections, score every inspection and write its force report "
                                          "(results.json, report.html, report.pdf), the programme report of each "
                                          "round, the year-on-year comparison of each force, and DIR/index.html "
                                          "linking them all.")
    add_output(p, metavar="DIR", help="output folder (default: out/demo)")
    add_jobs(p, short=True, default=min(2, os.cpu_count() or 1),
             help="inspections to run at once, each in its own process (default: 2, or 1 on one core)")
    add_formats(p, default="html,pdf",
                help="comma-separated report formats: html, pdf (default: html,pdf; html alone is faster)")
    add_marking(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate the fictional example programme, run every inspection and report, and index them."""
    # Imported here, not at the top: every command's start-up would pay for them (docs/architecture.md).
    from thematic.demo import run_demo
    from thematic.render.force import FORCE_FORMATS  # loads matplotlib: only here

    formats = FORCE_FORMATS.check(args.format.split(","))
    out = Path(args.output) if args.output else Path("out") / "demo"
    index = run_demo(out, jobs=args.jobs, formats=formats, progress=lambda line: print(line, flush=True),
                     marking=args.marking)
    print(f"\nopen {index}")
    return 0
