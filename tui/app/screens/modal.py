"""Modal screens that close once, however fast the keys come.

Textual's ``Screen.dismiss`` pops whatever screen is on top. When keys arrive faster
than a dialog closes (a paste, key repeat, a key storm), a second close — Escape
followed by a queued Enter — would pop the trading screen itself and end the app.
"""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen


def dismiss_once(screen: Screen, dismiss, result=None) -> AwaitComplete:
    """Call the real ``dismiss`` only while ``screen`` is the one on top."""
    if screen.app.screen is not screen:
        return AwaitComplete.nothing()
    return dismiss(result)


class Modal(ModalScreen[None]):
    """The app's dialogs: a late second close is ignored."""

    def dismiss(self, result=None) -> AwaitComplete:  # type: ignore[override]
        return dismiss_once(self, super().dismiss, result)
