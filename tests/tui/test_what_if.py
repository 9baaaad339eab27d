"""What-if in the explain view: keys set a hypothetical mark, every figure follows, and the
market is left exactly as it was."""

from __future__ import annotations

import hashlib
import pickle

from engine.session import start
from tui.app import SandboxApp
from tui.app.screens.explain import ExplainScreen
from tui.app.screens.mark_input import MarkInput

from .helpers import DELEVERAGED_SCENE, drive, screen_text, seen, typed


def scene_app() -> SandboxApp:
    """The user's winning 20x short (2 BTC from 52,000) heads four shorts; mark 50,000."""
    return SandboxApp(start(str(DELEVERAGED_SCENE)), paused=True, live=False, warmup=1)


def money(units: int) -> str:
    return f"{units / 10**8:,.2f}"


def state(app: SandboxApp) -> str:
    """Everything the exchange holds, as one hash."""
    return hashlib.sha256(pickle.dumps(app.session.exchange)).hexdigest()


def test_down_shows_a_hypothetical_mark_and_every_figure_at_it():
    app = scene_app()

    async def script(pilot):
        await pilot.press("e")
        screen = await seen(pilot)
        assert "At the live mark 50,000.0." in screen and "What if" not in screen
        await pilot.press("down")
        screen = await seen(pilot)
        assert "What if the mark were 49,750.0 (-0.5%)?" in screen
        assert "Hypothetical: the live mark is 50,000.0 and nothing in the market changes" in screen
        found = app.session.what_if(497_500)
        assert "mark 49,750.0" in screen
        assert f"equity = WB + uPnL = 5,200.00 + 4,500.00 = {money(found.equity)}" in screen
        assert f"= {found.ratio / 10**4:.2f}%  (warning from 80%" in screen
        assert "54,353.2  (+9.25% from the mark)" in screen  # the same price, nearer or farther
        assert f"equity {money(found.equity)} · margin ratio 4.61% · liquidation +9.25% away" in (
            screen.replace("\n", " ")
        )
        assert "ranked at this mark, every short scored there: rank 1 of 4 shorts" in screen
        assert "rank 1 of 4 shorts in the queue published at the last refresh" in screen

    drive(app, script)


def test_shift_moves_by_five_percent_and_zero_goes_back_to_the_live_mark():
    app = scene_app()

    async def script(pilot):
        await pilot.press("e", "shift+up", "up")
        assert "What if the mark were 52,750.0 (+5.5%)?" in await seen(pilot)
        await pilot.press("shift+down", "shift+down")
        assert "What if the mark were 47,750.0 (-4.5%)?" in await seen(pilot)
        await pilot.press("0")
        screen = await seen(pilot)
        assert "At the live mark 50,000.0." in screen and "What if" not in screen
        await pilot.press("up", "r")
        assert "At the live mark 50,000.0." in await seen(pilot)
        await pilot.press("up", "down")  # back where it started: the live mark again
        assert "At the live mark 50,000.0." in await seen(pilot)

    drive(app, script)


def test_rank_and_lights_move_with_the_hypothetical_mark():
    """Under hyperliquid, 10% lower puts S4 and S2 (shorts from 46,000 and 49,000) in
    profit too, and with their leverage ahead of the user."""
    app = scene_app()

    async def script(pilot):
        app.configure(ranking="hyperliquid")
        await pilot.press("e", "shift+down", "shift+down")
        screen = await seen(pilot)
        assert "What if the mark were 45,000.0 (-10.0%)?" in screen
        place = app.session.what_if(450_000).adl.now
        assert (place.rank, place.lights) == (3, 3)
        assert "rank 3 of 4 shorts" in screen and "lights 3  ▮▮▮▯▯" in screen
        assert "rank 3, lights 3" in screen.replace("\n", " ")

    drive(app, script)


def test_t_types_a_mark_and_a_bad_one_says_why():
    app = scene_app()

    async def script(pilot):
        await pilot.press("e", "t")
        assert isinstance(app.screen, MarkInput)
        await pilot.press(*typed("48,000.05"), "enter")
        assert isinstance(app.screen, MarkInput)
        assert "not a multiple of the tick size 0.1" in await seen(pilot)
        await pilot.press(*typed("48,000"), "enter")
        assert isinstance(app.screen, ExplainScreen)
        screen = await seen(pilot)
        assert "What if the mark were 48,000.0 (-4.0%)?" in screen
        found = app.session.what_if(480_000)
        assert f"= {money(found.equity)}" in screen and "mark 48,000.0" in screen

    drive(app, script)


def test_a_typed_mark_far_from_the_live_one_is_refused_with_the_range():
    app = scene_app()

    async def script(pilot):
        await pilot.press("e", "t", *typed("1e400"), "enter")
        assert isinstance(app.screen, MarkInput)
        assert "a mark between 500.0 and 5,000,000.0, please" in await seen(pilot)

    drive(app, script)


def test_a_new_scenario_under_the_explain_view_drops_the_old_what_if():
    app = scene_app()

    async def script(pilot):
        await pilot.press("e", "down")
        assert "What if the mark were 49,750.0" in await seen(pilot)
        app.switch_scenario("calm")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen) and app.screen.what_if.mark is None
        assert "What if the mark" not in await seen(pilot)

    drive(app, script)


def test_what_if_changes_nothing_in_the_exchange():
    app = scene_app()

    async def script(pilot):
        before, commands = state(app), list(app.session.commands)
        await pilot.press("e", "down", "shift+down", "up", "shift+up", "t", *typed("40000"))
        await pilot.press("enter", "down", "0")
        await seen(pilot)
        assert state(app) == before
        assert app.session.commands == commands
        assert app.session.steps == 1 and app.market.paused
        assert "At the live mark 50,000.0." in screen_text(app)

    drive(app, script)


def test_without_a_position_there_is_nothing_to_move():
    app = SandboxApp(start("calm", seed=1), paused=True, live=False, warmup=10)

    async def script(pilot):
        await pilot.press("e", "down")
        screen = await seen(pilot)
        assert "You have no open position" in screen and "What if" not in screen

    drive(app, script)
