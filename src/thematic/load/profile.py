"""Reading practice profiles (`thematic.model.profile`): a shipped name or a YAML file, `extends:` resolved.

`extends:` names a parent profile (shipped name or file) whose values the profile changes, so a
force profile lists only where the force differs from the national baseline. Loading reports every
problem as `file:line: field: reason`. The folder of shipped profiles is the caller's
(`thematic.synth.profile` passes its own), so that loading needs nothing above this layer.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thematic.core.errors import InputError
from thematic.load.yaml_source import located_problem, read_yaml_file, validation_problems
from thematic.model.profile import PracticeProfile

__all__ = ["load_profile", "profile_names"]


def profile_names(shipped: Path) -> list[str]:
    """Names of the profiles in the folder `shipped`, sorted."""
    return sorted(p.stem for p in shipped.glob("*.yaml"))


def _locate(name_or_file: str | Path, base: Path | None, shipped: Path) -> Path:
    text = str(name_or_file)
    candidate = Path(text)
    if candidate.suffix in (".yaml", ".yml") or "/" in text or candidate.is_file():
        if not candidate.is_absolute() and base is not None and (base / candidate).is_file():
            return base / candidate
        if candidate.is_file():
            return candidate
        raise InputError.single(text, "profile file not found")
    found = shipped / f"{text}.yaml"
    if found.is_file():
        return found
    raise InputError.single(text, f"no such profile; shipped profiles are: {', '.join(profile_names(shipped))} "
                                  "(or give a profile file ending in .yaml)")


#: Mixes whose shares must add up to 1: a profile that changes one replaces it whole.
_WHOLE: frozenset[tuple[str, ...]] = frozenset({
    ("case_mix",), ("exploitation", "nrm_decisions"), ("outcomes", "child_suspect"),
    ("outcomes", "victim", "suspect_identified"), ("outcomes", "victim", "no_suspect"),
    ("inspection", "judgements", "sound"), ("inspection", "judgements", "weak"),
})


def _merge(parent: dict[str, Any], child: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    """`child` over `parent`: sections merged key by key; mixes, lists and values replaced."""
    merged = dict(parent)
    for key, value in child.items():
        where = (*path, str(key))
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and where not in _WHOLE:
            merged[key] = _merge(merged[key], value, where)
        else:
            merged[key] = value
    return merged


def _raw(path: Path, chain: tuple[str, ...], shipped: Path) -> dict[str, Any]:
    doc = read_yaml_file(path)
    if not isinstance(doc.data, dict):
        raise InputError.single(str(path), "expected a mapping of profile fields")
    data = dict(doc.data)
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    if not isinstance(parent_name, str) or not parent_name:
        raise InputError([located_problem(doc, ("extends",), "expected a profile name or file")])
    parent_path = _locate(parent_name, path.parent, shipped)
    key = str(parent_path.resolve())
    if key in chain:
        raise InputError([located_problem(doc, ("extends",), f"profiles extend each other in a loop ({parent_name})")])
    parent = _raw(parent_path, (*chain, key), shipped)
    return _merge({k: v for k, v in parent.items() if k not in ("profile", "title", "description")}, data)


def load_profile(name_or_file: str | Path, *, shipped: Path) -> PracticeProfile:
    """A profile by name from the folder `shipped` (e.g. `national-2019`) or a profile file; InputError
    lists every problem."""
    path = _locate(name_or_file, None, shipped)
    data = _raw(path, (str(path.resolve()),), shipped)
    doc = read_yaml_file(path)
    try:
        profile = PracticeProfile.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc, model=PracticeProfile)) from None
    profile._source = str(path)
    return profile
