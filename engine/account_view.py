"""An account as its owner sees it: wallet, position and open orders, as frozen views.

Apart from the exchange's front so the front stays a list of commands and steps; it
reads the parts through their small methods, as every reader does.
"""

from __future__ import annotations

from fractions import Fraction

from engine import margin
from engine.accounts import Account
from engine.views import AccountView, OrderView, PositionView


def account_view(exchange, account_id: str) -> AccountView | None:
    account = exchange.accounts.get(account_id)
    if account is None:
        return None
    orders = [
        OrderView(o.id, o.side, "limit", o.qty, o.price, o.reduce_only)
        for o in exchange.matching.resting(account)
    ]
    orders += [
        OrderView(
            t.id,
            t.side,
            t.kind.value,
            abs(account.lots) if t.whole else t.qty,
            t.price,
            t.reduce_only,
            t.trigger,
            t.whole,
        )
        for t in exchange.orders.stops_of(account_id)
    ]
    instrument, accounts = exchange.instrument, exchange.accounts
    return AccountView(
        id=account.id,
        mode=account.mode.value,
        leverage=account.leverage,
        wallet=accounts.balance(account),
        isolated_margin=exchange.ledger.balances[account.isolated],
        available=accounts.available(account),
        reserved=account.reserved,
        position=position_view(exchange, account) if account.lots else None,
        orders=tuple(orders),
        bankrupt=account.bankrupt,
        max_leverage=margin.max_leverage(
            instrument, instrument.notional(account.lots, exchange.prices.mark)
        ),
    )


def position_view(exchange, account: Account) -> PositionView:
    a = exchange.accounts.assess(account)
    light = exchange.deleveraging.light(account.id)
    instrument = exchange.instrument
    cv = instrument.contract_value
    result = account.realized - account.fees + account.funding
    return PositionView(
        side=account.side,
        lots=a.lots,
        cost=a.cost,
        entry=Fraction(a.cost, a.lots),
        mark=a.mark,
        notional=a.notional,
        leverage=account.leverage,
        mode=account.mode.value,
        margin=exchange.accounts.collateral(account),
        maintenance=a.maintenance,
        tier=a.tier.number,
        mmr=a.tier.mmr,
        equity=a.equity,
        ratio=a.ratio,
        unrealized=a.unrealized,
        liquidation_price=a.liquidation_price,
        bankruptcy_price=a.bankruptcy_price,
        opened_at=account.opened_at,
        initial_margin=margin.initial_margin(a.cost * cv, account.leverage),
        adl_rank=light.rank if light else None,
        adl_lights=light.lights if light else 0,
        adl_score=light.score if light else None,
        realized=result,
        break_even=margin.break_even_price(
            a.side, a.lots, a.cost, result, instrument.taker_fee, cv
        ),
        fees=account.fees,
        funding=account.funding,
    )
