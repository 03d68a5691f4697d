"""Reports: view data (`context`, `views`), charts (`charts`), HTML (`html`), PDF (`pdf`), and the
render pipeline every report goes through (`output`).

The only layer that knows Jinja2, matplotlib and WeasyPrint. `render_force_report` and
`write_force_report` (from `thematic.render.force`) are the library calls behind `thematic run`
and `thematic report`. They are imported on first use, so that importing `thematic.render.views`
(as the command line does at start-up) does not load matplotlib.
"""
from __future__ import annotations

from typing import Any

__all__ = ["render_force_report", "write_force_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from thematic.render import force

        return getattr(force, name)
    raise AttributeError(f"module 'thematic.render' has no attribute {name!r}")
