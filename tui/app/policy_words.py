"""One line of words for every rule the palette switches, every ranking's score, and
every column of the policy comparison: the explain view, the ADL incident, the fund
page and the glossary all read them here, so a rule is worded once.

The engine's registry (``engine.policies.POLICIES``) says which rules and choices
exist; a choice added there without a line here fails ``tests/tui/test_glossary.py``.
"""

from __future__ import annotations

from engine.policies import MarketSettings

# The ADL score each ranking policy sorts by (SPEC §5.5), as the explain view writes
# ``score = …``.
FORMULAS = {
    "bitmex": "PnL% × effective leverage (PnL% ÷ effective leverage when losing)",
    "binance": "PnL% × margin ratio",
    "hyperliquid": "in profit × price ratio × notional / equity",
    "leverage_first": "notional / equity: the most leveraged are cut first",
    "pro_rata": "1 in profit, 0 otherwise: every winner gives up the same fraction",
    "random": "no score: the queue starts at a seeded random place (dYdX)",
}

# policy field (engine.policies.Policy.field) → choice → what it means, in one line
WORDS: dict[str, dict[str, str]] = {
    "venue": {
        "bitmex": "BitMEX: fund exhausted → ADL at bankruptcy, ranked by PnL% × leverage",
        "binance": "Binance: the fund takes over up to its balance, ranked by PnL% × margin ratio",
        "bybit": "Bybit: ADL once the fund is 30% below its 8 h peak, ranked as BitMEX",
        "okx": "OKX: ADL once the fund is 30% below its 8 h peak, at the mark",
        "hyperliquid": "Hyperliquid: the vault pays until empty, ADL at the mark, no lights",
        "dydx": "dYdX v4: random start in the queue, bankrupt fills skipped, no lights",
    },
    "ranking": {
        "bitmex": "the biggest winners on the most leverage first (BitMEX, Bybit)",
        "binance": "winners with the most profit on their wallet, nearest liquidation first",
        "hyperliquid": "winners by price move × leverage; the rest after every winner",
        "random": "a seeded random starting place, then in order (dYdX v4)",
        "pro_rata": "every winner closes the same fraction of its size (Drift, Paradex)",
        "leverage_first": "the most leveraged winners first, until leverages are equal",
    },
    "adl_price": {
        "bankruptcy": "winners close at the bankrupt position's bankruptcy price (BitMEX)",
        "mark": "winners close at the mark, the fund paying what it may (OKX, Hyperliquid)",
    },
    "trigger_policy": {
        "fund_exhausted": "the fund pays until it is empty; ADL for what is left (floor 0)",
        "fund_drawdown": "the fund may not fall more than a set share below its 8 h peak",
        "takeover_cap": "the fund takes over at most its balance in notional; the rest to ADL",
    },
    "loss_policy": {
        "adl": "what the fund may not pay closes against opposite winners, in queue order",
        "clawback": "no ADL: every winner gives up the same share of its profit (socialized)",
    },
    "mark_policy": {
        "fair": "index × (1 + funding rate × time to funding / interval) (BitMEX)",
        "median": "median of the funding-adjusted index, index + basis, last (Binance)",
        "index": "the index itself: the oracle price (dYdX)",
    },
}

# policy field → choice → a few words, where a line has no room for ``WORDS`` (the
# header, the event log); the identifier itself is for typing (palette, scenario files)
SHORT: dict[str, dict[str, str]] = {
    "venue": {
        "bitmex": "BitMEX",
        "binance": "Binance",
        "bybit": "Bybit",
        "okx": "OKX",
        "hyperliquid": "Hyperliquid",
        "dydx": "dYdX v4",
    },
    "ranking": {
        "bitmex": "PnL × leverage",
        "binance": "PnL × margin ratio",
        "hyperliquid": "move × leverage",
        "random": "random start",
        "pro_rata": "pro rata",
        "leverage_first": "leverage first",
    },
    "adl_price": {"bankruptcy": "at bankruptcy", "mark": "at the mark"},
    "trigger_policy": {
        "fund_exhausted": "fund empty",
        "fund_drawdown": "fund drawdown",
        "takeover_cap": "takeover cap",
    },
    "loss_policy": {"adl": "ADL", "clawback": "clawback"},
    "mark_policy": {"fair": "fair price", "median": "median price", "index": "index price"},
}

# The columns of "The same event under every policy" (the ADL incident), left to right
COMPARISON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("policy", "the ranking policy (or clawback) splitting the same deficit; ← the one in force"),
    ("cost to you", "the profit you would give up against the mark under that policy"),
    ("you close", "how much of your position it would close (— clawback closes none)"),
    ("accounts", "how many winners it touches"),
    ("top share", "the share of its cost (of the size closed, if no cost) on the most-hit one"),
)


def policy_words(field: str, choice: str) -> str:
    """What ``choice`` of the rule ``field`` means, in one line."""
    return WORDS[field][choice]


def short(field: str, choice: str) -> str:
    """A few words for ``choice`` of the rule ``field`` (one the screen has no words for
    as it came: a line in the log never fails for want of words)."""
    return SHORT.get(field, {}).get(str(choice), str(choice))


def in_force(settings: MarketSettings) -> tuple[str, str]:
    """What happens to a loss the fund may not pay, with its label, short enough for the
    header at 80 columns: ``ADL`` ``PnL × leverage, at bankruptcy, fund empty``, or
    ``loss`` ``clawback, fund drawdown``."""
    when = short("trigger_policy", settings.trigger_policy)
    if str(settings.loss_policy) != "adl":
        return "loss", f"{short('loss_policy', settings.loss_policy)}, {when}"
    ranking = short("ranking", settings.ranking)
    return "ADL", f"{ranking}, {short('adl_price', settings.adl_price)}, {when}"
