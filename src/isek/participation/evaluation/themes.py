"""Theme suggestions that learn from the planner, and which contributions to label next.

See the package docstring (isek.participation.evaluation) for the API. Pure: no Django.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import SurfaceForms, content, lemma, lemma_ngrams, place_names
from .text import words as text_words

CALIBRATE = 40  # decisions from which the confidence is calibrated on them (decision 0068)
# the calibration is fitted again every this many decisions, not on each (fix24: its three
# cross-validated fits made a decision from the 40th on several times slower than before it)
RECALIBRATE = 10


_blas = None  # threadpoolctl's controller of the BLAS libraries loaded (see _one_thread)


def _one_thread():
    """A context in which BLAS runs on one thread (minor24). L-BFGS-B calls BLAS on vectors of some
    ten thousand values a few hundred times per fit; OpenBLAS hands each call to its threads and
    waits for them, which on 2 cores shared with the web server and other jobs cost more than the
    arithmetic: Köln-Ehrenfeld, 50 decisions, one fit 0.82 s CPU (2.8 s wall at load 12) with 2
    threads, 0.07 s (0.2 s) with one – the same solution."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


class EvaluationError(ValueError):
    """Input the engine cannot work with; the message is German and names what is wrong."""


@dataclass(frozen=True)
class Contribution:
    id: Hashable
    text: str  # title and text, as the citizen wrote them
    point: tuple[float, float] | None = None  # (lon, lat) in WGS 84, if the citizen placed one


@dataclass(frozen=True)
class Theme:
    key: str
    description: str = ""  # a short description in the planner's words; used as a first example


@dataclass(frozen=True)
class Suggestion:
    id: Hashable
    theme: str
    # How sure isek is, 0..1: the probability of ``theme``, calibrated on the decisions from
    # CALIBRATE of them on (decision 0068: how often a suggestion of this confidence was right)
    confidence: float
    words: tuple[str, ...]  # the contribution's words that led to it, strongest first, as written
    runner_up: str | None = None  # the next most likely theme, for the review list
    probability: float = 0.0  # the same (kept for the bench's columns)
    probabilities: Mapping[str, float] | None = None  # every theme's probability (theme key → 0..1)

    def versus(self, theme: str) -> float:
        """How much likelier isek's theme is than ``theme``: p(isek's) / (p(isek's) + p(theme)), 0.5..1."""
        other = (self.probabilities or {}).get(theme, 0.0)
        return self.probability / (self.probability + other) if self.probability + other > 0 else 0.5


@dataclass(frozen=True)
class Pick:
    id: Hashable
    reason: str  # a key of REASONS
    score: float
    theme: str | None = None  # for "selten": the theme with few decisions it may belong to


# Reasons for a pick, for the review page (German first; the UI translates them).
REASONS = {
    "kaltstart": "typisch für eine Gruppe ähnlicher Beiträge",
    "unerkundet": "aus einer Gruppe, in der noch nichts zugeordnet ist",
    "unsicher": "isek ist zwischen zwei Themen unsicher",
    "selten": "könnte zu einem Thema mit wenigen Beispielen gehören",
}


class _Features:
    """TF-IDF on lemmas (1–2 words) beside TF-IDF on character n-grams within words (3–5),
    fitted on all contributions of the phase (the texts are known; the labels are not)."""

    def __init__(self, texts: list[str], char_weight: float, word_weight: float, stop_words: Iterable[str] = (),
                 stop_lemmas: frozenset = frozenset()):
        from functools import partial

        from sklearn.feature_extraction.text import TfidfVectorizer

        big = len(texts) >= 50  # on a handful of texts every word counts
        stop = frozenset(lemma(w) for s in stop_words for w in text_words(s)) | stop_lemmas
        self.words = TfidfVectorizer(analyzer=partial(lemma_ngrams, stop=stop) if stop else lemma_ngrams, sublinear_tf=True, max_df=0.6 if big else 1.0)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True,
                                     min_df=2 if big else 1, max_df=0.6 if big else 1.0, dtype=np.float32)
        self.char_weight, self.word_weight = char_weight, word_weight
        try:
            words = self.words.fit_transform(texts)
        except ValueError:  # no word in any text
            raise EvaluationError("Keiner der Beiträge enthält Wörter: isek kann nichts vorschlagen.") from None
        try:
            chars = self.chars.fit_transform(texts) if char_weight else None
        except ValueError:
            chars = None
        if chars is None:
            self.chars = None
        self.X = self._stack(words, chars)
        self.n_words = len(self.words.vocabulary_)
        self.names = self.words.get_feature_names_out()

    def _stack(self, w, c):
        if c is None:
            return sp.csr_matrix(w, dtype=np.float32)
        return sp.hstack([w * self.word_weight, c * self.char_weight], format="csr", dtype=np.float32)

    def transform(self, texts: list[str]):
        return self._stack(self.words.transform(texts), self.chars.transform(texts) if self.chars else None)


class ThemeSuggester:
    """Suggests a theme for every contribution the planner has not labelled yet and proposes which
    to label next. Build it once per phase (features), then ``fit`` or ``update`` with each answer."""

    def __init__(self, contributions: Iterable[Contribution], themes: Iterable[Theme], *, seed: int = 0,
                 char_weight: float = 1.0, word_weight: float = 0.3, C: float = 1.0, seed_weight: float = 3.0,
                 clusters: int | None = None, explore: float = 0.5, rare: float = 0.5, few: int = 5, calibrate: bool = True,
                 balance: float = 1.0, stop_words: Iterable[str] = (), ovr: bool = False, density: float = 0.0,
                 lift: float = 2.0, prototype: float = 0.0, lsa: float = 0.0, self_train: float = 0.0,
                 self_train_share: float = 1.0, cover: float = 0.0, places: Iterable[str] = (),
                 drop_places: bool = False, describe: int = 0, per_theme: bool = False,
                 spread: float = 0.0, spread_k: int = 10, spread_alpha: float = 0.8, spread_seed: float | None = None,
                 typical: float = 0.0, describe_share: float = 1.0):
        self.contributions = list(contributions)
        self.themes = list(themes)
        ids = Counter(c.id for c in self.contributions)
        twice = [str(i) for i, n in ids.items() if n > 1]
        if twice:
            raise EvaluationError(f"Diese Beiträge kommen mehrfach vor: {', '.join(sorted(twice)[:10])}")
        keys = Counter(t.key for t in self.themes)
        if not self.themes:
            raise EvaluationError("Es gibt noch kein Thema: ohne Themen kann isek nichts vorschlagen.")
        if any(n > 1 for n in keys.values()):
            raise EvaluationError("Ein Thema ist mehrfach angegeben: " + ", ".join(k for k, n in keys.items() if n > 1))
        self.seed, self.C, self.seed_weight, self.explore, self.rare = seed, C, seed_weight, explore, rare
        self.few = few  # a theme with fewer decisions than this has "few examples" (REASONS["selten"])
        # ovr, density and prototype: levers the benches measure, off by default (decision 0088: each
        # lost on at least one corpus). ovr: one binary model per theme (one-vs-rest, multi-label with
        # ``fit(also=…)``) instead of one over all themes; density: the query's uncertainty ×
        # (closeness to its group's centre) ** density
        self.ovr = ovr
        self.density = density
        # a reason word must be at least this many times as frequent in the theme's decided contributions
        # as in the others' (a word frequent across themes says nothing about this one; ml24)
        self.lift = lift
        # prototype: the scores get prototype × the cosine with each theme's mean decided contribution,
        # so a theme with two decisions is as near as one with fifty (few-shot), where the regularised
        # model's weights for it stay small; it made such themes suggested, and lost macro-F1 (0088)
        self.prototype = prototype
        self.protos = None
        # semi-supervised levers (ml24b, decision 0100), off by default. lsa: the model also sees
        # each text's position in an LSA space (SVD of the features of all contributions and theme
        # descriptions, normalised, × lsa), so the few labelled texts' rare words reach the rest
        # through the words they co-occur with. self_train: after each fit, per theme the unlabelled
        # contributions it is likeliest for (as many as self_train_share × its decisions) are added as
        # examples of weight self_train, and the model is fitted again (self-training, one round)
        self.lsa, self.self_train, self.self_train_share = lsa, self_train, self_train_share
        # cover: while fewer than this share of the contributions is decided, the picks cover the
        # corpus (k-center in the reduced space: each the one farthest from all decided and picked
        # ones) instead of the model's uncertainty (a cold start longer than the first batch; 0100)
        self.cover = cover
        # levers of ml24c (decision 0106), off by default. describe: each batch first asks, for every
        # theme with a description and no decision yet, the undecided contribution nearest to its
        # description (cosine of the features) among the ``describe`` nearest – a cold start that
        # reaches every theme the planner described, and gives up on a theme when its ``describe``
        # nearest were all decided otherwise (describe_share: at most that share of a batch).
        # per_theme: the uncertain picks go round the themes, those with the fewest decisions first,
        # each time the least sure contribution isek suggests that theme for (class-balanced
        # uncertainty; macro-F1 is carried by the small themes). spread: the
        # probabilities are (1 - spread) × the model's + spread × label spreading's over a graph of
        # each contribution's ``spread_k`` nearest neighbours in the reduced space (Zhou et al. 2004:
        # F = alpha S F + (1 - alpha) Y), the decisions and the theme descriptions (weight
        # ``spread_seed``, default ``seed_weight``) as its labelled nodes.
        # typical: while fewer than this share is decided, the picks are the most typical contribution of
        # each of the largest groups without a decision (k-means of the reduced space into as many groups
        # as decisions and picks; TypiClust, Hacohen et al. 2022) – the covering start of 0100 by
        # groups' centres instead of outliers
        self.describe, self.per_theme, self.typical = describe, per_theme, typical
        self.describe_share = describe_share
        self.spread, self.spread_k, self.spread_alpha = spread, spread_k, spread_alpha
        self.spread_seed = seed_weight if spread_seed is None else spread_seed
        self._graph = None
        self._spread_p = None  # label spreading's probabilities per contribution (columns as self.classes)
        self.also: dict[Hashable, frozenset[str]] = {}  # further themes a decided contribution has (ovr)
        self.index = {c.id: i for i, c in enumerate(self.contributions)}
        texts = [c.text or "" for c in self.contributions]
        self.balance = balance
        # place names (fix24h, decision 0107): the streets the texts name ("Vogelsanger" of "Vogelsanger
        # Straße", "Kanalstraße") and the words of ``places``, the street names of the phase's area where
        # known; never a reason for a theme. drop_places: not word features either (a lever the bench
        # measured: it lost macro-F1 on a corpus, so off)
        self.places = place_names(texts, places)
        self.features = _Features(texts + [t.description for t in self.themes if t.description], char_weight, word_weight,
                                  stop_words, self.places if drop_places else frozenset())
        n = len(texts)
        self.X = self.features.X[:n]
        every = self.features.X
        if lsa:
            every = sp.hstack([every, lsa * _lsa(every, seed)], format="csr", dtype=np.float32)
        self.M = every[:n]  # what the model sees: the features, with lsa their LSA coordinates too
        self.seeds = [(t.key, every[n + j]) for j, t in enumerate(t for t in self.themes if t.description)]
        self.surface = SurfaceForms(texts)
        self.n_clusters = clusters or max(2, min(60, int(round(math.sqrt(n / 2)))))
        self._space = None
        self._cluster = None
        self._centres = None
        self._density = None
        self._content = None  # per word feature: a content word (text.content), computed on first use
        self.labels: dict[Hashable, str] = {}
        self.model = None
        self.temperature = 1.0  # see _calibrate
        self.calibrated_at = None  # decisions // RECALIBRATE when the temperature was last fitted
        self.temperature_off = not calibrate
        self.cols = np.zeros(0, dtype=np.int32)  # the features the model is trained on (see _train)
        self.centroid = None  # with a single theme known: the mean of its examples

    # --- learning -------------------------------------------------------------------------------
    def fit(self, labels: Mapping[Hashable, str], also: Mapping[Hashable, Iterable[str]] | None = None) -> ThemeSuggester:
        """Learn from all the planner's labels so far (contribution id → theme key). ``also``: further
        themes a labelled contribution belongs to (multi-label annotation, e.g. FreiRaum Ottensen's);
        only the one-vs-rest model (``ovr``) learns from them, each theme's model counting it as one."""
        also = {c: frozenset(ts) for c, ts in (also or {}).items()}
        self._check({**labels, **{c: t for c, ts in also.items() for t in ts}})
        self.labels = dict(labels)
        self.also = {c: ts for c, ts in also.items() if c in self.labels}
        self._train()
        return self

    def update(self, cid: Hashable, theme: str) -> ThemeSuggester:
        """The planner confirmed or corrected one contribution: learn it at once. The same as ``fit``
        with all labels: the suggestions are a function of the labels alone, not of the order they
        came in (two processes' engines, one taught answer by answer, suggest the same; walk 24)."""
        labels = {**self.labels, cid: theme}
        self._check(labels)
        self.labels = labels
        self._train()
        return self

    def _check(self, labels: Mapping[Hashable, str]) -> None:
        known = {t.key for t in self.themes}
        for cid, key in labels.items():
            if cid not in self.index:
                raise EvaluationError(f"Den Beitrag {cid} gibt es in dieser Auswertung nicht.")
            if key not in known:
                raise EvaluationError(f"Das Thema {key!r} gibt es in dieser Beteiligung nicht.")

    def _train(self):
        # in the contributions' order, whatever order the labels came in: the same rows, the same solution
        labelled = sorted(self.labels, key=self.index.__getitem__)
        rows = [self.index[c] for c in labelled]
        y = [self.labels[c] for c in labelled]
        X = self.M[rows]
        w = [1.0] * len(rows)
        seeds = [(k, v) for k, v in self.seeds if self.seed_weight]
        if seeds:
            X = sp.vstack([X] + [v for _, v in seeds], format="csr")
            y += [k for k, _ in seeds]
            w += [self.seed_weight] * len(seeds)
        self.classes = sorted(set(y))
        if len(self.classes) < 2:
            # One theme known: nothing to tell apart; similarity to its examples is the confidence.
            self.model = None
            self.centroid = np.asarray(X.mean(axis=0)).ravel() if len(y) else None
            self._spread_p = None
            return
        from sklearn.linear_model import LogisticRegression

        counts = Counter(y)
        # balanced: a theme with few labels weighs as much as a frequent one (macro-F1, small themes)
        cw = np.array([(len(y) / (len(counts) * counts[t])) ** self.balance for t in y]) * np.array(w)
        # Only the features some labelled row has: with L2 the others' weights are 0 at the optimum
        # (their gradient is the penalty alone), so the solution is the same, found on a fraction
        # of the parameters (a phase has tens of thousands of features, the labelled rows a few).
        # Always solved afresh (no warm start from the last solution): a warm step stops elsewhere
        # within the tolerance, and an engine taught answer by answer then suggested otherwise than
        # one built with the same answers in another process (walk 24: counts flipping between loads).
        self.cols = np.unique(X.indices)
        if self.ovr:
            member = [self.also.get(c, frozenset()) | {t} for c, t in zip(labelled, y, strict=False)]
            member += [{k} for k, _ in seeds]
            self.model = _OneVsRest(self.C, self.seed, self.balance, member)
        else:
            self.model = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        step = len(rows) // RECALIBRATE
        with _one_thread():
            self.model.fit(X[:, self.cols], y, sample_weight=np.array(w) if self.ovr else cw)
            if len(rows) < CALIBRATE or self.temperature_off:
                self.temperature, self.calibrated_at = 1.0, None
            elif step != self.calibrated_at:  # 40, 50, 60 … decisions: fitted again; between: kept
                self.temperature = self._calibrate(X[: len(rows)], y[: len(rows)],
                                                   np.ones(len(rows)) if self.ovr else cw[: len(rows)])
                self.calibrated_at = step
            if self.self_train and not self.ovr:
                self._self_train(rows, X, y, cw)
        self.classes = list(self.model.classes_)
        self.protos = _prototypes(X[:, self.cols], y, self.classes) if self.prototype else None
        self._spread_p = self._spreading(rows, y[: len(rows)]) if self.spread else None

    def _self_train(self, rows: list[int], X, y: list[str], cw: np.ndarray) -> None:
        """One round of self-training: per theme, the unlabelled contributions the model finds likeliest
        for it (argmax, highest probability first; self_train_share × the theme's decisions, at least one)
        join the examples with weight ``self_train``, and the model is fitted again on the same columns
        plus those the new rows have."""
        from sklearn.linear_model import LogisticRegression

        labelled = set(rows)
        rest = np.array([i for i in range(self.M.shape[0]) if i not in labelled])
        if not len(rest):
            return
        Z = _logits(self.model, self.M[rest][:, self.cols])
        best = Z.argmax(axis=1)
        margin = Z.max(axis=1) - np.partition(Z, -2, axis=1)[:, -2] if Z.shape[1] > 1 else Z[:, 0]
        counts = Counter(y[: len(rows)])
        extra, ey = [], []
        for k, t in enumerate(self.model.classes_):
            mine = np.flatnonzero(best == k)
            take = max(1, round(self.self_train_share * counts.get(t, 1)))
            for j in mine[np.argsort(-margin[mine], kind="stable")][:take]:
                extra.append(rest[j])
                ey.append(t)
        if not extra:
            return
        X2 = sp.vstack([X, self.M[extra]], format="csr")
        y2 = list(y) + ey
        w2 = np.concatenate([cw, np.array([cw[y.index(t)] for t in ey]) * self.self_train])
        self.cols = np.unique(X2.indices)
        self.model = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        self.model.fit(X2[:, self.cols], y2, sample_weight=w2)

    def _scores(self, model, protos, X) -> np.ndarray:
        """The model's scores per theme, plus ``prototype`` × the cosine with each theme's prototype."""
        z = _logits(model, X)
        if protos is not None:
            z = z + self.prototype * np.asarray(X @ protos.T) / _row_norms(X).reshape(-1, 1)
        return z

    def _calibrate(self, X, y: list[str], w) -> float:
        """The factor on the model's scores that makes its probabilities say how often it is right
        (temperature scaling, fitted by 3-fold cross-validation on the decisions; decision 0068).
        Regularised on a few decisions, the model spreads its probability over all themes: after 160
        decisions on Ottensen's 12 themes it gave its suggestion a median 15 % and was right in 64 %.
        Fewer than ``CALIBRATE`` decisions: 1 (the model's own probabilities)."""
        if len(y) < CALIBRATE or self.temperature_off:
            return 1.0
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold

        scores, truth = [], []
        y = np.array(y)
        for train, test in KFold(3, shuffle=True, random_state=self.seed).split(y):
            if len(set(y[train])) < 2:
                continue
            cols = np.unique(X[train].indices)
            if self.ovr:
                member = [{y[j]} for j in train]
                m = _OneVsRest(self.C, self.seed, self.balance, member)
            else:
                m = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
            m.fit(X[train][:, cols], y[train], sample_weight=w[train])
            known = [j for j in test if y[j] in set(m.classes_)]
            if not known:
                continue
            protos = _prototypes(X[train][:, cols], list(y[train]), list(m.classes_)) if self.prototype else None
            z = self._scores(m, protos, X[known][:, cols])
            index = {c: k for k, c in enumerate(m.classes_)}
            scores += list(z)
            truth += [index[y[j]] for j in known]
        if len(truth) < CALIBRATE // 2:
            return 1.0
        best, best_t = math.inf, 1.0
        for t in np.geomspace(1, 20, 31):  # never flatter than the model's own (regularised: too flat)
            loss = sum(-_log_softmax(t * z)[k] for z, k in zip(scores, truth, strict=True))
            if loss < best:
                best, best_t = loss, float(t)
        return best_t

    def _unlabelled(self) -> list[int]:
        return [i for i, c in enumerate(self.contributions) if c.id not in self.labels]

    def probabilities(self, rows: list[int], calibrated: bool = True) -> np.ndarray | None:
        """Each row's probability per theme (columns in ``self.classes``), calibrated on the decisions
        (``_calibrate``), or None before any example."""
        if self.model is not None:
            z = (self.temperature if calibrated else 1.0) * self._scores(self.model, self.protos, self.M[rows][:, self.cols])
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            P = e / e.sum(axis=1, keepdims=True)
            if self._spread_p is not None:
                P = (1.0 - self.spread) * P + self.spread * self._spread_p[rows]
            return P
        if self.centroid is None:
            return None
        sim = self.M[rows] @ self.centroid
        norm = np.linalg.norm(self.centroid) or 1.0
        return np.clip(np.asarray(sim).reshape(-1, 1) / norm / _row_norms(self.M[rows]).reshape(-1, 1), 0, 1)

    # --- suggestions ----------------------------------------------------------------------------
    def suggest(self, top_words: int = 5) -> list[Suggestion]:
        """A suggestion for every contribution not labelled yet (empty before the first label or
        theme description)."""
        rows = self._unlabelled()
        P = self.probabilities(rows) if rows else None
        if P is None:
            return []
        best = P.argmax(axis=1)
        second = np.argsort(-P, axis=1)[:, 1] if P.shape[1] > 1 else None
        weights = self._word_weights() if top_words else None
        allowed = self._characteristic() if top_words else None
        Xw = self.X[rows][:, : self.features.n_words].tocsr()
        out = []
        for k, i in enumerate(rows):
            b = best[k]
            words = self._reasons(Xw, k, weights[b], allowed[min(b, len(allowed) - 1)], top_words) if top_words else ()
            p1 = float(P[k, b])
            out.append(Suggestion(self.contributions[i].id, self.classes[b], p1, words,
                                  self.classes[second[k]] if second is not None else None, p1,
                                  dict(zip(self.classes, map(float, P[k])))))
        return out

    def _word_weights(self) -> np.ndarray:
        """Per theme, how much each word feature speaks for it (classes × word features)."""
        n = self.features.n_words
        if self.model is None:
            return self.centroid[:n].reshape(1, -1)
        coef = np.zeros((self.model.coef_.shape[0], self.M.shape[1]))
        coef[:, self.cols] = self.model.coef_  # the features no labelled row has weigh nothing
        if coef.shape[0] == 1:  # two themes: sklearn keeps one row, for the second class
            coef = np.vstack([-coef, coef])
        return coef[:, :n] - coef[:, :n].mean(axis=0) if coef.shape[0] > 2 else coef[:, :n]

    def _characteristic(self) -> np.ndarray:
        """Per theme (rows as ``self.classes``), which word features may be given as its reasons: content
        words (``text.content``: no filler such as "toll", "leider", "Straße"), no place names
        (``self.places``: "Vogelsanger", "Kanalstraße"; fix24h) and at least
        ``lift`` times as frequent in the theme's decided contributions as in the other decided ones
        (ml24: a word frequent across themes did not lead to this one, even if the model weighs it).
        A theme without decisions of its own (known from its description) only drops the fillers."""
        n = self.features.n_words
        if self._content is None:
            self._content = np.array([content(f, self.surface(f)) and not any(p in self.places for p in f.split(" "))
                                      for f in self.features.names], dtype=bool)
        classes = self.classes if self.model is not None else [None]
        ok = np.tile(self._content, (len(classes), 1))
        labelled = sorted(self.labels, key=self.index.__getitem__)
        if self.model is None or not labelled or not self.lift:
            return ok
        present = (self.X[[self.index[c] for c in labelled]][:, :n] > 0).astype(np.float32).tocsr()
        theme = np.array([self.labels[c] for c in labelled])
        total = np.asarray(present.sum(axis=0)).ravel()
        for k, t in enumerate(classes):
            mine = theme == t
            if not mine.any() or mine.all():
                continue
            inside = np.asarray(present[mine].sum(axis=0)).ravel()
            share_in, share_out = inside / mine.sum(), (total - inside) / (~mine).sum()
            ok[k] &= share_in >= self.lift * share_out
        return ok

    def _reasons(self, Xw, k: int, weight: np.ndarray, allowed: np.ndarray, top: int) -> tuple[str, ...]:
        lo, hi = Xw.indptr[k], Xw.indptr[k + 1]
        idx, val = Xw.indices[lo:hi], Xw.data[lo:hi]
        if not len(idx):
            return ()
        contrib = val * weight[idx]
        order = np.argsort(-contrib)
        out: list[str] = []
        for j in order:
            if contrib[j] <= 0 or len(out) >= top:
                break
            if not allowed[idx[j]]:  # fillers, placeholders, words of every theme (minor24, ml24)
                continue
            word = self.surface(self.features.names[idx[j]])
            if not any(word in o or o in word for o in out):  # "Radweg" and "Radweg schmal" once
                out.append(word)
        return tuple(out)

    # --- what to label next ---------------------------------------------------------------------
    def next_to_label(self, k: int = 10) -> list[Pick]:
        """The ``k`` contributions the planner should label next. Before any example: typical
        contributions of k different groups (cold start). Then: those isek is least sure about
        (smallest margin between the two likeliest themes), favouring groups of similar
        contributions where nothing has been labelled yet, at most one per group while groups last."""
        rows = self._unlabelled()
        if not rows or k <= 0:
            return []
        described = self._described(rows, math.ceil(k * self.describe_share)) if self.describe else []
        if described:
            rows = [i for i in rows if self.contributions[i].id not in {p.id for p in described}]
            k -= len(described)
            if not rows or k <= 0:
                return described
        P = self.probabilities(rows, calibrated=False)  # the query as measured in 0047, whatever the calibration
        if P is None or self.model is None:
            return described + self._cold_start(rows, k)
        if len(self.labels) < self.cover * len(self.contributions):
            return described + self._covering(rows, k)
        if len(self.labels) < self.typical * len(self.contributions):
            return described + self._typical_picks(rows, k)
        return described + self._uncertain(rows, P, k)

    def _uncertain(self, rows: list[int], P: np.ndarray, k: int) -> list[Pick]:
        top2 = -np.sort(-P, axis=1)[:, :2]
        uncertainty = 1.0 - (top2[:, 0] - top2[:, 1])
        cluster = self._clusters()
        if self.density:  # typical of its group, not an outlier (density-weighted uncertainty)
            uncertainty = uncertainty * self._typical()[rows] ** self.density
        explored = {cluster[self.index[c]] for c in self.labels}
        fresh = np.array([cluster[i] not in explored for i in rows])
        score = uncertainty + self.explore * fresh
        order = np.argsort(-score, kind="stable")
        picks: list[Pick] = []
        used: set[int] = set()
        if self.rare:
            # themes with the fewest labels first: the contribution most likely to belong to each –
            # only themes that truly have few decisions (fewer than ``few``; walk 25: the reason was
            # given for a theme with 214 contributions), and only where the theme is that
            # contribution's likeliest or second likeliest (else it is no candidate for the theme)
            have = Counter(self.labels.values())
            taken: set[int] = set()
            second_best = np.argsort(-P, axis=1)[:, :2]
            rare = [t for t in range(len(self.classes)) if have[self.classes[t]] < self.few]
            for t in sorted(rare, key=lambda t: (have[self.classes[t]], t)):
                if len(picks) >= math.ceil(k * self.rare):
                    break
                for j in np.argsort(-P[:, t], kind="stable"):
                    if j not in taken and t in second_best[j]:
                        taken.add(j)
                        picks.append(Pick(self.contributions[rows[j]].id, "selten", float(P[j, t]), self.classes[t]))
                        used.add(cluster[rows[j]])
                        break
        if self.per_theme:
            return self._per_theme(rows, P, score, fresh, picks, k)
        for rnd in range(2):
            for j in order:
                if len(picks) >= k:
                    return picks
                i = rows[j]
                if rnd == 0 and cluster[i] in used:
                    continue
                if any(p.id == self.contributions[i].id for p in picks):
                    continue
                used.add(cluster[i])
                picks.append(Pick(self.contributions[i].id, "unerkundet" if fresh[j] else "unsicher", float(score[j])))
        return picks

    def _per_theme(self, rows: list[int], P: np.ndarray, score: np.ndarray, fresh: np.ndarray, picks: list[Pick],
                   k: int) -> list[Pick]:
        """Class-balanced uncertainty (``per_theme``): round the themes, those with the fewest decisions
        first, each time the contribution with the highest ``score`` among those isek suggests that
        theme for; a theme isek suggests for none is passed over."""
        have = Counter(self.labels.values())
        best = P.argmax(axis=1)
        taken = {p.id for p in picks}
        queues = {t: [j for j in np.argsort(-score, kind="stable") if best[j] == t] for t in range(P.shape[1])}
        turn = sorted(queues, key=lambda t: (have[self.classes[t]], t))
        while len(picks) < k and any(queues.values()):
            for t in turn:
                while queues[t] and self.contributions[rows[queues[t][0]]].id in taken:
                    queues[t].pop(0)
                if not queues[t] or len(picks) >= k:
                    continue
                j = queues[t].pop(0)
                cid = self.contributions[rows[j]].id
                taken.add(cid)
                picks.append(Pick(cid, "unerkundet" if fresh[j] else "unsicher", float(score[j])))
        return picks

    def _described(self, rows: list[int], k: int) -> list[Pick]:
        """For each theme with a description and no decision (in the themes' order, at most ``k``): the
        undecided contribution nearest to the description among its ``describe`` nearest of all
        contributions (cosine of the model's features); none when those are all decided."""
        have = set(self.labels.values())
        todo = [(key, v) for key, v in self.seeds if key not in have]
        if not todo:  # every described theme decided (or none described): nothing computed
            return []
        undecided = set(rows)
        norms = _row_norms(self.M)
        picks: list[Pick] = []
        for key, v in todo:
            if len(picks) >= k:
                break
            sim = np.asarray(self.M @ v.T.toarray()).ravel() / norms / (math.sqrt(v.multiply(v).sum()) or 1.0)
            for i in np.argsort(-sim, kind="stable")[: self.describe]:
                cid = self.contributions[i].id
                if i in undecided and all(p.id != cid for p in picks):
                    picks.append(Pick(cid, "selten", float(sim[i]), key))
                    break
        return picks

    def _spreading(self, rows: list[int], y: list[str]) -> np.ndarray | None:
        """Label spreading (``spread``): per contribution a probability per theme (columns as
        ``self.classes``) spread from the decisions and the theme descriptions over the graph of
        nearest neighbours (``_spread_graph``), each theme's labelled nodes weighing as much in all
        (balanced, as the model's class weights)."""
        S, n = self._spread_graph()
        col = {t: c for c, t in enumerate(self.classes)}
        Y = np.zeros((S.shape[0], len(self.classes)))
        counts = Counter(y)
        for i, t in zip(rows, y, strict=True):
            Y[i, col[t]] = 1.0 / counts[t]
        for j, (key, _) in enumerate(self.seeds):
            if key in col:
                Y[n + j, col[key]] = self.spread_seed / max(1, counts.get(key, 0))
        F = (1.0 - self.spread_alpha) * Y
        for _ in range(30):
            F = self.spread_alpha * (S @ F) + (1.0 - self.spread_alpha) * Y
        F = F[:n]
        total = F.sum(axis=1, keepdims=True)
        return np.where(total > 0, F / np.where(total > 0, total, 1.0), 1.0 / len(self.classes))

    def _spread_graph(self):
        """The symmetric normalised graph (D^-1/2 W D^-1/2) of each contribution's and each theme
        description's ``spread_k`` nearest neighbours (cosine in the reduced space, weights the cosine),
        built once per engine; and the number of contributions (the descriptions' nodes follow them)."""
        if self._graph is None:
            space = self._reduced()
            n = space.shape[0]
            extra = self._project(sp.vstack([v for _, v in self.seeds], format="csr")[:, : self.X.shape[1]]) \
                if self.seeds else np.zeros((0, space.shape[1]))
            V = np.vstack([space, extra]).astype(np.float32)
            N, k = len(V), max(1, min(self.spread_k, len(V) - 1))
            rr, cc, ww = [], [], []
            for a in range(0, N, 1000):
                sim = V[a:a + 1000] @ V.T
                sim[np.arange(len(sim)), np.arange(a, a + len(sim))] = -np.inf
                near = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k < N else np.argsort(-sim, axis=1)[:, :k]
                rr.append(np.repeat(np.arange(a, a + len(sim)), near.shape[1]))
                cc.append(near.ravel())
                ww.append(np.clip(np.take_along_axis(sim, near, axis=1).ravel(), 1e-6, None))
            W = sp.csr_matrix((np.concatenate(ww), (np.concatenate(rr), np.concatenate(cc))), shape=(N, N))
            W = W.maximum(W.T)
            d = np.asarray(W.sum(axis=1)).ravel()
            d = 1.0 / np.sqrt(np.where(d > 0, d, 1.0))
            self._graph = (sp.diags(d) @ W @ sp.diags(d)).tocsr(), n
        return self._graph

    def _project(self, X) -> np.ndarray:
        """Rows of features (as ``self.X``) in the reduced space, of length 1."""
        from sklearn.preprocessing import normalize

        self._reduced()
        return normalize(self._svd.transform(X) if self._svd is not None else X.toarray())

    def _reduced(self):
        if self._space is None:
            from sklearn.decomposition import TruncatedSVD
            from sklearn.preprocessing import normalize

            dims = min(100, self.X.shape[1] - 1, self.X.shape[0] - 1)
            self._svd = None
            if dims < 2:
                self._space = normalize(self.X.toarray())
            else:
                self._svd = TruncatedSVD(dims, random_state=self.seed)
                self._space = normalize(self._svd.fit_transform(self.X))
        return self._space

    def _clusters(self) -> np.ndarray:
        if self._cluster is None:
            self._cluster, self._centres = _kmeans(self._reduced(), min(self.n_clusters, len(self.contributions)), self.seed)
        return self._cluster

    def _typical(self) -> np.ndarray:
        """Per contribution, 0..1: the cosine with its group's centre in the reduced space (how
        typical it is of contributions like it; an outlier teaches the model little)."""
        if self._density is None:
            space, cluster = self._reduced(), self._clusters()
            centres = self._centres / np.maximum(np.linalg.norm(self._centres, axis=1, keepdims=True), 1e-12)
            self._density = np.clip((space * centres[cluster]).sum(axis=1), 0.0, 1.0)
        return self._density

    def _covering(self, rows: list[int], k: int) -> list[Pick]:
        """k-center: ``k`` times the undecided contribution least similar to all decided and picked ones."""
        space = self._reduced()
        near = np.max(space[rows] @ space[[self.index[c] for c in self.labels]].T, axis=1)
        picks = []
        for _ in range(min(k, len(rows))):
            j = int(np.argmin(near))
            picks.append(Pick(self.contributions[rows[j]].id, "unerkundet", float(1.0 - near[j])))
            near = np.maximum(near, space[rows] @ space[rows[j]])
            near[j] = np.inf
        return picks

    def _typical_picks(self, rows: list[int], k: int) -> list[Pick]:
        """TypiClust: the reduced space in as many k-means groups as decisions + ``k``; of the largest
        groups without a decided contribution, each one's undecided contribution nearest to its centre."""
        space = self._reduced()
        labels, centres = _kmeans(space, min(len(space), len(self.labels) + k), self.seed)
        decided = {labels[self.index[c]] for c in self.labels}
        undecided = np.zeros(len(space), dtype=bool)
        undecided[rows] = True
        sizes = Counter(labels)
        picks = []
        for c, size in sorted(sizes.items(), key=lambda x: (-x[1], x[0])):
            if len(picks) >= k:
                break
            members = np.flatnonzero((labels == c) & undecided)
            if c in decided or not len(members):
                continue
            j = members[int(((space[members] - centres[c]) ** 2).sum(axis=1).argmin())]
            picks.append(Pick(self.contributions[j].id, "unerkundet", size / len(space)))
        if len(picks) < k:  # fewer groups without a decision than picks: the model's uncertainty for the rest
            rest = [i for i in rows if self.contributions[i].id not in {p.id for p in picks}]
            if rest:
                picks += self._uncertain(rest, self.probabilities(rest, calibrated=False), k - len(picks))
        return picks

    def _cold_start(self, rows: list[int], k: int) -> list[Pick]:
        space = self._reduced()[rows]
        k = min(k, len(rows))
        labels, centres = _kmeans(space, k, self.seed)
        picks = []
        sizes = Counter(labels)
        for c, _ in sorted(sizes.items(), key=lambda x: (-x[1], x[0])):
            members = np.flatnonzero(labels == c)
            d = ((space[members] - centres[c]) ** 2).sum(axis=1)
            j = members[int(d.argmin())]
            picks.append(Pick(self.contributions[rows[j]].id, "kaltstart", sizes[c] / len(rows)))
        return picks


class _OneVsRest:
    """One binary logistic regression per theme (its contributions against all others), each
    balanced between its two sides: a contribution may belong to several themes (``member``), as in
    a multi-label annotation. The scores (``decision_function``) are the themes' log-odds; their
    softmax is the probability over the themes, as for the multinomial model."""

    def __init__(self, C: float, seed: int, balance: float, member: list):
        self.C, self.seed, self.balance, self.member = C, seed, balance, member

    def fit(self, X, y, sample_weight):
        from sklearn.linear_model import LogisticRegression

        self.classes_ = np.array(sorted(set(y) | {t for m in self.member for t in m}))
        n = X.shape[0]
        coef, intercept = np.zeros((len(self.classes_), X.shape[1])), np.zeros(len(self.classes_))
        for k, t in enumerate(self.classes_):
            pos = np.array([t in m for m in self.member])
            n_pos = int(pos.sum())
            if n_pos in (0, n):  # nothing to tell apart: all or none of the rows
                intercept[k] = 5.0 if n_pos else -5.0
                continue
            side = np.where(pos, (n / (2 * n_pos)) ** self.balance, (n / (2 * (n - n_pos))) ** self.balance)
            m = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
            m.fit(X, pos.astype(int), sample_weight=side * sample_weight)
            coef[k], intercept[k] = m.coef_[0], m.intercept_[0]
        self.coef_, self.intercept_ = coef, intercept
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _prototypes(X, y: list[str], classes: list[str]) -> np.ndarray:
    """Per theme (rows as ``classes``), the mean of its examples' rows, of length 1 (dense)."""
    y = np.asarray(y)
    out = np.zeros((len(classes), X.shape[1]))
    for k, t in enumerate(classes):
        mine = np.flatnonzero(y == t)
        if len(mine):
            v = np.asarray(X[mine].mean(axis=0)).ravel()
            out[k] = v / (np.linalg.norm(v) or 1.0)
    return out


def _logits(model, X) -> np.ndarray:
    """The model's scores per class (softmax of them: its probabilities); two classes as [0, d]."""
    d = model.decision_function(X)
    return np.column_stack([np.zeros_like(d), d]) if d.ndim == 1 else d


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    return z - math.log(np.exp(z).sum())


def _kmeans(space: np.ndarray, k: int, seed: int):
    from sklearn.cluster import KMeans

    k = max(1, min(k, len(space)))
    km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(space)
    return km.labels_, km.cluster_centers_


def _lsa(X, seed: int, dims: int = 100) -> np.ndarray:
    """The rows' coordinates in an LSA space of ``X`` (truncated SVD), each of length 1."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(dims, X.shape[1] - 1, X.shape[0] - 1)
    if dims < 2:
        return np.zeros((X.shape[0], 0), dtype=np.float32)
    return normalize(TruncatedSVD(dims, random_state=seed).fit_transform(X)).astype(np.float32)


def _row_norms(X) -> np.ndarray:
    n = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    n[n == 0] = 1.0
    return n
