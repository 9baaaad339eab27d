"""Which events of a batch tell of one position the backstop holds.

The engine names the held position (``held``) on its ``Liquidation``,
``BackstopTraded``, ``AdlExecuted``, ``LiquidationSettled``, ``SocializedLoss`` and
the fund's changes it caused. The rest follow from the order it emits them in, one
held position at a time (``engine/offload.py``, ``engine/deleveraging.py``):

- the backstop's fills (trades whose taker is the liquidation engine) come just
  before the ``BackstopTraded`` that sums them up;
- an ADL's ``AutoDeleveraged`` events come before its ``AdlExecuted``, with its id.
"""

from __future__ import annotations

from collections.abc import Sequence

import engine.events as ev

LIQUIDATOR = "liquidation-engine"  # the taker the backstop's trades name


def held_events(batch: Sequence[ev.Event], held: int, account: str) -> list[ev.Event]:
    """The events of ``batch`` about the backstop's position ``held``, once ``account``'s,
    in the engine's order."""
    found: list[ev.Event] = []
    fills: list[ev.Event] = []  # the backstop's fills not yet summed up by a BackstopTraded
    hits: dict[int, list[ev.Event]] = {}  # AutoDeleveraged events by ADL id
    for event in batch:
        cls, ours = type(event), False
        if cls is ev.Trade and event.taker == LIQUIDATOR:
            fills.append(event)
        elif cls is ev.AutoDeleveraged:
            hits.setdefault(event.adl_id, []).append(event)
        elif cls is ev.BackstopTraded:
            ours = event.held == held
            found += fills if ours else ()
            fills = []
        elif cls is ev.AdlExecuted:
            ours = event.held == held
            found += hits.pop(event.adl_id, []) if ours else ()
        elif cls in (
            ev.Liquidation,
            ev.LiquidationSettled,
            ev.SocializedLoss,
            ev.InsuranceFundChanged,
        ):
            ours = event.held == held
        if ours:
            found.append(event)
    return found
