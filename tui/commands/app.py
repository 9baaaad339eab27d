"""``adl-sandbox`` with no subcommand: open the trading screen.

Everything the user typed is checked before Textual starts (the scenario file, the
replay file and its format, the seed, the speed), so a mistake is one line on
stderr and exit status 2, never a half-drawn screen. Textual itself is imported
only once the session is built: ``adl-sandbox calc`` never pays for it.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from tui import sessions
from tui.arguments import UserError
from tui.commands.simulate import add_market_arguments, build_simulation

WARMUP = 60  # steps run before the first frame: the market is already moving


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The market flags are simulate's, with the same names and errors."""
    add_market_arguments(parser)
    parser.add_argument(
        "--speed",
        default="1",
        metavar="X",
        help="engine steps per second, or max (default: 1; [ and ] change it live)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="PATH",
        help="reopen a saved session exactly where it stopped (default: the last one)",
    )


def parse_speed(text: str) -> float:
    if text.strip().lower() == "max":
        return math.inf
    try:
        speed = float(text)
    except ValueError:
        raise UserError(f"--speed: {text!r} is not a number or max") from None
    if not math.isfinite(speed) or not 0 < speed <= 100_000:
        raise UserError(f"--speed: {text!r} must be above 0 and at most 100000, or max")
    return speed


def run(args: Any) -> int:
    speed = parse_speed(args.speed)
    keeper = sessions.Keeper()
    warmup = WARMUP
    if args.resume is not None:
        session, warnings = keeper.resume(args.resume or None)
        for warning in warnings:
            print(f"adl-sandbox: warning: {warning}", file=sys.stderr)
        warmup = 0
    else:
        session = keeper.start(build_simulation(args))
    from tui.app import SandboxApp  # Textual loads only for a valid session

    args.settle_heap()
    try:
        SandboxApp(session, speed=speed, warmup=warmup, open_session=keeper.open).run()
    finally:
        saved = keeper.save()
    if saved is not None:
        print(f"Session saved to {saved}\nResume it with: adl-sandbox --resume")
    return 0
