"""``adl-sandbox learn [N|FILE]``: the lessons, or one of them opened in the app.

Without a lesson: the shipped lessons, numbered, with what each teaches, and (at a
terminal) which to open, lesson 1 by default. With a number (or a lesson file of
one's own): the trading screen on the lesson's scenario, paused, with the lesson's
panel; its session is saved like any other.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.datafile import DataFileError
from engine.scenario import load_scenario
from engine.simulation import Simulation
from tui.arguments import described

if TYPE_CHECKING:
    from engine.lesson import Lesson


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "learn", help="guided lessons: list them, or open one", description=described(__doc__)
    )
    parser.add_argument(
        "lesson", nargs="?", metavar="N|FILE", help="the lesson to open: its number or file"
    )
    parser.add_argument(
        "--speed", default="1", metavar="X", help="engine steps per second (default: 1)"
    )


def run(args: argparse.Namespace) -> int:
    from engine.lesson import find_lesson

    if args.lesson is None:
        _list()
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            print("\nOpen one with `adl-sandbox learn N` (in the app: ctrl+p, then 'lesson').")
            return 0
        lesson = choose(input)
        return 0 if lesson is None else _open(args, lesson)
    return _open(args, find_lesson(args.lesson))


def _open(args: argparse.Namespace, lesson: Lesson) -> int:
    from engine.lesson import LESSON_WARMUP
    from tui.commands.app import open_app, parse_speed

    speed = parse_speed(args.speed)
    simulation = Simulation(load_scenario(lesson.path))
    return open_app(args, lambda keeper: (keeper.start(simulation), LESSON_WARMUP), speed, lesson)


def _list() -> None:
    from engine.lesson import shipped_lessons

    width = min(100, shutil.get_terminal_size().columns)
    for lesson in shipped_lessons():
        summary = textwrap.indent(textwrap.fill(lesson.summary, width - 4), "    ")
        print(f"{lesson.number:>2}. {lesson.title}\n{summary}")


def choose(ask: Callable[[str], str]) -> Lesson | None:
    """The lesson the learner picks at the prompt (enter: lesson 1); None to leave.
    A wrong answer says why and asks again."""
    from engine.lesson import find_lesson

    while True:
        try:
            answer = ask("\nOpen which lesson? (a number; enter: 1; q: quit) ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return None
        if answer.lower() in ("q", "quit"):
            return None
        if answer and not answer.isdigit():
            print(f"{answer!r} is not a lesson number")
            continue
        try:
            return find_lesson(answer or "1")
        except DataFileError as error:
            print(error)
