"""The ledger: named accounts of money and transfers between them, nothing else.

Money only moves; it is never created or destroyed. The named accounts are:

- ``wallet:<id>``    a trader's wallet (cross margin lives here);
- ``isolated:<id>``  margin set aside for a trader's isolated position;
- ``insurance_fund`` absorbs liquidation surpluses and pays their deficits;
- ``fee_pool``       trading fees;
- ``settlement``     the clearing house: pays realized profit, receives realized
                     loss; its balance is always −Σ uPnL (open interest nets to zero);
- ``funding_pool``   transit for one funding settlement, empty between steps;
- ``external``       the outside world: −(deposits − withdrawals).

So the sum of all balances is zero, which is SPEC §1's invariant restated.
"""

from __future__ import annotations

INSURANCE_FUND = "insurance_fund"
FEE_POOL = "fee_pool"
SETTLEMENT = "settlement"
FUNDING_POOL = "funding_pool"
EXTERNAL = "external"


def wallet_key(account: str) -> str:
    return f"wallet:{account}"


def isolated_key(account: str) -> str:
    return f"isolated:{account}"


class Ledger:
    def __init__(self) -> None:
        self.balances: dict[str, int] = {
            INSURANCE_FUND: 0,
            FEE_POOL: 0,
            SETTLEMENT: 0,
            FUNDING_POOL: 0,
            EXTERNAL: 0,
        }
        self.deposits = 0
        self.withdrawals = 0

    def open(self, key: str) -> None:
        self.balances.setdefault(key, 0)

    def transfer(self, source: str, destination: str, amount: int) -> None:
        """Move ``amount`` (may be negative: the reverse direction) from source to destination."""
        balances = self.balances
        balances[source] -= amount
        balances[destination] += amount

    def draw(self, sources: tuple[str, ...], destination: str, amount: int) -> int:
        """Move up to ``amount`` from the sources in order, never below zero; returns the
        part that could not be drawn."""
        balances = self.balances
        if balances[sources[0]] >= amount:  # the common case: the first source suffices
            balances[sources[0]] -= amount
            balances[destination] += amount
            return 0
        for source in sources:
            if amount <= 0:
                break
            take = min(amount, max(balances[source], 0))
            if take:
                balances[source] -= take
                balances[destination] += take
                amount -= take
        return amount

    def deposit(self, key: str, amount: int) -> None:
        self.transfer(EXTERNAL, key, amount)
        self.deposits += amount

    def withdraw(self, key: str, amount: int) -> None:
        self.transfer(key, EXTERNAL, amount)
        self.withdrawals += amount

    def total(self) -> int:
        """Σ all balances: zero, always."""
        return sum(self.balances.values())
