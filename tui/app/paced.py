"""A costly question to the engine, asked again only when its answer may have changed, and
while only the market moves, no more often than its cost allows.

The queue view and the what-if rank a whole side: some 20 ms for a crowd of a few
hundred, a second for 100,000 positions. A page asks on every frame (10 a second), so
the answer is kept while nothing it depends on changed; a change the user made (the
policy, the hypothetical mark, an order) is answered at once, and a market that runs
under the page is followed at most every ``SHARE`` times the last answer's cost, so
ranking never takes more than a fifth of the app's time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
SHARE = 5  # the wait between two answers while only the market moves, in answer costs
CHEAP = 0.02  # s: an answer this quick is asked again at every move of the market


class Paced(Generic[T]):
    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self._asked: tuple[Hashable, Hashable] | None = None  # (what the user set, the market)
        self._answer: T | None = None
        self._at = self._cost = 0.0

    def get(self, chosen: Hashable, market: Hashable, ask: Callable[[], T | None]) -> T | None:
        """The answer for ``chosen`` (what the user set) over ``market`` (what moves
        without them); ``ask()`` works it out (None: it failed, ask again next time)."""
        if self._asked is not None:
            same = self._asked[0] == chosen
            if same and (self._asked[1] == market or self._recent()):
                return self._answer
        start = self.clock()
        answer = ask()
        self._at = self.clock()
        self._cost = self._at - start
        if answer is not None:
            self._asked, self._answer = (chosen, market), answer
        return answer

    def _recent(self) -> bool:
        return self._cost >= CHEAP and self.clock() - self._at < SHARE * self._cost
