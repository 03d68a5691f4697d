"""The one type family every report, chart and workbook uses, shipped with the package.

Reports must be laid out the same on every machine, so nothing depends on the fonts a machine
happens to have: the Noto Sans files (SIL Open Font License, see `_fonts/OFL.txt`) travel inside
the package and are referenced by path.
"""
from __future__ import annotations

import base64
import functools
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The family name inside the font files, as CSS, matplotlib and spreadsheets name it.
FAMILY = "Noto Sans"

FONT_DIR = Path(__file__).resolve().parent.parent / "_fonts"

#: (weight, style) -> file, for `@font-face` rules.
FACES: dict[tuple[str, str], Path] = {
    ("normal", "normal"): FONT_DIR / "NotoSans-Regular.ttf",
    ("bold", "normal"): FONT_DIR / "NotoSans-Bold.ttf",
    ("normal", "italic"): FONT_DIR / "NotoSans-Italic.ttf",
    ("bold", "italic"): FONT_DIR / "NotoSans-BoldItalic.ttf",
}

#: Noto Sans has no minus sign, and reports print one (U+2212, "−5 points"): without it a PDF
#: would take that glyph from whatever font the machine has. `face_bytes` maps it.
MINUS = 0x2212

#: Where WeasyPrint finds the faces: a scheme of our own, served from memory by the render
#: layer's URL fetcher, so no file path or network address is involved.
FACE_URL_SCHEME = "thematic-font"

#: The characters a report is expected to print (Latin, punctuation, currency, the minus sign):
#: subsets for HTML are cut from faces first reduced to these, which is 20 times faster than
#: cutting from the full faces; text with other characters falls back to the full faces.
REPERTOIRE = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2000, 0x2070),
                        *range(0x20A0, 0x20C0), MINUS])


def face_name(weight: str, style: str) -> str:
    return FACES[(weight, style)].name


@functools.cache
def face_bytes(weight: str, style: str) -> bytes:
    """The face as TrueType, with the minus sign mapped (the packaged files are not changed)."""
    # imported here: only reports need it
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # no stubs exist

    font = TTFont(str(FACES[(weight, style)]), recalcTimestamp=False)
    _add_minus(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _add_minus(font: Any) -> None:
    """Map the minus sign to the figure dash's glyph: it has the plus sign's width (572 units)
    and its bar at the plus sign's height, which is what a minus sign is. Only the character map
    changes, so this costs a tenth of a second, not the second that adding a glyph takes."""
    cmap = font.getBestCmap()
    if MINUS in cmap or 0x2012 not in cmap:  # present already, or a subset without either
        return
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[MINUS] = cmap[0x2012]


def font_face_css(sources: Mapping[tuple[str, str], str]) -> str:
    """`@font-face` rules naming FAMILY for each (weight, style) whose `src` is given."""
    return "".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: {style}; src: {src}; }}\n'
        for (weight, style), src in sources.items())


def pdf_font_faces() -> str:
    """The `@font-face` rules WeasyPrint reads: every face by its `thematic-font:` URL."""
    return font_face_css({key: f'url("{FACE_URL_SCHEME}:{path.name}") format("truetype")'
                          for key, path in FACES.items()})


def face_for_url(url: str) -> bytes | None:
    """The TrueType bytes behind a `thematic-font:NAME` URL, or None if it names no face."""
    for (weight, style), path in FACES.items():
        if url == f"{FACE_URL_SCHEME}:{path.name}":
            return face_bytes(weight, style)
    return None


def embedded_font_faces(text: str) -> str:
    """`@font-face` rules carrying, as WOFF data URIs, each face cut to the characters of `text`.

    WOFF rather than WOFF2: it needs only zlib, and the saving of WOFF2 is a few kilobytes.
    """
    codes = frozenset(ord(c) for c in text if c >= " ")
    return font_face_css({key: f'url("data:font/woff;base64,{_subset(key, codes)}") format("woff")'
                          for key in FACES})


@functools.lru_cache(maxsize=64)
def _subset(key: tuple[str, str], codes: frozenset[int]) -> str:
    source = io.BytesIO(_reduced(key)) if codes <= REPERTOIRE else FACES[key]
    return base64.b64encode(_cut(source, codes, flavor="woff")).decode("ascii")


@functools.cache
def _reduced(key: tuple[str, str]) -> bytes:
    return _cut(FACES[key], REPERTOIRE, flavor=None)


def _cut(source: Path | io.BytesIO, codes: frozenset[int], *, flavor: str | None) -> bytes:
    """The face cut to `codes` (the figure dash kept for the minus sign), minus sign mapped."""
    from fontTools import subset  # type: ignore[import-untyped]  # no stubs exist
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)  # no clock in the bytes: same input, same output
    options = subset.Options()
    options.flavor = flavor
    options.hinting = False  # browsers hint themselves; the hints are a third of the size
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codes | {0x2012} if MINUS in codes else codes))
    subsetter.subset(font)
    _add_minus(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` (other than controls) that the regular face cannot draw."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(face_bytes("normal", "normal"))).getBestCmap()
    return {c for c in text if c >= " " and ord(c) not in cmap}


_registered = False


def use_in_matplotlib() -> None:
    """Make the family known to matplotlib from the packaged files (no system-font lookup)."""
    global _registered
    if _registered:
        return
    from matplotlib import font_manager

    for path in FACES.values():
        font_manager.fontManager.addfont(str(path))
    _registered = True
