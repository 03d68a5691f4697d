"""`thematic sample`: read a force's case register (CSV), draw a stratified random sample, write it.

The register is one row per eligible case with a header row. This module reads and checks it
(every problem with its file, line and column), calls `thematic.stats.sampling` for the size, the
allocation and the draw, writes the sampled rows with a `stratum_weight` column atomically, and
prints each stratum's population, sample and weight.
"""
from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError, Problem
from thematic.core.formulas import csv_row
from thematic.core.options import decimal, whole_number
from thematic.load.yaml_source import encoding_problem, other_unicode_encoding
from thematic.stats.sampling import (
    MAX_MARGIN,
    MIN_MARGIN,
    MarginSize,
    Sample,
    SamplingError,
    margin_too_small,
    size_for_margin,
    stratified_sample,
)
from thematic.tabular.build import hidden_character

WEIGHT_COLUMN = "stratum_weight"
MAX_PROBLEMS = 50  # beyond this a list of errors stops helping; the count is still given


@dataclass(frozen=True)
class Register:
    """A checked register: its header, its rows (cells as read) and where each row starts."""

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on
    strata: list[str]  # each row's stratum (the cell, stripped)


def read_register(path: str | Path, *, strata_column: str, id_column: str = "case_id") -> Register:
    """Read a UTF-8 CSV register; raise InputError listing every problem found."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError.single(file, f"cannot read the register: {exc.strerror or exc}") from None
    text = _decode(file, data)

    records = _records(file, text)
    if not records:
        raise InputError.single(file, "the register is empty: expected a header row naming the columns, then one row per case", line=1)
    header_line, header = records[0]
    names = [cell.strip() for cell in header]
    column = _columns(file, header_line, names, strata_column, id_column)

    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    strata: list[str] = []
    first_line_of: dict[str, int] = {}
    for line, cells in records[1:]:
        if len(cells) != len(header):
            problems.append(Problem(file, f"has {len(cells)} field(s); the header on line {header_line} has {len(header)}", line=line))
            continue
        case_id, stratum = cells[column[id_column]].strip(), cells[column[strata_column]].strip()
        raw_id = cells[column[id_column]]
        hidden = hidden_character(raw_id.strip()) if raw_id.strip() else None
        if not case_id:
            problems.append(Problem(file, "is empty; every case needs an id", line=line, field=id_column))
        elif hidden is not None:
            problems.append(Problem(file, f"{case_id!r} holds {hidden}; an id must be visible characters only, "
                                          "or two ids that look the same would count as different cases",
                                    line=line, field=id_column))
        elif case_id in first_line_of:
            problems.append(Problem(file, f"{case_id!r} is also on line {first_line_of[case_id]}; ids must be unique", line=line, field=id_column))
        else:
            first_line_of[case_id] = line
        if not stratum:
            problems.append(Problem(file, "is empty; every case needs a stratum to be sampled from", line=line, field=strata_column))
        rows.append(cells)
        lines.append(line)
        strata.append(stratum)
    if problems:
        raise InputError(_capped(file, problems))
    if not rows:
        raise InputError.single(file, "the register has no cases: only a header row", line=header_line)
    return Register(file=file, header=header, rows=rows, lines=lines, strata=strata)


def _decode(file: str, data: bytes) -> str:
    if other_unicode_encoding(data[:64]) is not None:  # UTF-16/32: name it, rather than "NUL bytes"
        raise InputError.single(file, str(encoding_problem(data[:64], "a CSV register")), line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError.single(file, "is not a CSV text file (it holds NUL bytes; a spreadsheet? save it as 'CSV UTF-8')", line=line)
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as Excel writes, is allowed
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.single(
            file, f"is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded (save the register as 'CSV UTF-8')", line=line
        ) from None


def _records(file: str, text: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            raise InputError.single(file, f"is not valid CSV: {exc}", line=start) from None
        if any(cell.strip() for cell in cells):  # blank lines and all-empty rows hold no case
            records.append((start, cells))
        start = reader.line_num + 1


def _columns(file: str, line: int, names: list[str], strata_column: str, id_column: str) -> dict[str, int]:
    problems = [Problem(file, f"column {name!r} appears more than once in the header", line=line)
                for name in sorted({n for n in names if n and names.count(n) > 1})]
    if WEIGHT_COLUMN in names:
        problems.append(Problem(file, f"the register already has a {WEIGHT_COLUMN!r} column, which the sample adds; rename it", line=line))
    available = ", ".join(n for n in names if n) or "none"
    for option, wanted in (("--strata", strata_column), ("--id-column", id_column)):
        if wanted not in names:
            problems.append(Problem(file, f"no column {wanted!r} (given by {option}); the header has: {available}", line=line, field=wanted))
    if problems:
        raise InputError(problems)
    return {name: names.index(name) for name in (strata_column, id_column)}


def _capped(file: str, problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [Problem(file, f"... and {len(problems) - MAX_PROBLEMS} more problem(s) not listed")]


def sample_csv(register: Register, sample: Sample) -> str:
    """The sampled rows in register order, with the register's columns and `stratum_weight`."""
    weights = {s.name: s.weight for s in sample.strata}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Cells are the register's own text: none may run as a formula when the sample is opened.
    writer.writerow(csv_row([*register.header, WEIGHT_COLUMN]))
    for index in sample.selected:
        writer.writerow(csv_row([*register.rows[index], repr(weights[register.strata[index]])]))
    return out.getvalue()


def summary(register: Register, strata_column: str, sample: Sample, margin: MarginSize | None) -> str:
    """The table printed after a draw: population, sample and weight of each stratum."""
    lines = [f"{register.file}: {sample.population} cases in {len(sample.strata)} strata by {strata_column}; "
             f"{sample.size} drawn with seed {sample.seed}"]
    if margin is not None:
        lines.append(f"size for a 95% margin of {margin.margin:g} at an expected rate of {margin.expected_rate:g}: "
                     f"n0 = {margin.n0:.2f}, {margin.corrected:.2f} after the finite-population correction, "
                     f"rounded up to {margin.size}")
    width = max(len("stratum"), *(len(s.name) for s in sample.strata))
    lines += ["", f"{'stratum':<{width}}  {'population':>10}  {'sample':>6}  {'weight':>7}"]
    for s in sample.strata:
        mark = "*" if s.sample != s.proportional else " "
        weight = "-" if s.weight is None else f"{s.weight:.2f}"
        lines.append(f"{s.name:<{width}}  {s.population:>10}  {s.sample:>5}{mark}  {weight:>7}")
    lines.append(f"{'total':<{width}}  {sample.population:>10}  {sample.size:>5}")
    lines.append("")
    lines.append("allocation proportional to population, rounded by largest remainder; weight = population / sample")
    if any(s.sample != s.proportional for s in sample.strata):
        lines.append("* moved from the proportional allocation by --min-per-stratum")
    if any(s.sample == 0 for s in sample.strata):
        lines.append("a stratum with no cases sampled is not represented; consider --min-per-stratum")
    return "\n".join(lines)


def _check_options(args: argparse.Namespace) -> None:
    problems = []
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
            problems.append(Problem("--expected-rate", f"must lie strictly between 0 and 1, got {args.expected_rate:g}"))
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
    population = len(register.rows)
    margin = None
    if args.margin is not None:
        rate = 0.5 if args.expected_rate is None else args.expected_rate
        margin = size_for_margin(args.margin, population, expected_rate=rate)
        size, option = margin.size, "--margin"
    else:
        size, option = args.size, "--size"
        if size > population:
            raise InputError.single(register.file, f"{size} is larger than the register's {population} cases", field="--size")
    try:
        sample = stratified_sample(register.strata, size, seed=args.seed, min_per_stratum=args.min_per_stratum)
    except SamplingError as exc:
        field = "--min-per-stratum" if args.min_per_stratum else option
        raise InputError.single(register.file, str(exc), field=field) from None
    with outputs:
        outputs.add(args.output, sample_csv(register, sample))
        outputs.commit()
    print(summary(register, args.strata, sample, margin))
    print(f"\nsample of {sample.size} written to {args.output}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "sample",
        help="draw a reproducible stratified random sample of cases from a register (CSV)",
        description="From a force's register of eligible cases (CSV, UTF-8, one row per case, a header row), "
                    "draw a stratified random sample: allocation proportional to each stratum's size "
                    "(largest-remainder rounding), optionally a minimum per stratum, reproducible by seed. "
                    "Writes the sampled rows with a stratum_weight column (population / sample) and prints "
                    "each stratum's population, sample and weight.",
    )
    p.add_argument("register", metavar="REGISTER.csv", help="the register: a UTF-8 CSV file with a header row, one row per case")
    how_many = p.add_mutually_exclusive_group(required=True)
    how_many.add_argument("--size", type=whole_number, metavar="N", help="the number of cases to draw (1 to the register's size)")
    how_many.add_argument("--margin", type=decimal, metavar="M",
                          help="draw the size giving a 95%% interval of ±M on a rate (e.g. 0.1 for ±10 points), "
                               "with finite-population correction; 0 < M <= 0.5")
    p.add_argument("--expected-rate", type=decimal, metavar="P",
                   help="with --margin: the rate expected (0 < P < 1); default 0.5, the worst case")
    p.add_argument("--strata", required=True, metavar="COLUMN", help="the register column whose values are the strata")
    p.add_argument("--seed", required=True, type=whole_number, metavar="S",
                   help="a whole number 0 or more; the same seed and register always give the same sample")
    p.add_argument("-o", "--output", required=True, metavar="SAMPLE.csv", help="where to write the sample (CSV)")
    p.add_argument("--min-per-stratum", type=whole_number, default=0, metavar="K",
                   help="draw at least K cases from every stratum (all of a smaller one), taken from the largest; default 0")
    p.add_argument("--id-column", default="case_id", metavar="COLUMN", help="the column of unique case ids (default: case_id)")
    p.set_defaults(handler=cmd_sample)
