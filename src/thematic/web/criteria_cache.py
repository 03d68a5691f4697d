"""An imported inspection's criteria, compiled once per process from the text frozen at import.

The criteria text lives in the database; the library compiles a criteria *file*, so the text is
written once to the data folder's cache (named by the inspection's fingerprint) and compiled from there.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from thematic.core.atomic import write_text_atomic
from thematic.model.case import Case
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.web.datadir import data_folder
from thematic.web.models import Case as CaseRow
from thematic.web.models import Inspection


@lru_cache(maxsize=32)
def _compiled(fingerprint: str, text: str) -> CriteriaSet:
    folder = cache_folder() / fingerprint
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "criteria.yaml"
    if not path.is_file():
        write_text_atomic(path, text)
    return load_criteria(path)


def criteria_of(inspection: Inspection) -> CriteriaSet:
    return _compiled(inspection.fingerprint, inspection.criteria_text)


@lru_cache(maxsize=32)
def scorer_by_key(fingerprint: str, text: str, parameters: str, as_of: date) -> Scorer:
    """The scorer of `scorer_key`'s parts (hashable, so callers can cache what they derive from it)."""
    return Scorer(criteria=_compiled(fingerprint, text), parameters=json.loads(parameters), as_of=as_of)


def scorer_key(inspection: Inspection) -> tuple[str, str, str, date]:
    """What the inspection's scorer is made of: its fingerprint, criteria text, parameters and `as_of`."""
    return (inspection.fingerprint, inspection.criteria_text, json.dumps(inspection.parameters, sort_keys=True),
            inspection.as_of)


def scorer_of(inspection: Inspection) -> Scorer:
    """The library's scorer for the inspection: its frozen criteria, parameters and `as_of`."""
    return scorer_by_key(*scorer_key(inspection))


def case_model(row: CaseRow) -> Case:
    """The stored case file as the library's model (no answers: the database holds those)."""
    return case_from_text(row.data)


@lru_cache(maxsize=1024)
def case_from_text(data: str) -> Case:
    """A case file's model, parsed once per process: the model is frozen, so sharing it is safe (a
    scorer's answers are added to a copy), and the text itself is the key."""
    return Case.model_validate(json.loads(data))


def cache_folder() -> Path:
    return data_folder() / "cache"
