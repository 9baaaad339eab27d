"""The first run's welcome: the sandbox offers its first lesson before the market moves.

A newcomer dropped on a moving order book does not know where to look: one key
opens lesson 1 (a few minutes, guided), another leaves the market to them. Shown
once, the first time ``adl-sandbox`` runs plain on a machine (no session kept yet);
the market waits while it is open.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from engine.lesson import Lesson
from tui.app.screens.reading import ReadingScreen


class WelcomeScreen(ReadingScreen):
    BINDINGS = [
        Binding("enter", "start", "Start lesson 1", id="welcome-start"),
        Binding("escape", "dismiss", "Trade freely", id="welcome-skip"),
        Binding("q", "app.quit", "Quit", id="welcome-quit"),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with Vertical(id="welcome", classes="dialog wide"):
            yield Static(Content.styled("Welcome to ADL Sandbox", "bold"))
            yield Static(
                "Paper-trade a perpetual future and watch what leverage, liquidation, the "
                "insurance fund and auto-deleveraging do to your position.",
                markup=False,
            )
            yield Static(
                Content.assemble(
                    ("New here? ", "bold"),
                    f"Lesson {lesson.number}, {lesson.title.lower()}, takes a few minutes "
                    "at the keyboard; the market waits for you at every step.",
                )
            )
            yield Static(
                Content.assemble(
                    ("enter", "bold $accent"),
                    " start the lesson    ",
                    ("esc", "bold $accent"),
                    " trade freely    ",
                    ("ctrl+p", "bold $accent"),
                    " every lesson, any time",
                )
            )

    def action_start(self) -> None:
        lesson = self.lesson
        self.dismiss()
        self.app.switch_lesson(lesson)
