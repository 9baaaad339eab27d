"""An exception from the engine becomes a notification and pauses the market: no crash."""

from __future__ import annotations

from .helpers import drive, paused_app, seen


def test_an_engine_exception_pauses_the_market_and_is_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))  # its crash file goes there
    app = paused_app(steps=10)

    def broken() -> bool:
        raise RuntimeError("the feed broke")

    async def script(pilot):
        await pilot.press("space")
        assert not app.market.paused
        app.market.step = broken
        await pilot.press("n")
        screen = await seen(pilot)
        assert app.is_running and app.market.paused
        assert "Engine error" in screen and "RuntimeError: the feed broke" in screen
        app._last_tick -= 1.0
        app.tick()  # paused now: the timer does not call the engine again
        await pilot.press("]", "b", "escape")  # the app still answers keys
        assert app.market.speed == 2

    drive(app, script)
