"""Where the app keeps its sessions, and how it starts or resumes one with its journal.

Each app session writes its journal into the user data directory as it goes
(flushed every step), so a killed app loses at most the step in flight. A session
is marked as the last one as soon as it starts or resumes (so ``--resume`` after a
crash opens the session that crashed), and again when ``q`` closes it; ``--resume``
without a path takes that one, or else the newest journal there.

A session belongs to one process at a time: its ``JournalWriter`` holds an OS lock
on the journal, so a second app (or ``simulate --resume``) on the same journal is
refused before it reads or writes a byte.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from engine.journal import JournalBusy, JournalWriter, header_for
from engine.restore import NOT_MOVED, Divergence, Moved, Restored, restore
from engine.session import Listener, Session
from engine.simulation import Simulation
from tui.arguments import UserError

if TYPE_CHECKING:
    from tui.app.history import PriceHistory

LAST = "last-session"


def sessions_dir() -> Path:
    """``$ADL_SANDBOX_HOME/sessions`` if set (tests use it), else the user data directory."""
    home = os.environ.get("ADL_SANDBOX_HOME")
    base = Path(home) if home else Path(user_data_dir("adl-sandbox", appauthor=False))
    return base / "sessions"


def first_run() -> bool:
    """No session was ever kept here: the app has never run on this machine (or home)."""
    return not (sessions_dir() / LAST).exists()


def start(simulation: Simulation) -> tuple[Session, JournalWriter]:
    """A new session journaled under a fresh name in the sessions directory, and marked
    as the last session at once, so that a crash still leaves ``--resume`` pointing here."""
    folder = sessions_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{folder}: cannot keep sessions there ({error.strerror})") from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # a name for people; not in the journal
    journal = _new_journal(folder / f"{stamp}-{simulation.scenario.name}.jsonl", simulation)
    mark(journal.path)
    return Session(simulation, [journal]), journal


def _new_journal(path: Path, simulation: Simulation, tries: int = 1000) -> JournalWriter:
    """The journal under the first free name among ``path``, ``path-2``, …; the file is
    created with O_EXCL, so two starts in the same second never share one."""
    header = header_for(simulation)
    for n in range(1, tries + 1):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            return JournalWriter(candidate, header, exclusive=True)
        except FileExistsError:
            continue
    raise UserError(f"{path.parent}: {tries} sessions started this second; try again")


def resume(
    path: str | Path | None,
    listeners: Callable[[Simulation], list[Listener]] | None = None,
    moved: Moved = NOT_MOVED,
) -> tuple[Session, JournalWriter, list[str]]:
    """Rebuild a journaled session exactly (seed + commands, every event checked), then
    keep journaling it where it stopped; ``path`` None takes the app's last session.
    The journal is locked before the replay, so a session open elsewhere is refused
    before anything is read or cut. ``listeners(simulation)`` may add session listeners
    that see the whole replay. Returns the session, its journal and any warnings."""
    chosen = Path(path) if path else last_session()
    claimed = _claim(chosen)
    try:
        restored = _replay(chosen, listeners, moved)
    except BaseException:
        JournalWriter.release(chosen, claimed)
        raise
    journal = JournalWriter(chosen, append_at=restored.journal.valid_end, claimed=claimed)
    restored.journal.close()
    restored.session.listeners.append(journal)
    return restored.session, journal, list(restored.journal.warnings)


def _replay(
    path: Path, listeners: Callable[[Simulation], list[Listener]] | None, moved: Moved
) -> Restored:
    try:
        return restore(path, listeners, moved)
    except Divergence as error:
        raise UserError(f"{path}: cannot resume, the journal does not replay: {error}") from None


def _claim(path: Path) -> int:
    """The journal locked for this process, or one line naming the process that has it."""
    try:
        return JournalWriter.claim(path, create=False)
    except JournalBusy as busy:
        who = f"pid {busy.owner}" if busy.owner else "pid unknown"
        raise UserError(
            f"{path}: this session is open in another adl-sandbox ({who}); close it there, "
            "or resume another session"
        ) from None


def save(journal: JournalWriter) -> Path:
    """Close a session's journal and remember it as the last session."""
    journal.close()
    mark(journal.path)
    return journal.path


def mark(path: Path) -> None:
    """Point ``last-session`` at ``path``: written beside, then renamed over the old
    pointer, so a crash mid-write never leaves a half-written pointer."""
    folder = sessions_dir()
    pointer = folder / LAST
    temporary = folder / f".{LAST}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_text(str(path.resolve()) + "\n")
        os.replace(temporary, pointer)
    except OSError as error:
        print(f"adl-sandbox: could not mark the last session: {error}", file=sys.stderr)


class Keeper:
    """The command line's journaled sessions: each one it opens is journaled, the one
    before it saved; ``save`` at quit marks the last one for ``--resume``."""

    def __init__(self) -> None:
        self.journal: JournalWriter | None = None
        self.chart: PriceHistory | None = None  # a resumed session's charts so far

    def start(self, simulation: Simulation) -> Session:
        self.save()
        session, self.journal = start(simulation)
        return session

    def open(self, scenario: str) -> Session:
        """A palette switch: a fresh journaled session on a shipped scenario."""
        from engine.scenario import load_scenario

        return self.start(Simulation(load_scenario(scenario)))

    def resume(self, path: str | None, moved: Moved = NOT_MOVED) -> tuple[Session, list[str]]:
        """The session rebuilt from its journal; ``chart`` then holds the charts' history
        its replay went through, for the app to open on."""
        from tui.replayed_chart import ReplayedChart

        self.save()
        replayed = ReplayedChart()
        session, self.journal, warnings = resume(path, replayed.listeners, moved)
        self.chart = replayed.detach(session)
        mark(self.journal.path)
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
