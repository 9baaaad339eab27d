"""The app's plain parts, without a screen: pacing, the chart's memory, log lines, incidents."""

from __future__ import annotations

import gc
import math

from engine import events as ev
from engine.instrument import default_instrument
from tui.app.history import ADL, LIQUIDATION, OWN_LIQUIDATION, PriceHistory, flag_events
from tui.app.log_lines import ALARM, LOSS, MARKET, OWN, Describer
from tui.app.market import SPEEDS, Market

from .helpers import LIQUIDATED_SCENE, LIQUIDATION_AT, session


class Clock:
    """A fake wall clock: each reading advances it by ``tick`` seconds."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def steps_clock(market: Market, seconds: float = 0.001):
    """A fake wall clock on which each completed engine step takes ``seconds``."""
    return lambda: market.session.steps * seconds


def test_the_speed_is_steps_per_wall_second_and_unpaid_debt_is_dropped():
    market = Market(session(), speed=10)
    assert market.run(0.25, budget=1.0, clock=Clock(0.0)) == 2  # 2.5 owed: two now
    assert market.run(0.05, budget=1.0, clock=Clock(0.0)) == 1  # the half carried over
    assert market.run(10.0, budget=0.005, clock=steps_clock(market)) == 5  # the budget stops it
    assert market.run(0.0, budget=1.0, clock=Clock(0.0)) == 1  # at most one step carried
    assert market.session.steps == 9 and len(market.history) == 9


def test_max_speed_runs_until_the_budget_and_pause_runs_nothing():
    market = Market(session(), speed=math.inf)
    assert market.run(0.0, budget=0.0105, clock=steps_clock(market)) == 11
    market.paused = True
    assert market.run(5.0, budget=1.0, clock=Clock(0.0)) == 0


def test_a_step_longer_than_the_budget_goes_on_at_the_next_call_even_paused():
    """Each reading of this clock takes a whole second: one slice fits a call."""
    market = Market(session(), speed=1)
    assert market.run(1.0, budget=1.5, clock=Clock(1.0)) == 0
    assert market.busy and market.session.steps == 0  # under way: nothing recorded yet
    market.paused = True
    calls = 1
    while market.busy:
        done = market.run(1.0, budget=1.5, clock=Clock(1.0))
        calls += 1
    assert done == 1 and calls > 2 and market.session.steps == 1 and len(market.history) == 1
    assert market.run(1.0, budget=1.5, clock=Clock(1.0)) == 0  # paused: no new step


def test_a_command_finishes_the_step_under_way_first():
    market = Market(session(), speed=1)
    market.run(1.0, budget=1.5, clock=Clock(1.0))
    assert market.busy
    market.settle()
    assert not market.busy and market.session.steps == 1


def test_the_collector_waits_for_a_step_in_slices_and_runs_again_after_it():
    """A collection half-way through a crash step would stop the app for tens of ms;
    one left off for good would let memory grow without end."""
    market = Market(session(), speed=1)
    assert gc.isenabled()
    market.run(1.0, budget=1.5, clock=Clock(1.0))
    try:
        assert market.busy and not gc.isenabled()
    finally:
        market.settle()
    assert gc.isenabled()


def test_a_key_holds_the_engine_for_a_moment():
    market = Market(session(), speed=10)
    clock = Clock(0.0)
    market.hold(0.05, clock)
    assert market.run(1.0, budget=1.0, clock=clock) == 0  # held: the key's answer first
    clock.now += 0.06
    assert market.run(0.5, budget=1.0, clock=clock) == 5


def test_the_speed_ladder():
    market = Market(session(), speed=1)
    assert [market.faster() for _ in SPEEDS] == [*SPEEDS[1:], math.inf]
    assert market.slower() == 300
    market.speed = 7  # from the command line, between rungs
    assert market.slower() == 5 and market.faster() == 10


def test_the_users_liquidation_halts_the_market_at_that_very_step():
    """At full speed: the scene's gap liquidates the user's long at its third step."""
    market = Market(session(str(LIQUIDATED_SCENE)), speed=math.inf)
    steps = 0
    while not market.halted and steps < 60:
        steps += market.run(0.0, budget=1.0)
    assert market.halted and market.paused and market.session.steps == LIQUIDATION_AT
    (mine,) = [
        e
        for e in market.session.drain_events()
        if isinstance(e, ev.Liquidation) and e.account == "you"
    ]
    assert mine.time == market.session.price_point().time  # the last step run is the one


def test_the_chart_buckets_keep_their_contents_as_points_arrive():
    history = PriceHistory(capacity=100)
    for n in range(50):
        history.record(n, 1_000 + n, 900 + n)
    history.flag(10, LIQUIDATION)
    history.flag(11, ADL)
    columns = history.columns(10)  # 5 points a column
    assert len(columns) == 10
    assert columns[0] == (1_000, 1_004, 1_004, 904, 0)
    assert columns[2].flags == LIQUIDATION | ADL
    for n in range(50, 55):
        history.record(n, 0, 0)
    shifted = history.columns(10)  # 55 points: 6 a column, aligned on step numbers
    assert shifted[-1].low == 0 and shifted[0].low == 1_000
    assert history.span(10) == 54


def test_a_crash_frames_events_flag_each_step_once_by_kind():
    history = PriceHistory(capacity=100)
    for n in range(10):
        history.record(n, 1_000, 1_000)
    liquidations = [ev.Liquidation(4, f"t{n}", 1, 1, 9, 9, 9, 0, 1, 1, n) for n in range(5_000)]
    mine = ev.Liquidation(6, "you", 1, 1, 9, 9, 9, 0, 1, 1, 5_000)
    flag_events(history, [*liquidations, mine], "you")
    assert history.markers == {4: LIQUIDATION, 6: OWN_LIQUIDATION}


def test_the_chart_memory_is_bounded():
    history = PriceHistory(capacity=10)
    for n in range(1_000):
        history.record(n, n, n)
        history.flag(n, LIQUIDATION)
    assert len(history) < 20 and len(history.markers) < 20
    assert history.columns(5)[-1].mark == 999


def test_log_lines_word_the_users_events_and_the_markets_big_ones():
    words = Describer(default_instrument(), "you")
    rejected = ev.OrderRejected(25_200_000_000, "you", "insufficient margin: …", 1, "limit")
    (line,) = words.lines([rejected])
    assert line == (
        "07:00:00",
        "rejected buy limit — insufficient margin: …",
        ALARM,
        True,
    )  # the user's own
    fill = ev.Trade(0, "maker-1", "you", 7, 3, -1, 250, 500_000, 5, 2_500_000)
    assert words.line(fill).text == "filled buy 0.250 @ 50,000.0 (maker vs maker-1, fee 0.03)"
    assert words.line(fill).tone == OWN
    other = ev.Trade(0, "noise-1", "maker-1", 7, 3, 1, 250, 500_000, 5, 2)
    others_order = ev.OrderAccepted(0, "crowd-1", 1, 1, "market", 10, None)
    assert words.lines([other, others_order]) == []
    liq = ev.Liquidation(0, "crowd-9", 1, 100, 490_000, 491_000, 489_000, 5, 6, 4_000_000_000, 3)
    assert words.line(liq) == (
        "00:00:00",
        "crowd-9 was liquidated: long 0.100 at mark 49,000.0, margin lost 40.00; backstop took "
        "it at 48,900.0",
        LOSS,
        False,  # not the user's
    )
    adl = ev.AutoDeleveraged(
        0, "you", "crowd-9", 3, -1, 100, 489_000, 490_000, 1, 0.5, -500_000_000, "bitmex"
    )
    assert words.line(adl).text == (
        "ADL: your short 0.100 closed at 48,900.0 against crowd-9 (rank 1, PnL × leverage); "
        "closed 5.00 better than the mark"
    )
    assert words.line(adl).tone == ALARM


def test_log_lines_word_the_backstops_steps_the_adl_and_how_a_liquidation_closed():
    """The example of the hand-computed waterfall (tests/fixtures/scenarios/waterfall.toml),
    on a BTCUSDT grid."""
    words = Describer(default_instrument(), "you")
    usdt = 100_000_000
    traded = ev.BackstopTraded(2_000_000, 1, "L", 1, 6_000, 4_000, -1_900 * usdt, 4_000)
    assert words.line(traded) == (
        "00:00:02",
        "backstop sold 6.000 of L's long: 4.000 at bankruptcy or better; fund -1,900.00; "
        "4.000 still held",
        MARKET,
        False,
    )
    executed = ev.AdlExecuted(
        2_000_000, 1, "L", 1, 3_000, 475_000, 469_000, 1_440 * usdt, 2, "bitmex", 1,
        "fund_drawdown", 8_100 * usdt, 960 * usdt, 2_400 * usdt, 0, 0, 53_500 * usdt,
        1_440 * usdt, 1_800 * usdt,
    )  # fmt: skip
    assert words.line(executed).text == (
        "ADL #1 (fund drawdown): the fund could absorb 960.00 of a 2,400.00 deficit: 3.000 of "
        "L's long closed against 2 shorts at 47,500.0"
    )
    capped = ev.AdlExecuted(
        2_000_000, 2, "you", -1, 1_000, 475_000, 475_000, 0, 1, "binance", 2, "takeover_cap",
        500 * usdt, 0, 0, 95_000 * usdt, 47_500 * usdt, 53_500 * usdt, 0, 0,
    )  # fmt: skip
    assert words.line(capped) == (
        "00:00:02",
        "ADL #2 (takeover cap): the fund may hold 47,500.00 of notional, not 95,000.00: 1.000 "
        "of your short closed against 1 long at 47,500.0",
        ALARM,
        True,  # the user's position closed
    )
    settled = ev.LiquidationSettled(
        30_000_000, 1, "you", 1, 10_000, 4_000, 5_328, 672, 200 * usdt, 9_965 * usdt, 2_000_000
    )
    assert words.line(settled) == (
        "00:00:30",
        "your liquidated long closed after 28 s: book 4.000, band 5.328, ADL 0.672; fund in "
        "200.00, out 9,965.00",
        ALARM,
        True,
    )
    venue = ev.SettingChanged(0, "market", "policy", "venue=okx, adl_price=bankruptcy")
    assert words.line(venue).text == (
        "market policy changed: venue OKX (its whole waterfall), ADL price at bankruptcy"
    )
