"""Your trade history: every fill (an order's fills on one row), fee, funding payment,
liquidation and ADL, with the PnL each realized and the session's totals — while the
market waits. Read from the app's ``trade_log`` (the engine's events, kept as they came).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.frames import Frame
from engine.units import format_moment
from tui.app import text
from tui.app.screens.reading import ReadingScreen, title
from tui.app.trade_log import KEPT, HistoryRow, TradeLog

COLUMNS = (("What", 12), ("Side", 4), ("Size", 7), ("Price", 10))
COLUMNS += (("Fee", 7), ("Realized", 9), ("Funding", 8))
EMPTY = "No trades yet: your fills, fees, funding and realized PnL will be listed here."


class HistoryScreen(ReadingScreen):
    DEFAULT_CSS = """
    HistoryScreen #history { height: 90%; }
    HistoryScreen .section { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="history-close"),
        Binding("h", "dismiss", "Close", show=False, id="history-toggle"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drawn: tuple[int, object] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history", classes="dialog wide"):
            yield Static(title("Your trade history"))
            yield Static(id="history-totals")
            yield Static(id="history-rows")

    def on_mount(self) -> None:
        if self.app.frame is not None:
            self.update_view(self.app.frame)

    def update_view(self, frame: Frame) -> None:
        """Redraw when the history has grown (the app hands this screen every frame)."""
        log: TradeLog = self.app.trade_log  # the app's, for the session on the screen
        rows = tuple(log.rows)
        if self.drawn == (len(rows), rows[-1] if rows else None):
            return
        self.drawn = (len(rows), rows[-1] if rows else None)
        totals = log.totals
        self.query_one("#history-totals", Static).update(
            Content.assemble(
                ("Since the session began: ", "dim"),
                f"realized {text.signed_money(totals.realized)} · fees "
                f"{text.money(totals.fees)} · funding {text.signed_money(totals.funding)} · ",
                (f"net {text.signed_money(totals.net)} {frame.instrument.quote}", "bold"),
            )
        )
        self.query_one("#history-rows", Static).update(
            Content("\n").join(history_lines(rows, frame))
        )


def history_lines(rows: tuple[HistoryRow, ...], frame: Frame) -> list[Content]:
    """The rows newest first under their column titles."""
    if not rows:
        return [Content.styled(EMPTY, "dim")]
    moments = [format_moment(row.time, frame.dated) for row in rows]
    width = max(len("Time"), *(len(m) for m in moments))
    header = f"{'Time':<{width}} " + " ".join(f"{label:>{w}}" for label, w in COLUMNS)
    lines = [Content.styled(header, "bold")]
    for row, moment in zip(reversed(rows), reversed(moments), strict=True):
        cells = row_cells(row, frame)
        body = " ".join(f"{cell:>{w}}" for cell, (_, w) in zip(cells, COLUMNS, strict=True))
        lines.append(Content(f"{moment:<{width}} {body}"))
    if len(rows) == KEPT:
        lines.append(Content.styled(f"(the newest {KEPT} rows; the totals count them all)", "dim"))
    return lines


def row_cells(row: HistoryRow, frame: Frame) -> list[str]:
    i = frame.instrument
    what = f"{row.kind} {row.role}".strip()
    return [
        what,
        {1: "buy", -1: "sell"}.get(row.side, ""),
        text.qty(i, row.qty) if row.qty else "",
        text.price(i, row.price) if row.price is not None else "",
        text.money(row.fee) if row.fee else "",
        text.signed_money(row.realized) if row.realized else "",
        text.signed_money(row.funding) if row.funding else "",
    ]
