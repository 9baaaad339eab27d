"""The exchange: a thin front over the parts that own its state; its public API.

Commands (``open_account``, ``submit``, ``cancel``, ``set_leverage`` …) never raise
for a user's mistake: they return an event, a rejection carrying a plain reason
when the command cannot be done. ``advance`` runs one engine step (SPEC §5 order):
index → mark → funding (if due) → stops → liquidation scan → liquidations → ADL →
lights. Readers get frozen views; nothing outside this package touches live state.

The parts, each the one owner of its state (ARCHITECTURE.md, "The exchange's parts"):
``accounts`` (money, positions, order bookkeeping, funding), ``matching`` (the book
and the one taker path), ``orders`` (order entry and stops), ``fund`` (the
insurance fund), ``liquidation`` (the scan and the backstop) and ``deleveraging``
(ADL, clawback, lights). They share the ledger, the prices and the tape of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from engine import audit, margin, venues
from engine.account_view import account_view
from engine.accounts import Accounts, MarginMode
from engine.adl_queue import LightView
from engine.counterfactual import AdlRecord, Counterfactual
from engine.deleveraging import Deleveraging
from engine.events import Deposit, Event, FeedEnded, SettingChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument
from engine.ledger import Ledger
from engine.liquidation import LiquidationEngine
from engine.margin_warnings import MarginWarnings
from engine.matching import Matching
from engine.order_entry import OrderEntry
from engine.orders import TRIGGERED_TYPES, OrderType, TriggerSource
from engine.policies import MarketSettings, PolicyError
from engine.pricing import PriceState
from engine.side import Side
from engine.slices import Slices, finish
from engine.tape import Tape
from engine.units import SECOND, UnitError
from engine.views import (
    AccountView,
    BookView,
    LedgerTotals,
    MarketView,
)

# Enum members bound once: ``OrderType.MARKET`` goes through ``EnumType.__getattr__``,
# which makes every such lookup on the class cost as much as a function call.
_MARKET, _STOP_LIMIT = OrderType.MARKET, OrderType.STOP_LIMIT


@dataclass(frozen=True, slots=True)
class ExchangeConfig:
    market: MarketSettings = field(default_factory=MarketSettings)
    start_time: int = 0
    seed: int = 0
    insurance_fund: int = 0  # money units the fund starts with
    default_leverage: int = 20
    lights_every: int = 10 * SECOND  # ADL ranks and lights are recomputed this often
    warnings: bool = True  # margin warnings told (a headless lab run reads none)


class Exchange:
    def __init__(self, instrument: Instrument, config: ExchangeConfig | None = None) -> None:
        self.instrument = instrument
        self.config = config = config or ExchangeConfig()
        market = config.market
        self.tape = tape = Tape(config.start_time)
        self.ledger = ledger = Ledger()
        funding = venues.funding_for(instrument, market.funding_rule)
        self.prices = prices = PriceState(
            instrument, market.mark_policy, config.start_time, funding
        )
        self.fund = fund = InsuranceFund(ledger, tape, market.trigger_policy, market.drawdown)
        self.accounts = accounts = Accounts(instrument, ledger, prices, fund, tape)
        self.matching = matching = Matching(instrument, accounts, prices, tape)
        self.orders = orders = OrderEntry(instrument, accounts, matching, prices, tape)
        self.deleveraging = Deleveraging(
            instrument,
            market,
            accounts,
            orders,
            fund,
            prices,
            tape,
            config.seed,
            config.lights_every,
        )
        warnings = MarginWarnings(instrument, accounts, prices, tape) if config.warnings else None
        self.liquidation = LiquidationEngine(
            instrument,
            market,
            accounts,
            matching,
            orders,
            fund,
            self.deleveraging,
            prices,
            tape,
            warnings,
        )
        if config.insurance_fund:
            fund.seed(config.insurance_fund)
        self.drain_events = tape.drain  # events since the last drain, oldest first

    @property
    def time(self) -> int:
        return self.tape.time

    @property
    def settings(self) -> MarketSettings:
        return self.config.market

    # == accounts ====================================================================

    def open_account(
        self,
        account_id: str,
        deposit: int = 0,
        mode: MarginMode | str = MarginMode.CROSS,
        leverage: int | None = None,
    ) -> Event:
        reject = self.orders.reject
        if not isinstance(account_id, str) or not account_id.strip():
            return reject(str(account_id), "an account needs a non-empty name")
        if account_id in self.accounts:
            return reject(account_id, f"account {account_id!r} already exists")
        try:
            mode = MarginMode(mode)
        except ValueError:
            return reject(account_id, f"margin mode {mode!r} is not cross or isolated")
        leverage = self.config.default_leverage if leverage is None else leverage
        top = self.instrument.tiers[0].max_leverage
        if not isinstance(leverage, int) or not 1 <= leverage <= top:
            return reject(account_id, f"leverage {leverage!r} is not between 1 and {top}")
        self.accounts.open(account_id, mode, leverage)
        return self.deposit(account_id, deposit)

    def deposit(self, account_id: str, amount: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._unknown(account_id)
        if not isinstance(amount, int) or amount < 0:
            return self.orders.reject(account_id, "a deposit must be a positive amount")
        self.accounts.deposit(account, amount)
        return self.tape.emit(Deposit(self.time, account_id, amount))

    def set_leverage(self, account_id: str, leverage: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._unknown(account_id)
        if not isinstance(leverage, int) or leverage < 1:
            return self.orders.reject(
                account_id, f"leverage {leverage!r} must be a whole number ≥ 1"
            )
        exposure = max(abs(account.lots) + account.open_buy, abs(account.lots) + account.open_sell)
        notional = self.instrument.notional(exposure, self.prices.mark or 1)
        allowed = margin.max_leverage(self.instrument, notional)
        if leverage > allowed:
            return self.orders.reject(
                account_id,
                f"leverage {leverage}x is above the {allowed}x maximum for a position of "
                f"{self.instrument.money_text(notional)} notional",
            )
        account.leverage = leverage
        return self.tape.emit(SettingChanged(self.time, account_id, "leverage", str(leverage)))

    def set_margin_mode(self, account_id: str, mode: MarginMode | str) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._unknown(account_id)
        try:
            mode = MarginMode(mode)
        except ValueError:
            return self.orders.reject(account_id, f"margin mode {mode!r} is not cross or isolated")
        if account.lots or account.order_ids:
            return self.orders.reject(
                account_id, "close the position and cancel open orders before switching margin mode"
            )
        account.set_mode(mode)
        return self.tape.emit(SettingChanged(self.time, account_id, "margin_mode", mode.value))

    def configure(self, **changes: str) -> Event:
        """Switch market policies while running (ADL ranking, ADL price, trigger, loss
        policy, mark policy): what the sandbox lets a user compare live."""
        try:
            market = venues.switch(self.config.market, **changes)
        except PolicyError as error:
            return self.orders.reject("market", str(error))
        self.use_market(market)
        self.deleveraging.queue.refresh_soon(self.time)  # relight under the new ranking
        text = ", ".join(f"{k}={v}" for k, v in changes.items())
        return self.tape.emit(SettingChanged(self.time, "market", "policy", text))

    def use_market(self, market: MarketSettings) -> None:
        """Put ``market`` in force, in every part that keeps a policy of it; nothing is
        told and nothing relit (``configure`` does both)."""
        self.config = replace(self.config, market=market)
        self.prices.policy = market.mark_policy
        self.prices.funding = venues.funding_for(self.instrument, market.funding_rule)
        self.fund.policy, self.fund.drawdown = market.trigger_policy, market.drawdown
        self.liquidation.settings = self.deleveraging.settings = market

    def seed_positions(self, declared: list[tuple[str, int, int, int]]) -> None:
        """Positions a scripted scenario declares, as (account, side, lots, entry ticks),
        opened before the first step (see ``Accounts.seed``)."""
        self.accounts.seed(declared)

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
            return self._unknown(account_id)
        reject = self.orders.reject
        try:  # engine types pass straight through; text is checked against the grids
            if order_type.__class__ is not OrderType:
                order_type = OrderType(order_type)
            if side != 1 and side != -1:
                side = int(Side.parse(side))
            if qty.__class__ is not int or qty <= 0:
                qty = self._lots(qty)
            if price is not None and (price.__class__ is not int or price <= 0):
                price = self._ticks(price)
            if trigger is not None:
                trigger = self._ticks(trigger, "trigger price")
                trigger_source = TriggerSource(trigger_source)
        except (UnitError, ValueError) as error:
            return reject(account_id, _reason(error), _side_or_zero(side), str(order_type))
        triggered = order_type in TRIGGERED_TYPES
        if order_type is _MARKET:
            price = None
        elif triggered:
            if trigger is None:
                return reject(
                    account_id, f"a {order_type} order needs a trigger price", side, order_type
                )
            if order_type is not _STOP_LIMIT:
                price = None
            elif price is None:
                return reject(
                    account_id, "a stop_limit order needs a limit price", side, order_type
                )
        elif price is None:
            return reject(account_id, f"a {order_type} order needs a price", side, order_type)
        if reduce_only and account.lots * side >= 0:  # flat, or on the order's side
            return reject(
                account_id, "reduce-only order would increase the position", side, order_type
            )
        if triggered:
            return self.orders.add_stop(
                account, side, qty, order_type, trigger, trigger_source, reduce_only, price
            )
        placed = self.orders.place(account, side, qty, price, order_type, reduce_only)
        if self.orders.stops:  # the fills may have closed a position its stops were for
            self.orders.drop_stale_stops()
        return placed

    def requote(self, account_id: str, quotes: Iterable[tuple[int, int, int]]) -> int:
        """Cancel every resting order of the account and place each quote (side, lots,
        ticks) post-only: ``cancel_all`` and a ``submit`` per quote in one call, with the
        same events (a market maker's ladder). Returns the number accepted."""
        account = self.accounts.get(account_id)
        if account is None:
            self._unknown(account_id)
            return 0
        return self.orders.post_ladder(account, quotes)

    def protect(
        self,
        account_id: str,
        take_profit: int | str | None = None,
        stop_loss: int | str | None = None,
        trigger_source: TriggerSource | str = TriggerSource.MARK,
    ) -> list[Event]:
        """Set (or, with neither price, clear) the position's TP/SL: a reduce-only
        take-profit and stop-loss for the whole position, one cancelling the other."""
        account = self.accounts.get(account_id)
        if account is None:
            return [self._unknown(account_id)]
        try:
            source = TriggerSource(trigger_source)
            take = None if take_profit in (None, "") else self._ticks(take_profit, "take-profit")
            stop = None if stop_loss in (None, "") else self._ticks(stop_loss, "stop-loss")
        except (UnitError, ValueError) as error:
            return [self.orders.reject(account_id, _reason(error))]
        return self.orders.protect(account, take, stop, source)

    def cancel(self, account_id: str, order_id: int) -> Event:
        account = self.accounts.get(account_id)
        if account is None:
            return self._unknown(account_id)
        return self.orders.cancel(account, order_id)

    def cancel_all(self, account_id: str) -> list[Event]:
        account = self.accounts.get(account_id)
        if account is None:
            return [self._unknown(account_id)]
        return self.orders.cancel_all(account)

    # == the step pipeline ===========================================================

    def begin(self, time: int) -> None:
        """Move the clock to the step about to run: commands sent before ``advance`` (the
        simulated traders acting on the new index) carry its time."""
        if time < self.time:
            raise ValueError(f"time went backwards: {time} < {self.time}")
        self.tape.time = time

    def advance(self, time: int, index: int) -> None:
        """One engine step at simulated ``time`` with a new index price (ticks)."""
        finish(self.advancing(time, index))

    def advancing(self, time: int, index: int) -> Slices[None]:
        """``advance`` in slices (``engine/slices.py``)."""
        if time < self.time:
            raise ValueError(f"time went backwards: {time} < {self.time}")
        if index <= 0:
            raise ValueError(f"index price must be positive, got {index}")
        self.tape.time = time
        self.prices.update(time, index, self.matching.book)
        if self.prices.funding_due(time):
            self.accounts.settle_funding(*self.prices.close_funding_interval(time))
        if self.orders.stops:
            self.orders.fire_stops()
        yield from self.liquidation.scanning()
        if self.orders.stops:  # positions closed this step take their stops with them
            self.orders.drop_stale_stops()
        if self.deleveraging.queue.due(time):
            yield
            yield from self.refreshing_lights()

    def refresh_lights(self) -> None:
        """Publish ADL ranks and lights for the positions as they are now."""
        finish(self.refreshing_lights())

    def refreshing_lights(self) -> Slices[None]:
        self.liquidation.reindex()
        yield
        yield from self.deleveraging.refreshing_lights()

    def end_feed(self, reason: str) -> None:
        """The price feed has nothing more: say why."""
        self.tape.emit(FeedEnded(self.time, reason))

    # == cheap reads for simulated traders ============================================

    def position(self, account_id: str) -> tuple[int, int]:
        """(signed lots, cost basis in lot·ticks) of an account's position."""
        account = self.accounts[account_id]
        return account.lots, account.cost

    def balance(self, account_id: str) -> int:
        """The wallet, including any margin isolated in the position."""
        return self.accounts.balance(self.accounts[account_id])

    def resting_orders(self, account_id: str) -> int:
        return len(self.accounts[account_id].order_ids)

    # == views =======================================================================

    def book_view(self, levels: int = 20, account_id: str | None = None) -> BookView:
        bids, asks = self.matching.book.depth(levels)
        own = frozenset()
        account = self.accounts.get(account_id) if account_id else None
        if account:
            own = frozenset(order.price for order in self.matching.resting(account))
        return BookView(tuple(bids), tuple(asks), self.prices.last, own)

    def market_view(self) -> MarketView:
        backstop, cv = self.liquidation.backstop, self.instrument.contract_value
        return MarketView(
            time=self.time,
            index=self.prices.index,
            mark=self.prices.mark,
            last=self.prices.last,
            funding_rate=self.prices.predicted_rate(),
            next_funding=self.prices.next_funding,
            insurance_fund=self.fund.balance,
            insurance_peak=self.fund.peak(),
            open_interest=self.accounts.long_lots,
            fund_equity=self.fund_equity(),
            backstop_long=backstop.lots_on(1),
            backstop_short=backstop.lots_on(-1),
            fund_floor=self.fund.floor(),
            fund_in=self.fund.total_in,
            fund_out=self.fund.total_out,
            backstop=backstop.sides(self.prices.mark, cv),
        )

    def fund_equity(self) -> int:
        """The fund's balance + the profit or loss of what its backstop holds, at the mark."""
        cv = self.instrument.contract_value
        return self.fund.balance + self.liquidation.backstop.unrealized(self.prices.mark, cv)

    def account_view(self, account_id: str) -> AccountView | None:
        """An account as its owner sees it: money, position, open orders."""
        return account_view(self, account_id)

    def light(self, account_id: str) -> LightView | None:
        """A position's place in its side's last published ADL queue."""
        return self.deleveraging.light(account_id)

    def holders(self, side: int):
        """Every open position on ``side`` as ADL sees it now."""
        return self.deleveraging.holders(side)

    @property
    def adl_records(self) -> tuple[AdlRecord, ...]:
        """The recent ADL events, oldest first, as each saw the market."""
        return tuple(self.deleveraging.records)

    def counterfactual(self, adl_id: int) -> Counterfactual | None:
        """The same deficit split by every policy (SPEC §6), for a recent ADL event."""
        return self.deleveraging.counterfactual(adl_id)

    def ledger_totals(self) -> LedgerTotals:
        """SPEC §1's terms, summed over every ledger account and position."""
        return audit.ledger_totals(self)

    def check_invariants(self) -> dict[str, bool]:
        """SPEC §1's invariants, exact to the unit."""
        return audit.check_invariants(self)

    # == helpers =====================================================================

    def _unknown(self, account_id: str) -> Event:
        return self.orders.reject(account_id, f"unknown account {account_id!r}")

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


def _side_or_zero(side: int | str) -> int:
    try:
        return int(Side.parse(side))
    except ValueError:
        return 0


def _reason(error: Exception) -> str:
    text = str(error)
    if text.startswith("'") and "is not a valid" in text:  # StrEnum's message
        return f"unknown order type {text.split(' is not')[0]}"
    return text
