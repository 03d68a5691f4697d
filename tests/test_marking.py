"""Publication details (issue 12 item 10): a protective marking at the top and bottom of every report
page (default OFFICIAL-SENSITIVE, `--marking` to change it, a bad one refused with exit 2), and the
date produced with the versions of thematic and of the criteria, in the HTML and the PDF."""
from __future__ import annotations

import io
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from pypdf import PdfReader

from thematic import __version__
from thematic.cli import main
from thematic.core.errors import InputError
from thematic.render.index import IndexPage, render_index
from thematic.render.publication import Publication, check_marking, css_string, production_date

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inspections" / "exampleshire-2019.yaml"
CRITERIA = yaml.safe_load((ROOT / "criteria" / "ncpi-thematic-2019.yaml").read_text())
#: Quotes, an ampersand and angle brackets: each must print as written, never as markup or CSS.
MARKING = 'OFFICIAL "TEST" & <X>'
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _produced() -> date:
    # tests/conftest.py fixes SOURCE_DATE_EPOCH, so every report of a test run says the same date
    return datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), UTC).date()


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    out = tmp_path_factory.mktemp("marked")
    assert main(["run", str(EXAMPLE), "-o", str(out), "--marking", MARKING]) == 0
    return out


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the marking, checked ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"),
    ("  OFFICIAL  ", "OFFICIAL"),
    ("x" * 60, "x" * 60),
    ("OFFICIAL-SENSITIVE PERSONAL", "OFFICIAL-SENSITIVE PERSONAL"),
])
def test_a_short_printable_line_is_a_marking(text, expected):
    assert check_marking(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("   ", "empty"),
    ("x" * 61, "61 characters long; at most 60"),
    ("OFFICIAL\nSENSITIVE", "one line of printable text"),
    ("OFFICIAL\tSENSITIVE", "one line of printable text"),
    ("OFFICIAL\x07", "one line of printable text"),
    ("OFFICIAL\u200bSENSITIVE", "one line of printable text"),  # a zero-width space hides in a header
])
def test_anything_else_is_refused_naming_the_option(text, message):
    with pytest.raises(InputError) as caught:
        check_marking(text)
    assert caught.value.problems[0].file == "--marking"
    assert message in str(caught.value)


def test_in_css_the_marking_cannot_leave_its_string():
    css = css_string('A"B\\C</style>{}')
    assert css.startswith('"') and css.endswith('"')
    inner = str(css)[1:-1]
    assert not set('"\\<>{}') & set(inner.replace("\\22 ", "").replace("\\5c ", "").replace("\\3c ", "")
                                    .replace("\\3e ", "").replace("\\7b ", "").replace("\\7d ", "")
                                    .replace("\\2f ", ""))


# --- the date produced and the versions ----------------------------------------------------------

def test_the_date_produced_is_today_or_that_of_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1733356800")  # 2024-12-05T00:00:00Z
    assert production_date() == date(2024, 12, 5)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = date.today()
    assert production_date() in (before, date.today())  # the day may turn while the test runs


def test_a_bad_source_date_epoch_is_an_input_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH: 'yesterday' is not a whole number of seconds"):
        production_date()


@pytest.mark.parametrize("criteria, expected", [
    ([], f"Produced 5 March 2021 with thematic {__version__}"),
    ([("ncpi-thematic-2019", "1")], f"Produced 5 March 2021 with thematic {__version__}, criteria "
                                    "ncpi-thematic-2019 version 1"),
    ([("a", "1"), ("a", "1"), ("a", "2"), ("b", "1")],
     f"Produced 5 March 2021 with thematic {__version__}, criteria a version 1, a version 2 and b version 1"),
])
def test_the_line_names_each_criteria_version_once(criteria, expected):
    publication = Publication.of("OFFICIAL", criteria)
    publication = Publication(publication.marking, publication.criteria, produced=date(2021, 3, 5))
    assert publication.line == expected


# --- in the reports ------------------------------------------------------------------------------

def test_the_html_has_the_marking_top_and_bottom_and_the_production_line(ran):
    page = (ran / "report.html").read_text()
    escaped = str(escape(MARKING))  # as Jinja2 escapes it
    header = page[page.index('<header class="masthead">'):page.index("</header>")]
    footer = page[page.index('<footer class="footer">'):page.index("</footer>")]
    assert f'<p class="marking">{escaped}</p>' in header
    assert f'<p class="marking">{escaped}</p>' in footer
    produced = _produced()
    line = " ".join(re.sub(r"<[^>]+>", "", footer).split())
    assert (f"Produced {produced.day} {MONTHS[produced.month - 1]} {produced.year} with thematic {__version__}, "
            f"criteria {CRITERIA['id']} version {CRITERIA['version']}.") in line
    assert f'<time datetime="{produced.isoformat()}">' in footer


def test_every_pdf_page_has_the_marking_top_and_bottom(ran):
    pages = PdfReader(io.BytesIO((ran / "report.pdf").read_bytes())).pages
    assert len(pages) > 5
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert _squeezed(text).count(_squeezed(MARKING)) == 2, f"page {number}: {text[:60]!r} … {text[-60:]!r}"
    last = " ".join(pages[-1].extract_text().split())
    assert f"with thematic {__version__}, criteria {CRITERIA['id']} version {CRITERIA['version']}" in last


def test_without_the_option_reports_are_marked_official_sensitive(ran, tmp_path):
    assert main(["report", str(ran / "results.json"), "-o", str(tmp_path), "--format", "html"]) == 0
    page = (tmp_path / "report.html").read_text()
    assert page.count('<p class="marking">OFFICIAL-SENSITIVE</p>') == 2
    assert "TEST" not in page


def test_a_page_whose_template_replaces_the_footer_keeps_the_marking_and_the_production_line():
    # index.html.j2 fills the footer block with its own words: the marking and the line stay
    page = render_index(IndexPage("Index", "", "", (), ()), marking="OFFICIAL")
    footer = page[page.index('<footer class="footer">'):]
    assert '<p class="marking">OFFICIAL</p>' in footer and "Produced <time" in footer
    assert "Every figure in the reports" in footer


@pytest.mark.parametrize("command", [
    ["run", str(EXAMPLE)],
    ["report", "results.json"],
    ["compare", "a.json", "b.json"],
    ["compare-assessors", "a.json", "b.json", "--report", "out"],
    ["demo"],
    ["workbook", str(EXAMPLE)],
])
@pytest.mark.parametrize("marking", ["", "OFFICIAL\nSENSITIVE", "x" * 61])
def test_every_command_that_writes_reports_refuses_a_bad_marking_with_exit_2(command, marking, tmp_path, capsys):
    target = tmp_path / "out"
    assert main([*command, "-o", str(target), "--marking", marking]) == 2
    err = capsys.readouterr().err
    assert "--marking" in err and "Traceback" not in err
    assert not target.exists()
