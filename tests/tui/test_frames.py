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
        self.replaying = False
        self.listeners: list = []
        self.asked: list[bool] = []  # ``explained`` of every frame the app asked for

    def frame(self, levels: int = 20, explained: bool = False) -> Frame:
        made, self.next = self.next, replace(self.next, events=(), counterfactuals=())
        self.asked.append(explained)
        return made if explained else replace(made, explanation=None)

    def bring(self, later: Frame) -> None:
        """The frame the app gets next: what the engine side would make after more steps."""
        self.next = later


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
        assert "loss clawback, fund drawdown" in screen  # the rules in words
        assert "pro_rata" not in screen and "fund_drawdown" not in screen
        assert "mark fair price" in screen and "hand-made" in screen
        assert "mark 50,010.0" in screen and "index 50,000.0" in screen
        assert "01:00:00" in screen and "❚❚ paused" in screen
        assert "backstop holds" not in screen and "equity" not in app.header.text  # holds none

    drive(app, script)


def test_the_header_shows_the_funds_equity_and_what_the_backstop_holds():
    """The backstop holds 1.000 long bought over at 48,000.0 and 0.250 short: at the mark
    the fund's equity is 600.00 below its balance."""
    market = replace(
        MARKET,
        insurance_fund=usdt(8_100),
        insurance_peak=usdt(10_000),
        fund_equity=usdt(7_500),
        backstop_long=1_000,
        backstop_short=250,
    )

    async def script(pilot):
        screen = await seen(pilot)
        assert "fund 8,100.00 (peak −19.00%)" in screen
        assert "equity 7,500.00" in screen
        assert "backstop holds 1.000 long, 0.250 short" in screen
        await pilot.resize_terminal(80, 24)
        narrow = await seen(pilot)
        assert all(len(line) <= 80 for line in narrow.splitlines())
        assert "equity 7,500.00" in narrow and "backstop holds 1.000 long, 0.250 short" in narrow
        assert app.header.size.height == len(app.header.text.splitlines()) <= 4

    app = app_on(frame(market=market))
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


HELD = 4  # the backstop's number for the user's liquidated position
BANKRUPTCY = 433_334  # ticks: 43,333.4, the take-over price of a 1.500 long from 50,000


def liquidation(time: int = T) -> ev.Liquidation:
    """The user's 1.500 long at 20x on a 10,000 cross wallet, liquidated at mark 43,300.0."""
    return ev.Liquidation(
        time, USER, 1, 1_500, 433_000, 435_176, BANKRUPTCY, 0, 1, usdt(10_000), HELD
    )


def fills(time: int, *trades: tuple[int, int]) -> tuple[ev.Trade, ...]:
    """The backstop's sells of the held long: (lots, price) each, against maker-1."""
    return tuple(
        ev.Trade(time, "liquidation-engine", "maker-1", 0, 70 + n, -1, lots, price, 0, 0)
        for n, (lots, price) in enumerate(trades)
    )


def liquidation_events() -> tuple[ev.Event, ...]:
    """In one step: the user's 1.500 long liquidated and taken over at 43,333.4; 0.500
    sold at 43,334.0 (at bankruptcy or better) and 1.000 at 43,300.0 within the band, the
    fund paying 33.40 net; closed."""
    return (
        liquidation(),
        *fills(T, (500, 433_340), (1_000, 433_000)),
        ev.BackstopTraded(T, HELD, USER, 1, 1_500, 500, -usdt(334) // 10, 0),
        ev.InsuranceFundChanged(
            T, usdt(449_966_6) // 10, -usdt(334) // 10, "liquidation of you", HELD
        ),
        ev.LiquidationSettled(
            T, HELD, USER, 1, 1_500, 500, 1_000, 0, usdt(3) // 10, usdt(337) // 10, T
        ),
    )


def test_a_liquidation_made_of_hand_made_events_says_what_the_fund_paid():
    app = app_on(frame(events=liquidation_events()))

    async def script(pilot):
        screen = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen) and app.market.paused
        assert "Liquidation of your long 1.500" in screen
        (incident,) = app.incidents
        assert not incident.open
        assert (
            "01:00:00 · sold 1.500: 0.500 @ 43,334.0, 1.000 @ 43,300.0; 0.500 at bankruptcy or "
            "better; fund -33.40 → 449,966.60; nothing left held." in incident.steps
        )
        assert (
            "Closed after 0 s: 0.500 on the book at bankruptcy or better, 1.000 within the band, "
            "0.000 by ADL. The fund received 0.30 and paid 33.70 USDT." in incident.steps
        )
        assert "took your long over at 43,333.4" in screen and "paid 33.70 USDT" in screen
        assert "YOU were liquidated: long 1.500 at mark 43,300.0" in app.log_view.text
        assert "backstop sold 1.500 of your long: 0.500 at bankruptcy or better" in (
            app.log_view.text
        )

    drive(app, script)


def test_a_liquidation_incident_grows_as_later_frames_bring_its_held_position():
    """Three frames: the take-over (the book took nothing), a step of offload, an ADL.
    The incident is replaced by a longer one each time; the open screen follows, and
    says what is still held."""
    second, third = T + 2_000_000, T + 5_000_000
    taken_over = (liquidation(),)
    offloaded = (
        *fills(second, (500, 433_340)),
        ev.BackstopTraded(second, HELD, USER, 1, 500, 500, usdt(3) // 100, 1_000),
        ev.InsuranceFundChanged(second, usdt(450_000), usdt(3) // 100, "liquidation of you", HELD),
        *fills(second, (100, 500_000)),  # another held position's fill: not ours
        ev.BackstopTraded(second, HELD + 1, "crowd-3", 1, 100, 100, usdt(1), 0),
    )
    deleveraged = (
        ev.AutoDeleveraged(
            third, "crowd-1", USER, 2, -1, 400, BANKRUPTCY, 420_000, 1, 3.2, usdt(533), "bitmex"
        ),
        ev.AdlExecuted(
            third, 2, USER, 1, 400, BANKRUPTCY, 420_000, usdt(533), 1, "bitmex", HELD,
            "fund_exhausted", usdt(800), usdt(800), usdt(1_333), 0, 0, usdt(9_000),
            usdt(533), usdt(533),
        ),
    )  # fmt: skip
    app = app_on(frame(events=taken_over))

    async def script(pilot):
        first = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert "The backstop has closed none of it on the book yet." in first
        assert "Still held by the backstop: 1.500 of 1.500." in first

        app.session.bring(frame(events=offloaded))
        app.render_frame()
        grown = await seen(pilot)
        (incident,) = app.incidents  # replaced, not added
        assert incident.open and app.screen.incident is incident
        assert "01:00:02 · sold 0.500: 0.500 @ 43,334.0; 0.500 at bankruptcy or better" in grown
        assert "0.100 @ 50,000.0" not in " ".join(incident.steps)  # crowd-3's fill: not ours
        assert "Still held by the backstop: 1.000 of 1.500." in grown
        assert "still unfolding" in grown

        app.session.bring(frame(events=deleveraged))
        app.render_frame()
        last = await seen(pilot)
        (incident,) = app.incidents
        steps = " ".join(incident.steps)
        assert (
            "01:00:05 · The deficit 533.00 could not be absorbed: at mark 42,000.0 the held "
            "position's loss beyond bankruptcy was 1,333.00, and the fund (800.00) could absorb "
            "only 800.00 of it: under fund_exhausted the fund may not go below zero." in steps
        )
        assert "ADL #2 closed 0.400 against 1 short" in steps and "#1 crowd-1 0.400" in steps
        assert incident.steps[-2].startswith("Still held by the backstop: 0.600 of 1.500.")
        assert incident.steps[-1].startswith("The fund: ")  # every movement named, summed
        assert "Still held by the backstop: 0.600 of 1.500." in last
        assert app.session.steps == 3_600  # no engine: every word came from the frames

        await pilot.press("escape")
        await pilot.press("d")  # the latest version comes back on demand
        assert isinstance(app.screen, IncidentScreen) and app.screen.incident is incident

    drive(app, script)


def crowd_liquidation_and_adl(forgone: int) -> tuple[ev.Event, ...]:
    """crowd-9's 2.000 short liquidated; the book takes 1.500; the rest, 0.500, is closed
    by ADL #7 against the user's long, first in the queue; ``forgone`` is what the user
    gave up against the mark."""
    return (
        ev.Liquidation(T, "crowd-9", -1, 2_000, 436_000, 435_900, 436_100, 0, 1, usdt(900), 9),
        ev.Trade(T, "liquidation-engine", "maker-1", 0, 80, 1, 1_500, 436_100, 0, 13_083_000),
        ev.BackstopTraded(T, 9, "crowd-9", -1, 1_500, 1_500, 0, 500),
        ev.AutoDeleveraged(
            T, USER, "crowd-9", 7, 1, 500, 436_100, 436_000, 1, 2.5, forgone, "bitmex"
        ),
        ev.AdlExecuted(
            T, 7, "crowd-9", -1, 500, 436_100, 436_000, usdt(5), 1, "bitmex", 9, "fund_drawdown",
            usdt(450_000), 0, usdt(5), 0, 0, usdt(90), usdt(5), usdt(5),
        ),
        ev.LiquidationSettled(T, 9, "crowd-9", -1, 2_000, 1_500, 0, 500, 0, 0, T),
    )  # fmt: skip


def test_an_adl_made_of_hand_made_events_compares_the_frames_counterfactual():
    """The counterfactual comes with the frame: the incident reads it from there."""
    split = PolicySplit("bitmex", ((USER, usdt(5)),), 1, 1_000_000, 1_000_000, ((USER, 500),))
    pro_rata = PolicySplit(
        "pro_rata", ((USER, 40_000_000), ("crowd-1", 460_000_000)), 9, 460_000, 1_000_000
    )
    counterfactual = Counterfactual(7, usdt(5), "bitmex", (split, pro_rata))
    events = crowd_liquidation_and_adl(usdt(5))
    app = app_on(frame(events=events, counterfactuals=(counterfactual,)))

    async def script(pilot):
        screen = await seen(pilot)
        assert isinstance(app.screen, IncidentScreen)
        (incident,) = app.incidents
        steps = " ".join(incident.steps)
        assert "pro-rata would have cost you 0.40 USDT of it" in steps
        assert steps.count("ADL #7") == 1  # told in full, not again as a waterfall step
        assert (
            "Why ADL: the deficit 5.00 could not be absorbed: at mark 43,600.0 the held "
            "position's loss beyond bankruptcy was 5.00, and the fund (450,000.00) could absorb "
            "only 0.00 of it: under fund_drawdown" in steps
        )
        assert "You were rank 1 (score 2.5): 0.500 of your long closed at 43,610.0." in steps
        assert "you gave up 5.00 USDT of profit against closing there" in steps
        assert "ADL of your long: 0.500 closed" in screen
        (in_force,) = [line for line in screen.splitlines() if "← in force" in line]
        assert "bitmex" in in_force and "5.00" in in_force

    drive(app, script)


def test_an_adl_closed_better_than_the_mark_is_never_a_negative_profit_given_up():
    app = app_on(frame(events=crowd_liquidation_and_adl(-usdt(5))))

    async def script(pilot):
        screen = await seen(pilot)
        (incident,) = app.incidents
        told = " ".join((incident.summary, *incident.steps))
        assert "you closed 5.00 USDT better than the mark" in told
        assert incident.summary == (
            "Your long was auto-deleveraged: 0.500 at 43,610.0 (rank 1); closed 5.00 USDT "
            "better than the mark."
        )
        assert "given up" not in told and "-5.00" not in told and "-5.00" not in screen
        assert "closed 5.00 better than the mark" in app.log_view.text

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
