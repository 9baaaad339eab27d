"""The exchange's commands: order types, rejections with reasons, fees, margin, cost basis."""

import pytest

from engine.events import OrderAccepted, OrderCancelled, OrderRejected, OrderTriggered
from engine.orders import OrderType
from engine.units import MONEY_SCALE

from .helpers import INDEX, assert_invariants, lots_of, make_exchange, trade, wallet

USDT = MONEY_SCALE


@pytest.fixture
def exchange():
    x = make_exchange()
    x.open_account("maker", 1_000_000 * USDT, leverage=10)
    x.open_account("alice", 10_000 * USDT, leverage=10)
    x.open_account("bob", 10_000 * USDT, mode="isolated", leverage=10)
    return x


def rejected(event) -> str:
    assert isinstance(event, OrderRejected), event
    return event.reason


def test_fees_are_exact_maker_and_taker(exchange):
    trade(exchange, "alice", "maker", 1_000, INDEX)  # 1 BTC at 50,000
    # taker 0.04 % of 50,000 = 20; maker 0.02 % = 10
    assert wallet(exchange, "alice") == (10_000 - 20) * USDT
    assert wallet(exchange, "maker") == (1_000_000 - 10) * USDT
    assert exchange.ledger_totals().fees == 30 * USDT
    assert_invariants(exchange)


def test_every_user_mistake_comes_back_as_a_plain_reason(exchange):
    x = exchange
    assert rejected(x.submit("alice", "buy", "0", "50000")) == "size 0 must be positive"
    assert "not a multiple of the lot size 0.001" in rejected(
        x.submit("alice", "buy", "0.0015", "1")
    )
    assert "not a multiple of the tick size 0.1" in rejected(x.submit("alice", "buy", "1", "10.05"))
    assert rejected(x.submit("alice", "buy", "1", "-5")) == "price -5 must be positive"
    assert rejected(x.submit("nobody", "buy", 1, 1)) == "unknown account 'nobody'"
    assert rejected(x.cancel("alice", 999)) == "unknown order 999"
    assert rejected(x.submit("alice", "sideways", 1, 1)) == "side 'sideways' is not buy or sell"
    assert rejected(x.submit("alice", "buy", 1, 1, "fancy")) == "unknown order type 'fancy'"
    assert rejected(x.submit("alice", "buy", 1)) == "a limit order needs a price"
    reason = rejected(x.submit("alice", "sell", 1, INDEX, reduce_only=True))
    assert reason == "reduce-only order would increase the position"
    reason = rejected(x.submit("alice", "buy", "100", "50000"))  # 5M notional at 10x, plus fee
    assert (
        reason == "insufficient margin: the order needs 502,000.00 USDT, 10,000.00 USDT available"
    )
    reason = rejected(x.set_leverage("alice", 0))
    assert reason == "leverage 0 must be a whole number ≥ 1"
    assert all(ok for ok in x.check_invariants().values())


def test_leverage_above_the_tier_maximum_is_refused(exchange):
    exchange.set_leverage("maker", 100)
    # 5 BTC at 50,000 is 250,000 notional: tier 3, at most 50x
    reason = rejected(exchange.submit("maker", "buy", "5", "50000"))
    assert reason == (
        "leverage 100x is above the 50x maximum for a position of 250,000.00 USDT notional"
    )
    assert rejected(exchange.set_leverage("alice", 126)).startswith(
        "leverage 126x is above the 125x"
    )


def test_post_only_that_would_cross_is_rejected(exchange):
    exchange.submit("maker", "sell", 10, INDEX + 10)
    reason = rejected(exchange.submit("alice", "buy", 1, INDEX + 10, OrderType.POST_ONLY))
    assert reason == "post-only order would cross the book (best ask 50001.0)"
    accepted = exchange.submit("alice", "buy", 1, INDEX, OrderType.POST_ONLY)
    assert type(accepted) is OrderAccepted
    assert exchange.book_view(1).bids[0][0] == INDEX


def test_ioc_fills_what_it_can_and_cancels_the_rest(exchange):
    exchange.submit("maker", "sell", 3, INDEX)
    exchange.submit("maker", "sell", 3, INDEX + 50)
    exchange.drain_events()
    exchange.submit("alice", "buy", 5, INDEX + 10, OrderType.IOC)
    events = exchange.drain_events()
    assert lots_of(exchange, "alice") == 3
    cancelled = [e for e in events if type(e) is OrderCancelled]
    assert [(e.qty, e.reason) for e in cancelled] == [(2, "unfilled rest of IOC")]
    assert exchange.book_view(1).bids == ()


def test_market_order_walks_the_book(exchange):
    exchange.submit("maker", "sell", 3, INDEX)
    exchange.submit("maker", "sell", 3, INDEX + 50)
    exchange.submit("alice", "buy", 5, order_type=OrderType.MARKET)
    view = exchange.account_view("alice").position
    assert (view.lots, view.cost) == (5, 3 * INDEX + 2 * (INDEX + 50))
    assert rejected(exchange.submit("alice", "buy", 10_000, order_type="market")).startswith(
        "insufficient margin"
    )
    exchange.submit("maker", "buy", 1, INDEX - 100)
    exchange.submit("alice", "sell", 5, order_type=OrderType.MARKET)
    assert lots_of(exchange, "alice") == 4  # one lot of bids, the rest cancelled


def test_partial_close_removes_cost_once_and_keeps_the_rest_in_the_basis(exchange):
    # 3 lots bought at 500,000, 500,001, 500,001: cost 1,500,002
    for price in (INDEX, INDEX + 1, INDEX + 1):
        exchange.submit("maker", "sell", 1, price)
        exchange.submit("alice", "buy", 1, price)
    before = wallet(exchange, "alice")
    exchange.submit("maker", "buy", 1, INDEX + 10)
    exchange.submit("alice", "sell", 1, INDEX + 10)
    position = exchange.account_view("alice").position
    # removed = 1,500,002 × 1/3 = 500,000 (rounded once); the rest stays in the basis
    assert position.cost == 1_000_002
    realized = (INDEX + 10 - 500_000) * 10_000  # 10 ticks × one lot × 0.0001 USDT
    taker_fee = -(-(INDEX + 10) * 10_000 * 400 // 10**6)
    assert wallet(exchange, "alice") == before + realized - taker_fee
    assert_invariants(exchange)


def test_isolated_margin_is_set_aside_and_returned(exchange):
    trade(exchange, "maker", "bob", 1_000, INDEX)  # bob short 1 BTC at 50,000, 10x
    view = exchange.account_view("bob")
    assert view.isolated_margin == 5_000 * USDT
    assert view.wallet == (10_000 - 10) * USDT  # maker fee; margin still counts in the wallet
    assert view.available == (5_000 - 10) * USDT
    exchange.submit("maker", "sell", 1_000, INDEX - 1_000)
    exchange.submit("bob", "buy", 1_000, INDEX - 1_000)  # closes at 49,900: +100 profit
    view = exchange.account_view("bob")
    assert view.position is None and view.isolated_margin == 0
    assert view.wallet == 10_070_04 * USDT // 100  # 10,000 − 10 + 100 − 19.96
    assert_invariants(exchange)


def test_reduce_only_never_flips_the_position(exchange):
    trade(exchange, "alice", "maker", 5, INDEX)
    exchange.submit("maker", "buy", 10, INDEX - 10)
    exchange.submit("alice", "sell", 8, order_type="market", reduce_only=True)
    assert lots_of(exchange, "alice") == 0


def test_stop_market_fires_on_the_mark(exchange):
    trade(exchange, "alice", "maker", 10, INDEX)
    exchange.submit("maker", "buy", 100, INDEX - 3_000)
    stop = exchange.submit(
        "alice", "sell", 10, order_type=OrderType.STOP_MARKET, trigger="49800", reduce_only=True
    )
    assert stop.trigger == INDEX - 2_000
    exchange.advance(exchange.time + 10**6, INDEX - 1_000)
    assert lots_of(exchange, "alice") == 10
    exchange.advance(exchange.time + 10**6, INDEX - 2_500)
    assert exchange.prices.mark <= INDEX - 2_000
    events = exchange.drain_events()
    assert any(type(e) is OrderTriggered for e in events)
    assert lots_of(exchange, "alice") == 0


def test_take_profit_fires_when_the_price_reaches_the_target(exchange):
    trade(exchange, "alice", "maker", 10, INDEX)
    exchange.submit("maker", "buy", 100, INDEX - 5)
    exchange.submit(
        "alice", "sell", 10, order_type="take_profit", trigger="50100", reduce_only=True
    )
    exchange.advance(exchange.time + 10**6, INDEX + 500)
    assert lots_of(exchange, "alice") == 10
    exchange.advance(exchange.time + 10**6, INDEX + 1_500)
    assert lots_of(exchange, "alice") == 0


def test_cancel_all_releases_reserved_margin(exchange):
    for i in range(5):
        exchange.submit("alice", "buy", 100, INDEX - 100 * (i + 1))
    view = exchange.account_view("alice")
    assert len(view.orders) == 5 and view.reserved > 0
    events = exchange.cancel_all("alice")
    assert [e.kind for e in events] == ["order_cancelled"] * 5
    view = exchange.account_view("alice")
    assert view.reserved == 0 and view.available == 10_000 * USDT


def test_margin_mode_switch_needs_a_flat_account(exchange):
    trade(exchange, "alice", "maker", 5, INDEX)
    reason = rejected(exchange.set_margin_mode("alice", "isolated"))
    assert reason == "close the position and cancel open orders before switching margin mode"
    assert exchange.set_margin_mode("maker", "portfolio").reason == (
        "margin mode 'portfolio' is not cross or isolated"
    )
