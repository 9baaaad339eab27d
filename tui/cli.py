"""The ``adl-sandbox`` command: the app by default, and headless subcommands.

Each subcommand lives in its own module exposing ``add_parser(subparsers)`` and
``run(args) -> int``. Every command line builds every parser, so a module imports at
its top only what ``add_parser`` needs; ``run`` imports its own work (the app starts
sooner for it). A user's mistake (bad flag, bad file, bad value) raises a
``UserFacingError`` and ends as one line on stderr with exit status 2: never a
traceback. SIGTERM and SIGHUP unwind a headless command (``simulate`` closes its
journal on the way) and end it with one line; the app handles them itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import suppress

from engine.errors import UserFacingError
from tui.arguments import HelpText, Parser
from tui.commands import (
    app,
    calc,
    compare,
    completion,
    export,
    learn,
    scenarios,
    serve,
    sessions,
    simulate,
    verify,
)
from tui.environment import epilog
from tui.stopping import Stopped, stopped_by_signals
from tui.version_flag import VersionFlag

SUBCOMMANDS = {
    "calc": calc,
    "simulate": simulate,
    "compare": compare,
    "scenarios": scenarios,
    "verify": verify,
    "export": export,
    "learn": learn,
    "sessions": sessions,
    "completion": completion,
    "serve": serve,
}
PROG = "adl-sandbox"
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool cut off by `| head`


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Paper-trade perpetual futures and watch liquidation, the insurance "
        "fund and auto-deleveraging at work. Without a subcommand, opens the app.",
        epilog=epilog(),
        formatter_class=HelpText,
    )
    parser.add_argument("--version", action=VersionFlag)
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in SUBCOMMANDS.values():
        module.add_parser(commands)
    app.add_arguments(parser)
    parser.set_defaults(parser=parser)  # what `completion` walks
    return parser


def main(argv: list[str] | None = None, settle_heap: Callable[[], None] = lambda: None) -> int:
    """Run one command. ``settle_heap`` is called once a long run's population is built
    (the console script passes the runtime's; in-process callers, such as tests, keep
    their interpreter's heap as it is)."""
    try:
        parser = build_parser()
        given = sys.argv[1:] if argv is None else argv
        parser.set_defaults(settle_heap=settle_heap, plain=not given)
        args = parser.parse_args(argv)
        with stopped_by_signals():
            return SUBCOMMANDS.get(args.command, app).run(args)
    except Stopped as stop:
        with suppress(OSError):  # a closed terminal (SIGHUP) has nobody to tell
            print(f"{PROG}: stopped by {stop.name}", file=sys.stderr)
        return 128 + stop.number
    except UserFacingError as error:
        print(f"{PROG}: {error}" if not str(error).startswith(PROG) else error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``| head``): end quietly, as Unix tools do
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as error:  # the system refused (disk full, name too long…): one line
        where = f"{error.filename}: " if error.filename else "cannot write: "
        print(f"{PROG}: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """The console script: the command line with the runtime's heap settings."""
    from tui.runtime import settle_heap

    code = main(sys.argv[1:], settle_heap)
    try:
        sys.stdout.flush()  # what is still buffered, while a closed pipe can still be told
    except BrokenPipeError:
        _drop_stdout()
        code = EXIT_BROKEN_PIPE
    except OSError as error:
        print(f"{PROG}: output: {error.strerror or error}", file=sys.stderr)
        _drop_stdout()
        code = 2
    sys.exit(code)


def _drop_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush has nowhere to
    fail (a closed pipe or a full disk would otherwise print a traceback at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    entry()
