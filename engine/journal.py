"""The journal: an append-only JSONL record of a session, flushed every step.

Line 1 is a header: format version, project version, scenario (name, file digest),
seed, run settings, the instrument's grid, and the field names of every event kind.
Then, in the order things happened:

- ``{"s": n, "t": time, "e": [[kind, field, …], …]}``  the events of step n (step 0:
  the set-up), written only when there are any;
- ``{"s": n, "c": {...}, "e": [...]}``  a user command carried out after n steps,
  with the events it caused;
- ``{"s": n, "r": {"duration": µs}}``  the run was resumed and extended;
- ``"end": 1`` marks the events of the call that ended the run (no new step).

Data only: JSON, never pickle or eval. The same scenario, seed and commands write
the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

from engine import events as event_module
from engine.datafile import open_file
from engine.errors import UserFacingError
from engine.events import Event

FORMAT = 1
MAGIC = "adl-sandbox journal"


class JournalError(UserFacingError):
    """A journal that cannot be used; ``str()`` is the one-line reason."""


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
    return {kind: list(cls.__struct_fields__) for kind, cls in sorted(event_kinds().items())}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def header_for(simulation) -> dict[str, Any]:
    """What a journal needs to rebuild ``simulation``: a shipped scenario by name, one's
    own by path, either with the digest of its file; the seed; the run settings; and the
    instrument's grid, for reading prices and sizes back."""
    scenario = simulation.scenario
    shipped = scenario.path.parent == Path(__file__).parent / "scenarios"
    instrument = simulation.instrument
    return {
        "project": project_version(),
        "scenario": {
            "name": scenario.name,
            "path": None if shipped else str(scenario.path),
            "sha256": file_digest(scenario.path),
        },
        "seed": simulation.seed,
        "settings": dict(simulation.settings),
        "instrument": {
            "symbol": instrument.symbol,
            "quote": instrument.quote,
            "tick_size": str(instrument.tick_size),
            "lot_size": str(instrument.lot_size),
        },
    }


class _Encoder:
    """Events to compact rows, one attrgetter per event type (built once)."""

    def __init__(self) -> None:
        self._getters: dict[type, attrgetter] = {}

    def row(self, event: Event) -> list[Any]:
        getter = self._getters.get(type(event))
        if getter is None:
            names = event.__struct_fields__
            getter = self._getters[type(event)] = attrgetter(*names)
        values = getter(event)
        return [event.kind, *values] if isinstance(values, tuple) else [event.kind, values]


class JournalWriter:
    """Appends records; also a ``Session`` listener, so every step and command lands."""

    def __init__(
        self, path: str | Path, header: dict[str, Any] | None = None, append_at: int | None = None
    ) -> None:
        """A new journal with ``header``, or (``append_at``) an existing one continued from
        that byte offset: anything after it (a line cut off by a crash) is dropped."""
        self.path = Path(path)
        self._encoder = _Encoder()
        try:
            if append_at is None:
                self._file: IO[str] = self.path.open("w", encoding="utf-8")
            else:
                with self.path.open("r+b") as raw:
                    raw.truncate(append_at)
                self._file = self.path.open("a", encoding="utf-8")
        except OSError as error:
            raise JournalError(
                f"{self.path}: cannot write the journal ({error.strerror})"
            ) from None
        if header is not None:
            self._write({"journal": MAGIC, "format": FORMAT, **header, "events": event_schema()})
            self._file.flush()

    def __call__(self, step: int, time: int, command: dict | None, events: list[Event]) -> None:
        rows = [self._encoder.row(e) for e in events]
        if command is not None:
            self._write({"s": step, "c": command, "e": rows})
        elif rows and rows[-1][0] == "feed_ended":  # the call that ended the run: no new step
            self._write({"s": step, "t": time, "e": rows, "end": 1})
        elif rows:
            self._write({"s": step, "t": time, "e": rows})
        self._file.flush()

    def extended(self, step: int, duration: int) -> None:
        self._write({"s": step, "r": {"duration": duration}})
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def _write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")


def encode(events: list[Event], encoder: _Encoder | None = None) -> list[list[Any]]:
    encoder = encoder or _Encoder()
    return [encoder.row(e) for e in events]


class JournalFile:
    """A journal opened for reading: its header, then its records, streamed.

    A last line cut off mid-write (a killed process, a power cut) is dropped with a
    warning; any other damage is a ``JournalError`` naming the line.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.warnings: list[str] = []
        self.valid_end = 0  # byte offset after the last good line
        self._raw = open_file(self.path, JournalError, "journal")
        first = self._raw.readline()
        self.header = self._header(first)
        self.valid_end = len(first)

    def _header(self, line: bytes) -> dict[str, Any]:
        try:
            header = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            header = None
        if not isinstance(header, dict) or header.get("journal") != MAGIC:
            raise JournalError(f"{self.path}: not an adl-sandbox journal")
        version = header.get("format")
        if version != FORMAT:
            raise JournalError(
                f"{self.path}: journal format {version!r} is not one this version reads ({FORMAT})"
            )
        for key in ("scenario", "seed", "settings"):
            if key not in header:
                raise JournalError(f"{self.path}: the header has no {key!r}")
        return header

    def records(self):
        """(line number, record) for every complete record after the header."""
        number = 1
        offset = self.valid_end
        for line in self._raw:
            number += 1
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                if not line.endswith(b"\n") and self._raw.read(1) == b"":
                    self.warnings.append(
                        f"{self.path}:{number}: the last line is incomplete (cut off while "
                        "writing); it is ignored"
                    )
                    return
                raise JournalError(f"{self.path}:{number}: corrupt journal line") from None
            if not isinstance(record, dict) or not isinstance(record.get("s"), int):
                raise JournalError(f"{self.path}:{number}: not a journal record")
            offset += len(line)
            self.valid_end = offset
            yield number, record

    def events(self):
        """Every event of the journal, oldest first, as a dict named by the header's
        schema (``kind`` included): what a reader needs without replaying the run."""
        schema = self.header.get("events", {})
        for _, record in self.records():
            for row in record.get("e", ()):
                yield {"kind": row[0], **dict(zip(schema.get(row[0], ()), row[1:], strict=False))}

    def close(self) -> None:
        self._raw.close()
