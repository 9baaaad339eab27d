"""A seeded index price that moves like a real one: a geometric random walk with calm and
volatile regimes, jumps, and the scenario's scheduled shocks.

The walk is the exogenous world, not the ledger, so it runs in floats; what leaves
it is an integer tick price, the same for the same seed on the same platform.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from engine.units import HOUR, SECOND

YEAR = 365 * 24 * HOUR


@dataclass(frozen=True, slots=True)
class Shock:
    """A scheduled move: the index drifts by ``change`` (e.g. −0.15) over ``over`` µs."""

    at: int  # µs after the start
    change: float
    over: int


@dataclass(frozen=True, slots=True)
class WalkSettings:
    start_price: int  # ticks
    step: int = SECOND
    calm_volatility: float = 0.5  # annualized
    volatile_volatility: float = 1.5
    calm_duration: int = 2 * HOUR  # mean time in a regime before switching
    volatile_duration: int = 20 * 60 * SECOND
    jumps_per_hour: float = 0.2
    jump_size: float = 0.01  # standard deviation of a jump's log return
    shocks: tuple[Shock, ...] = ()


class RandomWalk:
    """Yields (time µs, index ticks) forever; ``volatile`` tells the regime of the last step
    (a scheduled shock, while it lasts, is a volatile regime: market makers widen and thin
    their quotes in one, as they pull liquidity in a real crash)."""

    def __init__(self, settings: WalkSettings, rng: random.Random, start_time: int = 0) -> None:
        self.settings = settings
        self.rng = rng
        self.start_time = start_time
        self.volatile = False

    def points(self) -> Iterator[tuple[int, int]]:
        s, rng = self.settings, self.rng
        dt = s.step / YEAR
        sigma = {
            False: s.calm_volatility * math.sqrt(dt),
            True: s.volatile_volatility * math.sqrt(dt),
        }
        switch = {False: s.step / s.calm_duration, True: s.step / s.volatile_duration}
        jump_chance = s.jumps_per_hour * s.step / HOUR
        log_price = math.log(s.start_price)
        elapsed = 0
        regime = False
        while True:
            yield self.start_time + elapsed, max(1, round(math.exp(log_price)))
            elapsed += s.step
            if rng.random() < switch[regime]:
                regime = not regime
            self.volatile = regime or _in_shock(s.shocks, elapsed)
            log_price += rng.gauss(-0.5 * sigma[regime] ** 2, sigma[regime])
            if rng.random() < jump_chance:
                log_price += rng.gauss(0.0, s.jump_size)
            log_price += _shock_drift(s.shocks, elapsed - s.step, elapsed)


def _in_shock(shocks: tuple[Shock, ...], now: int) -> bool:
    return any(shock.at <= now < shock.at + shock.over for shock in shocks)


def _shock_drift(shocks: tuple[Shock, ...], before: int, now: int) -> float:
    """The part of every scheduled shock's log move that falls between two instants."""
    drift = 0.0
    for shock in shocks:
        start, end = shock.at, shock.at + shock.over
        overlap = min(now, end) - max(before, start)
        if overlap > 0:
            drift += math.log1p(shock.change) * overlap / shock.over
    return drift
