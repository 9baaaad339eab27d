"""A Binance spot aggTrades dump as Binance publishes it, generated for a test: eight
columns, no header, millisecond times, tens of rows a second at uneven intervals."""

from __future__ import annotations

import random
from pathlib import Path

START_MS = 1_640_992_605_000  # 2021-12-31 23:16:45 UTC
START_TEXT = "2021-12-31 23:16:45"
GAP_MS = 50  # the widest spacing between two rows: 40 rows a second on average


def aggtrades(folder: Path, seconds: int, seed: int = 1, header: bool = False) -> Path:
    """``seconds`` of trades from ``START_MS``, rows 1 to ``GAP_MS`` ms apart."""
    rng = random.Random(seed)
    rows = [
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,"
        "is_buyer_maker,is_best_match"
    ][: int(header)]
    price, t, n = 46_000.0, START_MS, 0
    while t < START_MS + seconds * 1000:
        n += 1
        price *= 1 + rng.gauss(0, 0.00005)
        maker = rng.choice(("True", "False"))
        rows.append(
            f"{n},{price:.2f},{rng.uniform(0.001, 0.5):.5f},{3 * n},{3 * n + 2},{t},{maker},True"
        )
        t += rng.randint(1, GAP_MS)
    path = folder / "BTCUSDT-aggTrades-2021-12-31.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
