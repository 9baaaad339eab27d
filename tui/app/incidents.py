"""The user's liquidation or ADL, told step by step from the engine's events.

A liquidation (SPEC §5) runs inside one engine step and emits its events together:
the trigger, the settlement at bankruptcy, the liquidator's fills, the insurance
fund's in and out, any ADL and the closing summary. An ``Incident`` gathers the
ones that concern the user from a drained batch and words them, and for an ADL adds
the teaching counterfactual (SPEC §6): what the same deficit would have cost the
user under every other policy. Everything comes from one frame: its events, the
counterfactuals the engine side made for the user's ADL events among them, the
instrument and the settings in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import engine.events as ev
from engine.frames import Frame
from engine.instrument import Instrument
from engine.policies import MarketSettings
from engine.views import Counterfactual
from tui.app import text
from tui.app.log_lines import forgone_words

FILLS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Incident:
    kind: str  # "liquidation" or "adl"
    label: str  # what the notification calls it: "Liquidation" or "Auto-deleveraged"
    time: int
    title: str
    summary: str  # one line, for the notification
    steps: tuple[str, ...]
    comparison: tuple[tuple[str, str, str, str], ...] = ()  # policy, you, touched, top share
    policy: str = ""  # the ranking in force, marked in the comparison


def find_incidents(frame: Frame) -> list[Incident]:
    """Every liquidation or ADL of the frame's user among its new events, in order."""
    batch, user, i = frame.events, frame.user, frame.instrument
    found = []
    for n, event in enumerate(batch):
        if isinstance(event, ev.Liquidation) and event.account == user:
            found.append(_liquidation(batch, n, i, frame.settings))
        elif isinstance(event, ev.AutoDeleveraged) and event.account == user:
            found.append(_adl(batch, n, i, frame.settings, frame.counterfactuals))
    return found


def _block(batch: Sequence[ev.Event], start: int, account: str) -> list[ev.Event]:
    """The events of one liquidation: from its ``Liquidation`` to its ``LiquidationSettled``.

    The liquidation engine emits them in one go, so the only taker in between is the
    liquidation engine itself: every trade in a block is one of its fills."""
    block = []
    for event in batch[start:]:
        block.append(event)
        if isinstance(event, ev.LiquidationSettled) and event.account == account:
            break
    return block


def _liquidation(
    batch: Sequence[ev.Event], n: int, i: Instrument, settings: MarketSettings
) -> Incident:
    liq: ev.Liquidation = batch[n]
    block = _block(batch, n, liq.account)
    settled = _last(block, ev.LiquidationSettled)
    cancelled = [
        e
        for e in batch[:n]
        if isinstance(e, ev.OrderCancelled)
        and e.account == liq.account
        and e.reason == "liquidation"
    ]
    crossed = "fell to" if liq.side > 0 else "rose to"
    steps = [
        f"Trigger: the mark {crossed} {text.price(i, liq.mark)}, past your liquidation price "
        f"{text.price(i, liq.liquidation_price)}: equity {text.money(liq.equity)} was below "
        f"the maintenance margin {text.money(liq.maintenance)}.",
    ]
    if cancelled:
        steps.append(f"Your {len(cancelled)} open order(s) were cancelled first.")
    steps.append(
        f"You were settled as if the whole {text.side_word(liq.side)} "
        f"{text.qty(i, liq.qty)} closed at the bankruptcy price "
        f"{text.price(i, liq.bankruptcy_price)}: your margin, {text.money(liq.margin_lost)} "
        f"{i.quote}, is lost, and never more than that."
    )
    steps += _waterfall_steps(block, settled, i, settings)
    return Incident(
        kind="liquidation",
        label="Liquidation",
        time=liq.time,
        title=f"Liquidation of your {text.side_word(liq.side)} {text.qty(i, liq.qty)}",
        summary=(
            f"You were liquidated: {text.side_word(liq.side)} {text.qty(i, liq.qty)} at mark "
            f"{text.price(i, liq.mark)}; margin lost {text.money(liq.margin_lost)} {i.quote}."
        ),
        steps=tuple(steps),
    )


def _waterfall_steps(
    block: list[ev.Event],
    settled: ev.LiquidationSettled | None,
    i: Instrument,
    settings: MarketSettings,
    with_adl: bool = True,
) -> list[str]:
    """What the liquidator, the fund and ADL did with a taken-over position. An ADL
    incident tells its own ADL in full, so it asks for the waterfall ``with_adl=False``."""
    fills = [e for e in block if isinstance(e, ev.Trade)]
    steps = []
    if fills:
        shown = ", ".join(
            f"{text.qty(i, f.qty)} @ {text.price(i, f.price)}" for f in fills[:FILLS_SHOWN]
        )
        more = f" and {len(fills) - FILLS_SHOWN} more" if len(fills) > FILLS_SHOWN else ""
        verb = "sold" if fills[0].side < 0 else "bought"
        steps.append(f"The liquidation engine {verb} on the book: {shown}{more}.")
    if settled is None:
        return steps
    if settled.fund_in:
        steps.append(
            f"Fills better than bankruptcy put {text.money(settled.fund_in)} into the "
            "insurance fund (the liquidation clearance)."
        )
    if settled.fund_qty:
        steps.append(
            f"The insurance fund took {text.qty(i, settled.fund_qty)} to the book beyond "
            f"bankruptcy and paid {text.money(settled.fund_out)} for it."
        )
    fund = _last(block, ev.InsuranceFundChanged)
    if fund is not None:
        steps.append(f"Insurance fund after: {text.money(fund.balance)} {i.quote}.")
    executed = _last(block, ev.AdlExecuted) if with_adl else None
    if executed is not None:
        steps.append(
            f"The fund could not cover the rest under {settings.trigger_policy}: "
            f"{text.qty(i, executed.qty)} was closed by ADL against {executed.counterparties} "
            f"{text.side_word(-executed.side)}(s) at {text.price(i, executed.price)} "
            f"({executed.policy} ranking)."
        )
    if settled.clawback:
        steps.append(
            f"The fund's deficit, {text.money(settled.clawback)}, was clawed back from the "
            "winners' profit (socialized loss)."
        )
    return steps


def _adl(
    batch: Sequence[ev.Event],
    n: int,
    i: Instrument,
    settings: MarketSettings,
    counterfactuals: Sequence[Counterfactual],
) -> Incident:
    hit: ev.AutoDeleveraged = batch[n]
    start = next(
        (
            k
            for k in range(n, -1, -1)
            if isinstance(batch[k], ev.Liquidation) and batch[k].account == hit.liquidated
        ),
        n,
    )
    block = _block(batch, start, hit.liquidated)
    liq = batch[start] if isinstance(batch[start], ev.Liquidation) else None
    settled = _last(block, ev.LiquidationSettled)
    steps = []
    if liq is not None:
        steps.append(
            f"Trigger: {liq.account}'s {text.side_word(liq.side)} {text.qty(i, liq.qty)} was "
            f"liquidated at mark {text.price(i, liq.mark)} (bankruptcy "
            f"{text.price(i, liq.bankruptcy_price)})."
        )
    steps += _waterfall_steps(block, settled, i, settings, with_adl=False)
    where = "the bankrupt position's bankruptcy price" if hit.price != hit.mark else "the mark"
    steps += [
        f"ADL #{hit.adl_id}: the rest was matched against opposite positions in the "
        f"{hit.policy} queue, at {where}, {text.price(i, hit.price)}; no trading fee.",
        f"You were rank {hit.rank} (score {text.score(hit.score)}): "
        f"{text.qty(i, hit.qty)} of your {text.side_word(hit.side)} closed at "
        f"{text.price(i, hit.price)}.",
        f"Against the mark {text.price(i, hit.mark)}: {forgone_words(hit.forgone)} {i.quote}.",
    ]
    counterfactual = next((c for c in counterfactuals if c.adl_id == hit.adl_id), None)
    comparison, pro_rata, deficit = _comparison(counterfactual, i, hit.account)
    if deficit == 0:
        steps.append(
            "At the mark this liquidation left no deficit (the ADL price was no worse than "
            "the mark for the counterparties): no policy charges money, but each closes "
            "different positions — compare the sizes below."
        )
    elif pro_rata is not None:
        steps.append(
            f"The deficit at the mark was {text.money(deficit)} {i.quote}: pro-rata would "
            f"have cost you {pro_rata} {i.quote} of it."
        )
    return Incident(
        kind="adl",
        label="Auto-deleveraged",
        time=hit.time,
        title=f"ADL of your {text.side_word(hit.side)}: {text.qty(i, hit.qty)} closed",
        summary=(
            f"Your {text.side_word(hit.side)} was auto-deleveraged: {text.qty(i, hit.qty)} at "
            f"{text.price(i, hit.price)} (rank {hit.rank}); profit given up "
            f"{text.money(hit.forgone)} {i.quote}."
        ),
        steps=tuple(steps),
        comparison=comparison,
        policy=hit.policy,
    )


def _comparison(counterfactual: Counterfactual | None, instrument: Instrument, user: str):
    """Rows of (policy, cost to the user, accounts touched, top account's share), the
    pro-rata cost and the deficit, from the engine's counterfactual of one ADL event."""
    if counterfactual is None:
        return (), None, None
    rows = []
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


def _last(block: list[ev.Event], cls: type[ev.Event]):
    """The block's last event of class ``cls``, or None."""
    return next((e for e in reversed(block) if isinstance(e, cls)), None)
