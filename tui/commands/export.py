"""``adl-sandbox export PATH --csv DIR``: a journal's fills, liquidations, ADL and funding
as CSV files for a spreadsheet, read straight from the record (no replay needed)."""

from __future__ import annotations

import argparse
import csv
from contextlib import suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.feeds.replay_formats import iso
from engine.journal import JournalFile
from engine.side import position, verb
from engine.units import format_money
from tui.arguments import UserError, described
from tui.outputs import ReplacedTogether, check_output

PRICES = {"price", "mark", "liquidation_price", "bankruptcy_price"}
SIZES = {"qty", "book_qty", "band_qty", "adl_qty"}
MONEY = {"taker_fee", "maker_fee", "amount", "equity", "maintenance", "margin_lost", "forgone"}
MONEY |= {"fund_in", "fund_out", "deficit", "fund_before", "room", "held_deficit"}
MONEY |= {"notional", "cap", "capacity", "budget", "taken"}
TIMES = {"time", "settled"}
FILES = {  # file → (event kinds it takes, columns)
    "fills.csv": (
        ("trade",),
        [
            "time",
            "taker",
            "maker",
            "side",
            "qty",
            "price",
            "taker_fee",
            "maker_fee",
            "taker_order",
            "maker_order",
        ],
    ),
    "liquidations.csv": (
        ("liquidation", "liquidation_settled"),
        [
            "time",
            "account",
            "side",
            "qty",
            "mark",
            "liquidation_price",
            "bankruptcy_price",
            "equity",
            "maintenance",
            "margin_lost",
            "held",
            "settled",
            "book_qty",
            "band_qty",
            "adl_qty",
            "fund_in",
            "fund_out",
        ],
    ),
    "adl.csv": (
        ("adl",),
        [
            "time",
            "account",
            "liquidated",
            "adl_id",
            "side",
            "qty",
            "price",
            "mark",
            "rank",
            "score",
            "forgone",
            "policy",
        ],
    ),
    "adl_events.csv": (
        ("adl_executed",),
        [
            "time",
            "adl_id",
            "liquidated",
            "held",
            "side",
            "qty",
            "price",
            "mark",
            "reason",
            "fund_before",
            "room",
            "held_deficit",
            "deficit",
            "capacity",
            "budget",
            "taken",
            "counterparties",
            "policy",
            "notional",
            "cap",
        ],
    ),
    "funding.csv": (("funding_payment",), ["time", "account", "amount"]),
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export",
        help="write a journal's fills, liquidations, ADL and funding as CSV files",
        description=described(__doc__),
    )
    parser.add_argument("path", help="a journal")
    parser.add_argument("--csv", required=True, metavar="DIR", help="folder for the CSV files")
    parser.add_argument("--force", action="store_true", help="replace CSV files already there")


def run(args: argparse.Namespace) -> int:
    journal = JournalFile(args.path)
    folder = Path(args.csv)
    new_folder = not folder.exists()
    try:
        _check_outputs(args)
        grid = journal.header.get("instrument", {})
        tick, lot = Decimal(grid.get("tick_size", "0.1")), Decimal(grid.get("lot_size", "0.001"))
        counts = _write_all(journal, folder, tick, lot)
    except BaseException:
        if new_folder:  # a failed export leaves nothing behind, not even an empty folder
            with suppress(OSError):
                folder.rmdir()
        raise
    finally:
        journal.close()
    for name, count in counts.items():
        print(f"{folder / name}: {count:,} rows")
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """The ``--csv`` folder, created if need be, once no file in it would be lost."""
    folder = Path(args.csv)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: --csv names a folder, and this is a file")
    for name in FILES:
        check_output(folder / name, "--csv", [Path(args.path)], args.force)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{folder}: cannot create the folder ({error.strerror})") from None


def _write_all(journal: JournalFile, folder: Path, tick: Decimal, lot: Decimal) -> dict:
    """Every CSV complete, or none of them changed."""
    writers, counts = {}, dict.fromkeys(FILES, 0)
    try:
        with ReplacedTogether(folder) as files:
            for name, (_, columns) in FILES.items():
                writers[name] = csv.writer(files.open(name))
                writers[name].writerow(columns)
            _export(journal, tick, lot, writers, counts)
            files.commit(FILES)
    except OSError as error:
        raise UserError(f"{folder}: cannot write ({error.strerror or error})") from None
    return counts


def _export(journal, tick, lot, writers, counts) -> None:
    """One row per event, but a liquidation waits for its settlement (by the backstop's
    ``held`` number) to make one row; one still held at the end is written as it is."""
    held: dict[int, dict[str, Any]] = {}
    for event in journal.events():
        kind = event["kind"]
        if kind == "liquidation":
            held[event["held"]] = event
            continue
        if kind == "liquidation_settled":
            taken = held.pop(event["held"], {})
            event = {**event, **taken, "settled": event["time"], "qty": event["qty"]}
        _write(event, tick, lot, writers, counts)
    for event in held.values():
        _write(event, tick, lot, writers, counts)


def _write(event: dict[str, Any], tick, lot, writers, counts) -> None:
    kind = event["kind"]
    for name, (kinds, columns) in FILES.items():
        if kind in kinds:
            writers[name].writerow([_cell(c, event.get(c), tick, lot, kind) for c in columns])
            counts[name] += 1


def _cell(column: str, value: Any, tick: Decimal, lot: Decimal, kind: str) -> Any:
    if value is None:
        return ""
    if column in TIMES:
        return iso(value)
    if column in PRICES:
        return str(value * tick)
    if column in SIZES:
        return str(value * lot)
    if column in MONEY:
        return format_money(value)
    if column == "side":
        return verb(value) if kind == "trade" else position(value)  # trades buy, positions are long
    return value
