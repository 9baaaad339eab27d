"""The app's theme from the config file at start, and saved there when the user picks
another (ctrl+p, "theme").

The command line makes the keeper from the config file (``tui/preferences.py``) and
checks the theme's name against Textual's before the screen opens, so a wrong name
is one line on stderr, not a failure inside the app. Once the app runs, the keeper
follows ``theme_changed_signal``; the file is written by ``tui/theme_key.py``, the
theme key alone. An app made without a keeper (tests, screenshots) reads and writes
no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import App
from textual.theme import BUILTIN_THEMES, Theme

from tui.preferences import Preferences
from tui.theme_key import ThemeNotKept, keep_theme


@dataclass(frozen=True)
class ThemeKeeper:
    path: Path | None = None  # None: nothing is read or kept
    theme: str | None = None  # the theme to open with

    @classmethod
    def of(cls, preferences: Preferences) -> tuple[ThemeKeeper, str | None]:
        """The keeper for the config file, and one line if its theme is not a theme."""
        theme = preferences.theme
        if theme is None or theme in BUILTIN_THEMES:
            return cls(preferences.path, theme), None
        known = ", ".join(sorted(BUILTIN_THEMES))
        problem = f"{preferences.path}: theme: {theme!r} is not one of {known}; default used"
        return cls(preferences.path, None), problem

    def follow(self, app: App) -> None:
        """Open with the file's theme, and keep every theme the user picks after."""
        if self.path is None:
            return
        if self.theme is not None:
            app.theme = self.theme
        app.theme_changed_signal.subscribe(app, lambda theme: self.keep(app, theme))

    def keep(self, app: App, theme: Theme) -> None:
        try:
            keep_theme(self.path, theme.name)
        except ThemeNotKept as error:
            app.notify(str(error), title="Theme not saved", severity="warning", markup=False)


NO_FILE = ThemeKeeper()
