"""The backstop's inventory: what the liquidation engine took over and has not closed.

It takes a position at the owner's bankruptcy price, so its cost is kept in money
(Q·P_bk·cv = C·cv − s·margin, an integer) rather than in lot·ticks. Its realized
PnL is the insurance fund's: a fill better than P_bk is surplus, worse is a loss.
"""

from __future__ import annotations


class Backstop:
    """One side's inventory at a money cost basis. Between liquidations it is flat."""

    def __init__(self) -> None:
        self.side = 0
        self.lots = 0
        self.cost = 0  # money units

    def take_over(self, side: int, lots: int, cost: int) -> None:
        assert self.lots == 0 or self.side == side, "one liquidation at a time"
        self.side = side
        self.lots += lots
        self.cost += cost

    def release(self, lots: int, price: int, contract_value: int) -> int:
        """Close ``lots`` at ``price`` (ticks); returns the realized PnL in money.

        A partial close rounds the removed cost in the fund's favour, so a loss the
        fund was allowed to take is never exceeded by rounding; the last close takes
        whatever cost remains, so the total is exact.
        """
        if lots == self.lots:
            removed = self.cost
        elif self.side > 0:
            removed = self.cost * lots // self.lots
        else:
            removed = -(-self.cost * lots // self.lots)
        realized = self.side * (lots * price * contract_value - removed)
        self.lots -= lots
        self.cost -= removed
        if not self.lots:
            self.side = 0
        return realized

    def unrealized(self, mark: int, contract_value: int) -> int:
        return self.side * (self.lots * mark * contract_value - self.cost)

    def bankruptcy_tick(self, contract_value: int) -> int:
        """The average take-over price rounded toward the fund: counterparties never
        get a better price than the bankruptcy price."""
        units = self.lots * contract_value
        return -(-self.cost // units) if self.side > 0 else self.cost // units
