"""What a simulated trader sees each step, and what it must be able to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from engine.exchange import Exchange


@dataclass(frozen=True, slots=True)
class MarketState:
    time: int
    index: int  # the new index, before the exchange marks it
    mark: int  # the mark of the previous step
    volatile: bool  # the feed's regime (replays: judged from recent moves)
    step: int


class Agent(Protocol):
    def setup(self, exchange: Exchange) -> None:
        """Open the accounts this agent trades with."""

    def act(self, state: MarketState, exchange: Exchange) -> None:
        """Send this step's orders through the exchange's public commands."""


def lots_for(notional: int, price: int, contract_value: int) -> int:
    """Lots worth ``notional`` money at ``price`` ticks (at least one)."""
    return max(1, notional // max(1, price * contract_value))
