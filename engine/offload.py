"""How the backstop works a held position off the book, step after step (SPEC §5.2).

Each step, for each held position in the order taken over: an order at the
bankruptcy price or better first (a better fill is surplus for the fund); then,
within a band around the mark, as much as the fund may pay for under its trigger
policy (all of the band under ``clawback``, whose shortfall the winners refill).
Whatever the book cannot take stays held for the next step: the backstop never
dumps a position into an empty book, and ADL comes only where the fund may not
absorb what is held (``engine/deleveraging.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from engine.backstop import Backstop, Held
from engine.events import BackstopTraded
from engine.fund import InsuranceFund
from engine.ledger import SETTLEMENT
from engine.matching import Matching
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM

LIQUIDATOR = "liquidation-engine"  # the taker the backstop's trades name


class BackstopOrder:
    """The backstop as an aggressor: each fill releases a held position's lots, and the
    realized PnL against the take-over price is the fund's. No taker fee."""

    __slots__ = ("backstop", "held", "fund", "cv", "name", "order_id", "account", "realized")

    def __init__(self, backstop: Backstop, held: Held, fund: InsuranceFund, cv: int) -> None:
        self.backstop, self.held, self.fund, self.cv = backstop, held, fund, cv
        self.name, self.order_id, self.account = LIQUIDATOR, 0, None
        self.realized = 0

    def settle(self, side: int, lots: int, price: int) -> int:
        realized = self.backstop.release(self.held, lots, price, self.cv)
        self.fund.flow(SETTLEMENT, realized)
        self.realized += realized
        return 0


class Offloader:
    def __init__(
        self,
        backstop: Backstop,
        matching: Matching,
        fund: InsuranceFund,
        prices: PriceState,
        tape: Tape,
        cv: int,
    ) -> None:
        self.backstop = backstop
        self.matching = matching
        self.fund = fund
        self.prices = prices
        self.tape = tape
        self._cv = cv

    def work(
        self,
        held: Held,
        band: int,
        paid_by_winners: bool,
        then: Callable[[Held], None] | None = None,
    ) -> None:
        """Work ``held`` off as far as the book and the fund allow this step; ``band`` in
        ppm of the mark. ``paid_by_winners``: losses need no allowance (clawback).
        ``then`` sees the position between its order at bankruptcy and the fund's own
        trading (where Binance's take-over cap applies)."""
        if not held.lots:
            return
        before = self.fund.balance
        surplus, at_or_better = self._take(held, held.bankruptcy_tick(self._cv), held.lots)
        held.book_qty += at_or_better
        held.fund_in += max(0, surplus)
        if then is not None:  # what it moves, it tells itself
            outside = self.fund.balance
            then(held)
            before += self.fund.balance - outside
        loss = band_lots = 0
        if held.lots:
            mark = self.prices.mark
            reach = mark * band // PPM
            limit = mark - reach if held.side > 0 else mark + reach
            allowance = None if paid_by_winners else self.fund.allowance()
            lots = self._affordable(held, -held.side, limit, allowance)
            if lots:
                loss, band_lots = self._take(held, limit, lots)
                held.band_qty += band_lots
                held.fund_out += max(0, -loss)
        traded = at_or_better + band_lots
        if traded:
            tape = self.tape
            tape.emit(
                BackstopTraded(
                    tape.time, held.id, held.account, held.side, traded, at_or_better,
                    surplus + loss, held.lots,
                )
            )  # fmt: skip
        delta = self.fund.balance - before
        if delta:
            self.fund.announce(delta, f"liquidation of {held.account}", held.id)

    def _take(self, held: Held, limit: int, lots: int) -> tuple[int, int]:
        """Send the backstop's order for ``lots`` within ``limit``: (realized, lots filled)."""
        order = BackstopOrder(self.backstop, held, self.fund, self._cv)
        _, filled = self.matching.take(order, -held.side, lots, limit)
        return order.realized, filled

    def _affordable(self, held: Held, side: int, limit: int, allowance: int | None) -> int:
        """How many lots the fund can close within ``limit`` before its loss would pass
        ``allowance`` (walking the book as the match will)."""
        cv, wanted, cost = self._cv, held.lots, held.cost
        taken = loss = 0
        for price, available in self.matching.book.walk(side):
            if (price < limit) if side < 0 else (price > limit):
                break
            take = min(available, wanted - taken)
            if allowance is not None:
                # loss of closing k more lots at this price: −s·(k·p·cv − k·cost/lots)
                per_lot = -held.side * (price * cv * wanted - cost)  # × 1/lots
                if per_lot > 0:
                    room = (allowance - loss) * wanted // per_lot
                    take = min(take, max(0, room))
                    loss += -(-take * per_lot // wanted)
            taken += take
            if taken >= wanted or (allowance is not None and take < available):
                break
        return taken
