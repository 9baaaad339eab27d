"""A session: a simulation and the user's commands, each recorded with its step.

The user's commands reach the exchange between steps, so a session is fully
described by its scenario, its seed and the list of (step, command) pairs: that
is what the journal stores and what ``replay`` re-applies to rebuild it exactly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from engine.events import Event
from engine.exchange import Exchange
from engine.explain import explain
from engine.frames import Frame, build_frame
from engine.order_preview import preview_order
from engine.orders import OrderType
from engine.queue_view import queue_view
from engine.scenario import load_scenario, shipped
from engine.side import Side, verb
from engine.simulation import USER, Simulation
from engine.slices import Slices, finish
from engine.units import UnitError, to_money
from engine.views import AccountView, Explanation, OrderPreview, PricePoint, QueueView

Command = dict[str, Any]
SCREEN_BUFFER = 50_000  # events kept for a screen that has not drained them yet


Listener = Callable[[int, int, "Command | None", list[Event]], None]


class Session:
    def __init__(self, simulation: Simulation, listeners: list[Listener] | None = None) -> None:
        """``listeners(step, time, command, events)`` see every step and command, the set-up
        (step 0) first: the journal and the run report listen."""
        self.simulation = simulation
        self.exchange = simulation.exchange
        self.user = USER
        self.commands: list[tuple[int, Command]] = []
        self.listeners: list[Listener] = list(listeners or [])
        self._events: deque[Event] = deque(maxlen=SCREEN_BUFFER)
        self._starting_balance = self.exchange.balance(self.user)  # what a reset restores
        self._record(None, self.exchange.drain_events())

    @property
    def steps(self) -> int:
        return self.simulation.steps

    @property
    def finished(self) -> bool:
        return self.simulation.finished

    # -- time ---------------------------------------------------------------------------

    def step(self) -> bool:
        """One market step; False when the run is over."""
        return finish(self.stepping())

    def stepping(self) -> Slices[bool]:
        """``step`` in slices (``engine/slices.py``): the listeners see the step's events
        once it is whole; nothing else may touch the session until then."""
        running = yield from self.simulation.stepping()
        events = self.exchange.drain_events()
        self._events.extend(events)
        for listener in self.listeners:
            recording = getattr(listener, "recording", None)  # a listener that slices its work
            if recording is not None:
                yield from recording(self.steps, self.exchange.time, None, events)
            else:
                listener(self.steps, self.exchange.time, None, events)
        return running

    @property
    def replaying(self) -> bool:
        """The feed is a replayed file: its steps are its rows, as unevenly spaced in market
        time as the market was, so the screen paces it by time (``tui/app/pace.py``)."""
        return self.simulation.replay is not None

    def next_time(self) -> int | None:
        """When the next step happens in market time (``Simulation.next_time``)."""
        return self.simulation.next_time()

    def drain_events(self) -> list[Event]:
        """Events since the last drain (the newest ``SCREEN_BUFFER`` of them), for the screen."""
        events = list(self._events)
        self._events.clear()
        return events

    # -- what the screen reads -----------------------------------------------------------

    def frame(self, levels: int = 20, explained: bool = False) -> Frame:
        """One render's worth of the market, with the events since the last frame."""
        return build_frame(self, levels, explained)

    def account(self) -> AccountView:
        """The user's account as it stands (cheap: no events drained, no book)."""
        return self.exchange.account_view(self.user)

    def price_point(self) -> PricePoint:
        """The prices and the insurance fund after the last step (cheap: the charts take
        one every step, so a crash at full speed keeps every dip)."""
        return price_point(self.exchange)

    def preview(
        self,
        qty: str,
        price: str | None,
        leverage: str,
        side: str = "buy",
        order_type: str = OrderType.LIMIT.value,
        trigger: str | None = None,
    ) -> OrderPreview:
        """What an order as typed would commit, its estimated fill on the book now and the
        liquidation and bankruptcy prices after it (``engine/order_preview.py``);
        ``UnitError`` says what is wrong with it."""
        instrument = self.exchange.instrument
        lots = instrument.lots(qty)
        try:
            whole = int(leverage)
        except ValueError:
            raise UnitError(f"leverage {leverage!r} is not a whole number") from None
        if whole < 1:
            raise UnitError("leverage must be at least 1")
        try:
            kind, sign = OrderType(order_type), int(Side.parse(side))
        except ValueError as error:
            raise UnitError(str(error)) from None
        ticks = instrument.ticks(price) if price and kind is not OrderType.MARKET else None
        mark = self.exchange.prices.mark
        trigger_ticks = instrument.ticks(trigger) if trigger else mark
        return preview_order(
            self.exchange, self.user, sign, lots, ticks, kind, whole, trigger_ticks
        )

    def adl_queue(self, policy: str | None = None) -> QueueView:
        """The user's side's ADL queue ranked now, at the mark, under the policy in force
        or ``policy`` (a preview: nothing is switched), its head and the user's
        neighbours: the queue view reads it."""
        return queue_view(self.exchange, self.user, policy)

    def what_if(self, mark: int) -> Explanation | None:
        """The explanation of the user's position were the mark ``mark`` ticks: the
        engine's own margin and ADL functions at that price, nothing changed."""
        return explain(self.exchange, self.user, mark)

    # -- the user's commands -------------------------------------------------------------

    def submit(
        self,
        side: str,
        qty: str,
        price: str | None = None,
        order_type: str = OrderType.LIMIT.value,
        reduce_only: bool = False,
        trigger: str | None = None,
        trigger_source: str = "mark",
    ) -> Event:
        return self.apply(
            {
                "command": "submit",
                "side": side,
                "qty": qty,
                "price": price,
                "order_type": order_type,
                "reduce_only": reduce_only,
                "trigger": trigger,
                "trigger_source": trigger_source,
            }
        )

    def cancel(self, order_id: int) -> Event:
        return self.apply({"command": "cancel", "order_id": order_id})

    def cancel_all(self) -> list[Event]:
        return self.apply({"command": "cancel_all"})

    def protect(
        self, take_profit: str | None, stop_loss: str | None, trigger_source: str = "mark"
    ) -> list[Event]:
        """Set the position's TP/SL (neither price: clear it); see ``Exchange.protect``."""
        return self.apply(
            {
                "command": "protect",
                "take_profit": take_profit,
                "stop_loss": stop_loss,
                "trigger_source": trigger_source,
            }
        )

    def deposit(self, amount: str) -> Event:
        """Top the wallet up by ``amount`` (quote text), without leaving the scenario: a
        command like any other, so the journal replays it."""
        return self.apply({"command": "deposit", "amount": amount})

    def starting_balance(self) -> int:
        """What the user's wallet held when the run began: a reset tops it up to this."""
        return self._starting_balance

    def close_position(self) -> Event | None:
        """A reduce-only market order for the whole position, if there is one."""
        lots, _ = self.exchange.position(self.user)
        if not lots:
            return None
        qty = self.exchange.instrument.qty_text(abs(lots))
        return self.submit(verb(-lots), qty, None, "market", True)

    def set_leverage(self, leverage: int) -> Event:
        return self.apply({"command": "set_leverage", "leverage": leverage})

    def set_margin_mode(self, mode: str) -> Event:
        return self.apply({"command": "set_margin_mode", "mode": mode})

    def configure(self, **changes: str) -> Event:
        return self.apply({"command": "configure", **changes})

    def apply(self, command: Command) -> Any:
        """Carry out one recorded command (also how a journal is replayed)."""
        result = _perform(self.exchange, self.user, command)
        self.commands.append((self.steps, command))
        self._record(command, self.exchange.drain_events())
        return result

    def _record(self, command: Command | None, events: list[Event]) -> None:
        self._events.extend(events)
        for listener in self.listeners:
            listener(self.steps, self.exchange.time, command, events)


def price_point(exchange: Exchange) -> PricePoint:
    """``Session.price_point`` of an exchange: also what a session listener reads during
    a journal's replay (``--resume`` refills the charts), before the session is whole."""
    prices, fund = exchange.prices, exchange.fund
    return PricePoint(
        exchange.time,
        prices.mark,
        prices.index,
        exchange.fund_equity(),
        fund.balance,
        fund.floor(),
    )


def start(scenario: str, seed: int | None = None) -> Session:
    """A new session on a shipped scenario (by name) or a scenario file (by path)."""
    return Session(Simulation(load_scenario(scenario), seed=seed))


def scenarios() -> list[tuple[str, str]]:
    """(name, description) of every shipped scenario."""
    return shipped()


def _perform(exchange, user: str, command: Command) -> Any:
    kind = command.get("command")
    args = {k: v for k, v in command.items() if k != "command"}
    if kind == "submit":
        return exchange.submit(user, **args)
    if kind == "cancel":
        return exchange.cancel(user, args["order_id"])
    if kind == "cancel_all":
        return exchange.cancel_all(user)
    if kind == "set_leverage":
        return exchange.set_leverage(user, args["leverage"])
    if kind == "set_margin_mode":
        return exchange.set_margin_mode(user, args["mode"])
    if kind == "configure":
        return exchange.configure(**args)
    if kind == "protect":
        return exchange.protect(user, **args)
    if kind == "deposit":
        return _deposit(exchange, user, args["amount"])
    raise ValueError(f"unknown command {kind!r}")


def _deposit(exchange, user: str, amount: str | int) -> Event:
    """A deposit typed as quote text (``"1000"``); a bad amount is a rejection."""
    try:
        units = to_money(amount)
    except UnitError as error:
        return exchange.orders.reject(user, str(error))
    if units <= 0:
        return exchange.orders.reject(user, "a deposit must be a positive amount")
    return exchange.deposit(user, units)
