"""The ``adl-sandbox`` command: the app by default, and headless subcommands.

Each subcommand lives in its own module exposing ``add_parser(subparsers)`` and
``run(args) -> int``. A user's mistake (bad flag, bad file, bad value) raises
``UserError`` or a known data error and ends as one line on stderr with exit
status 2: never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from engine.datafile import DataFileError
from engine.feeds.replay import ReplayError
from engine.units import UnitError

SUBCOMMANDS = ("calc", "simulate", "scenarios", "verify", "export")
PROG = "adl-sandbox"


class UserError(Exception):
    """A mistake of the user's; ``str()`` is the one line to show."""


def described(doc: str | None) -> str:
    """A module docstring as ``--help`` text: without its reStructuredText backticks."""
    return (doc or "").replace("``", "")


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line and exit 2, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see --help)")


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Paper-trade perpetual futures and watch liquidation, the insurance "
        "fund and auto-deleveraging at work. Without a subcommand, opens the app.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = import_module(f"tui.commands.{name}")
        module.add_parser(commands)
    try:
        app = import_module("tui.commands.app")
    except ModuleNotFoundError:
        app = None
    if app is not None:
        app.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            module = import_module("tui.commands.app")
        else:
            module = import_module(f"tui.commands.{args.command}")
        return module.run(args)
    except (UserError, DataFileError, UnitError, ReplayError) as error:
        print(f"{PROG}: {error}" if not str(error).startswith(PROG) else error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
