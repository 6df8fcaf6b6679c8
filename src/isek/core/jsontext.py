"""JSON from users, read without letting its nesting reach Python's recursion limit.

``json.loads`` recurses once per level: "[[[[…" a hundred thousand deep raises RecursionError
somewhere deep in the stack, and whatever else runs at that depth (a finaliser of a GEOS object the
garbage collector picks that moment for) fails with it, as an "unraisable" error nobody can catch.
So the depth is measured first, without recursion, and text nested deeper than any real document
is refused before it is parsed.
"""

import json
import re

import numpy as np

# GeoJSON needs six levels (collection, features, feature, geometry, coordinates of a multipolygon:
# four); properties may nest a little. Python's own limit is about 1,000 frames.
MAX_DEPTH = 200

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class TooDeep(ValueError):
    """The text is nested deeper than MAX_DEPTH (a ValueError, as any other unreadable JSON)."""


def depth(text: str) -> int:
    """How deep the arrays and objects in ``text`` nest (brackets inside strings do not count)."""
    data = _STRING.sub('""', text).encode("utf-8", "replace")
    steps = _STEP[np.frombuffer(data, dtype=np.uint8)]
    steps = steps[steps != 0]
    return int(np.cumsum(steps, dtype=np.int64).max()) if steps.size else 0


def loads(text: str | bytes, max_depth: int = MAX_DEPTH, **kwargs):
    """``json.loads`` for text from outside; raises TooDeep beyond ``max_depth`` levels."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    if depth(text) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text, **kwargs)
