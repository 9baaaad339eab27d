"""One event-log line in full: the log cuts a long line at its width (``…``), and the
reader asks for the rest with ``enter`` — while the market waits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.app.log_lines import LogLine
from tui.app.screens.reading import ReadingScreen, title


class LogLineScreen(ReadingScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="log-line-close"),
        Binding("enter", "dismiss", "Close", show=False, id="log-line-toggle"),
    ]

    def __init__(self, line: LogLine) -> None:
        super().__init__()
        self.line = line

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="log-line", classes="dialog"):
            yield Static(title(f"Event at {self.line.time}"))
            yield Static(self.line.text, id="log-line-text", markup=False, classes="hint")
