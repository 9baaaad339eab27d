"""The limit order book: price levels in price–time priority, and matching.

Levels are FIFO queues (each a ``deque`` that also holds its lots). A cancel marks
the order dead (qty 0) and takes its size off the level at once; the dead entry is
dropped when it reaches the head of the queue. That keeps both cancel and match O(1)
per order, plus a binary search when a price level appears or disappears. Each side
keeps its prices in a plain list by ``side × price``, so that its best is last: a
book has tens to a few thousand levels, where ``bisect.insort`` into a list is
several times faster than a balanced structure, and taking the best level is a
``pop()``.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

from engine.orders import Order

Fill = tuple[Order, int, int]  # (maker order, traded lots, price ticks)


class Level(deque):
    """One price's orders, oldest first, and their lots: the queue is the level itself,
    one object to make for each new price (a maker's requote makes dozens), made by
    ``deque``'s own constructor from its first order, with ``qty`` set beside it (a
    Python ``__init__`` would cost a frame for each)."""

    __slots__ = ("qty",)


class OrderBook:
    def __init__(self) -> None:
        self._bids: dict[int, Level] = {}
        self._asks: dict[int, Level] = {}
        self._bid_keys: list[int] = []  # bid prices, ascending: the best last
        self._ask_keys: list[int] = []  # −ask prices, ascending: the best last
        self._best_bid: int | None = None  # cached: read on every order, changed rarely
        self._best_ask: int | None = None
        self.orders: dict[int, Order] = {}

    # -- reading ---------------------------------------------------------------------

    def best_bid(self) -> int | None:
        return self._best_bid

    def best_ask(self) -> int | None:
        return self._best_ask

    def depth(self, levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Top ``levels`` of (price, lots): bids best first, asks best first."""
        bids = [(p, self._bids[p].qty) for p in reversed(self._bid_keys[-levels:])]
        asks = [(-k, self._asks[-k].qty) for k in reversed(self._ask_keys[-levels:])]
        return bids, asks

    def walk(self, side: int):
        """(price, lots) levels an aggressor of ``side`` would meet, best first."""
        if side > 0:
            for key in reversed(self._ask_keys):
                yield -key, self._asks[-key].qty
        else:
            for price in reversed(self._bid_keys):
                yield price, self._bids[price].qty

    def __len__(self) -> int:
        return len(self.orders)

    # -- changing --------------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Rest an order; the caller has made sure it does not cross."""
        side, price = order.side, order.price
        levels, keys = (self._bids, self._bid_keys) if side > 0 else (self._asks, self._ask_keys)
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level((order,))
            level.qty = order.qty
            insort(keys, side * price)
            if side > 0:
                if self._best_bid is None or price > self._best_bid:
                    self._best_bid = price
            elif self._best_ask is None or price < self._best_ask:
                self._best_ask = price
        else:
            level.append(order)
            level.qty += order.qty
        self.orders[order.id] = order

    def cancel(self, order_id: int) -> tuple[Order, int] | None:
        """Remove a resting order; returns it and its unfilled lots, or None if unknown."""
        order = self.orders.pop(order_id, None)
        if order is None:
            return None
        side, price = order.side, order.price
        levels, keys = (self._bids, self._bid_keys) if side > 0 else (self._asks, self._ask_keys)
        level = levels[price]
        level.qty -= order.qty
        if level.qty == 0:
            del levels[price]
            del keys[bisect_left(keys, side * price)]
            if price == (self._best_bid if side > 0 else self._best_ask):
                self._refresh_best()
        unfilled, order.qty = order.qty, 0
        return order, unfilled

    def match(
        self, side: int, qty: int, limit: int | None, account: str | None = None
    ) -> tuple[list[Fill], int, list[tuple[Order, int]]]:
        """Take liquidity for an aggressor of ``side`` up to ``qty`` lots within ``limit``.

        Returns the fills, the lots left unfilled, and the aggressor's own resting
        orders that were in the way (self-trade prevention cancels the resting one).
        """
        levels, keys = (self._asks, self._ask_keys) if side > 0 else (self._bids, self._bid_keys)
        fills: list[Fill] = []
        stp: list[tuple[Order, int]] = []
        orders = self.orders
        price = self._best_ask if side > 0 else self._best_bid
        while qty and price is not None:
            if limit is not None and (price > limit if side > 0 else price < limit):
                break
            level = levels[price]
            while qty and level:
                maker = level[0]
                resting = maker.qty
                if resting == 0:
                    level.popleft()
                    continue
                if maker.account == account:
                    level.popleft()
                    level.qty -= resting
                    del orders[maker.id]
                    maker.qty = 0
                    stp.append((maker, resting))
                    continue
                if resting <= qty:
                    level.popleft()
                    del orders[maker.id]
                    maker.qty = 0
                    level.qty -= resting
                    qty -= resting
                    fills.append((maker, resting, price))
                else:
                    maker.qty = resting - qty
                    level.qty -= qty
                    fills.append((maker, qty, price))
                    qty = 0
            if level.qty == 0:
                del levels[price]
                keys.pop()
                price = -side * keys[-1] if keys else None
        if side > 0:  # whatever stopped the loop, ``price`` is now the best of that side
            self._best_ask = price
        else:
            self._best_bid = price
        return fills, qty, stp

    def _refresh_best(self) -> None:
        self._best_bid = self._bid_keys[-1] if self._bid_keys else None
        self._best_ask = -self._ask_keys[-1] if self._ask_keys else None
