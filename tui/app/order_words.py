"""An order type in words — ``post_only`` as post-only — for the lines a reader reads
(the event log); the identifier stays where it is typed (``--json``, scenario files).
Every ``OrderType`` has its words: a new one without them fails its test."""

from __future__ import annotations

ORDER_TYPES: dict[str, str] = {
    "limit": "limit",
    "market": "market",
    "ioc": "IOC",
    "post_only": "post-only",
    "stop_market": "stop-market",
    "take_profit": "take-profit",
    "stop_limit": "stop-limit",
}


def order_type_words(order_type: str) -> str:
    """The words for an order type (an unknown one as it came, never a crash)."""
    return ORDER_TYPES.get(str(order_type), str(order_type))
