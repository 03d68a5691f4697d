"""Every failing case traceable (issue 12 item 7): each criterion's not-met and not-evidenced cases.

The force report's appendix "Cases behind each criterion" lists, per criterion, every case whose
result is not met or not evidenced, with its evidence in plain words; each criterion's row links
to its list and each list links back. The lists count exactly what the summary counts, every link
lands on an id that exists, and under suppression none of it is produced.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from render_samples import example_results, hand_made, hand_made_results, rendered_html, rendered_pdf, shipped_criteria

from thematic.model.results import FAILED, ResultsDocument
from thematic.render.case_lists import APPENDIX_ID, case_lists
from thematic.render.force import render_force_report


class Lists(HTMLParser):
    """Every id, every in-page link, and the case ids of each appendix list (by the list's id)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.lists: dict[str, list[str]] = {}
        self.row_links: dict[str, str] = {}  # criterion row id -> the list its link goes to
        self._list: str | None = None
        self._row: str | None = None
        self._in_body = self._in_row_header = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        href = a.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.links.append(href[1:])
            if self._row and href.startswith("#cases-"):
                self.row_links[self._row] = href[1:]
        if tag == "tr" and (a.get("id") or "").startswith("criterion-"):
            self._row = a["id"]
        if tag == "h3" and (a.get("id") or "").startswith("cases-"):
            self._list = a["id"]
            self.lists[self._list or ""] = []
        if tag == "tbody":
            self._in_body = True
        if tag == "th" and self._in_body and self._list and a.get("scope") == "row":
            self._in_row_header, self._text = True, ""
        if tag == "span" and self._in_row_header:  # the category follows the case id
            self._finish_case()

    def handle_data(self, data: str) -> None:
        if self._in_row_header:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._in_row_header:
            self._finish_case()
        if tag == "tbody":
            self._in_body = False
        if tag == "tr":
            self._row = None
        if tag == "section" and self._list:
            self._list = None

    def _finish_case(self) -> None:
        self.lists[self._list or ""].append(self._text.strip())
        self._in_row_header = False


def parsed(html: str) -> Lists:
    parser = Lists()
    parser.feed(html)
    return parser


def failing(document: ResultsDocument, criterion_id: str) -> list[str]:
    """The document's cases whose result for `criterion_id` is not met or not evidenced, in order."""
    return [c.case_id for c in document.cases or () if c.results[criterion_id].state in FAILED]


def test_each_list_holds_every_failing_case_the_summary_counts():
    document, criteria = example_results()
    page = parsed(rendered_html())
    assert page.lists, "the example has failing cases, so the appendix has lists"
    for compiled in criteria.criteria:
        entry = document.summary.criteria[compiled.id]
        expected = entry.not_met + entry.not_evidenced
        listed = page.lists.get(f"cases-{compiled.id.lower()}", [])
        assert len(listed) == expected, compiled.id
        assert listed == failing(document, compiled.id), compiled.id
    # Not only zeros: some criterion has several failing cases.
    assert max(len(v) for v in page.lists.values()) > 1


def test_view_counts_each_state_separately():
    document, criteria = example_results()
    questions = {c.id: c.definition.question for c in criteria.criteria}
    lists = case_lists(document.cases or (), questions)
    assert lists.criteria and not lists.withheld
    for entry in lists.criteria:
        summary = document.summary.criteria[entry.criterion_id]
        assert (entry.not_met, entry.not_evidenced) == (summary.not_met, summary.not_evidenced)
        assert len(entry.cases) == summary.not_met + summary.not_evidenced > 0
    listed = {entry.criterion_id for entry in lists.criteria}
    assert listed == {cid for cid, s in document.summary.criteria.items() if s.not_met + s.not_evidenced}
    assert lists.for_criterion("NO-SUCH") is None


def test_every_criterion_row_with_failing_cases_links_to_its_list_and_back():
    document, criteria = example_results()
    html = rendered_html()
    page = parsed(html)
    for compiled in criteria.criteria:
        count = len(failing(document, compiled.id))
        row = f"criterion-{compiled.id.lower()}"
        if count:
            assert page.row_links[row] == f"cases-{compiled.id.lower()}"
            assert f'<a href="#{row}">Back to {compiled.id}' in html
        else:
            assert row not in page.row_links  # no link to a list that does not exist
    assert f'<a href="#{APPENDIX_ID}">Cases behind each criterion</a>' in html  # in the contents


def test_links_resolve_and_ids_are_unique():
    page = parsed(rendered_html())
    assert len(page.ids) == len(set(page.ids)), [i for i in page.ids if page.ids.count(i) > 1]
    missing = sorted(set(page.links) - set(page.ids))
    assert not missing
    assert any(link.startswith("cases-") for link in page.links)


def test_the_appendix_comes_last():
    html = rendered_html()
    assert html.index('id="method"') < html.index(f'id="{APPENDIX_ID}"')
    assert html.count(f'id="{APPENDIX_ID}"') == 1


def test_suppression_removes_the_lists_and_the_links():
    html = rendered_html(suppress_below=5)
    assert APPENDIX_ID not in html
    assert 'href="#cases-' not in html and 'id="cases-' not in html
    document, criteria = example_results()
    rendered = render_force_report(document, criteria, formats=["html"], suppress_below=2)
    assert set(rendered) == {"html"}  # no cases table either
    assert "Cases behind each criterion" not in rendered["html"].decode()


def test_suppress_below_one_suppresses_nothing_so_the_lists_stay():
    document, criteria = example_results()
    html = render_force_report(document, criteria, formats=["html"], suppress_below=1)["html"].decode()
    assert f'id="{APPENDIX_ID}"' in html


def test_evidence_is_in_plain_words_and_hostile_text_is_escaped():
    criteria = shipped_criteria()
    first = criteria.criteria[0].id
    data = hand_made([{"case_id": '=HYPERLINK("http://example.invalid/x","open")', "states": {first: "not_met"}},
                      {"case_id": "T-02", "states": {first: "not_evidenced"}},
                      {"case_id": "T-03", "states": {first: "met"}}], criteria)
    data["cases"][1]["results"][first]["evidence"] = "nrm_referred_at is null"
    html = render_force_report(ResultsDocument.from_json(data), criteria, formats=["html"])["html"].decode()
    page = parsed(html)
    assert page.lists[f"cases-{first.lower()}"] == ['=HYPERLINK("http://example.invalid/x","open")', "T-02"]
    assert "referral to the National Referral Mechanism (NRM) not recorded" in html
    assert "nrm_referred_at" not in html.split(f'id="{APPENDIX_ID}"')[1]
    assert '<a href="http://example.invalid' not in html  # the case id is text, never a link
    assert f"{first}: not met in 1 case and not evidenced in 1, with the evidence" in html


def test_no_failing_case_means_no_appendix():
    criteria = shipped_criteria()
    first = criteria.criteria[0].id
    html = render_force_report(hand_made_results([{"case_id": "T-01", "states": {first: "met"}}], criteria),
                               criteria, formats=["html"])["html"].decode()
    assert APPENDIX_ID not in html and 'href="#cases-' not in html


def test_the_pdf_has_the_appendix_at_the_end():
    from pypdf import PdfReader

    pdf, _ = rendered_pdf()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    starts = [i for i, text in enumerate(pages) if "Cases behind each criterion" in text]
    method_end = [i for i, text in enumerate(pages) if "Criteria fingerprints" in text]  # the method's last part
    assert starts and method_end and starts[0] >= method_end[-1]
    appendix = "\n".join(pages[starts[0]:])
    document, criteria = example_results()
    for compiled in criteria.criteria:
        if failing(document, compiled.id):
            assert f"{compiled.id}:" in appendix
        for case_id in failing(document, compiled.id):
            assert case_id in appendix


def pdf_pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_each_list_heading_stays_with_its_first_case_in_the_pdf():
    pdf, _ = rendered_pdf()
    pages = pdf_pages(pdf)
    start = min(i for i, text in enumerate(pages) if "Cases behind each criterion" in text)
    document, criteria = example_results()
    for compiled in criteria.criteria:
        cases = failing(document, compiled.id)
        if not cases:
            continue
        heading = f"{compiled.id}: "
        on = [i for i in range(start, len(pages)) if heading in pages[i]]
        assert on, compiled.id
        page = pages[on[0]]
        assert cases[0] in page[page.index(heading):], f"{compiled.id}'s heading ends a page without its cases"


def test_a_list_over_several_pages_repeats_its_header_row():
    criteria = shipped_criteria()
    first = criteria.criteria[0].id
    document = hand_made_results([{"case_id": f"T-{n:03d}", "states": {first: "not_met"}} for n in range(1, 121)],
                                 criteria)
    pdf = render_force_report(document, criteria, formats=["pdf"])["pdf"]
    pages = pdf_pages(pdf)
    start = min(i for i, text in enumerate(pages) if "Cases behind each criterion" in text)
    listed = [i for i in range(start, len(pages)) if re.search(r"T-\d{3}", pages[i])]
    assert len(listed) > 1, "120 cases should take more than one page"
    for i in listed:
        assert re.search(r"Case\s+Result\s+Evidence", pages[i]), f"page {i + 1} has no header row"
    appendix = "\n".join(pages[start:])
    assert all(f"T-{n:03d}" in appendix for n in range(1, 121))
