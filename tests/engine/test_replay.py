"""Replay files: every format read to exact (µs, ticks) points, and every bad file refused
with one line that says where and why."""

from __future__ import annotations

import gzip
import os
import random
import threading
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from engine.agents.base import lots_for
from engine.feeds.replay import FORMATS, MAX_GAP_DAYS, ReplayError, open_replay
from engine.scenario import load_scenario
from engine.simulation import Simulation

S = 10**6  # µs per second
T0 = 1_700_000_000 * S  # 2023-11-14T22:13:20Z
JAN1 = 1_704_067_200 * S  # 2024-01-01T00:00:00Z
AGG = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
KLINES = (
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,"
    "taker_buy_volume,taker_buy_quote_volume,ignore\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, tick: str | None = None, **options) -> list[tuple[int, int]]:
    replay = open_replay(path, **options)
    return list(replay.points(Decimal(tick) if tick else replay.tick()))


def agg_rows(*trades: tuple[str, int]) -> str:
    """Header-less aggTrades rows from (price, time in ms)."""
    return "".join(
        f"{100 + i},{price},0.010,{i},{i},{ms},true\n" for i, (price, ms) in enumerate(trades)
    )


# --- formats ----------------------------------------------------------------------------


def test_generic_with_header_in_seconds(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.csv", "timestamp,price\n1700000000,100.5\n1700000001,100.25\n")
    replay = open_replay(path)
    assert replay.format == "generic"
    assert replay.tick() == Decimal("0.01")
    assert list(replay.points(replay.tick())) == [(T0, 10050), (T0 + S, 10025)]


def test_generic_without_header_in_microseconds(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.csv", f"{T0},7\n{T0 + 1},8\n")
    assert read(path) == [(T0, 7), (T0 + 1, 8)]


def test_iso_text_timestamps_naive_means_utc(tmp_path: Path) -> None:
    text = (
        "time,price\n"
        "2024-01-01,1\n"
        "2024-01-01T00:00:01Z,1\n"
        "2024-01-01 00:00:02.250000,1\n"
        "2024-01-01T02:00:03+02:00,1\n"
    )
    times = [t for t, _ in read(write(tmp_path, "iso.csv", text))]
    assert times == [JAN1, JAN1 + S, JAN1 + 2 * S + 250_000, JAN1 + 3 * S]


def test_ohlc_mixed_case_header_expands_each_bar_into_four_points(tmp_path: Path) -> None:
    text = (
        "Date,Open,HIGH,low,Close,Volume\n"
        "2024-01-01 00:00:00,10,12,9,11,5\n"  # rising: open, low, high, close
        "2024-01-01 00:01:00,11,11.5,8,9,3\n"  # falling: open, high, low, close
    )
    replay = open_replay(write(tmp_path, "bars.csv", text))
    assert replay.format == "ohlc"
    assert replay.tick() == Decimal("0.1")
    assert list(replay.points(Decimal("0.1"))) == [
        (JAN1, 100), (JAN1 + 15 * S, 90), (JAN1 + 30 * S, 120), (JAN1 + 45 * S, 110),
        (JAN1 + 60 * S, 110), (JAN1 + 75 * S, 115), (JAN1 + 90 * S, 80), (JAN1 + 105 * S, 90),
    ]  # fmt: skip


def test_pandas_unnamed_index_column_and_a_single_bar_lasting_a_minute(tmp_path: Path) -> None:
    text = ",open,high,low,close\n2024-01-01 00:00:00+00:00,1.10,1.12,1.09,1.11\n"
    replay = open_replay(write(tmp_path, "pandas.csv", text))
    assert replay.format == "ohlc"
    assert list(replay.points(Decimal("0.01"))) == [
        (JAN1, 110), (JAN1 + 15 * S, 109), (JAN1 + 30 * S, 112), (JAN1 + 45 * S, 111)
    ]  # fmt: skip


def test_binance_aggtrades_without_header_in_ms(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "BTCUSDT-aggTrades-2023-11-14.csv",
        agg_rows(("90000.1", 1_700_000_000_000), ("90000.3", 1_700_000_000_007)),
    )
    replay = open_replay(path)
    assert replay.format == "binance_aggtrades"
    assert list(replay.points(replay.tick())) == [(T0, 900001), (T0 + 7000, 900003)]


def test_binance_aggtrades_with_header(tmp_path: Path) -> None:
    path = write(tmp_path, "agg.csv", AGG + agg_rows(("90000.1", 1_700_000_000_000)))
    assert open_replay(path).format == "binance_aggtrades"
    assert read(path) == [(T0, 900001)]


def test_binance_trades(tmp_path: Path) -> None:
    text = (
        "id,price,qty,quote_qty,time,is_buyer_maker\n1,90000.10,0.001,90.0001,1700000000000,True\n"
    )
    replay = open_replay(write(tmp_path, "BTCUSDT-trades.csv", text))
    assert replay.format == "binance_trades"
    assert list(replay.points(replay.tick())) == [(T0, 900001)]


def test_binance_klines_use_close_time_for_the_bar_length(tmp_path: Path) -> None:
    # Two one-minute bars with a missing minute between: the first still lasts 60 s.
    text = (
        "1700000000000,100.0,101.0,99.0,100.5,1,1700000059999,0,1,0,0,0\n"
        "1700000120000,100.5,100.5,98.0,99.0,1,1700000179999,0,1,0,0,0\n"
    )
    replay = open_replay(write(tmp_path, "BTCUSDT-1m-2023-11-14.csv", text))
    assert replay.format == "binance_klines"
    assert read(replay.path, "0.5") == [
        (T0, 200), (T0 + 15 * S, 198), (T0 + 30 * S, 202), (T0 + 45 * S, 201),
        (T0 + 120 * S, 201), (T0 + 135 * S, 201), (T0 + 150 * S, 196), (T0 + 165 * S, 198),
    ]  # fmt: skip


def test_markprice_klines_are_told_by_the_file_name(tmp_path: Path) -> None:
    row = "1700000000000,100,101,99,100,0,1700000059999,0,60,0,0,0\n"
    path = write(tmp_path, "BTCUSDT-markPriceKlines-1m-2023-11-14.csv", KLINES + row)
    replay = open_replay(path)
    assert replay.format == "binance_markprice_klines"
    assert [p for _, p in replay.points(Decimal(1))] == [100, 99, 101, 100]


def test_bybit_trades_in_fractional_seconds(tmp_path: Path) -> None:
    text = (
        "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,"
        "foreignNotional\n"
        "1585180700.0647,BTCUSD,Buy,100,6700.5,PlusTick,5b1c,1492425,0.0149,100\n"
    )
    replay = open_replay(write(tmp_path, "BTCUSD2020-03-26.csv", text))
    assert replay.format == "bybit_trades"
    assert list(replay.points(replay.tick())) == [(1_585_180_700_064_700, 67005)]


def test_tardis_trades_in_microseconds(tmp_path: Path) -> None:
    text = (
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n"
        "binance-futures,BTCUSDT,1585180700064700,1585180700070000,1,buy,6700.5,0.1\n"
    )
    replay = open_replay(write(tmp_path, "trades.csv", text))
    assert replay.format == "tardis_trades"
    assert list(replay.points(replay.tick())) == [(1_585_180_700_064_700, 67005)]


def test_tardis_ticker_falls_back_from_index_to_mark_price_and_skips_priceless_rows(
    tmp_path: Path,
) -> None:
    text = (
        "exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,"
        "predicted_funding_rate,open_interest,last_price,index_price,mark_price\n"
        f"deribit,BTC-PERPETUAL,{T0},{T0},,,,1,90000.5,90001.5,90002.0\n"
        f"deribit,BTC-PERPETUAL,{T0 + 1},{T0 + 1},,,,1,90000.5,,90002.5\n"
        f"deribit,BTC-PERPETUAL,{T0 + 2},{T0 + 2},,,,1,,,\n"
        f"deribit,BTC-PERPETUAL,{T0 + 3},{T0 + 3},,,,1,90003.5,,\n"
    )
    replay = open_replay(write(tmp_path, "ticker.csv", text))
    assert replay.format == "tardis_derivative_ticker"
    assert list(replay.points(Decimal("0.5"))) == [(T0, 180003), (T0 + 1, 180005), (T0 + 3, 180007)]


def test_fmt_names_a_format_the_columns_cannot_tell(tmp_path: Path) -> None:
    path = write(tmp_path, "bars.csv", "1700000000,10,12,9,11\n1700000060,11,11,11,11\n")
    with pytest.raises(ReplayError, match="cannot tell the format of 5 columns"):
        open_replay(path)
    replay = open_replay(path, fmt="ohlc")
    assert replay.format == "ohlc"
    assert [p for _, p in replay.points(Decimal(1))] == [10, 9, 12, 11, 11, 11, 11, 11]


def test_fmt_overrides_the_file_name(tmp_path: Path) -> None:
    row = "1700000000000,100,101,99,100,0,1700000059999,0,60,0,0,0\n"
    path = write(tmp_path, "BTCUSDT-markPriceKlines-1m.csv", row)
    assert open_replay(path, fmt="binance_klines").format == "binance_klines"


def test_formats_describe_every_format_in_one_line() -> None:
    assert set(FORMATS) == {
        "generic", "ohlc", "binance_aggtrades", "binance_trades", "binance_klines",
        "binance_markprice_klines", "bybit_trades", "tardis_trades", "tardis_derivative_ticker",
        "binance_spot_aggtrades", "binance_spot_trades",
    }  # fmt: skip
    assert all(text and "\n" not in text for text in FORMATS.values())


# --- compression ------------------------------------------------------------------------


def test_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-aggTrades.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(agg_rows(("90000.1", 1_700_000_000_000), ("90000.2", 1_700_000_000_001)))
    assert read(path) == [(T0, 900001), (T0 + 1000, 900002)]


def test_a_gzip_cut_in_half_is_refused_on_open_not_mid_run(tmp_path: Path) -> None:
    rng = random.Random(3)
    rows = "".join(f"{1_700_000_000 + i},{rng.randint(1, 99_999) / 100}\n" for i in range(50_000))
    whole = gzip.compress(rows.encode())
    path = tmp_path / "trades.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReplayError) as caught:
        open_replay(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") and "the compressed file is cut short" in message
    assert "\n" not in message


def test_zip_with_one_csv(tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-aggTrades-2023-11-14.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "BTCUSDT-aggTrades-2023-11-14.csv", AGG + agg_rows(("5", 1_700_000_000_000))
        )
    assert read(path) == [(T0, 5)]


@pytest.mark.parametrize("members", [[], ["a.csv", "b.csv"]])
def test_zip_must_hold_exactly_one_csv(tmp_path: Path, members: list[str]) -> None:
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "hello")
        for name in members:
            archive.writestr(name, "1,2\n")
    with pytest.raises(ReplayError, match=f"exactly one CSV file, this one holds {len(members)}"):
        open_replay(path)


# --- ticks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prices", "tick"),
    [
        (["1.10321", "1.10325", "1.1033"], "0.00001"),  # FX, 5 decimals
        (["90000.1", "90000.5", "90001.0"], "0.1"),  # BTC
        (["101", "102", "100.00"], "1"),  # trailing zeros are not decimals
        (["1.1000000000000001", "1.2"], "0.1"),  # pandas float noise is not a decimal
        (["0.30000000000000004", "0.25"], "0.01"),
        (["90000.10000000001", "90000.2"], "0.1"),
        (["43251.37234783", "43251.4"], "0.00001"),  # past the 10th digit of the highest price
        (["5.123456", "60000"], "0.00001"),
    ],
)
def test_tick_from_the_decimals_in_the_data(tmp_path: Path, prices: list[str], tick: str) -> None:
    text = "".join(f"{1_700_000_000 + i},{price}\n" for i, price in enumerate(prices))
    assert open_replay(write(tmp_path, "feed.csv", text)).tick() == Decimal(tick)


def test_the_tick_follows_every_price_in_the_file_not_the_first_thousand(tmp_path: Path) -> None:
    prices = [str(100 + i % 50) for i in range(1200)] + ["1.44", "0.4"]
    text = "".join(f"{1_700_000_000 + i},{price}\n" for i, price in enumerate(prices))
    replay = open_replay(write(tmp_path, "late.csv", text))
    assert replay.tick() == Decimal("0.01")
    assert [p for _, p in replay.points(replay.tick())][-3:] == [14900, 144, 40]


def test_the_lot_suits_the_highest_price_not_only_the_first(tmp_path: Path) -> None:
    """BTC from 2012's 5 to 60,000: the crowd's smallest order is a sensible number of lots
    at both ends (one lot at 60,000 is not worth more than the order), and one lot at one
    tick is still worth a money unit."""
    rows = [f"{1_700_000_000 + 60 * i},{5 * 12_000 ** (i / 399):.2f}" for i in range(400)]
    path = write(tmp_path, "btc-2012-2024.csv", "timestamp,price\n" + "\n".join(rows) + "\n")
    scenario = load_scenario("replay-sample")
    instrument = Simulation(scenario, replay=path).instrument
    crowd = scenario.population.crowd
    smallest_order = int(crowd.balance * crowd.margin_fraction * 0.5) * min(crowd.leverage)[0]
    for price in ("5.00", "60000.00"):
        ticks = instrument.ticks(price)
        lots = lots_for(smallest_order, ticks, instrument.contract_value)
        assert 0 < instrument.notional(lots, ticks) <= smallest_order, price
    assert instrument.lot_size * 60_000 <= 100
    assert instrument.contract_value >= 1  # one lot at one tick, in 1e-8 of the quote


def test_prices_finer_than_the_tick_round_half_even(tmp_path: Path) -> None:
    prices = ["1.00005", "1.00015", "1.00016", "1.0001"]
    text = "".join(f"{1_700_000_000 + i},{price}\n" for i, price in enumerate(prices))
    assert [p for _, p in read(write(tmp_path, "fx.csv", text), "0.0001")] == [
        10000, 10002, 10002, 10001
    ]  # fmt: skip


# --- window and order -------------------------------------------------------------------


def test_start_and_end_keep_an_inclusive_window(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.csv", "".join(f"{1_700_000_000 + i},{i + 1}\n" for i in range(5)))
    assert read(path, start=T0 + S, end=T0 + 3 * S) == [
        (T0 + S, 2),
        (T0 + 2 * S, 3),
        (T0 + 3 * S, 4),
    ]


def test_rows_out_of_time_order_are_refused_unless_sorted(tmp_path: Path) -> None:
    text = "time,price\n1700000002,3\n1700000001,1\n1700000002,4\n1700000001,2\n"
    path = write(tmp_path, "shuffled.csv", text)
    with pytest.raises(ReplayError, match=r"shuffled\.csv:3: time: .* is before the row above"):
        read(path)
    assert read(path, sort=True) == [(T0 + S, 1), (T0 + S, 2), (T0 + 2 * S, 3), (T0 + 2 * S, 4)]


@pytest.mark.parametrize(
    ("rows", "line", "cell", "span"),
    [
        (["1700000000", "1700000001", "1700000002000"], 4, "'1700000002000'", "53,8"),
        (["2024-01-01", "2024-01-02", "2034-01-02"], 4, "'2034-01-02'", "10 years"),
    ],
)
def test_a_jump_over_the_gap_bound_is_refused_with_its_line(
    tmp_path: Path, rows: list[str], line: int, cell: str, span: str
) -> None:
    """A file that switches from seconds to milliseconds jumps 53,800 years; a mistyped
    year ten. Both are refused on open, whole-number times as well as text."""
    path = write(tmp_path, "mixed.csv", "time,price\n" + "".join(f"{r},5\n" for r in rows))
    with pytest.raises(ReplayError) as caught:
        open_replay(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: time: {cell} is {span}")
    assert f"more than {MAX_GAP_DAYS} days apart" in message and "\n" not in message


def test_monthly_bars_are_within_the_gap_bound_and_a_sorted_file_is_checked_too(
    tmp_path: Path,
) -> None:
    months = "time,open,high,low,close\n2024-01-01,1,2,1,2\n2024-02-01,2,3,2,3\n"
    assert len(read(write(tmp_path, "monthly.csv", months))) == 8
    mixed = f"{T0 // 1000},5\n{T0 // 1000 + 1},5\n1700000002,5\n"  # ms, then seconds
    with pytest.raises(ReplayError, match=r"mixed\.csv: no rows from 1970-01-20T.* once sorted"):
        open_replay(write(tmp_path, "mixed.csv", mixed), sort=True)


def test_equal_timestamps_are_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.csv", "1700000000,1\n1700000000,2\n")
    assert read(path) == [(T0, 1), (T0, 2)]


def test_points_reads_the_file_again_on_each_call(tmp_path: Path) -> None:
    replay = open_replay(write(tmp_path, "feed.csv", "1700000000,1\n1700000001,2\n"))
    assert (
        list(replay.points(Decimal(1))) == list(replay.points(Decimal(1))) == [(T0, 1), (T0 + S, 2)]
    )


# --- bad files and rows -----------------------------------------------------------------


def test_a_bad_row_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "trades.csv", "timestamp,price\n1700000000,1\n1700000001,abc\n")
    with pytest.raises(ReplayError) as caught:
        read(path, "1")
    assert str(caught.value) == f"{path}:3: price: 'abc' is not a number"


def test_a_bad_timestamp_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "trades.csv", "timestamp,price\n1700000000,1\nsoon,2\n")
    with pytest.raises(ReplayError, match=r"trades\.csv:3: timestamp: 'soon' is not a time"):
        read(path, "1")


def test_a_short_row_names_the_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.csv", AGG + agg_rows(("1", 1_700_000_000_000)) + "7,2,0.1\n")
    with pytest.raises(ReplayError, match=r"feed\.csv:3: transact_time: missing"):
        read(path, "1")


@pytest.mark.parametrize(
    ("price", "problem"),
    [
        ("NaN", "'NaN' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("-5", "'-5' is not positive"),
        ("0", "'0' is not positive"),
        ("2e12", "'2e12' is absurdly large"),
        ("", "is empty"),
    ],
)
def test_unusable_prices_are_refused(tmp_path: Path, price: str, problem: str) -> None:
    path = write(tmp_path, "feed.csv", f"1700000000,1\n1700000001,{price}\n")
    with pytest.raises(ReplayError) as caught:
        read(path, "1")
    assert f"feed.csv:2: price: {problem}" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("header.csv", b"timestamp,price\n", "a header but no data rows"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("latin1.csv", b"time,price\n2024-01-01,1\xe9\n", "not UTF-8 text"),
        ("broken.csv.gz", b"\x1f\x8b\x08\x00garbage", "cannot be read"),
        ("words.csv", b"a,b,c\nd,e,f\n", "cannot tell the format"),
    ],
)
def test_unusable_files_are_refused_on_open(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReplayError, match=problem) as caught:
        open_replay(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_missing_file_directory_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="no such file"):
        open_replay(tmp_path / "nope.csv")
    with pytest.raises(ReplayError, match="is a directory"):
        open_replay(tmp_path)
    path = write(tmp_path, "feed.csv", "1700000000,1\n")
    with pytest.raises(ReplayError, match="unknown format 'kraken'; known: generic, ohlc"):
        open_replay(path, fmt="kraken")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_at_once_and_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer: the attempt runs in a thread with a timeout, and a
    blocked reader is let go (by opening the writing end) so the test can never hang."""
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    outcome: list[str] = []

    def attempt() -> None:
        try:
            open_replay(fifo)
        except ReplayError as error:
            outcome.append(str(error))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the reader sees an empty file
        worker.join(timeout=5)
        pytest.fail("open_replay blocked on a FIFO")
    assert outcome == [f"{fifo}: is a named pipe (FIFO), not a regular file"]


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_is_refused() -> None:
    with pytest.raises(ReplayError, match=r"^/dev/null: is a character device, not a regular"):
        open_replay("/dev/null")


def test_damaged_files_give_a_replay_error_never_a_traceback(tmp_path: Path) -> None:
    seeds = [
        "timestamp,price\n1700000000,100.5\n1700000001,100.25\n",
        "Date,Open,High,Low,Close\n2024-01-01,10,12,9,11\n2024-01-02,11,11.5,8,9\n",
        KLINES + "1700000000000,100,101,99,100,0,1700000059999,0,60,0,0,0\n",
        agg_rows(("90000.1", 1_700_000_000_000), ("90000.3", 1_700_000_000_007)),
    ]
    rng = random.Random(7)
    for case in range(300):
        text = list(rng.choice(seeds))
        for _ in range(3):
            spot = rng.randrange(len(text))
            text[spot : spot + rng.randint(0, 3)] = rng.choice(
                ["", "x", "-", ".", ",", "\n", "9e99"]
            )
        path = write(tmp_path, f"damaged{case}.csv", "".join(text))
        try:
            replay = open_replay(path)
            assert all(p > 0 for _, p in replay.points(replay.tick()))
        except ReplayError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)
