"""When the engine raises inside the app: its traceback kept in a file a bug report
can carry.

The app survives an engine failure (it pauses the market and says so); the stack
trace would be lost with the notification, so it is written to
``crashes/YYYYMMDD-HHMMSS.txt`` in the data directory, beside ``sessions/``, with
the version and the Python that ran it, and the notification names the file. The
same failure met again (a frame that fails at every redraw) is not written again:
the newest report already holds it.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

from engine.journal import project_version
from tui import sessions


def crashes_dir() -> Path:
    """``crashes/`` beside the sessions folder (``ADL_SANDBOX_HOME`` moves both)."""
    return sessions.sessions_dir().parent / "crashes"


def keep_crash(error: BaseException) -> str:
    """Write ``error``'s report and say where, in words for the notification."""
    text = report(error)
    try:
        return f"The traceback is in {_write(crashes_dir(), text)}"
    except OSError as failure:
        return f"The traceback could not be saved ({failure.strerror or failure})"


def report(error: BaseException) -> str:
    """What a bug report needs: the versions, then the traceback."""
    trace = "".join(traceback.format_exception(error))
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return (
        f"adl-sandbox {project_version()}\n"
        f"Python {python} on {platform.platform()}\n"
        f"command: {' '.join(sys.argv)}\n\n{trace}"
    )


def _write(folder: Path, text: str, tries: int = 100) -> Path:
    """A new file named for the time (``-2``, ``-3``… within one second), created
    exclusively so two reports never share one; the newest one if it says the same."""
    folder.mkdir(parents=True, exist_ok=True)
    newest = max(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime, default=None)
    if newest is not None and newest.read_text(encoding="utf-8", errors="replace") == text:
        return newest
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, tries + 1):
        path = folder / (f"{stamp}.txt" if n == 1 else f"{stamp}-{n}.txt")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        return path
    raise FileExistsError(f"{folder}: {tries} crash reports this second")
