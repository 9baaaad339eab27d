"""Which side: +1 buys and is long, −1 sells and is short.

The engine keeps sides as the integers +1 and −1 (events and journals too); this is
the one place that names them, in both vocabularies: an order *buys* or *sells*, a
position is *long* or *short*.
"""

from __future__ import annotations

from enum import IntEnum


class Side(IntEnum):
    BUY = 1
    SELL = -1

    @property
    def verb(self) -> str:
        """What an order of this side does: ``buy`` or ``sell``."""
        return "buy" if self > 0 else "sell"

    @property
    def position(self) -> str:
        """What a position of this side is: ``long`` or ``short``."""
        return "long" if self > 0 else "short"

    @classmethod
    def parse(cls, text: int | str) -> Side:
        """``buy``/``long``/``b`` or ``sell``/``short``/``s`` (any case), or ±1."""
        if text in (1, -1):
            return cls(text)
        name = str(text).lower()
        if name in ("buy", "long", "b"):
            return cls.BUY
        if name in ("sell", "short", "s"):
            return cls.SELL
        raise ValueError(f"side {text!r} is not buy or sell")


def verb(side: int) -> str:
    """``buy`` or ``sell`` for a signed side (the sign is what counts)."""
    return Side.BUY.verb if side > 0 else Side.SELL.verb


def position(side: int) -> str:
    """``long`` or ``short`` for a signed side."""
    return Side.BUY.position if side > 0 else Side.SELL.position
