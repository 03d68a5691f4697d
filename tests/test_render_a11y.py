"""The force report in a real browser: axe-core finds no WCAG 2.2 A/AA violation in headless
Chromium, the Nu HTML Checker finds no error, and the first screen is a picture worth looking at.

Needs Chromium (apt `chromium`), Java and the npm tools in tools/ (`npm ci`): a missing one fails
the test with the command that installs it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from a11y import (
    axe_violations,
    blank_image_problem,
    chromium,
    describe_violations,
    describe_vnu,
    screenshot,
    vnu_errors,
)
from render_samples import rendered_html

from thematic.core import typeface

VARIANTS = {"full": None, "suppressed": 5}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    files = {}
    for name, suppress_below in VARIANTS.items():
        files[name] = folder / f"force-{name}.html"
        files[name].write_text(rendered_html(suppress_below), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("variant", VARIANTS)
def test_axe_finds_no_wcag_22_a_or_aa_violation(browser, pages, variant):
    violations = axe_violations(browser, pages[variant])
    assert violations == [], describe_violations(violations)


def test_axe_finds_a_planted_violation(browser, tmp_path):
    # The check itself must be able to fail: an image without alternative text and a low-contrast line.
    page = tmp_path / "bad.html"
    # The packaged font travels with the page, as in every report: Chromium needs no font of the machine's
    style = typeface.embedded_font_faces("BadfaintBad") + f'body {{ font-family: "{typeface.FAMILY}"; }}'
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>Bad</title><style>' + style + '</style></head>'
                    '<body><main><h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                    '<p style="color:#bbbbbb;background:#ffffff">faint</p></main></body></html>')
    found = {v["id"] for v in axe_violations(browser, page)}
    assert {"image-alt", "color-contrast"} <= found


@pytest.fixture(scope="module")
def validated(pages) -> dict[str, list]:
    """The validator's errors for each page and for a page with planted errors (one Java run)."""
    bad = pages["full"].parent / "planted.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body>'
                   '<p id="a">one</p><p id="a">two</p><table><tr><td>x</td></tr></body></html>')
    errors = vnu_errors(*pages.values(), bad)
    return {name: errors[path] for name, path in [*pages.items(), ("planted", bad)]}


@pytest.mark.parametrize("variant", VARIANTS)
def test_html_validator_finds_no_error(validated, variant):
    assert validated[variant] == [], describe_vnu(validated[variant])


def test_html_validator_finds_a_planted_error(validated):
    assert any("Duplicate ID" in m["message"] for m in validated["planted"])


def test_first_screen_renders_to_a_non_blank_png(browser, pages, tmp_path):
    png = screenshot(browser, pages["full"], tmp_path / "force-first-screen.png")
    assert blank_image_problem(png) is None


@pytest.mark.parametrize(
    ("name", "hint"),
    [("AXE_JS", "npm ci --ignore-scripts"), ("VNU_JAR", "npm ci --ignore-scripts"),
     ("CHROMIUM", "apt-get install -y chromium")],
)
def test_a_missing_tool_fails_with_how_to_install_it(monkeypatch, tmp_path, name, hint):
    import a11y

    monkeypatch.setattr(a11y, name, tmp_path / "not-installed")
    with pytest.raises(pytest.fail.Exception, match=hint):
        if name == "AXE_JS":
            a11y.axe_violations(None, tmp_path / "page.html")
        elif name == "VNU_JAR":
            a11y.vnu_errors(tmp_path / "page.html")
        else:
            with a11y.chromium():
                pass
