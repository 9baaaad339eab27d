"""Where the app keeps its sessions, and how it starts or resumes one with its journal.

Each app session writes its journal into the user data directory as it goes
(flushed every step), so a killed app loses at most the step in flight. ``q``
closes the journal and marks it as the last session; ``--resume`` without a path
takes that one, or else the newest journal there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from platformdirs import user_data_dir

from engine.journal import JournalWriter, header_for
from engine.restore import Divergence, restore
from engine.session import Listener, Session
from engine.simulation import Simulation
from tui.arguments import UserError

LAST = "last-session"


def sessions_dir() -> Path:
    """``$ADL_SANDBOX_HOME/sessions`` if set (tests use it), else the user data directory."""
    home = os.environ.get("ADL_SANDBOX_HOME")
    base = Path(home) if home else Path(user_data_dir("adl-sandbox", appauthor=False))
    return base / "sessions"


def start(simulation: Simulation) -> tuple[Session, JournalWriter]:
    """A new session journaled under a fresh name in the sessions directory."""
    folder = sessions_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{folder}: cannot keep sessions there ({error.strerror})") from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # a name for people; not in the journal
    path = _unused(folder / f"{stamp}-{simulation.scenario.name}.jsonl")
    journal = JournalWriter(path, header_for(simulation))
    return Session(simulation, [journal]), journal


def resume(
    path: str | Path | None, listeners: Callable[[Simulation], list[Listener]] | None = None
) -> tuple[Session, JournalWriter, list[str]]:
    """Rebuild a journaled session exactly (seed + commands, every event checked), then
    keep journaling it where it stopped; ``path`` None takes the app's last session.
    ``listeners(simulation)`` may add session listeners that see the whole replay.
    Returns the session, its journal and any warnings."""
    chosen = Path(path) if path else last_session()
    try:
        restored = restore(chosen, listeners)
    except Divergence as error:
        raise UserError(f"{chosen}: cannot resume, the journal does not replay: {error}") from None
    journal = JournalWriter(chosen, append_at=restored.journal.valid_end)
    restored.journal.close()
    restored.session.listeners.append(journal)
    return restored.session, journal, list(restored.journal.warnings)


def save(journal: JournalWriter) -> Path:
    """Close a session's journal and remember it as the last session."""
    journal.close()
    pointer = journal.path.parent / LAST
    try:
        pointer.write_text(str(journal.path.resolve()) + "\n")
    except OSError as error:
        print(f"adl-sandbox: could not mark the last session: {error}", file=sys.stderr)
    return journal.path


class Keeper:
    """The command line's journaled sessions: each one it opens is journaled, the one
    before it saved; ``save`` at quit marks the last one for ``--resume``."""

    def __init__(self) -> None:
        self.journal: JournalWriter | None = None

    def start(self, simulation: Simulation) -> Session:
        self.save()
        session, self.journal = start(simulation)
        return session

    def open(self, scenario: str) -> Session:
        """A palette switch: a fresh journaled session on a shipped scenario."""
        from engine.scenario import load_scenario

        return self.start(Simulation(load_scenario(scenario)))

    def resume(self, path: str | None) -> tuple[Session, list[str]]:
        self.save()
        session, self.journal, warnings = resume(path)
        return session, warnings

    def save(self) -> Path | None:
        if self.journal is None:
            return None
        journal, self.journal = self.journal, None
        return save(journal)


def last_session() -> Path:
    folder = sessions_dir()
    pointer = folder / LAST
    if pointer.is_file():
        saved = Path(pointer.read_text().strip())
        if saved.is_file():
            return saved
    journals = (
        sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime) if (folder.is_dir()) else []
    )
    if not journals:
        raise UserError(f"no saved session in {folder} to resume")
    return journals[-1]


def _unused(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate
