"""The positions file of ``calc adl``: a CSV with (at least) the columns id, side, qty,
entry, margin, in any order; every refusal names the file, the line and the column."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import NamedTuple

from engine.datafile import open_file
from engine.side import Side
from tui.arguments import UserError
from tui.commands.calc.numbers import Value, read_money, read_value

COLUMNS = ("id", "side", "qty", "entry", "margin")
SIDES = {side.position: side for side in Side}  # a position is long or short


class Row(NamedTuple):
    """One line of the positions file, checked but not yet on the instrument's grid."""

    line: int
    account: str
    side: int
    qty: Value
    entry: Value
    margin: int  # money units


def read_positions(path: str) -> list[Row]:
    """Rows of a CSV with (at least) the columns id, side, qty, entry, margin, any order."""
    first_line: dict[str, int] = {}
    columns: dict[str, int] = {}

    def header(line: int, record: list[str]) -> None:
        columns.update(header_columns(path, line, record))

    def row(line: int, record: list[str]) -> Row:
        return read_row(path, line, record, columns, first_line)

    rows = read_records(path, header, row, f"a header line {','.join(COLUMNS)}")
    if not rows:
        raise UserError(f"{path}: no positions after the header")
    return rows


def read_records(path: str, header: Callable, row: Callable, expected: str) -> list:
    """``row(line, record)`` of each line after the header (given to ``header(line,
    record)`` first), blank lines skipped; a line wider than the header, a file that is
    not CSV or has no header is refused in one line naming the file and the line."""
    reader = csv.reader(io.StringIO(read_text(path)))
    width = None
    rows = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if width is None:
                header(reader.line_num, record)
                width = len(record)
                continue
            if len(record) > width:
                raise UserError(
                    f"{path}:{reader.line_num}: {len(record)} cells, but the header names "
                    f"{width} columns"
                )
            rows.append(row(reader.line_num, record))
    except csv.Error as error:
        raise UserError(f"{path}:{reader.line_num}: not valid CSV ({error})") from None
    if width is None:
        raise UserError(f"{path}: empty; expected {expected}")
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
    return Row(line, account, int(SIDES[side.lower()]), qty, entry, collateral)
