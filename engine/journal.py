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

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from operator import attrgetter
from pathlib import Path
from time import monotonic, sleep
from typing import IO, Any

import msgspec

from engine.datafile import open_file
from engine.errors import UserFacingError
from engine.events import Event, FeedEnded, event_classes
from engine.journal_records import RecordError, check_header, check_record
from engine.slices import PIECE, Slices, finish, in_pieces

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
    return event_classes()


def event_schema() -> dict[str, list[str]]:
    return {kind: list(cls.__struct_fields__) for kind, cls in sorted(event_kinds().items())}


def file_digest(path: str | Path) -> str:
    """The file's SHA-256, read in chunks (a replay can be a gigabyte)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def header_for(simulation) -> dict[str, Any]:
    """What a journal needs to rebuild ``simulation``: a shipped scenario by name, one's
    own by absolute path (so the journal works from any directory), either with the
    digest of its file; the seed; the run settings, a replay by absolute path with its
    digest; and the instrument's grid, for reading prices and sizes back."""
    scenario = simulation.scenario
    shipped = scenario.path.parent == Path(__file__).parent / "scenarios"
    instrument = simulation.instrument
    replay = simulation.settings["replay"]
    return {
        "project": project_version(),
        "scenario": {
            "name": scenario.name,
            "path": None if shipped else str(scenario.path.resolve()),
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
        **({"replay_sha256": file_digest(replay)} if replay else {}),
    }


class _Encoder:
    """Events to the journal's rows, ``[kind, field, …]``.

    msgspec writes an event (an ``array_like`` struct tagged with its kind) as its row
    in C. Only floats are spelled otherwise than ``json`` spells them (``1e16`` for
    ``1e+16``, ``null`` for ``Infinity``), so the few events with a float field (an
    ADL fill's score) are written by ``json``: the same inputs write the same bytes
    as they always have.
    """

    def __init__(self) -> None:
        self._encode = msgspec.json.Encoder().encode
        self._getters: dict[type, attrgetter] = {}
        self._floats = frozenset(
            cls
            for cls in event_classes().values()
            if any(f.type is float for f in msgspec.structs.fields(cls))
        )

    def row(self, event: Event) -> list[Any]:
        getter = self._getters.get(type(event))
        if getter is None:
            names = event.__struct_fields__
            getter = self._getters[type(event)] = attrgetter(*names)
        values = getter(event)
        return [event.kind, *values] if isinstance(values, tuple) else [event.kind, values]

    def text(self, events: list[Event]) -> str:
        """``events``' rows as JSON, comma-separated (a list's inside, brackets off)."""
        if self._floats.isdisjoint(map(type, events)):
            return self._encode(events)[1:-1].decode()
        return ",".join(
            _dumps(self.row(e)) if type(e) in self._floats else self._encode(e).decode()
            for e in events
        )


class JournalBusy(JournalError):
    """The journal is held by another process; ``owner`` is its pid, or None if unknown."""

    def __init__(self, path: Path, owner: int | None) -> None:
        self.path, self.owner = path, owner
        who = f"pid {owner}" if owner else "pid unknown"
        super().__init__(
            f"{path}: this journal is open in another adl-sandbox ({who}); close it there, "
            "or use another journal"
        )


class JournalWriter:
    """Appends records; also a ``Session`` listener, so every step and command lands.

    A journal has one writer at a time. The writer holds an exclusive ``flock`` on the
    journal's own file descriptor for its whole life, taken before anything is cut or
    written, so a second process is refused without touching a byte; the kernel drops
    the lock when the process ends, however it ends (``kill -9`` included), so a crash
    never leaves a session locked. The owner's pid sits beside the journal in
    ``<journal>.pid``, only so that the refusal can name it. The lock belongs to the
    open file, not the process: a second writer in the same process is refused too,
    so whoever opens a journal closes it.
    """

    def __init__(
        self,
        path: str | Path,
        header: dict[str, Any] | None = None,
        append_at: int | None = None,
        *,
        exclusive: bool = False,
        claimed: int | None = None,
    ) -> None:
        """A new journal with ``header``, or (``append_at``) an existing one continued from
        that byte offset: anything after it (a line cut off by a crash) is dropped.
        ``exclusive`` creates the file and raises ``FileExistsError`` if the name is taken
        (so two new sessions never share a file); ``claimed`` is a descriptor from
        ``JournalWriter.claim`` taken earlier (a resume locks before it replays)."""
        self.path = Path(path)
        self._encoder = _Encoder()
        fd = self.claim(self.path, exclusive=exclusive) if claimed is None else claimed
        try:
            os.ftruncate(fd, 0 if append_at is None else append_at)
            os.lseek(fd, 0, os.SEEK_END)
            self._file: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8")
        except OSError as error:
            self.release(self.path, fd)
            raise JournalError(
                f"{self.path}: cannot write the journal ({error.strerror})"
            ) from None
        if header is not None:
            self._write({"journal": MAGIC, "format": FORMAT, **header, "events": event_schema()})

    @classmethod
    def claim(cls, path: str | Path, exclusive: bool = False, create: bool = True) -> int:
        """A descriptor of ``path`` open for writing and exclusively locked by this
        process; nothing in the file is changed. ``JournalBusy`` if another process
        holds it; ``create`` False: a missing journal is an error, not a new file."""
        path = Path(path)
        fd = _open_for_writing(path, exclusive, create)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalBusy(path, cls.owner(path)) from None
        except OSError as error:
            os.close(fd)
            raise JournalError(f"{path}: cannot lock the journal ({error.strerror})") from None
        cls._name_owner(path)
        return fd

    @staticmethod
    def owner(path: Path, wait: float = 0.5) -> int | None:
        """The pid named in ``<journal>.pid`` if that process is alive. The owner writes
        it just after it locks, so a missing or dead pid is read again for a moment."""
        deadline = monotonic() + wait
        while True:
            try:
                pid = int(_pid_file(path).read_text())
                os.kill(pid, 0)
                return pid
            except PermissionError:  # alive, another user's
                return pid
            except (OSError, ValueError):
                if monotonic() >= deadline:
                    return None
                sleep(0.02)

    @staticmethod
    def _name_owner(path: Path) -> None:
        """Write this pid beside the journal (atomically: a reader sees all or nothing)."""
        target = _pid_file(path)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(f"{os.getpid()}\n")
            os.replace(temporary, target)
        except OSError:  # a folder we cannot write in: the lock holds all the same
            temporary.unlink(missing_ok=True)

    @staticmethod
    def release(path: Path, fd: int) -> None:
        """Give back a descriptor from ``claim`` that no writer took over: forget the pid,
        then unlock (closing unlocks). While we hold the lock nobody else can have
        written the pid file, so removing it takes nobody else's."""
        with suppress(OSError):
            _pid_file(path).unlink(missing_ok=True)
        os.close(fd)

    def __call__(self, step: int, time: int, command: dict | None, events: list[Event]) -> None:
        finish(self.recording(step, time, command, events))

    def recording(
        self, step: int, time: int, command: dict | None, events: list[Event], size: int = PIECE
    ) -> Slices[None]:
        """The listener's work in slices (``engine/slices.py``): a crash step may have
        50,000 events, so they are encoded ``size`` at a time and the line is written
        from the pieces, byte for byte what one ``json.dumps`` of the rows would write."""
        text = self._encoder.text
        pieces = yield from in_pieces(lambda a, b: [text(events[a:b])], len(events), size)
        if command is not None:
            head = _dumps({"s": step, "c": command})[:-1]
        elif events:
            head = f'{{"s":{step},"t":{time}'  # two integers: written as json writes them
        else:
            return
        end = command is None and type(events[-1]) is FeedEnded  # the call that ended the run
        rows = ",".join(pieces)
        ending = ',"end":1}' if end else "}"
        self._write_line(head + ',"e":[' + rows + "]" + ending)

    def extended(self, step: int, duration: int) -> None:
        self._write({"s": step, "r": {"duration": duration}})

    def close(self) -> None:
        """Flush, forget the pid and unlock; closing twice is harmless."""
        if self._file is None:
            return
        file, self._file = self._file, None
        with suppress(OSError):
            _pid_file(self.path).unlink(missing_ok=True)
        with self._failing_as_journal_error():
            file.close()  # closes (and unlocks) even when its last flush fails

    def _write(self, record: dict[str, Any]) -> None:
        self._write_line(_dumps(record))

    def _write_line(self, text: str) -> None:
        """One record, flushed at once: a killed process loses at most the step in flight."""
        with self._failing_as_journal_error():
            self._file.write(text + "\n")
            self._file.flush()

    @contextmanager
    def _failing_as_journal_error(self) -> Iterator[None]:
        """A full disk or a lost device is the user's to fix: one line naming the journal."""
        try:
            yield
        except OSError as error:
            raise JournalError(
                f"{self.path}: cannot write the journal ({error.strerror or error})"
            ) from None


def _pid_file(path: Path) -> Path:
    return path.with_name(path.name + ".pid")


def _open_for_writing(path: Path, exclusive: bool, create: bool) -> int:
    """``os.open`` without truncating (the lock comes first), its errors as one line;
    ``FileExistsError`` passes through for ``exclusive`` callers to pick another name.
    Only a regular file can be a journal: a pipe or a device is refused unopened."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # missing or unreachable: os.open says which
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise JournalError(f"{path}: not a regular file, so it cannot be a journal")
    flags = os.O_RDWR | (os.O_CREAT if create or exclusive else 0)
    try:
        return os.open(path, flags | (os.O_EXCL if exclusive else 0), 0o666)
    except FileExistsError:
        raise
    except FileNotFoundError as error:
        if create:
            raise JournalError(f"{path}: cannot write the journal ({error.strerror})") from None
        raise JournalError(f"{path}: no such journal") from None
    except IsADirectoryError:
        raise JournalError(f"{path}: is a directory, not a journal") from None
    except OSError as error:
        raise JournalError(f"{path}: cannot write the journal ({error.strerror})") from None


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
        self.last_line = 1  # its line number
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
        try:
            check_header(header)
        except RecordError as error:
            raise JournalError(f"{self.path}:1: {error}") from None
        return header

    def records(self):
        """(line number, record) for every complete record after the header."""
        number, step = 1, 0
        offset = self.valid_end
        schema = self.header.get("events") or event_schema()
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
            try:
                step = check_record(record, step, schema)
            except RecordError as error:
                raise JournalError(f"{self.path}:{number}: {error}") from None
            offset += len(line)
            self.valid_end, self.last_line = offset, number
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


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # made once: json.dumps
# with these options builds an encoder per call, a quarter of a small record's cost


def _dumps(value: Any) -> str:
    """A journal record's JSON: compact, and UTF-8 as written."""
    return _JSON.encode(value)
