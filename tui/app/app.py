"""The trading screen: one Session, stepped on the app's loop, drawn ten times a second.

Engine ↔ screen (ARCHITECTURE.md): an engine timer runs the steps the speed asks
for within a time budget; a render timer asks the session for one immutable frame
(the views, the new events drained once, the settings in force) and hands it to
every panel inside one ``batch_update()``. The app reads frames and events only, so
whatever it knows of the market (the ticket's defaults, the leverage limit, the
policies in force) is in the last frame. Every key is a command on the session (or
on the pace), followed at once by a frame, so the screen answers a key without
waiting for the next tick. No thread touches the engine; an exception from it
pauses the market and becomes a notification.

Tests build the app with ``live=False``: no timers, the engine stepped by hand.

The screens, pages, lessons and palette commands a key opens are imported by the
action that opens them, so start-up pays only for the first frame (under 1 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical

import engine.events as ev
from engine.errors import UserFacingError
from engine.frames import Frame
from engine.orders import OrderType
from engine.session import Session, start
from engine.session import scenarios as shipped_scenarios
from engine.views import OrderPreview
from tui.app import history
from tui.app.bindings import APP_BINDINGS
from tui.app.colors import Colors
from tui.app.incidents import Incident, follow
from tui.app.log_lines import LINES_PER_FRAME, Describer
from tui.app.market import Market
from tui.app.order_actions import OrderActions
from tui.app.reactions import react
from tui.app.screens.modal import Modal
from tui.app.theme_keeper import NO_FILE, ThemeKeeper
from tui.app.widgets.chart import PriceChart
from tui.app.widgets.event_log import EventLog
from tui.app.widgets.footer import FittingFooter
from tui.app.widgets.header import MarketHeader, header_facts
from tui.app.widgets.ladder import BookLadder
from tui.app.widgets.lesson_panel import LessonPanel
from tui.app.widgets.positions import PositionsPanel
from tui.crash_report import keep_crash

if TYPE_CHECKING:
    from textual.command import Provider

    from engine.lesson import Lesson
    from tui.app.lesson_desk import LessonDesk
    from tui.app.screens.ticket import OrderRequest

ENGINE_EVERY = 1 / 30  # s between engine callbacks
ENGINE_BUDGET = 0.012  # s of engine work per callback, at most
FRAME_EVERY = 0.1  # s between frames: about 10 Hz
KEY_HOLD = 0.05  # s without engine work after a key, so its answer is drawn first
QUICK_NOTIONAL = Decimal(1000)  # quote value of the default size, before any ticket


def sandbox_commands() -> type[Provider]:
    """The palette's own commands (Textual asks when the palette opens)."""
    from tui.app.commands import SandboxCommands

    return SandboxCommands


class SandboxApp(OrderActions, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "ADL Sandbox"
    COMMANDS = App.COMMANDS | {sandbox_commands}
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-medium"), (132, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        session: Session,
        *,
        speed: float = 1,
        paused: bool = False,
        live: bool = True,
        warmup: int = 0,
        open_session: Callable[[str], Session] | None = None,
        scenarios: Callable[[], list[tuple[str, str]]] = shipped_scenarios,
        lesson: Lesson | None = None,
        welcome: Lesson | None = None,
        themes: ThemeKeeper = NO_FILE,
        chart: history.PriceHistory | None = None,
    ) -> None:
        """``open_session(scenario name)`` makes the session a palette switch opens (the
        command line passes one that journals it) and ``scenarios()`` lists the ones it
        offers; by default plain sessions on the shipped scenarios. ``welcome``: a
        first run's offer of that lesson."""
        super().__init__()
        self.open_session = open_session or start
        self.list_scenarios = scenarios
        self.live = live
        self.warmup = warmup
        self.market = Market(session, speed, paused, chart)  # chart: a resumed session's
        self.frame: Frame | None = None  # the last one drawn: what the app knows of the market
        self.describer: Describer | None = None  # made from the first frame of a session
        self.incidents: list[Incident] = []
        self.tones = Colors.from_variables({})
        self.quick_qty: str | None = None
        self._last_tick = 0.0
        self._scenarios: list[tuple[str, str]] | None = None
        self.lesson = lesson  # opened with the app: a desk for it once mounted
        self.desk: LessonDesk | None = None
        self.welcome = welcome
        self.themes = themes  # the config file's theme, and where a new one is kept
        self.lab_runner = None  # the policy lab's worker processes, made when first opened

    @property
    def session(self) -> Session:
        """The session between steps: a step under way is finished first (a command or a
        preview must see the market whole)."""
        self.market.settle()
        return self.market.session

    # -- building ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield MarketHeader(id="header")
        with Horizontal(id="body"):
            yield BookLadder(id="ladder")
            with Vertical(id="main"):
                yield LessonPanel(id="lesson")
                yield PriceChart(id="chart")
                yield PositionsPanel(id="positions")
                yield EventLog(id="log")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.tones = Colors.from_variables(self.theme_variables)
        self.theme_changed_signal.subscribe(self, self._restyle)
        self.themes.follow(self)
        self.header = self.query_one(MarketHeader)
        self.ladder = self.query_one(BookLadder)
        self.chart = self.query_one(PriceChart)
        self.positions = self.query_one(PositionsPanel)
        self.log_view = self.query_one(EventLog)
        self.lesson_panel = self.query_one(LessonPanel)
        if self.lesson is not None:
            self.open_lesson(self.lesson)
        self.ladder.border_title = "Order book"
        self.positions.border_title = "Your position"
        self.log_view.border_title = "Events (newest first)"
        self.run_steps(self.warmup)
        self.render_frame()
        if self.welcome is not None:
            from tui.app.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.welcome))
        if self.live:
            self._last_tick = time.perf_counter()
            self.set_interval(ENGINE_EVERY, self.tick)
            self.set_interval(FRAME_EVERY, self.frame_tick)

    def on_resize(self) -> None:
        """A new size shows more or fewer book levels: fetch them now, even when paused."""
        self.call_after_refresh(self.render_frame)

    def _restyle(self, _theme: Any = None) -> None:
        """A new theme: the widgets that draw their own rows take its colours."""
        self.tones = Colors.from_variables(self.theme_variables)
        panels = (self.header, self.ladder, self.chart, self.log_view, self.positions)
        for widget in (*panels, self.lesson_panel):
            widget.restyle()
        self.render_frame()

    # -- the engine on the loop -------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Every key holds the engine a moment: in a crash with 100,000 traders the
        engine's slices would otherwise take turns with each hop of the key's answer."""
        if isinstance(event, events.Key):
            self.market.hold(KEY_HOLD)
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        if isinstance(self.screen, Modal):  # a key typed just before a dialog opened
            self.screen.take_early(event)

    def tick(self) -> None:
        """Engine timer: the steps owed since the last tick, within the budget."""
        now = time.perf_counter()
        elapsed, self._last_tick = now - self._last_tick, now
        self.engine(lambda: self.market.run(elapsed, ENGINE_BUDGET))

    def run_steps(self, count: int) -> int:
        """Step the engine ``count`` times by hand (tests, warm-up, ``n``)."""
        done = 0
        for _ in range(count):
            if not self.engine(self.market.step):
                break
            done += 1
            if self.market.halted:
                break
        return done

    def engine(self, call: Callable[[], Any]) -> Any:
        """Call the engine; an exception pauses the market and is shown, never raised."""
        try:
            return call()
        except Exception as error:  # the app must survive any engine failure
            self.market.paused = True
            self.notify(
                f"{type(error).__name__}: {error}. The market is paused. {keep_crash(error)}",
                title="Engine error",
                severity="error",
                timeout=15,
                markup=False,
            )
            return None

    def frame_tick(self) -> None:
        """Render timer: a frame, unless a key's answer is on its way (a crash frame
        takes some 30 ms; the next tick draws it)."""
        if not self.market.held():
            self.render_frame()

    def render_frame(self) -> None:
        """Ask for one frame (the new events drained once) and hand it to every panel in
        one batch; the explanation is worked out only while a screen shows it."""
        if self.market.busy and self.frame is not None:  # a step in slices: the header moves on
            self.header.show(header_facts(self.frame, self.market))
            return
        explained = getattr(self.screen, "wants_explanation", False) or bool(
            self.desk and self.desk.asks
        )
        frame = self.engine(lambda: self.session.frame(self.ladder.levels, explained))
        if frame is None:
            return
        self.frame = frame
        if self.describer is None:
            self.describer = Describer(frame.instrument, frame.user, frame.dated)
        history.flag_events(self.market.history, frame.events, frame.user)
        self.incidents, found = follow(self.incidents, frame)  # before a screen reads them
        position = frame.account.position
        with self.batch_update():
            self.header.show(header_facts(frame, self.market))
            self.ladder.show(frame.book, frame.instrument)
            self.chart.show(
                self.market.history,
                frame.instrument,
                position.liquidation_price if position else None,
                position.entry if position else None,
                frame.dated,
                position.side if position else 0,
            )
            self.positions.show(frame.account, frame.instrument, self.tones)
            self.log_view.add(self.describer.lines(frame.events, LINES_PER_FRAME))
            update_view = getattr(self.screen, "update_view", None)
            if update_view is not None:
                update_view(frame)
            if self.desk is not None:
                self.desk.follow(frame)
        react(self, frame, found)

    # -- commands ---------------------------------------------------------------------------

    def after_command(self) -> None:
        """A frame at once: the key's effect shows without waiting for the next tick."""
        self.render_frame()

    def after_clock_change(self) -> None:
        """Pause or speed changed the clock, not the market: the header shows it at once;
        the rest follows with the next frame (a crash frame can take tens of ms)."""
        if self.frame is None:
            self.render_frame()
        else:
            self.header.show(header_facts(self.frame, self.market))

    def rejected(self, event: ev.Event | None) -> str | None:
        """The engine's reason when a command was refused."""
        if isinstance(event, ev.OrderRejected):
            return event.reason
        return None

    def place_order(self, request: OrderRequest) -> str | None:
        """The ticket's order: leverage first if changed, then the order. Returns the
        engine's rejection reason, or None when accepted."""
        if request.leverage != str(self.frame.account.leverage):
            try:
                leverage = int(request.leverage)
            except ValueError:
                return f"leverage {request.leverage!r} is not a whole number"
            reason = self.rejected(self.engine(lambda: self.session.set_leverage(leverage)))
            if reason:
                self.after_command()
                return reason
        event = self.engine(
            lambda: self.session.submit(
                request.side,
                request.qty,
                request.price or None,
                request.order_type,
                request.reduce_only,
                request.trigger or None,
                request.trigger_source,
            )
        )
        reason = self.rejected(event)
        if event is not None and reason is None:
            self.quick_qty = request.qty
        self.after_command()
        return reason if event is not None else "the engine failed (see the notification)"

    def preview_order(self, request: OrderRequest) -> OrderPreview:
        """What the ticket's order as typed would commit (``UserFacingError``: why not)."""
        r = request
        return self.session.preview(r.qty, r.price, r.leverage, r.side, r.order_type, r.trigger)

    def action_ticket(self, side: str) -> None:
        from tui.app.screens.ticket import OrderTicket, TicketDefaults

        frame = self.frame
        book, i = frame.book, frame.instrument
        defaults = TicketDefaults(
            qty=self.quick_size(),
            bid=i.price_text(book.bids[0][0]) if book.bids else "",
            ask=i.price_text(book.asks[0][0]) if book.asks else "",
            leverage=frame.account.leverage,
            instrument=i,
        )
        self.push_screen(OrderTicket(side, defaults, self.place_order, self.preview_order))

    def quick_size(self) -> str:
        """The last ticket's size, or the lots nearest ``QUICK_NOTIONAL`` at the mark."""
        if self.quick_qty:
            return self.quick_qty
        i = self.frame.instrument
        mark = self.frame.market.mark or 1
        lots = QUICK_NOTIONAL / (mark * i.tick_size * i.lot_size)
        return i.qty_text(max(1, int(lots.to_integral_value())))

    def action_quick(self, side: str) -> None:
        size = self.quick_size()
        event = self.engine(lambda: self.session.submit(side, size, None, OrderType.MARKET.value))
        self.report(event, f"Market {side} {size} sent.")

    def action_close_position(self) -> None:
        if self.frame.account.position is None:
            self.notify("You have no open position to close.", severity="warning")
            return
        self.report(self.engine(self.session.close_position), "Closing the position at market.")

    def action_cancel_all(self) -> None:
        events = self.engine(self.session.cancel_all) or []
        cancelled = sum(1 for e in events if isinstance(e, ev.OrderCancelled))
        self.notify(f"Cancelled {cancelled} order(s)." if cancelled else "No open orders.")
        self.after_command()

    def action_toggle_mode(self) -> None:
        mode = self.frame.account.mode
        target = "isolated" if mode == "cross" else "cross"
        event = self.engine(lambda: self.session.set_margin_mode(target))
        self.report(event, f"Margin mode: {target}.")

    def report(self, event: ev.Event | None, done: str) -> None:
        """Say how a command went (an engine failure has been shown already)."""
        reason = self.rejected(event)
        if reason:
            self.notify(reason, title="Rejected", severity="error", markup=False)
        elif event is not None:
            self.notify(done, markup=False)
        self.after_command()

    def action_toggle_pause(self) -> None:
        self.market.paused = not self.market.paused
        self._last_tick = time.perf_counter()
        self.after_clock_change()

    def action_step(self) -> None:
        self.market.paused = True
        if not self.run_steps(1) and self.market.finished:
            self.notify("The run is over: switch scenario with ctrl+p.")
        self.after_command()

    def action_slower(self) -> None:
        self.market.slower()
        self.after_clock_change()

    def action_faster(self) -> None:
        self.market.faster()
        self.after_clock_change()

    def action_open(self, page: str) -> None:
        """One of the pages to read (``PAGES``): the market waits while it is open."""
        from tui.app.pages import PAGES

        self.push_screen(PAGES[page]())

    def action_incident(self) -> None:
        if not self.incidents:
            self.notify("Nothing has happened to your position yet: no liquidation, no ADL.")
            return
        from tui.app.screens.incident import IncidentScreen

        self.push_screen(IncidentScreen(self.incidents[-1]))

    def action_answer(self) -> None:
        self.desk.ask()

    def action_show_me(self) -> None:
        self.desk.show_me()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The lesson's keys exist only while a lesson runs (hidden from the footer)."""
        if action in ("answer", "show_me"):
            return self.desk is not None
        return True

    def open_lesson(self, lesson: Lesson) -> None:
        """The lesson's panel and steps over the session on its scenario, paused."""
        from tui.app.lesson_desk import LessonDesk

        self.desk = LessonDesk(self, lesson, self.market.session.user)
        self.market.paused = True
        self.refresh_bindings()

    # -- the palette's commands ---------------------------------------------------------------

    def scenarios(self) -> list[tuple[str, str]]:
        """The scenarios offered, read once (the palette asks at every keystroke)."""
        if self._scenarios is None:
            self._scenarios = self.list_scenarios()
        return self._scenarios

    def action_command_palette(self) -> None:
        """Textual's palette, guarded against a late selection (see ``SettledPalette``)."""
        from tui.app.commands import SettledPalette

        if self.use_command_palette and not SettledPalette.is_open(self):
            self.push_screen(SettledPalette(id="--command-palette"))

    def switch_scenario(self, name: str) -> None:
        """A new Session on the named scenario (its own seed), at the same pace."""
        try:
            session = self.open_session(name)
        except UserFacingError as error:
            self.notify(str(error), title="Scenario", severity="error", markup=False)
            return
        self.load(session)
        self.notify(f"Scenario {name}: {self.frame.description}", markup=False)

    def switch_lesson(self, lesson: Lesson) -> None:
        """A lesson from the palette: a new session on its scenario, its panel over it."""
        try:
            session = self.open_session(str(lesson.path))
        except UserFacingError as error:
            self.notify(str(error), title="Lesson", severity="error", markup=False)
            return
        from engine.lesson import LESSON_WARMUP

        self.load(session, LESSON_WARMUP)
        self.open_lesson(lesson)
        self.after_command()  # the lesson's panel at once, not at the next tick

    def load(self, session: Session, warmup: int | None = None) -> None:
        """Replace the session: the one seam where a saved session could come back."""
        self.market.settle()  # the step under way ends whole (and gives the collector back)
        self.desk = None
        self.lesson_panel.set_class(False, "-on")
        self.query(".-look").remove_class("-look")
        self.market = Market(session, 1, True)  # a new market starts paused at 1×
        self.describer = None
        self.incidents = []
        self.quick_qty = None
        self.log_view.clear()
        self.run_steps(self.warmup if warmup is None else warmup)
        self.render_frame()

    def configure(self, **changes: str) -> None:
        """Switch a market policy (ADL ranking, ADL price, trigger, loss, mark price)."""
        event = self.engine(lambda: self.session.configure(**changes))
        what = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
        self.report(event, f"Now in force: {what}.")
