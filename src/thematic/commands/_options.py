"""The options several commands share, added and read the same way by each.

`add_*` functions add one option to a command's parser with the flags, metavar, type and default
every command uses for it; the help text is the command's own, since the same option says
something different about what a command writes. The value parsers behind them (`jobs_option`,
`whole_number`, ...) are in `thematic.core.options`. The readers below turn an option's value into
what the library takes, a bad value into an `InputError` naming the option.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from thematic.core.errors import InputError
from thematic.core.options import jobs_option, positive_whole_number, whole_number

# The library is imported where an option needs it, not here: every command imports this module to
# register its options, and a command should load only what it uses (the start-up of every run).
if TYPE_CHECKING:
    from datetime import date
    from typing import TypeAlias

    from thematic.scoring.criteria import CriteriaSet

    #: What `register(subparsers)` of each command module receives.
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

SET_HELP = "override a parameter; may be repeated"


# --- adding options --------------------------------------------------------------------------------

def add_output(parser: argparse.ArgumentParser, *, metavar: str, help: str, required: bool = False) -> None:
    """`-o/--output`: the file or folder a command writes."""
    parser.add_argument("-o", "--output", required=required, metavar=metavar, help=help)


def add_jobs(parser: argparse.ArgumentParser, *, help: str, default: int = 1, short: bool = False) -> None:
    """`--jobs N` (also `-j N` with `short`): processes to work in, 1 to `core.options.max_jobs()`."""
    flags = ("-j", "--jobs") if short else ("--jobs",)
    parser.add_argument(*flags, type=jobs_option, default=default, metavar="N", help=help)


def add_set(parser: argparse.ArgumentParser) -> None:
    """`--set NAME=VALUE`, repeatable: a criteria parameter's value for this run (read by `parameters`)."""
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help=SET_HELP)


def add_criteria(parser: argparse.ArgumentParser, *, help: str) -> None:
    """`--criteria FILE`: a criteria file instead of the shipped set."""
    parser.add_argument("--criteria", metavar="FILE", help=help)


def add_as_of(parser: argparse.ArgumentParser, *, help: str, required: bool = True) -> None:
    """`--as-of DATE`: the date a sample or caseload was taken (read by `as_of`)."""
    parser.add_argument("--as-of", required=required, metavar="DATE", help=help)


def add_formats(parser: argparse.ArgumentParser, *, help: str, default: str | None = None) -> None:
    """`--format FORMATS`: the report formats to write, comma-separated (html, pdf, json)."""
    parser.add_argument("--format", default=default, metavar="FORMATS", help=help)


def add_case_format(parser: argparse.ArgumentParser, *, choices: Sequence[str], help: str) -> None:
    """`--format {yaml,jsonl}`: the form of case files written (default from the output's name)."""
    parser.add_argument("--format", choices=choices, help=help)


def add_template_dir(parser: argparse.ArgumentParser, *, help: str) -> None:
    """`--template-dir DIR`: report templates searched before the defaults."""
    parser.add_argument("--template-dir", metavar="DIR", help=help)


def add_suppress_below(parser: argparse.ArgumentParser, *, help: str) -> None:
    """`--suppress-below N`: small counts withheld for publication."""
    parser.add_argument("--suppress-below", type=positive_whole_number, metavar="N", help=help)


def add_minimum(parser: argparse.ArgumentParser, flag: str, *, metavar: str, help: str, default: int = 0,
                positive: bool = False) -> None:
    """A `--min-...` option: a whole number, checked to be 0 or more by the command that reads it; with
    `positive`, 1 or more, checked here (0, a negative number or text is a usage error, exit 2)."""
    parser.add_argument(flag, type=positive_whole_number if positive else whole_number, default=default,
                        metavar=metavar, help=help)


def add_min_assessed(parser: argparse.ArgumentParser) -> None:
    """`--min-assessed N`: the fewest assessed cases a rate needs to be named lowest, a headline or a change."""
    from thematic.render.views import MIN_ASSESSED

    add_minimum(parser, "--min-assessed", metavar="N", default=MIN_ASSESSED, positive=True,
                help=f"the fewest assessed cases a rate needs to be named as a lowest rate, a headline or a change; "
                     f"rates from fewer are shown, marked 'few cases' (default: {MIN_ASSESSED}; 1 or more)")


def _marking(text: str) -> str:
    """argparse's type for `--marking`: the checked marking, or a usage error (exit 2) saying what is wrong."""
    from thematic.render.publication import check_marking

    try:
        return check_marking(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.problems[0].message) from None


def add_marking(parser: argparse.ArgumentParser, *, what: str = "every page of the reports") -> None:
    """`--marking TEXT`: the protective marking printed at the top and bottom of `what`."""
    from thematic.render.publication import DEFAULT_MARKING, MAX_MARKING

    parser.add_argument("--marking", type=_marking, default=DEFAULT_MARKING, metavar="TEXT",
                        help=f"the protective marking printed at the top and bottom of {what} "
                             f"(default: {DEFAULT_MARKING}; one line of at most {MAX_MARKING} characters)")


# --- reading options -------------------------------------------------------------------------------

def criteria_set(path: str | None) -> CriteriaSet:
    """The criteria set of `--criteria FILE`, or the shipped set when it is not given."""
    from thematic.load.criteria import shipped_criteria_path
    from thematic.scoring.criteria import load_criteria

    return load_criteria(path if path else shipped_criteria_path())


def as_of(text: str) -> date:
    """The value of `--as-of`; InputError naming the option if it is not a date."""
    from thematic.core.timeutil import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise InputError.single("--as-of", str(exc)) from None


def parameters(criteria: CriteriaSet, options: Sequence[str] | None) -> dict[str, float | int]:
    """The criteria's default parameters with each `--set NAME=VALUE` applied in turn."""
    from thematic.scoring.parameters import ParameterError, parse_set_option

    values = criteria.defaults()
    for option in options or []:
        try:
            name, value = parse_set_option(criteria, option)
        except ParameterError as exc:
            raise InputError.single("--set", str(exc)) from None
        values[name] = value
    return values
