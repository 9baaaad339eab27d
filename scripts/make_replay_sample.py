"""Write engine/data/replay-sample.csv: twelve hours of synthetic one-minute BTC bars.

The shipped ``replay-sample`` scenario replays it. Seeded, so running this again
writes the same bytes. The layout is what pandas' ``to_csv`` writes for a frame
indexed by time: an unnamed first column.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "engine" / "data" / "replay-sample.csv"


def main() -> None:
    rng = random.Random(2024)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    price = 42_000.0
    lines = [",open,high,low,close,volume"]
    for minute in range(720):
        drift = -0.012 if 300 <= minute < 306 else (0.004 if 306 <= minute < 330 else 0.0)
        path = [price]
        for _ in range(6):
            path.append(path[-1] * math.exp(drift / 6 + rng.gauss(0, 0.0007)))
        open_, close = path[0], path[-1]
        high = max(path) * (1 + abs(rng.gauss(0, 0.0002)))
        low = min(path) * (1 - abs(rng.gauss(0, 0.0002)))
        when = (start + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:%S")
        volume = abs(rng.gauss(40, 15)) * (4 if drift else 1)
        lines.append(f"{when},{open_:.1f},{high:.1f},{low:.1f},{close:.1f},{volume:.3f}")
        price = close
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
