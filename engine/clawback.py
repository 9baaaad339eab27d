"""Socialized loss (SPEC §5.7): the fund's deficit taken from the winners' profit,
positions left open — OKEx's 2018 clawback, BitMEX's Dynamic Profit Equalisation.

How the deficit is split is the market's ``haircut`` (``engine/allocation.py``, in
profit space): one rate on every winner's profit (``pnl_pro_rata``, the classic
clawback), at most half of each one's profit per round (``capped_pro_rata``: the rest
waits for the next step's round), or weighted by leverage (``risk_pro_rata``). The
severity θ (Chitra 2025) asks the winners for θ of each round's shortfall; the rest is
written off as the fund's bad debt.
"""

from __future__ import annotations

from fractions import Fraction

from engine import adl, allocation, margin
from engine.accounts import Accounts
from engine.allocation import Winner
from engine.backstop import Held
from engine.events import SocializedLoss, SocializedLossCharged
from engine.fund import InsuranceFund
from engine.policies import Haircut, MarketSettings
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM

ROUND_CAP = Fraction(1, 2)  # capped_pro_rata: the most of a winner's profit one round takes


def claw_back(
    held: Held,
    accounts: Accounts,
    fund: InsuranceFund,
    prices: PriceState,
    tape: Tape,
    settings: MarketSettings,
    written_off: int = 0,
) -> tuple[int, int]:
    """Take the fund's deficit below its floor from the winners' profit, split by the
    market's ``haircut``: the share ``severity`` (ppm, θ) of it; the rest is written off,
    left as the fund's bad debt (``written_off``: what earlier rounds left so, not asked
    again). Returns (collected, newly written off). The split's settings are read only
    when there is a deficit to split (the policy lab forks its runs at that read)."""
    balance = fund.balance
    deficit = fund.floor() - balance - written_off
    if deficit <= 0:
        return 0, 0
    winners = _winners(accounts, prices.mark)
    total_profit = sum(w.profit for _, w in winners)
    if not total_profit:
        return 0, 0
    haircut, severity = settings.haircut, settings.severity
    budget = -(-deficit * severity // PPM)  # θ·D, rounded up: a deficit is covered, not shaved
    wanted = min(budget, total_profit)
    amounts = _split([w for _, w in winners], wanted, haircut)
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
            sum(amounts) * PPM // total_profit,
            sum(1 for a in amounts if a),
            held.id,
        )
    )
    return collected, deficit - budget


def _winners(accounts: Accounts, mark: int) -> list:
    """(account, Winner) for every position in profit at ``mark``, in the accounts' order."""
    cv = accounts.instrument.contract_value
    winners = []
    for account in accounts.positions.values():
        lots = abs(account.lots)
        profit = margin.unrealized_pnl(account.side, lots, account.cost, mark, cv)
        if profit > 0:
            equity = accounts.collateral(account) + profit
            winners.append((account, Winner(account.id, profit, equity, lots * mark * cv)))
    return winners


def _split(winners: list[Winner], wanted: int, haircut: Haircut) -> tuple[int, ...]:
    if haircut is Haircut.CAPPED_PRO_RATA:
        return allocation.capped_pro_rata(winners, wanted, ROUND_CAP).taken
    if haircut is Haircut.RISK_PRO_RATA:
        return allocation.risk_pro_rata(winners, wanted, allocation.risk_weight("linear", 0)).taken
    # pnl_pro_rata on the money grid, in integers (a crowd's clawback splits 100,000 ways)
    return tuple(adl.split_exact(wanted, [w.profit for w in winners]))
