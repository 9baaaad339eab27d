"""Building the app on a known session, and reading what is on its screen."""

from __future__ import annotations

import asyncio
import html
import re

from engine.session import Session, start
from tui.app import SandboxApp
from tui.screenshots import (  # noqa: F401  (the scenes' keys and moments, shared)
    ADL_AT,
    DELEVERAGED_SCENE,
    LIQUIDATED_SCENE,
    LIQUIDATION_AT,
    LIQUIDATION_SHOWN_AT,
    SIZE,
    open_position,
)

CELL_WIDTH = 12.2  # px per cell in Rich's SVG export


def session(scenario: str = "calm", seed: int | None = None) -> Session:
    return start(scenario, seed)


def paused_app(scenario: str = "calm", steps: int = 0, seed: int | None = None) -> SandboxApp:
    """An app with no timers: the engine moves only when the test steps it."""
    return SandboxApp(session(scenario, seed), paused=True, live=False, warmup=steps)


def screen_text(app: SandboxApp) -> str:
    """The plain text of the whole screen as drawn (modal screens and toasts included),
    read back from the SVG screenshot: each run of text sits at its cell column."""
    svg = app.export_screenshot()
    rows: dict[int, list[str]] = {}
    pattern = (
        r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>'
    )
    for x, number, content in re.findall(pattern, svg):
        row = rows.setdefault(int(number), [" "] * app.size.width)
        column = round(float(x) / CELL_WIDTH)
        for k, char in enumerate(html.unescape(content).replace("\xa0", " ")):
            if column + k < len(row):
                row[column + k] = char
    return "\n".join("".join(rows[n]).rstrip() for n in sorted(rows))


def typed(text: str) -> list[str]:
    """Keys that replace a text field's content with ``text``, wherever its cursor is."""
    return ["end", "ctrl+u", *text]


async def step_until(pilot, app: SandboxApp, step: int, every: int = 50) -> None:
    """Step the engine by hand to ``step``, drawing a frame every ``every`` steps."""
    while app.session.steps < step and not app.incidents:
        done = app.run_steps(min(every, step - app.session.steps))
        app.render_frame()
        if not done:
            break
    await pilot.pause()


def drive(app: SandboxApp, script, size: tuple[int, int] = SIZE) -> None:
    """Run ``script(pilot)`` against the app, headless, at a fixed terminal size."""

    async def main() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.pause()
            await script(pilot)

    asyncio.run(main())


async def seen(pilot) -> str:
    """The screen once pending messages (notifications among them) are processed and the
    layout has settled (a new dialog sizes itself to its wrapped text in a second pass)."""
    await pilot.pause()
    await pilot.pause()
    return screen_text(pilot.app)
