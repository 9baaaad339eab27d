"""The screen fed hand-made frames: every figure a user reads comes from the frame.

No engine runs here. A ``Producer`` stands in for the session, as memray's TUI tests
feed a fake producer: it hands the app the frame a test typed in (its new events
once, its explanation only when the app asks for one), so what the header, the
position, an incident or the explain view shows can only have come from that frame.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from engine import events as ev
from engine.frames import Frame
from engine.instrument import default_instrument
from engine.policies import MarketSettings
from engine.units import MONEY_SCALE
from engine.views import (
    AccountView,
    AdlTerms,
    BankruptcyTerms,
    BookView,
    Counterfactual,
    Explanation,
    LiquidationTerms,
    MarketView,
    PolicySplit,
    PositionView,
)
from tui.app import SandboxApp
from tui.app.screens.explain import ExplainScreen
from tui.app.screens.incident import IncidentScreen

from .helpers import drive, seen

USER = "you"
INSTRUMENT = default_instrument()  # BTCUSDT: a tick is 0.1 USDT, a lot 0.001 BTC
T = 3_600_000_000  # 01:00:00 of simulated time
LIQUIDATION_PRICE = Fraction(86_600_000, 199)  # ticks: 43,517.6 USDT


def usdt(amount: int) -> int:
    return amount * MONEY_SCALE


MARKET = MarketView(
    time=T,
    index=500_000,
    mark=500_100,
    last=500_050,
    funding_rate=100,
    next_funding=8 * T,
    insurance_fund=usdt(450_000),
    insurance_peak=usdt(500_000),  # 10 % below its peak
    open_interest=30_000,
)
BOOK = BookView(bids=((500_000, 1_200),), asks=((500_100, 800),), last=500_050)
# 1.500 BTC long from 50,000.0 at 20x on a 10,000 USDT cross wallet, mark 50,010.0
POSITION = PositionView(
    side=1,
    lots=1_500,
    cost=750_000_000,
    entry=Fraction(500_000),
    mark=500_100,
    notional=7_501_500_000_000,
    leverage=20,
    mode="cross",
    margin=usdt(10_000),
    maintenance=32_507_500_000,
    tier=2,
    mmr=5_000,
    equity=1_001_500_000_000,
    ratio=32_459,
    unrealized=1_500_000_000,
    liquidation_price=LIQUIDATION_PRICE,
    bankruptcy_price=Fraction(1_300_000, 3),
    opened_at=T - 60_000_000,
    initial_margin=usdt(3_750),
    adl_rank=2,
    adl_lights=4,
    adl_score=0.0131,
)
ACCOUNT = AccountView(
    id=USER,
    mode="cross",
    leverage=20,
    wallet=usdt(10_000),
    isolated_margin=0,
    available=usdt(6_265),
    reserved=0,
    position=None,
    orders=(),
)
EXPLANATION = Explanation(
    account=USER,
    mode="cross",
    leverage=20,
    side=1,
    lots=1_500,
    entry=Fraction(500_000),
    mark=500_100,
    notional=7_501_500_000_000,
    collateral=usdt(10_000),
    unrealized=1_500_000_000,
    equity=1_001_500_000_000,
    tier=INSTRUMENT.tiers[1],
    maintenance=32_507_500_000,
    ratio=32_459,
    initial_margin=usdt(3_750),
    liquidation=LiquidationTerms(
        tier=INSTRUMENT.tiers[1],
        wallet=usdt(10_000),
        other_maintenance=0,
        other_unrealized=0,
        cost_value=7_500_000_000_000,
        top=-6_495_000_000_000,
        bottom=Fraction(-597, 400),
        price=LIQUIDATION_PRICE,
        maintenance_at_price=27_638_190_955,
    ),
    bankruptcy=BankruptcyTerms(
        entry=Fraction(500_000), collateral=usdt(10_000), price=Fraction(1_300_000, 3)
    ),
    adl=AdlTerms(
        policy="bitmex",
        rank=2,
        lights=4,
        published_score=0.0125,
        share=350_000,
        band=(200_000, 400_000),
        queue_length=12,
        score=0.0131,
        terms=(("PnL%", 0.0002), ("effective leverage", 7.49)),
        grouped=False,
    ),
)


def frame(**changes) -> Frame:
    """A quiet market at 01:00:00, the user flat, the default rules; ``changes`` on top."""
    made = Frame(
        scenario="hand-made",
        description="a frame typed in by a test",
        settings=MarketSettings(),
        instrument=INSTRUMENT,
        user=USER,
        steps=3_600,
        finished=False,
        market=MARKET,
        book=BOOK,
        account=ACCOUNT,
        events=(),
    )
    return replace(made, **changes)


class Producer:
    """Stands in for the session: the same frame every time, its events only the first
    time (a frame drains them), its explanation only when asked for one."""

    def __init__(self, first: Frame) -> None:
        self.next = first
        self.user = first.user
        self.steps = first.steps
        self.finished = first.finished
        self.listeners: list = []
        self.asked: list[bool] = []  # ``explained`` of every frame the app asked for

    def frame(self, levels: int = 20, explained: bool = False) -> Frame:
        made, self.next = self.next, replace(self.next, events=(), counterfactuals=())
        self.asked.append(explained)
        return made if explained else replace(made, explanation=None)


def app_on(first: Frame) -> SandboxApp:
    return SandboxApp(Producer(first), paused=True, live=False)


def test_the_header_shows_the_fund_its_drawdown_and_the_rules_in_force():
    settings = MarketSettings().switched(
        ranking="pro_rata", trigger_policy="fund_drawdown", loss_policy="clawback"
    )
    app = app_on(frame(settings=settings.switched(mark_policy="fair")))

    async def script(pilot):
        screen = await seen(pilot)
        assert "fund 450,000.00 (peak −10.00%)" in screen
        assert "ADL pro_rata@bankruptcy · fund_drawdown · clawback" in screen
        assert "mark fair" in screen and "hand-made" in screen
        assert "mark 50,010.0" in screen and "index 50,000.0" in screen
        assert "01:00:00" in screen and "❚❚ paused" in screen

    drive(app, script)


def test_the_positions_panel_shows_the_size_the_liquidation_price_and_the_adl_lights():
    app = app_on(frame(account=replace(ACCOUNT, position=POSITION)))

    async def script(pilot):
        screen = await seen(pilot)
        (row,) = [line for line in screen.splitlines() if "▮" in line]
        assert "long" in row and "1.500" in row and "50,000.0" in row
        assert "43,517.6" in row and "-13.0%" in row  # the liquidation price, its distance
        assert "▮▮▮▮▯" in row  # four ADL lights of five
        assert "cross · 20x · wallet 10,000.00" in screen

    drive(app, script)


def liquidation_events() -> tuple[ev.Event, ...]:
    """The user's 1.500 long liquidated: 0.500 sold on the book at bankruptcy, the fund
    takes 1.000 beyond it and pays 2,345.00."""
    return (
        ev.Liquidation(T, USER, 1, 1_500, 433_000, 435_176, 433_334, 0, 1, usdt(10_000)),
        ev.Trade(T, "liquidation-engine", "maker-1", 0, 71, -1, 500, 433_340, 0, 8_667_000),
        ev.Trade(T, "liquidation-engine", "maker-2", 0, 72, -1, 1_000, 433_000, 0, 17_320_000),
        ev.InsuranceFundChanged(T, usdt(447_655), -usdt(2_345), "liquidation of you"),
        ev.LiquidationSettled(T, USER, 1, 1_500, 500, 1_000, 0, 0, usdt(2_345), 0),
    )


def test_a_liquidation_made_of_hand_made_events_says_what_the_fund_paid():
    app = app_on(frame(events=liquidation_events()))

    async def script(pilot):
        screen = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen) and app.market.paused
        assert "Liquidation of your long 1.500" in screen
        (incident,) = app.incidents
        assert (
            "The insurance fund took 1.000 to the book beyond bankruptcy and paid 2,345.00 "
            "for it." in incident.steps
        )
        assert "Insurance fund after: 447,655.00 USDT." in incident.steps
        assert "The liquidation engine sold on the book: 0.500 @ 43,334.0, 1.000 @ 43,300.0." in (
            incident.steps
        )
        assert "paid 2,345.00" in screen and "447,655.00 USDT" in screen
        assert "YOU were liquidated: long 1.500 at mark 43,300.0" in app.log_view.text

    drive(app, script)


def test_an_adl_made_of_hand_made_events_compares_the_frames_counterfactual():
    """The counterfactual comes with the frame: the incident reads it from there."""
    events = (
        ev.Liquidation(T, "crowd-9", -1, 2_000, 436_000, 435_900, 436_100, 0, 1, usdt(900)),
        ev.Trade(T, "liquidation-engine", "maker-1", 0, 80, 1, 1_500, 436_100, 0, 13_083_000),
        ev.AutoDeleveraged(
            T, USER, "crowd-9", 7, 1, 500, 436_100, 436_000, 1, 2.5, 500_000_000, "bitmex"
        ),
        ev.AdlExecuted(T, 7, "crowd-9", -1, 500, 436_100, 436_000, usdt(5), 1, "bitmex"),
        ev.LiquidationSettled(T, "crowd-9", -1, 2_000, 1_500, 0, 500, 0, 0, 0),
    )
    split = PolicySplit("bitmex", ((USER, usdt(5)),), 1, 1_000_000, 1_000_000, ((USER, 500),))
    pro_rata = PolicySplit(
        "pro_rata", ((USER, 40_000_000), ("crowd-1", 460_000_000)), 9, 460_000, 1_000_000
    )
    counterfactual = Counterfactual(7, usdt(5), "bitmex", (split, pro_rata))
    app = app_on(frame(events=events, counterfactuals=(counterfactual,)))

    async def script(pilot):
        screen = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen)
        (incident,) = app.incidents
        steps = " ".join(incident.steps)
        assert "pro-rata would have cost you 0.40 USDT of it" in steps
        assert "closed by ADL" not in steps  # the ADL is told in full, not as a waterfall step
        assert "ADL of your long: 0.500 closed" in screen
        (in_force,) = [line for line in screen.splitlines() if "← in force" in line]
        assert "bitmex" in in_force and "5.00" in in_force

    drive(app, script)


def test_the_explain_screen_shows_the_frames_explanation_at_once():
    app = app_on(frame(account=replace(ACCOUNT, position=POSITION), explanation=EXPLANATION))

    async def script(pilot):
        await pilot.press("e")
        assert isinstance(app.screen, ExplainScreen)
        screen = await seen(pilot)
        assert app.session.asked[-1]  # the open screen asked for the explanation
        assert "= 43,517.6  (-12.98% from the mark)" in screen
        assert "rank 2 of 12 longs" in screen
        await pilot.press("escape")
        app.render_frame()
        assert not app.session.asked[-1]  # closed: no explanation is worked out

    drive(app, script)


def test_the_explain_screen_says_so_when_the_frame_has_no_position():
    app = app_on(frame())

    async def script(pilot):
        await pilot.press("e")
        assert "You have no open position: nothing to explain." in await seen(pilot)

    drive(app, script)
