"""The loss waterfall's phrases, shared by the event log and the incident screens.

One wording per fact, so a line in the log and a step of an incident never tell the
same event two ways. Every phrase is made from an event's own fields: why ADL came
(the trigger policy the engine names in ``AdlExecuted.reason``), what the fund
gained or paid, what a deleveraged trader gave up against the mark.
"""

from __future__ import annotations

import engine.events as ev
from engine.instrument import Instrument
from tui.app import text

WHY = {
    "fund_exhausted": "under fund_exhausted the fund may not go below zero",
    "fund_drawdown": (
        "under fund_drawdown the fund may not fall further below its trailing 8 h peak "
        "than its drawdown limit"
    ),
}


def backstop_verb(side: int) -> str:
    """What the backstop does to work off a held position of ``side``: a long is sold."""
    return "sold" if side > 0 else "bought"


def fund_words(delta: int) -> str:
    """The fund's net change from one of the backstop's steps."""
    return f"fund {text.signed_money(delta)}" if delta else "fund unchanged"


def held_words(instrument: Instrument, left: int) -> str:
    return f"{text.qty(instrument, left)} still held" if left else "nothing left held"


def better_words(instrument: Instrument, at_or_better: int) -> str:
    """How much of a step's fills came at the bankruptcy price or better."""
    amount = text.qty(instrument, at_or_better) if at_or_better else "none"
    return f"{amount} at bankruptcy or better"


def forgone_words(forgone: int, quote: str = "") -> str:
    """What a deleveraged position gave up against closing at the mark, never as a
    negative "profit given up": a better price than the mark is said as such."""
    unit = f" {quote}" if quote else ""
    if forgone > 0:
        return f"profit given up vs the mark {text.money(forgone)}{unit}"
    if forgone < 0:
        return f"closed {text.money(-forgone)}{unit} better than the mark"
    return "closed at the mark: no profit given up"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def why_words(e: ev.AdlExecuted) -> str:
    """Why the fund may not absorb it, in the trigger policy's terms."""
    if e.reason == "takeover_cap":
        return (
            f"under takeover_cap the fund may take over at most {text.money(e.cap)} of "
            f"notional, and this position would have made it {text.money(e.notional)}"
        )
    return WHY.get(e.reason, f"under {e.reason}")


def absorbed_words(e: ev.AdlExecuted) -> str:
    """The room the fund had against the held position's deficit, as the log says it."""
    if e.reason == "takeover_cap":
        return f"the fund may hold {text.money(e.cap)} of notional, not {text.money(e.notional)}"
    return f"the fund could absorb {text.money(e.room)} of a {text.money(e.held_deficit)} deficit"


def adl_closed_words(e: ev.AdlExecuted, instrument: Instrument, whose: str) -> str:
    """``2.400 of L's long closed against 2 shorts at 47,500.0``."""
    return (
        f"{text.qty(instrument, e.qty)} of {whose} {text.side_word(e.side)} closed against "
        f"{plural(e.counterparties, text.side_word(-e.side))} at {text.price(instrument, e.price)}"
    )


def severity_words(e: ev.AdlExecuted) -> str:
    """SPEC §5.8: the deficit D, the winners' capacity U, the budget B and the taken H."""
    words = (
        f"Severity: deficit D {text.money(e.deficit)}, the winners' profit U "
        f"{text.money(e.capacity)}, budget B = min(D, U) {text.money(e.budget)}, taken H "
        f"{text.money(e.taken)}"
    )
    if e.taken > e.budget:
        words += f" (overshoot {text.money(e.taken - e.budget)})"
    elif e.taken < e.budget:
        words += f" (undershoot {text.money(e.budget - e.taken)})"
    return words + "."
