"""A yes-or-no question before something that cannot be undone (switching scenario
discards the position): enter does it, esc keeps things as they are."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from tui.app.screens.modal import Modal


class ConfirmScreen(Modal):
    BINDINGS = [
        Binding("enter,y", "confirm", "Yes", id="confirm-yes"),
        Binding("escape,n", "dismiss", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, question: str, then: Callable[[], None]) -> None:
        super().__init__(classes="modal")
        self.title_text, self.question, self.then = title, question, then

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog small"):
            yield Static(
                Content.assemble((self.title_text, "bold"), "  ", ("enter: yes · esc: no", "dim"))
            )
            yield Static(Content(self.question), classes="hint")

    def action_confirm(self) -> None:
        self.dismiss()
        self.then()
