"""The insurance fund's chart: its equity over time, its balance, and the ADL floor.

Drawn as the price chart is (``chart.py``), from the same history, bucketed the same
way, with the same markers underneath: a column is a bucket of engine steps, the
fund's equity range in it a bar, its last equity a dot, its balance a faint dot, and
the floor of the ADL trigger in force a line — where the fund stops paying and ADL
takes over. The floor moves with the trailing peak under ``fund_drawdown``, so each
column draws its own.
"""

from __future__ import annotations

from rich.style import Style

from engine.units import MONEY_SCALE, format_duration
from tui.app import legend, text
from tui.app.history import FundColumn, PriceHistory
from tui.app.widgets.canvas import LineCanvas, Piece, Row
from tui.app.widgets.chart import AXIS, markers, runs

WIDE = 100_000 * MONEY_SCALE  # from here the axis drops the cents to fit its width


class FundChart(LineCanvas):
    DEFAULT_CSS = """
    FundChart { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: PriceHistory | None = None

    def show(self, history: PriceHistory) -> None:
        self.history = history
        self.draw()

    def draw(self) -> None:
        width, height = self.size
        if self.history is None or width <= AXIS + 2 or height < 3:
            return
        columns = self.history.fund_columns(width - AXIS)
        if not columns:
            self.paint([(("  the fund's history starts with the next step…", None),)])
            return
        span = format_duration(self.history.span(width - AXIS))
        self.paint(FundPlot(self, columns, width - AXIS, height - 1, span).rows())


class FundPlot:
    """One frame of the fund's chart as rows of cells, then as pieces of equal style."""

    def __init__(
        self, chart: FundChart, columns: list[FundColumn], width: int, height: int, span: str
    ) -> None:
        self.columns, self.width, self.height, self.span = columns, width, height, span
        self.tones = chart.app.tones
        low = min(min(c.low, c.balance, c.floor) for c in columns)
        high = max(max(c.high, c.balance, c.floor) for c in columns)
        pad = max((high - low) // 20, MONEY_SCALE)
        self.low, self.high = (low - pad if low < 0 else max(0, low - pad)), high + pad
        self.scale = (height - 1) / (self.high - self.low)
        self.chars = [[" "] * width for _ in range(height)]
        self.styles: list[list[Style | None]] = [[None] * width for _ in range(height)]

    def y(self, money: int) -> int:
        """The row of an amount (geometry only: floats are fine here, never in the ledger)."""
        return min(self.height - 1, max(0, round((self.high - money) * self.scale)))

    def rows(self) -> list[Row]:
        tones, chars, styles, y_of = self.tones, self.chars, self.styles, self.y
        floor, dot = legend.FLOOR_LINE.char, legend.FUND_BALANCE.char
        bar, last = legend.FUND_RANGE.char, legend.FUND_EQUITY.char
        for x, (low, high, equity, balance, line, _) in enumerate(self.columns):
            y = y_of(line)
            chars[y][x], styles[y][x] = floor, tones.down
            y = y_of(balance)
            chars[y][x], styles[y][x] = dot, tones.muted
            for y in range(y_of(high), y_of(low) + 1):
                chars[y][x], styles[y][x] = bar, tones.primary
            y = y_of(equity)
            chars[y][x], styles[y][x] = last, tones.text
        note = f"ADL floor {text.money(self.columns[-1].floor)}"[: self.width]
        y, start = y_of(self.columns[-1].floor), max(0, self.width - len(note) - 1)
        chars[y][start : start + len(note)] = list(note)
        styles[y][start : start + len(note)] = [tones.down] * len(note)
        return [self._row(y) for y in range(self.height)] + [
            markers(self.columns, tones, self.span)
        ]

    def _row(self, y: int) -> Row:
        label = ""
        if y in (0, self.height - 1, self.height // 2):
            money = self.high - (self.high - self.low) * y / max(1, self.height - 1)
            label = text.money(round(money), 0 if abs(money) >= WIDE else 2)
        axis: Piece = (
            f"{label:>{AXIS - 2}} ┤" if label else " " * (AXIS - 1) + "│",
            self.tones.muted,
        )
        return (axis, *runs(self.chars[y], self.styles[y]))
