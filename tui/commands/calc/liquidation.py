"""``calc liq``: one position's liquidation and bankruptcy prices, formula by formula.

The terms come from ``engine.explain.liquidation_terms``, the very ones the app's
explain view shows; this module only lays them out. Each price is given exact, then
as the app's row, chart, explain and incidents show it: on the tick grid, rounded
toward the mark (``units.toward_mark``), the tick a venue shows and acts on."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine import margin
from engine.explain import liquidation_terms
from engine.instrument import Instrument, default_instrument, load_tiers
from engine.side import Side, position
from engine.units import format_price, format_scaled, toward_mark
from engine.views import LiquidationTerms
from tui.arguments import UserError
from tui.commands.calc.numbers import (
    calculator_instrument,
    emit,
    money,
    plain,
    price,
    rate,
    read_money,
    read_value,
    signed,
    tier_text,
)


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One position, the engine's margin picture of it at its entry price, and the terms
    of its liquidation price."""

    instrument: Instrument
    mode: str
    side: int
    lots: int
    entry: int  # ticks
    collateral: int  # money units
    picture: margin.Assessment
    terms: LiquidationTerms
    grid: Decimal  # the tick the app shows prices on

    @property
    def cost(self) -> int:
        return self.lots * self.entry

    def shown(self, ticks: Fraction) -> str:
        """A liquidation or bankruptcy price as the app shows it: on ``grid``, rounded
        toward the mark, with thousands separators (``tui.app.text.threshold``)."""
        on_grid = ticks * Fraction(self.instrument.tick_size) / Fraction(self.grid)
        return format_price(toward_mark(self.side, on_grid), self.grid)

    def notional_at(self, ticks: Fraction) -> Fraction:
        return self.lots * ticks * self.instrument.contract_value


def run_liq(args: argparse.Namespace) -> int:
    side = int(Side.parse(args.side))
    qty = read_value(args.qty, "--qty")
    entry = read_value(args.entry, "--entry")
    _, collateral = read_money(args.margin, "--margin")
    if args.wallet is not None:
        if args.mode != "cross":
            raise UserError("--wallet only applies with --mode cross (isolated uses --margin)")
        _, collateral = read_money(args.wallet, "--wallet")
    instrument = calculator_instrument([entry], [qty], load_tiers(args.tiers))
    lots, ticks = instrument.lots(qty.amount), instrument.ticks(entry.amount)
    cost = lots * ticks
    picture = margin.assess(instrument, side, lots, cost, collateral, mark=ticks)
    terms = liquidation_terms(instrument, side, lots, cost, collateral)
    grid = default_instrument().tick_size if args.tick is None else read_tick(args.tick)
    found = Liquidation(instrument, args.mode, side, lots, ticks, collateral, picture, terms, grid)
    return emit(args.json, lambda: liq_json(found), lambda: liq_lines(found))


def read_tick(text: str) -> Decimal:
    """The grid the app shows prices on. An average entry may lie between its ticks (two
    fills at 50,023.8 and 50,025.4), so it is asked for, not read off the entry."""
    return read_value(text, "--tick").amount


def liq_json(found: Liquidation) -> dict[str, Any]:
    p, i, t = found.picture, found.instrument, found.terms
    return {
        "side": position(found.side),
        "qty": i.qty_text(found.lots),
        "entry": i.price_text(found.entry),
        "mode": found.mode,
        "collateral": money(found.collateral),
        "notional": money(p.notional),
        "entry_tier": p.tier.number,
        "tier": t.tier.number,
        "mmr": plain(rate(t.tier.mmr)),
        "maintenance_amount": money(t.tier.cum),
        "liquidation_price": None if t.price is None else price(i, t.price),
        "liquidation_price_shown": None if t.price is None else plain_shown(found, t.price),
        "maintenance_margin": None
        if t.maintenance_at_price is None
        else money(t.maintenance_at_price),
        "bankruptcy_price": price(i, p.bankruptcy_price) if p.bankruptcy_price > 0 else None,
        "bankruptcy_price_shown": plain_shown(found, p.bankruptcy_price)
        if p.bankruptcy_price > 0
        else None,
        "tick": plain(found.grid),
    }


def plain_shown(found: Liquidation, ticks: Fraction) -> str:
    """The shown price without separators, for a program to read."""
    return found.shown(ticks).replace(",", "")


def liq_lines(found: Liquidation) -> list[str]:
    p, i, side = found.picture, found.instrument, found.side
    q, pe, wb = i.qty_text(found.lots), i.price_text(found.entry), money(found.collateral)
    source = "the position margin" if found.mode == "isolated" else "the wallet"
    lines = [
        f"{found.mode.capitalize()} {position(side)} {q} @ {pe}, collateral WB = {wb} ({source})",
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
    else:
        lines.append(shown_line(found, p.bankruptcy_price))
    return lines


def shown_line(found: Liquidation, ticks: Fraction, liquidation: bool = False) -> str:
    """Where the app rounds it, and why that way."""
    way, past = ("up", "below") if found.side > 0 else ("down", "above")
    why = f"liquidated once the mark is {past} it" if liquidation else "the take-over price"
    return (
        f"  shown: {found.shown(ticks)} (rounded {way} to the {plain(found.grid)} tick, "
        f"toward the mark: {why})"
    )


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
    p, i, t, side, s = found.picture, found.instrument, found.terms, found.side, signed(found.side)
    tier, lp = t.tier, t.price
    q, pe, mmr = i.qty_text(found.lots), i.price_text(found.entry), plain(rate(tier.mmr))
    formula = [
        "  LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)",
        f"     = ({money(t.wallet)} − {other(t.other_maintenance)} + "
        f"{other(t.other_unrealized)} + {money(tier.cum)} − {s}·{q}·{pe})"
        f" / ({q}·{mmr} − {s}·{q})",
        f"     = {money(t.top)} / {plain(t.bottom)}",
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
        shown_line(found, lp, liquidation=True),
        f"  MM at LP = N·MMR − cum = {notional} × {mmr} − {money(tier.cum)}"
        f" = {money(t.maintenance_at_price)}",
        f"    (= the equity there, WB + uPnL = {money(equity)}; the engine rounds MM up to 1e-8)",
    ]


def other(units: int) -> str:
    """TMM or UPNL of other positions: ``0`` while the sandbox has one instrument."""
    return money(units) if units else "0"
