"""Auto-deleveraging: who is closed against a bankrupt position, in what order, how much.

Pure functions over ``Holder`` snapshots, shared by the engine, the calculator,
the indicator lights and the counterfactual (SPEC §5.4–6). Scores are ranking
devices, not money: they are floats computed from the exact integers; every
amount that moves stays an integer.

Ranking policies (highest score deleveraged first; longs and shorts queue apart):

- ``bitmex``: PnL% = s·(P_m − P_e)/P_e; effective leverage = P_m / |P_m − P_bk|;
  score = PnL%·EffLev when PnL% > 0, else PnL% / EffLev.
- ``binance``: max(0, uPnL) / max(1, wallet) × MM / equity.
- ``hyperliquid``: (P_m/P_e long, P_e/P_m short) × notional / equity.
- ``random`` (dYdX v4): a seeded random starting point in account order, skipping
  accounts the fill would make bankrupt.
- ``pro_rata`` (Chitra 2025): every profitable position gives up the same fraction.
- ``leverage_first`` (Campbell, Hey, Moallemi, Nutz 2026): the highest-leverage
  accounts are cut first until leverages are equal ("water-filling").

Ties: larger size first, then earlier open time, then account name.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator, Sequence
from enum import StrEnum
from math import inf
from typing import NamedTuple

from engine.slices import PIECE, Slices, finish, in_pieces
from engine.units import MONEY_SCALE, PPM


class RankingPolicy(StrEnum):
    BITMEX = "bitmex"
    BINANCE = "binance"
    HYPERLIQUID = "hyperliquid"
    RANDOM = "random"
    PRO_RATA = "pro_rata"
    LEVERAGE_FIRST = "leverage_first"


class AdlPrice(StrEnum):
    BANKRUPTCY = "bankruptcy"
    MARK = "mark"


CLAWBACK = "clawback"  # the socialized-loss alternative, compared in counterfactuals
COUNTERFACTUAL_POLICIES = (*RankingPolicy, CLAWBACK)


class Holder(NamedTuple):
    """One open position as ADL sees it (integers in engine units)."""

    account: str
    side: int
    lots: int
    cost: int  # lot·ticks
    collateral: int  # money units behind the position (isolated margin or cross wallet)
    maintenance: int  # money units, at the mark
    opened_at: int

    def unrealized(self, mark: int, cv: int) -> int:
        return self.side * (self.lots * mark - self.cost) * cv

    def equity(self, mark: int, cv: int) -> int:
        return self.collateral + self.unrealized(mark, cv)


# -- scores ---------------------------------------------------------------------------


def score_terms(
    policy: RankingPolicy, h: Holder, mark: int, cv: int
) -> tuple[tuple[str, float], ...]:
    """The factors of a position's score under ``policy``, named as SPEC §5.5 names them
    (what the explain view shows); ``score`` is made from them."""
    upnl = h.unrealized(mark, cv)
    equity = h.collateral + upnl
    entry = h.cost / h.lots
    notional = h.lots * mark * cv
    if policy is RankingPolicy.BITMEX:
        gap = abs(mark - (entry - h.side * h.collateral / (h.lots * cv)))
        return (
            ("PnL%", h.side * (mark - entry) / entry),
            ("effective leverage", mark / gap if gap else inf),
        )
    if policy is RankingPolicy.BINANCE:
        return (
            ("PnL%", max(0, upnl) / max(MONEY_SCALE, h.collateral)),
            ("margin ratio", h.maintenance / equity if equity > 0 else inf),
        )
    if policy is RankingPolicy.HYPERLIQUID:  # it ranks users in profit: the rest come after
        return (
            ("in profit", 1.0 if upnl > 0 else 0.0),
            ("price ratio", mark / entry if h.side > 0 else entry / mark),
            ("notional / equity", notional / equity if equity > 0 else inf),
        )
    if policy is RankingPolicy.LEVERAGE_FIRST:
        return (("notional / equity", notional / equity if equity > 0 else inf),)
    if policy is RankingPolicy.PRO_RATA:
        return (("in profit", 1.0 if upnl > 0 else 0.0),)
    return ()  # random: no score orders the queue


def score(policy: RankingPolicy, h: Holder, mark: int, cv: int) -> float:
    """The policy's score of one position at ``mark``: higher is deleveraged sooner.

    The product of its terms; for ``bitmex`` a loser's PnL% is divided by the effective
    leverage instead (SPEC §5.5), and a zero factor makes the score zero.
    """
    terms = [value for _, value in score_terms(policy, h, mark, cv)]
    if not terms:
        return 0.0
    if policy is RankingPolicy.BITMEX:
        pnl, leverage = terms
        return pnl * leverage if pnl > 0 else pnl / leverage
    if 0.0 in terms:
        return 0.0
    result = 1.0
    for value in terms:
        result *= value
    return result


def scores(policy: RankingPolicy, holders: list[Holder], mark: int, cv: int) -> list[float]:
    """Scores of many positions (the lights rank 100,000 positions with this)."""
    return scores_and_capacity(policy, holders, mark, cv)[0]


def scores_and_capacity(
    policy: RankingPolicy, holders: list[Holder], mark: int, cv: int
) -> tuple[list[float], int]:
    """Scores of many positions, and their capacity U (the unrealized profit of those in
    profit, money units) in the same pass: an ADL event needs both for 100,000
    positions, so bitmex's arithmetic is inlined here; a property test holds it equal
    to ``score``."""
    if policy is not RankingPolicy.BITMEX:
        return [score(policy, h, mark, cv) for h in holders], capacity(holders, mark, cv)
    out: list[float] = []
    append, total = out.append, 0
    for _, side, lots, cost, collateral, _, _ in holders:  # the very operations of score
        entry = cost / lots
        pnl = side * (mark - entry) / entry
        gap = abs(mark - (entry - side * collateral / (lots * cv)))
        leverage = mark / gap if gap else inf
        if pnl > 0:
            total += side * (lots * mark - cost)
            append(pnl * leverage)
        else:
            append(pnl / leverage)
    return out, total * cv


def scoring(
    policy: RankingPolicy, holders: Sequence[Holder], mark: int, cv: int
) -> Slices[tuple[list[float], int]]:
    """``scores_and_capacity`` in slices of ``PIECE`` positions (``engine/slices.py``)."""
    values: list[float] = []
    total = 0
    for start in range(0, len(holders), PIECE):
        part, profit = scores_and_capacity(policy, holders[start : start + PIECE], mark, cv)
        values += part
        total += profit
        yield
    return values, total


# -- the queue --------------------------------------------------------------------------


def queue(
    policy: RankingPolicy, holders: list[Holder], mark: int, cv: int, start: int = 0
) -> list[tuple[Holder, float]]:
    """One side's positions in deleveraging order, with their scores: every position in
    profit before any that is not (SPEC §5.4), whatever the policy.

    ``random`` rotates the winners' account order to ``start`` (drawn by the caller's
    seeded generator); every other policy sorts by score, then larger size, earlier
    open. The sort compares plain tuples, in C and in pieces (100,000 positions).
    """
    return finish(ranking(policy, holders, mark, cv, start))


def ranking(
    policy: RankingPolicy, holders: list[Holder], mark: int, cv: int, start: int = 0
) -> Slices[list[tuple[Holder, float]]]:
    """``queue`` in slices, for the app to answer keys between them (``engine/slices.py``):
    the scores, the sort, the list."""
    values = yield from in_pieces(lambda a, b: scores(policy, holders[a:b], mark, cv), len(holders))
    if policy is RankingPolicy.RANDOM:
        ordered = sorted(zip(holders, values, strict=True), key=lambda hv: hv[0].account)
        winners, others = _winners_first(ordered, mark, cv)
        start %= max(1, len(winners))
        return winners[start:] + winners[:start] + others
    order = yield from _by_score(holders, values)
    ordered = yield from in_pieces(
        lambda a, b: [(holders[i], values[i]) for i in order[a:b]], len(order)
    )
    if policy is RankingPolicy.LEVERAGE_FIRST:  # its score is risk, not profit
        winners, others = _winners_first(ordered, mark, cv)
        return winners + others
    return ordered  # a score > 0 is a position in profit, and only it


def _by_score(holders: list[Holder], values: list[float]) -> Slices[list[int]]:
    """The holders' indices by score, highest first, then larger size, earlier open,
    account name. The sort compares floats alone, in C (100,000 of them in some 20 ms,
    a third of what tuples take); only runs of equal scores are sorted again by the
    tie-breaks (pro-rata's scores are nearly all ties: then one sort of tuples)."""
    order = sorted(range(len(values)), key=values.__getitem__, reverse=True)
    yield
    ties = yield from in_pieces(lambda a, b: _tie_starts(order, values, a, b), len(order))
    for first in ties:
        last = first + 1
        while last < len(order) and values[order[last]] == values[order[first]]:
            last += 1
        run = order[first:last]
        run.sort(key=lambda i: (-holders[i].lots, holders[i].opened_at, holders[i].account))
        order[first:last] = run
    yield
    return order


def _tie_starts(order: list[int], values: list[float], a: int, b: int) -> list[int]:
    """Where runs of equal scores start, among ``order[a:b]``."""
    return [
        k - 1
        for k in range(max(a, 1), b)
        if values[order[k]] == values[order[k - 1]]
        and (k == 1 or values[order[k - 1]] != values[order[k - 2]])
    ]


def head(
    policy: RankingPolicy,
    holders: list[Holder],
    lots: int,
    mark: int,
    cv: int,
    values: list[float] | None = None,
) -> Iterator[tuple[Holder, float]]:
    """The start of ``queue(policy, holders, …)``, without ranking the whole side: what
    an ADL event walks until it has its ``lots`` (it asks for more if it skips some).

    For the score-sorted policies a position's place is fixed by its score and the
    tie-breaks, so only the positions scoring at least as high as the best few need
    sorting; the first batch holds about 64 positions or ``lots`` worth, and each next
    batch is four times bigger. Other policies rank the whole side (``queue``).
    ``values``: the scores, when the caller has them already.
    """
    if not walks_by_score(policy):
        yield from queue(policy, holders, mark, cv)
        return
    if values is None:
        values = scores(policy, holders, mark, cv)
    count, taken = 64, 0
    while taken < len(holders):
        count = max(count, taken * 4)
        threshold = heapq.nlargest(count, values)[-1]
        picked = [i for i, value in enumerate(values) if value >= threshold]
        picked.sort(key=lambda i: (-values[i], -holders[i][2], holders[i][6], holders[i][0]))
        for i in picked[taken:]:
            yield holders[i], values[i]
        taken = len(picked)


def walks_by_score(policy: RankingPolicy) -> bool:
    """Policies whose queue is ordered by a score alone (then the tie-breaks): a
    position's place does not depend on the rest of the side."""
    return policy in (RankingPolicy.BITMEX, RankingPolicy.BINANCE, RankingPolicy.HYPERLIQUID)


def capacity(holders: list[Holder], mark: int, cv: int) -> int:
    """U: the unrealized profit of the positions in profit, money units (what ADL may take)."""
    total = 0
    for _, side, lots, cost, _, _, _ in holders:
        profit = side * (lots * mark - cost)
        if profit > 0:
            total += profit
    return total * cv


def _winners_first(ordered, mark: int, cv: int):
    """(positions in profit, the others), each in the order given."""
    winners = [hv for hv in ordered if hv[0].unrealized(mark, cv) > 0]
    others = [hv for hv in ordered if hv[0].unrealized(mark, cv) <= 0]
    return winners, others


def grouped(policy: RankingPolicy) -> bool:
    """Policies that hit a whole group at once (pro-rata) or in no foreseeable order
    (random): their lights show the group's share, not a place in a line."""
    return policy in (RankingPolicy.PRO_RATA, RankingPolicy.RANDOM)


def lights(
    policy: RankingPolicy, ordered: list[tuple[Holder, float]], rule: str = "size"
) -> dict[str, tuple[int, int, float, int]]:
    """Account → (rank, lights 1–5, score, cumulative weight) for one side's queue (SPEC §5.6).

    Cumulative share = (weight ranked ahead + own weight) / side total; the percentile
    is that share rounded up to the next 20 % step; lights = 6 − percentile / 20 %.
    The weight is a position's size (``size``, BitMEX) or one per position (``count``,
    Binance's quantile over users); ``none`` publishes no lights. Grouped policies
    share one cumulative share per score group (dense ranks).
    """
    by_count = rule == "count"
    total = len(ordered) if by_count else sum(h[2] for h, _ in ordered)
    result: dict[str, tuple[int, int, float, int]] = {}
    if not total or rule == "none":
        return result
    if not grouped(policy):  # the hot loop for 100,000 positions: no division inside
        cumulative, steps, bound = 0, 1, total  # lights = 6 − steps while 5·cum ≤ steps·total
        for rank, ((account, _, lots, _, _, _, _), value) in enumerate(ordered, start=1):
            cumulative += 1 if by_count else lots
            while cumulative * 5 > bound:
                steps += 1
                bound += total
            result[account] = (rank, 6 - steps, value, cumulative)
        return result
    cumulative = rank = i = 0
    while i < len(ordered):
        j = i + 1
        while j < len(ordered) and ordered[j][1] == ordered[i][1]:
            j += 1
        cumulative += (j - i) if by_count else sum(h.lots for h, _ in ordered[i:j])
        rank += 1
        lit = 6 + (-cumulative * 5 // total)  # 6 − ⌈5·share⌉
        for h, value in ordered[i:j]:
            result[h.account] = (rank, lit, value, cumulative)
        i = j
    return result


def walks_queue(policy: RankingPolicy) -> bool:
    """Policies whose ADL walks the published queue; pro-rata and water-filling need the
    whole side at once, by their nature."""
    return policy not in (RankingPolicy.PRO_RATA, RankingPolicy.LEVERAGE_FIRST)


# -- allocation: who gives up how many lots ---------------------------------------------


def allocate(
    policy: RankingPolicy,
    holders: list[Holder],
    rest: int,
    mark: int,
    cv: int,
    price: int,
    rng: random.Random | None,
    values: list[float] | None = None,
    ordered: Iterator[tuple[Holder, float]] | None = None,
) -> list[tuple[Holder, int, int, float]]:
    """Split ``rest`` lots of a bankrupt position over the opposite side's ``holders``.

    Returns (holder, lots, rank, score), positions in profit first, no holder giving
    more than it holds. No policy closes a position its fill at ``price`` (the ADL
    price) would make bankrupt — dYdX's ``deleveraging.go`` skips them, and an ADL must
    never create a new bad debt — so Σ lots = min(rest, what the others hold).
    ``ordered``: for the score-walking policies, the queue in order when the caller
    keeps it (``LiveQueue``); ``values``: the scores of ``holders``, when it has them;
    ``rng``: the draw of ``random`` (the other policies need none).
    """
    if policy is RankingPolicy.PRO_RATA or policy is RankingPolicy.LEVERAGE_FIRST:
        solvent = [h for h in holders if survives(h, h.lots, mark, price, cv)]
    if policy is RankingPolicy.PRO_RATA:
        return _pro_rata(solvent, rest, mark, cv)
    if policy is RankingPolicy.LEVERAGE_FIRST:
        winners = [h for h in solvent if h.unrealized(mark, cv) > 0]
        taken = _water_fill(winners, rest, mark, cv)
        rest -= sum(lots for _, lots, _, _ in taken)
        others = [h for h in solvent if h.unrealized(mark, cv) <= 0]
        later = _water_fill(others, rest, mark, cv) if rest > 0 else []
        return taken + [(h, lots, rank + len(taken), v) for h, lots, rank, v in later]
    if policy is RankingPolicy.RANDOM:
        start = rng.randrange(len(holders)) if holders else 0
        ordered = iter(queue(policy, holders, mark, cv, start))
    elif ordered is None:
        ordered = head(policy, holders, rest, mark, cv, values)
    taken = []
    for rank, (holder, value) in enumerate(ordered, start=1):
        if rest <= 0:
            break
        lots = min(rest, holder.lots)
        if not survives(holder, lots, mark, price, cv):
            continue
        taken.append((holder, lots, rank, value))
        rest -= lots
    return taken


def survives(h: Holder, lots: int, mark: int, price: int, cv: int) -> bool:
    """Can the holder's collateral pay the loss of closing ``lots`` at ``price``? (The
    fill settles against the collateral alone, as the ledger settles it, cost basis
    rounded as it rounds: the profit on the lots that stay open does not pay.)"""
    removed = h.cost if lots == h.lots else h.cost * lots // h.lots
    return h.collateral + h.side * (lots * price - removed) * cv >= 0


def _pro_rata(holders, rest, mark, cv):
    profitable = [h for h in holders if h.unrealized(mark, cv) > 0]
    others = [h for h in holders if h.unrealized(mark, cv) <= 0]
    taken = []
    for rank, group in enumerate((profitable, others), start=1):
        group_lots = sum(h.lots for h in group)
        share = min(rest, group_lots)
        if not share:
            continue
        for h, lots in zip(group, split_exact(share, [h.lots for h in group]), strict=True):
            if lots:
                taken.append((h, lots, rank, 1.0 if rank == 1 else 0.0))
        rest -= share
    return taken


def _water_fill(holders, rest, mark, cv):
    """Cut the highest leverages down to a common level L until ``rest`` lots are cut.

    Position i keeps L·equity_i / (mark·cv) lots; broke accounts (equity ≤ 0) go first,
    whole. L solves Σ (lots_i − L·E_i/(m·cv)) = rest over the accounts above L.
    """
    ordered = queue(RankingPolicy.LEVERAGE_FIRST, holders, mark, cv)
    taken = []
    for holder, value in ordered:
        if rest <= 0 or value != inf:
            break
        lots = min(rest, holder.lots)
        taken.append((holder, lots, len(taken) + 1, value))
        rest -= lots
    solvent = [(h, v) for h, v in ordered if v != inf]
    if rest <= 0 or not solvent:
        return taken
    unit = mark * cv
    lots_sum = equity_sum = 0
    level = 0.0
    count = 0
    for i, (h, _) in enumerate(solvent):
        lots_sum += h.lots
        equity_sum += h.equity(mark, cv)
        count = i + 1
        level = max(0.0, (lots_sum - rest) * unit / equity_sum)
        next_leverage = solvent[i + 1][1] if i + 1 < len(solvent) else 0.0
        if level >= next_leverage:
            break
    cut = [max(0.0, h.lots - level * h.equity(mark, cv) / unit) for h, _ in solvent[:count]]
    amounts = split_exact(min(rest, lots_sum), cut, caps=[h.lots for h, _ in solvent[:count]])
    start = len(taken)
    for i, ((h, value), lots) in enumerate(zip(solvent[:count], amounts, strict=True)):
        if lots:
            taken.append((h, lots, start + i + 1, value))
    return taken


def split_exact(total: int, weights: list, caps: list[int] | None = None) -> list[int]:
    """Integers proportional to ``weights`` summing exactly to ``total`` (largest
    remainder; ties to the earlier entry), each within its cap when caps are given."""
    n = len(weights)
    caps = caps if caps is not None else [total] * n
    weight_sum = sum(weights)
    if not n or total <= 0 or weight_sum <= 0:
        return [0] * n
    if all(isinstance(w, int) for w in weights):  # exact integer arithmetic when possible
        parts = [min(c, w * total // weight_sum) for w, c in zip(weights, caps, strict=True)]
        remainders = [(w * total % weight_sum, -i) for i, w in enumerate(weights)]
    else:
        exact = [w * total / weight_sum for w in weights]
        parts = [min(c, int(x)) for x, c in zip(exact, caps, strict=True)]
        remainders = [(x - int(x), -i) for i, x in enumerate(exact)]
    short = total - sum(parts)
    for _, neg_index in sorted(remainders, reverse=True):
        if short <= 0:
            break
        i = -neg_index
        if parts[i] < caps[i]:
            parts[i] += 1
            short -= 1
    i = 0
    while short > 0 and i < n:  # caps bound some parts: pour the rest into the others
        room = caps[i] - parts[i]
        if room > 0:
            add = min(room, short)
            parts[i] += add
            short -= add
        i += 1
    return parts


# -- the counterfactual: the same deficit, split by every policy ---------------------------


def concentration(haircuts: dict[str, int], deficit: int) -> tuple[int, int, int]:
    """(accounts touched, top account's share, top ten's share), shares in ppm."""
    if not deficit or not haircuts:
        return len(haircuts), 0, 0
    ordered = sorted(haircuts.values(), reverse=True)
    return len(ordered), ordered[0] * PPM // deficit, sum(ordered[:10]) * PPM // deficit
