"""`thematic report RESULTS.json`: the force report of a results file, as HTML and PDF.

Reads the arguments and calls the library: the report's files are declared, each input is loaded
once through `thematic.load` (the results file with its cases, the agreement file if given) and
`thematic.scoring.results_criteria` (the criteria set it was scored with), and
`thematic.render.force.write_force_report` writes DIR/report.html and DIR/report.pdf from those
models; several results files make the programme report instead
(`thematic.render.programme.write_programme_report`, from the loaded files and the set whose
questions it shows): forces side by side against the pooled rate, as DIR/programme.json, .html and .pdf.
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
    from thematic.core.atomic import output_set
    from thematic.load.agreement import load_agreement
    from thematic.load.results import load_results
    from thematic.render.force import declare_force_report, write_force_report  # matplotlib, WeasyPrint: when used
    from thematic.render.output import split_formats
    from thematic.scoring.results_criteria import criteria_for

    results_file = args.results[0]
    out = Path(args.output) if args.output else Path(results_file).parent
    formats = split_formats(args.format or "html,pdf")
    with output_set(None) as run:
        declare_force_report(run, results_file, out, formats=formats, criteria=args.criteria, agreement=args.agreement,
                             suppress_below=args.suppress_below)
        results = load_results(results_file, cases=True)
        criteria = criteria_for(results, args.criteria)
        agreement = None
        if args.agreement:
            agreement = load_agreement(args.agreement, inspection_id=results.inspection.id, case_ids=results.case_ids)
        written = write_force_report(results, criteria, out, formats=formats, agreement=agreement,
                                     template_dir=args.template_dir, suppress_below=args.suppress_below,
                                     thresholds=thresholds, outputs=run, min_assessed=args.min_assessed,
                                     marking=args.marking)
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
    from thematic.core.atomic import output_set
    from thematic.load.results import load_results_files
    from thematic.render.inputs import declare_inputs
    from thematic.render.output import DOCUMENTS, check_template_dir, split_formats
    from thematic.render.programme import programme_formats, summary_lines, write_programme_report
    from thematic.scoring.results_criteria import criteria_texts

    formats = programme_formats(split_formats(args.format) if args.format else None, args.suppress_below)
    check_template_dir(args.template_dir)  # a wrong folder is an error even when only JSON is asked for
    with output_set(None) as run:
        declare_inputs(run, args.results, args.criteria)
        results = load_results_files(args.results)
        # The questions and theme titles are read only for a document that shows them (not for JSON alone).
        criteria = criteria_texts(results[0], args.criteria) if any(f in DOCUMENTS for f in formats) else None
        programme, written = write_programme_report(
            results, args.output, formats=formats, criteria=criteria,
            template_dir=args.template_dir, suppress_below=args.suppress_below, outputs=run,
            min_assessed=args.min_assessed, marking=args.marking)
    print("\n".join(summary_lines(programme)))
    for path in written:
        print(f"report written to {path}")
    return 0
