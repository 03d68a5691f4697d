"""`thematic validate`: check criteria, inspection and case files (`thematic.scoring.validation`)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_criteria

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("validate", help="check criteria, inspection and case files; every problem listed",
                              description="Check criteria, inspection and case files. Every problem is listed as "
                                          "file:line: field: reason; the exit code is 2 if there is any.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="criteria, inspection or case files, folders or globs")
    add_criteria(p, help="criteria to check judgement answers against (default: the shipped 2019 set)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check criteria, inspection and case files; list every problem."""
    # Imported here, not at the top: every command's start-up would pay for them (docs/architecture.md).
    from thematic.scoring.validation import validate_paths

    validated = validate_paths(args.paths, args.criteria)
    cases = f", {validated.cases} case(s)" if validated.cases else ""
    print(f"ok: {len(validated.checked)} path(s) valid{cases}")
    for path, kind in validated.checked:
        print(f"  {path} ({kind})")
    return 0
