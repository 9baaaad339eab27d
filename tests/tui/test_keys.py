"""Every key of the trading screen, pressed through Pilot with the engine stepped by hand."""

from __future__ import annotations

from fractions import Fraction

from engine.explain import explain
from engine.units import format_duration
from tui.app.screens.explain import ExplainScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.leverage import LeverageScreen
from tui.app.screens.ticket import OrderTicket

from .helpers import drive, open_position, paused_app, screen_text, seen, typed


def account(app):
    return app.session.exchange.account_view("you")


def test_the_app_opens_on_a_moving_market_with_every_panel():
    app = paused_app(steps=60)

    async def script(pilot):
        screen = screen_text(app)
        assert app.session.steps == 60
        for fact in ("BTCUSDT", "last", "mark", "index", "funding", "fund 500,000.00", "07:00:59"):
            assert fact in screen
        assert (
            "❚❚ paused" in screen
            and "1×" in screen
            and "ADL PnL × leverage, at bankruptcy, fund empty" in screen
        )
        assert "spread" in app.ladder.text and "Price" in app.ladder.text
        assert "deposit 10,000.00" in app.log_view.text
        assert "Open orders: none" in screen and "wallet 10,000.00" in screen
        assert "b Buy" in screen and "q Quit" in screen  # the footer

    drive(app, script)


def test_b_opens_a_buy_ticket_and_enter_rests_a_limit_order_marked_on_the_ladder():
    app = paused_app(steps=30)

    async def script(pilot):
        bid = app.session.exchange.book_view(1).bids[0][0]
        price = app.session.exchange.instrument.price_text(bid - 500)  # 50 below the bid
        await pilot.press("b")
        assert isinstance(app.screen, OrderTicket)
        assert "Buy BTCUSDT" in screen_text(app)
        await pilot.press(*"0.050", "tab", *price, "enter")  # each field selected on focus
        assert not isinstance(app.screen, OrderTicket)
        (order,) = account(app).orders
        assert (order.side, order.qty, order.price) == (1, 50, bid - 500)
        assert "Open orders: 1" in screen_text(app)
        assert f"order #{order.order_id} buy 0.050 limit" in app.log_view.text
        marked = [line for line in app.ladder.text.splitlines() if "▶" in line]
        assert len(marked) == 1 and f"{(bid - 500) // 10:,}" in marked[0]

    drive(app, script)


def test_s_opens_a_sell_ticket_whose_own_order_the_ladder_marks():
    app = paused_app(steps=30)

    async def script(pilot):
        ask = app.session.exchange.book_view(1).asks[0][0]
        price = app.session.exchange.instrument.price_text(ask + 1)
        await pilot.press("s")
        assert "Sell BTCUSDT" in screen_text(app)
        await pilot.press(*"0.010", "tab", *price, "enter")
        (order,) = account(app).orders
        assert (order.side, order.price) == (-1, ask + 1)
        marked = [line for line in app.ladder.text.splitlines() if "▶" in line]
        assert len(marked) == 1 and "0.010" in marked[0]

    drive(app, script)


def test_the_ticket_sends_a_market_order_at_the_leverage_typed_in_it():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("s", *"0.5")
        await pilot.press("shift+tab", "enter", "down", "enter")  # type: limit → market
        ticket = app.screen
        assert ticket.query_one("#type").value == "market"
        assert ticket.query_one("#price").disabled
        await pilot.press("tab", "tab", *"25", "enter")  # size, then leverage; enter submits
        assert not isinstance(app.screen, OrderTicket)
        assert account(app).leverage == 25
        assert (account(app).position.side, account(app).position.lots) == (-1, 500)
        assert "leverage set to 25x" in app.log_view.text
        assert "order #" in app.log_view.text and "sell 0.500 market accepted" in app.log_view.text

    drive(app, script)


def test_a_rejected_order_shows_the_engines_reason_in_the_ticket():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("b", *"100", "enter")  # 100 BTC on a 10,000 USDT wallet
        assert isinstance(app.screen, OrderTicket)  # the ticket stays open to fix it
        assert "Rejected: insufficient margin: the order needs" in screen_text(app)
        await pilot.press(*typed("0.0005"), "enter")  # off the lot grid
        assert "is not a multiple of the lot size 0.001" in screen_text(app)
        await pilot.press(*typed("0.010"), "tab", "tab", "tab", "space")  # reduce-only, flat
        assert app.screen.query_one("#reduce-only").value
        await pilot.press("shift+tab", "enter")
        assert "Rejected: reduce-only order would increase the position" in screen_text(app)
        await pilot.press("escape")
        assert account(app).orders == ()
        assert "rejected buy limit — size 0.0005 is not a multiple" in app.log_view.text

    drive(app, script)


def test_shift_b_and_shift_s_trade_the_default_size_at_market():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("B")
        position = account(app).position
        assert (position.side, position.lots) == (1, 20)  # ≈ 1,000 USDT at 50,000
        assert "long" in screen_text(app) and "0.020" in screen_text(app)
        await pilot.press("S")
        assert account(app).position is None
        assert "realized" in app.log_view.text

    drive(app, script)


def test_x_closes_the_position_and_says_so_when_there_is_none():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("x")
        assert "You have no open position to close." in await seen(pilot)
        await pilot.press("S")
        assert account(app).position.side == -1
        await pilot.press("x")
        assert account(app).position is None
        assert "realized" in app.log_view.text and "now flat" in app.log_view.text

    drive(app, script)


def test_c_cancels_every_open_order():
    app = paused_app(steps=30)

    async def script(pilot):
        bid = app.session.exchange.book_view(1).bids[0][0]
        for offset in (100, 200):
            price = app.session.exchange.instrument.price_text(bid - offset)
            await pilot.press("b", *"0.01", "tab", *price, "enter")
        assert len(account(app).orders) == 2
        await pilot.press("c")
        assert account(app).orders == ()
        screen = await seen(pilot)
        assert "Cancelled 2 order(s)." in screen and "Open orders: none" in screen

    drive(app, script)


def test_l_sets_the_leverage_or_shows_why_not():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("l")
        assert isinstance(app.screen, LeverageScreen)
        await pilot.press(*"200", "enter")
        assert "Rejected: leverage 200x is above the 125x maximum" in screen_text(app)
        await pilot.press(*typed("25"), "enter")
        assert not isinstance(app.screen, LeverageScreen)
        assert account(app).leverage == 25 and "25x" in screen_text(app)

    drive(app, script)


def test_m_toggles_the_margin_mode_only_while_flat():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("m")
        assert account(app).mode == "isolated" and "isolated · 10x" in screen_text(app)
        await pilot.press("B", "m")
        assert account(app).mode == "isolated"
        assert "close the position and cancel open orders" in await seen(pilot)

    drive(app, script)


def test_space_pauses_and_resumes_and_the_engine_timer_steps_only_while_running():
    app = paused_app(steps=5)

    async def script(pilot):
        before = app.session.steps
        app.tick()
        assert app.session.steps == before  # paused: the timer runs nothing
        await pilot.press("space")
        assert "▶ running" in app.header.text and not app.market.paused
        app._last_tick -= 3.0  # three wall seconds at 1×: three steps owed
        app.tick()
        assert app.session.steps == before + 3
        await pilot.press("space")
        assert "❚❚ paused" in app.header.text

    drive(app, script)


def test_n_steps_once_and_pauses_a_running_market():
    app = paused_app(steps=10)

    async def script(pilot):
        time_before, steps_before = app.session.exchange.time, app.session.steps
        await pilot.press("n")
        assert app.session.steps == steps_before + 1
        assert app.session.exchange.time == time_before + 1_000_000
        assert format_duration(app.session.exchange.time) in app.header.text
        await pilot.press("space", "n")
        assert app.market.paused and app.session.steps == steps_before + 2

    drive(app, script)


def test_brackets_walk_the_speed_ladder():
    app = paused_app()

    async def script(pilot):
        await pilot.press("]", "]")
        assert app.market.speed == 5 and "5×" in app.header.text
        for _ in range(10):
            await pilot.press("]")
        assert app.header.text.count("max") == 1
        await pilot.press("[")
        assert app.market.speed == 300 and "300×" in app.header.text
        for _ in range(10):
            await pilot.press("[")
        assert app.market.speed == 1

    drive(app, script)


def test_e_explains_the_position_with_the_engines_numbers():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("e")
        assert "You have no open position" in screen_text(app)
        await pilot.press("escape", "B", "n", "e")  # 0.020 BTC on 10,000 USDT: no LP
        assert "≤ 0: no positive price liquidates this position" in screen_text(app)
        await pilot.press("escape")
        open_position(app, "buy", "1", 20)  # now 1.020 BTC long
        await pilot.press("n", "e")
        assert isinstance(app.screen, ExplainScreen)
        screen = screen_text(app)
        found = explain(app.session.exchange, "you")
        i = app.session.exchange.instrument
        assert "LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)" in screen
        assert "margin ratio = MM / equity" in screen
        assert f"{found.maintenance / 10**8:,.2f}" in screen
        price = float(found.liquidation.price * Fraction(i.tick_size))
        assert f"= {price:,.1f}  (" in screen
        assert "lights = 6 −" in screen or "not ranked yet" in screen
        app.run_steps(12)  # lights refresh every 10 s: the live view follows
        app.render_frame()
        place = explain(app.session.exchange, "you").adl
        assert place.rank is not None
        assert f"rank {place.rank} of {place.queue_length} longs" in screen_text(app)

    drive(app, script)


def test_question_mark_lists_every_binding():
    app = paused_app()

    async def script(pilot):
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        screen = screen_text(app)
        for binding in app.BINDINGS:
            assert binding.tooltip in screen
            assert binding.id
        assert "ctrl+p" in screen and "command palette" in screen
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)

    drive(app, script)


def test_ctrl_p_switches_the_adl_policy_and_the_scenario():
    app = paused_app(steps=10)

    async def script(pilot):
        await pilot.press("ctrl+p", *"theme")
        await pilot.pause(0.3)
        assert "Change the current theme" in screen_text(app)  # Textual's own theme picker
        await pilot.press("escape", "ctrl+p")
        await pilot.press(*"ranking pro")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.session.exchange.settings.ranking) == "pro_rata"
        assert "ADL pro rata" in app.header.text
        await pilot.press("ctrl+p")
        await pilot.press(*"scenario vol")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.simulation.scenario.name == "volatile"
        assert (
            "volatile" in app.header.text and "ADL PnL × leverage, at bankruptcy" in app.header.text
        )

    drive(app, script)


def test_d_tells_when_nothing_has_happened_yet():
    app = paused_app()

    async def script(pilot):
        await pilot.press("d")
        assert "Nothing has happened to your position yet" in await seen(pilot)

    drive(app, script)


def test_q_quits():
    app = paused_app()

    async def script(pilot):
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    drive(app, script)


def test_speed_and_pause_answer_at_once_during_a_step_in_slices():
    """A crash step can take a second: the clock's keys show in the header without
    waiting for it (the step goes on at the next tick); a command finishes it first."""
    app = paused_app(steps=30)

    async def script(pilot):
        market = app.market
        market._stepping = market.session.stepping()  # as the engine timer leaves one
        next(market._stepping)
        await pilot.press("right_square_bracket", "space")
        screen = await seen(pilot)
        assert "▶ running  2×" in screen
        assert market.busy and market.session.steps == 30  # the step is still under way
        await pilot.press("B")  # a market buy: a command, on the market as it stands
        await seen(pilot)
        assert not market.busy and market.session.steps == 31
        assert account(app).position is not None

    drive(app, script)


def test_a_page_to_read_pauses_the_market_and_closing_it_resumes_only_what_it_paused():
    app = paused_app()
    app.market.paused = False

    async def script(pilot):
        await pilot.press("?")
        assert app.market.paused and "the market waits while you read" in screen_text(app)
        assert "space Market paused: resume" in await seen(pilot)  # the page's own footer
        await pilot.press("space")
        assert not app.market.paused and "space Market running: pause" in await seen(pilot)
        await pilot.press("space")
        assert app.market.paused
        await pilot.press("space", "escape")
        assert not app.market.paused
        await pilot.press("e", "n")  # n steps underneath the page
        assert app.market.paused and isinstance(app.screen, ExplainScreen)
        steps = app.frame.steps
        await pilot.press("n")
        assert app.frame.steps == steps + 1
        await pilot.press("escape")  # n took the market in hand: closing leaves it paused
        assert app.market.paused
        await pilot.press("?", "escape")  # paused before: stays paused
        assert app.market.paused

    drive(app, script)
