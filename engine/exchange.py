"""The exchange: accounts, orders, fills, funding and the step pipeline; its public API.

Commands (``open_account``, ``submit``, ``cancel``, ``set_leverage`` …) never raise
for a user's mistake: they return an event, a rejection carrying a plain reason
when the command cannot be done. ``advance`` runs one engine step (SPEC §5 order):
index → mark → funding (if due) → triggers → liquidation → ADL → lights → events.
Readers get frozen views; nothing outside this package touches the live state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from engine import margin
from engine.adl import AdlPrice, RankingPolicy
from engine.book import OrderBook
from engine.events import (
    Deposit,
    Event,
    FundingPayment,
    FundingSettled,
    InsuranceFundChanged,
    OrderAccepted,
    OrderCancelled,
    OrderRejected,
    OrderTriggered,
    PositionChanged,
    SettingChanged,
    Trade,
)
from engine.instrument import Instrument
from engine.insurance import FundWatch, TriggerPolicy
from engine.ledger import (
    EXTERNAL,
    FEE_POOL,
    FUNDING_POOL,
    INSURANCE_FUND,
    SETTLEMENT,
    Ledger,
    isolated_key,
    wallet_key,
)
from engine.liquidation import LiquidationIndex, Liquidator
from engine.orders import (
    RESTING_TYPES,
    TRIGGERED_TYPES,
    Order,
    OrderType,
    TriggerOrder,
    TriggerSource,
    side_name,
)
from engine.pricing import MarkPolicy, PriceState
from engine.units import PPM, SECOND, UnitError, ceil_div
from engine.views import (
    AccountView,
    BookView,
    LedgerTotals,
    MarketView,
    OrderView,
    PositionView,
)
from engine.waterfall import LossPolicy, Waterfall


class MarginMode(StrEnum):
    CROSS = "cross"
    ISOLATED = "isolated"


@dataclass(frozen=True, slots=True)
class ExchangeConfig:
    mark_policy: MarkPolicy = MarkPolicy.MEDIAN
    start_time: int = 0
    seed: int = 0
    insurance_fund: int = 0  # money units the fund starts with
    default_leverage: int = 20
    trigger_policy: TriggerPolicy = TriggerPolicy.FUND_EXHAUSTED
    drawdown: int = 300_000  # ppm below the trailing 8 h peak (fund_drawdown)
    ranking: RankingPolicy = RankingPolicy.BITMEX
    adl_price: AdlPrice = AdlPrice.BANKRUPTCY
    loss_policy: LossPolicy = LossPolicy.ADL
    liquidation_band: int = 50_000  # ppm beyond the bankruptcy price the fund may aggress
    lights_every: int = 10 * SECOND  # ADL ranks and lights are recomputed this often
    stepwise_liquidation: bool = False  # cut positions above tier 1 a tier at a time


class Account:
    """A trader's live state on the one instrument: settings, position, order bookkeeping."""

    __slots__ = (
        "id",
        "wallet",
        "isolated",
        "mode",
        "leverage",
        "lots",
        "cost",
        "opened_at",
        "open_buy",
        "open_sell",
        "reserved",
        "order_ids",
        "reduce_only_ids",
        "bankrupt",
        "margin_key",
        "fee_keys",
    )

    def __init__(self, account_id: str, mode: MarginMode, leverage: int) -> None:
        self.id = account_id
        self.wallet = wallet_key(account_id)
        self.isolated = isolated_key(account_id)
        self.set_mode(mode)
        self.leverage = leverage
        self.lots = 0  # signed: + long, − short
        self.cost = 0  # cost basis of the open part, lot·ticks, ≥ 0
        self.opened_at = 0
        self.open_buy = 0  # resting lots that could open or add (not reduce-only)
        self.open_sell = 0
        self.reserved = 0  # initial margin held by resting orders
        self.order_ids: set[int] = set()
        self.reduce_only_ids: set[int] = set()
        self.bankrupt = False

    @property
    def side(self) -> int:
        return (self.lots > 0) - (self.lots < 0)

    def set_mode(self, mode: MarginMode) -> None:
        """Switch margin mode; the ledger keys that follow from it are fixed here, once.

        ``margin_key`` is the account behind the position: losses and funding are drawn
        from it alone, so an isolated position never loses more than its margin.
        ``fee_keys``: fees come from the wallet, then (isolated) the position's margin.
        """
        self.mode = mode
        if mode is MarginMode.ISOLATED:
            self.margin_key = self.isolated
            self.fee_keys = (self.wallet, self.isolated)
        else:
            self.margin_key = self.wallet
            self.fee_keys = (self.wallet,)


class Exchange(Waterfall):
    def __init__(self, instrument: Instrument, config: ExchangeConfig | None = None) -> None:
        self.instrument = instrument
        self.config = config or ExchangeConfig()
        self.random = random.Random(self.config.seed)
        self.time = self.config.start_time
        self.steps = 0
        self.book = OrderBook()
        self.ledger = Ledger()
        self.prices = PriceState(instrument, self.config.mark_policy, self.time)
        self.accounts: dict[str, Account] = {}
        self.positions: dict[str, Account] = {}  # accounts holding a position
        self.triggers: dict[int, TriggerOrder] = {}
        self._events: list[Event] = []
        self._next_order_id = 1
        self.fund_in = 0  # gross money the insurance fund has received
        self.fund_out = 0  # gross money it has paid
        self._cv = instrument.contract_value
        self.liq_index = LiquidationIndex()
        self.liquidator = Liquidator()
        self.fund_watch = FundWatch(self.config.trigger_policy, self.config.drawdown)
        self._init_waterfall()
        if self.config.insurance_fund:
            self.ledger.deposit(INSURANCE_FUND, self.config.insurance_fund)

    # == events ======================================================================

    def drain_events(self) -> list[Event]:
        """Events emitted since the last drain, oldest first."""
        events, self._events = self._events, []
        return events

    def _emit(self, event: Event) -> Event:
        self._events.append(event)
        return event

    # == accounts ====================================================================

    def open_account(
        self,
        account_id: str,
        deposit: int = 0,
        mode: MarginMode | str = MarginMode.CROSS,
        leverage: int | None = None,
    ) -> Event:
        if not isinstance(account_id, str) or not account_id.strip():
            return self._reject(str(account_id), "an account needs a non-empty name")
        if account_id in self.accounts:
            return self._reject(account_id, f"account {account_id!r} already exists")
        try:
            mode = MarginMode(mode)
        except ValueError:
            return self._reject(account_id, f"margin mode {mode!r} is not cross or isolated")
        leverage = self.config.default_leverage if leverage is None else leverage
        if (
            not isinstance(leverage, int)
            or not 1 <= leverage <= self.instrument.tiers[0].max_leverage
        ):
            return self._reject(
                account_id,
                f"leverage {leverage!r} is not between 1 and "
                f"{self.instrument.tiers[0].max_leverage}",
            )
        account = self.accounts[account_id] = Account(account_id, mode, leverage)
        self.ledger.open(account.wallet)
        self.ledger.open(account.isolated)
        return self.deposit(account_id, deposit)

    def deposit(self, account_id: str, amount: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._reject(account_id, f"unknown account {account_id!r}")
        if not isinstance(amount, int) or amount < 0:
            return self._reject(account_id, "a deposit must be a positive amount")
        self.ledger.deposit(account.wallet, amount)
        self._dirty.add(account_id)
        return self._emit(Deposit(self.time, account_id, amount))

    def set_leverage(self, account_id: str, leverage: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._reject(account_id, f"unknown account {account_id!r}")
        if not isinstance(leverage, int) or leverage < 1:
            return self._reject(account_id, f"leverage {leverage!r} must be a whole number ≥ 1")
        exposure = max(abs(account.lots) + account.open_buy, abs(account.lots) + account.open_sell)
        notional = self.instrument.notional(exposure, self.prices.mark or 1)
        allowed = margin.max_leverage(self.instrument, notional)
        if leverage > allowed:
            return self._reject(
                account_id,
                f"leverage {leverage}x is above the {allowed}x maximum for a position of "
                f"{self.instrument.money_text(notional)} notional",
            )
        account.leverage = leverage
        return self._emit(SettingChanged(self.time, account_id, "leverage", str(leverage)))

    def set_margin_mode(self, account_id: str, mode: MarginMode | str) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._reject(account_id, f"unknown account {account_id!r}")
        try:
            mode = MarginMode(mode)
        except ValueError:
            return self._reject(account_id, f"margin mode {mode!r} is not cross or isolated")
        if account.lots or account.order_ids:
            return self._reject(
                account_id, "close the position and cancel open orders before switching margin mode"
            )
        account.set_mode(mode)
        return self._emit(SettingChanged(self.time, account_id, "margin_mode", mode.value))

    def configure(self, **changes: str) -> Event:
        """Switch a market policy while running (ADL ranking, ADL price, trigger, loss
        policy, mark policy): what the sandbox lets a user compare live."""
        converters = {
            "ranking": RankingPolicy,
            "adl_price": AdlPrice,
            "trigger_policy": TriggerPolicy,
            "loss_policy": LossPolicy,
            "mark_policy": MarkPolicy,
        }
        for key, value in changes.items():
            if key not in converters:
                return self._reject("market", f"unknown setting {key!r}")
            try:
                converters[key](value)
            except ValueError:
                names = ", ".join(v.value for v in converters[key])
                return self._reject("market", f"{value!r} is not a {key}: choose {names}")
        config = replace(self.config, **{k: converters[k](v) for k, v in changes.items()})
        self.config = config
        self.prices.policy = config.mark_policy
        self.fund_watch.policy = config.trigger_policy
        self._next_lights = self.time  # relight under the new ranking at the next step
        text = ", ".join(f"{k}={v}" for k, v in changes.items())
        return self._emit(SettingChanged(self.time, "market", "policy", text))

    # == orders ======================================================================

    def submit(
        self,
        account_id: str,
        side: int | str,
        qty: int | str,
        price: int | str | None = None,
        order_type: OrderType | str = OrderType.LIMIT,
        reduce_only: bool = False,
        trigger: int | str | None = None,
        trigger_source: TriggerSource | str = TriggerSource.MARK,
    ) -> Event:
        """Place an order. Sizes and prices are lots and ticks (ints), or decimal text in
        base and quote units, which must sit on the lot and tick grids."""
        account = self.accounts.get(account_id)
        if account is None:
            return self._reject(account_id, f"unknown account {account_id!r}")
        try:  # engine types pass straight through; text is checked against the grids
            if order_type.__class__ is not OrderType:
                order_type = OrderType(order_type)
            if side != 1 and side != -1:
                side = _parse_side(side)
            if qty.__class__ is not int or qty <= 0:
                qty = self._lots(qty)
            if price is not None and (price.__class__ is not int or price <= 0):
                price = self._ticks(price)
            if trigger is not None:
                trigger = self._ticks(trigger, "trigger price")
                trigger_source = TriggerSource(trigger_source)
        except (UnitError, ValueError) as error:
            return self._reject(account_id, _reason(error), side_of(side), str(order_type))
        if order_type is OrderType.MARKET:
            price = None
        elif order_type in TRIGGERED_TYPES:
            if trigger is None:
                return self._reject(
                    account_id, f"a {order_type} order needs a trigger price", side, order_type
                )
            price = None
        elif price is None:
            return self._reject(account_id, f"a {order_type} order needs a price", side, order_type)
        if reduce_only and (account.lots == 0 or account.side == side):
            return self._reject(
                account_id, "reduce-only order would increase the position", side, order_type
            )
        if order_type in TRIGGERED_TYPES:
            return self._add_trigger(
                account, side, qty, order_type, trigger, trigger_source, reduce_only
            )
        return self._place(account, side, qty, price, order_type, reduce_only)

    def cancel(self, account_id: str, order_id: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._reject(account_id, f"unknown account {account_id!r}")
        if order_id in self.triggers and self.triggers[order_id].account == account_id:
            stop = self.triggers.pop(order_id)
            return self._emit(
                OrderCancelled(self.time, account_id, order_id, stop.qty, "cancelled")
            )
        if order_id not in account.order_ids:
            return self._reject(account_id, f"unknown order {order_id}")
        return self._cancel_resting(account, order_id, "cancelled")

    def cancel_all(self, account_id: str, reason: str = "cancelled") -> list[Event]:
        account = self.accounts.get(account_id)
        if account is None:
            return [self._reject(account_id, f"unknown account {account_id!r}")]
        events = [self._cancel_resting(account, oid, reason) for oid in sorted(account.order_ids)]
        for order_id in [i for i, t in self.triggers.items() if t.account == account_id]:
            stop = self.triggers.pop(order_id)
            events.append(
                self._emit(OrderCancelled(self.time, account_id, order_id, stop.qty, reason))
            )
        return events

    def _place(
        self,
        account: Account,
        side: int,
        qty: int,
        price: int | None,
        order_type: OrderType,
        reduce_only: bool,
        order_id: int | None = None,
    ) -> Event:
        book = self.book
        best_opposite = book.best_ask() if side > 0 else book.best_bid()
        if (
            order_type is OrderType.POST_ONLY
            and best_opposite is not None
            and (price >= best_opposite if side > 0 else price <= best_opposite)
        ):
            return self._reject(
                account.id,
                f"post-only order would cross the book (best {'ask' if side > 0 else 'bid'} "
                f"{self.instrument.price_text(best_opposite)})",
                side,
                order_type,
            )
        if order_type is OrderType.MARKET and best_opposite is None:
            return self._reject(
                account.id,
                f"no {'asks' if side > 0 else 'bids'} on the book for a market {side_name(side)}",
                side,
                order_type,
            )
        order_margin = 0
        if reduce_only:
            qty = min(qty, abs(account.lots))
        else:
            reference = price if price is not None else best_opposite
            opening, exposure, order_margin = self._order_margin(account, side, qty, reference)
            if opening:
                reason = self._margin_problem(account, qty, reference, exposure, order_margin)
                if reason:
                    return self._reject(account.id, reason, side, order_type)
        if order_id is None:
            order_id = self._next_order_id
            self._next_order_id += 1
        accepted = self._emit(
            OrderAccepted(
                self.time, account.id, order_id, side, order_type, qty, price, reduce_only
            )
        )
        left = qty
        if best_opposite is not None and (
            price is None or (price >= best_opposite if side > 0 else price <= best_opposite)
        ):
            left = self._take(account, order_id, side, qty, price)
        if left and order_type in RESTING_TYPES and (not reduce_only or account.side == -side):
            if left != qty and not reduce_only:  # the fills changed what the rest would open
                order_margin = self._order_margin(account, side, left, price)[2]
            order = Order(order_id, account.id, side, price, left, reduce_only)
            order.margin = order_margin
            self._rest(account, order)
        elif left:
            why = "no more liquidity" if order_type is OrderType.MARKET else "unfilled rest of IOC"
            if reduce_only and order_type in RESTING_TYPES:
                why = "reduce-only rest no longer reduces"
            self._emit(OrderCancelled(self.time, account.id, order_id, left, why))
        return accepted

    def _margin_problem(
        self, account: Account, qty: int, price: int, exposure: int, order_margin: int
    ) -> str | None:
        """Why an order that opens ``exposure`` lots cannot be afforded, or None."""
        notional = exposure * price * self._cv
        allowed = self.instrument.tier_for(notional).max_leverage
        if account.leverage > allowed:
            return (
                f"leverage {account.leverage}x is above the {allowed}x maximum for a position "
                f"of {self.instrument.money_text(notional)} notional"
            )
        needed = order_margin + ceil_div(qty * price * self._cv * self.instrument.taker_fee, PPM)
        available = self.available(account)
        if needed > available:
            return (
                f"insufficient margin: the order needs {self.instrument.money_text(needed)}, "
                f"{self.instrument.money_text(max(available, 0))} available"
            )
        return None

    def _order_margin(
        self, account: Account, side: int, qty: int, price: int
    ) -> tuple[int, int, int]:
        """(opening lots, exposure after, initial margin + open loss) of an order, after the
        account's position and its other resting orders on the same side: only the part
        that opens or adds to a position needs margin."""
        signed = account.lots * side + (account.open_buy if side > 0 else account.open_sell)
        after = signed + qty
        if after <= 0:
            return 0, 0, 0
        opening = after - signed if signed > 0 else after
        cv = self._cv
        mark = self.prices.mark or price
        initial = -(-opening * price * cv // account.leverage)
        loss = side * (price - mark)
        return opening, after, initial + (loss * opening * cv if loss > 0 else 0)

    def available(self, account: Account) -> int:
        """Money free for new orders: cross = wallet + uPnL − position IM − order margin;
        isolated = wallet − order margin (the position's margin is set aside)."""
        wallet = self.ledger.balances[account.wallet]
        if account.mode is MarginMode.ISOLATED or not account.lots:
            return wallet - account.reserved
        mark = self.prices.mark
        lots = abs(account.lots)
        upnl = margin.unrealized_pnl(account.side, lots, account.cost, mark, self._cv)
        position_im = margin.initial_margin(lots * mark * self._cv, account.leverage)
        return wallet + upnl - position_im - account.reserved

    def _rest(self, account: Account, order: Order) -> None:
        if order.reduce_only:
            account.reduce_only_ids.add(order.id)
        else:
            if order.side > 0:
                account.open_buy += order.qty
            else:
                account.open_sell += order.qty
            account.reserved += order.margin
        account.order_ids.add(order.id)
        self.book.add(order)
        if order.reduce_only:
            self._trim_reduce_only(account)

    def _cancel_resting(self, account: Account, order_id: int, reason: str) -> Event:
        order, unfilled = self.book.cancel(order_id)
        self._forget(account, order, unfilled)
        return self._emit(OrderCancelled(self.time, account.id, order_id, unfilled, reason))

    def _forget(self, account: Account, order: Order, unfilled: int) -> None:
        """Drop a resting order's bookkeeping once it has left the book."""
        account.order_ids.discard(order.id)
        account.reduce_only_ids.discard(order.id)
        if not order.reduce_only:
            if order.side > 0:
                account.open_buy -= unfilled
            else:
                account.open_sell -= unfilled
            account.reserved -= order.margin
            order.margin = 0

    def _maker_filled(self, account: Account, order: Order, lots: int) -> None:
        """A resting order traded ``lots``: release that share of its reserved margin."""
        if order.qty == 0:
            self._forget(account, order, lots)
            return
        if not order.reduce_only:
            release = order.margin * lots // (order.qty + lots)
            order.margin -= release
            account.reserved -= release
            if order.side > 0:
                account.open_buy -= lots
            else:
                account.open_sell -= lots

    # == matching and settlement =====================================================

    def _take(self, taker: Account, order_id: int, side: int, qty: int, limit: int | None) -> int:
        """Match an aggressor against the book; settle every fill. Returns unfilled lots."""
        fills, left, stp = self.book.match(side, qty, limit, taker.id)
        for order, unfilled in stp:
            self._forget(taker, order, unfilled)
            self._emit(
                OrderCancelled(self.time, taker.id, order.id, unfilled, "self-trade prevention")
            )
        if not fills:
            return left
        accounts, cv, emit, time = self.accounts, self._cv, self._events.append, self.time
        taker_rate, maker_rate = self.instrument.taker_fee, self.instrument.maker_fee
        realized_total = 0
        for maker_order, lots, price in fills:
            maker = accounts[maker_order.account]
            self._maker_filled(maker, maker_order, lots)
            value = lots * price * cv
            taker_realized, taker_fee = self._fill(
                taker, side, lots, price, -(-value * taker_rate // PPM)
            )
            maker_realized, maker_fee = self._fill(
                maker, -side, lots, price, -(-value * maker_rate // PPM)
            )
            realized_total += taker_realized
            emit(
                Trade(
                    time,
                    taker.id,
                    maker.id,
                    order_id,
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
                self._trim_reduce_only(maker)
        self.prices.last = fills[-1][2]
        emit(PositionChanged(time, taker.id, taker.lots, taker.cost, realized_total))
        if taker.reduce_only_ids:
            self._trim_reduce_only(taker)
        return left

    def _fill(
        self, account: Account, side: int, lots: int, price: int, fee: int
    ) -> tuple[int, int]:
        """Apply one fill to an account's position and ledger. Returns (realized, fee paid).

        Opening adds qty·price to the cost basis; closing removes the closed share of
        the basis (rounded once) and realizes the difference through ``settlement``.
        """
        held = account.lots
        realized = 0
        if held and (held > 0) != (side > 0):
            closing = min(lots, abs(held))
            realized = self._close(account, closing, price)
            lots -= closing
        if lots:
            self._open(account, side, lots, price)
        unpaid = self.ledger.draw(account.fee_keys, FEE_POOL, fee)
        self._dirty.add(account.id)
        if account.lots:
            self.positions[account.id] = account
        else:
            self.positions.pop(account.id, None)
            self._release_isolated(account)
        return realized, fee - unpaid

    def _open(self, account: Account, side: int, lots: int, price: int) -> None:
        if not account.lots:
            account.opened_at = self.time
        account.lots += side * lots
        account.cost += lots * price
        if account.mode is MarginMode.ISOLATED:
            initial = margin.initial_margin(lots * price * self._cv, account.leverage)
            self.ledger.draw((account.wallet,), account.isolated, initial)

    def _close(self, account: Account, closing: int, price: int) -> int:
        held = abs(account.lots)
        position_side = 1 if account.lots > 0 else -1
        removed = account.cost if closing == held else account.cost * closing // held
        realized = position_side * (closing * price - removed) * self._cv
        account.cost -= removed
        account.lots -= position_side * closing
        ledger = self.ledger
        self._settle_pnl(account, realized)
        if account.mode is MarginMode.ISOLATED:
            if account.lots:
                share = ledger.balances[account.isolated] * closing // held
                ledger.transfer(account.isolated, account.wallet, max(share, 0))
            else:
                self._release_isolated(account)
        return realized

    def _release_isolated(self, account: Account) -> None:
        rest = self.ledger.balances[account.isolated]
        if rest:
            self.ledger.transfer(account.isolated, account.wallet, rest)

    def _settle_pnl(self, account: Account, realized: int) -> None:
        """Realized PnL moves between ``settlement`` and the position's margin; a loss
        beyond that margin is bad debt, paid by the insurance fund."""
        if realized >= 0:
            self.ledger.transfer(SETTLEMENT, account.margin_key, realized)
            return
        unpaid = self.ledger.draw((account.margin_key,), SETTLEMENT, -realized)
        if unpaid:
            account.bankrupt = True
            self._fund_pays(SETTLEMENT, unpaid, f"bad debt of {account.id}")

    def _fund_flow(self, counterparty: str, amount: int) -> None:
        """Move money into the insurance fund (amount > 0) or out of it, keeping the gross
        totals: every fund movement after its initial deposit goes through here."""
        self.ledger.transfer(counterparty, INSURANCE_FUND, amount)
        if amount > 0:
            self.fund_in += amount
        else:
            self.fund_out -= amount

    def _fund_pays(self, destination: str, amount: int, reason: str) -> None:
        self._fund_flow(destination, -amount)
        self._emit(
            InsuranceFundChanged(self.time, self.ledger.balances[INSURANCE_FUND], -amount, reason)
        )

    def _trim_reduce_only(self, account: Account) -> None:
        """Cancel reduce-only orders that no longer reduce; the oldest keep their place."""
        room = abs(account.lots)
        for order_id in sorted(account.reduce_only_ids):
            order = self.book.orders[order_id]
            if account.side != -order.side or order.qty > room:
                self._cancel_resting(account, order_id, "reduce-only order no longer reduces")
            else:
                room -= order.qty

    # == stop and take-profit orders ==================================================

    def _add_trigger(self, account, side, qty, order_type, trigger, source, reduce_only) -> Event:
        order_id = self._next_order_id
        self._next_order_id += 1
        self.triggers[order_id] = TriggerOrder(
            order_id, account.id, side, qty, order_type, trigger, source, reduce_only
        )
        return self._emit(
            OrderAccepted(
                self.time, account.id, order_id, side, order_type, qty, None, reduce_only, trigger
            )
        )

    def _fire_triggers(self) -> None:
        if not self.triggers:
            return
        prices = {TriggerSource.MARK: self.prices.mark, TriggerSource.LAST: self.prices.last}
        fired = [
            t
            for t in self.triggers.values()
            if prices[t.source] is not None and t.fires_at(prices[t.source])
        ]
        for stop in fired:
            del self.triggers[stop.id]
            account = self.accounts[stop.account]
            self._emit(
                OrderTriggered(self.time, stop.account, stop.id, stop.trigger, prices[stop.source])
            )
            if stop.reduce_only and (account.lots == 0 or account.side == stop.side):
                self._emit(
                    OrderCancelled(
                        self.time,
                        stop.account,
                        stop.id,
                        stop.qty,
                        "reduce-only order would increase the position",
                    )
                )
                continue
            self._place(
                account, stop.side, stop.qty, None, OrderType.MARKET, stop.reduce_only, stop.id
            )

    # == the step pipeline ===========================================================

    def advance(self, time: int, index: int) -> None:
        """One engine step at simulated ``time`` with a new index price (ticks)."""
        if time < self.time:
            raise ValueError(f"time went backwards: {time} < {self.time}")
        if index <= 0:
            raise ValueError(f"index price must be positive, got {index}")
        self.time = time
        self.steps += 1
        self.prices.update(time, index, self.book)
        if self.prices.funding_due(time):
            self._settle_funding()
        self._fire_triggers()
        self._run_waterfall()

    def _settle_funding(self) -> None:
        """Longs pay shorts when F > 0: notional at mark × F, rounded toward the exchange
        (payers round up, receivers down); the residual goes to the insurance fund."""
        rate, premium = self.prices.close_funding_interval(self.time)
        mark, cv, ledger = self.prices.mark, self._cv, self.ledger
        paid = received = 0
        if rate:
            payer_side = 1 if rate > 0 else -1
            holders = sorted(self.positions.values(), key=lambda a: a.side != payer_side)
            for account in holders:
                self._dirty.add(account.id)
                exact = abs(account.lots) * mark * cv * abs(rate)
                if account.side == payer_side:
                    amount = ceil_div(exact, PPM)
                    unpaid = ledger.draw((account.margin_key,), FUNDING_POOL, amount)
                    if unpaid:
                        account.bankrupt = True
                        self._fund_pays(FUNDING_POOL, unpaid, f"funding unpaid by {account.id}")
                    paid += amount
                    self._emit(FundingPayment(self.time, account.id, -amount))
                else:
                    amount = exact // PPM
                    ledger.transfer(FUNDING_POOL, account.margin_key, amount)
                    received += amount
                    self._emit(FundingPayment(self.time, account.id, amount))
        residual = ledger.balances[FUNDING_POOL]
        if residual:
            self._fund_flow(FUNDING_POOL, residual)
            self._emit(
                InsuranceFundChanged(
                    self.time, ledger.balances[INSURANCE_FUND], residual, "funding rounding"
                )
            )
        self._emit(FundingSettled(self.time, rate, premium, mark, paid, received, residual))

    # == cheap reads for simulated traders ============================================

    def position(self, account_id: str) -> tuple[int, int]:
        """(signed lots, cost basis in lot·ticks) of an account's position."""
        account = self.accounts[account_id]
        return account.lots, account.cost

    def balance(self, account_id: str) -> int:
        """The wallet, including any margin isolated in the position."""
        account = self.accounts[account_id]
        return self.ledger.balances[account.wallet] + self.ledger.balances[account.isolated]

    def resting_orders(self, account_id: str) -> int:
        return len(self.accounts[account_id].order_ids)

    def begin(self, time: int) -> None:
        """Move the clock to the step about to run: commands sent before ``advance`` (the
        simulated traders acting on the new index) carry its time."""
        if time < self.time:
            raise ValueError(f"time went backwards: {time} < {self.time}")
        self.time = time

    # == views =======================================================================

    def book_view(self, levels: int = 20, account_id: str | None = None) -> BookView:
        bids, asks = self.book.depth(levels)
        own = frozenset()
        account = self.accounts.get(account_id) if account_id else None
        if account:
            own = frozenset(self.book.orders[i].price for i in account.order_ids)
        return BookView(tuple(bids), tuple(asks), self.prices.last, own)

    def market_view(self) -> MarketView:
        long_lots = sum(a.lots for a in self.positions.values() if a.lots > 0)
        fund = self.ledger.balances[INSURANCE_FUND]
        return MarketView(
            time=self.time,
            index=self.prices.index,
            mark=self.prices.mark,
            last=self.prices.last,
            funding_rate=self.prices.predicted_rate(),
            next_funding=self.prices.next_funding,
            insurance_fund=fund,
            insurance_peak=self.fund_watch.peak(self.time, fund),
            open_interest=long_lots,
        )

    def account_view(self, account_id: str) -> AccountView | None:
        account = self.accounts.get(account_id)
        if account is None:
            return None
        balances = self.ledger.balances
        orders = [self.book.orders[i] for i in sorted(account.order_ids)]
        order_views = [
            OrderView(o.id, o.side, "limit", o.qty, o.price, o.reduce_only) for o in orders
        ]
        order_views += [
            OrderView(t.id, t.side, t.kind.value, t.qty, None, t.reduce_only, t.trigger)
            for t in self.triggers.values()
            if t.account == account_id
        ]
        return AccountView(
            id=account.id,
            mode=account.mode.value,
            leverage=account.leverage,
            wallet=balances[account.wallet] + balances[account.isolated],
            isolated_margin=balances[account.isolated],
            available=self.available(account),
            reserved=account.reserved,
            position=self.position_view(account) if account.lots else None,
            orders=tuple(order_views),
            bankrupt=account.bankrupt,
        )

    def collateral(self, account: Account) -> int:
        return self.ledger.balances[account.margin_key]

    def assess(self, account: Account) -> margin.Assessment:
        """The margin picture of an account's position at the current mark."""
        return margin.assess(
            self.instrument,
            account.side,
            abs(account.lots),
            account.cost,
            self.collateral(account),
            self.prices.mark,
        )

    def position_view(self, account: Account) -> PositionView:
        a = self.assess(account)
        light = self.light(account.id)
        return PositionView(
            side=account.side,
            lots=a.lots,
            cost=a.cost,
            entry=Fraction(a.cost, a.lots),
            mark=a.mark,
            notional=a.notional,
            leverage=account.leverage,
            mode=account.mode.value,
            margin=self.collateral(account),
            maintenance=a.maintenance,
            tier=a.tier.number,
            mmr=a.tier.mmr,
            equity=a.equity,
            ratio=a.ratio,
            unrealized=a.unrealized,
            liquidation_price=a.liquidation_price,
            bankruptcy_price=a.bankruptcy_price,
            opened_at=account.opened_at,
            initial_margin=margin.initial_margin(a.cost * self._cv, account.leverage),
            adl_rank=light.rank if light else None,
            adl_lights=light.lights if light else 0,
            adl_score=light.score if light else None,
        )

    def ledger_totals(self) -> LedgerTotals:
        balances, mark, cv = self.ledger.balances, self.prices.mark, self._cv
        wallets = sum(v for k, v in balances.items() if k.startswith(("wallet:", "isolated:")))
        unrealized = sum(
            margin.unrealized_pnl(a.side, abs(a.lots), a.cost, mark, cv)
            for a in self.positions.values()
        ) + self.liquidator.unrealized(mark, cv)
        liquidator_lots = self.liquidator.side * self.liquidator.lots
        return LedgerTotals(
            deposits=self.ledger.deposits,
            withdrawals=self.ledger.withdrawals,
            wallets=wallets,
            unrealized=unrealized,
            insurance_fund=balances[INSURANCE_FUND],
            fees=balances[FEE_POOL],
            settlement=balances[SETTLEMENT],
            funding_pool=balances[FUNDING_POOL],
            long_lots=sum(a.lots for a in self.positions.values() if a.lots > 0)
            + max(liquidator_lots, 0),
            short_lots=-sum(a.lots for a in self.positions.values() if a.lots < 0)
            + max(-liquidator_lots, 0),
        )

    def check_invariants(self) -> dict[str, bool]:
        """SPEC §1's invariants, exact to the unit."""
        totals = self.ledger_totals()
        balances = self.ledger.balances
        return {
            "conservation": totals.conserved,
            "ledger_sums_to_zero": self.ledger.total() == 0,
            "open_interest_balanced": totals.balanced,
            "no_negative_wallet": all(
                balances[a.wallet] >= 0 and balances[a.isolated] >= 0
                for a in self.accounts.values()
                if not a.bankrupt
            ),
            "external_matches_deposits": -balances[EXTERNAL]
            == totals.deposits - totals.withdrawals,
        }

    # == helpers =====================================================================

    def _reject(self, account_id: str, reason: str, side: int = 0, order_type: str = "") -> Event:
        return self._emit(OrderRejected(self.time, account_id, reason, side, str(order_type)))

    def _lots(self, qty: int | str) -> int:
        if isinstance(qty, int) and not isinstance(qty, bool):
            if qty <= 0:
                raise UnitError("size must be positive")
            return qty
        return self.instrument.lots(qty)

    def _ticks(self, price: int | str, what: str = "price") -> int:
        if isinstance(price, int) and not isinstance(price, bool):
            if price <= 0:
                raise UnitError(f"{what} must be positive")
            return price
        try:
            return self.instrument.ticks(price)
        except UnitError as error:
            raise UnitError(str(error).replace("price", what, 1)) from None


def _parse_side(side: int | str) -> int:
    if side in (1, -1):
        return side
    name = str(side).lower()
    if name in ("buy", "long", "b"):
        return 1
    if name in ("sell", "short", "s"):
        return -1
    raise ValueError(f"side {side!r} is not buy or sell")


def side_of(side: int | str) -> int:
    try:
        return _parse_side(side)
    except ValueError:
        return 0


def _reason(error: Exception) -> str:
    text = str(error)
    if text.startswith("'") and "is not a valid" in text:  # StrEnum's message
        return f"unknown order type {text.split(' is not')[0]}"
    return text
