"""Near-duplicate contributions (text and place), proposed for merging; the planner decides.

``near_duplicates(contributions)`` returns pairs whose texts are alike — cosine similarity of
TF-IDF weighted character n-grams (3–5, within words), which survives typos, re-ordered
sentences, dropped words and cut-off copies — and, where both have a point, that lie close
together. Pure: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from .themes import Contribution, EvaluationError


@dataclass(frozen=True)
class Pair:
    a: Hashable
    b: Hashable
    similarity: float  # cosine of the texts, 0..1
    distance_m: float | None  # between the two points, when both have one


def distance_m(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points in WGS 84."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def near_duplicates(contributions: Iterable[Contribution], *, threshold: float = 0.5, max_distance_m: float = 200,
                    chunk: int = 1000) -> list[Pair]:
    """Pairs of contributions with text similarity ≥ ``threshold`` whose points (where both
    have one) are at most ``max_distance_m`` apart, most similar first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    cs = list(contributions)
    if len({c.id for c in cs}) != len(cs):
        raise EvaluationError("Ein Beitrag kommt mehrfach vor.")
    texts = [" ".join((c.text or "").split()) for c in cs]
    if len(cs) < 2 or not any(texts):
        return []
    # n-grams in more than a tenth of the texts say little about a copy and make the product dense
    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_df=0.1 if len(cs) >= 50 else 1.0,
                        dtype=np.float32).fit_transform(texts)
    XT = X.T.tocsc()
    pairs = []
    for start in range(0, len(cs), chunk):
        S = (X[start:start + chunk] @ XT).toarray()
        rows, cols = np.nonzero(S >= threshold)
        for r, j in zip(rows, cols):
            i = start + r
            if j <= i:
                continue
            a, b = cs[i], cs[j]
            d = distance_m(a.point, b.point) if a.point and b.point else None
            if d is None or d <= max_distance_m:
                pairs.append(Pair(a.id, b.id, float(min(1.0, S[r, j])), d))
    pairs.sort(key=lambda p: (-p.similarity, str(p.a), str(p.b)))
    return pairs
