"""The force report's "Agreement between inspectors" section: view data from an agreement document.

Built from a `thematic.agreement/1` document (what `Agreement.to_json()` returns and `thematic
agreement -o` writes), so `thematic run` and `thematic report --agreement FILE` share one path.
Raw agreement is printed first, as "n of N" with the Wilson interval the document holds
(`thematic.stats.agreement` works it out; `thematic.load.agreement` checks a file's against its
counts); Cohen's kappa, Krippendorff's alpha and Gwet's AC1 stand beside it, and where raw
agreement is high but kappa low the kappa paradox is explained in plain words. Suppression: counts below the
limit read "fewer than N", a coefficient is withheld wherever the raw agreement is (it would
reveal the same small count), and the moderation list, which names cases, is left out.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thematic.render.sections import AgreementRow, AgreementSection, CoefficientView, DisagreementRow
from thematic.render.views import RateView, Suppression, label, slug

GRADE_ITEM = "grade"
REFERRED_BACK_ITEM = "referred_back"
#: The kappa paradox is explained when raw agreement is at least this high and kappa below LOW_KAPPA
#: (0.4 is where Landis and Koch's "moderate" agreement begins).
HIGH_AGREEMENT = 0.8
LOW_KAPPA = 0.4

METHOD = (
    "Agreement is measured on the inspectors' own answers, before any moderation. Raw agreement is the share "
    "of double-scored cases in which two inspectors gave the same answer, with a 95% Wilson interval. "
    "Cohen's kappa (statsmodels, with its 95% interval; linearly weighted for the grade, whose values are "
    "ordered) and Krippendorff's alpha (the krippendorff package, which gives no interval; nominal for "
    "answers, ordinal for the grade) take off the agreement expected by chance from how often each answer "
    "was given. Gwet's AC1 (Gwet 2008, with its 95% interval) takes off chance agreement from the number of "
    "answers the question offers, so it does not collapse when nearly every case gets the same answer. "
    "Where more than two inspectors scored a case, raw agreement, kappa and AC1 compare the first two by "
    "reference and alpha uses every answer."
)


def decimal(value: float) -> str:
    """A coefficient to two places, with a true minus sign (read aloud as "minus")."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return "0.00"
    return text.replace("-", "\u2212")


def coefficient_view(coefficient: Mapping[str, Any], *, withheld: bool = False) -> CoefficientView:
    """A coefficient (`Coefficient.to_json()`: value, ci_low, ci_high, note) as printed."""
    if withheld:
        return CoefficientView(None, "withheld", "", "withheld: it would reveal a small count")
    value = coefficient.get("value")
    note = coefficient.get("note") or ""
    if value is None:
        return CoefficientView(None, "not defined" if note.startswith("undefined") else "–", "", note)
    low, high = coefficient.get("ci_low"), coefficient.get("ci_high")
    # statsmodels' kappa interval is value ± 1.96 se, which can pass 1: no coefficient lies outside [-1, 1].
    interval = (f"{decimal(max(-1.0, float(low)))} to {decimal(min(1.0, float(high)))}"
                if low is not None and high is not None else "")
    return CoefficientView(float(value), decimal(float(value)), interval, "" if interval else note)


def agreement_section(
    document: Mapping[str, Any] | None,
    hide: Suppression,
    questions: Mapping[str, str] | None = None,
) -> AgreementSection | None:
    """The section's view data, or None when no case was double-scored (nothing to show)."""
    if not document:
        return None
    items = document.get("items") or []
    if not any(int(item["cases_double_scored"]) > 0 for item in items):
        return None
    questions = questions or {}
    rows: list[AgreementRow] = []
    not_double_scored: list[str] = []
    notes: list[str] = []
    for item in items:
        name = _item_name(item["item"])
        if int(item["cases_double_scored"]) == 0:
            not_double_scored.append(name)
            continue
        row = _row(item, name, hide, questions)
        rows.append(row)
        for title, view in ((_kappa_name(row.weighted), row.kappa), ("Gwet's AC1", row.ac1)):
            if view.note and not view.note.startswith("withheld"):
                notes.append(f"{name}, {title}: {view.note}.")
    moderation = document.get("moderation") or []
    open_count = sum(1 for d in moderation if d.get("moderated") is None)
    return AgreementSection(
        inspectors=tuple(document.get("inspectors") or ()),
        rows=tuple(rows),
        not_double_scored=tuple(not_double_scored),
        notes=tuple(notes),
        more_than_two=hide.count(sum(int(item.get("cases_more_than_two") or 0) for item in items)),
        disagreements=hide.count(len(moderation)),
        open=hide.count(open_count),
        decided=hide.count(len(moderation) - open_count),
        moderation=() if hide.active else tuple(_disagreement(d) for d in moderation),
        withheld=hide.active,
        method=METHOD,
    )


def _item_name(item: str) -> str:
    if item == GRADE_ITEM:
        return "Overall grade"
    if item == REFERRED_BACK_ITEM:
        return "Referred back"
    return item


def _kappa_name(weighted: bool) -> str:
    return "Cohen's kappa (linearly weighted)" if weighted else "Cohen's kappa"


def _row(item: Mapping[str, Any], name: str, hide: Suppression, questions: Mapping[str, str]) -> AgreementRow:
    total, agreed = int(item["cases_double_scored"]), int(item["agreed"])
    # The interval thematic.stats.agreement worked out; load.agreement checks that a file's rate is
    # agreed / double-scored with both bounds beside it, so it belongs to the "n of N" printed here.
    raw = hide.rate(agreed, total, item["raw_ci_low"], item["raw_ci_high"], ())
    weighted = bool(item.get("ordered"))
    kappa = coefficient_view(item["cohens_kappa"], withheld=raw.withheld)
    ac1 = coefficient_view(item["gwet_ac1"], withheld=raw.withheld)
    is_grade = item["item"] == GRADE_ITEM
    return AgreementRow(
        item=name,
        anchor="" if is_grade else f"criterion-{slug(item['item'])}",
        question="" if is_grade else questions.get(item["item"], item.get("question") or ""),
        double_scored=hide.count(total),
        raw=raw,
        kappa=kappa,
        alpha=coefficient_view(item["krippendorff_alpha"], withheld=raw.withheld),
        ac1=ac1,
        weighted=weighted,
        paradox=_paradox(name, raw, kappa, ac1, weighted),
    )


def _paradox(name: str, raw: RateView, kappa: CoefficientView, ac1: CoefficientView, weighted: bool) -> str:
    """The kappa paradox in plain words, when raw agreement is high and kappa low; else ""."""
    if raw.rate is None or kappa.value is None or raw.rate < HIGH_AGREEMENT or kappa.value >= LOW_KAPPA:
        return ""
    text = (f"{name}: the inspectors gave the same answer in {raw.n_of_n} cases ({raw.percent}), yet "
            f"{_kappa_name(weighted)} is only {kappa.text}. This is the kappa paradox, not poor "
            "agreement: nearly every case got the same answer, so the agreement kappa expects by chance is "
            "almost as high as the agreement itself, and kappa falls towards zero.")
    if ac1.value is not None:
        text += f" Gwet's AC1, which does not fall this way, is {ac1.text}."
    return text


def _answer(item: str, value: str) -> str:
    return label(value) if item == GRADE_ITEM else value


def _disagreement(d: Mapping[str, Any]) -> DisagreementRow:
    item = d["item"]
    notes: Mapping[str, str] = d.get("notes") or {}
    answers = "; ".join(
        f"{who} \u201c{_answer(item, answer)}\u201d" + (f" ({notes[who]})" if notes.get(who) else "")
        for who, answer in d["answers"].items())
    moderated = d.get("moderated")
    if moderated is None:
        status = "open"
    else:
        answer = _answer(item, moderated["answer"])
        status = f"decided: \u201c{answer}\u201d by {moderated['by']}: {moderated['reason']}"
    return DisagreementRow(
        case_id=d["case_id"],
        item=_item_name(item).lower() if item in (GRADE_ITEM, REFERRED_BACK_ITEM) else item,
        answers=answers,
        decided=moderated is not None,
        status=status,
    )
