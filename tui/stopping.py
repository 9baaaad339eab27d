"""SIGTERM and SIGHUP as an exception, so that a command unwinds (every ``finally``
runs: a journal is closed, a session saved) instead of dying mid-write."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A stopping signal: a BaseException, so no ``except Exception`` on the way
    swallows it."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number, self.name = number, signal.Signals(number).name


def raise_stopped(number: int, frame: object) -> None:
    raise Stopped(number)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Stopped`` for the length of the block (only the main
    thread may set handlers; the previous ones come back after, for in-process callers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.signal(number, raise_stopped) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
