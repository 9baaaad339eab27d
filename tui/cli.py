"""The ``adl-sandbox`` command: the app by default, and headless subcommands.

Each subcommand lives in its own module exposing ``add_parser(subparsers)`` and
``run(args) -> int``. A user's mistake (bad flag, bad file, bad value) raises a
``UserFacingError`` and ends as one line on stderr with exit status 2: never a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from engine.errors import UserFacingError
from tui.arguments import Parser
from tui.commands import app, calc, export, scenarios, simulate, verify

SUBCOMMANDS = {
    "calc": calc,
    "simulate": simulate,
    "scenarios": scenarios,
    "verify": verify,
    "export": export,
}
PROG = "adl-sandbox"


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Paper-trade perpetual futures and watch liquidation, the insurance "
        "fund and auto-deleveraging at work. Without a subcommand, opens the app.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in SUBCOMMANDS.values():
        module.add_parser(commands)
    app.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None, settle_heap: Callable[[], None] = lambda: None) -> int:
    """Run one command. ``settle_heap`` is called once a long run's population is built
    (the console script passes the runtime's; in-process callers, such as tests, keep
    their interpreter's heap as it is)."""
    try:
        parser = build_parser()
        parser.set_defaults(settle_heap=settle_heap)
        args = parser.parse_args(argv)
        return SUBCOMMANDS.get(args.command, app).run(args)
    except UserFacingError as error:
        print(f"{PROG}: {error}" if not str(error).startswith(PROG) else error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """The console script: the command line with the runtime's heap settings."""
    from tui.runtime import settle_heap

    sys.exit(main(sys.argv[1:], settle_heap))


if __name__ == "__main__":
    entry()
