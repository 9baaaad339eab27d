"""``adl-sandbox calc``: the liquidation-price and ADL-queue calculators.

Both call the engine's own functions (``engine.margin``, ``engine.explain``,
``engine.adl``), so the calculator can never disagree with the simulation. This
package only turns the user's decimals into engine integers (``numbers``) and the
engine's answers back into text, one calculator a module.

Prices, sizes and money are shown exact to 8 decimals (rounded half-even); the
liquidation and bankruptcy prices also as the app shows them, on the tick grid
(``--tick``) rounded toward the mark (``engine.units.toward_mark``). ADL scores are
floats in the engine (ranking devices, not money); the table shows them as every
screen does (``units.format_score``), the JSON to 10 significant digits, and an
infinite score (a position already bankrupt at the mark, under ``hyperliquid`` or
``leverage_first``) as ``Infinity``.
"""

from __future__ import annotations

import argparse
from typing import Any

from engine import adl
from engine.side import Side
from tui.arguments import Parser

# -- the command line --------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    calc = subparsers.add_parser(
        "calc",
        help="liquidation price and ADL queue calculators",
        description="Calculators that call the engine's own margin and ADL functions.",
    )
    kinds = calc.add_subparsers(
        dest="calc_command", metavar="KIND", required=True, parser_class=Parser
    )
    liq = kinds.add_parser(
        "liq",
        help="liquidation and bankruptcy price of one position",
        description="Liquidation and bankruptcy price of one position, step by step "
        "(sizes in base units, prices and money in the quote currency; fees left out).",
    )
    liq.add_argument("--side", choices=tuple(s.position for s in Side), required=True)
    liq.add_argument("--qty", required=True, help="position size, base units")
    liq.add_argument("--entry", required=True, help="average entry price")
    liq.add_argument("--margin", required=True, help="position margin (isolated)")
    liq.add_argument("--mode", choices=("isolated", "cross"), default="isolated")
    liq.add_argument("--wallet", help="cross only: wallet balance (default: --margin)")
    liq.add_argument("--tiers", metavar="FILE", help="tier table (default: Binance BTCUSDT)")
    liq.add_argument(
        "--tick",
        help="tick of the instrument the prices are shown on (default: BTCUSDT's 0.1)",
    )
    liq.add_argument("--json", action="store_true", help="print one JSON object")
    liq.set_defaults(calc_run=_run_liq)

    queue = kinds.add_parser(
        "adl",
        help="ADL queue, scores and lights of a set of positions",
        description="Rank isolated positions for auto-deleveraging, each side apart. "
        "POSITIONS.csv has a header id,side,qty,entry,margin.",
    )
    queue.add_argument("positions", metavar="POSITIONS.csv")
    queue.add_argument("--mark", required=True, help="mark price")
    queue.add_argument(
        "--policy", choices=tuple(p.value for p in adl.RankingPolicy), default="bitmex"
    )
    queue.add_argument("--seed", type=int, default=0, help="start of the random queue")
    queue.add_argument("--tiers", metavar="FILE", help="tier table (default: Binance BTCUSDT)")
    queue.add_argument("--json", action="store_true", help="print one JSON object")
    queue.set_defaults(calc_run=_run_adl)


def run(args: argparse.Namespace) -> int:
    return args.calc_run(args)


def _run_liq(args: argparse.Namespace) -> int:
    from tui.commands.calc.liquidation import run_liq

    return run_liq(args)


def _run_adl(args: argparse.Namespace) -> int:
    from tui.commands.calc.queue import run_adl

    return run_adl(args)
