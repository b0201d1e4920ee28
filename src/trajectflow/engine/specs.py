"""Parsed specs, built once per process version and kept in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .library import build_parser


@dataclass(frozen=True)
class ExecutableSpec:
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]


class SpecCache:
    """LRU cache of parsed specs keyed by content hash; parsing happens once per version per process."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[str, str], ExecutableSpec] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, content_hash: str, process_id: str) -> ExecutableSpec | None:
        """The parsed spec when it is cached (callers then need not load the sources at all)."""
        with self._lock:
            return self._items.get((content_hash, process_id))

    def get(self, content_hash: str, process_id: str, sources: dict[str, str]) -> ExecutableSpec:
        key = (content_hash, process_id)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        parser = build_parser(sources)
        spec = ExecutableSpec(process_id, parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
        with self._lock:
            self._items[key] = spec
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return spec


SPEC_CACHE = SpecCache()
