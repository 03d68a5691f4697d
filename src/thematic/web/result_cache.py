"""A small per-process cache of scored cases for the live findings (issue 15 item 8).

The audit trail is append-only, so what a case scores to is fixed by what the key names: the
inspection as imported (pk, fingerprint, import time, `as_of`, parameters), the case's stored file, its
latest event (id and time: every save, reopening, assignment and moderation decision of the case is
an event of that case), its assignments (pk, scorer, status, version), and whether it is double-scored
and still blind. Two keys equal means the same inputs to `resolve`, so the cached `CaseResult` (a
frozen dataclass, safe to share) is the one a fresh computation gives. The event's time is in the key
beside its id because a rolled-back transaction can hand the same id out again (SQLite does).

An inspection's whole live findings are cached too (`thematic.web.findings`), under the inspection's
description and every case's key: a reload with nothing changed computes nothing.

Bounded (least recently used goes first) and guarded by a lock: the server runs several threads.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from thematic.model.results import CaseResult

T = TypeVar("T")

#: About forty 120-case inspections, or one inspection's cases through many saves.
LIMIT = 5000


class ResultCache(Generic[T]):
    """A bounded, thread-safe map from an exact key to a result (frozen: it is shared)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, result: T) -> None:
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


#: The process's cache of the inspectors' scored cases (kind "inspection", with moderation).
scored_cases: ResultCache[CaseResult] = ResultCache()
