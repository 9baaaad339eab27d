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
    """Gives (time µs, index ticks) forever, one point per ``next``; ``volatile`` tells the
    regime of the last step (a scheduled shock, while it lasts, is a volatile regime:
    market makers widen and thin their quotes in one, as they pull liquidity in a real
    crash). An iterator that holds its state, not a generator: a run can be copied
    whole (the policy lab forks a run where the policies part ways)."""

    def __init__(self, settings: WalkSettings, rng: random.Random, start_time: int = 0) -> None:
        self.settings = settings
        self.rng = rng
        self.start_time = start_time
        self.volatile = False
        dt = settings.step / YEAR
        self._sigma = (
            settings.calm_volatility * math.sqrt(dt),
            settings.volatile_volatility * math.sqrt(dt),
        )
        self._switch = (
            settings.step / settings.calm_duration,
            settings.step / settings.volatile_duration,
        )
        self._jump_chance = settings.jumps_per_hour * settings.step / HOUR
        self._log_price = math.log(settings.start_price)
        self._elapsed: int | None = None  # µs after the start of the last point given
        self._regime = False  # volatile

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return self

    def __next__(self) -> tuple[int, int]:
        if self._elapsed is None:
            self._elapsed = 0
        else:
            self._advance()
        return self.start_time + self._elapsed, max(1, round(math.exp(self._log_price)))

    def _advance(self) -> None:
        """One step of the walk, its random draws in a fixed order (the same seed gives
        the same path)."""
        s, rng = self.settings, self.rng
        self._elapsed += s.step
        if rng.random() < self._switch[self._regime]:
            self._regime = not self._regime
        regime = self._regime
        self.volatile = regime or _in_shock(s.shocks, self._elapsed)
        sigma = self._sigma[regime]
        self._log_price += rng.gauss(-0.5 * sigma**2, sigma)
        if rng.random() < self._jump_chance:
            self._log_price += rng.gauss(0.0, s.jump_size)
        self._log_price += _shock_drift(s.shocks, self._elapsed - s.step, self._elapsed)


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
