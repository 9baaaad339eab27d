"""``adl-sandbox calc``: the liquidation-price, ADL-queue and ADL-split calculators.

Each calls the engine's own functions (``engine.margin``, ``engine.explain``,
``engine.adl``, ``engine.split``), so the calculator can never disagree with the
simulation. This package only turns the user's decimals into engine integers
(``numbers``) and the engine's answers back into text, one calculator a module.

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
from engine.split import ORDERED, UNORDERED
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

    lab = kinds.add_parser(
        "split",
        help="one ADL deficit split among given accounts, by any allocation policy",
        description="Split one ADL deficit among the winners of ACCOUNTS.csv by an "
        "allocation policy (or all of them), with every metric. ACCOUNTS.csv is a positions "
        "file (header id,side,qty,entry,margin[,wallet]; needs --mark) or a profit file "
        "(header id,equity,pnl[,notional][,rank], quote currency).",
    )
    lab.add_argument("accounts", metavar="ACCOUNTS.csv")
    lab.add_argument(
        "--policy",
        required=True,
        choices=(*ORDERED, *UNORDERED, "all"),
        metavar="NAME",
        help=f"{', '.join((*ORDERED, *UNORDERED))}, or all (every one the file allows)",
    )
    lab.add_argument(
        "--deficit",
        help="deficit D, quote currency (default: Σ(−equity)+ of the losers in the file)",
    )
    lab.add_argument(
        "--severity",
        default="1",
        help="θ in [0, 1], budget B = min(θ·D, U); or queue: whole positions in rank "
        "order until D is covered (default 1)",
    )
    lab.add_argument("--mark", help="mark price (positions file)")
    lab.add_argument(
        "--side",
        choices=tuple(s.position for s in Side),
        help="the side that gives, when a positions file has winners on both",
    )
    lab.add_argument("--seed", type=int, help="random: start of its queue (default 0)")
    lab.add_argument("--cap", help="capped_pro_rata: haircut cap in (0, 1] (default 0.5)")
    lab.add_argument("--min-equity", help="capped_pro_rata: equity each winner keeps (default 0)")
    lab.add_argument(
        "--risk",
        help="risk_pro_rata's weight of leverage λ: linear, power:P (λ^P) or cvar:TAU "
        "((λ − TAU)+) (default linear)",
    )
    lab.add_argument("--json", action="store_true", help="print one JSON object")
    lab.set_defaults(calc_run=_run_split)


def run(args: argparse.Namespace) -> int:
    return args.calc_run(args)


def _run_liq(args: argparse.Namespace) -> int:
    from tui.commands.calc.liquidation import run_liq

    return run_liq(args)


def _run_adl(args: argparse.Namespace) -> int:
    from tui.commands.calc.queue import run_adl

    return run_adl(args)


def _run_split(args: argparse.Namespace) -> int:
    from tui.commands.calc.split import run_split

    return run_split(args)
