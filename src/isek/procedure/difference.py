"""What changed from one version of an application to the next, from the figures each one kept
when it was submitted (``services.snapshot``): the measures added and removed, and each figure
(cost, eligible cost, a source) per measure and year whose amount changed. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Row:
    measure: str  # "1.1 Titel"
    year: int
    what: str  # cost, eligible or a source
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class Difference:
    added: list[str]  # measures only in the newer version
    removed: list[str]  # measures only in the older one
    rows: list[Row]
    fields: list[tuple[str, str, str]]  # (what, before, after) of the application itself

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.rows or self.fields)


def _figures(snapshot: dict) -> dict[tuple[str, int, str], Decimal]:
    return {(f["measure"], int(f["year"]), f["what"]): Decimal(f["amount"]) for f in snapshot.get("figures", [])}


def _labels(snapshot: dict) -> dict[str, str]:
    return {m["key"]: f"{m['number']} {m['title']}" for m in snapshot.get("measures", [])}


def _order(key: str, labels: dict[str, str]) -> tuple:
    number = labels.get(key, key).split(" ", 1)[0]
    return tuple(int(p) if p.isdigit() else 0 for p in number.split(".")), key


def difference(before: dict, after: dict, order: tuple[str, ...] = ()) -> Difference:
    """From snapshot ``before`` to ``after``; ``order``: the figures in the order to show them
    (a figure not in it comes last)."""
    old, new = _figures(before), _figures(after)
    labels = _labels(before) | _labels(after)
    keys_before, keys_after = set(_labels(before)), set(_labels(after))
    rank = {w: i for i, w in enumerate(order)}
    rows = []
    for key in sorted(set(old) | set(new), key=lambda k: (_order(k[0], labels), k[1], rank.get(k[2], len(rank)), k[2])):
        a, b = old.get(key, ZERO), new.get(key, ZERO)
        if a != b:
            rows.append(Row(labels.get(key[0], key[0]), key[1], key[2], a, b))
    fields = [(name, str(before.get(name, "")), str(after.get(name, "")))
              for name in ("council_decision", "kuf_version") if before.get(name) != after.get(name)]
    return Difference(added=[labels[k] for k in sorted(keys_after - keys_before, key=lambda k: _order(k, labels))],
                      removed=[labels[k] for k in sorted(keys_before - keys_after, key=lambda k: _order(k, labels))],
                      rows=rows, fields=fields)


def sums(*snapshots: dict, order: tuple[str, ...]) -> dict[int, dict[str, Decimal]]:
    """{year: {figure: the sum over all measures}} of one or more snapshots (an authority's
    portfolio adds up its applications), each figure of ``order``."""
    out: dict[int, dict[str, Decimal]] = {}
    for snapshot in snapshots:
        kept = snapshot.get("sums")  # what ``totals`` kept at submission, else from the figures
        amounts = (((int(y), w), Decimal(a)) for y, row in kept.items() for w, a in row.items()) if kept is not None else (
            ((year, what), amount) for (_m, year, what), amount in _figures(snapshot).items())
        for (year, what), amount in amounts:
            row = out.setdefault(year, dict.fromkeys(order, ZERO))
            if what in row:
                row[what] += amount
    return dict(sorted(out.items()))


def totals(snapshot: dict, order: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``sums`` of one snapshot as it keeps them ({"2027": {"cost": "1000.00", …}}): the
    portfolio of 400 applications reads these instead of every figure."""
    return {str(year): {w: str(a) for w, a in row.items() if a} for year, row in sums(snapshot, order=order).items()}


CENT = Decimal("0.01")


def split_share(paid: Decimal, cost: Decimal, approved: dict[str, Decimal]) -> dict[str, Decimal]:
    """The approval's share of ``paid`` expenses per grant source, as the KuF computes Bund and Land
    (decision 0091): the whole share – ``paid`` × the sum approved ÷ the base – rounded half up to the
    cent once, each source but the last ``paid`` × approved ÷ the base to the cent, the last source
    (the Land) the rest. The sources together are the whole share, never a cent more.

    The base is the planned ``cost``; where it is 0 or missing, or below the sum approved, the sum
    approved (decision 0080: with a planned cost of 0 each source could ask for all of ``paid``), so
    the whole share never exceeds ``paid``."""
    whole = sum(approved.values(), ZERO)
    base = cost if cost and cost > 0 and cost >= whole else whole
    if base <= 0 or paid <= 0:
        return {s: ZERO for s in approved}
    total = (paid * whole / base).quantize(CENT, rounding=ROUND_HALF_UP)
    names = list(approved)
    shares = {s: (paid * approved[s] / base).quantize(CENT, rounding=ROUND_HALF_UP) for s in names[:-1]}
    for s in reversed(names[:-1]):  # more than two sources: the cents rounded up never exceed the whole
        over = sum(shares.values(), ZERO) - total
        if over <= 0:
            break
        shares[s] -= min(over, shares[s])
    shares[names[-1]] = total - sum(shares.values(), ZERO)
    return shares
