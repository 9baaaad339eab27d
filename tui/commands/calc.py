"""``adl-sandbox calc``: the liquidation-price and ADL-queue calculators.

Both call the engine's own functions (``engine.margin``, ``engine.adl``), so the
calculator can never disagree with the simulation. This module only turns the
user's decimals into engine integers and the engine's answers back into text.

Prices, sizes and money are shown exact to 8 decimals (rounded half-even). ADL
scores are floats in the engine (ranking devices, not money); they are shown to 10
significant digits, and an infinite score (a position already bankrupt at the
mark, under ``hyperliquid`` or ``leverage_first``) as ``Infinity``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any, NamedTuple

from engine import adl, margin
from engine.datafile import open_file
from engine.instrument import Instrument, Tier, default_instrument, load_tiers
from engine.units import (
    MONEY_DECIMALS,
    MONEY_SCALE,
    PPM,
    UnitError,
    format_scaled,
    parse_decimal,
    to_money,
)
from tui.arguments import Parser, UserError

SIDES = {"long": 1, "short": -1}
SIDE_NAMES = {1: "long", -1: "short"}
COLUMNS = ("id", "side", "qty", "entry", "margin")
LIMIT = Decimal(10) ** 15  # keeps every amount a sane int and every float score finite
GROUP_NOTES = {
    adl.RankingPolicy.PRO_RATA: "pro_rata: every profitable position gives up the same "
    "fraction, so each group shares one rank and its lights show the group's share.",
    adl.RankingPolicy.RANDOM: "random: the queue starts at a seeded random place (--seed) and "
    "goes on in id order; one group, so one rank and the lights of the whole side.",
}


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
    liq.add_argument("--side", choices=tuple(SIDES), required=True)
    liq.add_argument("--qty", required=True, help="position size, base units")
    liq.add_argument("--entry", required=True, help="average entry price")
    liq.add_argument("--margin", required=True, help="position margin (isolated)")
    liq.add_argument("--mode", choices=("isolated", "cross"), default="isolated")
    liq.add_argument("--wallet", help="cross only: wallet balance (default: --margin)")
    liq.add_argument("--tiers", metavar="FILE", help="tier table (default: Binance BTCUSDT)")
    liq.add_argument("--json", action="store_true", help="print one JSON object")
    liq.set_defaults(calc_run=run_liq)

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
    queue.set_defaults(calc_run=run_adl)


def run(args: argparse.Namespace) -> int:
    return args.calc_run(args)


# -- reading the user's numbers ------------------------------------------------------------


class Value(NamedTuple):
    """A number as the user typed it, with where it came from so a refusal can say so."""

    amount: Decimal
    text: str
    where: str

    @property
    def decimals(self) -> int:
        """Decimals actually used (``1.50`` uses one): they set the calculator's grid.

        Counted on the digits, not with ``normalize()``, which would round away the
        decimals of a value longer than the decimal context's 28 digits.
        """
        _, digits, exponent = self.amount.as_tuple()
        text = "".join(map(str, digits))
        zeros = len(text) - len(text.rstrip("0"))
        return max(0, -(exponent + zeros)) if self.amount else 0


def read_value(text: str | None, where: str, zero_ok: bool = False) -> Value:
    """A positive (or, for money, non-negative) finite decimal, or a one-line refusal."""
    if text is None or not text.strip():
        raise UserError(f"{where}: missing")
    try:
        amount = parse_decimal(text)
    except UnitError:
        raise UserError(f"{where}: {text!r} is not a number") from None
    if amount < 0 and zero_ok:
        raise UserError(f"{where}: {text!r} must not be negative")
    if amount <= 0 and not zero_ok:
        raise UserError(f"{where}: {text!r} must be positive")
    if amount >= LIMIT:
        raise UserError(f"{where}: {text!r} is too large (the calculator stops at 1e15)")
    return Value(amount, text, where)


def read_money(text: str | None, where: str) -> tuple[Value, int]:
    """Money is exact to 1e-8 of the quote currency in the engine; finer is refused."""
    value = read_value(text, where, zero_ok=True)
    if value.decimals > MONEY_DECIMALS:
        raise UserError(f"{where}: {text!r} has more than {MONEY_DECIMALS} decimals")
    return value, to_money(value.amount)


def calculator_instrument(
    prices: list[Value], sizes: list[Value], tiers: tuple[Tier, ...]
) -> Instrument:
    """The default instrument with a tick and a lot just fine enough for the numbers given.

    Every input then lands exactly on the grid, and one lot at one tick is worth
    10**(8 − price decimals − size decimals) money units: at least one, or refused.
    """
    price = max(prices, key=lambda v: v.decimals)
    size = max(sizes, key=lambda v: v.decimals)
    if price.decimals + size.decimals > MONEY_DECIMALS:
        raise UserError(
            f"too many decimals: {price.where} {price.text!r} uses {price.decimals} and "
            f"{size.where} {size.text!r} uses {size.decimals}; prices and sizes may use "
            f"{MONEY_DECIMALS} in all (one lot at one tick must be worth at least 1e-8)"
        )
    return replace(
        default_instrument(),
        tick_size=Decimal(1).scaleb(-price.decimals),
        lot_size=Decimal(1).scaleb(-size.decimals),
        tiers=tiers,
    )


# -- formatting ------------------------------------------------------------------------------


def fixed(x: Fraction | int) -> str:
    """An exact quantity as text with 8 decimals, rounded half-even (``round`` on a Fraction)."""
    return format_scaled(round(Fraction(x) * 10**MONEY_DECIMALS), MONEY_DECIMALS)


def money(units: Fraction | int) -> str:
    return fixed(Fraction(units, MONEY_SCALE))


def price(instrument: Instrument, ticks: Fraction | int) -> str:
    return fixed(ticks * Fraction(instrument.tick_size))


def plain(x: Fraction | Decimal) -> str:
    """A terminating decimal (MMR, Q·MMR − s·Q) in full, without exponent or trailing zeros."""
    with localcontext(prec=60):
        value = x if isinstance(x, Decimal) else Decimal(x.numerator) / x.denominator
        return format(value.normalize(), "f")


def rate(ppm: int) -> Fraction:
    return Fraction(ppm, PPM)


def signed(side: int) -> str:
    return "(+1)" if side > 0 else "(−1)"


def score_text(score: float) -> str:
    """A float score as plain decimal text, 10 significant digits, no exponent to parse."""
    if not math.isfinite(score):
        return {math.inf: "Infinity", -math.inf: "-Infinity"}.get(score, "NaN")
    if score == 0:
        return "0"
    exact = Decimal(repr(score))
    step = Decimal(1).scaleb(exact.adjusted() - 9)
    return format(exact.quantize(step, rounding=ROUND_HALF_EVEN).normalize(), "f")


def tier_text(tier: Tier) -> str:
    return (
        f"tier {tier.number}: floor {money(tier.floor)}, max leverage {tier.max_leverage}x, "
        f"MMR {plain(rate(tier.mmr) * 100)}% ({plain(rate(tier.mmr))}), "
        f"maintenance amount cum {money(tier.cum)}"
    )


def emit(as_json: bool, data: Callable[[], dict[str, Any]], lines: Callable[[], list[str]]) -> int:
    """One JSON object, or the human lines: both views of the same engine results."""
    print(json.dumps(data(), indent=2) if as_json else "\n".join(lines()))
    return 0


# -- calc liq ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One position and the engine's margin picture of it at its entry price."""

    instrument: Instrument
    mode: str
    side: int
    lots: int
    entry: int  # ticks
    collateral: int  # money units
    picture: margin.Assessment

    @property
    def cost(self) -> int:
        return self.lots * self.entry

    def notional_at(self, ticks: Fraction) -> Fraction:
        return self.lots * ticks * self.instrument.contract_value


def run_liq(args: argparse.Namespace) -> int:
    side = SIDES[args.side]
    qty = read_value(args.qty, "--qty")
    entry = read_value(args.entry, "--entry")
    _, collateral = read_money(args.margin, "--margin")
    if args.wallet is not None:
        if args.mode != "cross":
            raise UserError("--wallet only applies with --mode cross (isolated uses --margin)")
        _, collateral = read_money(args.wallet, "--wallet")
    instrument = calculator_instrument([entry], [qty], load_tiers(args.tiers))
    lots, ticks = instrument.lots(qty.amount), instrument.ticks(entry.amount)
    picture = margin.assess(instrument, side, lots, lots * ticks, collateral, mark=ticks)
    found = Liquidation(instrument, args.mode, side, lots, ticks, collateral, picture)
    return emit(args.json, lambda: liq_json(found), lambda: liq_lines(found))


def mm_at_liquidation(found: Liquidation) -> int | None:
    """The engine's MM at the exact liquidation price (it rounds MM up to the money unit)."""
    lp = found.picture.liquidation_price
    if lp is None:
        return None
    return margin.maintenance_margin(found.instrument, found.notional_at(lp))[1]


def liq_json(found: Liquidation) -> dict[str, Any]:
    p, i = found.picture, found.instrument
    tier, mm = p.liquidation_tier, mm_at_liquidation(found)
    return {
        "side": SIDE_NAMES[found.side],
        "qty": i.qty_text(found.lots),
        "entry": i.price_text(found.entry),
        "mode": found.mode,
        "collateral": money(found.collateral),
        "notional": money(p.notional),
        "entry_tier": p.tier.number,
        "tier": tier.number,
        "mmr": plain(rate(tier.mmr)),
        "maintenance_amount": money(tier.cum),
        "liquidation_price": None if p.liquidation_price is None else price(i, p.liquidation_price),
        "maintenance_margin": None if mm is None else money(mm),
        "bankruptcy_price": price(i, p.bankruptcy_price) if p.bankruptcy_price > 0 else None,
    }


def liq_lines(found: Liquidation) -> list[str]:
    p, i, side = found.picture, found.instrument, found.side
    q, pe, wb = i.qty_text(found.lots), i.price_text(found.entry), money(found.collateral)
    source = "the position margin" if found.mode == "isolated" else "the wallet"
    lines = [
        f"{found.mode.capitalize()} {SIDE_NAMES[side]} {q} @ {pe}, collateral WB = {wb} ({source})",
        "No other positions (TMM = UPNL = 0); fees left out, as in the venues' formula.",
        "",
        "Entry",
        f"  notional   N = Q·P_e = {q} × {pe} = {money(p.notional)}",
        f"  {tier_text(p.tier)}",
        f"  leverage   N / WB = {leverage_text(found)}",
        "",
        "Liquidation price (equity = MM)",
        *lp_lines(found),
        "",
        "Bankruptcy price (equity = 0)",
        f"  P_bk = P_e − s·WB/Q = {pe} − {signed(side)}·{wb} / {q} = "
        f"{price(i, p.bankruptcy_price)}",
    ]
    if p.bankruptcy_price <= 0:
        lines.append("  not a positive price: no price wipes out the collateral")
    return lines


def leverage_text(found: Liquidation) -> str:
    """N / WB, with a word when no venue would let the position open as given."""
    p = found.picture
    if not found.collateral:
        return "unbounded (no collateral)"
    text = f"{format_scaled(round(Fraction(p.notional * 100, found.collateral)), 2)}x"
    if found.collateral < margin.initial_margin(p.notional, p.tier.max_leverage):
        text += f", above the tier's max {p.tier.max_leverage}x: a venue would refuse it"
    if p.equity < p.maintenance:
        text += "; equity is already below MM at entry: liquidated at once"
    return text


def lp_lines(found: Liquidation) -> list[str]:
    """The formula with the numbers of the tier the engine used, then what it gives."""
    p, i, side, s = found.picture, found.instrument, found.side, signed(found.side)
    tier, lp = p.liquidation_tier, p.liquidation_price
    q, pe, mmr = i.qty_text(found.lots), i.price_text(found.entry), plain(rate(tier.mmr))
    top = found.collateral + tier.cum - side * found.cost * i.contract_value
    bottom = found.lots * Fraction(i.lot_size) * (rate(tier.mmr) - side)
    formula = [
        "  LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)",
        f"     = ({money(found.collateral)} − 0 + 0 + {money(tier.cum)} − {s}·{q}·{pe})"
        f" / ({q}·{mmr} − {s}·{q})",
        f"     = {money(top)} / {plain(bottom)}",
    ]
    if lp is None:
        return [f"  {tier_text(tier)}", *formula, "     ≤ 0: no positive price liquidates it"]
    notional = money(found.notional_at(lp))
    where = (
        "the entry tier"
        if tier.number == p.tier.number
        else f"tier {tier.number}, not the entry's tier {p.tier.number}: the engine recomputed"
    )
    equity = found.collateral + margin.unrealized_pnl(
        side, found.lots, found.cost, lp, i.contract_value
    )
    return [
        f"  {tier_text(tier)}",
        f"    (the LP's notional {notional} is in {where})",
        *formula,
        f"     = {price(i, lp)}",
        f"  MM at LP = N·MMR − cum = {notional} × {mmr} − {money(tier.cum)}"
        f" = {money(mm_at_liquidation(found) or 0)}",
        f"    (= the equity there, WB + uPnL = {money(equity)}; the engine rounds MM up to 1e-8)",
    ]


# -- calc adl ------------------------------------------------------------------------------


class Row(NamedTuple):
    """One line of the positions file, checked but not yet on the instrument's grid."""

    line: int
    account: str
    side: int
    qty: Value
    entry: Value
    margin: int  # money units


def run_adl(args: argparse.Namespace) -> int:
    policy = adl.RankingPolicy(args.policy)
    rows = read_positions(args.positions)
    mark = read_value(args.mark, "--mark")
    instrument = calculator_instrument(
        [mark, *(r.entry for r in rows)], [r.qty for r in rows], load_tiers(args.tiers)
    )
    mark_ticks = instrument.ticks(mark.amount)
    holders = [holder(instrument, row, n, mark_ticks) for n, row in enumerate(rows)]
    cv = instrument.contract_value
    sides = {
        side: ranked(policy, [h for h in holders if h.side == side], mark_ticks, cv, args.seed)
        for side in (1, -1)
    }
    return emit(
        args.json,
        lambda: adl_json(policy, instrument, mark_ticks, sides),
        lambda: adl_lines(policy, instrument, mark_ticks, sides),
    )


def holder(instrument: Instrument, row: Row, opened_at: int, mark: int) -> adl.Holder:
    lots, entry = instrument.lots(row.qty.amount), instrument.ticks(row.entry.amount)
    _, mm = margin.maintenance_margin(instrument, instrument.notional(lots, mark))
    return adl.Holder(row.account, row.side, lots, lots * entry, row.margin, mm, opened_at)


class Ranked(NamedTuple):
    holder: adl.Holder
    rank: int
    lights: int
    score: float
    cumulative: int  # lots up to and including this one


def ranked(
    policy: adl.RankingPolicy, holders: list[adl.Holder], mark: int, cv: int, seed: int
) -> list[Ranked]:
    """One side in deleveraging order with the engine's rank, lights and score; ``random``
    starts where a fresh generator seeded with ``seed`` says, so a run can be repeated."""
    start = 0
    if policy is adl.RankingPolicy.RANDOM and holders:
        start = random.Random(seed).randrange(len(holders))
    ordered = adl.queue(policy, holders, mark, cv, start)
    marks = adl.lights(policy, ordered)
    return [Ranked(h, *marks[h.account]) for h, _ in ordered]


def adl_json(
    policy: adl.RankingPolicy, instrument: Instrument, mark: int, sides: dict[int, list[Ranked]]
) -> dict[str, Any]:
    return {
        "policy": policy.value,
        "mark": instrument.price_text(mark),
        "queue": [
            {
                "id": r.holder.account,
                "side": SIDE_NAMES[side],
                "qty": instrument.qty_text(r.holder.lots),
                "score": score_text(r.score),
                "rank": r.rank,
                "lights": r.lights,
            }
            for side in (1, -1)
            for r in sides[side]
        ],
    }


def adl_lines(
    policy: adl.RankingPolicy, instrument: Instrument, mark: int, sides: dict[int, list[Ranked]]
) -> list[str]:
    lines = [
        f"ADL queue at mark {instrument.price_text(mark)}, policy {policy.value} "
        "(rank 1 is deleveraged first; longs and shorts queue apart)"
    ]
    if policy in GROUP_NOTES:
        lines.append(GROUP_NOTES[policy])
    for side in (1, -1):
        lines += ["", *side_lines(side, instrument, sides[side])]
    return lines


def side_lines(side: int, instrument: Instrument, queue: list[Ranked]) -> list[str]:
    title = "Longs" if side > 0 else "Shorts"
    if not queue:
        return [f"{title}: none"]
    total = queue[-1].cumulative
    header = ("rank", "id", "size", "entry", "score", "lights", "cum. share")
    rows = [
        (
            str(r.rank),
            r.holder.account,
            instrument.qty_text(r.holder.lots),
            instrument.price_text(r.holder.cost // r.holder.lots),  # cost = lots × entry ticks
            "∞" if r.score == math.inf else score_text(r.score),
            "●" * r.lights + "○" * (5 - r.lights),
            f"{format_scaled(round(Fraction(r.cumulative * 1000, total)), 1)}%",
        )
        for r in queue
    ]
    size = instrument.qty_text(total)
    return [f"{title}: {len(queue)} positions, total size {size}", *table(header, rows)]


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Plain aligned columns: text left (id, lights), numbers right."""
    widths = [max(len(row[c]) for row in (header, *rows)) for c in range(len(header))]
    left = {1, 5}
    return [
        "  ".join(
            cell.ljust(width) if c in left else cell.rjust(width)
            for c, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (header, *rows)
    ]


# -- the positions file --------------------------------------------------------------------


def read_positions(path: str) -> list[Row]:
    """Rows of a CSV with (at least) the columns id, side, qty, entry, margin, any order."""
    reader = csv.reader(io.StringIO(read_text(path)))
    columns: dict[str, int] | None = None
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                columns = header_columns(path, reader.line_num, record)
                continue
            rows.append(read_row(path, reader.line_num, record, columns, first_line))
    except csv.Error as error:
        raise UserError(f"{path}:{reader.line_num}: not valid CSV ({error})") from None
    if columns is None:
        raise UserError(f"{path}: empty; expected a header line {','.join(COLUMNS)}")
    if not rows:
        raise UserError(f"{path}: no positions after the header")
    return rows


def read_text(path: str) -> str:
    with open_file(path, UserError, encoding="utf-8-sig", newline="") as handle:
        try:
            return handle.read()
        except UnicodeDecodeError as error:
            raise UserError(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None


def header_columns(path: str, line: int, record: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in record]
    for name in COLUMNS:
        if name not in names:
            raise UserError(
                f"{path}:{line}: missing column {name!r} (the header needs {','.join(COLUMNS)})"
            )
    return {name: names.index(name) for name in COLUMNS}


def read_row(
    path: str, line: int, record: list[str], columns: dict[str, int], first_line: dict[str, int]
) -> Row:
    def cell(name: str) -> str:
        index = columns[name]
        return record[index].strip() if index < len(record) else ""

    def where(name: str) -> str:
        return f"{path}:{line}: {name}"

    account, side = cell("id"), cell("side")
    if not account:
        raise UserError(f"{where('id')}: missing")
    if account in first_line:
        raise UserError(f"{where('id')}: {account!r} already used on line {first_line[account]}")
    first_line[account] = line
    if not side:
        raise UserError(f"{where('side')}: missing")
    if side.lower() not in SIDES:
        raise UserError(f"{where('side')}: {side!r} is not long or short")
    qty = read_value(cell("qty"), where("qty"))
    entry = read_value(cell("entry"), where("entry"))
    _, collateral = read_money(cell("margin"), where("margin"))
    return Row(line, account, SIDES[side.lower()], qty, entry, collateral)
