"""`thematic sample`: draw a reproducible stratified random sample from a force's case register (CSV).

Reads the options and calls the library: `thematic.load.register` reads and checks the register,
`thematic.stats.register_sample` draws the sample (`thematic.stats.sampling` for the size, the
allocation and the draw) and makes its CSV with a `stratum_weight` column, written atomically;
prints each stratum's population, sample and weight.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_minimum, add_output
from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError, Problem
from thematic.core.options import decimal, whole_number
from thematic.load.register import read_register
from thematic.stats.register_sample import draw_register_sample, sample_csv, summary
from thematic.stats.sampling import MAX_MARGIN, MIN_MARGIN, margin_too_small

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def _check_options(args: argparse.Namespace) -> None:
    problems: list[Problem] = []
    if args.size is not None and args.size < 1:
        problems.append(Problem("--size", f"must be at least 1, got {args.size}"))
    if args.margin is not None and not 0 < args.margin <= MAX_MARGIN:  # also NaN
        problems.append(Problem("--margin", f"must be more than 0 and at most {MAX_MARGIN}, got {args.margin:g}"))
    elif args.margin is not None and args.margin < MIN_MARGIN:
        problems.append(Problem("--margin", margin_too_small(args.margin)))
    if args.expected_rate is not None:
        if args.margin is None:
            problems.append(Problem("--expected-rate", "only applies with --margin"))
        elif not 0 < args.expected_rate < 1:
            problems.append(Problem("--expected-rate",
                                    f"must lie strictly between 0 and 1, got {args.expected_rate:g}"))
    if args.min_per_stratum < 0:
        problems.append(Problem("--min-per-stratum", f"must be 0 or more, got {args.min_per_stratum}"))
    if args.seed < 0:
        problems.append(Problem("--seed", f"must be 0 or more, got {args.seed}"))
    if problems:
        raise InputError(problems)


def cmd_sample(args: argparse.Namespace) -> int:
    """Draw a stratified random sample from a register and write it as CSV."""
    _check_options(args)
    outputs = OutputSet()
    outputs.read(args.register, what="the register")
    outputs.file(args.output, option="-o")  # never the register, a FIFO or a device
    register = read_register(args.register, strata_column=args.strata, id_column=args.id_column)
    drawn = draw_register_sample(register, size=args.size, margin=args.margin, expected_rate=args.expected_rate,
                                 seed=args.seed, min_per_stratum=args.min_per_stratum)
    with outputs:
        outputs.add(args.output, sample_csv(register, drawn.sample))
        outputs.commit()
    print(summary(register, args.strata, drawn.sample, drawn.margin))
    print(f"\nsample of {drawn.sample.size} written to {args.output}")
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "sample",
        help="draw a reproducible stratified random sample of cases from a register (CSV)",
        description="From a force's register of eligible cases (CSV, UTF-8, one row per case, a header row), "
                    "draw a stratified random sample: allocation proportional to each stratum's size "
                    "(largest-remainder rounding), optionally a minimum per stratum, reproducible by seed. "
                    "Writes the sampled rows with a stratum_weight column (population / sample) and prints "
                    "each stratum's population, sample and weight.",
    )
    p.add_argument("register", metavar="REGISTER.csv",
                   help="the register: a UTF-8 CSV file with a header row, one row per case")
    how_many = p.add_mutually_exclusive_group(required=True)
    how_many.add_argument("--size", type=whole_number, metavar="N",
                          help="the number of cases to draw (1 to the register's size)")
    how_many.add_argument("--margin", type=decimal, metavar="M",
                          help="draw the size giving a 95%% interval of ±M on a rate (e.g. 0.1 for ±10 points), "
                               "with finite-population correction; 0 < M <= 0.5")
    p.add_argument("--expected-rate", type=decimal, metavar="P",
                   help="with --margin: the rate expected (0 < P < 1); default 0.5, the worst case")
    p.add_argument("--strata", required=True, metavar="COLUMN", help="the register column whose values are the strata")
    p.add_argument("--seed", required=True, type=whole_number, metavar="S",
                   help="a whole number 0 or more; the same seed and register always give the same sample")
    add_output(p, required=True, metavar="SAMPLE.csv", help="where to write the sample (CSV)")
    add_minimum(p, "--min-per-stratum", metavar="K",
                help="draw at least K cases from every stratum (all of a smaller one), taken from the largest; "
                     "default 0")
    p.add_argument("--id-column", default="case_id", metavar="COLUMN",
                   help="the column of unique case ids (default: case_id)")
    p.set_defaults(handler=cmd_sample)
