"""SPEC §1's invariants, checked: the ledger exact to the unit, open interest balanced,
no wallet of a solvent account below zero.

Σ wallets + Σ uPnL (the backstop's held positions included) + insurance fund + fee
pool = Σ deposits − Σ withdrawals, at every step.
"""

from __future__ import annotations

from engine import margin
from engine.ledger import EXTERNAL, FEE_POOL, FUNDING_POOL, SETTLEMENT
from engine.views import LedgerTotals


def ledger_totals(exchange) -> LedgerTotals:
    """SPEC §1's terms, summed over every ledger account and position."""
    balances, mark = exchange.ledger.balances, exchange.prices.mark
    cv = exchange.instrument.contract_value
    positions = exchange.accounts.positions.values()
    backstop = exchange.liquidation.backstop
    wallets = sum(v for k, v in balances.items() if k.startswith(("wallet:", "isolated:")))
    unrealized = sum(
        margin.unrealized_pnl(a.side, abs(a.lots), a.cost, mark, cv) for a in positions
    ) + backstop.unrealized(mark, cv)
    held_long, held_short = backstop.lots_on(1), backstop.lots_on(-1)
    return LedgerTotals(
        deposits=exchange.ledger.deposits,
        withdrawals=exchange.ledger.withdrawals,
        wallets=wallets,
        unrealized=unrealized,
        insurance_fund=exchange.fund.balance,
        fees=balances[FEE_POOL],
        settlement=balances[SETTLEMENT],
        funding_pool=balances[FUNDING_POOL],
        long_lots=sum(a.lots for a in positions if a.lots > 0) + held_long,
        short_lots=-sum(a.lots for a in positions if a.lots < 0) + held_short,
    )


def check_invariants(exchange) -> dict[str, bool]:
    """SPEC §1's invariants, exact to the unit."""
    totals = exchange.ledger_totals()
    balances = exchange.ledger.balances
    return {
        "conservation": totals.conserved,
        "ledger_sums_to_zero": exchange.ledger.total() == 0,
        "open_interest_balanced": totals.balanced,
        "no_negative_wallet": all(
            balances[a.wallet] >= 0 and balances[a.isolated] >= 0
            for a in exchange.accounts.all()
            if not a.bankrupt
        ),
        "external_matches_deposits": -balances[EXTERNAL] == totals.deposits - totals.withdrawals,
        "open_interest_counted": exchange.accounts.long_lots
        == sum(a.lots for a in exchange.accounts.positions.values() if a.lots > 0),
        "backstop_counted": exchange.liquidation.backstop.counted(
            exchange.prices.mark, exchange.instrument.contract_value
        ),
    }
