"""A step in slices: the engine's long work as generators that yield between pieces.

A crash step with 100,000 traders can take half a second; the app must still answer
a key within 100 ms. So the step's loops (the traders acting, the liquidations, the
backstop's work, the ADL events) yield between pieces, and the app runs a step's
slices within its time budget per callback, picking up where it left off at the
next one. The work and its order are exactly the same as in one piece: headless
runs and tests just ``finish`` the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import TypeVar

Result = TypeVar("Result")
Item = TypeVar("Item")
Slices = Generator[None, None, Result]
PIECE = 4_096  # items per piece of a long loop: a few ms of Python


def in_pieces(
    work: Callable[[int, int], Iterable[Item]], count: int, size: int = PIECE
) -> Slices[list[Item]]:
    """The list of ``work(start, stop)`` over ``range(count)`` in pieces of ``size``,
    a slice between pieces: a comprehension over 100,000 positions would otherwise be
    one slice of tens of milliseconds."""
    out: list[Item] = []
    for start in range(0, count, size):
        out.extend(work(start, min(count, start + size)))
        yield
    return out


def finish(slices: Slices[Result]) -> Result:
    """Run every slice at once; the generator's result."""
    while True:
        try:
            next(slices)
        except StopIteration as done:
            return done.value
