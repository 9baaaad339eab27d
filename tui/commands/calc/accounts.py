"""The accounts file of ``calc split``, told apart by its header (columns in any order):

- a positions file, ``id,side,qty,entry,margin[,wallet]``, read as ``calc adl`` reads
  it, at ``--mark``: a winner's profit is its unrealized PnL there, its equity its
  margin (or its cross wallet, where given) plus that PnL, its notional qty × mark, and
  its grid its lots — a venue closes whole lots (contract space);
- a profit file, ``id,equity,pnl[,notional][,rank]`` in the quote currency: every amount
  possible (the money grid), the notional 0 where not given, the ``queue`` in rank order
  (1 first) or the file's.

Winners are the rows in profit; losers the rows with negative equity — in a positions
file, on the side opposite the one that gives (ADL closes a bankrupt position against
the other side). Every refusal names the file, the line and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from engine import adl
from engine.allocation import Winner
from engine.instrument import Instrument, load_tiers
from engine.units import MONEY_DECIMALS, UnitError, parse_decimal, to_money
from tui.arguments import UserError
from tui.commands.calc.numbers import (
    LIMIT,
    Value,
    calculator_instrument,
    read_money,
    read_value,
)
from tui.commands.calc.positions import SIDES, Row, header_columns, read_records, read_row
from tui.commands.calc.queue import holder

POSITIONS, PROFIT = "positions", "profit"
POSITIONS_HEADER = "id,side,qty,entry,margin[,wallet]"
PROFIT_HEADER = "id,equity,pnl[,notional][,rank]"
PROFIT_COLUMNS = ("id", "equity", "pnl")


# -- the file -------------------------------------------------------------------------------


class Header(NamedTuple):
    kind: str  # POSITIONS or PROFIT
    columns: dict[str, int]  # name → index, the optional ones only where present


class Profit(NamedTuple):
    """One line of a profit file, in money units."""

    line: int
    account: str
    equity: int
    pnl: int
    notional: int | None  # None: not given
    rank: int | None


def read_accounts(path: str) -> tuple[Header, list]:
    """The header and rows (``positions.Row`` or ``Profit``) of either kind of file."""
    first_line: dict[str, int] = {}
    found: list[Header] = []

    def header(line: int, record: list[str]) -> None:
        found.append(read_header(path, line, record))

    def row(line: int, record: list[str]):
        read = position_row if found[0].kind == POSITIONS else profit_row
        return read(path, line, record, found[0].columns, first_line)

    expected = f"a header line {POSITIONS_HEADER} (positions) or {PROFIT_HEADER} (profits)"
    rows = read_records(path, header, row, expected)
    if not rows:
        raise UserError(f"{path}: no accounts after the header")
    return found[0], rows


def read_header(path: str, line: int, record: list[str]) -> Header:
    names = [cell.strip().lower() for cell in record]
    if {"side", "qty", "entry", "margin"} & set(names):
        columns = header_columns(path, line, record)
        if "wallet" in names:
            columns["wallet"] = names.index("wallet")
        return Header(POSITIONS, columns)
    if {"equity", "pnl"} & set(names):
        for name in PROFIT_COLUMNS:
            if name not in names:
                raise UserError(
                    f"{path}:{line}: missing column {name!r} (a profit file's header needs "
                    f"{PROFIT_HEADER})"
                )
        wanted = (*PROFIT_COLUMNS, "notional", "rank")
        return Header(PROFIT, {name: names.index(name) for name in wanted if name in names})
    raise UserError(
        f"{path}:{line}: the header is neither a positions file's ({POSITIONS_HEADER}) nor "
        f"a profit file's ({PROFIT_HEADER})"
    )


def cell_of(record: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return record[index].strip() if index is not None and index < len(record) else ""


def position_row(
    path: str, line: int, record: list[str], columns: dict[str, int], first_line: dict[str, int]
) -> Row:
    """``calc adl``'s row; a cross account's wallet, where given, is its collateral."""
    row = read_row(path, line, record, columns, first_line)
    wallet = cell_of(record, columns, "wallet")
    if not wallet:
        return row
    _, collateral = read_money(wallet, f"{path}:{line}: wallet")
    return row._replace(margin=collateral)


def profit_row(
    path: str, line: int, record: list[str], columns: dict[str, int], first_line: dict[str, int]
) -> Profit:
    def cell(name: str) -> str:
        return cell_of(record, columns, name)

    def where(name: str) -> str:
        return f"{path}:{line}: {name}"

    account = cell("id")
    if not account:
        raise UserError(f"{where('id')}: missing")
    if account in first_line:
        raise UserError(f"{where('id')}: {account!r} already used on line {first_line[account]}")
    first_line[account] = line
    equity = signed_money(cell("equity"), where("equity"))
    pnl = signed_money(cell("pnl"), where("pnl"))
    notional = read_money(cell("notional"), where("notional"))[1] if cell("notional") else None
    rank = read_rank(cell("rank"), where("rank")) if cell("rank") else None
    return Profit(line, account, equity, pnl, notional, rank)


def signed_money(text: str, where: str) -> int:
    """Money that may be negative (an equity, a PnL), exact to 1e-8, or a one-line refusal."""
    if not text:
        raise UserError(f"{where}: missing")
    try:
        amount = parse_decimal(text)
    except UnitError:
        raise UserError(f"{where}: {text!r} is not a number") from None
    if abs(amount) >= LIMIT:
        raise UserError(f"{where}: {text!r} is too large (the calculator stops at 1e15)")
    if Value(amount, text, where).decimals > MONEY_DECIMALS:
        raise UserError(f"{where}: {text!r} has more than {MONEY_DECIMALS} decimals")
    return to_money(amount)


def read_rank(text: str, where: str) -> int:
    try:
        rank = int(text)
    except ValueError:
        raise UserError(f"{where}: {text!r} is not a whole number") from None
    if rank < 1:
        raise UserError(f"{where}: {text!r} must be 1 or more (1 is taken from first)")
    return rank


# -- the winners ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Venue:
    """A positions file at its mark: what a venue's ranking needs."""

    instrument: Instrument
    mark: int  # ticks
    side: int  # the side that gives
    holders: list[adl.Holder]  # that side's positions, winners or not (the queue ranks all)


@dataclass(frozen=True, slots=True)
class Book:
    """The winners of the side that gives, and the losses the file shows."""

    path: str
    kind: str
    winners: list[Winner]  # in file order
    losses: int | None  # Σ(−equity)+ of the losers; None: the file has none
    has_notional: bool
    queue_order: list[int] | None  # ``queue``: the rank column's order; None: the file's
    venue: Venue | None = None  # positions files only


def read_book(path: str, mark: str | None, side: str | None) -> Book:
    """The winners and losses of ``path`` (``mark`` and ``side``: of a positions file)."""
    header, rows = read_accounts(path)
    if header.kind == POSITIONS:
        return positions_book(path, rows, mark, side)
    for flag, value in (("--mark", mark), ("--side", side)):
        if value is not None:
            raise UserError(
                f"{flag} only applies to a positions file ({path} gives each account's "
                "equity and pnl)"
            )
    return profit_book(path, header, rows)


def positions_book(path: str, rows: list[Row], mark_text: str | None, chosen: str | None) -> Book:
    if mark_text is None:
        raise UserError(
            f"{path} is a positions file: give the mark price with --mark (each position's "
            "profit is taken at the mark)"
        )
    mark = read_value(mark_text, "--mark")
    instrument = calculator_instrument(
        [mark, *(r.entry for r in rows)], [r.qty for r in rows], load_tiers(None)
    )
    ticks = instrument.ticks(mark.amount)
    cv = instrument.contract_value
    holders = [holder(instrument, row, n, ticks) for n, row in enumerate(rows)]
    in_profit = {
        s: [h for h in holders if h.side == s and h.unrealized(ticks, cv) > 0] for s in (1, -1)
    }
    side = giving_side(path, chosen, in_profit, instrument.price_text(ticks))
    winners = [
        Winner(
            h.account,
            h.unrealized(ticks, cv),
            h.equity(ticks, cv),
            instrument.notional(h.lots, ticks),
            h.lots,
        )
        for h in in_profit[side]
    ]
    losers = [-h.equity(ticks, cv) for h in holders if h.side == -side and h.equity(ticks, cv) < 0]
    venue = Venue(instrument, ticks, side, [h for h in holders if h.side == side])
    return Book(path, POSITIONS, winners, sum(losers) if losers else None, True, None, venue)


def giving_side(path: str, chosen: str | None, in_profit: dict[int, list], mark: str) -> int:
    if chosen is not None:
        side = int(SIDES[chosen])
        if not in_profit[side]:
            raise UserError(f"--side {chosen}: no {chosen} position is in profit at mark {mark}")
        return side
    sides = [s for s in (1, -1) if in_profit[s]]
    if not sides:
        raise UserError(f"{path}: no position is in profit at mark {mark}: no winner to take from")
    if len(sides) == 2:
        raise UserError(
            f"{path}: winners on both sides at mark {mark} ({len(in_profit[1])} long, "
            f"{len(in_profit[-1])} short): say which side gives with --side long|short"
        )
    return sides[0]


def profit_book(path: str, header: Header, rows: list[Profit]) -> Book:
    gives = [r for r in rows if r.pnl > 0]
    if not gives:
        raise UserError(f"{path}: no account has a pnl above 0: no winner to take from")
    has_notional, has_rank = "notional" in header.columns, "rank" in header.columns
    ranks: dict[int, int] = {}
    for r in gives:
        if has_notional and not r.notional:
            raise UserError(
                f"{path}:{r.line}: notional: a winner's must be given and above 0 "
                "(its leverage is notional / equity)"
            )
        if has_rank:
            if r.rank is None:
                raise UserError(
                    f"{path}:{r.line}: rank: missing (every winner needs one: 1 gives first)"
                )
            if r.rank in ranks:
                raise UserError(
                    f"{path}:{r.line}: rank: {r.rank} already given on line {ranks[r.rank]}"
                )
            ranks[r.rank] = r.line
    winners = [Winner(r.account, r.pnl, r.equity, r.notional or 0) for r in gives]
    order = sorted(range(len(gives)), key=lambda i: gives[i].rank or 0) if has_rank else None
    losers = [-r.equity for r in rows if r.equity < 0]
    return Book(path, PROFIT, winners, sum(losers) if losers else None, has_notional, order)
