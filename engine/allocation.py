"""ADL allocation in profit space (SPEC §5.8, ``ADL-POLICIES.md``): who gives how much of
one budget of profit.

Severity and allocation are separate questions (Chitra 2025). The severity θ sets the
budget B = min(θ·D, U) — D the deficit, U the winners' profit; the allocation splits B
among the winners, taking x_i ≤ u_i from winner i. Every policy here returns integers
(money units) that sum to B exactly, with one exception named by its policy:
``capped_pro_rata`` never takes beyond its caps, so it may fall short of B.

**The lot grid** (contract space). A winner closes whole lots at the ADL price: closing
k of its ``lots`` takes ``profit·k // lots`` of profit (its profit per lot, at that
price, k times). An allocation is on that grid except for one **residual** of less than
a lot, which goes to one named account — as every rounding in the engine goes to a
named place. A winner whose ``lots`` equal its ``profit`` (one money unit each) is on
the money grid: that is plain profit space, where every amount is possible.

The water-filling policies (``capped_pro_rata``, ``risk_pro_rata``, ``leverage_first``)
share ``level``; ``min_max`` is an exact search over the grid. Amounts are exact
rationals until they are put on the grid, so nothing here depends on float rounding:
the policies' targets share one denominator, so they are kept as integer numerators
over it (``Shares``), as ``Fraction``s would be, at a fraction of the cost (a crash's
clawback splits among dozens of winners at every step).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import NamedTuple


class Winner(NamedTuple):
    """One winner as the allocation sees it (money units)."""

    account: str
    profit: int  # u_i > 0: the unrealized profit ADL may take, never collateral
    equity: int  # e_i: collateral plus unrealized profit
    notional: int = 0  # at the mark; 0 where unknown (then no leverage-based policy)
    lots: int = 0  # the grid; 0 means the money grid (lots = profit)

    @property
    def grid(self) -> int:
        return self.lots or self.profit

    def on_grid(self, k: int) -> int:
        """The profit closing ``k`` of its lots takes."""
        profit = self.profit
        grid = self.lots or profit  # ``grid``, written out: a split asks for each winner
        return profit if k >= grid else profit * k // grid

    def lots_within(self, amount: int) -> int:
        """The most whole lots whose profit is at most ``amount``."""
        profit = self.profit
        grid = self.lots or profit
        if amount >= profit:
            return grid
        k = amount * grid // profit
        while k < grid and self.on_grid(k + 1) <= amount:
            k += 1
        return k

    @property
    def leverage(self) -> Fraction | None:
        """Effective leverage λ = notional / equity (None: broke, or notional unknown)."""
        if self.equity <= 0 or not self.notional:
            return None
        return Fraction(self.notional, self.equity)


class Shares(NamedTuple):
    """Exact amounts, one per winner: integer numerators over one positive denominator."""

    numerators: list[int]
    denominator: int = 1


@dataclass(frozen=True, slots=True)
class Allocation:
    """What one policy takes from each winner (in the winners' order)."""

    policy: str
    budget: int  # B, what it was asked to take
    taken: tuple[int, ...]  # x_i, money units
    lots: tuple[int, ...]  # k_i, whole lots closed (the residual is beyond them)
    residual: str | None = None  # the account that took the part below one lot

    @property
    def total(self) -> int:
        return sum(self.taken)


# -- the budget -------------------------------------------------------------------------


def budget(deficit: int, capacity: int, severity: Fraction) -> int:
    """B = min(θ·D, U), rounded up to the money unit (a deficit is covered, not shaved)."""
    wanted = -(-deficit * severity.numerator // severity.denominator)
    return max(0, min(wanted, capacity))


# -- putting exact shares on the grid ------------------------------------------------------


def on_grid(
    policy: str,
    winners: Sequence[Winner],
    targets: Shares,
    total: int,
    caps: Sequence[int] | None = None,
) -> Allocation:
    """Whole lots near exact ``targets`` (summing to ``total``), then the residual.

    Each winner first closes the lots whose profit fits within its target; then, largest
    shortfall first, one more lot where it still fits in what is left of ``total``; what
    is left (less than a lot) goes to the winner furthest below its target that has room.
    """
    numerators, below = targets
    caps = [w.profit for w in winners] if caps is None else list(caps)
    lots = [
        w.lots_within(min(_truncated(n, below), cap))
        for w, n, cap in zip(winners, numerators, caps, strict=True)
    ]
    taken = [w.on_grid(k) for w, k in zip(winners, lots, strict=True)]
    short = total - sum(taken)
    order = sorted(range(len(winners)), key=lambda i: (taken[i] * below - numerators[i], i))
    for i in order:
        if short <= 0:
            break
        w = winners[i]
        if lots[i] < w.grid:
            step = w.on_grid(lots[i] + 1) - taken[i]
            if step <= short and taken[i] + step <= caps[i]:
                lots[i] += 1
                taken[i] += step
                short -= step
    return _pour(policy, winners, total, taken, lots, caps, order)


def _pour(policy, winners, total, taken, lots, caps, order) -> Allocation:
    """The residual below one lot to the first winner in ``order`` with room for it (or,
    should none have room for all of it, across several, the first one named)."""
    short = total - sum(taken)
    residual = None
    for i in order:
        if short <= 0:
            break
        room = caps[i] - taken[i]
        if room <= 0:
            continue
        part = min(room, short)
        taken[i] += part
        short -= part
        residual = residual or winners[i].account
    return Allocation(policy, total, tuple(taken), tuple(lots), residual)


# -- water-filling ------------------------------------------------------------------------


def level(caps: Sequence[Fraction | int], weights: Sequence[int], total) -> Fraction:
    """The level η with Σ min(cap_i, η·w_i) = ``total`` (at most Σ caps): the common
    water line of every water-filling policy. Weights of zero never fill."""
    numerator, denominator = water_line(caps, weights, total)
    return Fraction(numerator) / denominator


def water_line(caps: Sequence, weights: Sequence[int], total) -> tuple:
    """``level`` as (numerator, denominator > 0), integers when the caps and ``total``
    are: the caps are filled in the order of cap_i / w_i, and a cap is full while
    cap_i / w_i · (the weight left) < what is left to fill, multiplied out."""
    order = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: caps[i] / weights[i])
    remaining, weight = total, sum(weights[i] for i in order)
    line = (0, 1)
    for i in order:
        cap, w = caps[i], weights[i]
        if cap * weight >= remaining * w:
            return remaining, weight
        remaining -= cap
        weight -= w
        line = (cap, w)
    return line


def drain(notionals: Sequence[int], equities: Sequence[int], amount) -> list[Fraction]:
    """Leverage draining (Campbell, Hey, Moallemi, Nutz 2026): remove ``amount`` of
    notional from the most levered first, so every cut account ends at one leverage L*:
    n'_i = min(n_i, L*·e_i). Returns the notionals left. Path-independent: draining a
    then b leaves what draining a + b leaves. Broke accounts (e ≤ 0) are cut first."""
    broke = [i for i, e in enumerate(equities) if e <= 0]
    left = [Fraction(n) for n in notionals]
    for i in broke:
        cut = min(left[i], Fraction(amount))
        left[i] -= cut
        amount -= cut
    solvent = [i for i, e in enumerate(equities) if e > 0]
    kept_total = sum(left[i] for i in solvent) - amount
    if kept_total <= 0:
        return [Fraction(0) if i in solvent else left[i] for i in range(len(left))]
    eta = level([left[i] for i in solvent], [equities[i] for i in solvent], kept_total)
    for i in solvent:
        left[i] = min(left[i], eta * equities[i])
    return left


WEIGHT_SCALE = 1 << 64  # a water-filling's weights, as integers: relative error below 2^-64


def _weight(amount: int, factor: Fraction | int) -> int:
    """``amount``·``factor`` scaled to an integer weight (truncated, as ``int()``): the
    water line of thousands of weights with different denominators would otherwise be
    a fraction of thousands of digits (seconds each)."""
    return _truncated(amount * factor.numerator * WEIGHT_SCALE, factor.denominator)


def _truncated(numerator: int, denominator: int) -> int:
    """``int(Fraction(numerator, denominator))`` for ``denominator`` > 0: towards zero."""
    if numerator >= 0:
        return numerator // denominator
    return -(-numerator // denominator)


# -- the policies -------------------------------------------------------------------------


def queue(winners: Sequence[Winner], total: int, policy: str = "queue") -> Allocation:
    """In the order given (a venue's ranking): take min(u_j, what is left) from each, the
    last one's part below a lot as the residual."""
    taken, lots = [0] * len(winners), [0] * len(winners)
    left, residual = total, None
    for i, w in enumerate(winners):
        if left <= 0:
            break
        lots[i] = w.lots_within(left)
        taken[i] = min(w.profit, left)
        if taken[i] != w.on_grid(lots[i]):
            residual = w.account
        left -= taken[i]
    return Allocation(policy, total, tuple(taken), tuple(lots), residual)


def whole_queue(winners: Sequence[Winner], total: int, policy: str = "queue") -> Allocation:
    """Severity ``queue``: whole positions closed in rank order until ``total`` is
    covered, as venues close them — the last one too, so it may take more (overshoot)."""
    taken, lots, left = [0] * len(winners), [0] * len(winners), total
    for i, w in enumerate(winners):
        if left <= 0:
            break
        taken[i], lots[i] = w.profit, w.grid
        left -= w.profit
    return Allocation(policy, total, tuple(taken), tuple(lots))


def pnl_pro_rata(winners: Sequence[Winner], total: int) -> Allocation:
    """The same fraction B/U of every winner's profit (the fairness benchmark)."""
    capacity = sum(w.profit for w in winners)
    targets = Shares([total * w.profit for w in winners], capacity) if capacity else Shares([])
    return on_grid("pnl_pro_rata", winners, targets, total)


def contract_pro_rata(winners: Sequence[Winner], total: int) -> Allocation:
    """``pro_rata``: every winner closes the same fraction of its size. Its profit is then
    the same fraction of each one's profit *at the ADL price* — equal to pnl_pro_rata
    when that price is the mark, as here; different in a run at the bankruptcy price."""
    allocation = pnl_pro_rata(winners, total)
    return Allocation("pro_rata", total, allocation.taken, allocation.lots, allocation.residual)


def capped_pro_rata(
    winners: Sequence[Winner], total: int, cap: Fraction, min_equity: int = 0
) -> Allocation:
    """Pro-rata with per-account caps (Chitra 2025, App. "Capped Pro-Rata"): no winner
    gives more than ``cap`` of its profit, nor so much that its equity falls below
    ``min_equity``; the common level η is found by water-filling. When the caps bind
    everyone, it takes what they allow and no more (the rest is undershoot)."""
    top, below = cap.numerator, cap.denominator
    caps = [  # whole lots: then the residual below a lot fits in one account
        w.on_grid(
            w.lots_within(
                max(0, min(w.profit, _truncated(top * w.profit, below), w.equity - min_equity))
            )
        )
        for w in winners
    ]
    reachable = min(total, sum(caps))
    eta, below = water_line(caps, [w.profit for w in winners], reachable)
    targets = Shares(
        [min(c * below, eta * w.profit) for w, c in zip(winners, caps, strict=True)], below
    )
    taken = on_grid("capped_pro_rata", winners, targets, reachable, caps)
    return replace(taken, budget=total)  # what it was asked for: the rest is undershoot


def risk_weight(kind: str, parameter: Fraction) -> Callable[[Fraction | None], Fraction]:
    """g(λ) of risk_pro_rata: ``linear`` λ, ``power`` λ^p, ``cvar`` (λ − τ)+. A broke
    winner (λ unknown) weighs as the most levered of the others would, times two."""
    if kind == "linear":
        return lambda lam: lam
    if kind == "power":
        return lambda lam: Fraction(_power(float(lam), float(parameter)))
    if kind == "cvar":
        return lambda lam: max(Fraction(0), lam - parameter)
    raise ValueError(f"unknown risk weight {kind!r}")


def _power(base: float, exponent: float) -> float:
    """λ^p, or the largest float where it overflows (the order of weights is kept)."""
    try:
        return base**exponent
    except OverflowError:
        return sys.float_info.max


def risk_pro_rata(
    winners: Sequence[Winner], total: int, weight: Callable[[Fraction], Fraction]
) -> Allocation:
    """Chitra's risk-aware pro-rata, budget-balanced: x_i = min(u_i, s·u_i·g(λ_i)), the
    scale s set so that Σ x = B (the excess of the capped re-spread over the rest).
    Winners whose weight is zero give nothing unless the others cannot cover B: then
    the rest is taken from them pro-rata to their profit."""
    leverages = [w.leverage for w in winners]
    most = None  # the most levered winner, its leverages compared multiplied out
    for w, lam in zip(winners, leverages, strict=True):
        if lam is not None and (
            most is None or w.notional * most.equity > most.notional * w.equity
        ):
            most = w
    top = Fraction(2 * most.notional, most.equity) if most is not None else Fraction(1)
    weights = [
        _weight(w.profit, weight(top if lam is None else lam))
        for w, lam in zip(winners, leverages, strict=True)
    ]
    caps = [w.profit for w in winners]
    weighted = sum(c for c, g in zip(caps, weights, strict=True) if g > 0)
    scale, below = water_line(caps, weights, min(total, weighted))
    targets = [min(c * below, scale * g) for c, g in zip(caps, weights, strict=True)]
    rest = total - weighted  # beyond what the weighted hold: the others, pro-rata
    unweighted = sum(c for c, g in zip(caps, weights, strict=True) if g == 0)
    if rest > 0 and unweighted:  # over below·unweighted
        targets = [
            t * unweighted if g > 0 else rest * c * below
            for t, c, g in zip(targets, caps, weights, strict=True)
        ]
        below *= unweighted
    return on_grid("risk_pro_rata", winners, Shares(targets, below), total)


def leverage_first(winners: Sequence[Winner], total: int) -> Allocation:
    """Leverage draining in profit terms: notional is removed from the most levered
    until all cut share one leverage L*; removing c_i of n_i notional takes c_i/n_i of
    the winner's profit. L* is the level at which the profit taken is B."""
    broke = [w.leverage is None for w in winners]
    targets = [0] * len(winners)
    left = total
    for i, w in enumerate(winners):  # broke (or unknown) first, whole
        if broke[i] and left > 0:
            targets[i] = min(w.profit, left)
            left -= targets[i]
    solvent = [i for i in range(len(winners)) if not broke[i]]
    kept = sum(winners[i].profit for i in solvent) - left
    below = 1
    if solvent and left > 0:
        weights = [  # e·u / n: the profit given up per unit of leverage removed
            _truncated(winners[i].equity * winners[i].profit * WEIGHT_SCALE, winners[i].notional)
            for i in solvent
        ]
        eta, below = water_line([winners[i].profit for i in solvent], weights, kept)
        targets = [t * below for t in targets]
        for i, g in zip(solvent, weights, strict=True):
            profit = winners[i].profit * below
            targets[i] = profit - min(profit, eta * g)
    return on_grid("leverage_first", winners, Shares(targets, below), total)


_PRECISION = 160  # bits of the min-max search: below any gap between two grid fractions


def min_max(winners: Sequence[Winner], total: int) -> Allocation:
    """The allocation on the lot grid with the smallest largest haircut fraction
    (Chitra et al. 2026, eq. 8): minimise z with x_i ≤ z·u_i, x_i on the grid but one
    residual, Σ x = B. Without a grid it is pnl_pro_rata.

    At a level z each winner may close ⌊z·lots⌋ lots, and one of them may also take an
    amount off the grid up to ⌊z·u⌋; what that allows grows with z, so the least z that
    allows B is found by bisection, exact in integers (z = a / 2^160)."""
    capacity = sum(w.profit for w in winners)
    if total <= 0 or not capacity:
        return Allocation("min_max", total, (0,) * len(winners), (0,) * len(winners))
    scale = 1 << _PRECISION
    low, high = total * scale // capacity - 1, scale  # low: not enough; high: enough
    while high - low > 1:
        middle = (low + high) // 2
        if _allows(winners, middle, total) >= total:
            high = middle
        else:
            low = middle
    lots = [min(w.grid, high * w.grid >> _PRECISION) for w in winners]
    taken = [w.on_grid(k) for w, k in zip(winners, lots, strict=True)]
    while sum(taken) > total:  # whole lots beyond the budget: give back the highest
        i = max(range(len(winners)), key=lambda j: (Fraction(taken[j], winners[j].profit), -j))
        lots[i] -= 1
        taken[i] = winners[i].on_grid(lots[i])
    short = total - sum(taken)
    order = sorted(
        range(len(winners)), key=lambda i: (Fraction(taken[i] + short, winners[i].profit), i)
    )
    return _pour("min_max", winners, total, taken, lots, [w.profit for w in winners], order)


def _allows(winners: Sequence[Winner], z: int, total: int) -> int:
    """The most a level z (/2^160) allows: every winner's whole lots within z, plus the
    largest off-grid room of one winner."""
    grid_sum, room = 0, 0
    for w in winners:
        on = w.on_grid(z * w.grid >> _PRECISION)
        grid_sum += on
        room = max(room, min(w.profit, z * w.profit >> _PRECISION) - on)
    return grid_sum + room
