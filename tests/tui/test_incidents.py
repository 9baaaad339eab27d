"""A liquidation and an ADL of the user reach the screen: notification, log, chart, detail.

Both run the scripted scenes of ``tui/scenes/`` (declared accounts, a price path), so
the user is liquidated or deleveraged at a known step.
"""

from __future__ import annotations

from engine.units import MONEY_SCALE
from tui.app import history
from tui.app.screens.incident import IncidentScreen

from .helpers import (
    ADL_AT,
    DELEVERAGED_SCENE,
    LIQUIDATED_SCENE,
    LIQUIDATION_AT,
    LIQUIDATION_SHOWN_AT,
    drive,
    paused_app,
    seen,
    step_until,
)


async def step_by_frames(pilot, app, step: int) -> None:
    """Step by hand to ``step``, a frame after every step (as the live app at 1×)."""
    while app.session.steps < step:
        app.run_steps(1)
        app.render_frame()
    await pilot.pause()


def test_a_liquidation_pauses_the_market_and_is_told_step_by_step():
    app = paused_app(str(LIQUIDATED_SCENE))

    async def script(pilot):
        margin = app.session.exchange.account_view("you").wallet
        await pilot.press("space")  # running: the incident will pause it
        await step_until(pilot, app, LIQUIDATION_AT + 10, every=1)
        assert app.session.steps == LIQUIDATION_AT
        assert app.market.paused
        assert isinstance(app.screen, IncidentScreen)
        screen = await seen(pilot)
        assert "Liquidation of your long 10.000" in screen
        assert "You were liquidated: long 10.000 at mark 46,900.0" in screen  # the notification
        assert "1. Trigger: the mark fell to 46,900.0" in screen
        assert "took your long over at 47,500.0" in screen
        assert "sold 4.000: 4.000 @ 47,550.0; 4.000 at bankruptcy or better" in screen
        assert "Still held by the backstop: 6.000 of 10.000." in screen
        steps = " ".join(app.incidents[-1].steps)
        assert f"your margin, {margin / MONEY_SCALE:,.2f} USDT, is lost" in steps
        assert "YOU were liquidated" in app.log_view.text
        assert "backstop sold 4.000 of your long" in app.log_view.text
        assert "backstop holds 6.000 long" in app.header.text
        assert any(c.flags & history.OWN_LIQUIDATION for c in app.market.history.columns(100))

        for _ in range(LIQUIDATION_SHOWN_AT - LIQUIDATION_AT):
            await pilot.press("n")  # a step from the incident screen: it follows
        grown = await seen(pilot)
        assert app.session.steps == LIQUIDATION_SHOWN_AT and isinstance(app.screen, IncidentScreen)
        (incident,) = app.incidents
        assert "Offloaded over 3 steps so far at 47,550.0 to 46,800.0: sold 7.000" in grown
        assert "sold 1.000: 1.000 @ 46,850.0; none at bankruptcy or better" in grown
        assert "Still held by the backstop: 3.000 of 10.000." in grown
        assert "backstop holds 3.000 long" in app.header.text
        fund, equity = app.frame.market.insurance_fund, app.frame.market.fund_equity
        assert equity == fund - 3 * 600 * MONEY_SCALE  # 3.000 held 600.00 under the take-over
        assert f"equity {equity / MONEY_SCALE:,.2f}" in app.header.text

        await pilot.press("escape")
        assert app.session.exchange.account_view("you").position is None
        assert "❚❚ paused" in app.header.text
        await step_by_frames(pilot, app, 31)  # a gap the fund cannot absorb, then buyers
        await pilot.press("d")  # the detail comes back on demand, in its latest version
        assert isinstance(app.screen, IncidentScreen)
        (incident,) = app.incidents
        assert app.screen.incident is incident and not incident.open
        told = " ".join(incident.steps)
        assert "could not be absorbed" in told and "under fund_exhausted" in told
        assert "ADL #1 closed" in told and "at 47,500.0 (the bankruptcy price)" in told
        assert incident.steps[-2].startswith("Closed after 28 s: 4.000 on the book")
        assert incident.steps[-1] == (
            "The fund: -9,765.20 from the backstop's fills: -9,765.20 USDT in all."
        )
        assert "backstop holds" not in app.header.text
        assert "your liquidated long closed after 28 s: book 4.000" in app.log_view.text

    drive(app, script)


def test_an_adl_shows_the_queue_the_price_given_up_and_what_pro_rata_would_cost():
    app = paused_app(str(DELEVERAGED_SCENE))

    async def script(pilot):
        await step_until(pilot, app, ADL_AT + 10, every=1)
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
        assert "ADL of your short: 2.000 closed" in screen
        assert "Your short was auto-deleveraged: 2.000 at 47,500.0" in screen  # the toast
        assert "Trigger: L's long 10.000 was liquidated at mark 46,900.0" in screen
        assert "You were rank 1 (score" in screen
        steps = " ".join(incident.steps)
        assert "Why ADL: the deficit" in steps and "under fund_drawdown" in steps
        assert "The mark was 46,900.0: you gave up 1,200.00 USDT of profit" in steps
        assert f"pro-rata would have cost you {pro_rata / MONEY_SCALE:,.2f} USDT" in steps
        assert "The same event under every policy" in screen and "you close" in screen
        assert "← in force" in screen and "clawback" in screen
        assert "ADL: your short 2.000 closed" in app.log_view.text
        assert "ADL #1 (fund drawdown): the fund could absorb" in app.log_view.text
        assert any(c.flags & history.OWN_ADL for c in app.market.history.columns(100))
        held = app.frame.market.backstop_long
        assert held and f"backstop holds {held / 1000:.3f} long" in app.header.text

    drive(app, script)
