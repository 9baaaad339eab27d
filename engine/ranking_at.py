"""One side's ADL queue ranked at a given mark under a given policy, as ADL would take it then.

The lights are published every 10 s, but a learner asks about *now* (the queue view)
and about a price that has not happened (the what-if view): both need every position
of the side scored at that mark. This is the engine's one scoring and ordering —
``adl.queue`` and ``adl.lights`` — over the side's positions priced at the mark
(Binance's score needs each one's maintenance margin there, as ``Deleveraging.holder``
gives it at the live mark). Pure: nothing is kept, nothing in the exchange changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import adl, margin
from engine.adl import Holder, RankingPolicy
from engine.instrument import Instrument
from engine.units import PPM
from engine.views import QueuePlace


@dataclass(frozen=True, slots=True)
class RankedSide:
    """A side in deleveraging order at one mark, with each position's place."""

    policy: RankingPolicy
    mark: int
    ordered: tuple[tuple[Holder, float], ...]  # (position, score), rank 1 first
    places: dict[str, tuple[int, int, float, int]]  # account → (rank, lights, score, cumulative)
    total: int  # the side's size (or count, under the ``count`` rule): the base of a share
    lit: bool  # False when the venue publishes no lights (the ranks still stand)

    def place(self, account: str) -> QueuePlace | None:
        """The account's place in this queue (None: no position on this side)."""
        found = self.places.get(account)
        if found is None:
            return None
        rank, lights, score, cumulative = found
        return QueuePlace(rank, lights if self.lit else 0, score, cumulative * PPM // self.total)

    def index(self, account: str) -> int | None:
        """Where the account stands in ``ordered`` (its rank, under a policy that ranks
        every position apart; pro-rata's groups share a rank)."""
        return next((i for i, (h, _) in enumerate(self.ordered) if h.account == account), None)


def rank_at(
    policy: RankingPolicy,
    holders: list[Holder],
    mark: int,
    instrument: Instrument,
    rule: str = "size",
) -> RankedSide:
    """``holders`` (one side's positions) ranked at ``mark`` under ``policy``, lit by
    ``rule`` (``size``, ``count``, or ``none``: ranked by size shares, no lights shown).

    ``random`` starts at the first account, as the published lights do (an ADL event
    draws its own starting point)."""
    if policy is RankingPolicy.BINANCE:
        holders = [priced_at(h, mark, instrument) for h in holders]
    ordered = adl.queue(policy, holders, mark, instrument.contract_value)
    weights = "size" if rule == "none" else str(rule)
    places = adl.lights(policy, ordered, weights)
    total = len(ordered) if weights == "count" else sum(h.lots for h, _ in ordered)
    return RankedSide(policy, mark, tuple(ordered), places, total, rule != "none")


def priced_at(holder: Holder, mark: int, instrument: Instrument) -> Holder:
    """A position as ADL sees it at ``mark``: its maintenance margin there."""
    notional = holder.lots * mark * instrument.contract_value
    return holder._replace(maintenance=margin.maintenance_margin(instrument, notional)[1])
