"""Waterfall costs at scale: a quiet mark update, one ADL event, a full relight —
each with 100,000 open positions, set up through the public API."""

from __future__ import annotations

import statistics
import time

from engine.events import AdlExecuted
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.units import MONEY_SCALE, SECOND
from tui.runtime import settle_heap

POSITIONS = 100_000
USDT = MONEY_SCALE


def crowd(side: int, count: int = POSITIONS, fund: int = 0) -> Exchange:
    """``count`` one-lot positions on ``side``, all against one deep-pocketed desk."""
    exchange = Exchange(default_instrument(), ExchangeConfig(insurance_fund=fund))
    exchange.advance(SECOND, 500_000)
    exchange.open_account("desk", 10**12 * USDT, "cross", 1)
    exchange.submit("desk", -side, count, 500_000, OrderType.LIMIT)
    for n in range(count):
        exchange.open_account(f"t{n}", 100 * USDT, "isolated" if n % 2 else "cross", 10)
        exchange.submit(f"t{n}", side, 1, order_type=OrderType.MARKET)
    exchange.drain_events()
    exchange.advance(2 * SECOND, 500_000)  # index every changed account once
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
    """ms of the step in which one bankrupt long is deleveraged against 100,000 shorts."""
    exchange = crowd(-1)
    exchange.open_account("gambler", 1_000 * USDT, "isolated", 100)
    exchange.submit("desk", -1, 1_000, 500_000, OrderType.LIMIT)
    exchange.submit("gambler", 1, 1_000, order_type=OrderType.MARKET)
    exchange.cancel_all("desk")
    exchange.advance(exchange.time + SECOND, 500_000)
    exchange.refresh_lights()  # the published queue the ADL event will walk
    exchange.drain_events()
    started = time.process_time()
    exchange.advance(exchange.time + SECOND, 490_000)  # −2 %: the gambler is bankrupt
    elapsed = time.process_time() - started
    events = exchange.drain_events()
    assert any(type(e) is AdlExecuted for e in events), "the benchmark made no ADL event"
    return elapsed * 1e3


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
