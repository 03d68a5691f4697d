"""One report template rendered to HTML and PDF, and the files written: shared by the programme,
year-on-year and index pages.

The force report has its own steps in `thematic.render.force` (the benchmark times each); the
reports built since go through `render_formats`, which checks the template before any work, renders
the HTML for browsers and, for the PDF, the same template with the paged-media styles, and returns
bytes by format so that nothing is written until every format has rendered. `write_files` then
stages them under the report's own file names, to be moved into place together.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from thematic import __version__
from thematic.core.atomic import OutputSet, output_set
from thematic.core.errors import InputError
from thematic.render.force import check_formats
from thematic.render.html import check_template, render_template
from thematic.render.pdf import PdfError, html_to_pdf

__all__ = ["GENERATOR", "render_formats", "write_files", "template_problem"]

GENERATOR = f"thematic {__version__}"


def render_formats(template: str, formats: Sequence[str], template_dir: str | Path | None,
                   **context: Any) -> dict[str, bytes]:
    """`template` rendered with `context` in each of `formats` (html, pdf), as bytes by format."""
    chosen = check_formats(formats)
    check_template(template, template_dir)
    rendered: dict[str, bytes] = {}
    if "html" in chosen:
        rendered["html"] = render_template(template, template_dir, paged=False, generator=GENERATOR,
                                           **context).encode("utf-8")
    if "pdf" in chosen:
        html = render_template(template, template_dir, paged=True, generator=GENERATOR, **context)
        try:
            rendered["pdf"] = html_to_pdf(html)
        except PdfError as exc:
            if template_dir is None:
                raise  # the default templates must make an accessible PDF: an internal failure
            raise template_problem(template_dir, exc) from None
    return rendered


def template_problem(template_dir: str | Path, exc: PdfError) -> InputError:
    """A user's templates made a PDF that is not accessible: their input is at fault (exit 2)."""
    return InputError.single(str(template_dir), f"the PDF from these templates is not accessible: {exc}")


def write_files(rendered: Mapping[str, bytes], out_dir: str | Path, names: Mapping[str, str],
                outputs: OutputSet | None = None) -> list[Path]:
    """Stage each rendered format as `out_dir / names[format]` in `outputs` (its owner commits), or
    without `outputs` write them together now; the paths, in order."""
    with output_set(outputs) as chosen:
        return [chosen.add_in(out_dir, names[fmt], data, option="-o") for fmt, data in rendered.items()]
