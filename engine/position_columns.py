"""One side's open positions as columns, kept up to date as positions change.

The lights rank a whole side every few seconds; with 100,000 positions, rebuilding
100,000 Python objects per refresh cost more than everything else. Kept as columns
(``array.array`` of floats, grown and changed in place, C speed), a side is handed
to numpy without copying (``engine/column_ranking.py``) and ranked in a few
vectorized passes. Only the standard library here: numpy is imported by the ranking,
when a side is big enough to need it.

Floats hold the integers exactly below 2⁵³; the ranking scores a row whose numbers
are bigger (a whale's wallet) with the reference code instead.
"""

from __future__ import annotations

from array import array

from engine.adl import Holder


class SideColumns:
    """Rows of (lots, cost, collateral, opened at), one per position, by account.
    A closed position's row is filled by the last row (rows have no order)."""

    def __init__(self) -> None:
        self.accounts: list[str] = []
        self.rows: dict[str, int] = {}
        self.lots = array("d")
        self.cost = array("d")
        self.collateral = array("d")
        self.opened = array("d")

    def columns(self) -> tuple[array, array, array, array]:
        return self.lots, self.cost, self.collateral, self.opened

    def __len__(self) -> int:
        return len(self.accounts)

    def put(self, holder: Holder) -> None:
        """The account's position as it is now (added, or changed in place)."""
        _, _, lots, cost, collateral, _, opened_at = holder
        values = (float(lots), float(cost), float(collateral), float(opened_at))
        row = self.rows.get(holder.account)
        if row is None:
            self.rows[holder.account] = len(self.accounts)
            self.accounts.append(holder.account)
            for column, value in zip(self.columns(), values, strict=True):
                column.append(value)
            return
        for column, value in zip(self.columns(), values, strict=True):
            column[row] = value

    def drop(self, account: str) -> None:
        """The account has no position here any more (nothing happens if it had none)."""
        row = self.rows.pop(account, None)
        if row is None:
            return
        last = self.accounts.pop()
        if last != account:
            self.accounts[row] = last
            self.rows[last] = row
        for column in self.columns():
            value = column.pop()
            if last != account:
                column[row] = value
