"""The insurance fund in words: where it stands against its ADL floor, what the backstop
holds for it, and how money moved in and out — every figure the engine's own, from
the frame's market view (SPEC §5.2–3).
"""

from __future__ import annotations

from engine.frames import Frame
from engine.units import PPM
from engine.views import HeldSide, MarketView
from tui.app import text
from tui.app.policy_words import WORDS
from tui.app.waterfall_words import backstop_verb, plural


def standing(frame: Frame) -> list[str]:
    """The fund now: balance, equity, floor and what it may still pay (the engine's
    ``InsuranceFund.allowance``: the balance above the floor; under ``takeover_cap`` ADL
    may also come from the cap on what the backstop holds, said below)."""
    view, q = frame.market, frame.instrument.quote
    room = max(0, view.insurance_fund - view.fund_floor)
    return [
        f"balance {text.money(view.insurance_fund)} {q} · equity {text.money(view.fund_equity)} "
        f"· ADL floor {text.money(view.fund_floor)} · may still pay {text.money(room)}",
        "  equity = balance + the profit or loss of what the backstop holds, at the mark",
        *floor_words(frame),
    ]


def floor_words(frame: Frame) -> list[str]:
    """Why the floor stands where it does, under the trigger in force (the floor itself
    is the engine's: ``InsuranceFund.floor``)."""
    settings, view = frame.settings, frame.market
    trigger = str(settings.trigger_policy)
    lines = [f"  ADL trigger {trigger}: {WORDS['trigger_policy'][trigger]}"]
    if trigger == "fund_drawdown":
        share = text.percent(settings.drawdown, 0)
        lines.append(
            f"  floor = peak (8 h) {text.money(view.insurance_peak)} × (1 − {share}) = "
            f"{text.money(view.fund_floor)}; the balance is {drawdown(view)} below the peak"
        )
    elif trigger == "takeover_cap":
        cap = text.percent(settings.takeover_share, 0)
        lines.append(f"  it may hold positions worth {cap} of its balance; the floor is 0")
    if str(settings.loss_policy) == "clawback":
        lines.append("  below the floor the winners' profit pays (clawback), not ADL")
    return lines


def held_lines(frame: Frame) -> list[str]:
    """What the backstop holds for the fund, a side a line, valued at the mark."""
    view = frame.market
    if not view.backstop:
        return ["  nothing: every liquidated position has been worked off the book"]
    band = text.percent(frame.settings.liquidation_band, 1)
    lines = [line for held in view.backstop for line in held_words(frame, held, view)]
    verbs = " / ".join(backstop_verb(held.side) for held in view.backstop)
    return [
        *lines,
        f"  it is {verbs} on the book within {band} of the mark as bids and offers come; "
        "what the fund may not pay goes to ADL",
    ]


def held_words(frame: Frame, held: HeldSide, view: MarketView) -> list[str]:
    """One side held: its size, how it was taken over, what it is worth at the mark."""
    i = frame.instrument
    return [
        f"  {text.side_word(held.side)} {text.qty(i, held.lots)} {i.symbol}: "
        f"{plural(held.positions, 'liquidated position')} taken over at "
        f"{text.price(i, held.entry)} on average, cost {text.money(held.cost)} {i.quote}",
        f"    at the mark {text.price(i, view.mark)}: {text.signed_money(held.unrealized)} "
        f"{i.quote}, the fund's profit or loss",
    ]


def flow_lines(frame: Frame) -> list[str]:
    """The fund's gross flows since its initial deposit, and what it started with."""
    view, q = frame.market, frame.instrument.quote
    start = view.insurance_fund - view.fund_in + view.fund_out
    return [
        f"  started with {text.money(start)} {q}; paid in {text.signed_money(view.fund_in)}, "
        f"paid out {text.signed_money(-view.fund_out)}; now {text.money(view.insurance_fund)}",
        "  in: liquidations closed better than their bankruptcy price, ADL, funding rounding, "
        "clawback;",
        "  out: liquidations closed worse than it (within the band), traders' bad debt",
    ]


def drawdown(view: MarketView) -> str:
    """How far the balance is below its trailing 8 h peak."""
    peak = view.insurance_peak
    share = (peak - view.insurance_fund) * PPM // peak if peak > 0 else 0
    return text.percent(share, 1)
