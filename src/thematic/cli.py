"""The command line: parse arguments, call the library, print.

The one place that prints and that turns the project's errors into messages and exit codes:
0 success, 2 bad input or usage (file, location and reason; never a traceback), 1 an internal
failure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from thematic import __version__
from thematic.core.atomic import OutputSet, check_safe_name
from thematic.core.errors import InputError, Problem
from thematic.core.timeutil import parse_date
from thematic.load.case_check import case_check
from thematic.load.cases import load_cases
from thematic.load.criteria import shipped_criteria_path
from thematic.load.sample import load_judged_sample, load_sample
from thematic.load.yaml_source import read_yaml_documents
from thematic.render.table import summary_table
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.inspection import score_inspection
from thematic.scoring.parameters import ParameterError, parse_set_option
from thematic.scoring.prepare import load_inspection

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
EXIT_CLOSED_PIPE = 128 + 13  # 128 + SIGPIPE, as the shell reports a process ended by a closed pipe


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is an InputError (exit 2 through the one error path)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError([Problem(file=self.prog, message=f"{message} (see {self.prog} --help)")])


def _as_of(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise InputError.single("--as-of", str(exc)) from None


def _criteria(path: str | None) -> CriteriaSet:
    return load_criteria(path if path else shipped_criteria_path())


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- commands ------------------------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    """Check criteria, inspection and case files; list every problem."""
    problems: list[Problem] = []
    checked: list[str] = []
    cases_total = 0
    default_criteria: CriteriaSet | None = None
    for path in args.paths:
        kind = _kind_of(path)
        try:
            if kind == "criteria":
                load_criteria(path)
            elif kind == "inspection":
                # The sample with every judgements file merged: their answers are checked too.
                cases_total += len(load_sample(load_inspection(path)).cases)
            else:
                if default_criteria is None:
                    default_criteria = _criteria(args.criteria)
                cases_total += len(load_cases([path], check=case_check(default_criteria.file)))
            checked.append(f"{path} ({kind})")
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    print(f"ok: {len(checked)} path(s) valid" + (f", {cases_total} case(s)" if cases_total else ""))
    for line in checked:
        print(f"  {line}")
    return EXIT_OK


def _kind_of(path: str) -> str:
    """criteria, inspection or cases, from the file's first document."""
    candidate = Path(path)
    if candidate.is_file() and candidate.suffix in (".yaml", ".yml"):
        try:
            documents = read_yaml_documents(candidate)
        except InputError:
            return "cases"  # let the case loader report the problem with its context
        data = documents[0].data if len(documents) == 1 else None
        if isinstance(data, dict):
            if "inspection" in data:
                return "inspection"
            if "criteria" in data and "themes" in data:
                return "criteria"
    return "cases"


def cmd_score(args: argparse.Namespace) -> int:
    """Score case files, streamed case by case; results JSON to a file or standard output."""
    criteria = _criteria(args.criteria)
    as_of = _as_of(args.as_of)
    parameters = criteria.defaults()
    for option in args.set or []:
        try:
            name, value = parse_set_option(criteria, option)
        except ParameterError as exc:
            raise InputError.single("--set", str(exc)) from None
        parameters[name] = value
    if args.cases_out and args.summary_only:
        raise InputError.single("--cases-out", "--cases-out and --summary-only exclude each other: choose one")
    from thematic.core.progress import Progress
    from thematic.scoring.caseload import score_caseload

    with Progress(sys.stderr, "scoring") as progress:  # drawn only when standard error is a terminal
        result = score_caseload(args.cases, criteria=criteria, as_of=as_of, parameters=parameters,
                                output=args.output, stream=None if args.output else sys.stdout,
                                cases_out=args.cases_out, summary_only=args.summary_only, jobs=args.jobs,
                                progress=progress)
    if args.output:
        where = f"; case results in {args.cases_out}" if args.cases_out else ""
        print(f"scored {result.cases} case(s); results written to {args.output}{where}", file=sys.stderr)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Validate, score and report one inspection: DIR/results.json, report.html and report.pdf."""
    from thematic.render.force import FILE_NAMES, render_force_report, write_rendered  # loads matplotlib: only here

    inspection = load_inspection(args.inspection)
    out = Path(args.output) if args.output else Path("out") / check_safe_name(
        inspection.id, file=args.inspection, field="inspection", use="the default output folder out/ID")
    with OutputSet() as outputs:  # checked before any work; all three files appear together, or none
        for path, what in inspection.input_files():
            outputs.read(path, what=what)
        for name in ("results.json", *FILE_NAMES.values()):
            outputs.in_folder(out, name, option="-o")
        sample = load_judged_sample(inspection)  # loaded once: scored, and measured for agreement
        document = score_inspection(inspection, sample)
        agreement = None
        if sample is not None:  # only judgements files can hold a second inspector's answers to a case
            from thematic.stats.agreement import agreement_from_sample

            agreement = agreement_from_sample(sample).to_json()  # the report shows it if any case is double-scored
        rendered = render_force_report(document, inspection.criteria, agreement=agreement)
        outputs.add(out / "results.json", _dump(document))
        written = write_rendered(rendered, out, outputs)
        outputs.commit()
    severities = {c.id: c.definition.severity for c in inspection.criteria.criteria}
    print(summary_table(document, severities))
    print(f"\nresults written to {out / 'results.json'}")
    for path in written:
        print(f"report written to {path}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate the fictional example programme, run every inspection and report, and index them."""
    from thematic.commands.demo import run_demo
    from thematic.render.force import check_formats

    formats = check_formats(args.format.split(","))
    out = Path(args.output) if args.output else Path("out") / "demo"
    index = run_demo(out, jobs=args.jobs, formats=formats, progress=lambda line: print(line, flush=True))
    print(f"\nopen {index}")
    return EXIT_OK


def _closed_pipe() -> int:
    """The reader of standard output went away (`thematic score ... | head -1`): end quietly, as a
    process that SIGPIPE ended does (exit 141), with nothing written to files (outputs are staged)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit raises nothing ("Exception ignored")
    except (OSError, ValueError):  # standard output replaced by an object with no file descriptor
        pass
    return EXIT_CLOSED_PIPE


# --- parser --------------------------------------------------------------------------------------

COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {}


def build_parser() -> argparse.ArgumentParser:
    from thematic.core.options import jobs_option  # `--jobs` of score and demo

    parser = _Parser(prog="thematic", description="Score police child-protection case files against inspection criteria.")
    parser.add_argument("--version", action="version", version=f"thematic {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("validate", help="check criteria, inspection and case files; every problem listed",
                       description="Check criteria, inspection and case files. Every problem is listed as "
                                   "file:line: field: reason; the exit code is 2 if there is any.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="criteria, inspection or case files, folders or globs")
    p.add_argument("--criteria", metavar="FILE", help="criteria to check judgement answers against (default: the shipped 2019 set)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("score", help="score case files; results JSON to a file or standard output",
                       description="Score case files against a criteria set and print the results JSON "
                                   "(thematic.results/1), or write it to FILE.")
    p.add_argument("cases", nargs="+", metavar="CASES", help="case files, folders or globs (.yaml, .yml, .json, .jsonl)")
    p.add_argument("--criteria", metavar="FILE", help="criteria file (default: the shipped ncpi-thematic-2019)")
    p.add_argument("--as-of", required=True, metavar="DATE", help="the date the sample was taken (YYYY-MM-DD)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter; may be repeated")
    p.add_argument("-o", "--output", metavar="FILE", help="write the results JSON here instead of standard output")
    p.add_argument("--cases-out", metavar="FILE.jsonl",
                   help="write each case's results to FILE as JSON Lines; the results JSON then holds the summary")
    p.add_argument("--summary-only", action="store_true",
                   help="leave out per-case results (and their evidence): the results JSON holds the summary")
    p.add_argument("--jobs", type=jobs_option, default=1, metavar="N",
                   help="score JSON Lines in N processes; the results are the same as with one, in the same order")
    p.set_defaults(handler=cmd_score)

    p = sub.add_parser("run", help="validate, score and report one inspection",
                       description="Validate and score one inspection: writes DIR/results.json, the force report "
                                   "DIR/report.html and DIR/report.pdf, and prints a summary.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: out/INSPECTION-ID)")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("demo", help="run the whole pipeline on the fictional example programme",
                       description="Generate the fictional example programme (three forces, 2015 and 2019 rounds; "
                                   "the profiles, seeds and counts of inspections/README.md) into DIR/inspections, "
                                   "score every inspection and write its force report (results.json, report.html, "
                                   "report.pdf), the programme report of each round, the year-on-year comparison "
                                   "of each force, and DIR/index.html linking them all.")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: out/demo)")
    p.add_argument("-j", "--jobs", type=jobs_option, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="inspections to run at once, each in its own process (default: 2, or 1 on one core)")
    p.add_argument("--format", default="html,pdf", metavar="FORMATS",
                   help="comma-separated report formats: html, pdf (default: html,pdf; html alone is faster)")
    p.set_defaults(handler=cmd_demo)

    for module in _command_modules():
        if hasattr(module, "register"):  # the demo pipeline is registered above, in its place in the help
            module.register(sub)
    return parser


def _command_modules() -> list[Any]:
    """Every module of `thematic.commands`, in name order."""
    import importlib
    import pkgutil

    import thematic.commands

    names = sorted(m.name for m in pkgutil.iter_modules(thematic.commands.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"thematic.commands.{name}") for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            parser.print_help()
            return EXIT_INPUT
        return args.handler(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        if count > 1:
            print(f"{count} problems found; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # the last line of defence: a short message, the traceback only on request
        if os.environ.get("THEMATIC_DEBUG"):
            traceback.print_exc()
        print(f"thematic: internal error: {type(exc).__name__}: {exc} (set THEMATIC_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
