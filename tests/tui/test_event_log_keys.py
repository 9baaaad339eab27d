"""The event log at the keyboard: tab gives it the keys, ↑/↓ pick a line, page keys
scroll, enter opens the picked line in full, y keeps only the user's own events."""

from __future__ import annotations

from tui.app.log_lines import MARKET, OWN, LogLine
from tui.app.screens.log_line import LogLineScreen
from tui.app.widgets.event_log import TITLES

from .helpers import drive, paused_app, screen_text, seen

LONG = "a long line about the market " * 8  # wider than the log


def lines(count: int) -> list[LogLine]:
    """Market lines with one of the user's every fifth, the last the newest."""
    return [
        LogLine(f"07:{n // 60:02}:{n % 60:02}", f"line {n}" + (" (yours)" if n % 5 == 0 else ""),
                OWN if n % 5 == 0 else MARKET, n % 5 == 0)
        for n in range(count)
    ]  # fmt: skip


def test_tab_gives_the_log_the_keys_and_the_arrows_scroll_it():
    app = paused_app(steps=5)

    async def script(pilot):
        log = app.log_view
        log.clear()
        log.add(lines(100))
        assert not log.has_focus  # at start the keys are the trading screen's
        await pilot.press("tab")
        assert log.has_focus and log.cursor == 0
        await pilot.press("down", "down", "down")
        assert log.cursor == 3 and "line 96" in log.row_text(3)
        await pilot.press("pagedown")
        assert log.back > 0 and log.cursor > 3
        assert f"line {99 - log.cursor}" in (await seen(pilot))  # the picked line is in view
        log.add(lines(1))  # a new line while reading: the view holds still
        assert f"line {99 - log.cursor + 1}" in log.shown[log.cursor].text
        await pilot.press("home")
        assert log.cursor == 0 and log.back == 0
        await pilot.press("escape")
        assert not log.has_focus

    drive(app, script)


def test_y_keeps_only_the_users_events_and_the_border_title_says_so():
    app = paused_app(steps=5)

    async def script(pilot):
        log = app.log_view
        log.clear()
        log.add(lines(20))
        await pilot.press("tab", "y")
        assert log.mine_only and log.border_title == TITLES[True]
        assert [line.text for line in log.shown] == [f"line {n} (yours)" for n in (15, 10, 5, 0)]
        screen = await seen(pilot)
        assert "Your events only" in screen and "line 14" not in screen
        await pilot.press("y")
        assert not log.mine_only and log.border_title == TITLES[False] and len(log.shown) == 20

    drive(app, script)


def test_enter_opens_the_picked_line_in_full_and_escape_closes_it():
    app = paused_app(steps=5)

    async def script(pilot):
        log = app.log_view
        log.clear()
        log.add([LogLine("07:00:01", LONG.strip(), MARKET), LogLine("07:00:02", "short", OWN)])
        assert "…" in log.row_text(1)  # cut at the log's width
        await pilot.press("tab", "down", "enter")
        await seen(pilot)
        assert isinstance(app.screen, LogLineScreen) and app.market.paused
        page = app.screen.query_one("#log-line-text").render()
        assert LONG.strip() in str(page).replace("\n", " ")
        await pilot.press("escape")
        await seen(pilot)
        assert not isinstance(app.screen, LogLineScreen)

    drive(app, script)


def test_at_80_columns_the_focused_log_keeps_pause_explain_help_and_quit_in_the_footer():
    app = paused_app(steps=5)

    async def script(pilot):
        await pilot.press("tab")
        await seen(pilot)
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for key in ("space Pause", "e Explain", "? Help", "q Quit", "⏎ Whole line"):
            assert key in footer, footer
        assert app.log_view.border_subtitle == "esc: back to trading"

    drive(app, script, size=(80, 24))
