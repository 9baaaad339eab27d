"""The pages a key opens by name — ``open('glossary')`` — each a screen to read while
the market waits (``ReadingScreen``). One table, so a new page is a class and a line."""

from __future__ import annotations

from tui.app.screens.explain import ExplainScreen
from tui.app.screens.fund import FundScreen
from tui.app.screens.glossary import GlossaryScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.history import HistoryScreen
from tui.app.screens.queue import QueueScreen
from tui.app.screens.reading import ReadingScreen

PAGES: dict[str, type[ReadingScreen]] = {
    "explain": ExplainScreen,
    "fund": FundScreen,
    "glossary": GlossaryScreen,
    "help": HelpScreen,
    "history": HistoryScreen,
    "queue": QueueScreen,
}
