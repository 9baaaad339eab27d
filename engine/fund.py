"""The insurance fund: every flow in and out, its trailing peak, and how much it may pay.

SPEC §5.3 — when may the fund no longer absorb a liquidation's loss?

- ``fund_exhausted`` (BitMEX, Bybit classic): when it would go below zero;
- ``fund_drawdown`` (OKX, Bybit since 2025): when it would fall more than a set
  ratio (default 30 %) below its peak of the trailing 8 h.

Every movement of the fund's money after its initial deposit goes through ``flow``,
so the gross totals in and out are complete.
"""

from __future__ import annotations

from collections import deque

from engine.events import InsuranceFundChanged
from engine.ledger import INSURANCE_FUND, Ledger
from engine.policies import TriggerPolicy
from engine.tape import Tape
from engine.units import HOUR, PPM

PEAK_WINDOW = 8 * HOUR


class InsuranceFund:
    def __init__(
        self,
        ledger: Ledger,
        tape: Tape,
        policy: TriggerPolicy = TriggerPolicy.FUND_EXHAUSTED,
        drawdown: int = 300_000,  # ppm
        window: int = PEAK_WINDOW,
    ) -> None:
        self.ledger = ledger
        self.tape = tape
        self.policy = TriggerPolicy(policy)
        self.drawdown = drawdown
        self.window = window
        self.total_in = 0  # gross money received since the initial deposit
        self.total_out = 0  # gross money paid
        self._peaks: deque[tuple[int, int]] = deque()  # (time, balance), balances decreasing

    @property
    def balance(self) -> int:
        return self.ledger.balances[INSURANCE_FUND]

    def seed(self, amount: int) -> None:
        """The fund's initial deposit, from outside the market: its first peak."""
        self.ledger.deposit(INSURANCE_FUND, amount)
        self.record()

    # -- flows ---------------------------------------------------------------------------

    def flow(self, counterparty: str, amount: int) -> None:
        """Move money into the fund (amount > 0) from ``counterparty``, or out of it to
        them, keeping the gross totals."""
        self.ledger.transfer(counterparty, INSURANCE_FUND, amount)
        if amount > 0:
            self.total_in += amount
        else:
            self.total_out -= amount

    def pay(self, destination: str, amount: int, reason: str) -> None:
        """Pay ``amount`` out, and say so."""
        self.flow(destination, -amount)
        self.announce(-amount, reason)

    def receive(self, source: str, amount: int, reason: str) -> None:
        """Take ``amount`` in, and say so."""
        self.flow(source, amount)
        self.announce(amount, reason)

    def announce(self, delta: int, reason: str, held: int = 0) -> None:
        """Tell of a change of ``delta`` (several flows summed, or one); ``held``: the
        backstop's position it is about."""
        self.tape.emit(InsuranceFundChanged(self.tape.time, self.balance, delta, reason, held))

    # -- limits --------------------------------------------------------------------------

    def record(self) -> None:
        """Count the balance at the end of a step toward the trailing peak (a sliding-window
        maximum kept in a monotone deque: O(1) amortized). Only step ends count: within a
        step the floor stays where the steps before it set it."""
        time, balance, peaks = self.tape.time, self.ledger.balances[INSURANCE_FUND], self._peaks
        while peaks and peaks[-1][1] <= balance:
            peaks.pop()
        peaks.append((time, balance))
        while peaks[0][0] < time - self.window:
            peaks.popleft()

    def peak(self) -> int:
        """The highest end-of-step balance of the trailing window (the balance now, before
        any step has ended). A read: it records nothing."""
        oldest = self.tape.time - self.window
        for time, balance in self._peaks:  # decreasing balances: the first in the window
            if time >= oldest:
                return balance
        return self.balance

    def floor(self) -> int:
        """The lowest balance the fund may reach before ADL takes over: 0, or under
        ``fund_drawdown`` the set ratio below the trailing peak."""
        if self.policy is not TriggerPolicy.FUND_DRAWDOWN:
            return 0
        return max(0, self.peak() * (PPM - self.drawdown) // PPM)

    def allowance(self) -> int:
        """How much the fund may still pay out now."""
        return max(0, self.balance - self.floor())
