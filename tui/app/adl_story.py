"""The user's ADL, told from its events, with the teaching counterfactual.

SPEC §5.3–4: ADL closes part of a position the backstop holds, against the opposite
winners ranked at that moment, only when the fund may not absorb its deficit under
the trigger policy. The incident says why (the reason, the fund before, the room it
had, the deficit D), where the user stood in that queue, the price, and what the
user gave up against the mark; then what the same deficit would have cost under
every other policy (SPEC §6), from the frame's counterfactual.
"""

from __future__ import annotations

from collections.abc import Sequence

import engine.events as ev
from engine.frames import Frame
from engine.instrument import Instrument
from engine.views import Counterfactual
from tui.app import text
from tui.app.held_events import held_events
from tui.app.incident import Incident, Row
from tui.app.liquidation_story import deficit_words, work_lines
from tui.app.waterfall_words import forgone_words, severity_words


def tell_adl(frame: Frame, n: int) -> Incident:
    """The incident of the user's ``AutoDeleveraged`` at ``frame.events[n]``."""
    batch, i = frame.events, frame.instrument
    hit: ev.AutoDeleveraged = batch[n]
    executed = next(
        (e for e in batch[n:] if type(e) is ev.AdlExecuted and e.adl_id == hit.adl_id), None
    )
    steps = _before(batch, executed, i, frame.dated) if executed else []
    steps += [
        f"ADL #{hit.adl_id}: {hit.liquidated}'s {text.side_word(-hit.side)} was matched "
        f"against the opposite positions ranked at that moment by the {hit.policy} policy "
        f"(winners first), at {_where(hit, frame)}{text.price(i, hit.price)}; no trading fee.",
        f"You were rank {hit.rank} (score {text.score(hit.score)}): {text.qty(i, hit.qty)} of "
        f"your {text.side_word(hit.side)} closed at {text.price(i, hit.price)}.",
        f"The mark was {text.price(i, hit.mark)}: {_against_mark(hit.forgone, i.quote)}.",
    ]
    if executed is not None:
        steps.append(severity_words(executed))
    counterfactual = next((c for c in frame.counterfactuals if c.adl_id == hit.adl_id), None)
    comparison, pro_rata, deficit = _comparison(counterfactual, i, hit.account)
    if deficit == 0:
        steps.append(
            "At the mark this left no deficit (the ADL price was no worse than the mark for "
            "the counterparties): no policy charges money, but each closes different "
            "positions — compare the sizes below."
        )
    elif pro_rata is not None:
        steps.append(
            f"The deficit at the mark was {text.money(deficit)} {i.quote}: pro-rata would have "
            f"cost you {pro_rata} {i.quote} of it."
        )
    side, qty = text.side_word(hit.side), text.qty(i, hit.qty)
    return Incident(
        kind="adl",
        label="Auto-deleveraged",
        time=hit.time,
        title=f"ADL of your {side}: {qty} closed",
        summary=(
            f"Your {side} was auto-deleveraged: {qty} at {text.price(i, hit.price)} (rank "
            f"{hit.rank}); {forgone_words(hit.forgone, i.quote)}."
        ),
        steps=tuple(steps),
        comparison=comparison,
        policy=hit.policy,
        key=("adl", hit.adl_id),
        events=(hit,) if executed is None else (hit, executed),
        dated=frame.dated,
    )


def _before(
    batch: Sequence[ev.Event], executed: ev.AdlExecuted, i: Instrument, dated: bool
) -> list[str]:
    """The held position's story in this batch, up to its ADL: the trigger if it came now,
    the backstop's steps, and why the fund may not absorb the deficit."""
    told = held_events(batch, executed.held, executed.liquidated)
    liq = next((e for e in told if type(e) is ev.Liquidation), None)
    whose = f"{executed.liquidated}'s {text.side_word(executed.side)}"
    if liq is not None:
        first = (
            f"Trigger: {whose} {text.qty(i, liq.qty)} was liquidated at mark "
            f"{text.price(i, liq.mark)}; the backstop took it over at its bankruptcy price "
            f"{text.threshold(i, liq.side, liq.bankruptcy_price)}."
        )
    else:
        first = f"The backstop held what was left of {whose}, liquidated earlier."
    upto = told.index(executed)
    return [first, *work_lines(told[:upto], liq, i, with_adl=False, dated=dated)] + [
        f"Why ADL: {deficit_words(executed, i)}"
    ]


def _where(hit: ev.AutoDeleveraged, frame: Frame) -> str:
    """Which price ADL used, as far as the events and the rules in force say."""
    if hit.price == hit.mark:
        return "the mark, "
    if str(frame.settings.adl_price) == "bankruptcy":
        return "the bankrupt position's bankruptcy price, "
    return ""


def _against_mark(forgone: int, quote: str) -> str:
    """Never a negative "profit given up": a better price than the mark is said so."""
    if forgone > 0:
        return f"you gave up {text.money(forgone)} {quote} of profit against closing there"
    if forgone < 0:
        return f"you closed {text.money(-forgone)} {quote} better than the mark"
    return "you closed at the mark and gave up nothing against it"


def _comparison(counterfactual: Counterfactual | None, instrument: Instrument, user: str):
    """Rows of (policy, cost to the user, size closed, accounts touched, top share), the
    pro-rata cost and the deficit, from the engine's counterfactual of one ADL event."""
    if counterfactual is None:
        return (), None, None
    rows: list[Row] = []
    pro_rata = None
    for split in counterfactual.splits:
        yours = text.money(dict(split.haircuts).get(user, 0))
        closed = dict(split.sizes).get(user, 0)
        size = text.qty(instrument, closed) if split.policy != "clawback" else "—"
        if split.policy == "pro_rata":
            pro_rata = yours
        rows.append(
            (split.policy, yours, size, str(split.touched), text.percent(split.top_share, 1))
        )
    return tuple(rows), pro_rata, counterfactual.deficit
