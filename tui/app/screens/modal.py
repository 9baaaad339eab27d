"""Modal screens that close once, however fast the keys come.

Textual's ``Screen.dismiss`` pops whatever screen is on top. When keys arrive faster
than a dialog closes (a paste, key repeat, a key storm), a second close — Escape
followed by a queued Enter — would pop the trading screen itself and end the app.
"""

from __future__ import annotations

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen
from textual.widgets import Input


def dismiss_once(screen: Screen, dismiss, result=None) -> AwaitComplete:
    """Call the real ``dismiss`` only while ``screen`` is the one on top."""
    if screen.app.screen is not screen:
        return AwaitComplete.nothing()
    return dismiss(result)


class Modal(ModalScreen[None]):
    """The app's dialogs: a late second close is ignored."""

    def dismiss(self, result=None) -> AwaitComplete:  # type: ignore[override]
        return dismiss_once(self, super().dismiss, result)

    def on_key(self, event: events.Key) -> None:
        self.take_early(event)

    def take_early(self, event: events.Key) -> None:
        """A character typed before the dialog's field took focus goes into the field
        instead of nowhere. Typed fast after the key that opened the dialog (``a2⏎``),
        it was on its way to the trading screen: the app hands it here."""
        if not event.is_printable or event.character is None:
            return
        field = next(iter(self.query(Input)), None)
        if field is not None and self.focused in (None, field):  # sent here before it had focus
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()
