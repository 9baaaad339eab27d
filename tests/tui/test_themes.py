"""Every built-in theme, ANSI ones included, restyles the whole screen."""

from __future__ import annotations

import asyncio

from tests.tui.helpers import paused_app, screen_text


def test_every_theme_draws_the_screen():
    app = paused_app("calm", steps=20)

    async def cycle() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            for name in sorted(app.available_themes):
                app.theme = name
                await pilot.pause()
                app.render_frame()
                assert app.is_running, name
                assert "BTCUSDT" in screen_text(app), name

    asyncio.run(cycle())
