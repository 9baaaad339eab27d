"""Waterfall costs at scale: a quiet mark update, one ADL event, a full relight —
each with 100,000 open positions, set up through the public API.

The positions are varied as a real crowd's are: sizes of 1–50 lots, entries within
±0.5 % of 50,000, leverage 2–50x, isolated and cross, opened over time (64 a second,
as flash-crash's crowd of 3,200 trades), so scores and open times differ (100,000
identical positions would tie and measure the tie-breaks instead)."""

from __future__ import annotations

import random
import statistics
import time

from engine.events import AdlExecuted
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.units import MONEY_SCALE, SECOND
from tui.runtime import settle_heap

POSITIONS = 100_000
OPENED_PER_SECOND = 64
USDT = MONEY_SCALE


def crowd(side: int, count: int = POSITIONS, fund: int = 0) -> Exchange:
    """``count`` varied positions on ``side``, each traded with one deep-pocketed desk."""
    exchange = Exchange(default_instrument(), ExchangeConfig(insurance_fund=fund))
    exchange.advance(SECOND, 500_000)
    exchange.open_account("desk", 10**12 * USDT, "cross", 1)
    rng = random.Random(7)
    for n in range(count):
        if n and not n % OPENED_PER_SECOND:
            exchange.advance(exchange.time + SECOND, 500_000)
        lots, entry = rng.randint(1, 50), 500_000 + rng.randint(-2_500, 2_500)
        leverage = rng.choice((2, 5, 10, 20, 50))
        deposit = lots * entry * 10_000 // leverage * 2  # the margin, twice over
        exchange.open_account(f"t{n}", deposit, "isolated" if n % 2 else "cross", leverage)
        exchange.submit("desk", -side, lots, entry, OrderType.LIMIT)
        exchange.submit(f"t{n}", side, lots, entry, OrderType.LIMIT)
        exchange.drain_events()
    exchange.advance(exchange.time + SECOND, 500_000)  # index every changed account once
    exchange.drain_events()
    settle_heap()
    return exchange


def mark_update_us_100k() -> float:
    """Median µs of ``advance`` when the mark moves but liquidates nobody."""
    exchange = crowd(1)
    samples = []
    for step in range(2_000):
        index = 500_000 + (step % 7) * 10  # wiggles of a few USDT: nobody is near liquidation
        started = time.process_time()
        exchange.advance(exchange.time + SECOND, index)
        samples.append(time.process_time() - started)
        exchange.drain_events()
    return statistics.median(samples) * 1e6


def adl_event_ms_100k() -> float:
    """ms of the step in which a bankrupt long is deleveraged against 100,000 shorts,
    ranked at that moment (median of 5 events on the same crowd)."""
    exchange = crowd(-1)
    samples = []
    for n in range(5):
        gambler = f"gambler{n}"
        exchange.advance(exchange.time + SECOND, 500_000)
        exchange.open_account(gambler, 1_000 * USDT, "isolated", 100)
        exchange.submit("desk", -1, 1_000, 500_000, OrderType.LIMIT)
        exchange.submit(gambler, 1, 1_000, 500_000, OrderType.LIMIT)
        exchange.advance(exchange.time + SECOND, 500_000)
        exchange.drain_events()
        started = time.process_time()
        exchange.advance(exchange.time + SECOND, 490_000)  # −2 %: the gambler is bankrupt
        samples.append(time.process_time() - started)
        events = exchange.drain_events()
        assert any(type(e) is AdlExecuted for e in events), "the benchmark made no ADL event"
    return statistics.median(samples) * 1e3


def lights_refresh_ms_100k() -> float:
    """ms to rank both sides and light all 100,000 positions (median of 5)."""
    exchange = crowd(1)
    samples = []
    for _ in range(5):
        started = time.process_time()
        exchange.refresh_lights()
        samples.append(time.process_time() - started)
    assert exchange.light(f"t{POSITIONS - 1}") is not None, "the benchmark lit nobody"
    return statistics.median(samples) * 1e3


FIGURES = {
    "mark_update_us_100k": mark_update_us_100k,
    "adl_event_ms_100k": adl_event_ms_100k,
    "lights_refresh_ms_100k": lights_refresh_ms_100k,
}
