"""Binance spot dumps told without ``--format``: trades (7 columns) and aggTrades (8),
headerless as data.binance.vision publishes them or with a header; the futures layouts
(trades 6 columns, aggTrades 7) are still told apart from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.feeds.replay import open_replay

T0 = 1_700_000_000 * 10**6  # 2023-11-14T22:13:20Z
SPOT_AGG = (
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,"
    "is_buyer_maker,is_best_match"
)
SPOT_TRADES = "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match"
ROWS = {
    "binance_spot_aggtrades": (
        "26129,90000.10,0.01,27781,27781,1700000000000,True,True",
        "26130,90000.30,0.02,27782,27783,1700000000007,False,True",
    ),
    "binance_spot_trades": (
        "27781,90000.10,0.01,900.001,1700000000000,True,True",
        "27782,90000.30,0.02,1800.006,1700000000007,false,True",
    ),
    "binance_aggtrades": (  # futures: seven columns, the seventh the last
        "26129,90000.10,0.01,27781,27781,1700000000000,true",
        "26130,90000.30,0.02,27782,27783,1700000000007,false",
    ),
    "binance_trades": (  # futures: six columns
        "27781,90000.10,0.01,900.001,1700000000000,true",
        "27782,90000.30,0.02,1800.006,1700000000007,false",
    ),
}
HEADERS = {
    "binance_spot_aggtrades": SPOT_AGG,
    "binance_spot_trades": SPOT_TRADES,
    "binance_aggtrades": SPOT_AGG.removesuffix(",is_best_match"),
    "binance_trades": SPOT_TRADES.removesuffix(",is_best_match"),
}


@pytest.mark.parametrize("header", [False, True], ids=["headerless", "with header"])
@pytest.mark.parametrize("fmt", sorted(ROWS))
def test_each_binance_layout_is_told_by_itself(tmp_path: Path, fmt: str, header: bool) -> None:
    lines = [HEADERS[fmt]] * header + list(ROWS[fmt])
    path = tmp_path / "BTCUSDT-2023-11-14.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    replay = open_replay(path)
    assert replay.format == fmt
    assert list(replay.points(replay.tick())) == [(T0, 900001), (T0 + 7000, 900003)]


def test_spot_times_in_microseconds_as_binance_writes_them_since_2025(tmp_path: Path) -> None:
    rows = "1,90000.10,0.01,900.001,1700000000000000,True,True\n"
    path = tmp_path / "trades.csv"
    path.write_text(rows, encoding="utf-8")
    replay = open_replay(path)
    assert replay.format == "binance_spot_trades"
    assert list(replay.points(replay.tick())) == [(T0, 900001)]
