"""The price chart: mark and index over time, the user's liquidation and entry prices as
lines, and markers under the columns where liquidations and ADL happened.

Each column is a bucket of engine steps: the mark's range in the bucket as a bar,
its last mark as a dot, the index as a faint dot. A liquidation price far off the
visible range is named at the edge rather than squashing the chart.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

from rich.style import Style

from engine.instrument import Instrument
from engine.units import format_duration, format_moment
from tui.app import legend, text
from tui.app.history import ADL, LIQUIDATION, OWN_ADL, OWN_LIQUIDATION, Column, PriceHistory
from tui.app.widgets.canvas import LineCanvas, Piece, Row

AXIS = 11  # width of the price labels on the left
REACH = 0.15  # a reference line farther than this from the mark is off chart
LIQ = "liq"  # the liquidation line's label


class PriceChart(LineCanvas):
    DEFAULT_CSS = """
    PriceChart { height: 1fr; min-height: 6; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: PriceHistory | None = None
        self.instrument: Instrument | None = None
        self.liquidation: Fraction | None = None
        self.entry: Fraction | None = None
        self.side = 0  # the position's: its liquidation price is labelled on the mark's side
        self.dated = False

    def show(
        self,
        history: PriceHistory,
        instrument: Instrument,
        liquidation: Fraction | None,
        entry: Fraction | None,
        dated: bool = False,
        side: int = 0,
    ) -> None:
        """``dated``: the feed's times are real dates (``Frame.dated``); ``side``: the
        position's, whose liquidation price is labelled as the row shows it."""
        self.history, self.instrument = history, instrument
        self.liquidation, self.entry, self.dated = liquidation, entry, dated
        self.side = side
        self.draw()

    def on_resize(self) -> None:
        """A legend of every symbol the chart draws, as its title, as long as fits."""
        self.border_title = legend.title(legend.PRICE_CHART, self.size.width - 4)
        super().on_resize()

    def draw(self) -> None:
        width, height = self.size
        if self.history is None or width <= AXIS + 2 or height < 3:
            return
        columns = self.history.columns(width - AXIS)
        if not columns:
            self.paint([(("  waiting for the first price…", self.app.tones.muted),)])
            return
        span = format_duration(self.history.span(width - AXIS))
        self.border_subtitle = self._axis_end()
        self.paint(Plot(self, columns, width - AXIS, height - 1, span).rows())

    def _axis_end(self) -> str:
        """A replay of real data is read against the calendar: the bottom edge names the
        moment the time axis ends at (the span on its left says how far back it goes)."""
        if not self.dated or self.history is None or not self.history.times:
            return ""
        return format_moment(self.history.times[-1], True)


class Plot:
    """One frame of the chart as rows of cells, then as pieces of equal style."""

    def __init__(
        self, chart: PriceChart, columns: list[Column], width: int, height: int, span: str
    ) -> None:
        self.chart, self.columns, self.height, self.span = chart, columns, height, span
        self.tones = chart.app.tones
        self.width = width
        last = columns[-1].mark
        low = min(min(c.low, c.index) for c in columns)
        high = max(max(c.high, c.index) for c in columns)
        self.lines = [  # (where to draw it, the exact price for its label, label, style)
            (float(price), price, label, style)
            for price, label, style in (
                (chart.liquidation, LIQ, self.tones.down),
                (chart.entry, "entry", self.tones.accent),
            )
            if price is not None
        ]
        for price, _, _, _ in self.lines:
            if abs(price - last) <= REACH * last:
                low, high = min(low, price), max(high, price)
        pad = max((high - low) / 20, 1)
        self.low, self.high = float(low - pad), float(high + pad)
        self.scale = (height - 1) / (self.high - self.low)
        self.chars = [[" "] * self.width for _ in range(height)]
        self.styles: list[list[Style | None]] = [[None] * self.width for _ in range(height)]

    def y(self, price: float) -> int:
        """The row of a price (geometry only: floats are fine here, never in the ledger)."""
        return min(self.height - 1, max(0, round((self.high - price) * self.scale)))

    def rows(self) -> list[Row]:
        colors = self.tones
        notes = []
        for price, exact, label, style in self.lines:
            y = self.y(price)
            if self.low <= price <= self.high:
                line = legend.LIQ_LINE if label == LIQ else legend.ENTRY_LINE
                self.chars[y] = [line.char] * self.width
                self.styles[y] = [style] * self.width
            where = ""
            if not self.low <= price <= self.high:
                where = f" {(legend.BELOW if price < self.low else legend.ABOVE).char}"
            notes.append((y, f"{label} {self._label(label, exact)}{where}", style))
        chars, styles, y_of = self.chars, self.styles, self.y
        muted, primary, bright = colors.muted, colors.primary, colors.text
        dot, bar, last = legend.INDEX.char, legend.RANGE.char, legend.MARK.char
        for x, (low, high, mark, index, _) in enumerate(self.columns):
            y = y_of(index)
            chars[y][x], styles[y][x] = dot, muted
            for y in range(y_of(high), y_of(low) + 1):
                chars[y][x], styles[y][x] = bar, primary
            y = y_of(mark)
            chars[y][x], styles[y][x] = last, bright
        for y, note, style in notes:
            note = note[: self.width]
            start = max(0, self.width - len(note) - 1)
            chars[y][start : start + len(note)] = list(note)
            styles[y][start : start + len(note)] = [style] * len(note)
        return [self._row(y) for y in range(self.height)] + [
            markers(self.columns, self.tones, self.span)
        ]

    def _label(self, label: str, exact: Fraction) -> str:
        """The liquidation line is labelled by the one rule of a liquidation price."""
        if label == LIQ:
            return text.threshold(self.chart.instrument, self.chart.side, exact)
        return text.price(self.chart.instrument, exact)

    def _row(self, y: int) -> Row:
        label = ""
        if y in (0, self.height - 1, self.height // 2):
            price = self.high - (self.high - self.low) * y / max(1, self.height - 1)
            label = text.price(self.chart.instrument, round(price))
        axis: Piece = (
            f"{label:>{AXIS - 2}} ┤" if label else " " * (AXIS - 1) + "│",
            self.tones.muted,
        )
        return (axis, *runs(self.chars[y], self.styles[y]))


def markers(columns, colors, span: str) -> Row:
    """The row under a chart: what happened in each column (``legend.MARKERS``), the
    user's own in inverse; the time the chart spans on its axis."""
    chars: list[str] = []
    styles: list[Style | None] = []
    for column in columns:
        flags = column.flags
        char, style = " ", None
        if flags & (ADL | OWN_ADL):
            char, style = legend.ADL.char, colors.accent
        if flags & (LIQUIDATION | OWN_LIQUIDATION):
            both = char == legend.ADL.char
            char, style = (legend.BOTH if both else legend.LIQUIDATION).char, colors.down
        if flags & (OWN_LIQUIDATION | OWN_ADL):
            style = (style or colors.down) + Style(reverse=True, bold=True)
        chars.append(char)
        styles.append(style)
    return ((f"{span:>{AXIS - 2}} └", colors.muted), *runs(chars, styles), ("", None))


def runs(chars: list[str], styles: list[Style | None]) -> list[Piece]:
    """Cells merged into pieces of one style."""
    cuts = [0, *(x for x in range(1, len(styles)) if styles[x] is not styles[x - 1]), len(styles)]
    return [("".join(chars[a:b]), styles[a]) for a, b in pairwise(cuts) if b > a]
