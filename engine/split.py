"""One deficit split among given winners by any ADL policy, with its metrics: what
``calc split`` and the lab show (SPEC §5.8, ``ADL-POLICIES.md``).

The severity is a fraction θ of the deficit (the budget B = min(θ·D, U)) or
``queue``: whole positions closed in rank order until the deficit is covered, as
venues do; a policy with no rank order (the pro-rata family, min-max, leverage
draining, clawback) takes θ = 1 under ``queue``. ``clawback`` always takes the whole
deficit from profit with the positions left open: it is off the lot grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from engine import allocation as alloc
from engine.allocation import Allocation, Winner
from engine.split_metrics import SplitMetrics, measure

QUEUE = "queue"  # the severity of venues, and the allocation "in the order given"
ORDERED = ("bitmex", "binance", "hyperliquid", "random", QUEUE)  # walk a rank order
UNORDERED = (
    "pro_rata",
    "pnl_pro_rata",
    "capped_pro_rata",
    "risk_pro_rata",
    "min_max",
    "leverage_first",
    "clawback",
)
NEEDS_NOTIONAL = ("risk_pro_rata", "leverage_first")

MEANING = {
    "bitmex": "queue by profit × leverage (BitMEX)",
    "binance": "queue by profit % × margin ratio (Binance)",
    "hyperliquid": "queue by price ratio × leverage, winners first (Hyperliquid)",
    "random": "queue from a random start (dYdX v4)",
    QUEUE: "queue in the order given",
    "pro_rata": "same fraction of every winner's size (Drift, Paradex)",
    "pnl_pro_rata": "same fraction of every winner's profit (the fairness benchmark)",
    "capped_pro_rata": "pro-rata, each haircut capped and a minimum equity kept",
    "risk_pro_rata": "pro-rata weighted by leverage",
    "min_max": "the least possible largest haircut on the lot grid",
    "leverage_first": "drain the most levered first, to one common leverage",
    "clawback": "socialized loss: one rate on all profit, positions left open",
}


@dataclass(frozen=True, slots=True)
class Options:
    """The settings some policies take."""

    cap: Fraction = Fraction(1, 2)  # capped_pro_rata: largest haircut fraction per round
    min_equity: int = 0  # capped_pro_rata: money units left at least
    risk: str = "linear"  # risk_pro_rata: linear | power | cvar
    risk_parameter: Fraction = Fraction(2)  # the power p, or the CVaR threshold τ
    seed: int = 0  # random: the start of its queue


@dataclass(frozen=True, slots=True)
class Split:
    """One policy's allocation of one deficit, and its metrics."""

    allocation: Allocation
    metrics: SplitMetrics
    winners: tuple[Winner, ...]  # in the allocation's order
    ranks: dict[str, int] = field(default_factory=dict)  # ordered policies: the queue rank


def split(
    winners: Sequence[Winner],
    deficit: int,
    severity: Fraction | str,
    policy: str,
    options: Options = Options(),
    order: Sequence[int] | None = None,
) -> Split:
    """Split ``deficit`` among ``winners`` by ``policy`` at ``severity``.

    ``order``: for the ordered policies, the winners' indices in queue order (the
    caller ranks them: a venue's score needs positions, not just profits)."""
    capacity = sum(w.profit for w in winners)
    theta = Fraction(1) if severity == QUEUE or policy == "clawback" else Fraction(severity)
    total = alloc.budget(deficit, capacity, theta)
    if policy in ORDERED:
        ranked = [winners[i] for i in (order if order is not None else range(len(winners)))]
        take = alloc.whole_queue if severity == QUEUE else alloc.queue
        allocation = take(ranked, total, policy)
        ranks = {w.account: rank for rank, w in enumerate(ranked, start=1)}
        return Split(allocation, measure(ranked, allocation, deficit), tuple(ranked), ranks)
    allocation = _unordered(list(winners), total, policy, options)
    return Split(allocation, measure(winners, allocation, deficit), tuple(winners))


def _unordered(winners: list[Winner], total: int, policy: str, options: Options) -> Allocation:
    if policy == "pnl_pro_rata":
        return alloc.pnl_pro_rata(winners, total)
    if policy == "pro_rata":
        return alloc.contract_pro_rata(winners, total)
    if policy == "capped_pro_rata":
        return alloc.capped_pro_rata(winners, total, options.cap, options.min_equity)
    if policy == "risk_pro_rata":
        weight = alloc.risk_weight(options.risk, options.risk_parameter)
        return alloc.risk_pro_rata(winners, total, weight)
    if policy == "min_max":
        return alloc.min_max(winners, total)
    if policy == "leverage_first":
        return alloc.leverage_first(winners, total)
    if policy == "clawback":  # profit only, positions open: the money grid
        money = [w._replace(lots=0) for w in winners]
        pro_rata = alloc.pnl_pro_rata(money, total)
        return Allocation("clawback", total, pro_rata.taken, (0,) * len(winners), None)
    raise ValueError(f"unknown policy {policy!r}")
