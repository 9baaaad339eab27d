"""Scripted scenarios: accounts declared with their positions and orders, and a price path.

What lessons and exact tests need: a market whose every account, position and order
is known in advance, and an index that goes where the script says. A scenario's
``[[accounts]]`` declares traders (``id``, ``balance``, ``mode``, ``leverage``, an
optional ``position = { side, qty, entry }`` and ``orders = [{ side, type, qty,
price, at }]``); ``[feed] kind = "path"`` gives ``points = [["0s", "50000"], …]``.

Declared positions were opened before the run, so they must net to zero: every
long needs its shorts. Sizes and prices are decimal text in base and quote units,
put on the instrument's grid when the run is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.datafile import DataFileError, Table
from engine.orders import OrderType
from engine.side import Side
from engine.units import parse_decimal, parse_duration, to_money

MODES = ("cross", "isolated")


@dataclass(frozen=True, slots=True)
class PositionSpec:
    side: int
    qty: Decimal
    entry: Decimal


@dataclass(frozen=True, slots=True)
class OrderSpec:
    side: int
    order_type: OrderType
    qty: Decimal
    price: Decimal | None
    at: int  # µs after the start; 0: placed before the first step
    where: str  # the file and key, for a refusal found when the order is placed


@dataclass(frozen=True, slots=True)
class AccountSpec:
    id: str
    balance: int  # money units
    mode: str
    leverage: int
    position: PositionSpec | None
    orders: tuple[OrderSpec, ...]
    where: str


def accounts_from(table: Table) -> tuple[AccountSpec, ...]:
    """Every ``[[accounts]]`` entry, checked; their positions must net to zero."""
    if not table.has("accounts"):
        return ()
    accounts = tuple(_account(entry) for entry in table.tables("accounts"))
    seen: set[str] = set()
    for account in accounts:
        if account.id in seen:
            raise DataFileError(f"{account.where}.id: {account.id!r} is declared twice")
        seen.add(account.id)
    longs = sum(a.position.qty for a in accounts if a.position and a.position.side > 0)
    shorts = sum(a.position.qty for a in accounts if a.position and a.position.side < 0)
    if longs != shorts:
        raise table.fail(
            "accounts",
            f"the declared positions do not net to zero: longs {longs}, shorts {shorts} "
            "(every position needs its counterparty)",
        )
    return accounts


def _account(table: Table) -> AccountSpec:
    table.check_known({"id", "balance", "mode", "leverage", "position", "orders"})
    account_id = table.get("id", str).strip()
    if not account_id:
        raise table.fail("id", "must not be empty")
    mode = table.get("mode", str, "cross")
    if mode not in MODES:
        raise table.fail("mode", f"{mode!r} is not cross or isolated")
    leverage = table.get("leverage", int, 10)
    if not 1 <= leverage <= 125:
        raise table.fail("leverage", "must be a whole number from 1 to 125")
    balance = table.parse("balance", lambda s: to_money(s, "balance"))
    if balance < 0:
        raise table.fail("balance", "must not be negative")
    position = None
    if table.has("position"):
        position = _position(table.table("position"))
    orders = tuple(_order(entry) for entry in table.tables("orders")) if table.has("orders") else ()
    where = f"{table.file}: {table.where}"
    return AccountSpec(account_id, balance, mode, leverage, position, orders, where)


def _position(table: Table) -> PositionSpec:
    table.check_known({"side", "qty", "entry"})
    side = table.get("side", str)
    if side not in ("long", "short"):
        raise table.fail("side", f"{side!r} is not long or short")
    return PositionSpec(
        int(Side.parse(side)),
        table.parse("qty", lambda s: _positive(s, "qty")),
        table.parse("entry", lambda s: _positive(s, "entry")),
    )


def _order(table: Table) -> OrderSpec:
    table.check_known({"side", "type", "qty", "price", "at"})
    side = table.get("side", str)
    if side not in ("buy", "sell"):
        raise table.fail("side", f"{side!r} is not buy or sell")
    kind = table.get("type", str, "limit")
    try:
        order_type = OrderType(kind)
    except ValueError:
        names = ", ".join(t.value for t in OrderType)
        raise table.fail("type", f"{kind!r} is not one of {names}") from None
    price = table.parse("price", lambda s: _positive(s, "price"), None)
    if price is None and order_type is not OrderType.MARKET:
        raise table.fail("price", f"a {kind} order needs a price")
    return OrderSpec(
        int(Side.parse(side)),
        order_type,
        table.parse("qty", lambda s: _positive(s, "qty")),
        price,
        table.parse("at", _offset, 0),
        f"{table.file}: {table.where}",
    )


def path_from(table: Table) -> tuple[tuple[int, Decimal], ...]:
    """``points``: [time after the start, price] pairs, the first at 0, times rising."""
    rows = table.get("points", list)
    points: list[tuple[int, Decimal]] = []
    for n, row in enumerate(rows):
        where = f"points[{n}]"
        if not isinstance(row, list) or len(row) != 2:
            raise table.fail(where, f"{row!r} is not a [time, price] pair")
        try:
            at, price = _offset(str(row[0])), _positive(str(row[1]), "price")
        except ValueError as error:
            raise table.fail(where, str(error)) from None
        if not points and at != 0:
            raise table.fail(where, "the path must start at 0s")
        if points and at <= points[-1][0]:
            raise table.fail(where, "times must rise from one point to the next")
        points.append((at, price))
    if not points:
        raise table.fail("points", "needs at least one [time, price] point")
    return tuple(points)


def _positive(text: str, what: str) -> Decimal:
    value = parse_decimal(text, what)
    if value <= 0:
        raise ValueError(f"{what} {text} must be positive")
    return value


def _offset(text: str) -> int:
    """A time after the start: like a duration, but 0 is allowed."""
    return 0 if text.strip() in ("0", "0s") else parse_duration(text)
