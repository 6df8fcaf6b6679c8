"""Progress roll-up: measures → fields of action → concept, with explicit weights.

Pure functions on plain values (no Django), so that the rules can be tested on their own:

- A child counts with its weight (a measure: its own weight if set, else its planned cost; a
  field of action: the sum of the weights its measures count with).
- A child without a weight (or weight 0) does not enter the mean; it is listed as unweighted.
- A parent none of whose children has a weight is **not measurable** (``progress is None``),
  never 0 % or 100 %.
- Cancelled children leave the roll-up and are listed as such.
- A parent shows 100 % only when every child that is not cancelled is done; otherwise the value
  is capped below 100 % (display is rounded down to one decimal: 99.96 % shows 99.9 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

HUNDRED = Decimal(100)
BELOW_DONE = Decimal("99.9")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Item:
    """A leaf (a measure): progress 0–100 %, weight (None = none), cancelled flag."""

    key: str
    label: str
    progress: Decimal
    weight: Decimal | None
    cancelled: bool = False

    @property
    def done(self) -> bool:
        return self.progress >= HUNDRED

    @property
    def measurable(self) -> bool:
        return True


@dataclass
class Node:
    key: str
    label: str
    progress: Decimal | None  # None: not measurable
    weight: Decimal | None  # what this node weighs in its parent: the weights it counted
    children: list = field(default_factory=list)  # counted children (Item or Node)
    unweighted: list = field(default_factory=list)
    dropped: list = field(default_factory=list)  # cancelled children, left out
    done: bool = False
    cancelled = False

    @property
    def measurable(self) -> bool:
        return self.progress is not None

    @property
    def shown(self) -> Decimal | None:
        """The percentage to display: rounded down to one decimal."""
        return None if self.progress is None else self.progress.quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def roll(key: str, label: str, children: list) -> Node:
    counted, unweighted, dropped = [], [], []
    for c in children:
        if c.cancelled:
            dropped.append(c)
        elif c.weight is None or c.weight <= 0 or not c.measurable:
            unweighted.append(c)
        else:
            counted.append(c)
    active = counted + unweighted
    done = bool(active) and all(c.done for c in active)
    if not counted:
        return Node(key, label, None, None, counted, unweighted, dropped, done)
    total = sum((c.weight for c in counted), ZERO)
    value = sum((c.weight * c.progress for c in counted), ZERO) / total
    if not done:
        value = min(value, BELOW_DONE)
    return Node(key, label, value, total, counted, unweighted, dropped, done)
