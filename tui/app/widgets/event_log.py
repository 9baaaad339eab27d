"""The event log: a bounded buffer of worded events, newest on top.

Drawn as a ``LineCanvas``: a frame's new lines go in with one call and only the
visible rows are laid out. The buffer keeps the last ``LIMIT`` lines; the mouse
wheel scrolls back through them (a new line then leaves the view where it is).
No virtual size changes hands with Textual, so a busy market never costs a
layout pass. The user's own events stand out; their liquidation or ADL is set
on a red ground.

``tab`` gives the log the keys: ↑/↓ pick a line (the view holds still while new
lines arrive, so the one picked stays put), page up/down and home/end scroll,
``enter`` opens the picked line in full (a row is cut at the log's width), ``y``
keeps only the user's own events (the border title says so), ``esc`` gives the
keys back to the trading screen.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType

from tui.app.log_lines import ALARM, GAIN, LOSS, MARKET, OWN, LogLine
from tui.app.widgets.canvas import LineCanvas, Row

LIMIT = 1000
TITLES = {False: "Events (newest first)", True: "Your events only (newest first)"}
HINTS = {False: "tab: scroll, read, filter", True: "esc: back to trading"}
PICKED = Style(reverse=True)  # the picked line, seen without colour


class EventLog(LineCanvas):
    DEFAULT_CSS = """
    EventLog { height: 1fr; min-height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Newer", show=False, id="log-newer"),
        Binding("down", "move(1)", "Older", show=False, id="log-older"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="log-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="log-page-down"),
        Binding("home", "move(-1_000_000)", "Newest", show=False, id="log-newest"),
        Binding("end", "move(1_000_000)", "Oldest", show=False, id="log-oldest"),
        Binding("enter", "read", "Whole line", id="log-read", tooltip="the picked line in full"),
        Binding(
            "y", "mine", "Yours/all", id="log-mine", tooltip="only your own events, or all again"
        ),
        Binding("escape", "leave", "Back", id="log-leave", tooltip="the keys back to trading"),
    ]

    can_focus = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: deque[LogLine] = deque(maxlen=LIMIT)
        self.mine: deque[LogLine] = deque(maxlen=LIMIT)  # the user's own, for "yours only"
        self.mine_only = False
        self.back = 0  # lines scrolled back from the newest shown
        self.cursor = 0  # the picked line, counted from the newest shown (while focused)
        self.reading = False  # the log has the keys (focus): the view holds still

    @property
    def shown(self) -> deque[LogLine]:
        """The lines the log shows: all of them, or only the user's own."""
        return self.mine if self.mine_only else self.entries

    def add(self, lines: list[LogLine]) -> None:
        """Put a frame's lines on top (the last of them newest)."""
        if not lines:
            return
        self.entries.extendleft(lines)
        own = [line for line in lines if line.mine]
        self.mine.extendleft(own)
        new = len(own) if self.mine_only else len(lines)
        if new and (self.back or self.reading):  # reading: keep the lines in place
            self.back = min(self.back + new, self._last_offset())
            self.cursor = min(self.cursor + new, len(self.shown) - 1)
        self.draw()

    def clear(self) -> None:
        self.entries.clear()
        self.mine.clear()
        self.back = self.cursor = 0
        self.draw()

    def scroll_by(self, lines: int) -> None:
        self.back = max(0, min(self.back + lines, self._last_offset()))
        self.draw()

    def on_mouse_scroll_down(self) -> None:
        self.scroll_by(3)

    def on_mouse_scroll_up(self) -> None:
        self.scroll_by(-3)

    # -- the keys, once the log has focus -----------------------------------------------------

    def on_focus(self) -> None:
        self.cursor = min(self.back, max(0, len(self.shown) - 1))  # the top line shown
        self._read(True)

    def on_blur(self) -> None:
        self._read(False)

    def _read(self, reading: bool) -> None:
        self.reading = reading
        self.border_subtitle = HINTS[reading]
        self.draw()

    def action_move(self, lines: int) -> None:
        self.cursor = max(0, min(self.cursor + lines, len(self.shown) - 1))
        self._follow()
        self.draw()

    def action_page(self, pages: int) -> None:
        self.action_move(pages * max(1, self.size.height - 2))

    def action_read(self) -> None:
        if self.shown:
            from tui.app.screens.log_line import LogLineScreen

            self.app.push_screen(LogLineScreen(self.shown[self.cursor]))

    def action_mine(self) -> None:
        self.mine_only = not self.mine_only
        self.back = self.cursor = 0  # the other list: from its newest line
        self.border_title = TITLES[self.mine_only]
        self.draw()

    def action_leave(self) -> None:
        self.screen.set_focus(None)

    def _follow(self) -> None:
        """Scroll so the picked line is in view (below the "newer lines" row, if any)."""
        if self.cursor < self.back or self.cursor == 0:
            self.back = self.cursor
        elif self.cursor >= self.back + self._room(self.back):
            self.back = self.cursor - self.size.height + 2

    def on_mount(self) -> None:
        self.border_title = TITLES[self.mine_only]
        self.border_subtitle = HINTS[False]
        # the trading screen's keys stay the app's until the user tabs here: no panel
        # takes focus by itself, at start or when a dialog closes
        self.screen.AUTO_FOCUS = ""

    # -- drawing ------------------------------------------------------------------------------

    def _room(self, back: int) -> int:
        """Lines shown from ``back``: the first row says how many newer ones are above."""
        return max(1, self.size.height - (1 if back else 0))

    def _last_offset(self) -> int:
        return max(0, len(self.shown) - self._room(1))

    def draw(self) -> None:
        height, width = self.size.height, self.size.width
        if not height:
            return
        tones, shown = self._tones(), self.shown
        end = min(len(shown), self.back + self._room(self.back))
        picked = self.cursor if self.reading else -1
        rows: list[Row] = [_row(shown[n], width, tones, n == picked) for n in range(self.back, end)]
        if self.back:
            rows.insert(0, ((f"  ↑ {self.back} newer line(s): scroll up", tones[OWN]),))
        elif not rows and self.mine_only:
            rows = [(("  nothing of yours yet: y shows every event", tones[""]),)]
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
        return "\n".join(f"{e.time} {e.text}" for e in self.shown)


def _row(entry: LogLine, width: int, tones: dict[str, Style], picked: bool = False) -> Row:
    body = entry.text
    room = max(0, width - len(entry.time) - 1)
    if len(body) > room:
        body = body[: max(0, room - 1)] + "…"
    elif entry.tone == ALARM or picked:
        body = body.ljust(room)  # the red ground (or the picked line's) spans the row
    style = tones[entry.tone] + PICKED if picked else tones[entry.tone]
    return ((f"{entry.time} ", tones[""]), (body, style))
