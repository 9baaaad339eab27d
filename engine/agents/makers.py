"""Market makers: ladders of post-only quotes around the index, skewed by inventory.

In a volatile regime they widen and thin out: that is what makes liquidation orders
slip through the book. A full requote costs a few dozen commands, so a maker
requotes only when the index has moved by a level, its ladder has been eaten into,
the regime changed, or ``refresh`` steps have passed.
"""

from __future__ import annotations

import random

from engine.agents.base import MarketState, lots_for
from engine.exchange import Exchange
from engine.scenario import MakerSpec
from engine.units import PPM


class MarketMaker:
    def __init__(self, name: str, spec: MakerSpec, rng: random.Random) -> None:
        self.name = name
        self.spec = spec
        self.rng = rng
        self._anchor = 0
        self._volatile = False
        self._since = 0
        self._quoted = 0  # orders in the last ladder

    def setup(self, exchange: Exchange) -> None:
        exchange.open_account(self.name, self.spec.balance, "cross", self.spec.leverage)

    def act(self, state: MarketState, exchange: Exchange) -> None:
        self._since += 1
        if self._needs_requote(state, exchange):
            self._requote(state, exchange)

    def _level_gap(self, index: int, volatile: bool) -> int:
        widen = self.spec.widen if volatile else 1.0
        return max(1, int(index * self.spec.step * widen) // PPM)

    def _needs_requote(self, state: MarketState, exchange: Exchange) -> bool:
        return (
            abs(state.index - self._anchor) >= self._level_gap(state.index, state.volatile)
            or state.volatile != self._volatile
            or self._since >= self.spec.refresh
            or exchange.resting_orders(self.name) * 4 < self._quoted * 3
        )

    def _requote(self, state: MarketState, exchange: Exchange) -> None:
        spec, index, volatile = self.spec, state.index, state.volatile
        cv = exchange.instrument.contract_value
        widen = spec.widen if volatile else 1.0
        jitter = 0.8 + 0.4 * self.rng.random()  # makers do not quote in lockstep
        half_spread = max(1, int(index * spec.spread * widen * jitter) // (2 * PPM))
        gap = self._level_gap(index, volatile)
        lots, _ = exchange.position(self.name)
        inventory = lots * index * cv
        lean = max(-1.0, min(1.0, inventory / spec.inventory)) if spec.inventory else 0.0
        skew = -int(index * spec.skew * lean) // PPM  # long inventory: quote lower, to sell
        size = lots_for(int(spec.notional * (spec.thin if volatile else 1.0)), index, cv)
        ladder = []
        for level in range(spec.levels):
            offset = half_spread + level * gap
            for side in (1, -1):
                price = index + skew - side * offset
                if price > 0:
                    ladder.append((side, size, price))
        quoted = exchange.requote(self.name, ladder)
        self._anchor, self._volatile, self._since, self._quoted = index, volatile, 0, quoted
