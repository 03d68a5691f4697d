"""`thematic compare BEFORE.json AFTER.json`: the year-on-year comparison of two results files.

Reads the arguments, loads and checks both files once (`thematic.load.results`), finds the criteria
set whose questions the report shows (`thematic.scoring.results_criteria.criteria_texts`) and calls
`thematic.render.comparison.write_comparison_report` with them, which calls `thematic.stats.compare`
for the statistics, renders the report and only then writes `DIR/comparison.json`
(`thematic.comparison/1`), `DIR/comparison.html` and `DIR/comparison.pdf` together; then prints one
line per compared criterion with the change, its interval and the word the report uses.
"""
from __future__ import annotations

import argparse
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

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers

#: Formats this command writes (thematic.render.comparison.COMPARISON_FORMATS).
WRITERS = ("json", "html", "pdf")
DEFAULT_FORMATS = "json,html,pdf"


def cmd_compare(args: argparse.Namespace) -> int:
    # Imported here: scipy and statsmodels take a second to load, which every other command would pay.
    from thematic.core.atomic import output_set
    from thematic.load.results import load_results_files
    from thematic.render.comparison import comparison_formats, summary_lines, write_comparison_report
    from thematic.render.inputs import declare_inputs
    from thematic.render.output import check_template_dir, split_formats
    from thematic.scoring.results_criteria import criteria_texts

    # "" is an error, not the default
    formats = comparison_formats(split_formats(args.format) if args.format is not None else None, args.suppress_below)
    check_template_dir(args.template_dir)  # a wrong folder is an error even when only JSON is asked for
    with output_set(None) as run:
        declare_inputs(run, [args.before, args.after], args.criteria)
        before, after = load_results_files([args.before, args.after])
        # Read for every format: the printed table words a dated criterion by its set (`summary_lines`),
        # so that its words do not depend on which documents are written.
        criteria = criteria_texts(after, args.criteria)
        comparison, written = write_comparison_report(before, after, args.output, formats=formats,
                                                      criteria=criteria, template_dir=args.template_dir,
                                                      suppress_below=args.suppress_below, outputs=run,
                                                      min_assessed=args.min_assessed, marking=args.marking)
    print("\n".join(summary_lines(comparison, criteria)))
    print()
    for target in written:
        print(f"comparison written to {target}")
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "compare",
        help="year-on-year comparison of two results files",
        description="Compare two results files (thematic.results/1) of the same criteria set, BEFORE and AFTER: "
                    "per criterion whose fingerprint is the same in both, the change in rate with a 95% Newcombe "
                    "interval and Fisher's exact test, Holm-adjusted across criteria, worded improved, declined or "
                    "no change the sample can detect; changed, added and removed criteria listed apart. Writes "
                    "DIR/comparison.json (thematic.comparison/1), the report DIR/comparison.html and "
                    "DIR/comparison.pdf (tagged PDF/UA-1), and prints a summary.",
    )
    p.add_argument("before", metavar="BEFORE.json", help="results of the earlier inspection")
    p.add_argument("after", metavar="AFTER.json", help="results of the later inspection")
    add_output(p, metavar="DIR", help="output folder (default: out/BEFORE-ID-to-AFTER-ID, from the inspection ids)")
    add_formats(p, help=f"comma-separated output formats (default: {DEFAULT_FORMATS}, or html,pdf with "
                        f"--suppress-below; available: {', '.join(WRITERS)})")
    add_template_dir(p, help="a folder of Jinja2 templates searched before the defaults (comparison.html.j2 and the "
                             "files it uses; the defaults stay reachable as default/NAME)")
    add_criteria(p, help="the criteria file, for the questions and theme titles in the report (default: the shipped "
                         "set of the same id and version, if there is one; otherwise criteria are shown by id)")
    add_suppress_below(p, help="for publication: show counts from 1 to N-1 as 'fewer than N' and withhold the rates, "
                               "changes and p-values that would reveal them (json, which holds every count, is "
                               "then not written)")
    add_min_assessed(p)
    add_marking(p)
    p.set_defaults(handler=cmd_compare)
