"""The leveraged crowd: many small traders on both sides, 1x–100x, isolated and cross.

Each step a few of them act: a flat trader opens a position with part of the
wallet at its own leverage; a holder takes profit past a target ROE or adds to a
winner; a trader wiped out by a liquidation waits, then deposits again and comes
back. The crowd is one agent for speed, and who acts when is scheduled
(``engine/agents/schedule.py``): a step costs the traders who act, not the crowd.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.agents.base import MarketState, lots_for
from engine.agents.schedule import SCHEDULED, schedule
from engine.exchange import Exchange
from engine.orders import OrderType
from engine.scenario import CrowdSpec
from engine.units import PPM


@dataclass(slots=True)
class Member:
    name: str
    leverage: int
    mode: str
    long_bias: float
    back_at: int = -1  # time a wiped-out trader returns, −1 while it has money


class Crowd:
    def __init__(
        self, prefix: str, spec: CrowdSpec, rng: random.Random, scheduling: str = SCHEDULED
    ) -> None:
        self.spec, self.rng = spec, rng
        levels = [lev for lev, _ in spec.leverage]
        weights = [w for _, w in spec.leverage]
        self.members = [
            Member(
                name=f"{prefix}{n:03d}",
                leverage=rng.choices(levels, weights)[0],
                mode="isolated" if rng.random() < spec.isolated_share else "cross",
                long_bias=spec.long_share,
            )
            for n in range(spec.count)
        ]
        self.schedule = schedule(scheduling, spec.count, spec.activity, rng)

    def setup(self, exchange: Exchange) -> None:
        for m in self.members:
            exchange.open_account(m.name, self.spec.balance, m.mode, m.leverage)

    def act(self, state: MarketState, exchange: Exchange) -> None:
        members = self.members
        for member in self.schedule.due():
            self._act(members[member], state, exchange)

    def _act(self, m: Member, state: MarketState, exchange: Exchange) -> None:
        lots, cost = exchange.position(m.name)
        cv = exchange.instrument.contract_value
        if lots == 0:
            self._enter(m, state, exchange, cv)
            return
        side = 1 if lots > 0 else -1
        unrealized = side * (abs(lots) * state.mark - cost) * cv
        initial = cost * cv // m.leverage or 1
        if unrealized * PPM >= self.spec.take_profit * initial:
            exchange.submit(m.name, -side, abs(lots), order_type=OrderType.MARKET, reduce_only=True)
        elif unrealized > 0 and self.rng.random() < 0.3:
            exchange.submit(m.name, side, max(1, abs(lots) // 2), order_type=OrderType.MARKET)

    def _enter(self, m: Member, state: MarketState, exchange: Exchange, cv: int) -> None:
        wallet = exchange.balance(m.name)
        if wallet * 10 < self.spec.balance:  # wiped out: wait, then come back with money
            if m.back_at < 0:
                m.back_at = state.time + self.spec.comeback
            elif state.time >= m.back_at:
                exchange.deposit(m.name, self.spec.balance - wallet)
                m.back_at = -1
            return
        side = 1 if self.rng.random() < m.long_bias else -1
        margin_money = int(wallet * self.spec.margin_fraction * (0.5 + self.rng.random()))
        size = lots_for(margin_money * m.leverage, state.index, cv)
        exchange.submit(m.name, side, size, order_type=OrderType.MARKET)
