"""`thematic report RESULTS.json`: the force report of a results file, as HTML and PDF.

Reads the arguments and calls the library: `thematic.render.force.write_force_report` checks the
results file against the criteria set it was scored with and writes DIR/report.html and
DIR/report.pdf; several results files make the programme report instead
(`thematic.render.programme.write_programme_report`): forces side by side against the pooled rate,
as DIR/programme.json, .html and .pdf.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.commands._options import (
    add_criteria,
    add_formats,
    add_marking,
    add_min_assessed,
    add_output,
    add_suppress_below,
    add_template_dir,
)
from thematic.core.errors import InputError
from thematic.render.views import parse_thresholds

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the force report (HTML and PDF) of a results file",
        description="Write the force report of one results file (thematic.results/1): key findings, grades, "
                    "criteria by theme with 95% intervals, the cases to look at, data quality and method, as "
                    "DIR/report.html and DIR/report.pdf (tagged PDF/UA-1). Given several results files of one "
                    "criteria set, write the programme report instead: each force against the pooled rate, a "
                    "funnel plot per criterion with 95% and 99.8% limits (no league table), the forces outside "
                    "the limits named, and how many comparisons were made, as DIR/programme.json, "
                    "DIR/programme.html and DIR/programme.pdf.",
    )
    p.add_argument("results", nargs="+", metavar="RESULTS.json",
                   help="a results file written by thematic run or thematic score; several for a programme report")
    add_output(p, metavar="DIR",
               help="output folder (default: the results file's folder; for several files out/programme-YEARS)")
    add_formats(p, help="comma-separated formats to write: html, pdf, and json for a programme report "
                        "(default: html,pdf; for several results files json,html,pdf)")
    add_template_dir(p, help="a folder of Jinja2 templates searched before the defaults (a file there replaces the "
                             "default of the same name; the defaults stay reachable as default/NAME)")
    add_suppress_below(p, help="for publication: show counts from 1 to N-1 as 'fewer than N', withhold rates that "
                               "would reveal them and leave out lists of cases")
    p.add_argument("--reference", metavar="PCT",
                   help="force report only: a rate every criterion and theme is compared with, in place of the "
                        "criteria file's references; a rate is flagged 'clearly above' or 'clearly below' it only "
                        "when its whole 95%% interval is, and the report says the reference was given on the command "
                        "line (default: the criteria file's reference, if it gives one; a programme report compares "
                        "each force with the pooled rate instead)")
    p.add_argument("--thresholds", metavar="PCT[,PCT]",
                   help="deprecated: use --reference. Each percentage is used as a reference given on the command "
                        "line (there is no 'borderline' flag any more)")
    add_criteria(p, help="the criteria file the results were scored with (default: the shipped set of the same "
                         "id); for a programme report it gives the questions and theme titles")
    add_min_assessed(p)
    add_marking(p)
    p.add_argument("--agreement", metavar="FILE.json",
                   help="force report only: the inspection's agreement between inspectors (written by thematic "
                        "agreement -o), shown as its own section when cases were double-scored")
    p.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the force report of one results file, or the programme report of several."""
    if len(args.results) > 1:
        if args.agreement:
            raise InputError.single("--agreement", "goes with one results file: the agreement of that inspection's "
                                                   "inspectors is a section of its force report")
        for option, value in (("--reference", args.reference), ("--thresholds", args.thresholds)):
            if value is not None:
                raise InputError.single(option, "goes with one results file: a programme report compares each "
                                                "force with the pooled rate of the round")
        return programme_report(args)
    thresholds = references(args)
    from thematic.render.force import write_force_report  # matplotlib and WeasyPrint load only when used
    from thematic.render.output import split_formats

    written = write_force_report(args.results[0], Path(args.output) if args.output else Path(args.results[0]).parent,
                                 formats=split_formats(args.format or "html,pdf"), criteria=args.criteria,
                                 agreement=args.agreement, template_dir=args.template_dir,
                                 suppress_below=args.suppress_below, thresholds=thresholds,
                                 min_assessed=args.min_assessed, marking=args.marking)
    for path in written:
        print(f"report written to {path}")
    return 0


def references(args: argparse.Namespace) -> tuple[float, ...]:
    """The references given on the command line (proportions): --reference, or the deprecated --thresholds."""
    if args.reference is not None and args.thresholds is not None:
        raise InputError.single("--thresholds", "give --reference only: --thresholds is deprecated and does the same")
    option, text = ("--reference", args.reference) if args.reference is not None else ("--thresholds", args.thresholds)
    if text is None:
        return ()
    try:
        values = parse_thresholds(text)
    except ValueError as exc:
        raise InputError.single(option, str(exc)) from None
    if option == "--reference" and len(values) > 1:
        raise InputError.single(option, f"give one percentage, such as 80, not {text}")
    if option == "--thresholds":
        # Said on standard error, so a script that still passes --thresholds keeps working and is told.
        print("thematic report: --thresholds is deprecated, use --reference PCT: each value is now a reference a "
              "rate is flagged clearly above or below (when its whole 95% interval is), not a borderline line",
              file=sys.stderr)
    return values


def programme_report(args: argparse.Namespace) -> int:
    """Write the programme report of several results files: JSON, HTML and PDF."""
    from thematic.render.output import split_formats
    from thematic.render.programme import summary_lines, write_programme_report

    programme, written = write_programme_report(
        args.results, args.output, formats=split_formats(args.format) if args.format else None,
        criteria=args.criteria, template_dir=args.template_dir, suppress_below=args.suppress_below,
        min_assessed=args.min_assessed, marking=args.marking)
    print("\n".join(summary_lines(programme)))
    for path in written:
        print(f"report written to {path}")
    return 0
