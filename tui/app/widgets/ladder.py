"""The order-book ladder: asks above, bids below, the spread between.

Each level shows its price, size and cumulative depth, and two bars drawn in their
own characters, so they read without colour: ``█`` the level's size against the
largest level shown (one deep level stands out at once), then ``░`` the depth up to
the level against the deeper side's total (the book's shape). Side by side, each on
its own scale: on one scale a level is a tenth of the depth, and every size bar was
one cell wide. The user's own resting orders are marked. Built on ``LineCanvas``: a
new book repaints only the levels that changed.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.instrument import Instrument
from engine.views import BookView
from tui.app import legend, text
from tui.app.widgets.canvas import LineCanvas, Piece, Row

PRICE, SIZE, TOTAL = 10, 9, 10  # column widths
OWN_MARK = legend.OWN_ORDER.char


class BookLadder(LineCanvas):
    DEFAULT_CSS = """
    BookLadder { width: 44; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book: BookView | None = None
        self.instrument: Instrument | None = None
        self.total = TOTAL  # the running total's width; 0 when the book is too slim for it

    @property
    def levels(self) -> int:
        """Levels shown on each side: what to ask the engine for."""
        return max(1, (self.size.height - 2) // 2)

    def show(self, book: BookView, instrument: Instrument) -> None:
        if book == self.book and instrument is self.instrument:
            self.repainted = 0  # a quiet step: nothing to lay out
            return
        self.book, self.instrument = book, instrument
        self.draw()

    def draw(self) -> None:
        book, i = self.book, self.instrument
        if book is None or i is None or not self.size.height:
            return
        colors = self.app.tones
        n = self.levels
        asks, bids = book.asks[:n], book.bids[:n]
        scale = _Scale(
            biggest=max((lots for _, lots in asks + bids), default=1),
            deepest=max(_depth(asks)[-1:] + _depth(bids)[-1:] or [1]),
        )
        room = self.size.width - 4 - PRICE - SIZE  # inside the border, after mark, price, size
        self.total = TOTAL if room >= TOTAL else 0  # a slim book drops the running total
        bar = max(0, room - self.total + 2)
        subtitle = legend.pairs(legend.BOOK) if bar > 1 else ""
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle  # what the bars mean, where they are drawn
        total = f"{'Total':>{TOTAL}}" if self.total else ""
        header = f"  {'Price':>{PRICE}}{'Size':>{SIZE}}{total}"
        rows: list[Row] = [((header, colors.muted),)]
        ask_rows = [
            self._level(p, lots, cum, book, colors.down, colors.down_depth, bar, scale)
            for (p, lots), cum in zip(asks, _depth(asks), strict=True)
        ]
        rows += [()] * (n - len(ask_rows)) + ask_rows[::-1]
        rows.append(self._spread(book, colors))
        rows += [
            self._level(p, lots, cum, book, colors.up, colors.up_depth, bar, scale)
            for (p, lots), cum in zip(bids, _depth(bids), strict=True)
        ]
        self.paint(rows)

    def _level(self, price, lots, cumulative, book, side_style, depth_style, bar, scale):
        i = self.instrument
        own = price in book.own_orders
        mark = (f"{OWN_MARK} ", self.app.tones.accent) if own else ("  ", None)
        numbers: list[Piece] = [
            mark,
            (f"{text.price(i, price):>{PRICE}}", side_style),
            (f"{text.qty(i, lots):>{SIZE}}", self.app.tones.accent if own else None),
        ]
        if self.total:
            numbers.append((f"{text.qty(i, cumulative):>{TOTAL}}", self.app.tones.muted))
        if bar <= 1:
            return tuple(numbers)
        size_room, depth_room = _split(bar - 1)
        size = _cells(lots, scale.biggest, size_room)
        pieces = [*numbers, (" ", None), (legend.SIZE_BAR.char * size, side_style + depth_style)]
        if depth_room:
            depth = _cells(cumulative, scale.deepest, depth_room)
            gap = " " * (size_room - size + 1)
            pieces += [(gap, None), (legend.DEPTH_BAR.char * depth, side_style)]
        return tuple(pieces)

    def _spread(self, book: BookView, colors) -> Row:
        i = self.instrument
        if book.spread is None:
            return (("  one side of the book is empty", colors.warn),)
        mid = (book.asks[0][0] + book.bids[0][0]) / 2
        rel = text.percent(book.spread / mid * 1_000_000, 3)
        last = text.price(i, book.last) if book.last is not None else "—"
        spread = f"  spread {text.price(i, book.spread)}"
        if len(f"  last {last}{spread} ({rel})") <= self.size.width - 2:
            spread += f" ({rel})"  # the relative spread, where it fits
        return ((f"  last {last}", colors.text), (spread, colors.muted))


class _Scale(NamedTuple):
    """The two bars' scales for one book: the largest level shown and the deeper side."""

    biggest: int
    deepest: int


def _split(cells: int) -> tuple[int, int]:
    """The size bar's room and the depth bar's, a space between; a book too slim for
    two bars of two cells or more keeps the size bar alone."""
    if cells < 5:
        return cells, 0
    size = cells // 2
    return size, cells - size - 1


def _cells(amount: int, scale: int, room: int) -> int:
    """A bar's length: at least a cell, so the smallest level still shows."""
    return max(1, round(amount * room / scale))


def _depth(levels: tuple[tuple[int, int], ...]) -> list[int]:
    total, out = 0, []
    for _, lots in levels:
        total += lots
        out.append(total)
    return out
