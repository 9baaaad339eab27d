"""Noise takers: market orders of random side and size, now and then; they keep the
book's queues moving and trim their position when it grows too large."""

from __future__ import annotations

import random

from engine.agents.base import MarketState, lots_for
from engine.exchange import Exchange
from engine.orders import OrderType
from engine.scenario import NoiseSpec


class NoiseTrader:
    def __init__(self, name: str, spec: NoiseSpec, rng: random.Random) -> None:
        self.name, self.spec, self.rng = name, spec, rng

    def setup(self, exchange: Exchange) -> None:
        exchange.open_account(self.name, self.spec.balance, "cross", self.spec.leverage)

    def act(self, state: MarketState, exchange: Exchange) -> None:
        if self.rng.random() >= self.spec.rate:
            return
        cv = exchange.instrument.contract_value
        lots, _ = exchange.position(self.name)
        size = lots_for(int(self.spec.notional * (0.2 + 1.8 * self.rng.random())), state.index, cv)
        side = 1 if self.rng.random() < 0.5 else -1
        if abs(lots) * state.index * cv > 5 * self.spec.notional:
            side = -1 if lots > 0 else 1  # too big a position: trade it down
        exchange.submit(self.name, side, size, order_type=OrderType.MARKET)
