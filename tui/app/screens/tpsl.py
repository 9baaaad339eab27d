"""The position's TP/SL: a take-profit and a stop-loss for the whole position, each
cancelling the other when it fires, both gone when the position closes — as the venues
attach them. Empty fields clear them. Enter in any field applies; the engine's
rejection (a trigger the price has already passed) shows here.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Select, Static

from tui.app.screens.modal import Modal
from tui.app.screens.ticket import SOURCES, steady_cursors

Apply = Callable[[str, str, str], str | None]  # (take-profit, stop-loss, source) → reason


class TpSlScreen(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="tpsl-close")]

    def __init__(self, hint: str, take: str, stop: str, source: str, apply: Apply) -> None:
        super().__init__(classes="modal")
        self.hint, self.take, self.stop, self.source = hint, take, stop, source
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(id="tpsl-dialog", classes="dialog small"):
            yield Static("[b]Position TP/SL[/]  [dim]enter applies · esc closes[/]")
            yield Static(Content(self.hint), classes="hint")
            yield _field("Take profit", Input(self.take, compact=True, id="take-profit"))
            yield _field("Stop loss", Input(self.stop, compact=True, id="stop-loss"))
            yield _field(
                "Triggered by",
                Select(
                    SOURCES, value=self.source, allow_blank=False, compact=True, id="tpsl-source"
                ),
            )
            yield Static(
                "Either fires for the whole position and cancels the other; "
                "both go when the position closes. Empty both to clear.",
                classes="hint",
            )
            yield Static(id="reason")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one("#take-profit", Input).focus()

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        take = self.query_one("#take-profit", Input).value.replace(",", "").strip()
        stop = self.query_one("#stop-loss", Input).value.replace(",", "").strip()
        source = str(self.query_one("#tpsl-source", Select).value)
        reason = self.apply(take, stop, source)
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(f"Rejected: {reason}"))


def _field(label: str, widget) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, classes="field")
