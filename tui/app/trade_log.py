"""The user's trade history: their fills (an order's fills on one row), fees, funding,
liquidations and ADL, with the PnL each realized, read from the engine's events.

The app hands it every frame; it keeps the newest ``KEPT`` rows (a long run makes
thousands) and running totals over the whole session, so the totals stay right
after old rows are dropped. Rows are frozen: the history page reads a snapshot.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from fractions import Fraction

import engine.events as ev
from engine.frames import Frame

KEPT = 500  # rows the history keeps


@dataclass(frozen=True, slots=True)
class HistoryRow:
    time: int
    kind: str  # fill · funding · liquidation · ADL
    side: int = 0  # the user's side in it (0: funding)
    qty: int = 0  # lots
    price: Fraction | None = None  # ticks: the average over the row's fills
    fee: int = 0  # money paid (+)
    realized: int = 0  # PnL it realized, money
    funding: int = 0  # received (+) or paid (−)
    role: str = ""  # taker or maker
    order_id: int = 0


@dataclass(frozen=True, slots=True)
class Totals:
    realized: int = 0
    fees: int = 0
    funding: int = 0

    @property
    def net(self) -> int:
        """What trading has made: realized PnL less fees, plus funding."""
        return self.realized - self.fees + self.funding


class TradeLog:
    """The user's rows, newest last, for the session it was made for."""

    def __init__(self, session: object, user: str) -> None:
        self.session = session  # the history belongs to one session: a new one starts afresh
        self.user = user
        self.rows: deque[HistoryRow] = deque(maxlen=KEPT)
        self.totals = Totals()
        self._value = 0  # Σ qty·price of the last fill row, for its average

    def follow(self, frame: Frame) -> None:
        """Take the frame's events that are the user's."""
        user = self.user
        for event in frame.events:
            kind = type(event)
            if kind is ev.Trade and user in (event.taker, event.maker):
                self._fill(event)
            elif getattr(event, "account", None) != user:
                continue
            elif kind is ev.PositionChanged and event.realized and self.rows:
                self._amend(realized=self.rows[-1].realized + event.realized)
                self._add(realized=event.realized)
            elif kind is ev.FundingPayment:
                self._push(HistoryRow(event.time, "funding", funding=event.amount))
                self._add(funding=event.amount)
            elif kind is ev.Liquidation:
                # its loss (the margin) comes with the PositionChanged that follows
                price = Fraction(event.bankruptcy_price)
                self._push(HistoryRow(event.time, "liquidation", -event.side, event.qty, price))
            elif kind is ev.AutoDeleveraged:
                self._push(
                    HistoryRow(event.time, "ADL", -event.side, event.qty, Fraction(event.price))
                )

    def _fill(self, trade: ev.Trade) -> None:
        taker = trade.taker == self.user
        side = trade.side if taker else -trade.side
        order_id = trade.taker_order if taker else trade.maker_order
        fee = trade.taker_fee if taker else trade.maker_fee
        last = self.rows[-1] if self.rows else None
        if last is not None and last.kind == "fill" and last.order_id == order_id:
            self._value += trade.qty * trade.price
            qty = last.qty + trade.qty
            self._amend(qty=qty, price=Fraction(self._value, qty), fee=last.fee + fee)
        else:
            self._value = trade.qty * trade.price
            role = "taker" if taker else "maker"
            row = HistoryRow(
                trade.time,
                "fill",
                side,
                trade.qty,
                Fraction(trade.price),
                fee,
                0,
                0,
                role,
                order_id,
            )
            self._push(row)
        self._add(fees=fee)

    def _push(self, row: HistoryRow) -> None:
        self.rows.append(row)

    def _amend(self, **changes) -> None:
        self.rows[-1] = replace(self.rows[-1], **changes)

    def _add(self, realized: int = 0, fees: int = 0, funding: int = 0) -> None:
        t = self.totals
        self.totals = Totals(t.realized + realized, t.fees + fees, t.funding + funding)
