"""The insurance fund's memory: its trailing peak, and how much it may still pay.

SPEC §5.3 — when may the fund no longer absorb a liquidation's loss?

- ``fund_exhausted`` (BitMEX, Bybit classic): when it would go below zero;
- ``fund_drawdown`` (OKX, Bybit since 2025): when it would fall more than a set
  ratio (default 30 %) below its peak of the trailing 8 h.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

from engine.units import HOUR, PPM


class TriggerPolicy(StrEnum):
    FUND_EXHAUSTED = "fund_exhausted"
    FUND_DRAWDOWN = "fund_drawdown"


class FundWatch:
    """Sliding-window maximum of the fund balance (a monotone deque: O(1) amortized)."""

    def __init__(
        self,
        policy: TriggerPolicy | str = TriggerPolicy.FUND_EXHAUSTED,
        drawdown: int = 300_000,  # ppm
        window: int = 8 * HOUR,
    ) -> None:
        self.policy = TriggerPolicy(policy)
        self.drawdown = drawdown
        self.window = window
        self._peaks: deque[tuple[int, int]] = deque()  # (time, balance), balances decreasing

    def observe(self, time: int, balance: int) -> None:
        peaks = self._peaks
        while peaks and peaks[-1][1] <= balance:
            peaks.pop()
        peaks.append((time, balance))
        while peaks[0][0] < time - self.window:
            peaks.popleft()

    def peak(self, time: int, balance: int) -> int:
        self.observe(time, balance)
        return self._peaks[0][1]

    def floor(self, time: int, balance: int) -> int:
        """The lowest balance the fund may reach before ADL takes over."""
        if self.policy is TriggerPolicy.FUND_EXHAUSTED:
            return 0
        peak = self.peak(time, balance)
        return max(0, peak * (PPM - self.drawdown) // PPM)

    def allowance(self, time: int, balance: int) -> int:
        """How much the fund may still pay out now."""
        return max(0, balance - self.floor(time, balance))
