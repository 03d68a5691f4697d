"""The one type family every report, chart and workbook uses, shipped with the package.

Reports must be laid out the same on every machine, so nothing depends on the fonts a machine
happens to have: the Noto Sans files (SIL Open Font License, see `_fonts/OFL.txt`) travel inside
the package and are referenced by path.
"""
from __future__ import annotations

from pathlib import Path

#: The family name inside the font files, as CSS, matplotlib and spreadsheets name it.
FAMILY = "Noto Sans"

FONT_DIR = Path(__file__).resolve().parent / "_fonts"

#: (weight, style) -> file, for `@font-face` rules.
FACES: dict[tuple[str, str], Path] = {
    ("normal", "normal"): FONT_DIR / "NotoSans-Regular.ttf",
    ("bold", "normal"): FONT_DIR / "NotoSans-Bold.ttf",
    ("normal", "italic"): FONT_DIR / "NotoSans-Italic.ttf",
    ("bold", "italic"): FONT_DIR / "NotoSans-BoldItalic.ttf",
}
