"""Fingerprints of criteria: a hash of a criterion's definition and the parameter values it reads.

Comparisons between results files match criteria only when their fingerprints agree, so that a
changed rule or a changed limit is never compared with the old one as if it were the same.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from thematic.scoring.criteria import CompiledCriterion, CriteriaSet


def fingerprint(criteria: CriteriaSet, criterion: CompiledCriterion, parameters: Mapping[str, Any]) -> str:
    """`sha256:` and the hex digest of the criterion, the definitions it uses and its parameter values."""
    definition = criterion.definition.model_dump(mode="json", exclude={"question", "source", "note"})
    content = {
        "criterion": definition,
        "definitions": {name: criteria.definitions[name].source for name in sorted(criterion.uses)},
        "parameters": {name: parameters[name] for name in sorted(criterion.parameters)},
        "grading_severity": criterion.definition.severity,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprints(criteria: CriteriaSet, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Every criterion's fingerprint, in catalogue order."""
    return {c.id: fingerprint(criteria, c, parameters) for c in criteria.criteria}
