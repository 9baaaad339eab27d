"""``adl-sandbox learn [N|FILE]``: the lessons, or one of them opened in the app.

Without a lesson: the shipped lessons, numbered, with what each teaches. With a
number (or a lesson file of one's own): the trading screen on the lesson's scenario,
paused, with the lesson's panel; its session is saved like any other.
"""

from __future__ import annotations

import argparse

from engine.lesson import LESSON_WARMUP, find_lesson, shipped_lessons
from engine.scenario import load_scenario
from engine.simulation import Simulation
from tui.arguments import described


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
    if args.lesson is None:
        return _list()
    from tui.commands.app import open_app, parse_speed

    lesson = find_lesson(args.lesson)
    speed = parse_speed(args.speed)
    simulation = Simulation(load_scenario(lesson.path))
    return open_app(args, lambda keeper: (keeper.start(simulation), LESSON_WARMUP), speed, lesson)


def _list() -> int:
    for lesson in shipped_lessons():
        print(f"{lesson.number:>2}. {lesson.title}\n    {lesson.summary}")
    print("\nOpen one with `adl-sandbox learn N` (in the app: ctrl+p, then 'lesson').")
    return 0
