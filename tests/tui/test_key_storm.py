"""A key storm: hundreds of random presses — modals, the palette, garbage typed into
the ticket — leave the app running and the ledger exact.

``make test`` sends 400 keys; the soak (``ADL_SOAK=1``, ``make soak``) sends 2,000.
"""

from __future__ import annotations

import asyncio
import os
import random

from textual import events

from tests.tui.helpers import paused_app

KEYS = [
    "b",
    "s",
    "B",
    "S",
    "x",
    "c",
    "l",
    "m",
    "space",
    "n",
    "left_square_bracket",
    "right_square_bracket",
    "e",
    "d",
    "question_mark",
    "escape",
    "escape",
    "enter",
    "enter",
    "tab",
    "shift+tab",
    "backspace",
    "up",
    "down",
    "ctrl+u",
    "end",
    "ctrl+p",
    "0",
    "1",
    "5",
    "9",
    "full_stop",
    "minus",
    "a",
    "z",
    "x",
    "e",
    "space",
]
PRESSES = 2_000 if os.environ.get("ADL_SOAK") == "1" else 400
BURST = 10  # keys sent before Pilot waits: a storm outruns the screen, a typist does not
CHARACTERS = {
    "space": " ",
    "full_stop": ".",
    "minus": "-",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key(name: str) -> events.Key:
    """The event a terminal sends for ``name``, as Pilot builds it."""
    return events.Key(name, name if len(name) == 1 else CHARACTERS.get(name))


def test_a_storm_of_random_keys_leaves_the_app_running_and_the_ledger_exact():
    rng = random.Random(20261121)
    app = paused_app("flash-crash", steps=30)
    first = app.session  # the palette may switch scenario: a new session under the storm
    quits: list[int] = []
    app.action_quit = lambda: quits.append(1)  # quitting (q, or the palette's Quit) is fair;
    # the storm is about surviving everything else, so it keeps the app open

    async def storm() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            for n in range(PRESSES // BURST):
                for _ in range(BURST):
                    app.post_message(key(rng.choice(KEYS)))
                await pilot.pause()
                if n % 3 == 0:
                    app.run_steps(5)  # the market moves under the storm, a few steps at a time
                    app.render_frame()
                if n % 20 == 0:
                    broken = [
                        k for k, ok in app.session.exchange.check_invariants().items() if not ok
                    ]
                    assert not broken, (n, broken)
            await pilot.pause()
            assert app.is_running
            assert not app.market.halted or app.incidents  # a halt is only ever an incident

    asyncio.run(storm())
    for session in {id(first): first, id(app.session): app.session}.values():
        assert all(session.exchange.check_invariants().values())
    assert first.steps > 30  # the market did move
    assert first.commands or app.session.commands  # and the storm reached the engine
