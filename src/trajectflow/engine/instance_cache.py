"""Deserialised instances of recently stepped cases, kept per process.

Loading a case's engine state (decompress, parse JSON, rebuild the task tree) is a large part of a
step. After a step commits, the instance in memory is exactly what the row holds, so the next step
on that case in this process can take it instead of rebuilding it. The row decides: an entry
matches only the same case at the same `lock_version` with the same state bytes and process
version. Any other process (or a rolled-back step) that changed the case moved its lock_version
on, so a stale entry never matches. Entries are taken out on use, so one instance is never
stepped by two threads, and a step that fails never puts its half-changed instance back.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from .instance import EngineInstance

CAPACITY = 128

_Key = tuple[int, int, str, bytes]


class InstanceCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._items: OrderedDict[_Key, EngineInstance] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(case_id: int, lock_version: int, version_hash: str, state: bytes) -> _Key:
        return case_id, lock_version, version_hash, hashlib.blake2b(state, digest_size=16).digest()

    def take(self, case_id: int, lock_version: int, version_hash: str, state: bytes) -> EngineInstance | None:
        key = self._key(case_id, lock_version, version_hash, state)
        with self._lock:
            return self._items.pop(key, None)

    def keep(self, case_id: int, lock_version: int, version_hash: str, state: bytes, instance: EngineInstance) -> None:
        key = self._key(case_id, lock_version, version_hash, state)
        with self._lock:
            self._items[key] = instance
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


INSTANCE_CACHE = InstanceCache()
