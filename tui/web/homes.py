"""A folder of its own for each visitor's app: its ``ADL_SANDBOX_HOME``.

Why not the server's home with the sessions' unique names: a visitor in a browser
cannot resume (every connection starts a new app), so what a shared home would add
is only cross-talk: one visitor's theme written into everybody's config file, one
"first run" (the lesson-1 welcome) for the whole class, a ``last-session`` mark
changing hands, and some 3 MB a simulated hour per visitor piling up where nobody
prunes. So each visitor starts as a new user: a fresh folder under one temporary
folder per server, holding a copy of the server's config file if there is one (the
teacher's theme, speed and venue apply to the class; a visitor's theme choice stays
in the copy), removed with everything in it when their app has ended.
"""

from __future__ import annotations

import shutil
import tempfile
from itertools import count
from pathlib import Path

from tui.preferences import config_path


class Homes:
    """Visitor folders under one temporary folder, numbered in order of arrival."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="adl-sandbox-serve-"))
        self._config = config_path()  # read now: the server's, before any visitor's
        self._numbers = count(1)

    def make(self) -> Path:
        """A new visitor's folder, with the server's config file copied in."""
        home = self.root / f"visitor-{next(self._numbers)}"
        home.mkdir()
        if self._config.is_file():
            shutil.copyfile(self._config, home / "config.toml")
        return home

    @staticmethod
    def remove(home: Path) -> None:
        shutil.rmtree(home, ignore_errors=True)

    def close(self) -> None:
        """Remove every folder left (the server is ending)."""
        shutil.rmtree(self.root, ignore_errors=True)
