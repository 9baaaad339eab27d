"""The limit order book: price levels in price–time priority, and matching.

Levels are FIFO queues. A cancel marks the order dead (qty 0) and takes its size
off the level at once; the dead entry is dropped when it reaches the head of the
queue. That keeps both cancel and match O(1) per order, plus O(log n) when a
price level appears or disappears.
"""

from __future__ import annotations

from collections import deque

from sortedcontainers import SortedList

from engine.orders import Order

Fill = tuple[Order, int, int]  # (maker order, traded lots, price ticks)


class Level:
    __slots__ = ("orders", "qty")

    def __init__(self) -> None:
        self.orders: deque[Order] = deque()
        self.qty = 0


class OrderBook:
    def __init__(self) -> None:
        self._bids: dict[int, Level] = {}
        self._asks: dict[int, Level] = {}
        self._bid_prices = SortedList()
        self._ask_prices = SortedList()
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
        bids = [(p, self._bids[p].qty) for p in reversed(self._bid_prices[-levels:])]
        asks = [(p, self._asks[p].qty) for p in self._ask_prices[:levels]]
        return bids, asks

    def walk(self, side: int):
        """(price, lots) levels an aggressor of ``side`` would meet, best first."""
        if side > 0:
            for price in self._ask_prices:
                yield price, self._asks[price].qty
        else:
            for price in reversed(self._bid_prices):
                yield price, self._bids[price].qty

    def __len__(self) -> int:
        return len(self.orders)

    # -- changing --------------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Rest an order; the caller has made sure it does not cross."""
        if order.side > 0:
            levels, prices = self._bids, self._bid_prices
        else:
            levels, prices = self._asks, self._ask_prices
        price = order.price
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level()
            prices.add(price)
            if order.side > 0:
                if self._best_bid is None or price > self._best_bid:
                    self._best_bid = price
            elif self._best_ask is None or price < self._best_ask:
                self._best_ask = price
        level.orders.append(order)
        level.qty += order.qty
        self.orders[order.id] = order

    def cancel(self, order_id: int) -> tuple[Order, int] | None:
        """Remove a resting order; returns it and its unfilled lots, or None if unknown."""
        order = self.orders.pop(order_id, None)
        if order is None:
            return None
        if order.side > 0:
            levels, prices = self._bids, self._bid_prices
        else:
            levels, prices = self._asks, self._ask_prices
        level = levels[order.price]
        level.qty -= order.qty
        if level.qty == 0:
            del levels[order.price]
            prices.remove(order.price)
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
        if side > 0:
            levels, prices, index = self._asks, self._ask_prices, 0
        else:
            levels, prices, index = self._bids, self._bid_prices, -1
        fills: list[Fill] = []
        stp: list[tuple[Order, int]] = []
        orders = self.orders
        price = self._best_ask if side > 0 else self._best_bid
        while qty and price is not None:
            if limit is not None and (price > limit if side > 0 else price < limit):
                break
            level = levels[price]
            queue = level.orders
            while qty and queue:
                maker = queue[0]
                resting = maker.qty
                if resting == 0:
                    queue.popleft()
                    continue
                if maker.account == account:
                    queue.popleft()
                    level.qty -= resting
                    del orders[maker.id]
                    maker.qty = 0
                    stp.append((maker, resting))
                    continue
                if resting <= qty:
                    queue.popleft()
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
                prices.pop(index)
                price = prices[index] if prices else None
        if side > 0:  # whatever stopped the loop, ``price`` is now the best of that side
            self._best_ask = price
        else:
            self._best_bid = price
        return fills, qty, stp

    def _refresh_best(self) -> None:
        self._best_bid = self._bid_prices[-1] if self._bid_prices else None
        self._best_ask = self._ask_prices[0] if self._ask_prices else None
