"""Every report is set in the packaged Noto Sans, whatever fonts the machine has (issue 11).

- The PDF of every kind of report (force, force with agreement, programme, year-on-year,
  self-assessment) embeds Noto Sans faces and nothing else (poppler's `pdffonts`), also when
  fontconfig knows no font at all (FONTCONFIG_FILE pointing at a configuration with no <dir>).
- The HTML of every kind, and the index page, carries the faces as WOFF data URIs cut to the
  characters the page uses, names no other family, and every character it prints has a glyph.
- The characters reports print (en dash, minus sign, curly quotes, ±, ×, …) all have glyphs, and
  the PDF renderer fetches nothing but the packaged faces and data: URIs.
"""
from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from a11y import POPPLER_HINT, require_program
from render_samples import example_results, hand_made, rendered_html, rendered_pdf
from results_factory import results_doc, write

from thematic.core import typeface

TESTS = Path(__file__).resolve().parent
COUNTS = {"alpha": {"X-01": (42, 50), "X-02": (40, 50)}, "bravo": {"X-01": (22, 50), "X-02": (27, 50)}}
BEFORE = {"X-01": (14, 20), "X-02": (4, 20)}
AFTER = {"X-01": (9, 20), "X-02": (17, 20)}  # a fall: its change is printed with a minus sign


def render_every_kind(folder: Path, kinds: tuple[str, ...]) -> dict[str, dict[str, bytes]]:
    """{kind: {"html": bytes, "pdf": bytes}} for each kind of report, from small samples."""
    from thematic.load.results import load_results

    made: dict[str, dict[str, bytes]] = {}
    if "force" in kinds:
        from thematic.render.force import render_force_report

        document, criteria = example_results()
        made["force"] = render_force_report(document, criteria)
    if "agreement" in kinds:
        from test_render_agreement import write_answers

        from thematic.load.sample import load_sample
        from thematic.render.force import render_force_report
        from thematic.scoring.inspection import inspection_results
        from thematic.scoring.prepare import load_inspection
        from thematic.stats.agreement import agreement_from_sample

        inspection = load_inspection(write_answers(folder / "agreement"))
        made["agreement"] = render_force_report(inspection_results(inspection), inspection.criteria,
                                                agreement=agreement_from_sample(load_sample(inspection)).to_json())
    if "programme" in kinds:
        from thematic.render.programme import render_programme_report
        from thematic.stats.programme import build_programme

        results = [load_results(write(folder / f"{force}.json", results_doc(
            counts, inspection=f"{force}-2019", force=force, cases=50))) for force, counts in COUNTS.items()]
        made["programme"] = render_programme_report(build_programme(results), results)
    if "comparison" in kinds:
        from thematic.render.comparison import render_comparison_report
        from thematic.stats.compare import compare

        before = load_results(write(folder / "before.json", results_doc(BEFORE, inspection="t-2015", year=2015,
                                                                        cases=20)))
        after = load_results(write(folder / "after.json", results_doc(AFTER, inspection="t-2019", cases=20)))
        made["comparison"] = render_comparison_report(compare(before, after))
    if "assessors" in kinds:
        from thematic.load.results import load_case_states_files
        from thematic.render.assessors import assessors_report, render_assessors_report  # noqa: F401
        from thematic.stats.assessors import compare_assessors

        sides = []
        for name, states in (("force", ["met"] * 6), ("inspectors", ["met"] * 3 + ["not_met"] * 3)):
            document = hand_made([{"case_id": f"T-{i}", "states": {"TIM-01": s}} for i, s in enumerate(states)])
            document["inspection"]["id"] = f"testshire-{name}-2019"
            sides.append(write(folder / f"{name}.json", document))
        made["assessors"] = render_assessors_report(compare_assessors(*load_case_states_files(sides)))
    return made


def pdf_font_names(pdf: bytes, folder: Path) -> list[str]:
    """The base names of the fonts a PDF uses, without the subset tag ("Noto-Sans-Bold")."""
    pdffonts = require_program("pdffonts", POPPLER_HINT)
    path = folder / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split()[0].split("+", 1)[-1] for line in lines[2:] if line.strip()]


def only_noto_sans(names: list[str]) -> bool:
    return bool(names) and all(re.fullmatch(r"Noto-?Sans(-[A-Za-z]+)?", name) for name in names)


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    return render_every_kind(tmp_path_factory.mktemp("kinds"),
                             ("agreement", "programme", "comparison", "assessors"))


@pytest.mark.parametrize("kind", ["force", "agreement", "programme", "comparison", "assessors"])
def test_every_kind_of_pdf_embeds_only_noto_sans(every_kind, tmp_path, kind):
    pdf = rendered_pdf()[0] if kind == "force" else every_kind[kind]["pdf"]
    names = pdf_font_names(pdf, tmp_path)
    assert only_noto_sans(names), names
    assert "Noto-Sans" in names or "NotoSans" in names  # the regular face sets the text


EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def test_pdfs_are_the_same_family_on_a_machine_with_no_fonts(tmp_path):
    config = tmp_path / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=tmp_path / "cache"), encoding="utf-8")
    script = ("import sys, json, pathlib; sys.path.insert(0, sys.argv[1]);"
              "from test_render_fonts import render_every_kind;"
              "out = pathlib.Path(sys.argv[2]);"
              "made = render_every_kind(out, ('force', 'comparison'));"
              "[(out / (k + '.pdf')).write_bytes(v['pdf']) for k, v in made.items()]")
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, str(TESTS), str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    # fontconfig really saw no font: the check would pass vacuously otherwise
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True).stdout
    assert listed.strip() == ""
    for kind in ("force", "comparison"):
        names = pdf_font_names((tmp_path / f"{kind}.pdf").read_bytes(), tmp_path)
        assert only_noto_sans(names), (kind, names)


def embedded_cmaps(html: str) -> list[set[int]]:
    from fontTools.ttLib import TTFont

    data = re.findall(r'url\("data:font/woff;base64,([^"]+)"\)', html)
    return [set(TTFont(io.BytesIO(base64.b64decode(d))).getBestCmap()) for d in data]


def visible_text(html: str) -> str:
    import html as html_lib

    body = html[html.index("<body"):]
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("kind", ["force", "agreement", "programme", "comparison", "assessors", "index"])
def test_html_carries_a_subset_of_the_faces_covering_every_character_it_prints(every_kind, tmp_path, kind):
    if kind == "force":
        html = rendered_html()
    elif kind == "index":
        html = index_html(tmp_path)
    else:
        html = every_kind[kind]["html"].decode()
    style = html[html.index("<style>"):html.index("</style>")]
    assert style.count("@font-face") == 4 and 'font-family: "Noto Sans"' in style
    for other in ("Arial", "Liberation", "Helvetica", "DejaVu", "Courier", "monospace"):
        assert other not in style, other
    printed = {ord(c) for c in visible_text(html) if c >= " "}
    for cmap in embedded_cmaps(html):
        assert printed - cmap == set(), sorted(chr(c) for c in printed - cmap)
        assert len(cmap) < 200  # a subset, not the whole face (over 3,000 glyphs)


def index_html(folder: Path) -> str:
    from thematic.render.index import IndexEntry, IndexPage, IndexSection, render_index

    entry = IndexEntry("Northmoor 2019 – “fictional”", (("HTML", "northmoor/report.html"),), "8 cases; −5 points")
    return render_index(IndexPage("Demo", "Reports.", "Fictional.",
                                  (IndexSection("Forces", "forces", "All.", (entry,)),),
                                  ("thematic demo",)))


def test_embedded_subsets_are_the_same_bytes_every_time():
    text = "Lowest: TIM-04, “Did police protection end?”: −5 points, 33%–77% ± 2"
    first = typeface.embedded_font_faces(text)
    typeface._subset.cache_clear()
    assert typeface.embedded_font_faces(text) == first


@pytest.mark.parametrize("character", list("–—−“”‘’±×÷…·°£€\u00a0\u202f"))
def test_characters_reports_print_have_a_glyph(character):
    assert typeface.missing_glyphs(character) == set()


def test_the_minus_sign_is_drawn_as_wide_as_a_plus(tmp_path):
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(typeface.face_bytes("normal", "normal")))
    cmap, widths = font.getBestCmap(), font["hmtx"]
    assert widths[cmap[0x2212]][0] == widths[cmap[ord("+")]][0]


def test_report_text_uses_no_character_the_faces_lack():
    """Noto Sans lacks arrows and ≥ ≤: a report printing one would fall back to a system font."""
    html = rendered_html()
    assert typeface.missing_glyphs(visible_text(html)) == set()


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "thematic-font:../../etc/passwd"])
def test_the_pdf_renderer_fetches_nothing_but_the_faces_and_data_uris(url):
    from thematic.render.pdf import _fetcher

    with pytest.raises(ValueError, match="only data: URIs are allowed"):
        _fetcher().fetch(url)
    assert _fetcher().fetch("data:text/plain,hi").read() == b"hi"
    assert _fetcher().fetch("thematic-font:NotoSans-Regular.ttf").read()[:4] == b"\x00\x01\x00\x00"
