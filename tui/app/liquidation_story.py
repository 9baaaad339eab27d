"""The user's liquidation, told from its events, as far as they have come.

SPEC §5.2: the owner is settled at the bankruptcy price (the margin lost, never more)
and the backstop takes the position over there; step after step it works it off the
book, at the bankruptcy price or better first (surplus to the fund), then within a
band around the mark as far as the fund may pay; what the fund may not absorb goes
to ADL (or, under clawback, is taken from the winners). Each of those steps is one
line here, made from the events that tell it; the last line says what is still held
or how it all closed.
"""

from __future__ import annotations

from collections.abc import Sequence

import engine.events as ev
from engine.instrument import Instrument
from engine.units import format_moment
from tui.app import text
from tui.app.fund_account import account_words, fund_account
from tui.app.incident import Incident
from tui.app.policy_words import short
from tui.app.waterfall_words import (
    backstop_verb,
    better_words,
    fund_words,
    held_words,
    plural,
    why_words,
)

FILLS_SHOWN = 4  # fills listed in one step's line
STEPS_SHOWN = 6  # the backstop's steps listed one by one; the middle ones are summed up
RANKS_SHOWN = 5  # counterparties named in an ADL's line


def tell_liquidation(events: Sequence[ev.Event], i: Instrument, dated: bool = False) -> Incident:
    """The incident of the ``Liquidation`` among ``events`` and all that followed it;
    ``dated``: the feed's times are real dates (``Frame.dated``)."""
    liq = next(e for e in events if type(e) is ev.Liquidation)
    settled = next((e for e in events if type(e) is ev.LiquidationSettled), None)
    cancelled = sum(1 for e in events if type(e) is ev.OrderCancelled)
    steps = [trigger_words(liq, i)]
    bankrupt = text.threshold(i, liq.side, liq.bankruptcy_price)
    if cancelled:
        steps.append(f"Your {cancelled} open order(s) were cancelled first.")
    steps += [
        f"You were settled as if the whole {text.side_word(liq.side)} {text.qty(i, liq.qty)} "
        f"closed at the bankruptcy price {bankrupt}: your margin, "
        f"{text.money(liq.margin_lost)} {i.quote}, is lost, and never more than that.",
        f"The backstop (the liquidation engine, for the insurance fund) took your "
        f"{text.side_word(liq.side)} over at {bankrupt}: from here "
        "its profit or loss is the fund's, not yours.",
    ]
    steps += offload_summary(events, i, still_held=settled is None)
    steps += work_lines(events, liq, i, dated=dated)
    steps.append(closed_words(settled, i) if settled else still_held_words(events, liq, i))
    steps.append(account_words(fund_account(events), i.quote))
    side = text.side_word(liq.side)
    return Incident(
        kind="liquidation",
        label="Liquidation",
        time=liq.time,
        title=f"Liquidation of your {side} {text.qty(i, liq.qty)}",
        summary=(
            f"You were liquidated: {side} {text.qty(i, liq.qty)} at mark "
            f"{text.price(i, liq.mark)}; margin lost {text.money(liq.margin_lost)} {i.quote}. "
            f"The backstop took it over at {bankrupt}."
        ),
        steps=tuple(steps),
        key=("liquidation", liq.held),
        events=tuple(events),
        open=settled is None,
        dated=dated,
    )


def trigger_words(liq: ev.Liquidation, i: Instrument) -> str:
    crossed = "fell to" if liq.side > 0 else "rose to"
    return (
        f"Trigger: the mark {crossed} {text.price(i, liq.mark)}, past your liquidation price "
        f"{text.threshold(i, liq.side, liq.liquidation_price)}: equity {text.money(liq.equity)} "
        f"was below the maintenance margin {text.money(liq.maintenance)}."
    )


def offload_summary(events: Sequence[ev.Event], i: Instrument, still_held: bool) -> list[str]:
    """How much the backstop worked off the book, over how many steps, at what prices."""
    traded = [e for e in events if type(e) is ev.BackstopTraded]
    if not traded:
        return ["The backstop has closed none of it on the book yet."] if still_held else []
    prices = [e.price for e in events if type(e) is ev.Trade]
    qty = sum(e.qty for e in traded)
    better = sum(e.at_or_better for e in traded)
    parts = []
    if better:
        parts.append(
            f"{text.qty(i, better)} at the bankruptcy price or better (surplus to the fund)"
        )
    if qty > better:
        parts.append(
            f"{text.qty(i, qty - better)} within the band around the mark (paid by the fund)"
        )
    return [
        f"Offloaded over {plural(len(traded), 'step')}{' so far' if still_held else ''}"
        f"{price_range(prices, i)}: {backstop_verb(traded[0].side)} {text.qty(i, qty)}, "
        f"{' and '.join(parts)}."
    ]


def price_range(prices: list[int], i: Instrument) -> str:
    """`` at 47,550.0 to 46,800.0``: the best and the worst of the backstop's fills."""
    if not prices:
        return ""
    high, low = text.price(i, max(prices)), text.price(i, min(prices))
    return f" at {high}" if high == low else f" at {high} to {low}"


def work_lines(
    events: Sequence[ev.Event],
    liq: ev.Liquidation | None,
    i: Instrument,
    with_adl: bool = True,
    dated: bool = False,
) -> list[str]:
    """One line per step of the backstop's work and per ADL or clawback, in order; when
    the backstop took many steps, the middle ones are summed up in one line. An ADL
    incident tells its own ADL in full, so it asks for them ``with_adl=False``."""
    lines: list[tuple[bool, str]] = []  # (a backstop step?, its words)
    fills: list[ev.Trade] = []
    hits: list[ev.AutoDeleveraged] = []
    for n, event in enumerate(events):
        cls = type(event)
        after = _fund_after(events, n)
        if cls is ev.Trade:
            fills.append(event)
        elif cls is ev.AutoDeleveraged:
            hits.append(event)
        elif cls is ev.BackstopTraded:
            lines.append((True, step_words(event, fills, after, i, dated)))
            fills = []
        elif cls is ev.AdlExecuted and with_adl:
            moved = _fund_moved(events, n)
            lines += [(False, w) for w in adl_words(event, hits, moved, after, liq, i, dated)]
            hits = []
        elif cls is ev.SocializedLoss:
            lines.append((False, clawback_words(event, dated)))
    return _elided(lines)


def step_words(
    e: ev.BackstopTraded,
    fills: list[ev.Trade],
    after: int | None,
    i: Instrument,
    dated: bool = False,
) -> str:
    shown = fills_words(fills, i)
    fund = fund_words(e.realized) + (f" → {text.money(after)}" if after is not None else "")
    return (
        f"{format_moment(e.time, dated)} · {backstop_verb(e.side)} {text.qty(i, e.qty)}"
        f"{': ' + shown if shown else ''}; {better_words(i, e.at_or_better)}; {fund}; "
        f"{held_words(i, e.left)}."
    )


def fills_words(fills: list[ev.Trade], i: Instrument) -> str:
    """``4.000 @ 47,550.0, 1.000 @ 46,900.0``: the first few of a step's fills."""
    shown = ", ".join(
        f"{text.qty(i, f.qty)} @ {text.price(i, f.price)}" for f in fills[:FILLS_SHOWN]
    )
    more = len(fills) - FILLS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def adl_words(
    e: ev.AdlExecuted,
    hits: list[ev.AutoDeleveraged],
    moved: int,
    after: int | None,
    liq: ev.Liquidation | None,
    i: Instrument,
    dated: bool = False,
) -> list[str]:
    """Why the fund may not absorb it, and the ADL that closed it, ranked at that moment."""
    why = f"{format_moment(e.time, dated)} · {_sentence(deficit_words(e, i))}"
    ranks = ", ".join(f"#{h.rank} {h.account} {text.qty(i, h.qty)}" for h in hits[:RANKS_SHOWN]) + (
        f" and {len(hits) - RANKS_SHOWN} more" if len(hits) > RANKS_SHOWN else ""
    )
    fund = f"; {fund_words(moved)} (the ADL price against the take-over price)" if moved else ""
    fund += f"; the fund's balance after: {text.money(after)}" if after is not None else ""
    closed = (
        f"ADL #{e.adl_id} closed {text.qty(i, e.qty)} against "
        f"{plural(e.counterparties, text.side_word(-e.side))}, ranked at that moment "
        f"(ranking {short('ranking', e.policy)}: {e.policy}), at "
        f"{text.price(i, e.price)}{price_label(e, liq)}: {ranks}{fund}."
    )
    return [why, closed]


def deficit_words(e: ev.AdlExecuted, i: Instrument) -> str:
    """Why ADL came: the deficit the fund could not absorb, and the rule that says so."""
    if e.reason == "takeover_cap":
        return f"the fund could not take all of it over: {why_words(e)}."
    return (
        f"the deficit {text.money(e.deficit)} could not be absorbed: at mark "
        f"{text.price(i, e.mark)} the held position's loss beyond bankruptcy was "
        f"{text.money(e.held_deficit)}, and the fund ({text.money(e.fund_before)}) could absorb "
        f"only {text.money(e.room)} of it: {why_words(e)}."
    )


def price_label(e: ev.AdlExecuted, liq: ev.Liquidation | None) -> str:
    """Which price ADL used, when the events say so."""
    if e.price == e.mark:
        return " (the mark)"
    if liq is not None and e.price == liq.bankruptcy_price:
        return " (the bankruptcy price)"
    return ""


def clawback_words(e: ev.SocializedLoss, dated: bool = False) -> str:
    return (
        f"{format_moment(e.time, dated)} · The fund's shortfall, {text.money(e.deficit)}, was "
        f"clawed back from the winners: {text.money(e.collected)} from "
        f"{plural(e.accounts, 'account')} ({text.percent(e.rate)} of their profit); their "
        "positions stay open."
    )


def closed_words(e: ev.LiquidationSettled, i: Instrument) -> str:
    return (
        f"Closed after {text.span(e.time - e.since)}: {text.qty(i, e.book_qty)} on the book at "
        f"bankruptcy or better, {text.qty(i, e.band_qty)} within the band, "
        f"{text.qty(i, e.adl_qty)} by ADL. The fund received {text.money(e.fund_in)} and paid "
        f"{text.money(e.fund_out)} {i.quote}."
    )


def still_held_words(events: Sequence[ev.Event], liq: ev.Liquidation, i: Instrument) -> str:
    left = liq.qty
    for event in events:
        if type(event) is ev.BackstopTraded:
            left = event.left
        elif type(event) is ev.AdlExecuted:
            left -= event.qty
    return (
        f"Still held by the backstop: {text.qty(i, left)} of {text.qty(i, liq.qty)}. Its "
        "profit or loss at the mark is in the fund's equity until it is closed."
    )


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def _fund_moved(events: Sequence[ev.Event], n: int) -> int:
    """How much the fund moved right after event ``n`` (an ADL's closing), when it did."""
    nxt = events[n + 1] if n + 1 < len(events) else None
    return nxt.delta if type(nxt) is ev.InsuranceFundChanged else 0


def _fund_after(events: Sequence[ev.Event], n: int) -> int | None:
    """The fund's balance right after event ``n``, when the engine told it."""
    nxt = events[n + 1] if n + 1 < len(events) else None
    return nxt.balance if type(nxt) is ev.InsuranceFundChanged else None


def _elided(lines: list[tuple[bool, str]]) -> list[str]:
    """The lines, the backstop's steps beyond the first and last few summed up in one."""
    steps = [n for n, (step, _) in enumerate(lines) if step]
    if len(steps) <= STEPS_SHOWN:
        return [words for _, words in lines]
    half = STEPS_SHOWN // 2
    hidden = set(steps[half:-half])
    out = []
    for n, (_, words) in enumerate(lines):
        if n == steps[half]:
            out.append(f"… {plural(len(hidden), 'more step')} of the same kind …")
        if n not in hidden:
            out.append(words)
    return out
