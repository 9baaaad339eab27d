"""The teaching counterfactual (SPEC §6): one ADL event's deficit, split by every policy.

An ``AdlRecord`` keeps what an ADL event saw (the queue, the prices, the seed of its
random draw) and what it took; ``split_by_every_policy`` re-runs the allocation of
each other policy over the same positions and shows the one in force exactly as it
happened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine import adl, margin
from engine.adl import Holder, RankingPolicy
from engine.instrument import Instrument
from engine.live_queue import SeenQueue
from engine.views import Counterfactual, PolicySplit


@dataclass(frozen=True, slots=True)
class AdlRecord:
    """What one ADL event saw: enough to split the same deficit by every other policy."""

    adl_id: int
    time: int
    liquidated: str
    side: int
    rest: int
    price: int
    mark: int
    deficit: int
    policy: str
    seen: SeenQueue  # the side it ranked
    seed: int
    taken: tuple[tuple[Holder, int], ...] = ()  # what it closed: (position just before, lots)

    @property
    def holders(self) -> tuple[Holder, ...]:
        """The positions it saw, on the side that gave."""
        return self.seen.holders()


def split_by_every_policy(record: AdlRecord, instrument: Instrument) -> Counterfactual:
    """Who each policy would have hit for one recorded ADL event, and what each gives up.

    The policy in force shows exactly what happened. Every other contract-space policy
    is allocated over the positions the event saw, at its mark and price (a Binance
    score needs each one's maintenance margin at that mark, so it is worked out here);
    each lot closed at the ADL price gives up |price − mark| against the mark.
    ``clawback`` takes the deficit from every winner's profit at one rate instead."""
    cv = instrument.contract_value
    per_lot = abs(record.price - record.mark) * cv
    splits = []
    for policy in adl.COUNTERFACTUAL_POLICIES:
        if str(policy) == adl.CLAWBACK:
            money, sizes = _clawback(record, cv), {}
        else:
            sizes = _sizes(record, policy, instrument)
            money = {account: lots * per_lot for account, lots in sizes.items() if per_lot}
        total = sum(money.values())
        touched, top, top10 = (
            adl.concentration(money, total) if total else adl.concentration(sizes, record.rest)
        )
        splits.append(
            PolicySplit(
                str(policy),
                _largest_first(money),
                touched,
                top,
                top10,
                _largest_first(sizes),
            )
        )
    return Counterfactual(record.adl_id, record.deficit, record.policy, tuple(splits))


def _sizes(record: AdlRecord, policy, instrument: Instrument) -> dict[str, int]:
    """account → lots ``policy`` closes (what did close, for the policy in force)."""
    if str(policy) == record.policy:
        return {holder.account: lots for holder, lots in record.taken}
    holders = list(record.holders)
    cv = instrument.contract_value
    if policy is RankingPolicy.BINANCE:
        holders = [
            h._replace(
                maintenance=margin.maintenance_margin(instrument, h.lots * record.mark * cv)[1]
            )
            for h in holders
        ]
    taken = adl.allocate(
        policy, holders, record.rest, record.mark, cv, record.price, random.Random(record.seed)
    )
    return {holder.account: lots for holder, lots, _, _ in taken}


def _clawback(record: AdlRecord, cv: int) -> dict[str, int]:
    """The deficit from every winner's profit at one rate (largest remainder)."""
    winners = [h for h in record.holders if h.unrealized(record.mark, cv) > 0]
    amounts = adl.split_exact(record.deficit, [h.unrealized(record.mark, cv) for h in winners])
    return {h.account: amount for h, amount in zip(winners, amounts, strict=True) if amount}


def _largest_first(amounts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0])))
