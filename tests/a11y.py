"""Checks that any report must pass, shared by every report's tests.

- `axe_violations`: axe-core (npm `axe-core`) injected into the page in real headless Chromium
  (Debian's `chromium`, driven by Playwright), WCAG 2.2 A and AA rules.
- `vnu_errors`: the Nu HTML Checker (npm `vnu-jar`) run with the machine's Java.
- `pdf_tagging_problems`: a PDF is tagged (PDF/UA): /MarkInfo /Marked, /Lang, /Title shown as the
  window title, a structure tree.
- `pdf_text` reads a PDF's text (poppler's pdftotext).
- `screenshot` and `pdf_first_page_png` make the first page a person can look at, and
  `blank_image_problem` says whether an image is blank.

A missing tool fails the test (never skips it) with the command that installs it: CI installs
them all (see .ci/run).
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

NPM_HINT = "install the npm tools with: (cd tools && npm ci --ignore-scripts)"
CHROMIUM_HINT = "install Chromium with: apt-get update && apt-get install -y chromium"
JAVA_HINT = "install Java with: apt-get update && apt-get install -y default-jre-headless"
POPPLER_HINT = "install pdftoppm and pdftotext with: apt-get update && apt-get install -y poppler-utils"


def require(path: Path, hint: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing; {hint}", pytrace=False)
    return path


def require_program(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; {hint}", pytrace=False)
    return found


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright), closed afterwards."""
    require(CHROMIUM, CHROMIUM_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(browser: Any, html_file: Path, tags: list[str] = WCAG_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations of `tags` for the page, each rule with its failing elements."""
    require(AXE_JS, NPM_HINT)
    page = browser.new_page()
    try:
        page.goto(html_file.resolve().as_uri())
        return axe_page_violations(page, tags)
    finally:
        page.close()


def axe_page_violations(page: Any, tags: list[str] = WCAG_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations of `tags` for a page already open (a live server's, signed in).

    axe is injected as a script element: a page whose Content-Security-Policy forbids inline script
    needs its browser context made with `bypass_csp=True`.
    """
    require(AXE_JS, NPM_HINT)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def vnu_errors(*html_files: Path) -> dict[Path, list[dict[str, Any]]]:
    """The Nu HTML Checker's error messages for each file (warnings and info left out); one Java run."""
    require(VNU_JAR, NPM_HINT)
    java = require_program("java", JAVA_HINT)
    completed = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, html_files)],
        capture_output=True, text=True, timeout=300,
    )
    # vnu writes its JSON report to standard error.
    report = json.loads(completed.stderr or completed.stdout)
    errors: dict[Path, list[dict[str, Any]]] = {path: [] for path in html_files}
    by_uri = {"file:" + str(path.resolve()): path for path in html_files}  # vnu writes file:/abs/path
    for message in report["messages"]:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            path = by_uri.get(message.get("url", ""))
            if path is None:  # a message about no file in particular: count it against all
                for found in errors.values():
                    found.append(message)
            else:
                errors[path].append(message)
    return errors


def describe_vnu(errors: list[dict[str, Any]]) -> str:
    return "\n".join(f"line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')[:80]!r}]" for m in errors)


def pdf_tagging_problems(pdf: bytes) -> list[str]:
    """What keeps a PDF from being a tagged, titled PDF in a stated language (empty when it is)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    problems = []
    mark = root.get("/MarkInfo")
    if mark is None or not mark.get_object().get("/Marked"):
        problems.append("not marked as tagged (/MarkInfo /Marked true)")
    if not root.get("/Lang"):
        problems.append("no document language (/Lang)")
    if "/StructTreeRoot" not in root:
        problems.append("no structure tree (/StructTreeRoot)")
    preferences = root.get("/ViewerPreferences")
    if preferences is None or not preferences.get_object().get("/DisplayDocTitle"):
        problems.append("the title is not shown as the window title (/ViewerPreferences /DisplayDocTitle)")
    title = (reader.metadata or {}).get("/Title")
    if not title:
        problems.append("no document title (/Title)")
    return problems


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order (poppler's pdftotext, much faster than pypdf on long reports)."""
    pdftotext = require_program("pdftotext", POPPLER_HINT)
    completed = subprocess.run([pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                               check=True, timeout=120)
    return completed.stdout.decode("utf-8")


def screenshot(browser: Any, html_file: Path, png_file: Path, width: int = 1200, height: int = 1400) -> Path:
    """The first screen of the page as a PNG."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(html_file.resolve().as_uri())
        page.screenshot(path=str(png_file))
    finally:
        page.close()
    return png_file


def pdf_first_page_png(pdf_file: Path, png_stem: Path) -> Path:
    """The PDF's first page as PNG (poppler's pdftoppm), at 80 dpi."""
    pdftoppm = require_program("pdftoppm", POPPLER_HINT)
    subprocess.run([pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf_file), str(png_stem)],
                   check=True, capture_output=True, timeout=120)
    return png_stem.with_suffix(".png")


def blank_image_problem(png_file: Path, min_ink: float = 0.01) -> str | None:
    """Why the image looks blank (one colour, or almost no dark pixels), or None if it does not."""
    from PIL import Image

    with Image.open(png_file) as image:
        grey = image.convert("L")
        width, height = grey.size
        if width < 100 or height < 100:
            return f"image is only {width}x{height} pixels"
        low, high = grey.getextrema()
        if high - low < 64:
            return f"image is nearly one colour (grey levels {low}–{high})"
        histogram = grey.histogram()
        dark = sum(histogram[:128])
        if dark / (width * height) < min_ink:
            return f"only {dark} of {width * height} pixels are dark"
    return None
