"""Start-up pays for the first frame only: the command line's parsers and the trading
screen up to its first frame load no dialog, page, lesson or other command's work
(each is imported by the action or the ``run`` that needs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LATER = (
    "engine.lesson",
    "tui.app.commands",
    "tui.app.lesson_desk",
    "tui.app.lesson_guide",
    "tui.app.pages",
    "tui.app.screens.incident",
    "tui.app.screens.leverage",
    "tui.app.screens.ticket",
    "tui.app.screens.welcome",
    "tui.commands.calc.liquidation",
    "tui.commands.calc.queue",
    "tui.completion.bash",
    "tui.pruning",
    "tui.saved_sessions",
)
FIRST_FRAME = f"""
import asyncio, sys
from tui.cli import build_parser
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from tui.app import SandboxApp

build_parser()

async def first_frame():
    app = SandboxApp(Session(Simulation(load_scenario("calm"))), live=False, warmup=5)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()

asyncio.run(first_frame())
print("LOADED", sorted(name for name in {LATER!r} if name in sys.modules))
"""


def test_the_first_frame_loads_no_dialog_page_lesson_nor_other_command():
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "LOADED []", done.stdout + done.stderr
