"""The plain-text tables the terminal prints of agreement: `thematic agreement` (inspectors with one
another) and `thematic compare-assessors` (a force's own audit against the inspectors').

Percentages round as the reports do (`thematic.render.views.percent`); the statistics themselves are
`thematic.stats.agreement` and `thematic.stats.assessors`.
"""
from __future__ import annotations

import math
from pathlib import Path

from thematic.render.views import interval_text, percent, round_of
from thematic.stats.agreement import Agreement, Coefficient
from thematic.stats.assessors import NO_BIAS, NO_DIRECTION, AssessorComparison

# --- thematic agreement --------------------------------------------------------------------------

def _number(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _with_interval(c: Coefficient) -> str:
    if c.value is None:
        return "-"
    if c.ci_low is None or c.ci_high is None:
        return _number(c.value)
    return f"{_number(c.value)} ({_number(c.ci_low)} to {_number(c.ci_high)})"


def agreement_text(agreement: Agreement) -> str:
    """The plain-text table `thematic agreement` prints, then the moderation list."""
    inspection = agreement.inspection
    lines = [
        f"{inspection['id']}: agreement between inspectors ({', '.join(agreement.inspectors) or 'none'})",
        *([f"inspection round: {r.name}"] if (r := round_of(inspection.get("year"))) is not None else []),
        "",
        f"{'item':<9} {'double':>6} {'agreed':>6} {'raw':>5} {'95% interval':>13}  {'Cohen kappa (95% CI)':<24}"
        f" {'alpha':>6}  {'Gwet AC1 (95% CI)':<24}",
    ]
    for item in agreement.items:
        raw = "-" if item.raw_agreement is None else percent(item.raw_agreement, short=True)
        interval = ("-" if item.raw_ci_low is None
                    else interval_text(item.raw_ci_low, item.raw_ci_high))  # type: ignore[arg-type]
        lines.append(
            f"{item.item:<9} {item.cases_double_scored:>6} {item.agreed:>6} {raw:>5} {interval:>13}  "
            f"{_with_interval(item.cohens_kappa):<24} {_number(item.krippendorff_alpha.value):>6}  "
            f"{_with_interval(item.gwet_ac1):<24}")
    lines += ["", "Kappa is linearly weighted and alpha ordinal for the grade; raw agreement stands beside every "
                  "coefficient, as kappa and alpha fall when nearly every case gets the same answer."]
    if not agreement.moderation:
        lines += ["", "No disagreements to moderate."]
        return "\n".join(lines)
    lines += ["", f"Moderation list: {len(agreement.moderation)} disagreement(s), {agreement.open_disagreements} open"]
    for d in agreement.moderation:
        answers = ", ".join(f'{who} "{answer}"' for who, answer in d.answers.items())
        status = ("open" if d.moderated is None
                  else f'moderated: "{d.moderated["answer"]}" by {d.moderated["by"]} ({d.moderated["reason"]})')
        lines.append(f"  {d.case_id} {d.item}: {answers}; {status}")
    return "\n".join(lines)


# --- thematic compare-assessors ------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "-" if value is None else percent(value, short=True)


def _num(value: float | None, places: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{places}f}"


def _p(value: float | None) -> str:
    return "-" if value is None else ("<0.001" if value < 0.001 else f"{value:.3f}")


def _words(direction: str, verdict: str, paired: int) -> str:
    if paired == 0:
        return "no case assessed by both"
    if verdict != NO_BIAS:
        return f"{direction} (significant)"
    return direction if direction == NO_DIRECTION else f"{direction}, not significant"


def comparison_text(c: AssessorComparison) -> str:
    """The table `thematic compare-assessors` prints."""
    force = c.force.inspection or Path(c.force.file).name
    inspectors = c.inspectors.inspection or Path(c.inspectors.file).name
    lines = [
        f"Self-assessment ({force}) against inspection ({inspectors}): {c.cases_in_both} case(s) in both",
    ]
    if c.only_force:
        lines.append(f"  only in the force's results: {len(c.only_force)} ({', '.join(c.only_force)})")
    if c.only_inspectors:
        lines.append(f"  only in the inspectors' results: {len(c.only_inspectors)} ({', '.join(c.only_inspectors)})")
    lines += [
        "",
        "force+ = met by the force, not by the inspectors; insp+ = the reverse. p: McNemar's test; adj. p: "
        "Holm-adjusted",
        "across criteria; a direction is significant when adj. p < 0.05.",
        f"{'criterion':<9} {'paired':>6} {'agree':>5} {'raw':>5} {'kappa':>6} {'AC1':>6} {'force+':>6} {'insp+':>6} "
        f"{'p':>7} {'adj. p':>7}  verdict",
    ]
    for r in c.criteria:
        lines.append(
            f"{r.criterion:<9} {r.paired:>6} {r.agreed:>5} {_pct(r.raw_agreement):>5} {_num(r.kappa.value):>6} "
            f"{_num(r.gwet_ac1.value):>6} {r.test.force_only:>6} {r.test.inspectors_only:>6} {_p(r.test.p_value):>7} "
            f"{_p(r.p_adjusted):>7}  {_words(r.direction, r.verdict, r.paired)}")
    g = c.grade
    lines += [
        "",
        f"grade ({g.source}): {g.paired} case(s) graded by both; same grade in {g.agreed} ({_pct(g.raw_agreement)}); "
        f"kappa {_num(g.kappa.value)}, weighted {_num(g.weighted_kappa.value)}, AC1 {_num(g.gwet_ac1.value)}",
        f"  the force grades better in {g.force_better}, the same in {g.same}, worse in {g.force_worse}; "
        f"sign test p {_p(g.p_value)}: {g.verdict}",
    ]
    if c.not_compared:
        lines += ["", "not compared: " + "; ".join(f"{n.item} ({n.reason})" for n in c.not_compared)]
    return "\n".join(lines)
