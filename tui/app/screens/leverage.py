"""Set the account's leverage: one field; the engine's rejection, if any, shows here."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from tui.app.screens.modal import Modal
from tui.app.screens.ticket import steady_cursors


class LeverageScreen(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="leverage-close")]

    def __init__(self, leverage: int, hint: str, apply: Callable[[str], str | None]) -> None:
        super().__init__(classes="modal")
        self.leverage = leverage
        self.hint = hint
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(id="leverage-dialog", classes="dialog small"):
            yield Static("[b]Leverage[/]  [dim]enter applies · esc closes[/]")
            yield Static(Content(self.hint), classes="hint")
            yield Input(str(self.leverage), compact=True, id="leverage-input")
            yield Static(id="reason")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = self.apply(event.value.strip())
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(f"Rejected: {reason}"))
