"""A step in slices: the engine's long work as generators that yield between pieces.

A crash step with 100,000 traders can take half a second; the app must still answer
a key within 100 ms. So the step's loops (the traders acting, the liquidations, the
backstop's work, the ADL events) yield between pieces, and the app runs a step's
slices within its time budget per callback, picking up where it left off at the
next one. The work and its order are exactly the same as in one piece: headless
runs and tests just ``finish`` the generator.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

Result = TypeVar("Result")
Slices = Generator[None, None, Result]


def finish(slices: Slices[Result]) -> Result:
    """Run every slice at once; the generator's result."""
    while True:
        try:
            next(slices)
        except StopIteration as done:
            return done.value
