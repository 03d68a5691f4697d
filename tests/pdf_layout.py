"""Overprinted text in a PDF: every word's box on every page, from poppler's `pdftotext -bbox-layout`,
and the pairs of words whose boxes overlap.

Words that merely touch (a box ends where the next begins, within a rounding tolerance of 0.6 pt
either way) are fine; two distinct words whose boxes overlap by more than that, across and down, are
overprinted, whether they are table cells running into each other, lines of a heading set tighter
than their boxes, or chart labels colliding (charts are inline SVG, drawn as text in the PDF). There
is no other allowance: a strip of overlap between lines, or between chart labels one above the
other, counts.

    .venv/bin/python tests/pdf_layout.py report.pdf   # prints each overlap, exits 1 if there is any
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)


@dataclass(frozen=True)
class Overlap:
    first: Word
    second: Word
    width: float
    height: float

    def __str__(self) -> str:
        a, b = self.first, self.second
        return (f"page {a.page}: {a.text!r} ({a.x0:.1f},{a.y0:.1f})-({a.x1:.1f},{a.y1:.1f}) overlaps "
                f"{b.text!r} ({b.x0:.1f},{b.y0:.1f})-({b.x1:.1f},{b.y1:.1f}) "
                f"by {self.width:.1f} x {self.height:.1f} pt")


def words(pdf: bytes | Path) -> list[Word]:
    """Every word on every page with its box in points (origin at the top left of its page)."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", "-", "-"], input=data,
                           capture_output=True, check=True).stdout
    root = ET.fromstring(xhtml)
    found = []
    for number, page in enumerate(root.iter(f"{_NS}page"), start=1):
        for word in page.iter(f"{_NS}word"):
            box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            found.append(Word(number, word.text or "", *box))
    return found


def overlaps(pdf: bytes | Path, *, tolerance: float = 0.6) -> list[Overlap]:
    """Pairs of words on one page whose boxes overlap by more than `tolerance` points both across and
    down. A word's box runs from the font's ascent to its descent (about 1.36 em for Noto Sans), so
    lines must be set at least that far apart: the reports' print style sets headings so."""
    return overlapping(words(pdf), tolerance=tolerance)


def overlapping(found_words: list[Word], *, tolerance: float = 0.6) -> list[Overlap]:
    """The overlapping pairs among `found_words` (see overlaps)."""
    by_page: dict[int, list[Word]] = {}
    for word in found_words:
        if word.text.strip() and word.area > 0:
            by_page.setdefault(word.page, []).append(word)
    found = []
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.x0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.x0 >= a.x1 - tolerance:
                    break  # sorted by left edge: no later word reaches back into a
                width = min(a.x1, b.x1) - max(a.x0, b.x0)
                height = min(a.y1, b.y1) - max(a.y0, b.y0)
                if width > tolerance and height > tolerance:
                    found.append(Overlap(a, b, width, height))
    return found


def describe(found: list[Overlap], limit: int = 30) -> str:
    lines = [str(o) for o in found[:limit]]
    if len(found) > limit:
        lines.append(f"… and {len(found) - limit} more")
    return "\n".join(lines)


if __name__ == "__main__":
    status = 0
    for name in sys.argv[1:]:
        found = overlaps(Path(name))
        if found:
            status = 1
            print(f"{name}: {len(found)} overlapping word pairs\n{describe(found)}")
        else:
            print(f"{name}: no overlapping words")
    sys.exit(status)
