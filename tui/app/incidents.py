"""The user's liquidations and ADLs, found in frames and followed as they unfold.

A liquidation does not end in the frame that tells it (SPEC §5.2): the backstop
holds the position and works it off over many steps, and ADL may come much later.
So each frame does two things here, in this order: every open incident grows by the
events of its held position the frame brings (a new, longer ``Incident`` replaces
it), then the frame's own liquidations and ADLs of the user become new incidents.
Everything comes from frames: their events, the counterfactuals the engine side
made for the user's ADL events, the instrument and the rules in force. The stories'
modules load with the first incident, not with the app.
"""

from __future__ import annotations

from collections.abc import Sequence

import engine.events as ev
from engine.frames import Frame
from tui.app.held_events import held_events
from tui.app.incident import Incident

__all__ = ["Incident", "find_incidents", "follow", "grow"]


def follow(incidents: Sequence[Incident], frame: Frame) -> tuple[list[Incident], list[Incident]]:
    """(every incident after ``frame``: the open ones grown, the new ones last; the new
    ones alone)."""
    found = find_incidents(frame)
    return [grow(incident, frame) for incident in incidents] + found, found


def find_incidents(frame: Frame) -> list[Incident]:
    """Every liquidation or ADL of the frame's user among its new events, in order."""
    batch, user = frame.events, frame.user
    found = []
    for n in frame.own:  # the user's events only: a crash frame holds 50,000
        event = batch[n]
        cls = type(event)
        if cls is ev.Liquidation:
            from tui.app.liquidation_story import tell_liquidation

            cancelled = [
                batch[i]
                for i in frame.own
                if i < n
                and type(batch[i]) is ev.OrderCancelled
                and batch[i].reason == "liquidation"
                and batch[i].time == event.time
            ]
            told = held_events(batch, event.held, user)
            found.append(tell_liquidation([*cancelled, *told], frame.instrument, frame.dated))
        elif cls is ev.AutoDeleveraged:
            from tui.app.adl_story import tell_adl

            found.append(tell_adl(frame, n))
    return found


def grow(incident: Incident, frame: Frame) -> Incident:
    """``incident`` extended by what ``frame`` tells of its held position; itself when the
    frame tells nothing more (or the position is closed)."""
    if not incident.open:
        return incident
    liq = next(e for e in incident.events if type(e) is ev.Liquidation)
    more = held_events(frame.events, liq.held, liq.account)
    if not more:
        return incident
    from tui.app.liquidation_story import tell_liquidation

    return tell_liquidation([*incident.events, *more], frame.instrument, frame.dated)
