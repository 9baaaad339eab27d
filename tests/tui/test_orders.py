"""The keys around orders and the position: pick one order and cancel it (o, a click),
the position's TP/SL (t), the ticket's trigger source, stop-limit and preview, the
trade history (h), a top-up (u), and the question before a switch discards a position."""

from __future__ import annotations

from fractions import Fraction

import pytest
from textual.widgets import Select

from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.deposit import DepositScreen
from tui.app.screens.history import HistoryScreen
from tui.app.screens.ticket import OrderTicket
from tui.app.screens.tpsl import TpSlScreen
from tui.app.widgets.positions import OrdersList

from .helpers import drive, open_position, paused_app, screen_text, seen, typed


def orders(app):
    return app.session.account().orders


def rest_two_sells(app) -> None:
    i, ask = app.frame.instrument, app.frame.book.asks[0][0]
    for gap in (300, 600):
        app.session.submit("sell", "0.100", i.price_text(ask + gap))
    app.render_frame()


def test_o_picks_an_order_and_delete_cancels_only_that_one():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        rest_two_sells(app)
        first, second = (o.order_id for o in orders(app))
        await pilot.press("o")
        assert isinstance(app.focused, OrdersList)
        await pilot.pause()
        assert "✕ cancel" in app.query_one(OrdersList).text
        await pilot.press("down", "delete")
        assert [o.order_id for o in orders(app)] == [first]
        assert f"Order {second} cancelled." in await seen(pilot)
        await pilot.press("c")  # on the list, c cancels the picked order, not all
        assert orders(app) == ()
        assert app.session.account().position is not None

    drive(app, script)


def test_esc_leaves_the_list_and_c_cancels_all_again():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        rest_two_sells(app)
        await pilot.press("o", "escape")
        assert app.focused is None
        await pilot.press("c")
        assert orders(app) == ()

    drive(app, script)


def test_a_click_picks_a_row_and_a_click_on_its_cancel_mark_cancels_it():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        rest_two_sells(app)
        first, second = (o.order_id for o in orders(app))
        await pilot.pause()
        await pilot.click(OrdersList, offset=(5, 2))  # the second order's row
        assert isinstance(app.focused, OrdersList) and app.focused.cursor == 1
        assert len(orders(app)) == 2  # a first click only picks
        await pilot.click(OrdersList, offset=(70, 2))  # its ✕ cancel
        assert [o.order_id for o in orders(app)] == [first]

    drive(app, script)


def test_o_without_orders_says_so():
    app = paused_app(steps=5)

    async def script(pilot):
        await pilot.press("o")
        assert "No open orders." in await seen(pilot)

    drive(app, script)


def test_t_sets_the_positions_tp_sl_and_a_passed_trigger_is_refused():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("t")
        assert "No position: a TP/SL is set on an open position." in await seen(pilot)
        open_position(app, "buy", "1", 20)
        mark = app.frame.market.mark // 10
        await pilot.press("t")
        assert isinstance(app.screen, TpSlScreen)
        await pilot.press(*typed(str(mark - 100)), "tab", *typed(str(mark - 500)), "enter")
        assert "Rejected: would trigger immediately" in await seen(pilot)
        await pilot.press("shift+tab", *typed(str(mark + 500)), "enter")
        assert not isinstance(app.screen, TpSlScreen)
        kinds = sorted((o.order_type, o.whole, o.reduce_only) for o in orders(app))
        assert kinds == [("stop_market", True, True), ("take_profit", True, True)]
        assert "Position take profit and stop loss set." in await seen(pilot)
        await pilot.press("t")  # the dialog shows what is set; emptied, it clears them
        assert app.screen.query_one("#take-profit").value == f"{mark + 500}.0"
        await pilot.press(*typed(""), "tab", *typed(""), "enter")
        assert orders(app) == ()
        await pilot.press("x")  # closing the position leaves no TP/SL behind
        assert orders(app) == ()

    drive(app, script)


def test_the_ticket_previews_the_fill_and_the_liquidation_after_it():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("b")
        app.screen.query_one("#type", Select).value = "market"
        text = await seen(pilot)
        assert "≈ fills at" in text and "slippage" in text
        assert "after the fill: liq." in text and "bankruptcy" in text
        assert "cross: the whole wallet backs the position" in text
        await pilot.press("escape", "m", "b")  # isolated: the leverage does set the liq. price
        assert "cross: the whole wallet" not in await seen(pilot)

    drive(app, script)


def test_enter_on_the_reduce_only_box_submits_and_a_cut_is_told():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "0.5", 20)
        await pilot.press("s", *typed("0.8"))
        app.screen.query_one("#type", Select).value = "market"
        app.screen.query_one("#reduce-only").focus()
        await pilot.press("space", "enter")
        assert not isinstance(app.screen, OrderTicket)
        assert app.session.account().position is None
        assert "Reduce-only: 0.300 cut off order" in await seen(pilot)

    drive(app, script)


def test_a_stop_limit_triggered_by_the_last_price_goes_out_as_typed():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        last = app.frame.market.last // 10
        await pilot.press("s")
        ticket = app.screen
        ticket.query_one("#type", Select).value = "stop_limit"
        await pilot.pause()
        assert ticket.query_one("#trigger-row").display
        ticket.query_one("#source", Select).value = "last"
        ticket.query_one("#price").value = str(last - 250)
        ticket.query_one("#trigger").value = str(last - 200)
        ticket.query_one("#trigger").focus()
        await pilot.press("enter")
        assert not isinstance(app.screen, OrderTicket), screen_text(app)
        (stop,) = orders(app)
        assert stop.order_type == "stop_limit" and stop.trigger == (last - 200) * 10
        assert stop.price == (last - 250) * 10
        assert app.session.commands[-1][1]["trigger_source"] == "last"

    drive(app, script)


def test_h_lists_the_fills_fees_and_realized_pnl():
    app = paused_app(steps=30)

    async def script(pilot):
        await pilot.press("h")
        assert "No trades yet" in await seen(pilot)
        await pilot.press("escape")
        open_position(app, "buy", "1", 20)
        await pilot.press("x")
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen) and app.market.paused
        text = await seen(pilot)
        assert "Your trade history" in text and "fill taker" in text
        assert "Realized" in text and "net " in text
        log = app.trade_log
        assert [r.side for r in log.rows] == [1, -1]
        assert log.totals.fees == sum(r.fee for r in log.rows) > 0
        assert log.rows[-1].realized == log.totals.realized

    drive(app, script)


def test_u_tops_the_wallet_up_to_its_start():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        await pilot.press("x")  # fees: the wallet is below its start
        start = app.session.starting_balance()
        await pilot.press("u")
        assert isinstance(app.screen, DepositScreen)
        assert "resets it to that" in str(app.screen.query_one(".hint").render())
        await pilot.press("enter")
        assert app.session.account().wallet == start
        assert app.session.commands[-1][1]["command"] == "deposit"
        await pilot.press("u", *typed("-5"), "enter")
        assert "Rejected: a deposit must be a positive amount" in await seen(pilot)

    drive(app, script)


def test_switching_scenario_asks_before_it_discards_a_position_and_starts_paused_at_1x():
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20)
        app.market.paused = False
        app.ask_switch_scenario("volatile")
        assert isinstance(await _screen(pilot), ConfirmScreen)
        assert "discards your long 1.000" in screen_text(app)
        await pilot.press("escape")
        assert app.frame.scenario == "calm" and app.frame.account.position is not None
        app.ask_switch_scenario("volatile")
        await pilot.press("enter")
        await pilot.pause()
        assert app.frame.scenario == "volatile"
        assert app.market.paused and app.market.speed == 1

    drive(app, script)


async def _screen(pilot):
    await pilot.pause()
    return pilot.app.screen


@pytest.mark.parametrize("size", [(160, 48), (120, 36), (100, 30), (80, 24)])
def test_the_position_row_shows_break_even_and_realized_at_every_width(size):
    app = paused_app(steps=30)

    async def script(pilot):
        open_position(app, "buy", "1", 20, mode="isolated")
        p = app.frame.account.position
        i = app.frame.instrument
        text = await seen(pilot)
        from tui.app import text as words

        for figure in (
            words.price(i, p.break_even),
            words.signed_money(p.realized),
            words.money(p.position_margin),
            words.price(i, p.liquidation_price),
        ):
            assert figure in text, (size, figure)
        assert "BE" in text and "Realized" in text
        assert p.roe == Fraction(p.unrealized, p.margin)  # isolated: ROE on the margin shown

    drive(app, script, size)
