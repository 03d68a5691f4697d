"""Force report rendering time, step by step, against a floor measured in the same run.

Run from the repository root:

    .venv/bin/python benchmarks/bench_report.py [--cases 120] [--repeat 3]

It scores N cases made from the fictional example sample (inspections/exampleshire-2019.yaml,
each copy with its own case id), writes the results document as JSON, then times in the same run:
(a) the floor, `json.loads` of that results file; (b) reading that data into the results model and
building the report's view data from it (what `thematic report` does after the file's text); (c) the
charts (matplotlib to inline SVG); (d) the HTML (Jinja2); (e) the PDF (WeasyPrint, PDF/UA-1). Each
step runs --repeat times and the fastest is kept; wall-clock and CPU seconds are both printed,
since a busy machine stretches the first but not the second.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from thematic.load.cases import load_cases  # noqa: E402
from thematic.model.results import ResultsDocument  # noqa: E402
from thematic.render.case_lists import case_lists  # noqa: E402
from thematic.render.context import force_report_context  # noqa: E402
from thematic.render.draft_findings import draft_findings  # noqa: E402
from thematic.render.force import FORCE, force_charts  # noqa: E402
from thematic.render.html import Templates  # noqa: E402
from thematic.render.views import MIN_ASSESSED  # noqa: E402
from thematic.scoring.evaluate import Scorer  # noqa: E402
from thematic.scoring.inspection import build_results  # noqa: E402
from thematic.scoring.prepare import load_inspection  # noqa: E402

EXAMPLE = ROOT / "inspections" / "exampleshire-2019.yaml"


def sample_document(count: int) -> tuple[ResultsDocument, Any]:
    """A results document of `count` cases copied from the example sample, and its criteria."""
    inspection = load_inspection(EXAMPLE)
    loaded = load_cases([inspection.cases])
    scorer = Scorer(inspection.criteria, dict(inspection.parameters), inspection.file.as_of)
    results = []
    for index in range(count):
        case = loaded[index % len(loaded)].case
        copy = case.model_copy(update={"case_id": f"{case.case_id}-{index // len(loaded) + 1:02d}"})
        results.append(scorer.score(copy))
    file = inspection.file
    meta = {"id": file.inspection, "force": file.force, "year": file.year, "title": file.title,
            "as_of": file.as_of.isoformat()}
    document = build_results(inspection=meta, criteria=inspection.criteria, parameters=inspection.parameters,
                             case_results=results)
    return document, inspection.criteria


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best wall seconds, best CPU seconds, the value of the last run)."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=120, help="cases in the sample (default 120)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step; the fastest is kept (default 3)")
    args = parser.parse_args()

    document, criteria = sample_document(args.cases)
    text = json.dumps(document.to_json())
    import weasyprint  # noqa: F401  imported once, outside the timings, as a long-running program would

    rows: list[tuple[str, float, float]] = []
    wall, cpu, loaded = timed(lambda: json.loads(text), args.repeat)
    rows.append(("floor: json.loads of the results file", wall, cpu))
    wall, cpu, report = timed(lambda: force_report_context(ResultsDocument.from_json(loaded), criteria), args.repeat)
    rows.append(("model and view data (context.py)", wall, cpu))
    wall, cpu, charts = timed(lambda: force_charts(report), args.repeat)
    rows.append((f"charts: {1 + len(charts.themes)} SVGs (charts.py)", wall, cpu))
    # The draft of the findings and the case lists, as render_force_report gives the template (untimed).
    model = ResultsDocument.from_json(loaded)
    questions = {row.id: row.question for theme in report.themes for row in theme.criteria}
    templates, variables = Templates(), {"report": report, "charts": charts,
                                         "draft": draft_findings(model, report, min_assessed=MIN_ASSESSED),
                                         "case_lists": case_lists(model.cases or (), questions, withheld=False)}
    wall, cpu, html = timed(lambda: FORCE.html(templates, variables), args.repeat)
    rows.append(("HTML (html.py, Jinja2)", wall, cpu))
    wall, cpu, pdf = timed(lambda: FORCE.pdf(templates, variables, None), args.repeat)
    rows.append(("PDF (pdf.py, WeasyPrint PDF/UA-1)", wall, cpu))

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    floor = rows[0][1]
    print(f"force report of {args.cases} cases ({len(text) / 1e6:.2f} MB of results JSON); "
          f"HTML {len(html) / 1e3:.0f} kB, PDF {len(pdf) / 1e3:.0f} kB in {pages} pages; best of {args.repeat}")
    print(f"{'step':<42} {'wall s':>8} {'CPU s':>8} {'x floor':>9}")
    for label, wall, cpu in rows:
        print(f"{label:<42} {wall:8.3f} {cpu:8.3f} {wall / floor:9.0f}")
    total = sum(wall for _, wall, _ in rows[1:])
    print(f"{'total, results to HTML and PDF':<42} {total:8.3f} {sum(c for _, _, c in rows[1:]):8.3f}")
    print(f"\nrerun: .venv/bin/python benchmarks/bench_report.py --cases {args.cases} --repeat {args.repeat}")


if __name__ == "__main__":
    main()
