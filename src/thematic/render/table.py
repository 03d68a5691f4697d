"""The compact plain-text summary `thematic run` prints on the terminal, from the results document's summary."""
from __future__ import annotations

from thematic.model.results import NO_GRADE, ResultsDocument
from thematic.render.views import grade_label, interval_text, percent, round_of


def _percent(value: float | None) -> str:
    # The reports' rounding (halves up, k of k reads 100%), short enough for the column.
    return "-" if value is None else percent(value, short=True)


def summary_table(document: ResultsDocument, severities: dict[str, str]) -> str:
    """Per criterion: met of assessed, rate and 95% interval, and the excluded counts; then grades."""
    summary = document.summary
    inspection = document.inspection
    criteria = document.criteria
    title = inspection.id or "sample"
    lines = [
        f"{title}: {summary.cases} cases scored against {criteria.id} v{criteria.version} "
        f"(as of {inspection.as_of})" + (f", {r.name}" if (r := round_of(inspection.year)) is not None else ""),
        "",
        f"{'criterion':<9} {'severity':<8} {'met/N':>7} {'rate':>5} {'95% interval':>13}  "
        f"{'not ev.':>7} {'n/a':>4} {'unable':>6} {'pending':>7} {'error':>5}",
    ]
    for cid, row in summary.criteria.items():
        interval = "-" if row.ci_low is None or row.ci_high is None else interval_text(row.ci_low, row.ci_high)
        lines.append(
            f"{cid:<9} {severities.get(cid, ''):<8} {row.met:>3}/{row.assessed:<3} {_percent(row.rate):>5} "
            f"{interval:>13}  {row.not_evidenced:>7} {row.not_applicable:>4} {row.unable_to_assess:>6} "
            f"{row.pending:>7} {row.error:>5}"
        )
    grades = summary.grades
    suggested, inspector = grades.suggested, grades.inspector
    lines += [
        "",
        f"grades        good  {grade_label('requires_improvement', r):>20}  inadequate",  # 2015: "adequate"
        f"suggested  {suggested['good']:>7}  {suggested['requires_improvement']:>20}  {suggested['inadequate']:>10}"
        f"   ({grades.provisional} provisional)",
        f"inspector  {inspector['good']:>7}  {inspector['requires_improvement']:>20}  {inspector['inadequate']:>10}"
        f"   ({inspector[NO_GRADE]} not graded)",
        f"suggested and inspector grades differ in {grades.disagreements} of {grades.compared} cases; "
        f"{grades.referred_back} referred back to the force",
    ]
    return "\n".join(lines)
