"""The app's end of the pipe to ``adl-sandbox serve``: Textual's web driver, except
that the app ends when nobody is at the other end.

Textual's ``WebDriver`` reads the server's packets on stdin and writes the screen
to stdout. When the server goes away without saying "quit" (killed, crashed, its
pipes closed), stdin ends and stdout breaks, and the stock driver notices neither:
its input thread returns quietly, each write fails into Textual's loop, and the app
keeps stepping its market for ever at a third of a core, with nobody to see it.
Here the end of input, or the first write that finds the pipe broken, asks the app
to exit as ``q`` does (the session is saved), and later writes are dropped.
"""

from __future__ import annotations

import os
from typing import Any

from textual import messages
from textual.drivers.web_driver import WebDriver

IMPORT_PATH = "tui.web.driver:VisitorDriver"  # how TEXTUAL_DRIVER names it


class VisitorDriver(WebDriver):
    """``WebDriver`` that ends the app when the server is gone."""

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._leaving = False  # ExitApp posted
        self._unheard = False  # stdout broke: output goes nowhere
        self._write = self._write_while_heard

    def _write_while_heard(self, data: bytes) -> int:
        """Write to the server; a broken pipe means it is gone: leave, and drop output."""
        if self._unheard:
            return len(data)
        try:
            return os.write(self.fileno, data)
        except OSError:  # EPIPE (or the descriptor closed): nobody reads any more
            self._unheard = True
            self._leave()
            return len(data)

    def run_input_thread(self) -> None:
        """Textual's input loop; when it returns while the app still runs, stdin ended:
        the server is gone."""
        super().run_input_thread()
        if not self.exit_event.is_set():
            self._leave()

    def _leave(self) -> None:
        """Ask the app to exit, once (thread-safe: ``post_message`` hops onto its loop)."""
        if not self._leaving:
            self._leaving = True
            self._app.post_message(messages.ExitApp())
