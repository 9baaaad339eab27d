"""The Textual app of ADL Sandbox: the trading screen over one engine Session."""

from tui.app.app import SandboxApp

__all__ = ["SandboxApp"]
