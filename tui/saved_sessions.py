"""The app's saved sessions as a user sees them: name, scenario, size, age, and which
one ``--resume`` opens.

Read from the sessions folder (``tui/sessions.py`` owns where it is and which
session is the last); nothing here writes or locks. Whether a session is open in a
process now is read from the pid its writer leaves beside it (``<journal>.pid``):
a hint good enough for a listing; pruning asks the lock itself (``pruning.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine.journal import JournalWriter
from tui import sessions
from tui.arguments import UserError


@dataclass(frozen=True)
class SavedSession:
    path: Path
    scenario: str  # "?" when the journal's header cannot be read
    size: int  # bytes
    modified: float  # seconds since the epoch
    last: bool  # the session `adl-sandbox --resume` opens
    owner: int | None  # the pid of the process that has it open, if any

    @property
    def name(self) -> str:
        return self.path.stem


def saved_sessions() -> tuple[SavedSession, ...]:
    """Every journal in the sessions folder, newest first."""
    folder = sessions.sessions_dir()
    journals = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    last = _last()
    found = [s for s in (_read(path, last) for path in journals) if s is not None]
    return tuple(sorted(found, key=lambda s: (s.modified, s.name), reverse=True))


def _last() -> Path | None:
    try:
        return sessions.last_session().resolve()
    except UserError:  # no session at all
        return None


def _read(path: Path, last: Path | None) -> SavedSession | None:
    try:
        facts = path.stat()
    except OSError:  # removed while we looked
        return None
    return SavedSession(
        path=path,
        scenario=_scenario(path),
        size=facts.st_size,
        modified=facts.st_mtime,
        last=path.resolve() == last,
        owner=JournalWriter.owner(path, wait=0),
    )


def _scenario(path: Path) -> str:
    """The scenario's name from the journal's header (its first line)."""
    try:
        with path.open(encoding="utf-8") as file:
            header = json.loads(file.readline())
        return str(header["scenario"]["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return "?"
