"""PDF from the report's HTML: WeasyPrint, tagged PDF/UA-1, and its log errors raised, not lost.

WeasyPrint reports accessibility failures (no `lang`, an image without alternative text, a
missing title) and unreadable content as log records at ERROR level and still writes a PDF.
`html_to_pdf` listens to the `weasyprint` logger while it works and raises `PdfError` listing
every such message, so a report that is not accessible is never written.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Sequence

from thematic.errors import ThematicError

PDF_VARIANT = "pdf/ua-1"
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
    from weasyprint import CSS, HTML  # imported here: it is slow to import and only the PDF needs it

    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    with _LOCK:
        level = logger.level
        if logger.getEffectiveLevel() > logging.ERROR:  # someone silenced it: errors must still reach us
            logger.setLevel(logging.ERROR)
        logger.addHandler(collect)
        try:
            extra = [CSS(string=css) for css in stylesheets]
            pdf = HTML(string=html, base_url=base_url).write_pdf(stylesheets=extra, pdf_variant=PDF_VARIANT)
        finally:
            logger.removeHandler(collect)
            logger.setLevel(level)
    if collect.messages:
        raise PdfError(collect.messages)
    if pdf is None:  # write_pdf returns bytes when given no target
        raise PdfError(["no PDF was produced"])
    return pdf
