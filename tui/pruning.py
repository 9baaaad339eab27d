"""Which saved sessions a prune removes, and removing one safely.

The rules only ever let a session go: ``keep`` spares the N most recently used,
``older_than`` spares those used more recently than that; with both, a session goes
only when neither spares it. Two sessions are never removed, whatever the rules: the
last one (``--resume`` opens it) and any session open in a process now. "Open" is
asked of the journal's lock itself, taken before the file is removed, so a session
that an app opens at the same moment is either removed before it opened or spared.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from engine.journal import JournalBusy, JournalError, JournalWriter
from tui.saved_sessions import SavedSession


@dataclass(frozen=True)
class Rules:
    keep: int | None = None  # the N most recently used are kept
    older_than: float | None = None  # seconds: only sessions unused for longer go


@dataclass(frozen=True)
class Outcome:
    """What became of one session a rule let go: removed, or why it stayed."""

    session: SavedSession
    removed: bool
    reason: str = ""


def prunable(saved: tuple[SavedSession, ...], rules: Rules, now: float) -> tuple[SavedSession, ...]:
    """The sessions the rules let go (``saved`` newest first), the last one never."""
    spared = set(saved[: rules.keep]) if rules.keep is not None else set()
    if rules.older_than is not None:
        spared |= {s for s in saved if now - s.modified < rules.older_than}
    return tuple(s for s in saved if s not in spared and not s.last)


def remove(session: SavedSession) -> Outcome:
    """Remove one session's journal, unless a process has it open: its lock is taken
    first and held while the file goes (the pid beside it goes with the lock)."""
    try:
        claimed = JournalWriter.claim(session.path, create=False)
    except JournalBusy as busy:
        who = f"pid {busy.owner}" if busy.owner else "another process"
        return Outcome(session, False, f"open in {who}")
    except (JournalError, OSError) as error:
        return Outcome(session, False, _why(error))
    try:
        os.unlink(session.path)
    except OSError as error:
        return Outcome(session, False, _why(error))
    finally:
        JournalWriter.release(session.path, claimed)
    return Outcome(session, True)


def _why(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)
