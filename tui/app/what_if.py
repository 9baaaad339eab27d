"""A hypothetical mark price for the explain view: where it is, how a key moves it, how it
is said.

"What if the mark fell 4 %?" is the question a leveraged trader lives with. The explain
view answers it with the engine's own functions at that price (``Session.what_if``);
this value only remembers the price asked about. It is absolute (a typed 48,000 stays
48,000 while the market moves), and a key moves it by a share of the live mark
rounded to the tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from textual.content import Content

from engine.instrument import Instrument
from engine.units import PPM
from tui.app import text

STEP = 5_000  # ppm of the live mark: one ↑ or ↓ (0.5 %)
BIG = 10  # steps: shift+↑ or shift+↓ (5 %)


@dataclass(frozen=True, slots=True)
class WhatIf:
    mark: int | None = None  # ticks; None: the live mark

    def moved(self, live: int, steps: int) -> WhatIf:
        """``steps`` of 0.5 % of the live mark (at least a tick) from the price shown; back
        to the live mark when it lands there."""
        step = max(1, (live * STEP + PPM // 2) // PPM)
        mark = max(1, (live if self.mark is None else self.mark) + steps * step)
        return WhatIf(None if mark == live else mark)

    def line(self, live: int, instrument: Instrument) -> Content:
        """Whether the view shows the live mark or a hypothetical one, and the keys."""
        if self.mark is None:
            return Content.assemble(
                (f"At the live mark {text.price(instrument, live)}. ", "bold"),
                ("↑/↓ what if it moved 0.5% (shift: 5%) · t types a mark", "dim"),
            )
        change = text.signed_percent(Fraction(self.mark - live, live), 1)
        return Content.assemble(
            (
                f"What if the mark were {text.price(instrument, self.mark)} ({change})?",
                "bold $warning",
            ),
            f"  Hypothetical: the live mark is {text.price(instrument, live)} and nothing in "
            "the market changes.",
            ("  ↑/↓ shift+↑/↓ t · 0 back to the live mark", "dim"),
        )
