"""In a replay the speed is market time: X× plays X seconds of the file a wall second,
however dense its rows. The pacer is driven with its injectable clock, never the wall
clock: ``Still`` never moves, so the time budget never runs out."""

from __future__ import annotations

import math

import pytest

from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import SECOND
from tui.app.market import Market

from .aggtrades import GAP_MS, aggtrades
from .helpers import session

TICK = 1 / 30  # s between the app's engine callbacks
ROW = GAP_MS * 1000  # µs: the widest spacing between two rows of the file


def still() -> float:
    return 0.0


def steps_clock(market: Market, seconds: float = 0.001):
    """A clock on which each completed engine step takes ``seconds``."""
    return lambda: market.session.steps * seconds


def replay_market(tmp_path, speed: float, seconds: int = 60) -> Market:
    simulation = Simulation(load_scenario("calm"), replay=aggtrades(tmp_path, seconds))
    return Market(Session(simulation), speed=speed)


def play(market: Market, seconds: float) -> int:
    """Market time moved (µs) over ``seconds`` of clock, in the app's callbacks."""
    start = market.session.exchange.time
    for _ in range(round(seconds / TICK)):
        market.run(TICK, budget=1.0, clock=still)
    return market.session.exchange.time - start


@pytest.mark.parametrize(("speed", "market_seconds"), [(1, 5), (10, 50)])
def test_a_dense_replay_plays_market_time_at_the_speed(tmp_path, speed, market_seconds):
    """Some 40 rows a second: 5 s of clock play 5 s of the file at 1×, fifty at 10×, to
    within one row's spacing (the row due next is not due yet), not 5 or 50 rows."""
    market = replay_market(tmp_path, speed)
    moved = play(market, 5)
    assert market_seconds * SECOND - ROW < moved <= market_seconds * SECOND
    assert market.session.steps > 30 * market_seconds  # a row a step, many a second


def test_n_steps_one_row_and_neither_it_nor_a_pause_is_owed(tmp_path):
    market = replay_market(tmp_path, 1)
    market.paused = True
    assert market.run(10.0, budget=1.0, clock=still) == 0  # ten paused seconds
    assert market.step() and market.session.steps == 1  # ``n``: one engine step, one row
    market.paused = False
    moved = play(market, 1)  # the clock starts again from the next row, not 11 s behind
    assert SECOND - ROW < moved <= SECOND + ROW


def test_a_debt_the_budget_cannot_pay_is_dropped_but_the_next_row(tmp_path):
    market = replay_market(tmp_path, 100)
    assert market.run(10.0, budget=0.005, clock=steps_clock(market)) == 5  # 1,000 s owed
    assert market.run(0.0, budget=1.0, clock=still) == 1  # only the next row carried


def test_max_runs_rows_until_the_budget(tmp_path):
    market = replay_market(tmp_path, math.inf)
    assert market.run(0.0, budget=0.0105, clock=steps_clock(market)) == 11


def test_the_replay_ends_in_real_time_too(tmp_path):
    market = replay_market(tmp_path, 10, seconds=3)
    play(market, 1)
    assert market.finished


def test_a_random_walk_still_steps_once_a_second_each_step_a_second():
    market = Market(session("calm"), speed=1)
    start = market.session.exchange.time
    for _ in range(20):
        market.run(0.25, budget=1.0, clock=still)  # 5 s of clock, exactly
    assert market.session.steps == 5 and market.session.exchange.time - start == 4 * SECOND
