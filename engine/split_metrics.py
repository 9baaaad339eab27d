"""The metrics of one ADL split (SPEC §5.8, §6; ``ADL-POLICIES.md``): how much was taken
against the budget, and how the taking falls on the winners.

Every figure is exact: money in integers, fractions as ``Fraction``; the screen and
the JSON turn them into decimals at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from engine.allocation import Allocation, Winner


@dataclass(frozen=True, slots=True)
class SplitMetrics:
    """One policy's split of one deficit, measured."""

    policy: str
    deficit: int  # D: the loss beyond bankruptcy the fund may not absorb
    capacity: int  # U: the winners' unrealized profit
    budget: int  # B = min(θ·D, U)
    taken: int  # H: the profit actually taken
    largest_haircut: Fraction  # max x_i / u_i
    top_survivor: int  # max (u_i − x_i): the most profit any winner keeps
    touched: int  # winners who gave anything
    top_share: Fraction  # of H, from the one who gave most
    top_ten_share: Fraction  # of H, from the ten who gave most
    inversions: int  # winner pairs whose order by profit the haircut reverses
    residual: str | None  # who took the part below one lot

    @property
    def overshoot(self) -> int:
        """[H − B]+: taken beyond the budget."""
        return max(0, self.taken - self.budget)

    @property
    def undershoot(self) -> int:
        """[B − H]+: the budget left untaken."""
        return max(0, self.budget - self.taken)

    @property
    def signed(self) -> int:
        """H − B, signed: the papers' headline overshoot is this, summed."""
        return self.taken - self.budget


def measure(winners: Sequence[Winner], allocation: Allocation, deficit: int) -> SplitMetrics:
    """The metrics of ``allocation`` over ``winners`` (the same order)."""
    taken = allocation.taken
    total = sum(taken)
    given = sorted((x for x in taken if x), reverse=True)
    return SplitMetrics(
        allocation.policy,
        deficit,
        sum(w.profit for w in winners),
        allocation.budget,
        total,
        max(
            (Fraction(x, w.profit) for w, x in zip(winners, taken, strict=True)),
            default=Fraction(0),
        ),
        max((w.profit - x for w, x in zip(winners, taken, strict=True)), default=0),
        len(given),
        Fraction(given[0], total) if total else Fraction(0),
        Fraction(sum(given[:10]), total) if total else Fraction(0),
        inversions([w.profit for w in winners], taken),
        allocation.residual,
    )


def inversions(profits: Sequence[int], taken: Sequence[int]) -> int:
    """Pairs (i, j) with u_i > u_j before and u_i − x_i < u_j − x_j after, counted by a
    merge sort in n·log n (a crowd has thousands of winners)."""
    rows = sorted(
        zip(profits, (u - x for u, x in zip(profits, taken, strict=True)), strict=True),
        key=lambda row: (-row[0], -row[1]),
    )  # by profit, highest first; equal profits by what is left, most first: never a pair
    _, count = _count_rising([left for _, left in rows])
    return count


def _count_rising(values: list[int]) -> tuple[list[int], int]:
    """(values sorted, the number of pairs i < j with values[i] < values[j])."""
    if len(values) < 2:
        return values, 0
    middle = len(values) // 2
    left, a = _count_rising(values[:middle])
    right, b = _count_rising(values[middle:])
    merged, count, i = [], a + b, 0
    for value in right:  # ascending: each right value beats every smaller left one
        while i < len(left) and left[i] < value:
            merged.append(left[i])
            i += 1
        count += i
        merged.append(value)
    merged.extend(left[i:])
    return merged, count
