"""HTML from Jinja2 templates: a user's template folder first, then the packaged defaults.

The default templates live in `reports/templates/` in the source tree and are packaged into the
wheel as `thematic/_data/templates`; `default_template_dir` finds either. A user's folder
(`--template-dir`) is searched first, so a file there of the same name replaces a default; the
defaults stay reachable as `default/NAME`, so a user's `force.html.j2` can
`{% extends "default/force.html.j2" %}` and change one block. Autoescaping is on and undefined
names are errors, so a template typo never prints an empty cell. A missing template, a syntax
error or an undefined name is an `InputError` naming the template and its line. `Templates` holds
one such environment for a run, and checks and renders every template of the run from it (the
render pipeline, `thematic.render.output`, is its user).

Every template, the user's and the defaults, runs in Jinja2's immutable sandbox: a template can
loop, test and print what it is given, but cannot reach Python's internals (`__class__`,
`__globals__`, private attributes), change the data, build a range of more than 100,000 items,
or compute powers and repetitions beyond `MAX_POWER` and `MAX_REPEAT`. Each such attempt is an
`InputError` naming the template and its line (exit 2).

The HTML (not the paged HTML WeasyPrint reads, which gets the faces itself) carries the packaged
Noto Sans cut to the characters the page uses, as WOFF data URIs in its first `<style>`, so the
single file looks the same on every machine.
"""
from __future__ import annotations

import math
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2.exceptions import SecurityError

from thematic.core import typeface
from thematic.core.errors import InputError

TEMPLATE_SUFFIXES = (".j2", ".html", ".css")
#: The largest result a template may compute with `**` (as a number of digits) and with `*` on
#: text or a list (as items): enough for any report, too little to exhaust memory.
MAX_POWER = 100
MAX_REPEAT = 100_000


class _Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The immutable sandbox, with `**` and `*` bounded (Jinja leaves them unbounded)."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if abs(right) * math.log10(max(abs(left), 2)) > MAX_POWER:
                raise SecurityError(f"{left!r} ** {right!r} is too large (more than {MAX_POWER} digits)")
        if operator == "*" and isinstance(left, int) != isinstance(right, int):
            count, items = (left, right) if isinstance(left, int) else (right, left)
            if hasattr(items, "__len__") and count * len(items) > MAX_REPEAT:
                raise SecurityError(f"repeating {len(items)} item(s) {count:,} times makes more than "
                                                   f"{MAX_REPEAT:,} items")
        return super().call_binop(context, operator, left, right)


def default_template_dir() -> Path:
    """The packaged default templates (inside the installed package, or the source tree)."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "_data" / "templates", package.parent.parent / "reports" / "templates"):
        if (folder / "base.html.j2").is_file():
            return folder
    raise InputError.single("reports/templates", "the default report templates are not installed with thematic")


def environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment searching `template_dir` (if given), then the defaults."""
    defaults = str(default_template_dir())
    searched: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        folder = Path(template_dir)
        if not folder.is_dir():
            raise InputError.single(str(template_dir), "no such folder; --template-dir must name a folder of templates")
        searched.append(jinja2.FileSystemLoader(str(folder)))
    searched.append(jinja2.FileSystemLoader(defaults))
    searched.append(jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(defaults)}))
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(searched),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2", "htm"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["search_path"] = _search_path(template_dir)
    return env


def _search_path(template_dir: str | Path | None) -> list[str]:
    """The folders searched for templates, in order, as messages name them."""
    return [str(template_dir)] * (template_dir is not None) + [str(default_template_dir())]


class Templates:
    """One sandboxed Jinja2 environment over `template_dir` (if given) then the defaults: every
    template of a run is checked and rendered from it."""

    def __init__(self, template_dir: str | Path | None = None) -> None:
        self.env = environment(template_dir)
        self.where = " then ".join(_search_path(template_dir))

    def check(self, name: str) -> None:
        """InputError now, before any work is done, if template `name` is missing or does not parse."""
        self._load(name)

    def render(self, name: str, **context: Any) -> str:
        """Render template `name` with `context`; InputError for a missing or broken template. The HTML
        for browsers (not `paged`) carries the faces it uses."""
        template = self._load(name)
        try:
            html = template.render(**context)
        except (SecurityError, OverflowError) as exc:  # OverflowError: the sandbox's range limit
            file, line = _template_frame(exc, name)
            raise InputError.single(file, f"template not allowed to do this: {exc}", line=line) from None
        except jinja2.TemplateNotFound as exc:  # an {% include %} or {% extends %} of a missing file
            raise InputError.single(str(exc.name), f"template not found (searched {self.where})") from None
        except jinja2.TemplateSyntaxError as exc:
            raise InputError.single(exc.filename or exc.name or name, f"template syntax error: {exc.message}",
                                    line=exc.lineno) from None
        except jinja2.UndefinedError as exc:
            file, line = _template_frame(exc, name)
            raise InputError.single(file, f"template uses an undefined name: {exc.message}", line=line) from None
        return html if context.get("paged") else embed_fonts(html)

    def _load(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            missing = exc.name if exc.name else name
            raise InputError.single(str(missing), f"template not found (searched {self.where})") from None
        except jinja2.TemplateSyntaxError as exc:
            raise InputError.single(exc.filename or exc.name or name, f"template syntax error: {exc.message}",
                                    line=exc.lineno) from None


def embed_fonts(html: str) -> str:
    """The page with `@font-face` rules for the characters it uses, first in its first `<style>`
    (or in a new one before `</head>`); unchanged if it has neither."""
    css = typeface.embedded_font_faces(html)
    found = re.search(r"<style[^>]*>\n?", html)
    if found:
        return html[:found.end()] + css + html[found.end():]
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    return html[:head_end] + f"<style>\n{css}</style>\n" + html[head_end:]


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The innermost template file and line of a rendering error (Jinja maps frames to templates)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            return frame.filename, frame.lineno
    return name, None
