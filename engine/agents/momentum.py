"""Momentum traders: they chase a move once it passes a threshold over a window, and
let go when it fades — fuel for cascades and squeezes."""

from __future__ import annotations

import random
from collections import deque

from engine.agents.base import MarketState, lots_for
from engine.exchange import Exchange
from engine.orders import OrderType
from engine.scenario import MomentumSpec
from engine.units import PPM


class MomentumTrader:
    def __init__(self, name: str, spec: MomentumSpec, rng: random.Random) -> None:
        self.name, self.spec, self.rng = name, spec, rng
        self._history: deque[tuple[int, int]] = deque()

    def setup(self, exchange: Exchange) -> None:
        exchange.open_account(self.name, self.spec.balance, "cross", self.spec.leverage)

    def act(self, state: MarketState, exchange: Exchange) -> None:
        history = self._history
        history.append((state.time, state.index))
        while history[0][0] < state.time - self.spec.window:
            history.popleft()
        if self.rng.random() >= self.spec.rate:
            return
        move = (state.index - history[0][1]) * PPM // history[0][1]
        lots, _ = exchange.position(self.name)
        trend = (move > self.spec.threshold) - (move < -self.spec.threshold)
        if lots == 0 and trend:
            size = lots_for(self.spec.notional, state.index, exchange.instrument.contract_value)
            exchange.submit(self.name, trend, size, order_type=OrderType.MARKET)
        elif lots and trend != (1 if lots > 0 else -1):
            exchange.submit(
                self.name,
                -1 if lots > 0 else 1,
                abs(lots),
                order_type=OrderType.MARKET,
                reduce_only=True,
            )
