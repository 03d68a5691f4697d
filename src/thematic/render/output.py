"""The render pipeline: every report (force, comparison, programme, assessors, index) is made here.

A report type is a `Report`: its template, its file name per format and the option naming its
folder; the formats its command may be asked for are a `Formats`, with that command's messages. The pipeline
runs in the same steps for each:

1. `Formats.check` decides the formats asked for (each known, in order, once; one InputError
   naming `--format` otherwise), and `Report.declare` declares their files in the run's
   `OutputSet` before any work, so a file that must not be written stops the run first;
2. `Report.render` checks the template, then builds the view data (a callable, so nothing is
   computed for a broken template) with the report's publication details (its protective marking,
   the date produced, the tool's and the criteria's versions: `thematic.render.publication`, shown
   at the top and bottom of the HTML and of every PDF page by the base template), renders the HTML
   for browsers and, for the PDF, the same template with the paged-media styles, all from one
   sandboxed Jinja2 environment (`thematic.render.html.Templates`); the PDF is made by WeasyPrint
   (`thematic.render.pdf`), and a PDF that is not accessible is one error: an InputError naming a
   user's template folder (exit 2), or, from the packaged templates, the `PdfError` itself (an
   internal failure). It returns bytes by format, so nothing is written until every format has
   rendered;
3. `Report.write` stages the JSON document (if any) and the rendered files under the report's own
   names in the run's `OutputSet`, whose owner commits them together: every file of a run, or none.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thematic import __version__
from thematic.core.atomic import OutputSet, output_set
from thematic.core.errors import InputError
from thematic.render.html import Templates, environment
from thematic.render.pdf import PdfError, html_to_pdf
from thematic.render.publication import Publication

__all__ = ["GENERATOR", "DOCUMENTS", "DOCUMENT_FORMATS", "Formats", "Report", "check_template_dir", "json_text",
           "split_formats", "template_problem"]

GENERATOR = f"thematic {__version__}"
#: The formats a template renders to, in the order they are made and written.
DOCUMENTS = ("html", "pdf")


@dataclass(frozen=True)
class Formats:
    """The formats a command may be asked for, and the words of its two `--format` errors."""

    names: tuple[str, ...]
    unknown: str  # with {name}: the first format not in `names`
    empty: str    # no format at all

    def check(self, requested: Sequence[str]) -> tuple[str, ...]:
        """The formats asked for, each known, in order and once; InputError (`--format`) otherwise."""
        chosen: list[str] = []
        for name in requested:
            name = name.strip().lower()
            if name not in self.names:
                raise InputError.single("--format", self.unknown.format(name=name))
            if name not in chosen:
                chosen.append(name)
        if not chosen:
            raise InputError.single("--format", self.empty)
        return tuple(chosen)

    def parse(self, text: str) -> tuple[str, ...]:
        """`check` of a comma-separated `--format` value, empty parts left out."""
        return self.check(split_formats(text))


#: The formats a template renders to, as the force report's `--format` (and every renderer) checks them.
DOCUMENT_FORMATS = Formats(DOCUMENTS, "unknown format '{name}'; expected html, pdf or html,pdf",
                           "no format given; expected html, pdf or html,pdf")


def split_formats(text: str) -> list[str]:
    """"html, pdf" → ["html", " pdf"]: the parts of a `--format` value that are not blank."""
    return [part for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class Report:
    """One type of report: its template, and its files by format in the folder named by `option`."""

    template: str
    files: Mapping[str, str]  # format -> file name in the report's folder
    option: str = "-o"        # the option naming the folder, in messages about its files

    def declare(self, outputs: OutputSet, folder: str | Path, formats: Sequence[str]) -> None:
        """Declare the files of `formats` in `folder`: checked before any work (see OutputSet)."""
        for fmt in formats:
            outputs.in_folder(folder, self.files[fmt], option=self.option)

    def render(self, formats: Sequence[str], template_dir: str | Path | None,
               context: Callable[[], Mapping[str, Any]], *, publication: Publication | None = None,
               ) -> dict[str, bytes]:
        """The report in each of `formats` (html, pdf), as bytes by format. `context` builds the
        template's variables once the formats are known and the template loads; `publication` (by
        default: the default marking, today, no criteria named) is the template's `publication`."""
        chosen = DOCUMENT_FORMATS.check(formats)
        templates = Templates(template_dir)
        templates.check(self.template)  # a missing or broken template stops before any work
        variables = {"publication": publication or Publication(), **context()}
        rendered: dict[str, bytes] = {}
        if "html" in chosen:
            rendered["html"] = self.html(templates, variables).encode("utf-8")
        if "pdf" in chosen:
            rendered["pdf"] = self.pdf(templates, variables, template_dir)
        return rendered

    def html(self, templates: Templates, variables: Mapping[str, Any], *, paged: bool = False) -> str:
        """The report's HTML; `paged` adds the paged-media styles (print.css) that only WeasyPrint reads.
        Without a `publication` in `variables`, the default one."""
        if "publication" not in variables:
            variables = {**variables, "publication": Publication()}
        return templates.render(self.template, **variables, paged=paged, generator=GENERATOR)

    def pdf(self, templates: Templates, variables: Mapping[str, Any], template_dir: str | Path | None) -> bytes:
        """The report's tagged PDF; a PDF that is not accessible is `template_problem` for a user's
        templates, and the `PdfError` itself for the packaged ones."""
        try:
            return html_to_pdf(self.html(templates, variables, paged=True))
        except PdfError as exc:
            if template_dir is None:
                raise  # the default templates must make an accessible PDF: an internal failure
            raise template_problem(template_dir, exc) from None

    def write(self, rendered: Mapping[str, bytes], folder: str | Path, outputs: OutputSet | None = None, *,
              document: object = None) -> list[Path]:
        """Stage `document` as JSON (files["json"], if given) and each rendered format in `folder`, in
        `outputs` (its owner commits), or without `outputs` write them together now; the paths, in order."""
        with output_set(outputs) as chosen:
            written = []
            if document is not None:
                written.append(chosen.add_in(folder, self.files["json"], json_text(document), option=self.option))
            written.extend(chosen.add_in(folder, self.files[fmt], data, option=self.option)
                           for fmt, data in rendered.items())
            return written


def json_text(document: object) -> str:
    """A JSON output file's text: indented, UTF-8 as is, ending in a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_template_dir(template_dir: str | Path | None) -> None:
    """InputError if `--template-dir` is given and is not a folder: checked first, even when only
    JSON is asked for."""
    if template_dir is not None:
        environment(template_dir)


def template_problem(template_dir: str | Path, exc: PdfError) -> InputError:
    """A user's templates made a PDF that is not accessible: their input is at fault (exit 2)."""
    return InputError.single(str(template_dir), f"the PDF from these templates is not accessible: {exc}")
