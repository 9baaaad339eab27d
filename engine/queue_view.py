"""The queue view's numbers: the user's side ranked now, its head and the user's neighbours.

A learner asks "who goes before me, and why?": the side's positions at the live mark,
ranked under the policy in force by ``ranking_at.rank_at`` (the engine's own ordering,
so the first row is the first an ADL would take now), with each one's score, lights,
size, profit, equity and leverage. A side may hold 100,000 positions, so the view
keeps only the head of the queue and the rows around the user.
"""

from __future__ import annotations

from engine.adl import RankingPolicy
from engine.ranking_at import RankedSide, rank_at
from engine.views import QueueRow, QueueView

HEAD = 10  # the first rows of the queue, always shown
AROUND = 3  # rows either side of the user's


def queue_view(
    exchange, account_id: str, policy: str | None = None, head: int = HEAD, around: int = AROUND
) -> QueueView:
    """The account's side (the longs' when it is flat) ranked at the live mark, under
    the policy in force or ``policy`` (what it would be: nothing is switched)."""
    settings = exchange.settings
    ranking = RankingPolicy(policy or settings.ranking)
    account = exchange.account_view(account_id)
    position = account.position if account is not None else None
    side = position.side if position is not None else 1
    mark = exchange.market_view().mark
    ranked = rank_at(
        ranking,
        exchange.holders(side),
        mark,
        exchange.instrument,
        settings.lights,
    )
    you = ranked.index(account_id) if position is not None else None
    return QueueView(
        side=side,
        policy=str(ranking),
        lights_rule=str(settings.lights),
        mark=mark,
        length=len(ranked.ordered),
        rows=tuple(
            _row(exchange, ranked, i, account_id)
            for i in shown(len(ranked.ordered), you, head, around)
        ),
        you=ranked.place(account_id) if position is not None else None,
        has_position=position is not None,
    )


def shown(length: int, you: int | None, head: int = HEAD, around: int = AROUND) -> list[int]:
    """The indices a view keeps: the first ``head``, and ``around`` either side of ``you``."""
    kept = set(range(min(head, length)))
    if you is not None:
        kept.update(range(max(0, you - around), min(length, you + around + 1)))
    return sorted(kept)


def _row(exchange, ranked: RankedSide, index: int, account_id: str) -> QueueRow:
    holder, score = ranked.ordered[index]
    place = ranked.place(holder.account)
    cv, mark = exchange.instrument.contract_value, ranked.mark
    published = exchange.light(holder.account)
    return QueueRow(
        index=index,
        rank=place.rank,
        account=holder.account,
        score=score,
        lights=place.lights,
        lots=holder.lots,
        unrealized=holder.unrealized(mark, cv),
        equity=holder.equity(mark, cv),
        notional=holder.lots * mark * cv,
        published_rank=published.rank if published is not None else None,
        you=holder.account == account_id,
    )
