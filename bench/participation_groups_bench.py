"""Benchmark: groups of similar contributions (isek.participation.evaluation.groups) on the real
corpora: the time to compute them (the fastest of three runs: the machine is shared), how far they follow the human theme labels (adjusted mutual
information, purity: the share of contributions whose group's most frequent label is theirs), and
whether a known near-copy (made as in participation_duplicates_bench.py) lands in its original's
group; the time for the quotes in the citizens' own words per group and theme. Also the time for
10,000 contributions.

Run:  .venv/bin/python bench/participation_groups_bench.py   (data: ISEK_DATA_DIRS)
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

from participation_duplicates_bench import COPIES, corpus_with_copies, data_file  # noqa: E402

from isek.participation.evaluation import Contribution, corpora  # noqa: E402
from isek.participation.evaluation.groups import group_contributions  # noqa: E402
from isek.participation.evaluation.summaries import representative_sentences  # noqa: E402


def timed(cs, runs: int = 1, **kw):
    """The groups and the fastest of ``runs`` computations (the machine is shared: the minimum)."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        groups = group_contributions(cs, **kw)
        best = min(best, time.perf_counter() - t0)
    return groups, best


def agreement(groups, labels) -> tuple[float, float]:
    from sklearn.metrics import adjusted_mutual_info_score

    of = {m: i for i, g in enumerate(groups) for m in g.members}
    ids = sorted(of)
    ami = adjusted_mutual_info_score([labels[i] for i in ids], [of[i] for i in ids])
    purity = sum(Counter(labels[m] for m in g.members).most_common(1)[0][1] for g in groups) / len(ids)
    return ami, purity


def main() -> None:
    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    group_contributions([Contribution("a", "Warm"), Contribution("b", "up")])  # imports
    sets = {
        "Köln-Ehrenfeld (with points)": corpora.read_koeln(data_file(corpora.KOELN), data_file(corpora.KOELN_POINTS)),
        "FreiRaum Ottensen": corpora.read_ottensen(data_file(corpora.OTTENSEN)),
    }
    print("\n| corpus | contributions | groups | median size | seconds | AMI with the human themes | purity | "
          "quotes per group and theme: seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (cs, labels) in sets.items():
        groups, s = timed(cs, runs=3)
        ami, purity = agreement(groups, labels)
        members = {("group", i): g.members for i, g in enumerate(groups)}
        for c in cs:
            members.setdefault(("theme", labels[c.id]), []).append(c.id)
        quoting = []
        for _ in range(3):
            t0 = time.perf_counter()
            representative_sentences(cs, members)
            quoting.append(time.perf_counter() - t0)
        print(f"| {name} | {len(cs)} | {len(groups)} | {statistics.median(len(g.members) for g in groups):.0f} | "
              f"{s:.2f} | {ami:.3f} | {purity:.3f} | {min(quoting):.2f} |")
        again, _ = timed(cs)
        assert again == groups, "not deterministic"
    cs, truth = corpus_with_copies(random.Random(24), COPIES)
    groups, s = timed(cs)
    of = {m: i for i, g in enumerate(groups) for m in g.members}
    together = Counter(way for pair, way in truth.items() if len({of[m] for m in pair}) == 1)
    ways = Counter(truth.values())
    print(f"\nKnown near-copies in their original's group ({len(cs)} contributions, {len(groups)} groups, {s:.1f} s): "
          f"{sum(together.values()) / len(truth):.3f} ("
          + ", ".join(f"{w} {together[w] / n:.2f}" for w, n in ways.items()) + ")")
    big = [Contribution(f"b{j}", cs[j % len(cs)].text + (f" {j}" if j >= len(cs) else ""), cs[j % len(cs)].point)
           for j in range(10_000)]
    groups, s = timed(big)
    print(f"\n10,000 contributions (the set repeated): {s:.1f} s, {len(groups)} groups")


if __name__ == "__main__":
    main()
