"""Socialized loss (SPEC §5.7): the fund's deficit taken from every winner's profit at one
rate, positions left open — OKEx's 2018 clawback, BitMEX's Dynamic Profit Equalisation.
"""

from __future__ import annotations

from engine import adl, margin
from engine.accounts import Accounts
from engine.backstop import Held
from engine.events import SocializedLoss, SocializedLossCharged
from engine.fund import InsuranceFund
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM


def claw_back(
    held: Held, accounts: Accounts, fund: InsuranceFund, prices: PriceState, tape: Tape
) -> int:
    """Take the fund's deficit below its floor from every winner's profit, at one rate.
    Returns what was collected."""
    balance = fund.balance
    deficit = fund.floor() - balance
    if deficit <= 0:
        return 0
    mark, cv = prices.mark, accounts.instrument.contract_value
    winners = [
        (account, margin.unrealized_pnl(account.side, abs(account.lots), account.cost, mark, cv))
        for account in accounts.positions.values()
    ]
    winners = [(a, profit) for a, profit in winners if profit > 0]
    total_profit = sum(p for _, p in winners)
    if not total_profit:
        return 0
    wanted = min(deficit, total_profit)
    amounts = adl.split_exact(wanted, [p for _, p in winners])
    collected = 0
    for (account, _), amount in zip(winners, amounts, strict=True):
        if not amount:
            continue
        paid = accounts.charge(account, amount)
        collected += paid
        tape.emit(SocializedLossCharged(tape.time, account.id, paid))
    if collected:
        fund.announce(collected, f"socialized loss after {held.account}'s liquidation", held.id)
    tape.emit(
        SocializedLoss(
            tape.time,
            held.account,
            deficit,
            collected,
            wanted * PPM // total_profit,
            sum(1 for a in amounts if a),
            held.id,
        )
    )
    return collected
