"""The book's bars read without colour: the size bar grows with the level's size, and
the depth shows past it in its own character."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from engine.instrument import load_instrument
from engine.views import BookView
from tui.app import legend
from tui.app.colors import Colors
from tui.app.widgets.ladder import BookLadder

SIZE, DEPTH = legend.SIZE_BAR.char, legend.DEPTH_BAR.char


class LadderOnly(App[None]):
    """The ladder alone, fed a hand-made book (the app's colours, no session)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.tones = Colors.from_variables({})
        self.width = width

    def compose(self) -> ComposeResult:
        ladder = BookLadder(id="ladder")
        ladder.styles.width = self.width
        yield ladder


def drawn(book: BookView, width: int = 44) -> list[str]:
    """The ladder's rows for ``book``."""
    app = LadderOnly(width)
    rows: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(60, 12)) as pilot:
            ladder = app.query_one(BookLadder)
            ladder.show(book, load_instrument())
            await pilot.pause()
            rows.extend(ladder.text.splitlines())
            rows.append(str(ladder.border_subtitle))

    asyncio.run(main())
    return rows


def row_at(rows: list[str], price: str) -> str:
    return next(row for row in rows if price in row)


def bars(row: str) -> tuple[int, int]:
    """A row's size bar and depth bar, in cells."""
    return row.count(SIZE), row.count(DEPTH)


def test_a_level_twice_the_size_draws_a_size_bar_twice_as_long():
    # 50,010.0 holds 1.000, 50,011.0 holds 2.000 (lots of 0.001), 50,012.0 1.000 again
    asks = ((500_100, 1000), (500_110, 2000), (500_120, 1000))
    rows = drawn(BookView(bids=((500_000, 250),), asks=asks, last=None))
    (small, near), (big, middle), (far_size, far) = (
        bars(row_at(rows, price)) for price in ("50,010.0", "50,011.0", "50,012.0")
    )
    assert big == 2 * small > 1 and far_size == small  # the size: its own scale
    assert 1 <= near < middle < far  # the depth grows away from the spread, in ░
    assert far == 5  # the deeper side's whole depth fills its bar (12 cells: 6, a gap, 5)
    assert rows[-1] == "█ size  ░ depth  ▶ yours"  # the legend under the book


def test_the_slim_book_keeps_both_bars_without_the_running_total():
    book = BookView(bids=((500_000, 500),), asks=((500_100, 1000),), last=None)
    rows = drawn(book, width=31)
    assert "Total" not in rows[0]
    (big, ask_depth), (small, bid_depth) = (
        bars(row_at(rows, "50,010.0")),
        bars(row_at(rows, "50,000.0")),
    )
    assert (big, small) == (4, 2) and (ask_depth, bid_depth) == (4, 2)
    assert all(len(row) <= 31 for row in rows[:-1])
