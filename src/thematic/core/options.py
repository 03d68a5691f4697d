"""Values of command-line options: numbers in ASCII digits only, and the bound on `--jobs`.

Python's int() and float() accept digits of every script (`int("٢٠")` is 20) and underscores
(`int("1_0")` is 10); an option a person typed is read only as it looks.
"""
from __future__ import annotations

import argparse
import os
import re

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")

#: `--jobs` at most this many times the CPUs this process may use: more processes than that only
#: add memory and switching (each worker loads the criteria and, in the demo, renders PDFs).
JOBS_PER_CPU = 4


def parse_whole_number(text: str) -> int:
    """A whole number of at most 18 ASCII digits, optionally signed; ValueError saying what is expected."""
    if not _WHOLE.fullmatch(text.strip()):
        raise ValueError(f"expected a whole number, got {text!r} (digits 0-9 only)")
    return int(text)


def parse_decimal(text: str) -> float:
    """A decimal number in ASCII digits (1.5, 0.1, 1e-3), never nan or inf; ValueError otherwise."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise ValueError(f"expected a number such as 0.1, got {text!r} (digits 0-9 only)")
    return float(text)


def whole_number(text: str) -> int:
    """argparse type: see parse_whole_number."""
    try:
        return parse_whole_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def decimal(text: str) -> float:
    """argparse type: see parse_decimal."""
    try:
        return parse_decimal(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_whole_number(text: str) -> int:
    """argparse type: a whole number, 1 or more."""
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def max_jobs() -> int:
    """The largest `--jobs`: JOBS_PER_CPU times the CPUs available to this process."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return JOBS_PER_CPU * max(1, cpus)


def jobs_option(text: str) -> int:
    """`--jobs N`: a whole number from 1 to `max_jobs()` (argparse turns the error into a usage message)."""
    value = positive_whole_number(text)
    if value > max_jobs():
        raise argparse.ArgumentTypeError(f"must be at most {max_jobs()} ({JOBS_PER_CPU} per CPU available here), "
                                         f"got {value}")
    return value
