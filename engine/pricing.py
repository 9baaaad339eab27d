"""Index → mark price, and the funding rate (SPEC §4).

The mark price drives uPnL and liquidation, never the last trade alone:

- ``median`` (Binance): median(Index·(1 + F·t/T), Index + 30 s moving average of
  (book mid − Index), last trade price);
- ``fair`` (BitMEX): Index·(1 + F·t/T);
- ``index`` (dYdX): the oracle's price itself.

F is the funding rate predicted from the premium samples so far, t the time to the
next funding and T the interval. Funding: F = P̄ + clamp(I − P̄, −clamp, +clamp) with
I and the clamp quoted per 8 h, scaled to the interval, then capped, where P̄ averages
the premium index sampled every ``sample_every``: plainly, or (``weighted``, as
Binance and Bybit do) with the i-th sample weighing i.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

from engine.book import OrderBook
from engine.instrument import FundingSettings, Instrument
from engine.units import PPM, SECOND, round_div

BASIS_WINDOW = 30 * SECOND


class MarkPolicy(StrEnum):
    MEDIAN = "median"
    FAIR = "fair"
    INDEX = "index"


EIGHT_HOURS = 8 * 3_600 * SECOND


def funding_rate(premium: int, settings: FundingSettings) -> int:
    """F = P̄ + clamp(I − P̄, −c, c) per 8 h, scaled to the interval, capped to ±cap; ppm."""
    clamp = max(-settings.clamp, min(settings.clamp, settings.interest - premium))
    rate = round_div((premium + clamp) * settings.interval, EIGHT_HOURS)
    return max(-settings.cap, min(settings.cap, rate))


def impact_price(book: OrderBook, side: int, notional: int, contract_value: int) -> int | None:
    """Average price (ticks) to fill ``notional`` money as an aggressor of ``side``."""
    want = notional
    lots_taken = 0
    value = 0  # lot·ticks
    for price, lots in book.walk(side):
        level_money = lots * price * contract_value
        if level_money >= want:
            part = -(-want // (price * contract_value))
            lots_taken += part
            value += part * price
            want = 0
            break
        lots_taken += lots
        value += lots * price
        want -= level_money
    if lots_taken == 0:
        return None
    return round_div(value, lots_taken)


def premium_index(index: int, impact_bid: int | None, impact_ask: int | None) -> int:
    """[max(0, impact bid − Index) − max(0, Index − impact ask)] / Index, in ppm."""
    above = max(0, impact_bid - index) if impact_bid is not None else 0
    below = max(0, index - impact_ask) if impact_ask is not None else 0
    return round_div((above - below) * PPM, index)


class PriceState:
    """Index, mark and last price, the basis average and the funding interval's premiums."""

    def __init__(
        self,
        instrument: Instrument,
        policy: MarkPolicy,
        start_time: int,
        funding: FundingSettings | None = None,
    ) -> None:
        self.instrument = instrument
        self.funding = funding or instrument.funding
        self.policy = MarkPolicy(policy)
        self.index = 0
        self.mark = 0
        self.last: int | None = None
        self._basis: deque[tuple[int, int]] = deque()
        self._basis_sum = 0
        self._premium_sum = 0
        self._premium_count = 0
        self._weighted_sum = 0  # Σ i·P_i, for the weighted average
        interval = self.funding.interval
        self.next_funding = (start_time // interval + 1) * interval
        self._next_sample = start_time

    # -- funding -----------------------------------------------------------------------

    def average_premium(self) -> int:
        if not self._premium_count:
            return 0
        if self.funding.average == "weighted":  # Σ i·P_i / Σ i
            count = self._premium_count
            return round_div(self._weighted_sum, count * (count + 1) // 2)
        return round_div(self._premium_sum, self._premium_count)

    def predicted_rate(self) -> int:
        return funding_rate(self.average_premium(), self.funding)

    def funding_due(self, time: int) -> bool:
        return time >= self.next_funding

    def close_funding_interval(self, time: int) -> tuple[int, int]:
        """The rate to settle now and its average premium; opens the interval after ``time``."""
        premium = self.average_premium()
        rate = funding_rate(premium, self.funding)
        self._premium_sum = self._premium_count = self._weighted_sum = 0
        interval = self.funding.interval
        self.next_funding = (time // interval + 1) * interval
        return rate, premium

    # -- prices ------------------------------------------------------------------------

    def update(self, time: int, index: int, book: OrderBook) -> int:
        """Take a new index at ``time`` and return the new mark."""
        self.index = index
        bid, ask = book.best_bid(), book.best_ask()
        if bid is not None and ask is not None:
            self._add_basis(time, (bid + ask) // 2 - index)
        if time >= self._next_sample:
            self._sample_premium(index, book)
            self._next_sample = time + self.funding.sample_every
        self.mark = self._mark(time, index)
        return self.mark

    def _mark(self, time: int, index: int) -> int:
        if self.policy is MarkPolicy.INDEX:
            return index
        funding = self.funding
        time_left = max(0, self.next_funding - time)
        fair = index + round_div(index * self.predicted_rate() * time_left, PPM * funding.interval)
        if self.policy is MarkPolicy.FAIR:
            return max(1, fair)
        basis = round_div(self._basis_sum, len(self._basis)) if self._basis else 0
        last = self.last if self.last is not None else index
        return max(1, sorted((fair, index + basis, last))[1])

    def _add_basis(self, time: int, basis: int) -> None:
        samples = self._basis
        samples.append((time, basis))
        self._basis_sum += basis
        while samples[0][0] <= time - BASIS_WINDOW:
            self._basis_sum -= samples.popleft()[1]

    def _sample_premium(self, index: int, book: OrderBook) -> None:
        cv = self.instrument.contract_value
        notional = self.funding.impact_notional
        impact_bid = impact_price(book, -1, notional, cv)
        impact_ask = impact_price(book, 1, notional, cv)
        premium = premium_index(index, impact_bid, impact_ask)
        self._premium_sum += premium
        self._premium_count += 1
        self._weighted_sum += self._premium_count * premium
