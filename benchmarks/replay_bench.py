"""Replay speed: rows per second streamed from a Binance aggTrades CSV as (µs, ticks) points."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from engine.feeds.replay import open_replay

ROWS = 1_000_000
PASSES = 3


def write_aggtrades(path: Path, rows: int = ROWS, seed: int = 7) -> None:
    """A header-less aggTrades file like Binance's: BTC near 90,000 walking in 0.1 steps,
    a trade every few ms (several often in the same ms), buyer-maker half the time."""
    rng = random.Random(seed)
    price, ms = 900_000, 1_735_689_600_000  # ticks of 0.1; 2025-01-01T00:00:00Z
    lines = []
    for trade in range(rows):
        price = max(1, price + rng.choice((-2, -1, 0, 0, 0, 1, 2)))
        ms += rng.choice((0, 0, 1, 2, 5))
        quantity = rng.randint(1, 20_000) / 1000
        maker = "true" if rng.random() < 0.5 else "false"
        lines.append(
            f"{3_000_000_000 + trade},{price // 10}.{price % 10},{quantity},"
            f"{5_000_000_000 + 3 * trade},{5_000_000_002 + 3 * trade},{ms},{maker}\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


def replay_rows_per_s() -> float:
    """Rows per second of a full ``points()`` pass (the median of three; writing the file
    is not timed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "BTCUSDT-aggTrades-2025-01-01.csv"
        write_aggtrades(path)
        replay = open_replay(path)
        tick = replay.tick()
        passes = []
        for _ in range(PASSES):
            started = time.process_time()
            count = 0
            for _point in replay.points(tick):
                count += 1
            passes.append(time.process_time() - started)
        assert count == ROWS, count
    return ROWS / statistics.median(passes)


FIGURES = {"replay_rows_per_s": replay_rows_per_s}
