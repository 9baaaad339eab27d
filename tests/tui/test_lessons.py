"""A lesson at the keyboard: lesson 1 driven to its end with the keys a learner presses,
reading the lesson panel at each step (``adl-sandbox learn 1``)."""

from __future__ import annotations

import gc
import math

from textual import events

from engine.lesson import LESSON_WARMUP, find_lesson
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from tui.app import SandboxApp, text
from tui.app.screens.incident import IncidentScreen
from tui.app.screens.queue import QueueScreen

from .helpers import drive, screen_text, seen, typed

BUY_ONE_AT_MARKET = ("b", *"1", "shift+tab", "enter", "down", "enter", "tab", "tab", "enter")


def lesson_app(number: int) -> SandboxApp:
    lesson = find_lesson(str(number))
    session = Session(Simulation(load_scenario(lesson.path)))
    return SandboxApp(session, live=False, warmup=LESSON_WARMUP, lesson=lesson)


def panel(app: SandboxApp) -> str:
    return str(app.lesson_panel.render())


async def step_until(pilot, app: SandboxApp, words: str, most: int = 200) -> int:
    """Press n (one step) until the panel says ``words``; the presses it took."""
    for presses in range(most):
        if words in panel(app):
            return presses
        await pilot.press("n")
    raise AssertionError(f"{words!r} never appeared: {panel(app)}")


def test_lesson_1_at_the_keyboard_to_its_summary():
    app = lesson_app(1)

    async def script(pilot):
        assert "Lesson 1: Leverage and the margin ratio  ·  step 1 of 10" in panel(app)
        assert "Press l and set the leverage to 5" in panel(app)
        assert app.market.paused and "positions" in {w.id for w in app.query(".-look")}

        await pilot.press("l", *typed("5"), "enter")
        assert "step 2 of 10" in panel(app) and "✓ Step 1 done" in panel(app)
        await pilot.press(*BUY_ONE_AT_MARKET)
        assert "step 3 of 10" in panel(app) and "Liquidation price of your long" in panel(app)

        await pilot.press("a", *"45000", "enter")  # off by far: the formula, with the numbers
        words = panel(app)
        assert "Not quite: you said 45,000.0 USDT; the engine says 40,1" in words
        assert "LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)" in words
        assert "step 3 of 10" in words
        await pilot.press("a", *"40,150", "enter")  # within 0.5 %
        assert "step 4 of 10" in panel(app) and "Right: the engine says 40,1" in panel(app)

        await pilot.press("space")  # run: a whole fall and back at 5x
        await step_until(pilot, app, "step 5 of 10")
        assert app.market.paused  # the lesson stopped it for the next step
        await pilot.press("x")
        assert "step 6 of 10" in panel(app)
        await pilot.press("l", *typed("50"), "enter", *BUY_ONE_AT_MARKET)
        assert "step 7 of 10" in panel(app)
        await step_until(pilot, app, "step 8 of 10")
        assert app.frame.account.position.ratio >= 500_000
        await step_until(pilot, app, "step 9 of 10")
        assert app.frame.account.position.ratio >= 800_000  # stopped before liquidation
        await pilot.press("x", "m", *BUY_ONE_AT_MARKET)
        assert "step 10 of 10" in panel(app) and app.frame.account.mode == "cross"
        await step_until(pilot, app, "Done: 10 steps, 0 shown by 'show me', 2 answers typed.")
        assert "The market is yours now" in panel(app)
        assert "Lesson 1" in screen_text(app)

    drive(app, script)


def test_lesson_2_at_the_keyboard_liquidated_in_the_gap():
    app = lesson_app(2)

    async def script(pilot):
        assert "Lesson 2: Liquidation and the bankruptcy price  ·  step 1 of 6" in panel(app)
        await pilot.press("l", *typed("20"), "enter", *BUY_ONE_AT_MARKET)
        assert "step 3 of 6" in panel(app)
        await pilot.press("a", *"47,690", "enter")  # the liquidation price
        assert "step 4 of 6" in panel(app) and "Right: the engine says 47,69" in panel(app)
        await pilot.press("a", *"47,500", "enter")  # the bankruptcy price
        assert "step 5 of 6" in panel(app) and "Right: the engine says 47,50" in panel(app)
        await pilot.press("space")
        await step_until(pilot, app, "step 6 of 6")
        assert isinstance(app.screen, IncidentScreen)  # the liquidation, step by step
        assert "never more" in panel(app) and app.market.paused
        await pilot.press("escape")
        await step_until(pilot, app, "Done: 6 steps, 0 shown by 'show me', 2 answers typed.")
        assert app.frame.account.position is None and app.frame.account.wallet > 0

    drive(app, script)


def test_lesson_3_at_the_keyboard_the_fund_paid_in_then_drawn_out():
    app = lesson_app(3)

    async def script(pilot):
        assert "Lesson 3: The insurance fund: paid in, drawn out  ·  step 1 of 6" in panel(app)
        assert "header" in {w.id for w in app.query(".-look")}
        await pilot.press(*BUY_ONE_AT_MARKET, "space")
        await step_until(pilot, app, "step 3 of 6")
        assert isinstance(app.screen, IncidentScreen) and app.market.paused
        assert "liquidated at mark 47,650.0, settled at 47,503.8" in panel(app)
        await pilot.press("escape", "a", *"100", "enter")
        words = panel(app)
        assert "Not quite: you said 100.00 USDT; the engine says 140.50 USDT." in words
        assert "fund change = (sale − P_bk) × Q = (47,644.3 − 47,503.8) × 1.000 = +140.50" in words
        await pilot.press("a", *"140.5", "enter")
        assert "step 4 of 6" in panel(app) and "Right: the engine says 140.50 USDT." in panel(app)
        await pilot.press(*BUY_ONE_AT_MARKET, "space")
        await step_until(pilot, app, "step 6 of 6")
        await pilot.press("escape", "a", *"1,295.72", "enter")
        await step_until(pilot, app, "Done: 6 steps, 0 shown by 'show me', 3 answers typed.")
        assert app.frame.market.insurance_fund < 100_000 * 10**8  # drawn below its start

    drive(app, script)


def test_lesson_4_at_the_keyboard_deleveraged_at_rank_1():
    app = lesson_app(4)

    async def script(pilot):
        assert "Lesson 4: Auto-deleveraging: you are the top winner  ·  step 1 of 3" in panel(app)
        await pilot.press("a", "2", "enter")
        assert "Not quite: you said rank 2; the engine says rank 1." in panel(app)
        await pilot.press("a", "1", "enter", "space")
        assert "step 2 of 3" in panel(app)
        await step_until(pilot, app, "step 3 of 3")
        assert isinstance(app.screen, IncidentScreen) and app.market.paused
        words = panel(app)
        assert (
            "you were deleveraged, rank 1, " in words
            and "gave up 1,200.00 USDT vs the mark" in words
        )
        await pilot.press("escape")
        await step_until(pilot, app, "Done: 3 steps")

    drive(app, script)


def test_lesson_5_at_the_keyboard_pro_rata_then_clawback_from_the_palette():
    app = lesson_app(5)

    async def palette(pilot, words: str) -> None:
        await pilot.press("ctrl+p", *words)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()

    async def script(pilot):
        assert "Lesson 5: Who pays: ranking policies and socialized loss  ·  step 1 of 6" in (
            panel(app)
        )
        await palette(pilot, "ranking pro")
        assert "step 2 of 6" in panel(app) and "ADL pro rata" in app.header.text
        await pilot.press("space")
        await step_until(pilot, app, "step 3 of 6")
        assert "you were deleveraged, rank 1, 0.289 at 47,500.0 (mark 46,900.0)" in panel(app)
        await pilot.press("escape", "a", *"173.4", "enter")
        assert "Right: the engine says 173.40 USDT." in panel(app)
        await palette(pilot, "loss claw")
        assert "step 5 of 6" in panel(app)
        await pilot.press("space")
        await step_until(pilot, app, "step 6 of 6")
        assert app.frame.account.position is not None  # clawback: still short
        await pilot.press("a", *"1", "enter")  # far off: each charge, in figures
        assert panel(app).count(": the same rate of every winner's profit") == 2
        charged = app.desk.guide.progress.figure(app.frame)
        await pilot.press("a", *f"{float(charged):.2f}", "enter")
        assert "Done: 6 steps, 0 shown by 'show me', 3 answers typed." in panel(app)

    drive(app, script)


def test_lesson_6_at_the_keyboard_a_spike_does_not_liquidate_then_funding():
    app = lesson_app(6)

    async def script(pilot):
        assert "Lesson 6: Mark price, last price and funding  ·  step 1 of 6" in panel(app)
        await pilot.press(*BUY_ONE_AT_MARKET)
        liquidation = app.desk.guide.progress.figure(app.frame)
        await pilot.press("a", *f"{float(liquidation):.1f}", "enter", "space")
        await step_until(pilot, app, "step 4 of 6")
        market, position = app.frame.market, app.frame.account.position
        assert position is not None and market.last < position.liquidation_price < market.mark
        assert f"last {text.price(app.frame.instrument, market.last)}" in app.header.text
        ratio = app.desk.guide.progress.figure(app.frame)
        await pilot.press("a", *f"{float(ratio):.2f}%", "enter", "space")
        await step_until(pilot, app, "step 6 of 6")
        await pilot.press("a", *"24.95", "enter")
        assert "Right: the engine says 24.95 USDT." in panel(app)
        assert "Done: 6 steps" in panel(app)

    drive(app, script)


def test_show_me_plays_a_step_and_the_summary_says_so():
    app = lesson_app(1)

    async def script(pilot):
        await pilot.press("w")  # leverage 5, by the lesson's own solution
        assert app.frame.account.leverage == 5 and "step 2 of 10" in panel(app)
        await pilot.press("w", "a", *"abc", "enter")  # buy 1; an answer that is no number
        assert "'abc' is not a number: type the figure" in panel(app)
        assert app.desk.guide.progress.records[2].attempts == 0  # not counted as a try
        await pilot.press("w")  # the answer, by the solution
        assert "step 4 of 10" in panel(app) and "Right: the engine says" in panel(app)
        assert [r.shown for r in app.desk.guide.progress.records[:3]] == [True, True, True]

    drive(app, script)


def test_at_full_speed_the_market_stops_on_the_very_step_that_ends_a_lesson_step():
    """Frames come ten times a second; at full speed hundreds of steps run between two.
    The lesson's goal is checked at every engine step, so the 60 s step stops at 60 s."""
    app = lesson_app(1)

    async def script(pilot):
        await pilot.press("w", "w", "w")  # leverage 5, buy 1, the answer: step 4, 60 s
        assert "step 4 of 10" in panel(app)
        began = app.session.steps
        app.market.paused, app.market.speed = False, math.inf
        for _ in range(20):  # a few calls of a second's budget at most
            app.market.run(0.0, budget=1.0)
            if app.market.paused:
                break
        assert app.session.steps - began == 60
        app.render_frame()
        assert "step 5 of 10" in panel(app) and not app.market.halted

    drive(app, script)


def test_the_lesson_keys_exist_only_in_a_lesson():
    app = SandboxApp(Session(Simulation(load_scenario("calm"))), live=False, paused=True)

    async def script(pilot):
        await pilot.press("a", "w")
        assert app.desk is None and "Lesson" not in screen_text(app)
        assert "Show me" not in screen_text(app)  # not in the footer either

    drive(app, script)


def test_the_end_of_a_run_is_told_once_even_with_a_command_after_it():
    """Lesson 1's path ends after 20 minutes: stepped past it, the app says so, once."""
    app = lesson_app(1)

    async def script(pilot):
        while app.run_steps(100) == 100:
            pass
        app.market.session.set_leverage(7)  # a command after the end, in the same frame
        app.render_frame()
        assert (await seen(pilot)).count("The run ended") == 1

    drive(app, script)


def test_switching_from_a_lesson_mid_step_leaves_no_trace_of_it():
    """A scenario picked from the palette while a step runs in slices: the step ends
    whole, the collector comes back, and no panel stays outlined for the lesson."""
    app = lesson_app(1)
    ticks = iter(range(10**6))

    async def script(pilot):
        app.market.paused = False
        app.market.run(1.0, budget=1.5, clock=lambda: float(next(ticks)))  # one slice a call
        assert app.market.busy and not gc.isenabled()
        app.switch_scenario("calm")
        assert gc.isenabled() and app.desk is None
        assert not list(app.query(".-look")) and "Lesson 1:" not in await seen(pilot)

    drive(app, script)


def test_an_answer_typed_fast_after_a_is_not_lost():
    """``a2⏎`` as one burst (a terminal delivers it before the dialog is up): the 2 was
    already on its way to the trading screen, and reaches the dialog's field."""
    app = lesson_app(4)

    async def script(pilot):
        for key, character in (("a", "a"), ("2", "2"), ("enter", "\r")):
            app.post_message(events.Key(key, character))
        for _ in range(5):
            await pilot.pause()
        assert "Not quite: you said rank 2; the engine says rank 1." in panel(app)

    drive(app, script)


def test_a_stop_while_a_page_is_open_is_not_undone_by_closing_the_page():
    """Lesson 4 running under the queue page (space resumed it there): the ADL stops the
    market and its page opens over the queue; closing both leaves the market stopped."""
    app = lesson_app(4)

    async def script(pilot):
        await pilot.press("a", "1", "enter", "space", "k")
        assert isinstance(app.screen, QueueScreen) and app.market.paused  # the page waits
        await pilot.press("space")  # resumed from the page: the learner's choice
        assert not app.market.paused
        while not app.incidents:
            app.run_steps(1)
            app.render_frame()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen) and app.market.paused
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("escape")
        assert app.market.paused and "step 3 of 3" in panel(app)

    drive(app, script)


def test_the_wrong_side_is_told_at_once_and_the_step_waits_for_the_right_one():
    app = lesson_app(3)

    async def script(pilot):
        await pilot.press("S")  # a market sell: a short, where the step wants a long
        words = panel(app)
        assert "step 1 of 6" in words
        assert "That is a short: this step wants a long. x closes it, then b opens a long." in words
        await pilot.press("x", *BUY_ONE_AT_MARKET)
        assert "step 2 of 6" in panel(app) and "That is a short" not in panel(app)

    drive(app, script)
