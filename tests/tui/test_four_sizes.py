"""The trading screen at 80×24, 100×30, 120×36 and 160×48: no line wider than the
terminal, no word cut, and a footer with every key that fits, pause, explain, help
and quit first."""

from __future__ import annotations

import pytest

from tui.app.bindings import APP_BINDINGS
from tui.app.widgets.footer import FittingFooter, fitting

from .helpers import drive, paused_app, screen_text, seen

SIZES = ((80, 24), (100, 30), (120, 36), (160, 48))
FIRST = {"space Pause", "e Explain", "? Help", "q Quit"}
# the keys each size shows, at least (the rest as room allows)
SHOWN = {
    80: FIRST | {"b Buy", "s Sell"},
    100: FIRST | {"b Buy", "s Sell", "n Step", "d Incident"},
    120: FIRST | {"n Step", "d Incident", "[ Slower", "] Faster"},
    160: FIRST | {"n Step", "d Incident", "[ Slower", "] Faster", "l Leverage"},
}
WHOLE = (  # words that must be found whole, never cut at an edge or wrapped inside
    "ADL PnL × leverage, at bankruptcy, fund empty",
    "mark fair price",
    "Events (newest first)",
    "Your position",
    "❚❚ paused",
)


def footer_keys(app) -> list[str]:
    footer = app.screen.query_one(FittingFooter)
    return [f"{key.key_display} {key.description}" for key in footer.query("FooterKey")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_size_fits_its_lines_words_and_keys(size):
    width, height = size
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("B")  # a position: the panel's widest rows
        await pilot.resize_terminal(width, height)
        app.render_frame()
        await seen(pilot)
        await pilot.pause()
        screen = screen_text(app)
        rows = screen.splitlines()
        assert len(rows) == height and all(len(row) <= width for row in rows)
        for words in WHOLE:
            assert words in screen, words
        if width >= 100:  # the book, with its legend
            assert "Order book" in screen and "█ size  ░ depth  ▶ yours" in screen
        keys = footer_keys(app)
        assert SHOWN[width] <= set(keys)
        descriptions = {b.description for b in APP_BINDINGS} | {"palette"}
        assert all(key.split(" ", 1)[1] in descriptions for key in keys)  # none cut
        assert rows[-1].rstrip().endswith("^p palette")  # the footer's last key, whole

    drive(app, script, size=(160, 48))


def test_the_footer_keeps_the_first_keys_when_room_is_scarce():
    # (width, rank): the first ranked kept; one too wide is left out, the next still fits
    assert fitting([(10, 3), (8, 0), (30, 1), (5, 2)], room=25) == [1, 3, 0]
