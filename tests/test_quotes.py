"""Quotes are quotes (issue 12 item 4): reports put only the report's own words in quotation marks.

A theme's `quotes` must be text known to be verbatim: the 2019 thematic report's section headings
and the sentences the press quoted from it on publication, as ../shared/domain.md lists them
(copied below as VERBATIM, and checked against domain.md word for word when it is there). A
theme's `finding` is our summary: reports label it as one and never quote it. Nothing from the 2015
thematic (In harm's way) is attributed to 2019.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from render_samples import rendered_html
from report_helpers import run
from results_factory import results_doc, write

from thematic.load.criteria import read_criteria, shipped_criteria_path
from thematic.load.results import load_results
from thematic.render.comparison import render_comparison_report
from thematic.render.findings import SUMMARY_LEAD, finding_view
from thematic.render.programme import render_programme_report
from thematic.scoring.criteria import load_criteria
from thematic.stats.compare import compare
from thematic.stats.programme import build_programme

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT.parent / "shared" / "domain.md"
CRITERIA_DIR = ROOT / "criteria"

SECTION_4 = "section 4, The role of leaders and leadership"
SECTION_5 = "section 5, The recognition of risk and vulnerability"
PRESS = "Police Professional, 27 February 2020"
SUPERVISION = "Supervision differs depending on the type of risk a child is exposed to"

#: Text of the 2019 thematic report known to be verbatim (domain.md, "Verbatim text that reports may
#: quote"), each with the place a quotation's source must name.
VERBATIM: dict[str, str] = {
    "The commitment of senior leaders to protect children at risk is clear and unambiguous": SECTION_4,
    "Despite clear commitment current approaches are unsustainable and place too little emphasis on early "
    "intervention": SECTION_4,
    "Senior leaders recognise the need to test the quality of the response given to vulnerable children": SECTION_4,
    "Partnership working is generally effective but can be undermined by ineffective processes that hinder "
    "decision making and protective planning": SECTION_4,
    "How leaders oversee the effectiveness of child protection is developing": SECTION_4,
    "Performance information to understand outcomes for children requires further development": SECTION_4,
    "Training for officers responding to child protection is widely available but understanding how that "
    "training is used by staff is underdeveloped": SECTION_4,
    "Forces are better at recognising risk": SECTION_5,
    "The behaviour and demeanour of children tells us important things about the risks they face, but this is "
    "not something considered or recorded consistently": SECTION_5,
    "Forces recognise their responsibility to share information with partners and contribute to the "
    "development of protective plans, but the complexity of these arrangements can often present "
    "challenges": SECTION_5,
    "Understanding why information is shared is critical to effective joint working": SECTION_5,
    "Supervision differs depending on the type of risk a child is exposed to": SECTION_5,
    "The role of leaders and leadership": "section title",
    "The recognition of risk and vulnerability": "section title",
    "The response to risk and vulnerability": "section title",
    "Protecting children from those who pose a risk to them": "section title",
    "The detention of children in police custody": "section title",
    "Too little emphasis is placed on identifying underlying issues or the cumulative impact on a child of "
    "multiple repeated instances of trauma.": PRESS,
    "Forces usually deal with straightforward cases of child abuse and neglect promptly and efficiently. "
    "However, the police often carry out more complex investigations badly and investigations can suffer "
    "delays.": PRESS,
    "Cumulative and escalating risk is not spotted at the earliest opportunity. That delays the development "
    "of an appropriate protective plan.": PRESS,
    "In too many areas, children are still likely to be prosecuted despite clear evidence of coercion.": PRESS,
    "Too little consideration is given to the reasons why children commit crime when decisions are made about "
    "the appropriate response.": PRESS,
}

#: What the 2015 thematic (In harm's way) found, as domain.md lists it: never a 2019 finding.
FINDINGS_2015 = ("treated as offenders", "arrest suspects", "online offences", "handled well",
                 "specialists", "3-month delay", "three-month delay")

#: Said by HMI Wendy Williams, not written in the report; and press paraphrase. Not quotable.
NOT_THE_REPORT = ("The current reactive approach of the police and partners",
                  "too focused on making sure processes are completed on time")


def one_line(text: str) -> str:
    return " ".join(text.split())


def gives_2015_to_2019(text: str) -> bool:
    """Whether `text` states a 2015 finding without saying it is 2015's alone (a 2019 report's
    criteria are read as 2019's unless a clause names 2015 and only 2015)."""
    if not any(p in text.lower() for p in FINDINGS_2015):
        return False
    return "2019" in text or not re.search(r"2015|In harm's way", text)


def criteria_files() -> list[Path]:
    return sorted(CRITERIA_DIR.glob("*.yaml"))


def themes():
    for path in criteria_files():
        loaded = read_criteria(path)
        assert loaded.file is not None, loaded.problems
        for theme_id, theme in loaded.file.themes.items():
            yield path.name, theme_id, theme


# --- the reference list ---------------------------------------------------------------------------

@pytest.mark.skipif(not DOMAIN.is_file(), reason="../shared/domain.md is not beside this checkout")
@pytest.mark.parametrize("text", sorted(VERBATIM))
def test_every_verbatim_text_is_in_domain_md_word_for_word(text):
    domain = one_line(DOMAIN.read_text(encoding="utf-8"))
    assert f"\u201c{text}\u201d" in domain or f'"{text}"' in domain, f"not verbatim in domain.md: {text}"


@pytest.mark.skipif(not DOMAIN.is_file(), reason="../shared/domain.md is not beside this checkout")
def test_the_verbatim_list_is_domain_md_s_whole_list():
    # Every quoted string in domain.md's verbatim paragraphs is either in VERBATIM or known not to be
    # the report's words, so a quote added to domain.md cannot be missed here.
    domain = one_line(DOMAIN.read_text(encoding="utf-8"))
    start = domain.index("**Verbatim text that reports may quote**")
    end = domain.index("Force reports of the programme are structured", start)
    quoted = re.findall(r'"([A-Z][^"]{11,})"', domain[start:end])
    unknown = [q for q in quoted if q not in VERBATIM and not any(q.startswith(n) for n in NOT_THE_REPORT)]
    assert unknown == []


# --- the shipped criteria -------------------------------------------------------------------------

def test_there_are_shipped_criteria_with_quotes():
    assert criteria_files()
    assert sum(len(theme.quotes) for _, _, theme in themes()) >= 5


@pytest.mark.parametrize("name,theme_id,text,source", [
    (name, theme_id, one_line(q.text), one_line(q.source))
    for name, theme_id, theme in themes() for q in theme.quotes])
def test_every_quote_in_the_shipped_criteria_is_verbatim_with_its_place(name, theme_id, text, source):
    assert text in VERBATIM, f"{name}: theme {theme_id} quotes words that are not known verbatim: {text!r}"
    assert "2019 thematic report" in source, f"{name}: theme {theme_id}: the source must name the report"
    place = VERBATIM[text]
    assert place in source, f"{name}: theme {theme_id}: the source must give the place ({place}): {source!r}"


@pytest.mark.parametrize("name,theme_id,summary", [
    (name, theme_id, one_line(theme.finding)) for name, theme_id, theme in themes()])
def test_a_summary_is_ours_not_a_quotation_nor_a_rule_nor_2015_s_finding(name, theme_id, summary):
    assert not re.search("[\"\u201c\u201d]", summary), f"{name}: {theme_id}: a summary holds no quotation marks"
    assert not re.search(r"\b(must|should)\b", summary), f"{name}: {theme_id}: a finding, not a rule"
    assert not gives_2015_to_2019(summary), f"{name}: {theme_id}: a 2015 finding given to 2019"
    assert [n for n in NOT_THE_REPORT if n.lower() in summary.lower()] == []


@pytest.mark.parametrize("path", criteria_files(), ids=lambda p: p.name)
def test_no_criterion_s_source_gives_a_2015_finding_to_2019(path):
    loaded = read_criteria(path)
    assert loaded.file is not None
    wrong = [(criterion.id, clause) for criterion in loaded.file.criteria
             for clause in re.split(r"(?<=\.) |; ", criterion.source) if gives_2015_to_2019(clause)]
    assert wrong == []


@pytest.mark.parametrize("text,wrong", [
    ("In harm's way (2015) and 2019 thematic: too little done to arrest suspects", True),
    ("2019 thematic: some children treated as offenders rather than victims of exploitation.", True),
    ("Some exploited children are treated as offenders rather than as victims.", True),
    ("In harm's way (2015): too little done to arrest suspects", False),
    ("2019 thematic: complex investigations delayed.", False),
])
def test_what_counts_as_giving_a_2015_finding_to_2019(text, wrong):
    assert gives_2015_to_2019(text) is wrong


# --- the format -----------------------------------------------------------------------------------

def shipped_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "criteria.yaml"
    shutil.copyfile(shipped_criteria_path(), path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_theme_with_a_finding_and_no_quotes_loads_as_before(tmp_path):
    # Criteria files written before `quotes` existed keep working: their finding is a summary.
    quote = (f"      - text: {SUPERVISION}\n        source: >-\n"
             f"          2019 thematic report, a heading in {SECTION_5}\n")
    path = shipped_copy(tmp_path, quote, "")
    path.write_text(path.read_text(encoding="utf-8").replace("    quotes:\n  timeliness:", "  timeliness:", 1),
                    encoding="utf-8")
    theme = load_criteria(path).file.themes["supervision"]
    assert theme.quotes == []
    view = finding_view(theme)
    assert view.quotes == () and view.summary.startswith("The 2019 thematic report found")


def test_a_quote_written_inside_quotation_marks_is_a_located_error(tmp_path, capsys):
    path = shipped_copy(tmp_path, f"      - text: {SUPERVISION}", f"      - text: \"'{SUPERVISION}'\"")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert "Traceback" not in err
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "'Supervision differs" in text)
    assert f"{path}:{line}" in err and "themes.supervision.quotes" in err
    assert "without quotation marks" in err


def test_a_quote_needs_its_source(tmp_path, capsys):
    path = shipped_copy(tmp_path, f"        source: 2019 thematic report, as quoted in {PRESS}\n", "")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "source" in err and "Traceback" not in err


# --- the reports ----------------------------------------------------------------------------------

def quoted(html: str) -> list[str]:
    return [one_line(re.sub(r"<[^>]+>", "", q)) for q in re.findall(r"<q>(.*?)</q>", html, re.S)]


def check_findings(html: str, theme_ids: list[str]) -> None:
    """Every <q> the report prints is verbatim; every theme's summary is printed, labelled, unquoted."""
    shipped = load_criteria(shipped_criteria_path()).file.themes
    html = html.replace("&#39;", "'").replace("&#x27;", "'")
    quotes = quoted(html)
    assert quotes, "the report quotes nothing"
    assert [q for q in quotes if q not in VERBATIM] == []
    for theme_id in theme_ids:
        view = finding_view(shipped[theme_id])
        assert f"{SUMMARY_LEAD} {view.summary}" in one_line(html)
        for quote in view.quotes:
            assert quote.text in quotes
            assert f"({quote.source})" in one_line(html)
    assert "thematic found:" not in html


def test_the_force_report_quotes_only_verbatim_text_and_labels_summaries():
    html = rendered_html()
    themes_shown = re.findall(r'id="theme-([a-z0-9-]+)"', html)
    ids = [t.replace("-", "_") for t in themes_shown]
    assert ids
    check_findings(html, ids)
    # Key findings and the themes' sections each show every theme's quotations.
    shipped = load_criteria(shipped_criteria_path()).file.themes
    assert len(quoted(html)) == 2 * sum(len(shipped[t].quotes) for t in ids)


SHIPPED_IDS = ("SUP-01", "TIM-01", "CRM-01", "RISK-01", "OUT-01")


@pytest.fixture(scope="module")
def shipped_results(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("quotes")
    paths = []
    for n, (name, year) in enumerate((("alpha", 2019), ("bravo", 2019), ("alpha", 2020))):
        counts = {cid: (10 + n + i, 30) for i, cid in enumerate(SHIPPED_IDS)}
        paths.append(write(folder / f"{name}-{year}.json", results_doc(
            counts, inspection=f"{name}-{year}", force=name, year=year, cases=30,
            criteria_id="ncpi-thematic-2019", version="1")))
    return paths


def test_the_comparison_report_quotes_only_verbatim_text_and_labels_summaries(shipped_results):
    criteria = load_criteria(shipped_criteria_path())
    comparison = compare(load_results(shipped_results[0]), load_results(shipped_results[2]))
    html = render_comparison_report(comparison, criteria, formats=("html",))["html"].decode()
    check_findings(html, ["supervision", "timeliness", "criminalisation", "cumulative_risk", "outcomes"])


def test_the_programme_report_quotes_only_verbatim_text_and_labels_summaries(shipped_results):
    criteria = load_criteria(shipped_criteria_path())
    results = [load_results(p) for p in shipped_results[:2]]
    html = render_programme_report(build_programme(results), results, criteria, formats=("html",))["html"].decode()
    check_findings(html, ["supervision", "timeliness", "criminalisation", "cumulative_risk", "outcomes"])
