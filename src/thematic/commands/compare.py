"""`thematic compare BEFORE.json AFTER.json`: the year-on-year comparison of two results files.

Loads and checks both files, calls `thematic.stats.compare` for the statistics, renders the report
(`thematic.render.comparison`) and only then writes `DIR/comparison.json`
(`thematic.comparison/1`), `DIR/comparison.html` and `DIR/comparison.pdf` together, and prints
one line per compared criterion with the change, its interval and the word the report uses.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # scipy and statsmodels load in a second: only when the command runs
    from thematic.load.results import Results
    from thematic.stats.compare import Change, Comparison

from thematic.core.atomic import SAFE_NAME, SAFE_NAME_TEXT, OutputSet, check_safe_name
from thematic.core.errors import InputError

#: Formats this command writes.
WRITERS = ("json", "html", "pdf")
PLANNED: tuple[str, ...] = ()
DEFAULT_FORMATS = "json,html,pdf"


def parse_formats(text: str) -> list[str]:
    """`json,html` → ["json", "html"]; InputError for an unknown or not yet available format."""
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not formats:
        raise InputError.single("--format", f"is empty; expected one or more of {', '.join(WRITERS)}, comma-separated")
    for name in formats:
        if name in PLANNED:
            raise InputError.single("--format", f"{name} output of comparisons is not available in this version yet; "
                                                f"use {', '.join(WRITERS)}")
        if name not in WRITERS:
            raise InputError.single("--format", f"unknown format \"{name}\"; expected {', '.join(WRITERS)}")
    return list(dict.fromkeys(formats))


def default_output(comparison: Comparison) -> Path:
    """out/BEFORE-to-AFTER from the inspection ids (or the files' names without their suffix), each
    checked against SAFE_NAME so that an id such as `../../x` never writes outside out/."""
    def name(side) -> str:
        if side.inspection:
            return check_safe_name(side.inspection, file=side.file, field="inspection.id",
                                   use="the default output folder (give -o DIR to choose one)")
        return check_safe_name(Path(side.file).stem, file=side.file, field=None,
                               use="the default output folder as a file name (give -o DIR to choose one)")
    return Path("out") / f"{name(comparison.before)}-to-{name(comparison.after)}"


def check_default_names(loaded: list[Results]) -> None:
    """The inspection ids that name the default folder, each a SAFE_NAME; else InputError at their line."""
    problems = []
    for results in loaded:
        ident = results.inspection.id
        if ident is not None and not SAFE_NAME.fullmatch(ident):
            problems.append(results.problem(("inspection", "id"), f"{ident!r} cannot name the default output folder: "
                                                                  f"expected {SAFE_NAME_TEXT}; or give -o DIR"))
    if problems:
        raise InputError(problems)


def _percent(value: float | None) -> str:
    # The reports' rounding (halves up, k of k reads 100%), short enough for the column.
    from thematic.render.views import percent

    return "–" if value is None else percent(value, short=True)


def _points(value: float) -> str:
    # Whole points rounded as the report rounds them (halves away from zero), with an ASCII sign.
    from thematic.render.views import snapped, whole_percent

    return ("-" if snapped(value) < 0 else "+") + str(abs(whole_percent(value)))


def _row(name: str, c: Change, width: int) -> str:
    before = f"{c.before.successes}/{c.before.total} {_percent(c.before.rate)}"
    after = f"{c.after.successes}/{c.after.total} {_percent(c.after.rate)}"
    if c.difference is None or c.ci_low is None or c.ci_high is None or c.p_adjusted is None:
        change, p = "", ""
    else:
        change = f"{_points(c.difference)} pts ({_points(c.ci_low)} to {_points(c.ci_high)})"
        p = "<0.001" if c.p_adjusted < 0.001 else f"{c.p_adjusted:.3f}"
    return f"{name:<{width}} {before:>12} {after:>12} {change:>26} {p:>7}  {c.verdict}"


def summary_lines(comparison: Comparison) -> list[str]:
    """The printed summary: one line per compared criterion, then what was left out."""
    b, a = comparison.before, comparison.after
    lines = [f"{b.inspection or b.file} ({b.cases} cases) → {a.inspection or a.file} ({a.cases} cases), "
             f"criteria {a.criteria_id}", "",
             f"{'criterion':<9} {'before':>12} {'after':>12} {'change, 95% interval':>26} {'adj. p':>7}  verdict"]
    lines.extend(_row(row.criterion, row.change, 9) for row in comparison.criteria)
    if comparison.themes:
        lines.append("")
        lines.append(f"{'theme':<22} {'before':>12} {'after':>12} {'change, 95% interval':>26} {'adj. p':>7}  verdict")
        lines.extend(_row(row.theme, row.change, 22) for row in comparison.themes)
    tail = [f"{label}: {', '.join(ids)}" for label, ids in (
        ("changed (not compared)", comparison.changed), ("added", comparison.added), ("removed", comparison.removed))
        if ids]
    tail.extend(f"note: {note}" for note in comparison.notes)
    return lines + [""] + tail if tail else lines


def cmd_compare(args: argparse.Namespace) -> int:
    formats = parse_formats(args.format)
    if args.template_dir is not None:  # a wrong folder is an error even when only JSON is asked for
        from thematic.render.html import environment

        environment(args.template_dir)
    from thematic.commands.report import criteria_texts
    from thematic.load.results import load_results_files
    from thematic.render.comparison import FILE_NAMES
    from thematic.stats.compare import compare

    with OutputSet() as outputs:  # checked before rendering; the files appear together, or none
        for path in (args.before, args.after):
            outputs.read(path, what="a results file")
        if args.criteria:
            outputs.read(args.criteria, what="the criteria file (--criteria)")
        loaded = load_results_files([args.before, args.after])
        before, after = loaded
        if not args.output:
            check_default_names(loaded)
        comparison = compare(before, after)
        out = Path(args.output) if args.output else default_output(comparison)
        for fmt in formats:
            outputs.in_folder(out, "comparison.json" if fmt == "json" else FILE_NAMES[fmt], option="-o")
        documents = [f for f in formats if f != "json"]
        rendered: dict[str, bytes] = {}
        if documents:  # rendered before anything is written, so a failure leaves no half-made report
            from thematic.render.comparison import render_comparison_report

            criteria = criteria_texts(after, args.criteria)
            rendered = render_comparison_report(comparison, criteria, after.parameters, formats=documents,
                                                template_dir=args.template_dir)
        written = []
        if "json" in formats:
            text = json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n"
            written.append(outputs.add(out / "comparison.json", text))
        if rendered:
            from thematic.render.output import write_files

            written.extend(write_files(rendered, out, FILE_NAMES, outputs))
        outputs.commit()
    print("\n".join(summary_lines(comparison)))
    print()
    for target in written:
        print(f"comparison written to {target}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output folder (default: out/BEFORE-ID-to-AFTER-ID, from the inspection ids)")
    p.add_argument("--format", default=DEFAULT_FORMATS, metavar="FORMATS",
                   help=f"comma-separated output formats (default: {DEFAULT_FORMATS}; available: {', '.join(WRITERS)})")
    p.add_argument("--template-dir", metavar="DIR",
                   help="a folder of Jinja2 templates searched before the defaults (comparison.html.j2 and the "
                        "files it uses; the defaults stay reachable as default/NAME)")
    p.add_argument("--criteria", metavar="FILE",
                   help="the criteria file, for the questions and theme titles in the report (default: the shipped "
                        "set of the same id and version, if there is one; otherwise criteria are shown by id)")
    p.set_defaults(handler=cmd_compare)
