"""The index page: one HTML file linking a set of reports, each with one line of key facts.

`thematic demo` writes it at the top of its output folder. The entries are plain data (a title,
links relative to the index, and a line of facts prepared by the caller); `render_index` renders
`index.html.j2` with the same base layout, styles and accessibility checks as every report.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thematic.render.output import Report
from thematic.render.publication import DEFAULT_MARKING, Publication

__all__ = ["IndexEntry", "IndexSection", "IndexPage", "render_index", "INDEX", "TEMPLATE"]

TEMPLATE = "index.html.j2"
INDEX = Report(TEMPLATE, {"html": "index.html"})


@dataclass(frozen=True)
class IndexEntry:
    """One report: its title, its files as (label, relative link), and one line of key facts."""

    title: str
    links: tuple[tuple[str, str], ...]
    facts: str


@dataclass(frozen=True)
class IndexSection:
    heading: str
    anchor: str
    intro: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class IndexPage:
    title: str
    lede: str
    notice: str
    sections: tuple[IndexSection, ...]
    commands: tuple[str, ...]  # how the page's reports were made, for the reader who wants to redo it


def render_index(page: IndexPage, template_dir: str | Path | None = None, marking: str = DEFAULT_MARKING) -> str:
    """The index page's HTML."""
    return INDEX.render(["html"], template_dir, lambda: {"page": page},
                        publication=Publication.of(marking))["html"].decode("utf-8")
