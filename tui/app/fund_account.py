"""What one liquidation did to the insurance fund, every movement named.

The engine tells each change of the fund that a held position caused as an
``InsuranceFundChanged`` naming it (``held``), right after the event that caused it
(the backstop's step, ``BackstopTraded``; an ADL, ``AdlExecuted``) or right before
it (a clawback's ``SocializedLoss``). Summing them by cause gives an account whose
parts add up, exactly, to the fund's change the event log shows line by line: an
ADL at the bankruptcy price still moves the fund, since the price is rounded to the
tick in the fund's favour, and that movement has a name here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import engine.events as ev
from engine.units import MONEY_SCALE, round_div
from tui.app import text

CENT = MONEY_SCALE // 100


@dataclass(frozen=True, slots=True)
class FundAccount:
    """Money units the fund gained (+) or paid (−), by cause."""

    book: int = 0  # the backstop's fills on the book, against the take-over price
    adl: int = 0  # the held position closed by ADL at the ADL price, against the take-over
    clawback: int = 0  # taken from the winners (socialized loss)
    other: int = 0  # a change the engine named for this position with no cause above

    @property
    def total(self) -> int:
        return self.book + self.adl + self.clawback + self.other


def fund_account(events: Sequence[ev.Event]) -> FundAccount:
    """The fund's changes among one incident's ``events`` (``held_events``), by cause."""
    sums = dict.fromkeys(("book", "adl", "clawback", "other"), 0)
    for n, event in enumerate(events):
        if type(event) is ev.InsuranceFundChanged:
            sums[cause(events, n)] += event.delta
    return FundAccount(**sums)


def cause(events: Sequence[ev.Event], n: int) -> str:
    """What moved the fund in event ``n``, from the events beside it."""
    after = type(events[n + 1]) if n + 1 < len(events) else None
    before = type(events[n - 1]) if n else None
    if after is ev.SocializedLoss:
        return "clawback"
    return {ev.BackstopTraded: "book", ev.AdlExecuted: "adl"}.get(before, "other")


def account_words(account: FundAccount, quote: str) -> str:
    """``The fund: -24.93 from the backstop's fills, +0.02 from closing by ADL …: -24.90 USDT
    in all, each part rounded on its own.`` Every figure keeps the one
    rounding rule of money, so the exact parts add up to the exact total, and when their
    cents do not, the line says why rather than nudging a part away from its own value."""
    amounts = [
        (amount, words)
        for amount, words in (
            (account.book, "from the backstop's fills"),
            (account.adl, "from closing by ADL at the ADL price (against the take-over price)"),
            (account.clawback, "clawed back from the winners"),
            (account.other, "otherwise"),
        )
        if amount
    ]
    if not amounts:
        return "The fund has not moved for it."
    parts = ", ".join(f"{text.signed_money(amount)} {words}" for amount, words in amounts)
    total = text.signed_money(account.total)
    cents = sum(round_div(amount, CENT) for amount, _ in amounts)  # as text.money rounds
    note = "" if cents == round_div(account.total, CENT) else ", each part rounded on its own"
    return f"The fund: {parts}: {total} {quote} in all{note}."
