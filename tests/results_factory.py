"""Hand-built `thematic.results/1` documents for the comparison and programme tests.

Each criterion is given as (met, assessed); the rest of the sample counts as not applicable, and
every other count is derived so that the document is consistent (the loader checks that).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GRADES = ("good", "requires_improvement", "inadequate")


def results_doc(
    criteria: Mapping[str, tuple[int, int]],
    *,
    inspection: str | None = "testshire-2019",
    force: str | None = "testshire",
    year: int | None = 2019,
    cases: int | None = None,
    criteria_id: str = "test-set",
    version: str = "1",
    fingerprints: Mapping[str, str] | None = None,
    themes: Mapping[str, tuple[int, int]] | None = None,
    suggested: Mapping[str, int] | None = None,
    inspector: Mapping[str, int] | None = None,
    case_prefix: str | None = None,
) -> dict[str, Any]:
    """A consistent results document. `themes` maps a theme to (all_met, cases); grades default to all good."""
    n = cases if cases is not None else max((total for _, total in criteria.values()), default=0)
    prefix = case_prefix or (inspection or "T").upper()
    summary_criteria = {}
    for cid, (met, assessed) in criteria.items():
        assert 0 <= met <= assessed <= n, (cid, met, assessed, n)
        summary_criteria[cid] = {
            "met": met, "not_met": assessed - met, "not_evidenced": 0, "not_applicable": n - assessed,
            "unable_to_assess": 0, "pending": 0, "error": 0, "assessed": assessed,
        }
    suggested = dict(suggested) if suggested is not None else {"good": n, "requires_improvement": 0, "inadequate": 0}
    inspector = dict(inspector) if inspector is not None else dict(suggested)
    inspector.setdefault("none", n - sum(inspector.get(g, 0) for g in GRADES))
    for g in GRADES:
        suggested.setdefault(g, 0)
        inspector.setdefault(g, 0)
    return {
        "format": "thematic.results/1",
        "inspection": {"id": inspection, "force": force, "year": year, "as_of": f"{year or 2019}-11-30"},
        "criteria": {
            "id": criteria_id,
            "version": version,
            "fingerprints": dict(fingerprints) if fingerprints is not None
            else {cid: f"sha256:{cid.lower()}" for cid in criteria},
        },
        "parameters": {},
        "cases": [{"case_id": f"{prefix}-{i:03d}", "force": force} for i in range(1, n + 1)],
        "summary": {
            "criteria": summary_criteria,
            "themes": {t: {"cases": c, "all_met": m} for t, (m, c) in (themes or {}).items()},
            "grades": {"suggested": suggested, "inspector": inspector},
        },
    }


def write(path: Path, document: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path
