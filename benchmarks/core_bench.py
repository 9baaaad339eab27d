"""Order-book and exchange throughput on one seeded flow of a million operations,
under the runtime's heap settings (``tui.runtime.settle_heap``).

The flow: 60 % limit orders placed 1–50 ticks from a slowly wandering mid, 25 %
cancels of orders still live, 15 % market orders. It is generated (and the live
orders to cancel chosen) in an untimed dry run, so the timed run does only the
work being measured.
"""

from __future__ import annotations

import random
import time

from engine.book import OrderBook
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import Order, OrderType
from engine.units import MONEY_SCALE
from tui.runtime import settle_heap

OPERATIONS = 1_000_000
ACCOUNTS = 50
LIMIT, CANCEL, MARKET = 0, 1, 2


def make_flow(count: int = OPERATIONS, seed: int = 7) -> list[tuple]:
    """(op, order id, account, side, price, qty) tuples; cancels name live order ids."""
    rng = random.Random(seed)
    book = OrderBook()
    live: list[int] = []
    where: dict[int, int] = {}
    owner: dict[int, str] = {}
    mid = 1_000_000
    flow = []
    next_id = 1

    def forget(order_id: int) -> None:
        index = where.pop(order_id)
        last = live.pop()
        if last != order_id:
            live[index] = last
            where[last] = index

    def take(side: int, qty: int, limit: int | None, account: str) -> int:
        """Match in the dry run, forgetting the orders that leave the book."""
        fills, left, stp = book.match(side, qty, limit, account)
        for maker, _, _ in fills:
            if maker.qty == 0:
                forget(maker.id)
        for order, _ in stp:
            forget(order.id)
        return left

    for _ in range(count):
        roll = rng.random()
        account = f"a{rng.randrange(ACCOUNTS)}"
        side = 1 if rng.random() < 0.5 else -1
        if roll < 0.25 and live:
            order_id = live[rng.randrange(len(live))]
            book.cancel(order_id)
            forget(order_id)
            flow.append((CANCEL, order_id, owner[order_id], 0, 0, 0))
            continue
        if roll < 0.40:
            qty = rng.randint(1, 10)
            take(side, qty, None, account)
            flow.append((MARKET, next_id, account, side, 0, qty))
            next_id += 1
            continue
        if rng.random() < 0.01:
            mid += rng.choice((-1, 1)) * rng.randint(1, 5)
        price = mid - side * rng.randint(1, 50)
        qty = rng.randint(1, 10)
        left = qty
        best = book.best_ask() if side > 0 else book.best_bid()
        if best is not None and (price >= best if side > 0 else price <= best):
            left = take(side, qty, price, account)
        if left:
            book.add(Order(next_id, account, side, price, left, False))
            where[next_id] = len(live)
            live.append(next_id)
            owner[next_id] = account
        flow.append((LIMIT, next_id, account, side, price, qty))
        next_id += 1
    return flow


def book_ops_per_s() -> float:
    flow = make_flow()
    book = OrderBook()
    settle_heap()  # as simulate and the app do once set-up is done
    add, cancel, match = book.add, book.cancel, book.match
    best_ask, best_bid = book.best_ask, book.best_bid
    started = time.process_time()
    for op, order_id, account, side, price, qty in flow:
        if op == LIMIT:
            best = best_ask() if side > 0 else best_bid()
            if best is not None and (price >= best if side > 0 else price <= best):
                _, qty, _ = match(side, qty, price, account)
                if not qty:
                    continue
            add(Order(order_id, account, side, price, qty, False))
        elif op == CANCEL:
            cancel(order_id)
        else:
            match(side, qty, None, account)
    return len(flow) / (time.process_time() - started)


def exchange_orders_per_s() -> float:
    flow = make_flow()
    exchange = Exchange(default_instrument(), ExchangeConfig())
    for n in range(ACCOUNTS):
        exchange.open_account(f"a{n}", 10_000_000 * MONEY_SCALE, leverage=10)
    exchange.advance(1, 1_000_000)
    exchange.drain_events()
    settle_heap()
    submit, cancel, drain = exchange.submit, exchange.cancel, exchange.drain_events
    ids: dict[int, int] = {}  # flow id → exchange id (rejections shift the numbering)
    limit, market = OrderType.LIMIT, OrderType.MARKET
    started = time.process_time()
    for op, order_id, account, side, price, qty in flow:
        if op == LIMIT:
            event = submit(account, side, qty, price, limit)
            ids[order_id] = getattr(event, "order_id", 0)
        elif op == CANCEL:
            cancel(account, ids.get(order_id, 0))
        else:
            submit(account, side, qty, None, market)
        drain()
    return len(flow) / (time.process_time() - started)


FIGURES = {
    "book_ops_per_s": book_ops_per_s,
    "exchange_orders_per_s": exchange_orders_per_s,
}
