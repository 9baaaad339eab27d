"""Process-level settings for a long simulation: the engine's business stays pure.

A populated market keeps hundreds of thousands of long-lived objects (accounts,
orders, queue entries). CPython's cyclic collector would rescan them all on its
full passes, stalling a step for a hundred milliseconds at random; the engine
makes no reference cycles on its hot paths, so we freeze what exists after set-up
and let the young generation grow larger between collections.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Call once the long-lived population is built (after set-up, before the run)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
