"""The insurance fund's page: its equity over time against the ADL floor, what the
backstop holds for it now, and how money moved in and out — while the market waits.

The chart reads the history the market records at every engine step (so a crash at
full speed keeps every dip); the words read the frame's market view and the fund's
latest movements, worded as the event log words them. ``space`` runs the market from
here to watch the fund move; each frame redraws the page.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.frames import Frame
from tui.app import fund_words, legend
from tui.app.screens.reading import ReadingScreen, title
from tui.app.widgets.fund_chart import FundChart


class FundScreen(ReadingScreen):
    DEFAULT_CSS = """
    FundScreen #fund { height: 90%; }
    FundScreen FundChart { height: 14; min-height: 8; }
    FundScreen .legend, FundScreen .section { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="fund-close"),
        Binding("f", "dismiss", "Close", show=False, id="fund-toggle"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="fund", classes="dialog wide"):
            yield Static(title("The insurance fund"))
            yield FundChart(id="fund-chart")
            yield Static(legend.line(legend.FUND_CHART), classes="legend")
            yield Static(id="fund-standing")
            yield Static(id="fund-held")
            yield Static(id="fund-flows")

    def on_mount(self) -> None:
        if self.app.frame is not None:
            self.update_view(self.app.frame)

    def update_view(self, frame: Frame) -> None:
        """Redraw from a frame (the app hands this screen every frame while it is on top)."""
        self.query_one(FundChart).show(self.app.market.history)
        self.query_one("#fund-standing", Static).update(
            as_content(fund_words.standing(frame), "Now")
        )
        self.query_one("#fund-held", Static).update(
            as_content(fund_words.held_lines(frame), "What the backstop holds for the fund")
        )
        moves = self.moves()
        flows = fund_words.flow_lines(frame) + (["  latest:", *moves] if moves else [])
        self.query_one("#fund-flows", Static).update(as_content(flows, "Money in and out"))

    def moves(self) -> list[str]:
        """The fund's latest movements, newest first, as the event log words them."""
        describer = self.app.describer
        if describer is None:
            return []
        lines = (describer.line(e) for e in reversed(self.app.market.history.fund_moves))
        return [f"    {line.time}  {line.text}" for line in lines if line is not None]


def as_content(lines: list[str], heading: str) -> Content:
    """A section: its heading in bold, then plain lines (never parsed as markup)."""
    return Content("\n").join([Content(""), Content.styled(heading, "bold"), *map(Content, lines)])
