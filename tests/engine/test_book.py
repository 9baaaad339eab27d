"""The order book: price–time priority, partial fills, cancels, self-trade prevention."""

from engine.book import OrderBook
from engine.orders import Order


def order(order_id, account, side, price, qty):
    return Order(order_id, account, side, price, qty, False)


def test_better_price_first_then_earlier_time():
    book = OrderBook()
    book.add(order(1, "a", -1, 101, 5))
    book.add(order(2, "b", -1, 100, 5))
    book.add(order(3, "c", -1, 100, 5))
    fills, left, _ = book.match(1, 12, None, "taker")
    assert [(m.id, q, p) for m, q, p in fills] == [(2, 5, 100), (3, 5, 100), (1, 2, 101)]
    assert left == 0
    assert book.depth(5) == ([], [(101, 3)])


def test_a_limit_stops_at_its_price():
    book = OrderBook()
    book.add(order(1, "a", 1, 99, 5))
    book.add(order(2, "a", 1, 98, 5))
    fills, left, _ = book.match(-1, 8, 99, "taker")
    assert [(m.id, q) for m, q, _ in fills] == [(1, 5)]
    assert left == 3
    assert book.best_bid() == 98


def test_cancel_takes_the_order_out_of_the_queue():
    book = OrderBook()
    book.add(order(1, "a", -1, 100, 5))
    book.add(order(2, "b", -1, 100, 7))
    cancelled, unfilled = book.cancel(1)
    assert (cancelled.id, unfilled) == (1, 5)
    assert book.cancel(1) is None
    assert book.depth(1) == ([], [(100, 7)])
    fills, _, _ = book.match(1, 3, None, "taker")
    assert [(m.id, q) for m, q, _ in fills] == [(2, 3)]
    book.cancel(2)
    assert book.best_ask() is None and len(book) == 0


def test_self_trade_prevention_cancels_the_resting_order():
    book = OrderBook()
    book.add(order(1, "me", -1, 100, 5))
    book.add(order(2, "other", -1, 100, 5))
    fills, left, stp = book.match(1, 5, None, "me")
    assert [(m.id, q) for m, q, _ in fills] == [(2, 5)]
    assert [(o.id, q) for o, q in stp] == [(1, 5)]
    assert left == 0 and len(book) == 0
