"""`thematic report RESULTS.json`: the force report of a results file, as HTML and PDF.

Reads and checks the results file (`thematic.load.results`), finds the criteria set it was scored
with (the shipped one of the same id, or `--criteria FILE`) and checks that every criterion's
fingerprint still matches, so that a report never pairs counts with a changed definition; then
writes DIR/report.html and DIR/report.pdf through `thematic.render.write_force_report`. Several
results files make the programme report instead: forces side by side against the pooled rate
(`thematic.stats.programme`, `thematic.render.programme`), as DIR/programme.json, .html and .pdf.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError, Problem
from thematic.core.options import positive_whole_number
from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import Results, load_results, load_results_files
from thematic.model.case import GRADES
from thematic.model.results import STATES
from thematic.render.views import DEFAULT_THRESHOLDS, parse_thresholds
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.fingerprint import fingerprints


def register(subparsers: Any) -> None:
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
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output folder (default: the results file's folder; for several files out/programme-YEARS)")
    p.add_argument("--format", default=None, metavar="FORMATS",
                   help="comma-separated formats to write: html, pdf, and json for a programme report "
                        "(default: html,pdf; for several results files json,html,pdf)")
    p.add_argument("--template-dir", metavar="DIR",
                   help="a folder of Jinja2 templates searched before the defaults (a file there replaces the "
                        "default of the same name; the defaults stay reachable as default/NAME)")
    p.add_argument("--suppress-below", type=positive_whole_number, metavar="N",
                   help="for publication: show counts from 1 to N-1 as 'fewer than N', withhold rates that would "
                        "reveal them and leave out lists of cases")
    p.add_argument("--thresholds", default=",".join(f"{t * 100:g}" for t in DEFAULT_THRESHOLDS), metavar="PCT[,PCT]",
                   help="percentages a rate's 95%% interval is tested against; a rate whose interval crosses one "
                        "is flagged borderline (default: 50,80; force report only: a programme report compares "
                        "each force with the pooled rate instead)")
    p.add_argument("--criteria", metavar="FILE",
                   help="the criteria file the results were scored with (default: the shipped set of the same id); "
                        "for a programme report it gives the questions and theme titles")
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
        return programme_report(args)
    formats = [part for part in (args.format or "html,pdf").split(",") if part.strip()]
    try:
        thresholds = parse_thresholds(args.thresholds)
    except ValueError as exc:
        raise InputError.single("--thresholds", str(exc)) from None
    from thematic.render.force import (  # matplotlib and WeasyPrint load only when used
        FILE_NAMES,
        check_formats,
        write_force_report,
    )
    from thematic.render.pdf import PdfError

    out = Path(args.output) if args.output else Path(args.results[0]).parent
    with OutputSet() as outputs:  # checked before any work; the files appear together, or none
        declare_inputs(outputs, args)
        for fmt in check_formats(formats):
            outputs.in_folder(out, FILE_NAMES[fmt], option="-o")
        results = load_results(args.results[0])
        check_cases(results)
        criteria = criteria_for(results, args.criteria)
        agreement = None
        if args.agreement:
            from thematic.load.agreement import load_agreement

            agreement = load_agreement(args.agreement, inspection_id=results.inspection.id, case_ids=results.case_ids)
        try:
            written = write_force_report(results.document, criteria, out, formats=formats,
                                         template_dir=args.template_dir, suppress_below=args.suppress_below,
                                         thresholds=thresholds, agreement=agreement, outputs=outputs)
        except PdfError as exc:
            if args.template_dir is None:
                raise  # the default templates must make an accessible PDF: an internal failure
            raise InputError.single(args.template_dir, f"the PDF from these templates is not accessible: {exc}") from None
        outputs.commit()
    for path in written:
        print(f"report written to {path}")
    return 0


def declare_inputs(outputs: OutputSet, args: argparse.Namespace) -> None:
    """The files a report reads: its results, and the criteria and agreement files if given."""
    for path in args.results:
        outputs.read(path, what="a results file")
    for path, what in ((args.criteria, "the criteria file (--criteria)"), (args.agreement, "the agreement file")):
        if path:
            outputs.read(path, what=what)


def programme_report(args: argparse.Namespace) -> int:
    """Write the programme report of several results files: JSON, HTML and PDF."""
    # programme.json holds every count, so a report prepared for publication leaves it out.
    default = "html,pdf" if args.suppress_below else "json,html,pdf"
    formats = [part.strip().lower() for part in (args.format or default).split(",") if part.strip()]
    unknown = [f for f in formats if f not in ("json", "html", "pdf")]
    if unknown or not formats:
        what = f"unknown format '{unknown[0]}'" if unknown else "no format given"
        raise InputError.single("--format", f"{what}; expected json, html, pdf or a comma-separated list of them")
    if "json" in formats and args.suppress_below:
        raise InputError.single("--format", "json holds every count unsuppressed, so it cannot be prepared for "
                                            "publication with --suppress-below; ask for html,pdf")
    documents = [f for f in dict.fromkeys(formats) if f != "json"]
    if args.template_dir is not None:  # a wrong folder is an error even when only JSON is asked for
        from thematic.render.html import environment

        environment(args.template_dir)
    from thematic.render.programme import FILE_NAMES, key_facts, render_programme_report, write_programme_report
    from thematic.stats.programme import build_programme

    with OutputSet() as outputs:  # the outputs are checked once the folder is known, before rendering
        declare_inputs(outputs, args)
        loaded = load_results_files(args.results)
        programme = build_programme(loaded)  # InputError for different criteria sets or an inspection given twice
        years = sorted({str(r.inspection.year) for r in loaded if r.inspection.year is not None})
        out = Path(args.output) if args.output else Path("out") / "-".join(["programme", *years])
        for fmt in dict.fromkeys(formats):
            outputs.in_folder(out, FILE_NAMES[fmt], option="-o")
        rendered: dict[str, bytes] = {}
        if documents:  # rendered before anything is written, so a failure leaves no half-made report
            rendered = render_programme_report(programme, loaded, criteria_texts(loaded[0], args.criteria),
                                               formats=documents, template_dir=args.template_dir,
                                               suppress_below=args.suppress_below)
        written = write_programme_report(programme, rendered, out, json_too="json" in formats, outputs=outputs)
        outputs.commit()
    print(f"programme of {key_facts(programme)}")
    for funnel in (*programme.criteria, *programme.themes, *programme.grades):
        for force in funnel.outside_998:
            print(f"  outside the 99.8% limits: {force.inspection} on {funnel.key}: {force.rate.successes} of "
                  f"{force.rate.total}, {force.position.split('_')[0]} the pooled rate")
    for path in written:
        print(f"report written to {path}")
    return 0


def criteria_texts(results: Results, path: str | None) -> CriteriaSet | None:
    """The criteria set whose questions and theme titles a programme or comparison report shows.

    `--criteria FILE` if given (InputError if it is another set); otherwise the shipped set of the
    results' id and version, if there is one; otherwise None, and criteria are shown by id.
    """
    if path is None:
        try:
            path = str(shipped_criteria_path(results.criteria_id))
        except InputError:
            return None
        criteria = load_criteria(path)
        return criteria if criteria.file.version == results.criteria_version else None
    criteria = load_criteria(path)
    if criteria.id != results.criteria_id or criteria.file.version != results.criteria_version:
        raise InputError([results.problem(
            ("criteria", "id"), f"scored with {results.criteria_id} version {results.criteria_version}, but {path} "
                                f"is {criteria.id} version {criteria.file.version}; give the criteria file the results "
                                "were scored with (--criteria FILE)")])
    return criteria


def criteria_for(results: Results, path: str | None) -> CriteriaSet:
    """The criteria set the results were scored with; InputError if it is not the same definition."""
    if path is None:
        try:
            path = str(shipped_criteria_path(results.criteria_id))
        except InputError:
            raise InputError([results.problem(("criteria", "id"),
                                              f"no shipped criteria set \"{results.criteria_id}\"; give the criteria "
                                              "file the results were scored with (--criteria FILE)")]) from None
    criteria = load_criteria(path)
    problems: list[Problem] = []
    if criteria.id != results.criteria_id or criteria.file.version != results.criteria_version:
        problems.append(results.problem(
            ("criteria", "id"),
            f"scored with {results.criteria_id} version {results.criteria_version}, but {path} is {criteria.id} "
            f"version {criteria.file.version}; give the criteria file the results were scored with (--criteria FILE)"))
        raise InputError(problems)
    missing = [p for c in criteria.criteria for p in sorted(c.parameters) if p not in results.parameters]
    if missing:
        raise InputError([results.problem(("parameters",), f"no value for {', '.join(sorted(set(missing)))}, "
                                                           f"which the criteria in {path} read")])
    expected = fingerprints(criteria, results.parameters)
    if list(expected) != list(results.fingerprints):
        problems.append(results.problem(
            ("criteria", "fingerprints"),
            f"the results hold criteria {', '.join(results.fingerprints)}, but {path} defines "
            f"{', '.join(expected)}; give the criteria file the results were scored with (--criteria FILE)"))
    else:
        changed = [cid for cid in expected if expected[cid] != results.fingerprints[cid]]
        if changed:
            problems.append(results.problem(
                ("criteria", "fingerprints"),
                f"{', '.join(changed)}: the definition in {path} differs from the one the results were scored with "
                "(fingerprints differ); give the criteria file they were scored with (--criteria FILE), or score again"))
    if problems:
        raise InputError(problems)
    return criteria


def check_cases(results: Results) -> None:
    """Check the case entries the force report reads, which the results loader leaves to reports."""
    problems: list[Problem] = []
    known = set(results.fingerprints)
    for index, case in enumerate(results.document["cases"]):
        loc = ("cases", index)
        entries = case.get("results")
        if not isinstance(entries, dict):
            problems.append(results.problem((*loc, "results"), "expected a mapping of criterion ids to results"))
            continue
        for cid in known - set(entries):
            problems.append(results.problem((*loc, "results"), f"no result for criterion {cid}"))
        for cid, entry in entries.items():
            if cid not in known:
                problems.append(results.problem((*loc, "results", cid), f"criterion {cid} has no fingerprint"))
            elif not isinstance(entry, dict) or entry.get("state") not in STATES or not isinstance(entry.get("evidence"), str):
                problems.append(results.problem((*loc, "results", cid),
                                                f"expected a state ({', '.join(STATES)}) and its evidence (text)"))
        if case.get("suggested_grade") not in GRADES:
            problems.append(results.problem((*loc, "suggested_grade"), f"expected one of {', '.join(GRADES)}"))
        if case.get("grade") is not None and case.get("grade") not in GRADES:
            problems.append(results.problem((*loc, "grade"), f"expected one of {', '.join(GRADES)} or null"))
        notes = case.get("data_quality", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            problems.append(results.problem((*loc, "data_quality"), "expected a list of notes (text)"))
        if problems and len(problems) >= 50:
            break  # enough to act on; every problem of a broken file would drown the first
    if problems:
        raise InputError(problems)
