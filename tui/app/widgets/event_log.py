"""The event log: a bounded buffer of worded events, newest on top.

Drawn as a ``LineCanvas``: a frame's new lines go in with one call and only the
visible rows are laid out. The buffer keeps the last ``LIMIT`` lines; the mouse
wheel scrolls back through them (a new line then leaves the view where it is).
No virtual size changes hands with Textual, so a busy market never costs a
layout pass. The user's own events stand out; their liquidation or ADL is set
on a red ground.
"""

from __future__ import annotations

from collections import deque

from rich.style import Style

from tui.app.log_lines import ALARM, GAIN, LOSS, MARKET, OWN, LogLine
from tui.app.widgets.canvas import LineCanvas, Row

LIMIT = 1000


class EventLog(LineCanvas):
    DEFAULT_CSS = """
    EventLog { height: 1fr; min-height: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: deque[LogLine] = deque(maxlen=LIMIT)
        self.back = 0  # lines scrolled back from the newest

    def add(self, lines: list[LogLine]) -> None:
        """Put a frame's lines on top (the last of them newest)."""
        if not lines:
            return
        self.entries.extendleft(lines)
        if self.back:  # reading older lines: keep them in place
            self.back = min(self.back + len(lines), self._last_offset())
        self.draw()

    def clear(self) -> None:
        self.entries.clear()
        self.back = 0
        self.draw()

    def scroll_by(self, lines: int) -> None:
        self.back = max(0, min(self.back + lines, self._last_offset()))
        self.draw()

    def on_mouse_scroll_down(self) -> None:
        self.scroll_by(3)

    def on_mouse_scroll_up(self) -> None:
        self.scroll_by(-3)

    def _last_offset(self) -> int:
        return max(0, len(self.entries) - self.size.height)

    def draw(self) -> None:
        height, width = self.size.height, self.size.width
        if not height:
            return
        tones = self._tones()
        end = min(len(self.entries), self.back + height)
        rows: list[Row] = [_row(self.entries[n], width, tones) for n in range(self.back, end)]
        if self.back:
            rows[0] = ((f"  ↑ {self.back} newer line(s): scroll up", tones[OWN]),)
        self.paint(rows)

    def _tones(self) -> dict[str, Style]:
        c = self.app.tones
        return {
            OWN: c.own_row,
            ALARM: c.alarm_row,
            MARKET: c.text,
            GAIN: c.up,
            LOSS: c.down,
            "": c.muted,
        }

    @property
    def text(self) -> str:
        return "\n".join(f"{e.time} {e.text}" for e in self.entries)


def _row(entry: LogLine, width: int, tones: dict[str, Style]) -> Row:
    body = entry.text
    room = max(0, width - len(entry.time) - 1)
    if len(body) > room:
        body = body[: max(0, room - 1)] + "…"
    elif entry.tone == ALARM:
        body = body.ljust(room)  # the red ground spans the row
    return ((f"{entry.time} ", tones[""]), (body, tones[entry.tone]))
