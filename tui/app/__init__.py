"""The Textual app of ADL Sandbox: the trading screen over one engine Session.

``SandboxApp`` is loaded when first asked for, so the package's plain modules (the
chart's history, the words) can be used before Textual is: ``--resume`` fills the
chart while it replays the journal, and a journal that does not replay is one line on
stderr, Textual never loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.app import SandboxApp

__all__ = ["SandboxApp"]


def __getattr__(name: str):
    if name == "SandboxApp":
        from tui.app.app import SandboxApp

        return SandboxApp
    raise AttributeError(f"module 'tui.app' has no attribute {name!r}")
