"""User templates (`--template-dir`) run in Jinja2's immutable sandbox: known escapes from a template
to Python's internals, and unbounded work, stop `thematic report` with exit 2 and a message naming
the template file and line; nothing they try to run happens, no report is written, and the inputs
are unchanged. A legitimate override, as reports/templates/README.md shows it, still works."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from render_samples import hand_made
from report_helpers import run

MARKER = "pwned-marker"

PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ joiner.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ ''|attr('__class__') }}",
    "{{ report.__class__.__init__.__globals__ }}",
    "{% set x = [] %}{{ x.append(1) }}",
    "{{ range(10**9)|list }}",
    "{{ 'a' * 10**9 }}",
    "{{ 10 ** 100000 }}",
]


@pytest.fixture(scope="module")
def results_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "results.json"
    path.write_text(json.dumps(hand_made([{"case_id": "T-01"}, {"case_id": "T-02"}])), encoding="utf-8")
    return path


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_escape_from_a_user_template_exits_2_naming_the_template_and_line(capsys, tmp_path, monkeypatch,
                                                                            results_file, payload):
    monkeypatch.chdir(tmp_path)  # where "touch MARKER" would land
    templates = tmp_path / "templates"
    templates.mkdir()
    marker = tmp_path / MARKER
    template = templates / "force.html.j2"
    template.write_text('{% extends "default/force.html.j2" %}\n{% block masthead %}\n'
                        + payload.replace("MARKER", str(marker)) + "\n{% endblock %}\n", encoding="utf-8")
    before = digest(tmp_path) | {"results": hashlib.sha256(results_file.read_bytes()).hexdigest()}
    code, out, err = run(capsys, "report", results_file, "-o", tmp_path / "out", "--template-dir", templates,
                         "--format", "html")
    assert code == 2, err
    assert f"{template}:3: template not allowed to do this:" in err
    assert "Traceback" not in err + out
    assert not marker.exists()
    assert not (tmp_path / "out").exists()
    assert digest(tmp_path) | {"results": hashlib.sha256(results_file.read_bytes()).hexdigest()} == before


@pytest.mark.parametrize(("expression", "allowed"), [
    ("10 ** 100", True),      # 101 digits: at the limit of MAX_POWER (100)
    ("10 ** 101", False),
    ("'ab' * 50000", True),   # 100,000 items: at MAX_REPEAT
    ("'ab' * 50001", False),
    ("[0] * 100000", True),
    ("[0] * 100001", False),
    ("range(100000)|list|length", True),  # Jinja's own MAX_RANGE
    ("range(100001)|list|length", False),
])
def test_bounds_on_work_are_exact(tmp_path, expression, allowed):
    from thematic.core.errors import InputError
    from thematic.render.html import Templates

    (tmp_path / "t.html.j2").write_text("x\n{{ (" + expression + ")|string|length }}\n", encoding="utf-8")
    if allowed:
        assert Templates(tmp_path).render("t.html.j2", paged=True).startswith("x\n")
    else:
        with pytest.raises(InputError, match=r"t\.html\.j2:2: template not allowed to do this"):
            Templates(tmp_path).render("t.html.j2", paged=True)


def test_a_syntax_error_in_a_user_template_exits_2_with_its_line(capsys, tmp_path, results_file):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "force.html.j2").write_text("ok\n{% for x in %}\n", encoding="utf-8")
    code, out, err = run(capsys, "report", results_file, "-o", tmp_path / "out", "--template-dir", templates,
                         "--format", "html")
    assert code == 2 and f"{templates / 'force.html.j2'}:2: template syntax error" in err
    assert "Traceback" not in err + out


def test_the_override_the_templates_readme_shows_still_works_in_html_and_pdf(capsys, tmp_path, results_file):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "force.html.j2").write_text(
        '{% extends "default/force.html.j2" %}\n'
        "{% block masthead %}Exampleshire Police: self-assessment{% endblock %}\n", encoding="utf-8")
    code, _, err = run(capsys, "report", results_file, "-o", tmp_path / "out", "--template-dir", templates)
    assert code == 0, err
    assert "Exampleshire Police: self-assessment" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_the_default_templates_render_in_the_sandbox_too():
    import jinja2.sandbox

    from thematic.render.html import environment

    assert isinstance(environment(), jinja2.sandbox.ImmutableSandboxedEnvironment)
