"""The order path's written-out shortcuts give the numbers of the functions they stand for.

``Accounts.available`` writes out ``margin.unrealized_pnl`` and ``margin.initial_margin``,
the margin check skips the tier table below the first tier's cap, and ``Order`` is a
msgspec Struct that must still behave as the mutable, identity-compared object it was.
"""

from __future__ import annotations

import pytest

from engine import margin
from engine.accounts import MarginMode
from engine.instrument import default_instrument
from engine.orders import Order
from tests.engine.helpers import INDEX, USDT, make_exchange, trade


def available_by_the_book(exchange, account_id: str) -> int:
    """``Accounts.available`` as the margin module's functions define it."""
    accounts = exchange.accounts
    account = accounts[account_id]
    wallet = exchange.ledger.balances[account.wallet]
    if account.mode is MarginMode.ISOLATED or not account.lots:
        return wallet - account.reserved
    mark, cv, lots = exchange.prices.mark, exchange.instrument.contract_value, abs(account.lots)
    upnl = margin.unrealized_pnl(account.side, lots, account.cost, mark, cv)
    im = margin.initial_margin(lots * mark * cv, account.leverage)
    return wallet + upnl - im - account.reserved


@pytest.mark.parametrize("mode", ["cross", "isolated"])
@pytest.mark.parametrize("leverage", [1, 3, 20])
def test_available_matches_the_margin_functions(mode, leverage):
    exchange = make_exchange()
    for name in ("long", "short", "maker"):
        exchange.open_account(name, 1_000_000 * USDT, mode, leverage)
    trade(exchange, "long", "short", 7, INDEX + 3)
    exchange.submit("maker", 1, 2, INDEX - 40)  # resting margin counts too
    for step, index in enumerate((INDEX - 1_777, INDEX + 911, INDEX + 5_003), start=2):
        exchange.advance(step * 1_000_000, index)
        for name in ("long", "short", "maker"):
            assert exchange.accounts.available(exchange.accounts[name]) == (
                available_by_the_book(exchange, name)
            )


def test_first_tier_shortcut_agrees_with_the_tier_table():
    instrument = default_instrument()
    cap = instrument.floors[1]
    for notional in (0, 1, cap // 2, cap - 1):
        assert instrument.tier_for(notional) is instrument.tiers[0]
    assert instrument.tier_for(cap) is not instrument.tiers[0]


def test_a_leverage_above_the_tier_is_still_refused_past_the_first_tier():
    exchange = make_exchange()
    exchange.open_account(
        "whale", 10**12 * USDT, leverage=exchange.instrument.tiers[0].max_leverage
    )
    lots = -(-exchange.instrument.floors[1] // (INDEX * exchange.instrument.contract_value))
    event = exchange.submit("whale", 1, lots + 1, INDEX)
    assert "maximum for a position" in getattr(event, "reason", ""), event


def test_order_is_mutable_hashable_and_compared_by_identity():
    order = Order(7, "a", 1, 100, 5, False)
    twin = Order(7, "a", 1, 100, 5, False)
    assert (order.id, order.account, order.side, order.price, order.qty) == (7, "a", 1, 100, 5)
    assert order.margin == 0 and order.reduce_only is False
    order.qty, order.margin = 3, 11
    assert (order.qty, order.margin) == (3, 11)
    assert order != twin and order == order
    assert len({order, twin}) == 2
