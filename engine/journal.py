"""The journal: an append-only JSONL record of a session, flushed every step.

Line 1 is a header: format version, project version, scenario (name, file digest),
seed, run settings, and the field names of every event kind. Then, in order:

- ``{"s": step, "c": {...}}``  a user command, carried out after ``step`` steps;
- ``{"s": step, "t": time, "e": [[kind, field, …], …]}``  the events of a step.

Data only: JSON, never pickle or eval. The same scenario, seed and commands write
the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

from engine import events as event_module
from engine.events import Event

FORMAT = 1
MAGIC = "adl-sandbox journal"


def project_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("adl-sandbox")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def event_kinds() -> dict[str, type[Event]]:
    kinds = {}
    for value in vars(event_module).values():
        if isinstance(value, type) and issubclass(value, Event) and value is not Event:
            kinds[value.kind] = value
    return kinds


def event_schema() -> dict[str, list[str]]:
    return {kind: [f.name for f in fields(cls)] for kind, cls in sorted(event_kinds().items())}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Encoder:
    """Events to compact rows, one attrgetter per event type (built once)."""

    def __init__(self) -> None:
        self._getters: dict[type, attrgetter] = {}

    def row(self, event: Event) -> list[Any]:
        getter = self._getters.get(type(event))
        if getter is None:
            names = [f.name for f in fields(event)]
            getter = self._getters[type(event)] = attrgetter(*names)
        values = getter(event)
        return [event.kind, *values] if isinstance(values, tuple) else [event.kind, values]


class JournalWriter:
    def __init__(self, path: str | Path, header: dict[str, Any], append: bool = False) -> None:
        self.path = Path(path)
        self._encoder = _Encoder()
        try:
            self._file: IO[str] = self.path.open("a" if append else "w", encoding="utf-8")
        except OSError as error:
            raise OSError(f"{self.path}: cannot write the journal ({error.strerror})") from None
        if not append:
            self._write({"journal": MAGIC, "format": FORMAT, **header, "events": event_schema()})
            self._file.flush()

    def command(self, step: int, command: dict[str, Any]) -> None:
        self._write({"s": step, "c": command})
        self._file.flush()

    def step(self, step: int, time: int, events: list[Event]) -> None:
        if events:
            self._write({"s": step, "t": time, "e": [self._encoder.row(e) for e in events]})
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def _write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")
