"""The teaching counterfactual (SPEC §6): one ADL event's deficit, split by every policy.

An ``AdlRecord`` keeps what an ADL event saw (the queue, the prices, the seed of its
random draw) and what it took; ``split_by_every_policy`` re-runs the allocation of
each other policy over the same positions and shows the one in force exactly as it
happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import adl
from engine.adl import Holder
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
    holders: tuple[Holder, ...]  # the queue it saw
    seed: int
    taken: tuple[tuple[Holder, int], ...] = ()  # what it closed: (position just before, lots)


def split_by_every_policy(record: AdlRecord, cv: int) -> Counterfactual:
    """The same deficit split by every policy, for one recorded ADL event.

    The policy in force shows exactly what it did; the others are ranked over the
    queue the event saw, at the event's mark (positions it did not touch as of the
    last lights refresh)."""
    splits = []
    before = {holder.account: holder for holder, _ in record.taken}  # as they stood
    holders = [before.get(h.account, h) for h in record.holders]
    for policy in adl.COUNTERFACTUAL_POLICIES:
        if str(policy) == record.policy:  # what happened, not a re-ranking of it
            sizes = {holder.account: lots for holder, lots in record.taken}
            amounts = adl.split_exact(record.deficit, list(sizes.values()))
            haircuts = {a: m for a, m in zip(sizes, amounts, strict=True) if m}
        else:
            haircuts, sizes = adl.split_deficit(
                str(policy),
                holders,
                record.rest,
                record.deficit,
                record.mark,
                cv,
                record.price,
                record.seed,
            )
        touched, top, top10 = adl.concentration(haircuts, record.deficit)
        if not record.deficit:  # no money to split: count who would close what
            touched, top, top10 = adl.concentration(sizes, record.rest)
        splits.append(
            PolicySplit(
                str(policy),
                _largest_first(haircuts),
                touched,
                top,
                top10,
                _largest_first(sizes),
            )
        )
    return Counterfactual(record.adl_id, record.deficit, record.policy, tuple(splits))


def _largest_first(amounts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0])))
