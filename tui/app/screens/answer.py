"""Answer the lesson's question: one field; the verdict shows in the lesson panel."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from tui.app.screens.modal import Modal
from tui.app.screens.ticket import steady_cursors


class AnswerScreen(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="answer-close")]

    def __init__(self, question: str, answer: Callable[[str], None]) -> None:
        super().__init__(classes="modal")
        self.question = question
        self.answer = answer

    def compose(self) -> ComposeResult:
        with Vertical(id="answer-dialog", classes="dialog small"):
            yield Static("[b]Your answer[/]  [dim]enter checks it · esc closes[/]")
            yield Static(Content(self.question), classes="hint")
            yield Input(compact=True, id="answer-input", placeholder="a number, e.g. 40,200")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss()
        self.answer(event.value)
