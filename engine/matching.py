"""Matching: the order book and the one taker path every aggressor takes.

A trader's order and the backstop's order meet the book the same way: match in
price–time priority, settle each maker, then the taker, emit the trade and the
maker's new position, cancel the maker's reduce-only orders that no longer reduce,
set the last price. Only the settlement of the taker side differs, so it is the
aggressor's own ``settle``.
"""

from __future__ import annotations

import itertools
from typing import Protocol

from engine.accounts import Account, Accounts
from engine.book import OrderBook
from engine.events import Event, OrderCancelled, PositionChanged, Trade
from engine.instrument import Instrument
from engine.orders import Order
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM


class Aggressor(Protocol):
    """Who takes liquidity, and how the taker side of a fill is settled."""

    name: str  # the taker the trade events name
    order_id: int  # 0 when the backstop takes
    account: Account | None  # a trader's account: self-trade prevention applies

    def settle(self, side: int, lots: int, price: int) -> int:
        """Settle the taker side of one fill; returns the taker fee paid."""
        ...


class Matching:
    def __init__(
        self, instrument: Instrument, accounts: Accounts, prices: PriceState, tape: Tape
    ) -> None:
        self.instrument = instrument
        self.accounts = accounts
        self.prices = prices
        self.tape = tape
        self.book = OrderBook()
        self.new_order_id = itertools.count(1).__next__  # ids for orders and stops alike

    # -- taking ------------------------------------------------------------------------

    def take(self, aggressor: Aggressor, side: int, qty: int, limit: int | None) -> tuple[int, int]:
        """Match an aggressor of ``side`` for ``qty`` lots within ``limit`` and settle every
        fill. Returns (lots left unfilled, lots filled)."""
        owner = aggressor.account
        fills, left, stp = self.book.match(side, qty, limit, owner.id if owner else None)
        tape = self.tape
        for order, unfilled in stp:
            self.accounts.order_left(owner, order, unfilled)
            tape.emit(
                OrderCancelled(tape.time, owner.id, order.id, unfilled, "self-trade prevention")
            )
        if not fills:
            return left, 0
        accounts, emit, time = self.accounts, tape.events.append, tape.time
        cv, maker_rate = self.instrument.contract_value, self.instrument.maker_fee
        filled = 0
        for maker_order, lots, price in fills:
            maker = accounts.get(maker_order.account)
            accounts.maker_filled(maker, maker_order, lots)
            taker_fee = aggressor.settle(side, lots, price)
            maker_realized, maker_fee = accounts.fill(
                maker, -side, lots, price, -(-lots * price * cv * maker_rate // PPM)
            )
            filled += lots
            emit(
                Trade(
                    time,
                    aggressor.name,
                    maker.id,
                    aggressor.order_id,
                    maker_order.id,
                    side,
                    lots,
                    price,
                    taker_fee,
                    maker_fee,
                )
            )
            emit(PositionChanged(time, maker.id, maker.lots, maker.cost, maker_realized))
            if maker.reduce_only_ids:
                self.trim_reduce_only(maker)
        self.prices.last = fills[-1][2]
        return left, filled

    # -- resting -----------------------------------------------------------------------

    def rest(self, account: Account, order: Order) -> None:
        self.accounts.order_rested(account, order)
        self.book.add(order)
        if order.reduce_only:
            self.trim_reduce_only(account)

    def cancel_resting(self, account: Account, order_id: int, reason: str) -> Event:
        order, unfilled = self.book.cancel(order_id)
        self.accounts.order_left(account, order, unfilled)
        cancelled = OrderCancelled(self.tape.time, account.id, order_id, unfilled, reason)
        self.tape.events.append(cancelled)
        return cancelled

    def trim_reduce_only(self, account: Account) -> None:
        """Cancel reduce-only orders that no longer reduce; the oldest keep their place."""
        room = abs(account.lots)
        for order_id in sorted(account.reduce_only_ids):
            order = self.book.orders[order_id]
            if account.side != -order.side or order.qty > room:
                self.cancel_resting(account, order_id, "reduce-only order no longer reduces")
            else:
                room -= order.qty

    def resting(self, account: Account) -> list[Order]:
        """An account's resting orders, oldest first."""
        return [self.book.orders[i] for i in sorted(account.order_ids)]
