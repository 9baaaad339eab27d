"""A liquidation and an ADL of the user reach the screen: notification, log, chart, detail."""

from __future__ import annotations

from engine.units import MONEY_SCALE
from tui.app import history
from tui.app.screens.incident import IncidentScreen

from .helpers import (
    ADL_AT,
    ADL_OPEN_AT,
    ADL_SCENARIO,
    LIQUIDATION_AT,
    LIQUIDATION_OPEN_AT,
    LIQUIDATION_SCENARIO,
    drive,
    open_position,
    paused_app,
    seen,
    step_until,
)


def test_a_liquidation_pauses_the_market_and_is_told_step_by_step():
    app = paused_app(LIQUIDATION_SCENARIO, steps=LIQUIDATION_OPEN_AT)

    async def script(pilot):
        open_position(app, "buy", "4", 50)
        margin = app.session.exchange.account_view("you").wallet
        await pilot.press("space")  # running: the incident will pause it
        await step_until(pilot, app, LIQUIDATION_AT + 10)
        assert app.session.steps == LIQUIDATION_AT
        assert app.market.paused
        assert isinstance(app.screen, IncidentScreen)
        screen = await seen(pilot)
        assert "Liquidation of your long 4.000" in screen
        assert "You were liquidated: long 4.000 at mark" in screen  # the notification
        assert "1. Trigger: the mark fell to" in screen
        assert "The liquidation engine sold on the book:" in screen
        steps = " ".join(app.incidents[-1].steps)
        assert f"your margin, {margin / MONEY_SCALE:,.2f} USDT, is lost" in steps
        assert "YOU were liquidated" in app.log_view.text
        assert any(c.flags & history.OWN_LIQUIDATION for c in app.market.history.columns(100))
        await pilot.press("escape")
        assert app.session.exchange.account_view("you").position is None
        assert "❚❚ paused" in app.header.text
        await pilot.press("d")  # the detail comes back on demand
        assert isinstance(app.screen, IncidentScreen)

    drive(app, script)


def test_an_adl_shows_the_queue_the_price_given_up_and_what_pro_rata_would_cost():
    app = paused_app(ADL_SCENARIO, steps=ADL_OPEN_AT)

    async def script(pilot):
        open_position(app, "sell", "0.5", 50, mode="isolated")
        await step_until(pilot, app, ADL_AT + 10, every=111)
        assert app.session.steps == ADL_AT
        (incident,) = [i for i in app.incidents if i.kind == "adl"]
        hit = next(
            e
            for e in app.session.exchange.adl_records
            if any(h.account == "you" for h in e.holders)
        )
        counterfactual = app.session.exchange.counterfactual(hit.adl_id)
        pro_rata = dict(next(s for s in counterfactual.splits if s.policy == "pro_rata").haircuts)[
            "you"
        ]
        screen = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert "ADL of your short: 0.500 closed" in screen
        assert "Your short was auto-deleveraged: 0.500" in screen  # the notification
        assert "You were rank 1 (score" in screen
        steps = " ".join(incident.steps)
        assert "Against the mark" in steps and "profit given up vs the mark" in steps
        assert f"pro-rata would have cost you {pro_rata / MONEY_SCALE:,.2f} USDT" in steps
        assert "The same event under every policy" in screen and "you close" in screen
        assert "← in force" in screen and "clawback" in screen
        assert "ADL: your short 0.500 closed" in app.log_view.text
        assert any(c.flags & history.OWN_ADL for c in app.market.history.columns(100))

    drive(app, script)
