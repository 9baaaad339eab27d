"""The order ticket: side, type, size, price, trigger (and whether the mark or the last
price triggers it), leverage, reduce-only.

Enter in any field submits, the reduce-only box included (space ticks it); on a
select, Enter opens its list. The ticket does not talk to the engine itself: it
hands an ``OrderRequest`` to the app's ``place`` callback, which returns the
engine's rejection reason (shown here, the ticket stays open to fix it) or None
(the ticket closes). The preview is the app's ``preview`` callback too: the engine
walks its book for the estimated fill and works out, with its own margin functions,
the liquidation and bankruptcy prices of the position after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from engine.errors import UserFacingError
from engine.instrument import Instrument
from engine.orders import OrderType
from engine.views import OrderPreview
from tui.app import text
from tui.app.screens.modal import Modal

TRIGGERED = (OrderType.STOP_MARKET.value, OrderType.TAKE_PROFIT.value, OrderType.STOP_LIMIT.value)
PRICED = (OrderType.LIMIT.value, OrderType.IOC.value, OrderType.POST_ONLY.value)
PRICED += (OrderType.STOP_LIMIT.value,)
SOURCES = [("mark", "mark"), ("last", "last")]
SHORT = 30  # rows under which the ticket drops the blank line between fields
CROSS_NOTE = (
    "cross: the whole wallet backs the position, so the leverage sets the margin the "
    "order needs, not the liquidation price"
)


class EnterCheckbox(Checkbox):
    """A checkbox on which Enter submits the dialog (space ticks it), as in every text
    field; a select keeps Enter for opening its list."""

    BINDINGS = [Binding("enter", "submit", "Submit", show=False)]

    class Submitted(Message):
        """Enter on the checkbox."""

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


@dataclass(frozen=True, slots=True)
class OrderRequest:
    side: str
    order_type: str
    qty: str
    price: str | None  # None for a market, stop-market or take-profit order
    leverage: str
    reduce_only: bool
    trigger: str | None = None  # stop-market, take-profit and stop-limit
    trigger_source: str = "mark"


@dataclass(frozen=True, slots=True)
class TicketDefaults:
    qty: str
    bid: str
    ask: str
    leverage: int
    instrument: Instrument


Place = Callable[[OrderRequest], str | None]  # the rejection reason, or None: accepted
Preview = Callable[[OrderRequest], OrderPreview]  # raises UserFacingError with the reason


class OrderTicket(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="ticket-close")]

    def __init__(self, side: str, defaults: TicketDefaults, place: Place, preview: Preview) -> None:
        super().__init__(classes="modal")
        self.side = side
        self.defaults = defaults
        self.place = place
        self.preview = preview

    def compose(self) -> ComposeResult:
        d = self.defaults
        i = d.instrument
        with Vertical(id="ticket", classes="dialog"):
            yield Static(id="ticket-title")
            yield _field(
                "Side",
                Select(
                    [("Buy", "buy"), ("Sell", "sell")],
                    value=self.side,
                    allow_blank=False,
                    compact=True,
                    id="side",
                ),
            )
            types = [(t.value, t.value) for t in OrderType]
            yield _field(
                "Type",
                Select(types, value="limit", allow_blank=False, compact=True, id="type"),
            )
            yield _field(
                f"Size ({i.symbol.removesuffix(i.quote) or 'base'})",
                Input(d.qty, compact=True, id="qty"),
            )
            yield _field(
                f"Price ({i.quote})",
                Input(self._price(self.side), compact=True, id="price"),
                "price-label",
            )
            with Horizontal(classes="field", id="trigger-row"):
                yield Label(f"Trigger ({i.quote})", classes="field-label")
                yield Input(self._price(self.side), compact=True, id="trigger")
                yield Select(SOURCES, value="mark", allow_blank=False, compact=True, id="source")
            yield _field("Leverage (x)", Input(str(d.leverage), compact=True, id="leverage"))
            yield EnterCheckbox("Reduce-only", id="reduce-only")
            yield Static(id="preview")
            yield Static(id="reason")
            with Horizontal(classes="buttons"):
                yield Button("Submit ⏎", id="submit", variant="primary", compact=True)
                yield Button("Cancel esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one("#trigger-row").display = False
        self.query_one("#source").styles.width = 10  # beside the trigger, as narrow as its words
        if self.app.size.height < SHORT:  # a 24-row terminal: the fields sit line under line
            for field in self.query(".field, Checkbox"):
                field.styles.margin = 0
        self._update_title()
        self._update_preview()
        self.query_one("#qty", Input).focus()

    def _price(self, side: str) -> str:
        return self.defaults.bid if side == "buy" else self.defaults.ask

    def request(self) -> OrderRequest:
        order_type = str(self.query_one("#type", Select).value)
        triggered = order_type in TRIGGERED
        return OrderRequest(
            side=str(self.query_one("#side", Select).value),
            order_type=order_type,
            qty=_number(self.query_one("#qty", Input).value),
            price=_number(self.query_one("#price", Input).value) if order_type in PRICED else None,
            leverage=self.query_one("#leverage", Input).value.strip(),
            reduce_only=self.query_one("#reduce-only", Checkbox).value,
            trigger=_number(self.query_one("#trigger", Input).value) if triggered else None,
            trigger_source=str(self.query_one("#source", Select).value),
        )

    def submit(self) -> None:
        reason = self.place(self.request())
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(f"Rejected: {reason}"))

    def on_input_submitted(self) -> None:
        self.submit()

    def on_enter_checkbox_submitted(self) -> None:
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.submit()
        else:
            self.dismiss()

    def on_input_changed(self) -> None:
        self._update_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "side":
            self.side = str(event.value)
            self.query_one("#price", Input).value = self._price(self.side)
        elif event.select.id == "type":
            kind = str(event.value)
            self.query_one("#price", Input).disabled = kind not in PRICED
            self.query_one("#trigger-row").display = kind in TRIGGERED
        self._update_title()
        self._update_preview()

    def on_checkbox_changed(self) -> None:
        self._update_preview()

    def _update_title(self) -> None:
        tone = "$success" if self.side == "buy" else "$error"
        symbol = self.defaults.instrument.symbol
        self.query_one("#ticket-title", Static).update(
            f"[b {tone}]{self.side.capitalize()} {symbol}[/]  [dim]enter submits · esc closes[/]"
        )

    def _update_preview(self) -> None:
        line = preview_line(self.request(), self.preview, self.defaults.instrument)
        self.query_one("#preview", Static).update(line)


def steady_cursors(screen: ModalScreen) -> None:
    """No blinking cursor when the app is driven by hand: a screenshot is then the same
    every time."""
    if not getattr(screen.app, "live", True):
        for field in screen.query(Input):
            field.cursor_blink = False


def _field(label: str, widget, label_id: str | None = None) -> Horizontal:
    return Horizontal(Label(label, id=label_id, classes="field-label"), widget, classes="field")


def _number(value: str) -> str:
    return value.replace(",", "").strip()


def preview_line(request: OrderRequest, preview: Preview, i: Instrument) -> Content:
    """The order as typed: its estimated fill and slippage on the book now, notional and
    initial margin, the liquidation and bankruptcy prices after the fill, and the cross
    margin note; or what is wrong with it."""
    try:
        found = preview(request)
    except UserFacingError as error:
        return Content.styled(str(error), "dim")
    money = (
        f"notional {text.money(found.notional)} · initial margin "
        f"{text.money(found.initial_margin)} {i.quote} at {found.leverage}x"
    )
    if found.average is None:
        return Content.styled(f"no liquidity to fill against · {money}", "dim")
    if found.taken:
        fill = f"≈ fills at {text.price(i, found.average)}"
        if found.slippage is not None:
            fill += f", slippage {text.percent(found.slippage, 3)}"
        if found.taken < found.filled:
            fill += f" ({text.qty(i, found.taken)} now, the rest rests)"
    elif request.order_type in TRIGGERED:
        fill = f"once triggered ≈ {text.price(i, found.average)}"
    else:
        fill = f"rests at {text.price(i, found.average)} (no fill now)"
    if found.closes:
        after = "after the fill: the position is closed"
    else:
        after = (
            f"after the fill: liq. {text.threshold(i, found.side, found.liquidation)} · "
            f"bankruptcy {text.threshold(i, found.side, found.bankruptcy)}"
        )
    lines = [
        Content.styled(f"{fill} · {money}", "dim"),
        Content.assemble(
            ("after the fill: ", "dim"), (after.removeprefix("after the fill: "), "bold")
        ),
    ]
    if found.cross and not found.closes:
        lines.append(Content.styled(CROSS_NOTE, "$warning"))
    return Content("\n").join(lines)
