"""Margin warnings: a position is warned once when its margin ratio reaches 80 %, and
again only after it has left that zone and come back.

The warnings keep their own index of the mark at which each position enters the zone
(``engine/liquidation_index.py``), recomputed when the liquidation engine re-indexes
an account, and look at it when the mark moves. They only tell: nothing in the
engine reads them back, so a headless lab run goes without them.
"""

from __future__ import annotations

from engine import margin
from engine.accounts import Accounts
from engine.events import MarginWarning
from engine.instrument import Instrument
from engine.liquidation_index import LiquidationIndex
from engine.pricing import PriceState
from engine.tape import Tape

WARN_RATIO = 800_000  # ppm: margin ratio from which a position is warned


class MarginWarnings:
    def __init__(
        self, instrument: Instrument, accounts: Accounts, prices: PriceState, tape: Tape
    ) -> None:
        self.instrument = instrument
        self.accounts = accounts
        self.prices = prices
        self.tape = tape
        self.index = LiquidationIndex()
        self._warned: set[str] = set()
        self._last_mark = 0

    def put(self, account_id: str, side: int, lots: int, cost: int, collateral: int) -> None:
        """A position as it now stands: where it enters the zone, and whether it is in."""
        warn, _ = margin.price_at_ratio(self.instrument, side, lots, cost, collateral, WARN_RATIO)
        tick = margin.trigger_tick(side, warn)
        self.index.put(account_id, side, tick)
        self._check(account_id, side, tick)

    def forget(self, account_id: str) -> None:
        """A position closed."""
        self.index.remove(account_id)
        self._warned.discard(account_id)

    def on_mark(self) -> None:
        """Warn the positions the mark's move since the last call took into the zone."""
        mark = self.prices.mark
        if mark != self._last_mark:
            for account_id in self.index.between(self._last_mark, mark):
                side, tick = self.index.entry(account_id)
                self._check(account_id, side, tick)
            self._last_mark = mark

    def _check(self, account_id: str, side: int, tick: int) -> None:
        mark = self.prices.mark
        inside = mark < tick if side > 0 else mark > tick
        if inside and account_id not in self._warned:
            self._warned.add(account_id)
            ratio = self.accounts.assess(self.accounts[account_id]).ratio
            self.tape.emit(MarginWarning(self.tape.time, account_id, ratio))
        elif not inside:
            self._warned.discard(account_id)
