"""The first run's welcome: enter opens lesson 1, esc leaves the market moving."""

from __future__ import annotations

from engine.lesson import find_lesson
from tui.app import SandboxApp
from tui.app.screens.welcome import WelcomeScreen

from .helpers import drive, screen_text, seen, session


def welcomed_app() -> SandboxApp:
    return SandboxApp(session("calm"), live=False, warmup=5, welcome=find_lesson("1"))


def test_enter_on_the_welcome_opens_lesson_1_paused():
    app = welcomed_app()

    async def script(pilot):
        assert isinstance(app.screen, WelcomeScreen) and app.market.paused
        words = screen_text(app)
        assert "Welcome to ADL Sandbox" in words and "Lesson 1, leverage and the margin" in words
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, WelcomeScreen)
        assert app.desk is not None and app.desk.guide.lesson.number == 1
        assert app.market.paused  # the lesson waits for the learner
        assert "Lesson 1: Leverage and the margin ratio  ·  step 1 of 10" in await seen(pilot)

    drive(app, script)


def test_esc_on_the_welcome_leaves_the_market_moving():
    app = welcomed_app()

    async def script(pilot):
        await pilot.press("escape")
        assert not isinstance(app.screen, WelcomeScreen)
        assert app.desk is None and not app.market.paused

    drive(app, script)
