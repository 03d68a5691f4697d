"""PDF from the report's HTML: WeasyPrint, tagged PDF/UA-1, and its log errors raised, not lost.

WeasyPrint reports accessibility failures (no `lang`, an image without alternative text, a
missing title) and unreadable content as log records at ERROR level and still writes a PDF.
`html_to_pdf` listens to the `weasyprint` logger while it works and raises `PdfError` listing
every such message, so a report that is not accessible is never written.

Text is set only in the packaged Noto Sans (`thematic.core.typeface`): its `@font-face` rules are
added here, whatever the templates say, and their `thematic-font:` URLs are served from memory by
`_Fetcher`, which fetches nothing else but `data:` URIs, so a template cannot make the PDF read a
local file or the network. Long unbroken words get break opportunities (`breakable`), since
WeasyPrint's line breaking takes time in the square of a word's length.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from thematic.core import typeface
from thematic.core.errors import ThematicError

PDF_VARIANT = "pdf/ua-1"
#: A run of this many characters with no break opportunity gets one (a zero-width space) after
#: every STEP characters. WeasyPrint lays out a line from a slice of about four characters per
#: em of width and falls back to the whole rest of the text when the slice cannot break, so
#: STEP must be well under the width of the narrowest column in characters.
LONG_WORD = 24
STEP = 8
_LOCK = threading.Lock()  # the weasyprint logger is global: one conversion watches it at a time


@dataclass
class PdfError(ThematicError):
    """WeasyPrint logged errors while making a PDF; no PDF is returned."""

    messages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "WeasyPrint reported errors: " + "; ".join(self.messages)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = (), base_url: str | None = None) -> bytes:
    """The tagged PDF/UA-1 of a self-contained HTML document, with extra CSS for paged media.

    PdfError if WeasyPrint logs an error.
    """
    # Imported here: it is slow to import and only the PDF needs it. WeasyPrint ships no type hints.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    with _LOCK:
        level = logger.level
        if logger.getEffectiveLevel() > logging.ERROR:  # someone silenced it: errors must still reach us
            logger.setLevel(logging.ERROR)
        logger.addHandler(collect)
        try:
            fonts, fetcher = FontConfiguration(), _fetcher()
            extra = [CSS(string=css, font_config=fonts, url_fetcher=fetcher)
                     for css in (typeface.pdf_font_faces(), *stylesheets)]
            pdf: bytes | None = HTML(string=breakable(html), base_url=base_url, url_fetcher=fetcher).write_pdf(
                stylesheets=extra, pdf_variant=PDF_VARIANT, font_config=fonts)
        finally:
            logger.removeHandler(collect)
            logger.setLevel(level)
    if collect.messages:
        raise PdfError(collect.messages)
    if pdf is None:  # write_pdf returns bytes when given no target
        raise PdfError(["no PDF was produced"])
    return pdf


_SKIPPED = re.compile(r"(<(svg|style|script|title)\b.*?</\2\s*>|<[^>]*>)", re.S | re.I)
_UNBROKEN = re.compile(r"(?:&#?\w+;|[^\s<>&\u200b]|&){" + str(LONG_WORD) + ",}")
_UNIT = re.compile(r"&#?\w+;|.", re.S)  # a character, or an entity, never split


def breakable(html: str) -> str:
    """`html` with a zero-width space after every STEP characters of each run of LONG_WORD or
    more characters of text without a break opportunity (not in tags, SVG, styles or titles)."""
    head, body_tag, body = html.partition("<body")
    if not body_tag:
        head, body = "", html
    parts = _SKIPPED.split(body)
    # split() returns text, then for each match the whole match and its name group.
    out = [head + body_tag]
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_UNBROKEN.sub(_break_run, part))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def _break_run(match: re.Match[str]) -> str:
    units = _UNIT.findall(match.group(0))
    return "\u200b".join("".join(units[i:i + STEP]) for i in range(0, len(units), STEP))


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher for the packaged faces and `data:` URIs, refusing everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]  # no type hints

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            face = typeface.face_for_url(url)
            if face is not None:
                return URLFetcherResponse(url, face, {"Content-Type": "font/ttf"})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"a report may not load {url[:80]}: only data: URIs are allowed")

    return Fetcher(allowed_protocols=("data",))
