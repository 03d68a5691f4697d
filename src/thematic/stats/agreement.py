"""Agreement between inspectors who scored the same cases: the statistics, per criterion and grade.

For each judgement criterion and for the overall grade: how many cases two or more inspectors
scored, raw agreement (with a Wilson interval), Cohen's kappa (statsmodels; linearly weighted for
the ordered grade), Krippendorff's alpha (the `krippendorff` package; nominal for answers, ordinal
for grades) and Gwet's AC1 (written out below from Gwet's paper, as no kept library has it).
Raw agreement always stands beside the coefficients: when nearly every case gets the same answer,
kappa and alpha collapse towards zero or below although inspectors almost always agree (the
"kappa paradox"), while AC1 does not.

Categories are a criterion's declared answers (the grade's three values, in order), so AC1's
chance agreement uses the number of answers the question offers. Kappa, AC1 and raw agreement
compare two inspectors per case: where more than two scored a case, the first two by reference;
alpha uses every inspector's answer. Pure: ratings in, dataclasses out.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import krippendorff
import numpy as np
from scipy import stats as scipy_stats  # type: ignore[import-untyped]  # no stubs installed
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]  # no stubs

from thematic.load.agreement import AGREEMENT_FORMAT
from thematic.load.sample import GRADE, REFERRED_BACK, InspectionT, Sample
from thematic.model.case import GRADES
from thematic.stats.proportion import proportion


@dataclass(frozen=True)
class Coefficient:
    """An agreement coefficient with its interval where the method gives one; `note` says why not."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    std_error: float | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _finite(x: Any) -> float | None:
    value = float(x)
    return value if math.isfinite(value) else None


def _within_range(low: float | None, high: float | None) -> tuple[float | None, float | None]:
    """Clip an interval to [-1, 1], the range kappa (also linearly weighted) and AC1 can take.

    Their intervals are the estimate plus or minus a multiple of its standard error (statsmodels'
    kappa_low/kappa_upp use the normal approximation), which on few cases or near-perfect agreement
    runs past 1 (or below -1): values no table can give, so the bound is the end of the range.
    """
    return (None if low is None else max(-1.0, low), None if high is None else min(1.0, high))


def contingency(pairs: Sequence[tuple[str, str]], categories: Sequence[str]) -> np.ndarray:
    """q×q counts: rows the first inspector's answer, columns the second's, in `categories` order."""
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=float)
    for first, second in pairs:
        table[index[first], index[second]] += 1
    return table


def cohens_kappa(table: np.ndarray, *, weighted: bool = False) -> Coefficient:
    """Cohen's kappa (linearly weighted when `weighted`) with its 95% interval, from statsmodels."""
    if table.sum() == 0:
        return Coefficient(None, note="no case scored by two inspectors")
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = sm_cohens_kappa(table, wt="linear" if weighted else None)
    value = _finite(result.kappa)
    if value is None:
        return Coefficient(None, note="undefined: both inspectors gave one and the same answer throughout")
    se = _finite(result.std_kappa)
    if table.sum() < 2 or not se:  # one case, or no spread to estimate an interval from
        return Coefficient(value, std_error=se, note="no interval: too few cases or no variation")
    return Coefficient(value, *_within_range(_finite(result.kappa_low), _finite(result.kappa_upp)), se)


def gwet_ac1(table: np.ndarray, *, confidence: float = 0.95) -> Coefficient:
    """Gwet's AC1 for two raters, with its standard error and interval.

    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of high
    agreement. British Journal of Mathematical and Statistical Psychology 61(1), 29-48
    (doi:10.1348/000711006X126600): AC1 and its variance for two raters, in the form Gwet's own
    software uses (irrCAC `gwet.ac1.table`, infinite population, t interval with n - 1 degrees of
    freedom). With p_kl the share of cases the first rater put in k and the second in l, q the
    number of categories and pi_k = (p_k. + p_.k) / 2:

        pa  = sum_k p_kk                     pe = sum_k pi_k (1 - pi_k) / (q - 1)
        AC1 = (pa - pe) / (1 - pe)
        var = [ sum_kl p_kl (1[k=l] - 2 (1 - AC1) (1 - (pi_k + pi_l) / 2) / (q - 1))^2
                - (pa - 2 (1 - AC1) pe)^2 ] / (n (1 - pe)^2)
    """
    n = float(table.sum())
    q = table.shape[0]
    if n == 0:
        return Coefficient(None, note="no case scored by two inspectors")
    if q < 2:
        return Coefficient(None, note="undefined: the question offers a single answer")
    p = table / n
    pa = float(np.trace(p))
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pe = float(np.sum(pi * (1 - pi)) / (q - 1))
    ac1 = (pa - pe) / (1 - pe)
    agree = np.eye(q)
    chance = 2 * (1 - ac1) * (1 - (pi[:, None] + pi[None, :]) / 2) / (q - 1)
    variance = (float(np.sum(p * (agree - chance) ** 2)) - (pa - 2 * (1 - ac1) * pe) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(variance, 0.0))
    if n < 2 or se == 0:  # the variance formula degenerates to zero: no honest interval to give
        return Coefficient(ac1, std_error=se, note="no interval: too few cases or no variation")
    t = float(scipy_stats.t.ppf(1 - (1 - confidence) / 2, n - 1))
    return Coefficient(ac1, *_within_range(ac1 - t * se, ac1 + t * se), se)  # AC1 too lies in [-1, 1]


def krippendorff_alpha(
    units: Sequence[Mapping[str, str]], categories: Sequence[str], *, ordinal: bool = False,
) -> Coefficient:
    """Krippendorff's alpha over units (each: inspector -> answer), from the `krippendorff` package.

    The package gives no interval (Krippendorff recommends bootstrapping), so none is reported.
    """
    raters = sorted({r for unit in units for r in unit})
    if not units or len(raters) < 2:
        return Coefficient(None, note="no case scored by two inspectors")
    index = {c: i for i, c in enumerate(categories)}
    data = np.full((len(raters), len(units)), np.nan)
    for column, unit in enumerate(units):
        for rater, answer in unit.items():
            data[raters.index(rater), column] = index[answer]
    try:
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=data, value_domain=list(range(len(categories))),
                                       level_of_measurement="ordinal" if ordinal else "nominal")
    except ValueError as exc:
        return Coefficient(None, note=f"undefined: {exc}")
    result = _finite(value)
    if result is None:
        return Coefficient(None, note="undefined: every answer is the same, so there is no variation to compare")
    return Coefficient(result, note="no interval: the krippendorff package gives none")


@dataclass(frozen=True)
class ItemAgreement:
    """Agreement on one judgement criterion (or the overall grade) over the double-scored cases."""

    item: str  # a criterion id, or "grade"
    question: str
    categories: tuple[str, ...]
    ordered: bool
    cases_double_scored: int
    cases_more_than_two: int
    agreed: int
    raw_agreement: float | None
    raw_ci_low: float | None
    raw_ci_high: float | None
    cohens_kappa: Coefficient
    krippendorff_alpha: Coefficient
    gwet_ac1: Coefficient

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["categories"] = list(self.categories)
        out["cohens_kappa"] = {**self.cohens_kappa.to_json(), "weights": "linear" if self.ordered else None}
        out["krippendorff_alpha"] = {**self.krippendorff_alpha.to_json(),
                                     "level": "ordinal" if self.ordered else "nominal"}
        out["gwet_ac1"] = self.gwet_ac1.to_json()
        return out


def item_agreement(
    item: str, question: str, categories: Sequence[str], units: Sequence[Mapping[str, str]], *, ordered: bool = False,
) -> ItemAgreement:
    """Every statistic for one item. `units`: per double-scored case, inspector -> answer (two or more)."""
    units = [u for u in units if len(u) >= 2]
    pairs = [(u[a], u[b]) for u in units for a, b in [sorted(u)[:2]]]
    table = contingency(pairs, categories)
    agreed = sum(1 for first, second in pairs if first == second)
    raw = proportion(agreed, len(pairs))
    return ItemAgreement(
        item=item,
        question=question,
        categories=tuple(categories),
        ordered=ordered,
        cases_double_scored=len(units),
        cases_more_than_two=sum(1 for u in units if len(u) > 2),
        agreed=agreed,
        raw_agreement=raw.rate,
        raw_ci_low=raw.ci_low,
        raw_ci_high=raw.ci_high,
        cohens_kappa=cohens_kappa(table, weighted=ordered),
        krippendorff_alpha=krippendorff_alpha(units, categories, ordinal=ordered),
        gwet_ac1=gwet_ac1(table),
    )


@dataclass(frozen=True)
class Disagreement:
    """One case and item on which inspectors' answers differ, and its moderation if there is one."""

    case_id: str
    item: str  # a criterion id, "grade" or "referred_back"
    answers: dict[str, str]  # inspector -> answer
    notes: dict[str, str]  # inspector -> note, where given
    recorded_at: dict[str, str]  # inspector -> file:line
    moderated: dict[str, Any] | None = None  # {"answer", "by", "reason", "recorded_at"}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agreement:
    """Agreement of an inspection's double scoring: per item, and the moderation list."""

    inspection: dict[str, Any]
    inspectors: tuple[str, ...]
    items: tuple[ItemAgreement, ...]
    moderation: tuple[Disagreement, ...]

    @property
    def open_disagreements(self) -> int:
        return sum(1 for d in self.moderation if d.moderated is None)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": AGREEMENT_FORMAT,
            "inspection": dict(self.inspection),
            "inspectors": list(self.inspectors),
            "items": [i.to_json() for i in self.items],
            "moderation": [d.to_json() for d in self.moderation],
            "open_disagreements": self.open_disagreements,
        }


# --- an inspection's double scoring ------------------------------------------------------------

def agreement_from_sample(sample: Sample[InspectionT]) -> Agreement:
    """Agreement over a loaded sample: every judgement criterion, then the grade; every disagreement."""
    criteria = {c.id: c for c in sample.inspection.criteria.file.criteria}
    specs = [(cid, criteria[cid].question, list(criteria[cid].answers or {}), False) for cid in sample.judgement_ids]
    specs.append((GRADE, "Overall grade of the case", list(GRADES), True))
    items = []
    for item, question, categories, ordered in specs:
        units = [{r.inspector: r.value for r in ratings[item].values()}
                 for case_id in sample.case_ids
                 for ratings in [sample.ratings.get(case_id, {})] if len(ratings.get(item, {})) >= 2]
        items.append(item_agreement(item, question, categories, units, ordered=ordered))
    moderation: list[Disagreement] = []
    for case_id in sample.case_ids:
        ratings = sample.ratings.get(case_id, {})
        decided = sample.moderation.get(case_id, {})
        for item, _, _, _ in specs:
            given = ratings.get(item, {})
            if len({r.value for r in given.values()}) > 1:
                moderation.append(_disagreement(case_id, item, given, decided.get(item), lambda r: r.value))
            if item == GRADE and len({r.referred_back for r in given.values()}) > 1:
                moderation.append(_disagreement(case_id, REFERRED_BACK, given, decided.get(GRADE),
                                                lambda r: "yes" if r.referred_back else "no"))
    inspectors = sorted({r.inspector for items_ in sample.ratings.values()
                         for by in items_.values() for r in by.values()})
    file = sample.inspection.file
    return Agreement(
        inspection={"id": file.inspection, "force": file.force, "year": file.year, "title": file.title},
        inspectors=tuple(inspectors),
        items=tuple(items),
        moderation=tuple(moderation),
    )


def _disagreement(case_id: str, item: str, given: Mapping[str, Any], decision: Any, value: Any) -> Disagreement:
    ordered = sorted(given.values(), key=lambda r: r.inspector)
    moderated = None
    if decision is not None:
        shown = ("yes" if decision.referred_back else "no") if item == "referred_back" else decision.value
        moderated = {"answer": shown, "by": decision.by, "reason": decision.reason, "recorded_at": decision.where}
    return Disagreement(
        case_id=case_id,
        item=item,
        answers={r.inspector: value(r) for r in ordered},
        notes={r.inspector: r.note for r in ordered if r.note},
        recorded_at={r.inspector: r.where for r in ordered},
        moderated=moderated,
    )
