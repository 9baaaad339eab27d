"""The pages a key opens by name — ``open('glossary')`` — each a screen to read while
the market waits (``ReadingScreen``). One table, so a new page is a class and a line."""

from __future__ import annotations

from tui.app.screens.explain import ExplainScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.reading import ReadingScreen

PAGES: dict[str, type[ReadingScreen]] = {
    "explain": ExplainScreen,
    "help": HelpScreen,
}
