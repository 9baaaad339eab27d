"""What every subcommand shares: its user-mistake error, its parser, its help text.

Kept apart from ``tui/cli.py`` (which imports every subcommand) so that the
subcommands can use these without importing the command line back.
"""

from __future__ import annotations

import argparse

from engine.errors import UserFacingError


class UserError(UserFacingError):
    """A mistake in what the user typed on the command line; ``str()`` is the one line."""


def described(doc: str | None) -> str:
    """A module docstring as ``--help`` text: without its reStructuredText backticks."""
    return (doc or "").replace("``", "")


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line and exit 2, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see --help)")


class HelpText(argparse.HelpFormatter):
    """argparse's help, except that a text written in lines (the environment table of
    the epilog) keeps its lines; a paragraph is wrapped to the terminal as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)


def whole_number(text: str, least: int = 0) -> int:
    """An argparse type: a whole number, zero or more (a seed, a count)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(
            "must not be negative" if least == 0 else f"{text!r} must be at least {least}"
        )
    return value


def positive_number(text: str) -> int:
    """An argparse type: a whole number, one or more (a count of workers)."""
    return whole_number(text, least=1)
