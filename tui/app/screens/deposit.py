"""Top the wallet up, without leaving the scenario: after a liquidation, the way back
to trading. The amount offered resets the wallet to what it held when the run began;
any other amount may be typed. A deposit is a command like any other: the journal
replays it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from tui.app.screens.modal import Modal
from tui.app.screens.ticket import steady_cursors


class DepositScreen(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="deposit-close")]

    def __init__(self, amount: str, hint: str, apply: Callable[[str], str | None]) -> None:
        super().__init__(classes="modal")
        self.amount, self.hint, self.apply = amount, hint, apply

    def compose(self) -> ComposeResult:
        with Vertical(id="deposit-dialog", classes="dialog small"):
            yield Static("[b]Top up the wallet[/]  [dim]enter deposits · esc closes[/]")
            yield Static(Content(self.hint), classes="hint")
            yield Input(self.amount, compact=True, id="deposit-amount")
            yield Static(id="reason")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = self.apply(event.value.replace(",", "").strip())
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(f"Rejected: {reason}"))
