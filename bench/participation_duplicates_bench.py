"""Benchmark: near-duplicate proposals on known near-copies made from the real corpora.

Both CIMT corpora (Raddialog Köln-Ehrenfeld 2017, FreiRaum Ottensen 2021; ../shared/data/
participation) plus 300 near-copies of randomly chosen contributions, each made one way:
re-worded (a fifth of the words replaced by others of the corpus and the word order within
sentences shuffled a little), re-ordered sentences, truncated to 60 %, typos (one in eight words),
or all of them lighter; Köln copies keep the citizen's point moved by up to 30 m.
Precision: proposed pairs that are a known copy pair; pairs of two originals are counted as
wrong (the corpora may hold real duplicates: listed for a look). Recall: known pairs proposed.
Also the time for 10,000 contributions.

Run:  .venv/bin/python bench/participation_duplicates_bench.py   (data: ISEK_DATA_DIRS)
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from isek.participation.evaluation import Contribution, corpora  # noqa: E402
from isek.participation.evaluation.duplicates import near_duplicates  # noqa: E402

COPIES = 300
THRESHOLDS = (0.4, 0.5, 0.6, 0.7)


def data_file(rel: str) -> Path:
    dirs = os.environ.get("ISEK_DATA_DIRS", "") or str(Path(__file__).resolve().parents[2] / "shared" / "data")
    for d in dirs.split(os.pathsep):
        if d and (Path(d) / rel).exists():
            return Path(d) / rel
    raise SystemExit(f"{rel} fehlt in ISEK_DATA_DIRS ({dirs})")


def typos(words, rng, every=8):
    words = list(words)
    for _ in range(max(1, len(words) // every)):
        j = rng.randrange(len(words))
        w = words[j]
        if len(w) > 3:
            k = rng.randrange(len(w) - 1)
            words[j] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return words


def copy(text: str, how: str, rng: random.Random, vocab: list[str]) -> str:
    sentences = [s for s in re.split(r"(?<=[.!?\n])\s+", text) if s.strip()]
    if how == "re-worded":
        out = []
        for s in sentences:
            ws = [rng.choice(vocab) if rng.random() < 0.2 else w for w in s.split()]
            if len(ws) > 3:
                k = rng.randrange(len(ws) - 1)
                ws[k], ws[k + 1] = ws[k + 1], ws[k]
            out.append(" ".join(ws))
        return " ".join(out)
    if how == "re-ordered":
        rng.shuffle(sentences)
        return " ".join(sentences)
    if how == "truncated":
        ws = text.split()
        return " ".join(ws[: max(3, int(len(ws) * 0.6))])
    if how == "typos":
        return " ".join(typos(text.split(), rng))
    rng.shuffle(sentences)  # all, lighter
    ws = " ".join(sentences).split()
    ws = [rng.choice(vocab) if rng.random() < 0.1 else w for w in ws[: max(3, int(len(ws) * 0.8))]]
    return " ".join(typos(ws, rng, every=15))


def corpus_with_copies(rng: random.Random, copies: int):
    base = corpora.read_koeln(data_file(corpora.KOELN), data_file(corpora.KOELN_POINTS))[0]
    base += corpora.read_ottensen(data_file(corpora.OTTENSEN))[0]
    vocab = [w for c in base for w in c.text.split()]
    ways = ("re-worded", "re-ordered", "truncated", "typos", "all")
    made, truth = [], {}
    for n, orig in enumerate(rng.sample(base, copies)):
        how = ways[n % len(ways)]
        point = None
        if orig.point:
            point = (orig.point[0] + rng.uniform(-0.0003, 0.0003), orig.point[1] + rng.uniform(-0.0002, 0.0002))
        cid = f"copy{n}"
        made.append(Contribution(cid, copy(orig.text, how, rng, vocab), point))
        truth[frozenset((orig.id, cid))] = how
    return base + made, truth


def main() -> None:
    rng = random.Random(24)
    cs, truth = corpus_with_copies(rng, COPIES)
    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"\n{len(cs)} contributions, {len(truth)} known near-copies")
    print("| threshold | proposals | precision | recall | recall re-worded / re-ordered / truncated / typos / all | pairs of two originals |")
    print("|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        pairs = near_duplicates(cs, threshold=t)
        found = {frozenset((p.a, p.b)) for p in pairs}
        hit = found & truth.keys()
        originals = [p for p in pairs if not str(p.a).startswith("copy") and not str(p.b).startswith("copy")]
        by_way = {w: sum(1 for k in hit if truth[k] == w) / sum(1 for v in truth.values() if v == w)
                  for w in ("re-worded", "re-ordered", "truncated", "typos", "all")}
        print(f"| {t} | {len(pairs)} | {len(hit) / max(1, len(found)):.3f} | {len(hit) / len(truth):.3f} | "
              + " / ".join(f"{v:.2f}" for v in by_way.values()) + f" | {len(originals)} |")
    pairs = near_duplicates(cs, threshold=0.5)
    for p in [p for p in pairs if not str(p.a).startswith("copy") and not str(p.b).startswith("copy")][:5]:
        print(f"  originals alike: {p.a} {p.b} {p.similarity:.2f}")
    big = [Contribution(f"b{j}", cs[j % len(cs)].text + (f" {j}" if j >= len(cs) else ""), cs[j % len(cs)].point)
           for j in range(10_000)]
    t0 = time.perf_counter()
    n = len(near_duplicates(big, threshold=0.5))
    print(f"\n10,000 contributions (the set repeated): {time.perf_counter() - t0:.1f} s, {n} pairs")


if __name__ == "__main__":
    main()
