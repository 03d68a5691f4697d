"""A stratified sample of a case register: its size, the draw, the sampled rows as CSV and a summary.

`draw_register_sample` takes a register read by `thematic.load.register` and a size (or a margin
to find one with `size_for_margin`), draws with `stratified_sample`, and reports a size or
minimum the register cannot satisfy as an InputError at the register, naming the option. The
sampled rows keep the register's columns and gain `stratum_weight`; `summary` is the table
`thematic sample` prints.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from thematic.core.errors import InputError
from thematic.core.formulas import csv_row
from thematic.load.register import WEIGHT_COLUMN, Register
from thematic.stats.sampling import MarginSize, SamplingError, StratifiedDraw, size_for_margin, stratified_sample


@dataclass(frozen=True)
class RegisterSample:
    """The sample drawn, and the size for a margin when the size came from one."""

    sample: StratifiedDraw
    margin: MarginSize | None


def draw_register_sample(register: Register, *, size: int | None, margin: float | None, expected_rate: float | None,
                         seed: int, min_per_stratum: int) -> RegisterSample:
    """Draw `size` cases, or as many as a 95% interval of ±`margin` needs (at `expected_rate`, default
    0.5); InputError at the register, naming --size, --margin or --min-per-stratum, if it cannot be."""
    population = len(register.rows)
    found = None
    if margin is not None:
        rate = 0.5 if expected_rate is None else expected_rate
        found = size_for_margin(margin, population, expected_rate=rate)
        size, option = found.size, "--margin"
    else:
        assert size is not None, "a size or a margin"
        option = "--size"
        if size > population:
            raise InputError.single(register.file, f"{size} is larger than the register's {population} cases",
                                    field="--size")
    try:
        sample = stratified_sample(register.strata, size, seed=seed, min_per_stratum=min_per_stratum)
    except SamplingError as exc:
        field = "--min-per-stratum" if min_per_stratum else option
        raise InputError.single(register.file, str(exc), field=field) from None
    return RegisterSample(sample, found)


def sample_csv(register: Register, sample: StratifiedDraw) -> str:
    """The sampled rows in register order, with the register's columns and `stratum_weight`."""
    weights = {s.name: s.weight for s in sample.strata}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Cells are the register's own text: none may run as a formula when the sample is opened.
    writer.writerow(csv_row([*register.header, WEIGHT_COLUMN]))
    for index in sample.selected:
        writer.writerow(csv_row([*register.rows[index], repr(weights[register.strata[index]])]))
    return out.getvalue()


def summary(register: Register, strata_column: str, sample: StratifiedDraw, margin: MarginSize | None) -> str:
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

