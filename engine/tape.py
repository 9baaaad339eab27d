"""The exchange's clock and outbox, shared by its parts.

Every part stamps what it emits with the one simulated time and appends it to the
one tape, so the events of a step come out in the order things happened, whichever
part did them. The exchange front moves the clock and drains the tape.
"""

from __future__ import annotations

from engine.events import Event


class Tape:
    __slots__ = ("time", "events")

    def __init__(self, time: int) -> None:
        self.time = time
        self.events: list[Event] = []  # the one list, for ever: hot paths bind its append

    def emit(self, event: Event) -> Event:
        self.events.append(event)
        return event

    def drain(self) -> list[Event]:
        """Events emitted since the last drain, oldest first."""
        events = self.events[:]
        self.events.clear()
        return events
