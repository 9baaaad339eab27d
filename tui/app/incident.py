"""One incident: what happened to the user's position, told step by step.

An immutable value. A liquidation is not over in one instant: the backstop works
the position off over many steps, so a later frame replaces the incident with an
extended one (``tui/app/incidents.py``), made from all the events it tells. ``key``
names it across those versions; ``open`` says more may come.
"""

from __future__ import annotations

from dataclasses import dataclass

import engine.events as ev

Row = tuple[str, str, str, str, str]  # policy, cost to you, you close, accounts, top share


@dataclass(frozen=True, slots=True)
class Incident:
    kind: str  # "liquidation" or "adl"
    label: str  # what the notification calls it: "Liquidation" or "Auto-deleveraged"
    time: int
    title: str
    summary: str  # one line, for the notification
    steps: tuple[str, ...]
    comparison: tuple[Row, ...] = ()
    policy: str = ""  # the ranking in force, marked in the comparison
    key: tuple[str, int] = ("", 0)  # ("liquidation", held id) or ("adl", ADL event id)
    events: tuple[ev.Event, ...] = ()  # what it tells, oldest first: what a later frame extends
    open: bool = False  # the backstop still holds the position: later frames may extend it
    dated: bool = False  # the feed's times are real dates: ``format_moment``
