"""A whole side's ADL queue worked out with numpy from its columns: ``adl.queue``'s
order and scores, for 100,000 positions in milliseconds.

For the policies whose queue is a sort by score, then larger size, earlier open,
account name (``bitmex``, ``hyperliquid``; ``leverage_first`` with its winners put
first). Each score is made by the very operations of ``adl.score``, in the same
order: IEEE arithmetic rounds each operation alike in C and in Python, and the
integers are held exactly as floats while they stay below 2⁵² (so their sums and
products do too). A row with bigger numbers (a whale's wallet) is scored by
``adl.score`` itself. A property test holds the result equal to ``adl.queue``'s.

Binance's score needs each position's maintenance margin at the mark, tier by tier;
pro-rata and random rank in groups and by name: those go by ``adl.ranking``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.position_columns import SideColumns
from engine.slices import Slices

if TYPE_CHECKING:
    import numpy as np

COLUMN_POLICIES = (RankingPolicy.BITMEX, RankingPolicy.HYPERLIQUID, RankingPolicy.LEVERAGE_FIRST)
EXACT = 2.0**52  # below this, integers, their sums and their products by ±1 stay exact


class ColumnQueue:
    """One side to rank: its accounts by row, and once ranked, the rows in queue order
    with their scores. A snapshot: later changes to the columns do not reach it.
    ``holder``: an account's position, for rows too big to score as floats."""

    def __init__(
        self, columns: SideColumns, holder: Callable[[str], Holder], with_rows: bool = True
    ) -> None:
        import numpy as np

        self.holder = holder
        self.accounts = list(columns.accounts)
        self.rows = dict(columns.rows) if with_rows else {}
        self.lots, self.cost, self.collateral, self.opened = (
            np.array(column, dtype=np.float64) for column in columns.columns()
        )
        self.order: np.ndarray = np.arange(len(self.accounts))
        self.scores: np.ndarray = np.zeros(len(self.accounts))


def ranking(
    policy: RankingPolicy, ranked: ColumnQueue, side: int, mark: int, cv: int
) -> Slices[ColumnQueue]:
    """The side's queue at ``mark``, in slices (``engine/slices.py``): the scores, then
    the sort."""
    import numpy as np

    scores, profit, _ = _scored(policy, ranked, side, mark, cv)
    yield
    order = _queue_order(scores, ranked)
    if policy is RankingPolicy.LEVERAGE_FIRST:  # its score is risk, not profit: winners first
        winners = profit[order] > 0
        order = np.concatenate((order[winners], order[~winners]))
    ranked.order, ranked.scores = order, scores[order]
    return ranked


def scores_and_capacity(
    policy: RankingPolicy, ranked: ColumnQueue, side: int, mark: int, cv: int
) -> tuple[np.ndarray, int]:
    """``adl.scores_and_capacity`` by row: every row's score, and the side's capacity U
    (the unrealized profit of those in profit, money units), exact."""
    import numpy as np

    scores, profit, exact = _scored(policy, ranked, side, mark, cv)
    gains = profit[exact & (profit > 0)]
    if len(gains) and float(gains.max()) * len(gains) < 2.0**63:
        total = int(gains.astype(np.int64).sum())
    else:  # int64 could overflow: Python's integers
        total = sum(int(gain) for gain in gains.tolist())
    for row in np.flatnonzero(~exact).tolist():
        total += max(0, int(profit[row]))
    return scores, total * cv


def _scored(
    policy: RankingPolicy, ranked: ColumnQueue, side: int, mark: int, cv: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row's score, its profit (side · (lots · mark − cost), lot·ticks) and whether
    its numbers are exact as floats; a row that is not is worked out from its holder
    by the reference code (its profit then an exact integer in an object)."""
    import numpy as np

    scores = _scores(policy, ranked, side, mark, cv)
    profit = side * (ranked.lots * mark - ranked.cost)
    exact = _exact(ranked, mark, cv)
    inexact = np.flatnonzero(~exact).tolist()
    if inexact:
        profit = profit.astype(object)
    for row in inexact:
        position = ranked.holder(ranked.accounts[row])
        scores[row] = adl.score(policy, position, mark, cv)
        profit[row] = position.side * (position.lots * mark - position.cost)
    return scores, profit, exact


def _scores(
    policy: RankingPolicy, ranked: ColumnQueue, side: int, mark: int, cv: int
) -> np.ndarray:
    """``adl.score`` of every row, operation for operation."""
    import numpy as np

    lots, cost, collateral = ranked.lots, ranked.cost, ranked.collateral
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        entry = cost / lots
        if policy is RankingPolicy.BITMEX:
            pnl = side * (mark - entry) / entry
            gap = np.abs(mark - (entry - side * collateral / (lots * cv)))
            leverage = mark / gap  # a zero gap: inf, as adl.score has it
            return np.where(pnl > 0, pnl * leverage, pnl / leverage)
        unrealized = side * (lots * mark - cost) * cv
        equity = collateral + unrealized
        risk = np.where(equity > 0, lots * mark * cv / equity, np.inf)  # notional / equity
        if policy is RankingPolicy.LEVERAGE_FIRST:
            return 1.0 * risk
        price_ratio = mark / entry if side > 0 else entry / mark
        return np.where(unrealized > 0, 1.0 * 1.0 * price_ratio * risk, 0.0)


def _exact(ranked: ColumnQueue, mark: int, cv: int) -> np.ndarray:
    """Rows whose integers (and so every sum and product the scores make) are exact."""
    import numpy as np

    notional = ranked.lots * mark * cv
    return (notional < EXACT) & (ranked.cost * cv < EXACT) & (np.abs(ranked.collateral) < EXACT)


def _queue_order(scores: np.ndarray, ranked: ColumnQueue) -> np.ndarray:
    """Rows by score, highest first, then larger size, earlier open, account name. One
    sort by score alone; only the rows in runs of equal scores are sorted again, by
    the tie-breaks (a third of the time three full sorts would take)."""
    import numpy as np

    order = np.argsort(-scores)
    in_run, run_of = _runs(scores[order] == np.roll(scores[order], 1))
    if len(in_run):
        rows = order[in_run]
        order[in_run] = rows[np.lexsort((ranked.opened[rows], -ranked.lots[rows], run_of))]
        tied, run_of = _runs(
            (ranked.lots[order] == np.roll(ranked.lots[order], 1))
            & (ranked.opened[order] == np.roll(ranked.opened[order], 1))
            & (scores[order] == np.roll(scores[order], 1))
        )
        if len(tied):
            _by_name(order, tied, run_of, ranked.accounts)
    return order


def _runs(same_as_previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The places in runs of equal neighbours, and a number per run (ascending), given
    for each place whether it equals the one before (the first place's flag is ignored)."""
    import numpy as np

    same = same_as_previous.copy()
    same[0] = False
    joined = same | np.append(same[1:], False)  # equal to the one before, or to the next
    in_run = np.flatnonzero(joined)
    return in_run, np.cumsum(~same[in_run])


def _by_name(order: np.ndarray, tied: np.ndarray, run_of: np.ndarray, accounts: list[str]) -> None:
    """Sort each run of full ties (score, size, open time) by account name, in place:
    a real crowd has few, so plain Python does it."""
    import numpy as np

    for run in np.split(tied, np.flatnonzero(np.diff(run_of)) + 1):
        first, last = int(run[0]), int(run[-1]) + 1
        rows = order[first:last].tolist()
        order[first:last] = sorted(rows, key=accounts.__getitem__)
