"""``python -m tui.screenshots DIR``: the screens a learner meets, as SVG files.

Each scene is a scenario at its own seed, played by key presses with the engine
stepped by hand (no timers, no wall clock), so every run draws the same pictures.
The trading scenes run the shipped calm market; the liquidation and the ADL run
scripted scenarios (``tui/scenes/``: declared accounts and a price path), so the
user is liquidated or deleveraged at a known step whatever the crowd of the shipped
scenarios does. A scene sends the session's own commands and reads what it needs
of the market from the app's last frame, as the app does. The snapshot tests play
the same scenes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from engine.events import OrderAccepted
from engine.lesson import LESSON_WARMUP, find_lesson
from engine.session import start
from tui.app import SandboxApp

SIZE = (160, 48)
SCENES_DIR = Path(__file__).parent / "scenes"
# The user's 10 BTC long at 20x (isolated) is liquidated by the gap at 00:00:02, the
# third step; the backstop sells 4 at once, 2 more at 00:00:04 and 1 at 00:00:06, as
# bids come back: the picture is taken there, with 3 still held.
LIQUIDATED_SCENE, LIQUIDATION_AT, LIQUIDATION_SHOWN_AT = SCENES_DIR / "liquidated.toml", 3, 7
# The hand-computed waterfall (tests/fixtures/scenarios/waterfall.toml), the user in
# the first short's place: L's long is liquidated at the third step, the fund may not
# absorb all of its deficit (fund_drawdown), and the user is first in the ADL queue.
DELEVERAGED_SCENE, ADL_AT = SCENES_DIR / "deleveraged.toml", 3
CALM_WARMUP = 240  # four simulated minutes of a calm market before the user trades
# thin-fund's first shock (at 15 min) a minute old: the fund at its ADL floor, ADL under
# way, the backstop still holding liquidated longs
FUND_WARMUP = 930

Script = Callable[[Pilot], Awaitable[None]]


def open_position(app: SandboxApp, side: str, qty: str, leverage: int, mode: str = "cross"):
    """Set up a position with the session's own commands (what m, l and a market ticket
    send), and draw the frame that shows it."""
    session = app.session
    if app.frame.account.mode != mode:
        session.set_margin_mode(mode)
    session.set_leverage(leverage)
    placed = session.submit(side, qty, order_type="market")
    assert isinstance(placed, OrderAccepted), placed
    app.render_frame()


async def step_to(pilot: Pilot, step: int) -> None:
    """Step by hand up to ``step``, or to the user's incident, then draw one frame."""
    app = pilot.app
    while app.session.steps < step and app.run_steps(step - app.session.steps):
        if app.market.halted:
            break
    app.render_frame()
    await pilot.pause()


async def trading(pilot: Pilot) -> None:
    """A 1 BTC long at 20x, a sell resting above the book, a minute of market."""
    app = pilot.app
    open_position(app, "buy", "1", 20)  # and a frame that shows it
    ask = app.frame.book.asks[0][0]
    app.session.submit("sell", "0.250", app.frame.instrument.price_text(ask + 300))
    await step_to(pilot, app.session.steps + 60)
    app.clear_notifications()
    await pilot.pause()


async def ticket(pilot: Pilot) -> None:
    await trading(pilot)
    await pilot.press("b", *"0.150")  # the size field has the focus, its text selected


async def ticket_preview(pilot: Pilot) -> None:
    """A 2 BTC market buy on top of the long: its fill and slippage on the book, and the
    liquidation and bankruptcy prices the position would have after it."""
    await trading(pilot)
    await pilot.press("b", *"2", "shift+tab", "enter", "down", "enter")


async def trade_history(pilot: Pilot) -> None:
    """The long, half of it closed at market a minute later: fills, fees, realized PnL."""
    await trading(pilot)
    pilot.app.session.submit("sell", "0.500", order_type="market")
    pilot.app.render_frame()
    await pilot.press("h")


async def explaining(pilot: Pilot) -> None:
    await trading(pilot)
    await pilot.press("e")


async def helping(pilot: Pilot) -> None:
    await trading(pilot)
    await pilot.press("question_mark")


async def fund_page(pilot: Pilot) -> None:
    await pilot.press("f")


async def glossary(pilot: Pilot) -> None:
    await pilot.press("g")


async def queue_page(pilot: Pilot) -> None:
    """The long's place in the ADL queue: the head, the rows around it, what is left out."""
    await trading(pilot)
    await pilot.press("k")


async def what_if(pilot: Pilot) -> None:
    """The winning 20x short, were the mark 8% higher: near its liquidation, second in line."""
    await pilot.press("e", "shift+up", *["up"] * 6)


async def deleveraged(pilot: Pilot) -> None:
    """The notification and the detail view open on their own at the user's ADL."""
    await step_to(pilot, ADL_AT)


async def liquidated(pilot: Pilot) -> None:
    """The detail view opens at the liquidation and grows, a frame a step, as the backstop
    works the position off."""
    await step_to(pilot, LIQUIDATION_AT)
    while pilot.app.session.steps < LIQUIDATION_SHOWN_AT:
        await step_to(pilot, pilot.app.session.steps + 1)


async def learning(pilot: Pilot) -> None:
    """Lesson 1 at its question, answered wide of the mark: the verdict with the formula."""
    await pilot.press("w", "w", "a", *"45000", "enter")


async def small_terminal(pilot: Pilot) -> None:
    await trading(pilot)


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    scenario: str  # a shipped scenario's name, or a scene file's path
    warmup: int
    script: Script
    size: tuple[int, int] = SIZE
    lesson: str | None = None  # a shipped lesson's number: its panel over the scenario

    def app(self) -> SandboxApp:
        """The app on this scene's session, paused, with no timers."""
        lesson = find_lesson(self.lesson) if self.lesson else None
        scenario = str(lesson.path) if lesson else self.scenario
        return SandboxApp(
            start(scenario), paused=True, live=False, warmup=self.warmup, lesson=lesson
        )


SCENES = (
    Scene("main-screen", "calm", CALM_WARMUP, trading),
    Scene("order-ticket", "calm", CALM_WARMUP, ticket),
    Scene("ticket-preview", "calm", CALM_WARMUP, ticket_preview),
    Scene("trade-history", "calm", CALM_WARMUP, trade_history),
    Scene("explain", "calm", CALM_WARMUP, explaining),
    Scene("adl-detail", str(DELEVERAGED_SCENE), 0, deleveraged),
    Scene("liquidation-detail", str(LIQUIDATED_SCENE), 0, liquidated),
    Scene("help", "calm", CALM_WARMUP, helping),
    Scene("fund", "thin-fund", FUND_WARMUP, fund_page),
    Scene("glossary", "calm", CALM_WARMUP, glossary),
    Scene("queue", "calm", CALM_WARMUP, queue_page),
    Scene("what-if", str(DELEVERAGED_SCENE), 1, what_if),
    Scene("small-terminal", "calm", CALM_WARMUP, small_terminal, (80, 24)),
    Scene("lesson", "", LESSON_WARMUP, learning, lesson="1"),
)


async def render(scene: Scene) -> str:
    app = scene.app()
    async with app.run_test(size=scene.size, notifications=True) as pilot:
        await pilot.pause()
        await scene.script(pilot)
        await pilot.pause()
        await pilot.pause()
        return app.export_screenshot(title=f"ADL Sandbox — {scene.name}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        path = folder / f"{scene.name}.svg"
        path.write_text(asyncio.run(render(scene)), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
