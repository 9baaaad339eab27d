"""The lesson panel: the story, the step at hand, what to do, the hint and the verdict.

It sits above the chart while a lesson runs and is hidden otherwise. Its lines come
from ``LessonGuide.lines`` (words and a tone each), so the panel only paints them; it
wraps at word boundaries, never mid-word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:  # the guide loads with a lesson, not with the app
    from tui.app.lesson_guide import Line


class LessonPanel(Static):
    DEFAULT_CSS = """
    LessonPanel {
        display: none;
        height: auto;
        max-height: 16;
        padding: 0 1;
        border: round $accent;
        border-title-color: $text;
    }
    LessonPanel.-on { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Line] = []

    def show(self, lines: list[Line]) -> None:
        self.set_class(True, "-on")
        if lines != self._lines:
            self._lines = lines
            self.update(self._text())

    def restyle(self) -> None:
        if self._lines:
            self.update(self._text())

    def _text(self) -> Text:
        c = self.app.tones
        bold = Style(bold=True)
        tones = {
            "": c.text,
            "strong": c.text + bold,
            "muted": c.muted,
            "up": c.up,
            "down": c.down,
            "accent": c.accent + bold,
        }
        out = Text()
        for n, (words, tone) in enumerate(self._lines):
            if n:
                out.append("\n")
            out.append(words, tones.get(tone, c.text))
        return out
