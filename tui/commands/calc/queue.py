"""``calc adl``: a set of positions ranked for auto-deleveraging, with scores and lights,
by the engine's own ranking (``engine.adl``)."""

from __future__ import annotations

import argparse
import random
from fractions import Fraction
from typing import Any, NamedTuple

from engine import adl, margin
from engine.instrument import Instrument, load_tiers
from engine.side import position
from engine.units import format_scaled, format_score
from tui.columns import table
from tui.commands.calc.numbers import calculator_instrument, emit, read_value, score_text
from tui.commands.calc.positions import Row, read_positions

GROUP_NOTES = {
    adl.RankingPolicy.PRO_RATA: "pro_rata: every profitable position gives up the same "
    "fraction, so each group shares one rank and its lights show the group's share.",
    adl.RankingPolicy.RANDOM: "random: the queue starts at a seeded random place (--seed) and "
    "goes on in id order; one group, so one rank and the lights of the whole side.",
}


def run_adl(args: argparse.Namespace) -> int:
    policy = adl.RankingPolicy(args.policy)
    rows = read_positions(args.positions)
    mark = read_value(args.mark, "--mark")
    instrument = calculator_instrument(
        [mark, *(r.entry for r in rows)], [r.qty for r in rows], load_tiers(args.tiers)
    )
    mark_ticks = instrument.ticks(mark.amount)
    holders = [holder(instrument, row, n, mark_ticks) for n, row in enumerate(rows)]
    cv = instrument.contract_value
    sides = {
        side: ranked(policy, [h for h in holders if h.side == side], mark_ticks, cv, args.seed)
        for side in (1, -1)
    }
    return emit(
        args.json,
        lambda: adl_json(policy, instrument, mark_ticks, sides),
        lambda: adl_lines(policy, instrument, mark_ticks, sides),
    )


def holder(instrument: Instrument, row: Row, opened_at: int, mark: int) -> adl.Holder:
    lots, entry = instrument.lots(row.qty.amount), instrument.ticks(row.entry.amount)
    _, mm = margin.maintenance_margin(instrument, instrument.notional(lots, mark))
    return adl.Holder(row.account, row.side, lots, lots * entry, row.margin, mm, opened_at)


class Ranked(NamedTuple):
    holder: adl.Holder
    rank: int
    lights: int
    score: float
    cumulative: int  # lots up to and including this one


def ranked(
    policy: adl.RankingPolicy, holders: list[adl.Holder], mark: int, cv: int, seed: int
) -> list[Ranked]:
    """One side in deleveraging order with the engine's rank, lights and score; ``random``
    starts where a fresh generator seeded with ``seed`` says, so a run can be repeated."""
    start = 0
    if policy is adl.RankingPolicy.RANDOM and holders:
        start = random.Random(seed).randrange(len(holders))
    ordered = adl.queue(policy, holders, mark, cv, start)
    marks = adl.lights(policy, ordered)
    return [Ranked(h, *marks[h.account]) for h, _ in ordered]


def adl_json(
    policy: adl.RankingPolicy, instrument: Instrument, mark: int, sides: dict[int, list[Ranked]]
) -> dict[str, Any]:
    return {
        "policy": policy.value,
        "mark": instrument.price_text(mark),
        "queue": [
            {
                "id": r.holder.account,
                "side": position(side),
                "qty": instrument.qty_text(r.holder.lots),
                "score": score_text(r.score),
                "rank": r.rank,
                "lights": r.lights,
            }
            for side in (1, -1)
            for r in sides[side]
        ],
    }


def adl_lines(
    policy: adl.RankingPolicy, instrument: Instrument, mark: int, sides: dict[int, list[Ranked]]
) -> list[str]:
    lines = [
        f"ADL queue at mark {instrument.price_text(mark)}, policy {policy.value} "
        "(rank 1 is deleveraged first; longs and shorts queue apart)"
    ]
    if policy in GROUP_NOTES:
        lines.append(GROUP_NOTES[policy])
    for side in (1, -1):
        lines += ["", *side_lines(side, instrument, sides[side])]
    return lines


def side_lines(side: int, instrument: Instrument, queue: list[Ranked]) -> list[str]:
    title = "Longs" if side > 0 else "Shorts"
    if not queue:
        return [f"{title}: none"]
    total = queue[-1].cumulative
    header = ("rank", "id", "size", "entry", "score", "lights", "cum. share")
    rows = [
        (
            str(r.rank),
            r.holder.account,
            instrument.qty_text(r.holder.lots),
            instrument.price_text(r.holder.cost // r.holder.lots),  # cost = lots × entry ticks
            format_score(r.score),
            "●" * r.lights + "○" * (5 - r.lights),
            f"{format_scaled(round(Fraction(r.cumulative * 1000, total)), 1)}%",
        )
        for r in queue
    ]
    size = instrument.qty_text(total)
    return [
        f"{title}: {len(queue)} positions, total size {size}",
        *table(header, rows, left={1, 5}),
    ]
