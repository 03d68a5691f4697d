"""Ids people type: what in one cannot be seen, so that two ids that look the same are not two cases."""
from __future__ import annotations

import unicodedata
from typing import Any

_INVISIBLE = {"Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs"}  # controls, format characters, unassigned, spaces


def hidden_character(raw: Any) -> str | None:
    """What in an id cannot be seen (a zero-width space, a control or format character, a space other
    than an inner plain one), or None. Two ids differing only by one would count as different cases."""
    if not isinstance(raw, str):
        return None
    for index, char in enumerate(raw):
        if char == " ":
            if index == 0 or index == len(raw) - 1:
                return "a space at the start" if index == 0 else "a space at the end"
            continue
        category = unicodedata.category(char)
        if category in _INVISIBLE:
            code, name = f"U+{ord(char):04X}", unicodedata.name(char, "")
            if name:
                return f"{code} {name}"
            return f"{code} (a control character)" if category == "Cc" else f"{code} (an invisible character)"
    return None
