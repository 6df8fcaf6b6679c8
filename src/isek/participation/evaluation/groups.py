"""Groups of similar contributions, by text and, where they have one, by place, each with a name
proposed from its characteristic words; the planner's decisions stay (decision 0054).

``group_contributions(contributions, fixed={id: key})`` sorts the contributions into groups:

1. by text: the theme engine's features (TF-IDF on character n-grams and on lemmas), reduced to
   20 dimensions (latent semantic analysis) and k-means (k = √(n/2), at most 60; a fixed seed: the
   same input gives the same groups);
2. by place: a text group whose placed contributions lie in several clusters far apart (average
   distance above ``radius_m``, each with at least ``min_place`` contributions) is split along them;
   those without a point, and of small clusters, stay in the largest part;
3. the planner's decisions (``fixed``: contribution → the key of the planner's group) win: a fixed
   contribution stays in its group, and a computed group whose members are at least half fixed to
   one planner's group joins it (new contributions like the ones the planner sorted go there);
4. characteristic words: the lemmas weighing more in the group than in the whole phase (the mean of
   TF-IDF in the group minus the mean of all), shown as citizens wrote them; the first three are the
   proposed name;
5. a catch-all: a group of at least ``MIXED_MIN`` whose contributions are on average hardly more alike
   one another (mean cosine of its pairs) than any two of the phase (``MIXED_RATIO``) is ``mixed``
   and gets no name from its words – they would claim a topic it does not have; the pages call it
   "Verschiedenes (n Beiträge)" (decision 0081). FreiRaum Ottensen: one group of 84 at 0.99 × the
   phase's mean, the next at 1.12; Köln-Ehrenfeld: none of 10 or more below 1.17.

Pure: no Django.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .text import SurfaceForms, shown
from .themes import Contribution, EvaluationError, _Features

NAME_WORDS = 3
MIXED_RATIO = 1.05  # a group's mean pair similarity at most this × the phase's: a catch-all
MIXED_MIN = 10  # … of at least this many contributions (a few at one place may differ in words)
DIMENSIONS = 20  # of the text space: broad topics (100 sorted by street names; decision 0054)


@dataclass(frozen=True)
class Group:
    key: Hashable | None  # the planner's group it continues (a key of ``fixed``), None for a new one
    members: tuple[Hashable, ...]  # in the order given
    words: tuple[str, ...]  # characteristic words, strongest first, as citizens wrote them
    name: str  # proposed from the first words; empty for a catch-all (``mixed``)
    mixed: bool = False  # its contributions are too unlike one another for a name from their words


def group_contributions(contributions: Iterable[Contribution], *, fixed: Mapping[Hashable, Hashable] | None = None,
                        k: int | None = None, seed: int = 0, radius_m: float = 1000, min_place: int = 5,
                        top_words: int = 8) -> list[Group]:
    """The contributions in groups, largest first (see the module's docstring)."""
    cs = list(contributions)
    fixed = dict(fixed or {})
    ids = Counter(c.id for c in cs)
    twice = sorted(str(i) for i, n in ids.items() if n > 1)
    if twice:
        raise EvaluationError(f"Diese Beiträge kommen mehrfach vor: {', '.join(twice[:10])}")
    unknown = sorted(str(i) for i in fixed if i not in ids)
    if unknown:
        raise EvaluationError(f"Diese Beiträge gibt es in dieser Auswertung nicht: {', '.join(unknown[:10])}")
    if not cs:
        return []
    X, W, names = _features([c.text or "" for c in cs])
    k = max(1, min(k or round(math.sqrt(len(cs) / 2)), 60, len(cs)))
    labels = _by_text(X, len(cs), k, seed)
    labels = _by_place(cs, labels, radius_m, min_place)
    members = _with_fixed(cs, labels, fixed)
    surface = SurfaceForms(c.text for c in cs)
    index = {c.id: i for i, c in enumerate(cs)}
    mean = np.asarray(W.mean(axis=0)).ravel() if W is not None else None
    unit = _unit(X)
    phase = _alike(unit, range(len(cs))) if unit is not None else None
    out = []
    for key, group in members:
        rows = [index[m] for m in group]
        words = _words(W, rows, mean, names, surface, top_words) if W is not None else ()
        mixed = bool(phase and len(rows) >= MIXED_MIN and _alike(unit, rows) <= MIXED_RATIO * phase)
        out.append(Group(key, tuple(group), words, "" if mixed else ", ".join(words[:NAME_WORDS]), mixed))
    out.sort(key=lambda g: (-len(g.members), index[g.members[0]]))
    return out


def _unit(X):
    """The contributions' feature rows at length 1 (None without features)."""
    if X is None:
        return None
    from sklearn.preprocessing import normalize

    return normalize(X)


def _alike(unit, rows) -> float:
    """The mean cosine of the pairs of ``rows`` (0 for fewer than two): from the sum of the unit
    rows, |Σ|² = n + Σ over ordered pairs."""
    rows = list(rows)
    n = len(rows)
    if n < 2:
        return 0.0
    total = np.asarray(unit[rows].sum(axis=0)).ravel()
    return float((total @ total - n) / (n * (n - 1)))


def _features(texts: list[str]):
    """The theme engine's features (TF-IDF on character n-grams and on lemmas) and the lemma part
    with its words; (None, None, None) when no text has a word."""
    try:
        f = _Features(texts, char_weight=1.0, word_weight=0.3)
    except EvaluationError:
        return None, None, None
    return f.X, f.X[:, :f.n_words].tocsr(), f.names


def _by_text(X, n: int, k: int, seed: int) -> np.ndarray:
    if X is None or k < 2:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    dims = min(DIMENSIONS, X.shape[1] - 1, n - 1)
    # one thread: on small matrices BLAS threads cost more than they gain (Ottensen: 0.3 s, not 1.8 s
    # with two threads on a busy machine of two cores)
    with threadpool_limits(1):
        space = normalize(TruncatedSVD(dims, random_state=seed).fit_transform(X)) if dims >= 2 else normalize(X.toarray())
        return KMeans(n_clusters=k, n_init=3, random_state=seed).fit(space).labels_


def _by_place(cs: list[Contribution], labels, radius_m: float, min_place: int) -> np.ndarray:
    """Each text group split where its placed members form several clusters far apart."""
    labels = np.array(labels)
    following = int(labels.max()) + 1
    for g in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == g)
        placed = [i for i in rows if cs[i].point]
        if len(placed) < 2 * min_place:
            continue
        from sklearn.cluster import AgglomerativeClustering

        parts = AgglomerativeClustering(n_clusters=None, linkage="average", distance_threshold=radius_m).fit(
            _metres([cs[i].point for i in placed])).labels_
        sizes = Counter(parts.tolist())
        big = sorted((p for p, n in sizes.items() if n >= min_place), key=lambda p: (-sizes[p], p))
        for p in big[1:]:  # the largest part keeps the group's number, the others get new ones
            for i, part in zip(placed, parts):
                if part == p:
                    labels[i] = following
            following += 1
    return labels


def _metres(points) -> np.ndarray:
    """(lon, lat) in WGS 84 as metres east and north of the first (equirectangular: exact enough
    within a city)."""
    p = np.asarray(points, dtype=float)
    lat0 = math.radians(p[:, 1].mean())
    return np.column_stack([(p[:, 0] - p[0, 0]) * 111_320 * math.cos(lat0), (p[:, 1] - p[0, 1]) * 110_574])


def _with_fixed(cs: list[Contribution], labels, fixed: Mapping) -> list[tuple[Hashable | None, list]]:
    """The computed groups with the planner's decisions applied: [(key or None, member ids)]."""
    out: dict[Hashable, list] = {key: [] for key in dict.fromkeys(fixed.values())}
    new: list[list] = []
    for g in sorted(set(labels.tolist()), key=lambda g: int(np.flatnonzero(labels == g)[0])):
        rows = np.flatnonzero(labels == g)
        free = [cs[i].id for i in rows if cs[i].id not in fixed]
        if not free:
            continue
        keys = Counter(fixed[cs[i].id] for i in rows if cs[i].id in fixed)
        top = keys.most_common(1)[0] if keys else None
        if top and top[1] * 2 >= len(rows):
            out[top[0]].extend(free)
        else:
            new.append(free)
    for c in cs:
        if c.id in fixed:
            out[fixed[c.id]].append(c.id)
    order = {c.id: i for i, c in enumerate(cs)}
    return ([(key, sorted(ms, key=order.get)) for key, ms in out.items() if ms]
            + [(None, ms) for ms in new])


def _words(X, rows: list[int], mean, names, surface: SurfaceForms, top: int) -> tuple[str, ...]:
    weight = np.asarray(X[rows].mean(axis=0)).ravel() - mean
    out: list[str] = []
    for j in np.argsort(-weight, kind="stable"):
        if weight[j] <= 0 or len(out) >= top:
            break
        if not shown(names[j]):  # "[Name entfernt]", "xxx", "www … de" (minor24)
            continue
        word = surface(names[j])
        folded = word.casefold()  # "Verkehr" and "verkehr" (two lemmas of simplemma) once (walk 24)
        if not any(folded in o.casefold() or o.casefold() in folded for o in out):  # "Ampel" and "Ampel Schaltung" once
            out.append(word)
    return tuple(out)
