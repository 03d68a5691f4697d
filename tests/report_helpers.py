"""Helpers for the programme, year-on-year and index report tests: golden files, the WeasyPrint log,
and the command line.

Golden files hold a report's HTML with the volatile parts normalised (the program's version, each
chart's drawing reduced to its title, the inlined stylesheet), as tests/test_render_html.py does for
the force report. After an intended change, rewrite them with
`THEMATIC_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_programme.py tests/test_render_comparison.py`
and review the diff.
"""
from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from thematic import __version__
from thematic.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"


def normalise(html: str) -> str:
    html = html.replace(f"thematic {__version__}", "thematic VERSION")
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, count=1, flags=re.S)
    return re.sub(r"(<svg [^>]*>)(<title [^>]*>[^<]*</title>).*?</svg>", r"\1\2…</svg>", html, flags=re.S)


def check_golden(name: str, html: str, tmp_root: Path | None = None) -> None:
    """Fail with a diff if the normalised HTML differs from tests/golden/NAME."""
    actual = normalise(html)
    if tmp_root is not None:  # file paths in the method section differ from run to run
        actual = actual.replace(str(tmp_root), "TMP")
    path = GOLDEN / name
    if os.environ.get("THEMATIC_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                 "golden", "actual", n=1))[:60])
        pytest.fail(f"{name} differs from the golden file (set THEMATIC_UPDATE_GOLDEN=1 to rewrite it):\n{diff}")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def logged_by_weasyprint(render: Callable[[], bytes]) -> tuple[bytes, tuple[str, ...]]:
    """What `render` returns, and every WeasyPrint warning or error logged meanwhile."""
    logger = logging.getLogger("weasyprint")
    records = _Records()
    logger.addHandler(records)
    try:
        result = render()
    finally:
        logger.removeHandler(records)
    return result, tuple(records.messages)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def words(text: str) -> str:
    """The words of a text, for comparing PDF text with what was meant: every run of white space
    as one space, none beside a dash or hyphen (a line may end after "8%–"), and no zero-width
    space (the PDF renderer adds them to break long words)."""
    text = re.sub(r"\s+", " ", text.replace("\u200b", ""))
    return re.sub(r" ?([-\u2010-\u2015\u2212]) ?", r"\1", text).strip()
