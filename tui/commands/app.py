"""``adl-sandbox`` with no subcommand: open the trading screen.

Everything the user typed is checked before Textual starts (the scenario file, the
replay file and its format, the seed, the speed), so a mistake is one line on
stderr and exit status 2, never a half-drawn screen. Textual itself is imported
only once the session is built: ``adl-sandbox calc`` never pays for it.

SIGTERM and SIGHUP (a closed terminal) end the app the way ``q`` does: the terminal
is restored, the session saved and marked, and "Session saved to …" printed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from tui import sessions
from tui.arguments import UserError
from tui.commands.simulate import add_market_arguments, build_simulation, moved, refuse_with_resume
from tui.preferences import Preferences, read_preferences, under_flags
from tui.stopping import SIGNALS, Stopped

WARMUP = 60  # steps run before the first frame: the market is already moving
DEFAULT_SPEED = "1"  # when neither --speed nor the config file sets one


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The market flags are simulate's, with the same names and errors."""
    add_market_arguments(parser)
    parser.add_argument(
        "--speed",
        default=None,  # DEFAULT_SPEED, unless the config file sets another
        metavar="X",
        help="engine steps per second (a replay: seconds of its market time per second), "
        "or max (default: 1; [ and ] change it live)",
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
    """The app; a plain ``adl-sandbox`` run for the first time offers lesson 1. The
    config file's speed and venue count where no flag gives one."""
    preferences = _preferences()
    args, problems = under_flags(args, preferences, parse_speed)
    _warn(problems)
    speed = parse_speed(args.speed or DEFAULT_SPEED)
    welcome = None
    if getattr(args, "plain", False) and sessions.first_run():
        from engine.lesson import find_lesson

        welcome = find_lesson("1")
    return open_app(
        args, lambda keeper: _open(args, keeper), speed, welcome=welcome, preferences=preferences
    )


def _preferences() -> Preferences:
    """The config file's settings; its mistakes each one line on stderr, never fatal."""
    preferences, problems = read_preferences()
    _warn(problems)
    return preferences


def _warn(problems: tuple[str, ...]) -> None:
    for problem in problems:
        print(f"adl-sandbox: {problem}", file=sys.stderr)


def open_app(
    args: Any,
    opening: Callable[[sessions.Keeper], tuple[Any, int]],
    speed: float,
    lesson: Any = None,
    welcome: Any = None,
    preferences: Preferences | None = None,
) -> int:
    """The trading screen on the session ``opening`` makes (with its warm-up steps), and
    ``lesson``'s panel over it when given (``welcome``: offered); saved and marked
    when it ends, however. ``preferences``: the config file's, read here if not given."""
    preferences = preferences or _preferences()
    keeper = sessions.Keeper()
    stopped: Stopped | None = None
    with _Ending(keeper) as ending:
        try:
            session, warmup = opening(keeper)
            from tui.app import SandboxApp  # Textual loads only for a valid session
            from tui.app.theme_keeper import ThemeKeeper

            themes, problem = ThemeKeeper.of(preferences)
            _warn((problem,) if problem else ())
            args.settle_heap()
            ending.app = SandboxApp(
                session,
                speed=speed,
                warmup=warmup,
                open_session=keeper.open,
                lesson=lesson,
                welcome=welcome,
                themes=themes,
                chart=keeper.chart,
            )
            ending.app.run()
        except Stopped as stop:  # a signal while the session was being built
            stopped = stop
        finally:
            ending.hold()
            saved = keeper.save()
    if saved is not None:
        _say(f"Session saved to {saved}\nResume it with: adl-sandbox --resume")
    elif stopped is not None:
        with suppress(OSError):  # a closed terminal (SIGHUP) has nobody to tell
            print(f"adl-sandbox: stopped by {stopped.name}", file=sys.stderr)
        return 128 + stopped.number
    return 0


def _open(args: Any, keeper: sessions.Keeper) -> tuple[Any, int]:
    """The session to show (resumed, or new from the flags) and its warm-up steps."""
    if args.resume is None:
        return keeper.start(build_simulation(args)), WARMUP
    refuse_with_resume(args)
    session, warnings = keeper.resume(args.resume or None, moved(args))
    for warning in warnings:
        print(f"adl-sandbox: warning: {warning}", file=sys.stderr)
    return session, 0


class _Ending:
    """SIGTERM and SIGHUP end the app as ``q`` does.

    - Before the app exists (the session is being built or replayed): ``Stopped`` is
      raised, and ``run`` saves whatever session is open.
    - Once it exists: the handler only asks the app to exit, on the app's loop (a
      signal handler must not touch the screen itself). Textual leaves the alternate
      screen and restores the terminal; ``run`` then saves and marks the session and
      prints "Session saved to …", the way ``q`` does.
    - The terminal is gone (a real hang-up: writing to it fails): Textual cannot shut
      down (its writer thread died on the dead terminal, and stopping it would block
      for ever), and there is no screen to restore nor anyone to tell. The session is
      saved and marked here and the process ends at once.
    """

    def __init__(self, keeper: sessions.Keeper) -> None:
        self.keeper = keeper
        self.app: Any = None
        self._before: dict[int, Any] = {}

    def __enter__(self) -> _Ending:
        if threading.current_thread() is not threading.main_thread():
            return self  # only the main thread may set handlers (and Textual runs there)
        for number in SIGNALS:
            self._before[number] = signal.signal(number, self._on_signal)
        return self

    def _on_signal(self, number: int, frame: object) -> None:
        if self.app is None:
            raise Stopped(number)
        if _terminal_gone():
            try:
                self.keeper.save()
            finally:  # whatever the save met, never back into a Textual that cannot end
                os._exit(0)
        try:
            asyncio.get_running_loop().call_soon_threadsafe(self.app.exit)
        except RuntimeError:  # the loop is not running yet (or any more): no race to fear
            self.app.exit()

    def hold(self) -> None:
        """While the session is saved, a second signal must not cut the save short."""
        for number in self._before:
            signal.signal(number, signal.SIG_IGN)

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._before.items():
            signal.signal(number, handler)


def _terminal_gone() -> bool:
    """Whether the terminal Textual draws on (stderr) was hung up: an empty write to a
    live terminal succeeds, to a hung-up one fails (EIO)."""
    try:
        os.write(sys.__stderr__.fileno(), b"")
    except (OSError, ValueError):  # hung up, or closed
        return True
    return False


def _say(text: str) -> None:
    """Print to a terminal that may be gone (SIGHUP): if it is, nobody is there to read,
    and the session is saved already, so stdout goes to the null device instead of
    failing with a traceback nobody sees."""
    try:
        print(text, flush=True)
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
