"""Where a branch of a seed's runs meets a finished run again (``engine/lab_fork.py``).

Policies that part ways may meet again: a clawback that never asks a winner for more
than half of its profit takes what the plain clawback takes, so in most flash crashes
``capped_pro_rata`` and ``clawback`` are in the same state after the last split. A
finished run leaves a **trail**: its state at each ``KEEP_EVERY`` step at which it had
lately read a watched setting. A branch whose own policies have all parted compares
its state with a trail's at a step after that run's last read of every setting in
which the two differ; equal there, the two are the same run from then on, and the
branch ends with the trail's measures.

Two states are compared by a digest of them pickled canonically: a string by its text
(not by which copy of it sits where) and a set by its sorted items (not by the order
of its table, which depends on its history; the engine never lets a set's order
matter). Equal digests are equal states; unequal ones, of equal states, only cost the
shortcut. A cheap fingerprint comes first, so most unequal states are never pickled.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import dataclass, field, fields

from engine.lab_run import Run, RunMeasures
from engine.policies import MarketSettings


@dataclass(frozen=True, slots=True)
class Trail:
    """What a finished run leaves for later branches to meet it by."""

    policy: str
    market: MarketSettings
    measures: RunMeasures
    watched: frozenset[str]  # the settings whose reads it noted
    last_read: dict[str, int]  # setting → steps completed at its last read
    states: dict[int, tuple[tuple, bytes]]  # steps completed → (fingerprint, run pickled)
    _digests: dict[int, bytes] = field(default_factory=dict)  # worked out when first asked

    def parts_in(self, market: MarketSettings) -> set[str] | None:
        """The settings a run under ``market`` differs from this one in, if this run
        noted every read of them (None: it could never tell when they meet)."""
        names = differing(self.market, market)
        return names if names <= self.watched else None

    def meets_at(self, steps: int, names: set[str]) -> bool:
        """Whether a run that differs from this one in ``names`` (``parts_in``) and is in
        the state this one had at ``steps`` goes on as this one did: this one read none
        of ``names`` after then."""
        last_read = self.last_read
        return steps in self.states and all(last_read.get(n, -1) < steps for n in names)

    def digest(self, steps: int) -> bytes:
        if steps not in self._digests:
            self._digests[steps] = digest(pickle.loads(self.states[steps][1]))
        return self._digests[steps]


def differing(one: MarketSettings, other: MarketSettings) -> set[str]:
    return {f.name for f in fields(one) if getattr(one, f.name) != getattr(other, f.name)}


def fingerprint(run: Run) -> tuple:
    """What differs between most unequal states: the fund, the positions, the meter."""
    exchange = run.simulation.exchange
    positions = tuple((a.id, a.lots, a.cost) for a in exchange.accounts.positions.values())
    return exchange.fund.balance, run.meter.events, run.meter.liquidations, hash(positions)


def digest(run: Run) -> bytes:
    buffer = io.BytesIO()
    _Canonical(buffer).dump(run)
    return hashlib.sha256(buffer.getvalue()).digest()


class _Canonical(pickle.Pickler):
    """Equal states, equal bytes (only ever hashed, never loaded)."""

    def __init__(self, file) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._sets: dict[int, int] = {}  # a set's id → its number, as first met

    def persistent_id(self, obj):
        kind = type(obj)
        if kind is str:
            return obj.encode("utf-8", "surrogatepass")
        if kind is set:
            number = self._sets.get(id(obj))
            if number is not None:  # the same set again: shared, as in the state
                return ("set", number)
            self._sets[id(obj)] = number = len(self._sets)
            return ("set", number, sorted(obj))
        return None
