"""``adl-sandbox export PATH --csv DIR``: a journal's fills, liquidations, ADL and funding
as CSV files for a spreadsheet, read straight from the record (no replay needed)."""

from __future__ import annotations

import argparse
import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.feeds.replay_formats import iso
from engine.journal import JournalFile
from engine.side import position, verb
from engine.units import format_money
from tui.arguments import UserError, described

PRICES = {"price", "mark", "liquidation_price", "bankruptcy_price"}
SIZES = {"qty", "book_qty", "fund_qty", "adl_qty"}
MONEY = {"taker_fee", "maker_fee", "amount", "equity", "maintenance", "margin_lost", "forgone"}
MONEY |= {"fund_in", "fund_out", "clawback", "deficit"}
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
            "book_qty",
            "fund_qty",
            "adl_qty",
            "fund_in",
            "fund_out",
            "clawback",
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


def run(args: argparse.Namespace) -> int:
    journal = JournalFile(args.path)
    folder = Path(args.csv)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{folder}: cannot create the folder ({error.strerror})") from None
    grid = journal.header.get("instrument", {})
    tick, lot = Decimal(grid.get("tick_size", "0.1")), Decimal(grid.get("lot_size", "0.001"))
    schema = journal.header["events"]
    writers, handles, counts = {}, [], dict.fromkeys(FILES, 0)
    try:
        for name, (_, columns) in FILES.items():
            handle = (folder / name).open("w", newline="", encoding="utf-8")
            handles.append(handle)
            writers[name] = csv.writer(handle)
            writers[name].writerow(columns)
        _export(journal, schema, tick, lot, writers, counts)
    except OSError as error:
        raise UserError(f"{folder}: cannot write ({error.strerror})") from None
    finally:
        for handle in handles:
            handle.close()
        journal.close()
    for name, count in counts.items():
        print(f"{folder / name}: {count:,} rows")
    return 0


def _export(journal, schema, tick, lot, writers, counts) -> None:
    pending_liquidation: dict[str, Any] = {}
    for _, record in journal.records():
        for row in record.get("e", ()):
            kind = row[0]
            event = dict(zip(schema.get(kind, []), row[1:], strict=False))
            if kind == "liquidation":
                pending_liquidation[event["account"]] = event
                continue
            if kind == "liquidation_settled":
                event = {**pending_liquidation.pop(event["account"], {}), **event}
            for name, (kinds, columns) in FILES.items():
                if kind in kinds:
                    writers[name].writerow(
                        [_cell(c, event.get(c), tick, lot, kind) for c in columns]
                    )
                    counts[name] += 1


def _cell(column: str, value: Any, tick: Decimal, lot: Decimal, kind: str) -> Any:
    if value is None:
        return ""
    if column == "time":
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
