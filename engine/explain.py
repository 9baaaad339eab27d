"""Why a position stands where it does: the numbers behind the screen's explain view.

Everything here is read from the engine's own functions (``margin.assess`` through the
exchange's position view, ``margin.liquidation_price``, ``margin.maintenance_margin``,
``adl.score`` and the exchange's ``light``), then laid out as the terms of the
formulas in SPEC §5, so the explain view shows the very numbers that trigger a
liquidation or an ADL, never a second computation of them. All amounts are engine
integers (ticks, lots, money units, ppm) or exact ``Fraction``s; text is the screen's job.
"""

from __future__ import annotations

from fractions import Fraction

from engine import adl, margin
from engine.adl import RankingPolicy
from engine.instrument import Instrument
from engine.ranking_at import priced_at, rank_at
from engine.units import PPM
from engine.views import AdlTerms, BankruptcyTerms, Explanation, LiquidationTerms


def explain(exchange, account_id: str, mark: int | None = None) -> Explanation | None:
    """The explanation of an account's open position, or None when it has none.

    ``mark``: the what-if view's hypothetical mark price (ticks). Every figure is then
    ``margin.assess`` at that price, and the rank and lights are the side ranked there
    (``ranking_at``); nothing in the exchange is touched.
    """
    account = exchange.account_view(account_id)
    if account is None or account.position is None:
        return None
    p = account.position
    instrument = exchange.instrument
    at = p if mark is None else margin.assess(instrument, p.side, p.lots, p.cost, p.margin, mark)
    return Explanation(
        account=account_id,
        mode=p.mode,
        leverage=p.leverage,
        side=p.side,
        lots=p.lots,
        entry=p.entry,
        mark=at.mark,
        notional=at.notional,
        collateral=p.margin,
        unrealized=at.unrealized,
        equity=at.equity,
        tier=instrument.tier_for(at.notional),
        maintenance=at.maintenance,
        ratio=at.ratio,
        initial_margin=p.initial_margin,
        liquidation=liquidation_terms(instrument, p.side, p.lots, p.cost, p.margin),
        bankruptcy=BankruptcyTerms(p.entry, p.margin, p.bankruptcy_price),
        adl=_adl(exchange, account_id, p.side, mark),
    )


def liquidation_terms(
    instrument: Instrument, side: int, lots: int, cost: int, wallet: int
) -> LiquidationTerms:
    """The liquidation price's formula with its numbers, as the engine computes it (the
    calculator renders these too)."""
    price, tier = margin.liquidation_price(instrument, side, lots, cost, wallet)
    cv = instrument.contract_value
    cost_value = side * cost * cv
    mm_there = None
    if price is not None:
        mm_there = margin.maintenance_margin(instrument, lots * price * cv)[1]
    return LiquidationTerms(
        tier=tier,
        wallet=wallet,
        other_maintenance=0,
        other_unrealized=0,
        cost_value=cost_value,
        top=wallet + tier.cum - cost_value,
        bottom=lots * Fraction(instrument.lot_size) * (Fraction(tier.mmr, PPM) - side),
        price=price,
        maintenance_at_price=mm_there,
    )


def _adl(exchange, account_id: str, side: int, at: int | None = None) -> AdlTerms:
    """The published place and the score at the live mark, or (``at``) the score and the
    place of the side ranked at that mark."""
    policy = RankingPolicy(exchange.settings.ranking)
    light = exchange.light(account_id)
    holders = exchange.holders(side)
    holder = next(h for h in holders if h.account == account_id)
    mark, cv = exchange.market_view().mark, exchange.instrument.contract_value
    now = None
    if at is not None:
        ranked = rank_at(policy, holders, at, exchange.instrument, exchange.settings.lights)
        now, mark = ranked.place(account_id), at
        if policy is RankingPolicy.BINANCE:  # its margin ratio there
            holder = priced_at(holder, at, exchange.instrument)
    band = None
    if light is not None:  # lights = 6 − percentile / 20 %: the share lies in this band
        high = (6 - light.lights) * PPM // 5
        band = (high - PPM // 5, high)
    return AdlTerms(
        policy=policy.value,
        rank=light.rank if light else None,
        lights=light.lights if light else 0,
        published_score=light.score if light else None,
        share=light.share if light else None,
        band=band,
        queue_length=len(holders),
        score=adl.score(policy, holder, mark, cv),
        terms=adl.score_terms(policy, holder, mark, cv),
        grouped=adl.grouped(policy),
        now=now,
    )
