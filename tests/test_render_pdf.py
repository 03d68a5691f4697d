"""The force report's PDF: tagged PDF/UA-1 with language and title, WeasyPrint's log watched, the
key findings in its text, and a first page a person can look at."""
from __future__ import annotations

import logging

import pytest
from a11y import blank_image_problem, pdf_first_page_png, pdf_tagging_problems, pdf_text
from render_samples import example_results, hand_made, rendered_pdf
from report_helpers import words

from thematic.model.results import ResultsDocument
from thematic.render.context import force_report_context
from thematic.render.pdf import PdfError, html_to_pdf

PAGE = ('<!DOCTYPE html><html{lang}><head><meta charset="utf-8"><title>Test</title></head>'
        "<body><main>{body}</main></body></html>")
PIXEL = ("data:image/png;base64,"
         "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.mark.parametrize(
    ("lang", "body", "message"),
    [
        ("", "<p>No language</p>", 'Missing required "lang"'),
        (' lang="en"', f'<img src="{PIXEL}">', "has no required alt description"),
    ],
)
def test_weasyprint_log_errors_are_raised_not_lost(lang, body, message):
    with pytest.raises(PdfError, match=message):
        html_to_pdf(PAGE.format(lang=lang, body=body))


def test_log_errors_are_caught_even_when_the_weasyprint_logger_is_silenced():
    logger = logging.getLogger("weasyprint")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with pytest.raises(PdfError):
            html_to_pdf(PAGE.format(lang="", body="<p>x</p>"))
        assert logger.level == logging.CRITICAL  # put back as it was
    finally:
        logger.setLevel(before)


def test_an_accessible_page_makes_a_tagged_pdf():
    pdf = html_to_pdf(PAGE.format(lang=' lang="en-GB"', body=f'<p>Text</p><img src="{PIXEL}" alt="one pixel">'))
    assert pdf.startswith(b"%PDF-")
    assert pdf_tagging_problems(pdf) == []


def test_tagging_check_finds_an_untagged_pdf():
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from thematic.core import typeface
    from thematic.render.pdf import _fetcher

    # WeasyPrint without PDF/UA, but with the packaged font: the suite needs no font of the machine's
    fonts, fetcher = FontConfiguration(), _fetcher()
    faces = CSS(string=typeface.pdf_font_faces() + f'html {{ font-family: "{typeface.FAMILY}"; }}',
                font_config=fonts, url_fetcher=fetcher)
    untagged = HTML(string=PAGE.format(lang="", body="<p>x</p>"), url_fetcher=fetcher).write_pdf(
        stylesheets=[faces], font_config=fonts)
    problems = pdf_tagging_problems(untagged)
    assert "not marked as tagged (/MarkInfo /Marked true)" in problems
    assert "no document language (/Lang)" in problems


@pytest.mark.parametrize("suppress_below", [None, 5])
def test_report_pdf_is_tagged_with_language_and_title(suppress_below):
    import io

    from pypdf import PdfReader

    pdf, _ = rendered_pdf(suppress_below)
    assert pdf_tagging_problems(pdf) == []
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata["/Title"] == ("Exampleshire Police child protection inspection 2019 (fictional): "
                                         "case file analysis")


@pytest.mark.parametrize("suppress_below", [None, 5])
def test_rendering_the_report_logs_no_weasyprint_warning_or_error(suppress_below):
    _, logged = rendered_pdf(suppress_below)
    assert logged == ()


def test_pdf_text_contains_the_key_findings():
    document, criteria = example_results()
    report = force_report_context(document, criteria)
    text = words(pdf_text(rendered_pdf()[0]))
    assert "Key findings" in text
    for finding in report.key_findings:
        assert words(finding.summary) in text, finding.theme.id
        assert words(finding.weakest_text) in text, finding.theme.id
        assert words(finding.theme.finding.summary) in text, finding.theme.id
        for quote in finding.theme.finding.quotes:
            assert words(quote.text) in text, finding.theme.id


def test_suppressed_pdf_names_no_case():
    text = pdf_text(rendered_pdf(5)[0])
    assert "EXA-2019-" not in text
    assert "fewer than 5" in text


def test_first_page_renders_to_a_non_blank_png(tmp_path):
    pdf_file = tmp_path / "report.pdf"
    pdf_file.write_bytes(rendered_pdf()[0])
    png = pdf_first_page_png(pdf_file, tmp_path / "report-page-1")
    assert png.is_file()
    assert blank_image_problem(png) is None


def test_blank_image_check_finds_a_blank_page(tmp_path):
    from PIL import Image

    Image.new("RGB", (400, 600), "white").save(tmp_path / "blank.png")
    assert "nearly one colour" in blank_image_problem(tmp_path / "blank.png")


# --- long words ----------------------------------------------------------------------------------

def test_a_run_of_24_characters_gets_break_opportunities_and_23_does_not():
    from thematic.render.pdf import LONG_WORD, STEP, breakable

    assert (LONG_WORD, STEP) == (24, 8)
    assert breakable("<body><p>" + "x" * 23 + "</p>") == "<body><p>" + "x" * 23 + "</p>"
    assert breakable("<body><p>" + "x" * 24 + "</p>") == "<body><p>" + "\u200b".join(["x" * 8] * 3) + "</p>"
    # an entity counts as one character and is never cut; tags, styles, SVG and the title are left alone
    run = "a" * 7 + "&amp;" + "b" * 16
    assert breakable(f"<body><td>{run}</td>") == "<body><td>aaaaaaa&amp;\u200bbbbbbbbb\u200bbbbbbbbb</td>"
    untouched = (f'<head><title>{"t" * 30}</title><style>{"s" * 30}</style></head>'
                 f'<body><p class="{"c" * 30}"><svg><text>{"v" * 30}</text></svg></p>')
    assert breakable(untouched) == untouched


def long_word_report(length: int) -> tuple[ResultsDocument, object]:
    from thematic.load.criteria import shipped_criteria_path
    from thematic.scoring.criteria import load_criteria

    criteria = load_criteria(shipped_criteria_path())
    word = "x" * length
    document = hand_made([{"case_id": "T-01", "states": {"RISK-01": "not_met", "TIM-01": "error"},
                           "data_quality": [word] if length else []},
                          {"case_id": "T-02", "states": {"TIM-01": "met"}}], criteria)
    for cid in ("RISK-01", "TIM-01"):
        document["cases"][0]["results"][cid]["evidence"] = word or "short evidence"
    return ResultsDocument.from_json(document), criteria


def test_a_20000_character_word_in_evidence_and_notes_breaks_and_is_printed_whole():
    """WeasyPrint's layout time grows with the square of an unbroken word's length (52.9 s for
    50,000 characters), so every long run of text gets break opportunities before layout. The time
    itself is measured by benchmarks/bench_long_words.py, not here."""
    from thematic.render.force import render_force_report
    from thematic.render.pdf import LONG_WORD, STEP, breakable

    document, criteria = long_word_report(20_000)
    html = render_force_report(document, criteria, formats=["html"])["html"].decode("utf-8")
    assert "x" * 20_000 in html  # the HTML keeps the word as written
    laid_out = breakable(html)
    assert "x" * (STEP + 1) not in laid_out and "x" * STEP in laid_out
    assert laid_out.replace("\u200b", "") == html  # only break opportunities were added
    assert breakable("<p>" + "y" * (LONG_WORD - 1) + "</p>") == "<p>" + "y" * (LONG_WORD - 1) + "</p>"
    assert "\u200b" in breakable("<p>" + "y" * LONG_WORD + "</p>")  # exactly at the limit: broken

    printed = {length: pdf_text(render_force_report(*long_word_report(length), formats=["pdf"])["pdf"]).count("x")
               for length in (0, 20_000)}
    assert printed[20_000] - printed[0] == 4 * 20_000  # RISK-01's evidence twice (cases to look at, the appendix)
