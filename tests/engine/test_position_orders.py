"""Orders around a position: its TP/SL (one firing cancels the other, both gone when the
position closes), stops that would fire at once refused, stop-limits, and deposits that
a journal replays."""

from __future__ import annotations

import pytest

from engine.events import (
    Deposit,
    OrderAccepted,
    OrderCancelled,
    OrderRejected,
    OrderTriggered,
    Trade,
)
from engine.orders import OrderType

from .helpers import INDEX, USDT, assert_invariants, lots_of, make_exchange, trade


@pytest.fixture
def exchange():
    x = make_exchange()
    x.open_account("maker", 1_000_000 * USDT, leverage=10)
    x.open_account("alice", 10_000 * USDT, leverage=10)
    trade(x, "alice", "maker", 10, INDEX)  # alice long 0.010 at 50,000
    x.drain_events()
    return x


def cancelled(events, order_id: int) -> str | None:
    return next(
        (e.reason for e in events if type(e) is OrderCancelled and e.order_id == order_id), None
    )


def step(exchange, index: int) -> list:
    exchange.advance(exchange.time + 10**6, index)
    return exchange.drain_events()


def test_a_tp_firing_cancels_its_stop_loss(exchange):
    exchange.submit("maker", "buy", 100, INDEX - 5)
    take, stop = exchange.protect("alice", "50100", "49800")
    assert (take.order_type, stop.order_type) == ("take_profit", "stop_market")
    assert take.reduce_only and stop.reduce_only and take.side == stop.side == -1
    orders = exchange.account_view("alice").orders
    assert {o.order_id for o in orders if o.whole} == {take.order_id, stop.order_id}
    events = step(exchange, INDEX + 1_500)
    assert [e.order_id for e in events if type(e) is OrderTriggered] == [take.order_id]
    assert cancelled(events, stop.order_id) == "the other half of the TP/SL fired"
    assert lots_of(exchange, "alice") == 0
    assert exchange.account_view("alice").orders == ()
    assert_invariants(exchange)


def test_a_position_tp_sl_closes_the_whole_position_as_it_is_then(exchange):
    exchange.protect("alice", None, "49800")
    trade(exchange, "alice", "maker", 5, INDEX)  # the position grows after the TP/SL
    exchange.submit("maker", "buy", 100, INDEX - 3_000)
    assert exchange.account_view("alice").orders[0].qty == 15
    step(exchange, INDEX - 2_500)
    assert lots_of(exchange, "alice") == 0


def test_closing_the_position_cancels_its_tp_sl_and_reduce_only_stops(exchange):
    take, stop = exchange.protect("alice", "50100", "49800")
    plain = exchange.submit(
        "alice", "sell", 10, order_type="stop_market", trigger="49500", reduce_only=True
    )
    exchange.drain_events()
    exchange.submit("maker", "buy", 100, INDEX - 5)
    exchange.submit("alice", "sell", 10, order_type="market", reduce_only=True)  # closed by hand
    events = exchange.drain_events()
    assert lots_of(exchange, "alice") == 0
    for order in (take, stop, plain):
        assert cancelled(events, order.order_id) == "position closed"
    assert exchange.account_view("alice").orders == ()


def test_a_liquidation_cancels_the_tp_sl_too(exchange):
    exchange.open_account("bob", 600 * USDT, mode="isolated", leverage=100)
    trade(exchange, "bob", "maker", 100, INDEX)  # 5,000 notional, 50 USDT of margin
    take, stop = exchange.protect("bob", "51000", "45000")
    exchange.drain_events()
    exchange.submit("maker", "buy", 1_000, INDEX - 15_000)
    events = step(exchange, INDEX - 10_000)  # the mark falls through bob's liquidation price
    assert any(e.kind == "liquidation" and e.account == "bob" for e in events)
    assert cancelled(events, take.order_id) and cancelled(events, stop.order_id)
    assert exchange.account_view("bob").orders == ()


def test_a_new_tp_sl_replaces_the_old_and_none_clears_it(exchange):
    take, stop = exchange.protect("alice", "50100", "49800")
    events = exchange.protect("alice", "50200", None)
    assert cancelled(events, take.order_id) == cancelled(events, stop.order_id)
    assert [o.trigger for o in exchange.account_view("alice").orders] == [INDEX + 2_000]
    exchange.protect("alice")
    assert exchange.account_view("alice").orders == ()


def test_a_tp_sl_needs_a_position(exchange):
    exchange.open_account("flat", 1_000 * USDT)
    (event,) = exchange.protect("flat", "1", None)
    assert event.reason == "no position: a TP/SL is set on an open position"


@pytest.mark.parametrize(
    ("side", "kind", "trigger", "reason"),
    [
        (
            "buy",
            "take_profit",
            "50300",
            "would trigger immediately: the mark is already past 50,300.0 (it is {mark})",
        ),
        (
            "sell",
            "stop_market",
            "50300",
            "would trigger immediately: the mark is already past 50,300.0 (it is {mark})",
        ),
        (
            "buy",
            "stop_limit",
            "49700",
            "would trigger immediately: the mark is already past 49,700.0 (it is {mark})",
        ),
    ],
)
def test_a_stop_the_price_has_already_passed_is_refused(exchange, side, kind, trigger, reason):
    event = exchange.submit("alice", side, 1, "50000", kind, trigger=trigger)
    mark = f"{exchange.prices.mark / 10:,.1f}"
    assert type(event) is OrderRejected and event.reason == reason.format(mark=mark)
    assert exchange.account_view("alice").orders == ()


def test_the_tp_sl_is_refused_whole_when_either_half_has_passed(exchange):
    (event,) = exchange.protect("alice", "49900", "49800")
    assert event.reason.startswith("would trigger immediately: the mark is already past 49,900.0")
    assert exchange.account_view("alice").orders == ()


def test_a_stop_on_the_last_price_is_judged_by_the_last_price(exchange):
    exchange.advance(exchange.time + 10**6, INDEX + 1_000)  # the mark moves, the last does not
    event = exchange.submit("alice", "sell", 1, None, "take_profit", trigger="50050")
    assert type(event) is OrderRejected  # by the mark, 50,100 is past 50,050
    event = exchange.submit(
        "alice", "sell", 1, None, "take_profit", trigger="50050", trigger_source="last"
    )
    assert type(event) is OrderAccepted


def test_a_stop_limit_rests_its_limit_once_triggered(exchange):
    event = exchange.submit("alice", "sell", 4, "49850", OrderType.STOP_LIMIT, trigger="49900")
    assert type(event) is OrderAccepted and event.price == INDEX - 1_500
    assert type(exchange.submit("alice", "sell", 1, None, "stop_limit", trigger="49900")) is (
        OrderRejected
    )
    events = step(exchange, INDEX - 2_000)
    assert any(type(e) is OrderTriggered for e in events)
    resting = exchange.account_view("alice").orders
    assert [(o.order_type, o.price, o.qty) for o in resting] == [("limit", INDEX - 1_500, 4)]
    assert not any(type(e) is Trade for e in events)  # no bid at 49,850: it rests


def test_the_position_view_has_its_break_even_and_realized_after_fees(exchange):
    p = exchange.account_view("alice").position
    fee = 10 * INDEX * exchange.instrument.contract_value * 400 // 10**6  # 0.04 % taker
    assert p.fees == fee and p.realized == -fee
    # closing at break-even at market (taker fee too) leaves the position's result at 0
    be = p.break_even
    result = p.lots * (be - INDEX) * exchange.instrument.contract_value - fee
    assert result - p.lots * be * exchange.instrument.contract_value * 400 / 10**6 == 0
    assert be > INDEX
    assert p.position_margin == p.initial_margin  # cross: the margin it holds


def test_a_deposit_tops_the_wallet_up(exchange):
    before = exchange.account_view("alice").wallet
    event = exchange.deposit("alice", 500 * USDT)
    assert type(event) is Deposit
    assert exchange.account_view("alice").wallet == before + 500 * USDT
    assert_invariants(exchange)


def test_a_journal_with_a_deposit_and_a_tp_sl_replays_exactly(tmp_path):
    from engine.journal import JournalWriter, header_for
    from engine.restore import restore
    from engine.scenario import load_scenario
    from engine.session import Session
    from engine.simulation import Simulation
    from engine.units import MINUTE

    path = tmp_path / "run.jsonl"
    simulation = Simulation(load_scenario("calm"), seed=3, duration=3 * MINUTE)
    writer = JournalWriter(path, header_for(simulation))
    session = Session(simulation, [writer])
    for _ in range(30):
        session.step()
    assert type(session.deposit("1234.5")) is Deposit
    assert type(session.deposit("-5")) is OrderRejected
    session.submit("buy", "0.1", order_type="market")
    mark = session.exchange.prices.mark * session.exchange.instrument.tick_size
    session.protect(str(int(mark * 102 / 100)), str(int(mark * 98 / 100)))
    while session.step():
        pass
    writer.close()
    restored = restore(path)
    assert restored.session.account() == session.account()
    assert restored.session.commands == session.commands


def test_a_reduce_only_order_larger_than_the_position_says_it_was_cut(exchange):
    exchange.submit("maker", "buy", 100, INDEX - 5)
    accepted = exchange.submit("alice", "sell", 25, order_type="market", reduce_only=True)
    events = exchange.drain_events()
    assert accepted.qty == 25
    cut = next(e for e in events if type(e) is OrderCancelled)
    assert (cut.order_id, cut.qty, cut.reason) == (
        accepted.order_id,
        15,
        "reduce-only: cut to the position's size",
    )
    assert lots_of(exchange, "alice") == 0


@pytest.mark.parametrize("mode", ["cross", "isolated"])
def test_the_preview_is_what_the_fill_then_does(mode):
    """The ticket's estimate — average fill, and the liquidation and bankruptcy prices
    after it — is the position the order then makes, on the same book at the same mark."""
    from engine.session import start

    session = start("calm", 1)
    for _ in range(60):
        session.step()
    session.set_margin_mode(mode)
    session.set_leverage(20)
    for side, qty in (("buy", "1"), ("buy", "0.5"), ("sell", "0.5"), ("sell", "2")):
        estimate = session.preview(qty, None, "20", side, "market")
        touch = session.frame(1).book.asks[0][0] if side == "buy" else None
        session.submit(side, qty, order_type="market")
        p = session.account().position
        assert estimate.taken == estimate.filled == session.exchange.instrument.lots(qty)
        assert abs(estimate.liquidation - p.liquidation_price) < 1
        assert abs(estimate.bankruptcy - p.bankruptcy_price) < 1
        if mode == "cross":
            assert estimate.liquidation == p.liquidation_price
        if touch is not None:
            assert estimate.slippage >= 0 and estimate.average >= touch
    closing = session.preview("1", None, "20", "buy", "market")
    assert closing.closes and closing.liquidation is None


def test_the_preview_refuses_what_the_ticket_cannot_send():
    from engine.session import start
    from engine.units import UnitError

    session = start("calm", 1)
    with pytest.raises(UnitError, match="leverage 'x' is not a whole number"):
        session.preview("1", None, "x", "buy", "market")
    with pytest.raises(UnitError, match="not a multiple of the lot size"):
        session.preview("0.0001", None, "20", "buy", "market")
