"""Small builders for engine tests: an exchange, funded accounts, a position at a price."""

from __future__ import annotations

from engine.events import OrderAccepted
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.policies import MarketSettings
from engine.units import MONEY_SCALE, SECOND

USDT = MONEY_SCALE
INDEX = 500_000  # 50,000.0 USDT in ticks of 0.1


def make_exchange(fund: int = 0, **config) -> Exchange:
    market = MarketSettings(**config)
    exchange = Exchange(default_instrument(), ExchangeConfig(market, insurance_fund=fund))
    exchange.advance(SECOND, INDEX)
    return exchange


def trade(exchange: Exchange, buyer: str, seller: str, lots: int, price: int) -> None:
    """The seller rests a limit, the buyer takes it: a position for both at ``price``."""
    resting = exchange.submit(seller, -1, lots, price, OrderType.LIMIT)
    assert type(resting) is OrderAccepted, resting
    taken = exchange.submit(buyer, 1, lots, price, OrderType.LIMIT)
    assert type(taken) is OrderAccepted, taken


def lots_of(exchange: Exchange, account: str) -> int:
    view = exchange.account_view(account)
    return 0 if view.position is None else view.position.side * view.position.lots


def wallet(exchange: Exchange, account: str) -> int:
    return exchange.account_view(account).wallet


def assert_invariants(exchange: Exchange) -> None:
    failed = [name for name, ok in exchange.check_invariants().items() if not ok]
    assert not failed, f"invariants broken: {failed} {exchange.ledger_totals()}"
