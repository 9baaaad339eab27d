"""``adl-sandbox`` with no subcommand: open the trading screen.

Everything the user typed is checked before Textual starts (the scenario file, the
replay file and its format, the seed, the speed), so a mistake is one line on
stderr and exit status 2, never a half-drawn screen. Textual itself is imported
only once the session is built: ``adl-sandbox calc`` never pays for it.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from tui.cli import UserError

WARMUP = 60  # steps run before the first frame: the market is already moving


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenario",
        default="calm",
        metavar="NAME|PATH",
        help="a shipped scenario name or a scenario TOML file (default: calm)",
    )
    parser.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    parser.add_argument("--replay", metavar="FILE", help="replay a price file instead of a walk")
    parser.add_argument("--format", metavar="F", help="the replay file's format (default: detect)")
    parser.add_argument(
        "--speed",
        default="1",
        metavar="X",
        help="engine steps per second, or max (default: 1; [ and ] change it live)",
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


def build_session(args: Any) -> Session:
    """The session the app opens on; every user mistake raises before any screen."""
    if args.format is not None and args.replay is None:
        raise UserError("--format only applies with --replay FILE")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed: {args.seed} must not be negative")
    scenario = load_scenario(args.scenario)
    return Session(
        Simulation(scenario, seed=args.seed, replay=args.replay, replay_format=args.format)
    )


def run(args: Any) -> int:
    speed = parse_speed(args.speed)
    session = build_session(args)
    from tui.app import SandboxApp  # Textual loads only for a valid session
    from tui.runtime import settle_heap

    settle_heap()
    SandboxApp(session, speed=speed, warmup=WARMUP).run()
    return 0
