"""One position's liquidation price reads as one string in the row, the chart, explain
and ``adl-sandbox calc``: a price between ticks goes to the tick on the mark's side
everywhere (``engine.units.toward_mark``), never to the nearest in one place only."""

from __future__ import annotations

import re
from fractions import Fraction

from engine.units import format_money, format_scaled
from tests.tui.helpers import drive, open_position, paused_app, seen
from tui.app import text
from tui.cli import main

LEVERAGE = 7  # in the calm market a minute in, this LP lies nearer the tick below it


def row_liquidation(screen: str) -> str:
    """The cell under the positions table's "Liq. price" title, in the long's row."""
    lines = screen.splitlines()
    header = next(n for n, line in enumerate(lines) if "Liq. price" in line)
    column = lines[header].index("Liq. price")
    row = next(line for line in lines[header:] if re.search(r"│\s+long\s", line))
    return row[column:].split()[0]


def calc_liquidation(capsys, position, instrument) -> str:
    """``calc liq`` with the position's exact size, entry and isolated margin."""
    entry = position.entry * Fraction(instrument.tick_size) * 10**4
    assert entry.denominator == 1  # two fills' average: four decimals hold it exactly
    capsys.readouterr()
    code = main(
        [
            "calc", "liq", "--side", "long", "--qty", text.qty(instrument, position.lots),
            "--entry", format_scaled(int(entry), 4),
            "--margin", format_money(position.position_margin),
            "--tick", str(instrument.tick_size),
        ]
    )  # fmt: skip
    assert code == 0
    return re.search(r"shown: (\S+) \(rounded up", capsys.readouterr().out).group(1)


def test_the_row_the_chart_explain_and_calc_show_one_liquidation_price(capsys):
    app = paused_app("calm", steps=60)
    found: dict = {}

    async def script(pilot):
        open_position(app, "buy", "1", LEVERAGE, mode="isolated")
        position, instrument = app.frame.account.position, app.frame.instrument
        exact = position.liquidation_price
        nearest = text.price(instrument, exact)
        assert exact.denominator != 1 and nearest == "43,043.7"  # the old, nearest rounding
        screen = await seen(pilot)
        found["row"] = row_liquidation(screen)
        found["chart"] = re.search(r"liq ([\d,]+\.\d)", screen).group(1)
        await pilot.press("e")
        explained = await seen(pilot)
        found["explain"] = re.search(r"= ([\d,]+\.\d)  \([+-]", explained).group(1)
        found["position"] = position

    drive(app, script)  # calc prints outside the app, which holds stdout while it runs
    found["calc"] = calc_liquidation(capsys, found.pop("position"), app.frame.instrument)
    assert found == dict.fromkeys(("row", "chart", "explain", "calc"), "43,043.8")
