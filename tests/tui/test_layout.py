"""The screen adapts from 80×24 up: nothing crashes, the position and the log stay readable."""

from __future__ import annotations

from tui.app.widgets.positions import NARROW, WIDE

from .helpers import drive, paused_app, seen


def test_resizing_to_80_by_24_and_back_keeps_the_position_and_the_log_readable():
    """…and a theme switch after it redraws every panel in the new colours."""
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("B")
        position = app.session.exchange.account_view("you").position
        entry = f"{round(position.entry) / 10:,.1f}"
        wide = await seen(pilot)
        assert app.positions.columns is WIDE and app.ladder.display
        assert "Liq. price" in wide and entry in wide

        await pilot.resize_terminal(80, 24)
        app.run_steps(5)
        app.render_frame()
        narrow = await seen(pilot)
        assert app.size == (80, 24)
        assert not app.ladder.display and not app.chart.display  # the position and log get room
        assert app.positions.columns is NARROW
        lines = narrow.splitlines()
        assert all(len(line) <= 80 for line in lines)
        assert "long" in narrow and "0.020" in narrow and entry in narrow
        # the header names each line of the stacked cells: entry, mark, break-even…
        assert "Entry" in narrow and "Mark" in narrow and "BE" in narrow
        assert "uPnL" in narrow and "ROE" in narrow and "Realized" in narrow
        assert "filled buy 0.020" in narrow  # the log, below the position
        assert "BTCUSDT" in narrow and "❚❚ paused" in narrow

        await pilot.resize_terminal(160, 48)
        back = await seen(pilot)
        assert app.positions.columns is WIDE and app.ladder.display and app.chart.display
        assert "Liq. price" in back and entry in back and "spread" in back

        app.theme = "textual-light"  # the rows the app draws itself take the new colours
        light = await seen(pilot)
        assert app.tones.text.color.triplet != (0xE0, 0xE0, 0xE0)
        assert entry in light and "spread" in light and "filled buy 0.020" in light

    drive(app, script)


def test_the_ladder_repaints_only_the_rows_that_changed():
    app = paused_app(steps=30)

    async def script(pilot):
        app.render_frame()
        app.render_frame()
        assert app.ladder.repainted == 0  # nothing moved since the last frame
        bid = app.session.exchange.book_view(1).bids[0][0]
        app.session.submit("buy", "0.010", app.session.exchange.instrument.price_text(bid - 1))
        app.render_frame()
        rows = app.ladder.size.height
        assert 0 < app.ladder.repainted < rows  # the new level and the bids below it

    drive(app, script)


def test_at_100_by_30_the_book_slims_so_the_position_keeps_its_adl_lights():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("B")
        await pilot.resize_terminal(100, 30)
        app.run_steps(12)  # the lights are published every 10 s
        app.render_frame()
        screen = await seen(pilot)
        assert app.ladder.display and app.ladder.total == 0  # price and size, no total
        assert "Price     Size" in screen and "Total" not in screen and "spread" in screen
        assert app.positions.columns is NARROW and "uPnL       ADL" in screen
        assert "▮" in screen or "▯" in screen  # the lights, not cut off
        assert all(len(line) <= 100 for line in screen.splitlines())

    drive(app, script)
