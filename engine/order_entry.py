"""Order entry: a trader's orders checked, placed, cancelled, and stops that wait.

Before an order reaches the book it must pass the pre-trade checks (post-only
would not cross, a market order has a side to meet, the account can afford the
part that opens a position); a refusal is an ``OrderRejected`` with its reason,
never an exception. Stop-market and take-profit orders wait here for their
trigger price and then enter as market orders.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.accounts import Account, Accounts
from engine.events import (
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderRejected,
    OrderTriggered,
    PositionChanged,
)
from engine.instrument import Instrument
from engine.matching import Matching
from engine.orders import (
    REDUCE_ONLY_CUT,
    RESTING_TYPES,
    Order,
    OrderType,
    TriggerOrder,
    TriggerSource,
)
from engine.pricing import PriceState
from engine.side import Side
from engine.tape import Tape
from engine.units import PPM

# Enum members bound once: ``OrderType.MARKET`` goes through ``EnumType.__getattr__``,
# which makes every such lookup on the class cost as much as a function call.
_MARKET, _POST_ONLY = OrderType.MARKET, OrderType.POST_ONLY


class TraderOrder:
    """A trader's order as an aggressor: the taker pays the taker fee on every fill."""

    __slots__ = ("accounts", "account", "name", "order_id", "fee_rate", "value", "realized")

    def __init__(self, accounts: Accounts, account: Account, order_id: int, fee_rate: int) -> None:
        self.accounts = accounts
        self.account = account
        self.name = account.id
        self.order_id = order_id
        self.fee_rate = fee_rate
        self.realized = 0

    def settle(self, side: int, lots: int, price: int) -> int:
        value = lots * price * self.accounts.instrument.contract_value
        realized, fee = self.accounts.fill(
            self.account, side, lots, price, -(-value * self.fee_rate // PPM)
        )
        self.realized += realized
        return fee


class OrderEntry:
    def __init__(
        self,
        instrument: Instrument,
        accounts: Accounts,
        matching: Matching,
        prices: PriceState,
        tape: Tape,
    ) -> None:
        self.instrument = instrument
        self.accounts = accounts
        self.matching = matching
        self.prices = prices
        self.tape = tape
        self.stops: dict[int, TriggerOrder] = {}
        # Below this notional an order is in the first margin tier: the margin check,
        # run on every order, need not search the tier table for most of them.
        floors = instrument.floors
        self._first_tier_below = floors[1] if len(floors) > 1 else 0

    def reject(self, account_id: str, reason: str, side: int = 0, order_type: str = "") -> Event:
        return self.tape.emit(
            OrderRejected(self.tape.time, account_id, reason, side, str(order_type))
        )

    # -- placing -----------------------------------------------------------------------

    def place(
        self,
        account: Account,
        side: int,
        qty: int,
        price: int | None,
        order_type: OrderType,
        reduce_only: bool,
        order_id: int | None = None,
    ) -> Event:
        """Check an order, take what crosses, rest what may rest, cancel the rest."""
        book, tape = self.matching.book, self.tape
        best_opposite = book.best_ask() if side > 0 else book.best_bid()
        if (
            order_type is _POST_ONLY
            and best_opposite is not None
            and (price >= best_opposite if side > 0 else price <= best_opposite)
        ):
            return self.reject(account.id, self._crossing(side, best_opposite), side, order_type)
        if order_type is _MARKET and best_opposite is None:
            return self.reject(
                account.id,
                f"no {'asks' if side > 0 else 'bids'} on the book for a market {Side(side).verb}",
                side,
                order_type,
            )
        reducing = account.lots * side < 0  # the order meets a position on the other side
        bound = self.accounts.bankruptcy_bound(account) if reducing else None
        beyond = bound is not None and price is not None and side * (price - bound) > 0
        if beyond:
            return self.reject(account.id, self._beyond(side, price, bound), side, order_type)
        order_margin = 0
        cut = 0  # a reduce-only order larger than the position is cut to its size
        if reduce_only:
            cut = max(0, qty - abs(account.lots))
        else:
            reference = price if price is not None else best_opposite
            opening, exposure, order_margin = self.accounts.order_margin(
                account, side, qty, reference
            )
            if opening:
                reason = self._margin_problem(account, qty, reference, exposure, order_margin)
                if reason:
                    return self.reject(account.id, reason, side, order_type)
        if order_id is None:
            order_id = self.matching.new_order_id()
        accepted = OrderAccepted(
            tape.time, account.id, order_id, side, order_type, qty, price, reduce_only
        )
        tape.events.append(accepted)
        if cut:  # said, as the venues say it: the order as sent, then the part cut off
            tape.emit(OrderCancelled(tape.time, account.id, order_id, cut, REDUCE_ONLY_CUT))
            qty -= cut
        left = qty
        if best_opposite is not None and (
            price is None or (price >= best_opposite if side > 0 else price <= best_opposite)
        ):
            limit = price if price is not None else bound  # a market order stops at the bound
            left = self._take(account, order_id, side, qty, limit)
        if left and order_type in RESTING_TYPES and (not reduce_only or account.side == -side):
            if left != qty and not reduce_only:  # the fills changed what the rest would open
                order_margin = self.accounts.order_margin(account, side, left, price)[2]
            order = Order(order_id, account.id, side, price, left, reduce_only)
            order.margin = order_margin
            self.matching.rest(account, order)
        elif left:
            why = "no more liquidity" if order_type is _MARKET else "unfilled rest of IOC"
            if price is None and bound is not None:
                why = "no more liquidity before the position's bankruptcy price"
            if reduce_only and order_type in RESTING_TYPES:
                why = "reduce-only rest no longer reduces"
            tape.emit(OrderCancelled(tape.time, account.id, order_id, left, why))
        return accepted

    def post_ladder(self, account: Account, quotes: Iterable[tuple[int, int, int]]) -> int:
        """A market maker's requote in one call: ``account``'s resting orders cancelled,
        then each quote (side, lots, ticks) placed post-only, with the very checks and
        events of ``cancel_all`` and ``place``. A ladder is some 60 commands, sent a
        thousand times an hour; a post-only order never trades, so what a trade would
        change (the position and its bankruptcy bound) is worked out once. Returns the
        number of quotes accepted."""
        self.cancel_all(account)
        accounts, book, matching, tape = self.accounts, self.matching.book, self.matching, self.tape
        bound = accounts.bankruptcy_bound(account)  # None when flat
        available = None  # asked once, then less each quote's margin (nothing else moves it)
        accepted = 0
        for side, qty, price in quotes:
            best = book.best_ask() if side > 0 else book.best_bid()
            reason = order_margin = None
            if best is not None and (price >= best if side > 0 else price <= best):
                reason = self._crossing(side, best)
            elif bound is not None and account.lots * side < 0 and side * (price - bound) > 0:
                reason = self._beyond(side, price, bound)
            else:
                opening, exposure, order_margin = accounts.order_margin(account, side, qty, price)
                if opening:
                    if available is None:
                        available = accounts.available(account)
                    reason = self._margin_problem(
                        account, qty, price, exposure, order_margin, available
                    )
            if reason:
                self.reject(account.id, reason, side, _POST_ONLY)
                continue
            order_id = matching.new_order_id()
            tape.events.append(
                OrderAccepted(tape.time, account.id, order_id, side, _POST_ONLY, qty, price, False)
            )
            order = Order(order_id, account.id, side, price, qty, False)
            order.margin = order_margin
            matching.rest(account, order)
            if available is not None:
                available -= order_margin
            accepted += 1
        return accepted

    def _crossing(self, side: int, best_opposite: int) -> str:
        return (
            f"post-only order would cross the book (best {'ask' if side > 0 else 'bid'} "
            f"{self.instrument.price_text(best_opposite)})"
        )

    def _beyond(self, side: int, price: int, bound: int) -> str:
        return (
            f"a {Side(side).verb} at {self.instrument.price_text(price)} would close your "
            f"position beyond its bankruptcy price {self.instrument.price_text(bound)}: "
            "the loss would exceed its margin"
        )

    def _take(self, account: Account, order_id: int, side: int, qty: int, limit: int | None) -> int:
        """Cross the spread; the taker's new position is told once, after all its fills."""
        taker = TraderOrder(self.accounts, account, order_id, self.instrument.taker_fee)
        left, filled = self.matching.take(taker, side, qty, limit)
        if filled:
            tape = self.tape
            tape.emit(
                PositionChanged(tape.time, account.id, account.lots, account.cost, taker.realized)
            )
            if account.reduce_only_ids:
                self.matching.trim_reduce_only(account)
        return left

    def _margin_problem(
        self,
        account: Account,
        qty: int,
        price: int,
        exposure: int,
        order_margin: int,
        available: int | None = None,
    ) -> str | None:
        """Why an order that opens ``exposure`` lots cannot be afforded, or None
        (``available``: the account's, when the caller knows it)."""
        instrument = self.instrument
        cv = instrument.contract_value
        notional = exposure * price * cv
        if notional < self._first_tier_below:
            allowed = instrument.tiers[0].max_leverage
        else:
            allowed = instrument.tier_for(notional).max_leverage
        if account.leverage > allowed:
            return (
                f"leverage {account.leverage}x is above the {allowed}x maximum for a position "
                f"of {instrument.money_text(notional)} notional"
            )
        fee = -(-qty * price * cv * instrument.taker_fee // PPM)  # the taker fee, rounded up
        needed = order_margin + fee
        if available is None:
            available = self.accounts.available(account)
        if needed > available:
            return (
                f"insufficient margin: the order needs {instrument.money_text(needed)}, "
                f"{instrument.money_text(max(available, 0))} available"
            )
        return None

    # -- cancelling --------------------------------------------------------------------

    def cancel(self, account: Account, order_id: int) -> Event:
        stop = self.stops.get(order_id)
        if stop is not None and stop.account == account.id:
            del self.stops[order_id]
            return self.tape.emit(
                OrderCancelled(self.tape.time, account.id, order_id, stop.qty, "cancelled")
            )
        if order_id not in account.order_ids:
            return self.reject(account.id, f"unknown order {order_id}")
        return self.matching.cancel_resting(account, order_id, "cancelled")

    def cancel_all(self, account: Account, reason: str = "cancelled") -> list[Event]:
        """Every resting order, oldest first, then every waiting stop."""
        events = [
            self.matching.cancel_resting(account, order_id, reason)
            for order_id in sorted(account.order_ids)
        ]
        for order_id in [i for i, stop in self.stops.items() if stop.account == account.id]:
            stop = self.stops.pop(order_id)
            events.append(
                self.tape.emit(
                    OrderCancelled(self.tape.time, account.id, order_id, stop.qty, reason)
                )
            )
        return events

    def has_orders(self, account: Account) -> bool:
        return bool(account.order_ids) or any(s.account == account.id for s in self.stops.values())

    def stops_of(self, account_id: str) -> list[TriggerOrder]:
        return [stop for stop in self.stops.values() if stop.account == account_id]

    # -- stop and take-profit orders ---------------------------------------------------

    def add_stop(
        self,
        account: Account,
        side: int,
        qty: int,
        order_type: OrderType,
        trigger: int,
        source: TriggerSource,
        reduce_only: bool,
        price: int | None = None,
    ) -> Event:
        """A stop that waits for its trigger; one the price has already passed is refused,
        as the venues refuse it (a buy take-profit above the market would be a market
        buy in disguise)."""
        stop = TriggerOrder(
            0, account.id, side, qty, order_type, trigger, source, reduce_only, price
        )
        passed = self._passed(stop)
        if passed:
            return self.reject(account.id, passed, side, order_type)
        return self._wait(account, stop)

    def protect(
        self,
        account: Account,
        take_profit: int | None,
        stop_loss: int | None,
        source: TriggerSource,
    ) -> list[Event]:
        """The position's TP/SL: a reduce-only take-profit and stop-loss for the whole
        position, each cancelling the other when it fires, both cancelled when the
        position closes. They replace the ones set before; none given clears them."""
        if not account.lots:
            return [self.reject(account.id, "no position: a TP/SL is set on an open position")]
        side, qty = -account.side, abs(account.lots)
        halves = [
            TriggerOrder(0, account.id, side, qty, kind, trigger, source, True, None, True)
            for kind, trigger in (
                (OrderType.TAKE_PROFIT, take_profit),
                (OrderType.STOP_MARKET, stop_loss),
            )
            if trigger is not None
        ]
        for stop in halves:
            passed = self._passed(stop)
            if passed:
                return [self.reject(account.id, passed, side, stop.kind)]
        events = [
            self._drop(stop, "replaced by the new TP/SL")
            for stop in self.stops_of(account.id)
            if stop.whole
        ]
        events += [self._wait(account, stop) for stop in halves]
        if len(halves) == 2:
            halves[0].linked, halves[1].linked = halves[1].id, halves[0].id
        return events

    def _passed(self, stop: TriggerOrder) -> str | None:
        """Why a stop would fire the moment it is placed, or None."""
        now = self.prices.mark if stop.source is TriggerSource.MARK else self.prices.last
        if now is None or not stop.fires_at(now):
            return None
        i = self.instrument
        return (
            f"would trigger immediately: the {stop.source} is already past "
            f"{_grouped(i, stop.trigger)} (it is {_grouped(i, now)})"
        )

    def _wait(self, account: Account, stop: TriggerOrder) -> Event:
        stop.id = order_id = self.matching.new_order_id()
        self.stops[order_id] = stop
        return self.tape.emit(
            OrderAccepted(
                self.tape.time,
                account.id,
                order_id,
                stop.side,
                stop.kind,
                stop.qty,
                stop.price,
                stop.reduce_only,
                stop.trigger,
            )
        )

    def _drop(self, stop: TriggerOrder, reason: str) -> Event:
        del self.stops[stop.id]
        return self.tape.emit(
            OrderCancelled(self.tape.time, stop.account, stop.id, stop.qty, reason)
        )

    def drop_stale_stops(self) -> None:
        """Reduce-only stops whose position has closed (or turned to the other side) are
        cancelled at once, as the venues cancel a position's TP/SL when it closes: left
        waiting, one would fire later against a position it was never meant for."""
        accounts = self.accounts
        stale = [
            stop
            for stop in self.stops.values()
            if stop.reduce_only and accounts[stop.account].side != -stop.side
        ]
        for stop in stale:
            flat = not accounts[stop.account].lots
            self._drop(stop, "position closed" if flat else "reduce-only order no longer reduces")

    def fire_stops(self) -> None:
        """Stops whose trigger the mark or last price has reached enter as market orders (a
        stop-limit as a limit at its price)."""
        if not self.stops:
            return
        tape = self.tape
        prices = {TriggerSource.MARK: self.prices.mark, TriggerSource.LAST: self.prices.last}
        fired = [
            s
            for s in self.stops.values()
            if prices[s.source] is not None and s.fires_at(prices[s.source])
        ]
        for stop in fired:
            if stop.id not in self.stops:  # the other half of a TP/SL that fired first
                continue
            del self.stops[stop.id]
            account = self.accounts[stop.account]
            tape.emit(
                OrderTriggered(tape.time, stop.account, stop.id, stop.trigger, prices[stop.source])
            )
            partner = self.stops.get(stop.linked)
            if partner is not None:
                self._drop(partner, "the other half of the TP/SL fired")
            if stop.reduce_only and (account.lots == 0 or account.side == stop.side):
                tape.emit(
                    OrderCancelled(
                        tape.time,
                        stop.account,
                        stop.id,
                        stop.qty,
                        "reduce-only order would increase the position",
                    )
                )
                continue
            qty = abs(account.lots) if stop.whole else stop.qty
            kind = OrderType.MARKET if stop.price is None else OrderType.LIMIT
            self.place(account, stop.side, qty, stop.price, kind, stop.reduce_only, stop.id)


def _grouped(instrument: Instrument, ticks: int) -> str:
    """A price for a reason, with thousands separators: ``50,300.0``."""
    return f"{ticks * instrument.tick_size:,.{instrument.price_decimals}f}"
