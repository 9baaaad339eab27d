"""The fund's page (``f``): the insurance fund's equity over time against the ADL floor,
what the backstop holds, how money moved — as a learner sees them, with every figure
checked against the engine's own."""

from __future__ import annotations

import math

from engine.session import start
from tui.app import text
from tui.app.screens.fund import FundScreen
from tui.app.widgets.fund_chart import FundChart

from .helpers import drive, paused_app, screen_text, seen

THIN = "thin-fund"  # 200 USDT under a 30 % drawdown limit; its first shock is at 15 min
AFTER_SHOCK = 960  # steps: the fund fell to its floor and ADL ran, the backstop is flat
DURING_SHOCK = 910  # the backstop still holds liquidated longs


def test_f_opens_the_fund_with_its_floor_the_engines_and_f_closes_it():
    app = paused_app(THIN, steps=AFTER_SHOCK)

    async def script(pilot):
        await pilot.press("f")
        assert isinstance(app.screen, FundScreen)
        screen = await seen(pilot)
        view = app.frame.market
        fund = app.session.exchange.fund
        assert view.fund_floor == fund.floor() > 0  # the engine's own floor, 30 % below peak
        floor = text.money(fund.floor())
        assert "The insurance fund" in screen and "the market waits" in screen
        assert f"ADL floor {floor}" in app.screen.query_one(FundChart).text  # the line's label
        peak = text.money(fund.peak())
        assert f"floor = peak (8 h) {peak} × (1 − 30%) = {floor}" in screen
        assert f"balance {text.money(fund.balance)} USDT" in screen
        start_with = text.money(200 * 10**8)
        assert f"started with {start_with} USDT; paid in +{text.money(fund.total_in)}" in screen
        assert "insurance fund out" in screen or "insurance fund in" in screen  # latest moves
        await pilot.press("f")
        assert not isinstance(app.screen, FundScreen)

    drive(app, script)


def test_the_chart_keeps_every_dip_of_a_crash_run_at_full_speed():
    """No frame is drawn while the market runs flat out, yet the chart has the fund's
    equity after every step, as a session stepped alone sees it, and draws the dip."""
    app = paused_app(THIN)
    alone = start(THIN)
    seen_alone = []
    for _ in range(AFTER_SHOCK):
        alone.step()
        seen_alone.append(alone.price_point().fund_equity)

    async def script(pilot):
        app.market.paused, app.market.speed = False, math.inf

        def clock() -> float:  # stops the run where the test looks
            return 1e7 if app.market.session.steps < AFTER_SHOCK else 1e12

        app.market.run(0.0, budget=60.0, clock=clock)
        assert app.session.steps == AFTER_SHOCK
        app.market.paused = True
        app.render_frame()
        history = app.market.history
        assert history.funds[-AFTER_SHOCK:] == seen_alone
        await pilot.press("f")
        await pilot.pause()
        chart = app.screen.query_one(FundChart)
        columns = history.fund_columns(chart.size.width - 11)
        dip = min(seen_alone)
        where = next(x for x, c in enumerate(columns) if c.low == dip)
        rows = chart.text.splitlines()[:-1]  # the plot, without the markers' row
        lowest = max(y for y, row in enumerate(rows) if row[11 + where] in "│•")
        assert lowest >= len(rows) * 2 // 3  # the dip is drawn at the bottom of the chart

    drive(app, script)


def test_what_the_backstop_holds_is_the_engines():
    app = paused_app(THIN, steps=DURING_SHOCK)

    async def script(pilot):
        await pilot.press("f")
        screen = await seen(pilot)
        i, mark = app.frame.instrument, app.frame.market.mark
        held = [h for h in app.session.exchange.liquidation.backstop.held if h.side > 0]
        lots, cost = sum(h.lots for h in held), sum(h.cost for h in held)
        assert lots > 0
        unrealized = lots * mark * i.contract_value - cost
        assert f"long {text.qty(i, lots)} BTCUSDT: {len(held)} liquidated positions" in screen
        assert f"on average, cost {text.money(cost)} USDT" in screen
        assert f"at the mark {text.price(i, mark)}: {text.signed_money(unrealized)} USDT" in screen
        equity = app.session.exchange.fund_equity()
        assert f"equity {text.money(equity)}" in screen

    drive(app, script)


def test_the_floor_follows_the_trigger_switched_from_the_palette():
    app = paused_app(THIN, steps=AFTER_SHOCK)

    async def script(pilot):
        await pilot.press("ctrl+p", *"trigger exhausted")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n", "f")  # one step recorded under the new trigger
        screen = await seen(pilot)
        assert "ADL trigger fund_exhausted: the fund pays until it is empty" in screen
        assert "ADL floor 0.00" in screen
        assert app.market.history.floors[-1] == 0 < app.market.history.floors[-2]

    drive(app, script)


def test_the_palette_opens_the_fund_and_the_glossary_by_name():
    app = paused_app(steps=5)

    async def script(pilot):
        for words, title in (("insurance fund", "The insurance fund"), ("glossary", "Glossary")):
            await pilot.press("ctrl+p", *words)
            await pilot.pause(0.3)
            await pilot.press("enter")
            assert title in await seen(pilot)
            await pilot.press("escape")
            await pilot.pause()

    drive(app, script)


def test_the_fund_page_fits_an_80_column_terminal():
    app = paused_app(THIN, steps=AFTER_SHOCK)

    async def script(pilot):
        await pilot.press("f")
        screen = await seen(pilot)
        assert "The insurance fund" in screen and "ADL floor" in screen
        assert "│ equity range" in screen_text(app)

    drive(app, script, size=(80, 24))
