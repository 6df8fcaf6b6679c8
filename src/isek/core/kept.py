"""Built answers kept in this process under their tag (the public pages, the API): the tags
change with every recorded change (core.versions), so a kept answer is never stale. Least
recently used go first, bounded by a number of entries and, if given, by their bytes."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

_every: weakref.WeakSet[Kept] = weakref.WeakSet()


def forget_everything() -> None:
    """Empty every ``Kept`` of this process (tests: each starts with nothing kept, whatever an
    earlier test built under a tag that a rolled-back transaction brings back)."""
    for kept in list(_every):
        kept.clear()


class Kept:
    def __init__(self, max_items: int, max_bytes: int | None = None):
        self.max_items, self.max_bytes = max_items, max_bytes
        self._entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        _every.add(self)

    def get(self, key: str):
        """The value kept under ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: str, value, size: int = 0) -> None:
        """Keep ``value`` (of ``size`` bytes) under ``key``; one larger than a quarter of the byte
        bound is not kept."""
        if self.max_bytes is not None and size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while len(self._entries) > self.max_items or (self.max_bytes is not None and self._bytes > self.max_bytes):
                _key, (_value, gone) = self._entries.popitem(last=False)
                self._bytes -= gone

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
