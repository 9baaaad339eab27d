"""Type a hypothetical mark price for the explain view's what-if: one field.

A price that cannot be read stays in the field with the reason under it, to fix;
nothing is sent to the market (the explain view works the figures out at that price).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from tui.app.screens.modal import Modal
from tui.app.screens.ticket import steady_cursors

Choose = Callable[[str], str | None]  # the typed price → why it cannot be used, or None


class MarkInput(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="mark-input-close")]

    def __init__(self, current: str, choose: Choose) -> None:
        super().__init__(classes="modal")
        self.current = current
        self.choose = choose

    def compose(self) -> ComposeResult:
        with Vertical(id="mark-input", classes="dialog small"):
            yield Static("[b]What if the mark were…[/]  [dim]enter shows it · esc closes[/]")
            yield Input(
                self.current,
                compact=True,
                id="mark-input-field",
                placeholder="a price, e.g. 48,000",
            )
            yield Static(id="reason")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = self.choose(event.value)
        if reason is None:
            self.dismiss()
        else:
            self.query_one("#reason", Static).update(Content(reason))
