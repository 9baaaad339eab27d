"""The order ticket: side, type, size, price (or trigger), leverage, reduce-only.

Enter in any field submits. The ticket does not talk to the engine itself: it hands
an ``OrderRequest`` to the app's ``place`` callback, which returns the engine's
rejection reason (shown here, the ticket stays open to fix it) or None (the ticket
closes). The preview line is the app's ``preview`` callback too: the engine side
works out what the order would commit, with its own initial-margin function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from engine.errors import UserFacingError
from engine.instrument import Instrument
from engine.orders import OrderType
from engine.views import OrderPreview
from tui.app import text
from tui.app.screens.modal import Modal

TRIGGERED = (OrderType.STOP_MARKET.value, OrderType.TAKE_PROFIT.value)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    side: str
    order_type: str
    qty: str
    price: str | None  # the trigger for stop-market and take-profit
    leverage: str
    reduce_only: bool


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
                "Type", Select(types, value="limit", allow_blank=False, compact=True, id="type")
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
            yield _field("Leverage (x)", Input(str(d.leverage), compact=True, id="leverage"))
            yield Checkbox("Reduce-only", id="reduce-only")
            yield Static(id="preview")
            yield Static(id="reason")
            with Horizontal(classes="buttons"):
                yield Button("Submit ⏎", id="submit", variant="primary", compact=True)
                yield Button("Cancel esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        steady_cursors(self)
        self._update_title()
        self._update_preview()
        self.query_one("#qty", Input).focus()

    def _price(self, side: str) -> str:
        return self.defaults.bid if side == "buy" else self.defaults.ask

    def request(self) -> OrderRequest:
        order_type = str(self.query_one("#type", Select).value)
        price = self.query_one("#price", Input).value.replace(",", "").strip()
        return OrderRequest(
            side=str(self.query_one("#side", Select).value),
            order_type=order_type,
            qty=self.query_one("#qty", Input).value.replace(",", "").strip(),
            price=None if order_type == OrderType.MARKET.value else price,
            leverage=self.query_one("#leverage", Input).value.strip(),
            reduce_only=self.query_one("#reduce-only", Checkbox).value,
        )

    def submit(self) -> None:
        reason = self.place(self.request())
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(f"Rejected: {reason}"))

    def on_input_submitted(self) -> None:
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
        else:
            kind = str(event.value)
            label = "Trigger" if kind in TRIGGERED else "Price"
            self.query_one("#price-label", Label).update(
                f"{label} ({self.defaults.instrument.quote})"
            )
            self.query_one("#price", Input).disabled = kind == OrderType.MARKET.value
        self._update_title()
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


def preview_line(request: OrderRequest, preview: Preview, i: Instrument) -> Content:
    """Notional and initial margin of the order as typed, or what is wrong with it."""
    try:
        found = preview(request)
    except UserFacingError as error:
        return Content.styled(str(error), "dim")
    return Content.styled(
        f"notional {text.money(found.notional)} · initial margin "
        f"{text.money(found.initial_margin)} {i.quote} at {found.leverage}x",
        "dim",
    )
