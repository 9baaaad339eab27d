"""Venue presets (SPEC §5.9): one word sets a market's loss waterfall as a venue runs it.

``venue = "binance"`` sets the ADL trigger, the ranking, the ADL price, the lights
rule, the mark policy, the backstop's band and the funding rule as that venue
documents them; any single setting written beside it still overrides. Where a venue
documents nothing, the stand-in is said in ``SOURCES`` (and in the README's table).
"""

from __future__ import annotations

from dataclasses import replace

from engine.adl import AdlPrice, RankingPolicy
from engine.instrument import FundingSettings, Instrument
from engine.policies import POLICY_BY_FIELD, LightsRule, MarketSettings, TriggerPolicy, Venue
from engine.pricing import MarkPolicy
from engine.units import HOUR, PPM, SECOND

PRESETS: dict[Venue, dict[str, object]] = {
    Venue.BITMEX: dict(
        trigger_policy=TriggerPolicy.FUND_EXHAUSTED,
        ranking=RankingPolicy.BITMEX,
        adl_price=AdlPrice.BANKRUPTCY,
        lights=LightsRule.SIZE,
        mark_policy=MarkPolicy.FAIR,
        liquidation_band=50_000,
    ),
    Venue.BINANCE: dict(
        trigger_policy=TriggerPolicy.TAKEOVER_CAP,
        takeover_share=PPM,
        ranking=RankingPolicy.BINANCE,
        adl_price=AdlPrice.BANKRUPTCY,
        lights=LightsRule.COUNT,
        mark_policy=MarkPolicy.MEDIAN,
        liquidation_band=25_000,
    ),
    Venue.BYBIT: dict(
        trigger_policy=TriggerPolicy.FUND_DRAWDOWN,
        drawdown=300_000,
        ranking=RankingPolicy.BITMEX,
        adl_price=AdlPrice.BANKRUPTCY,
        lights=LightsRule.SIZE,
        mark_policy=MarkPolicy.MEDIAN,
        liquidation_band=50_000,
    ),
    Venue.OKX: dict(
        trigger_policy=TriggerPolicy.FUND_DRAWDOWN,
        drawdown=300_000,
        ranking=RankingPolicy.BINANCE,
        adl_price=AdlPrice.MARK,
        lights=LightsRule.SIZE,
        mark_policy=MarkPolicy.MEDIAN,
        liquidation_band=50_000,
    ),
    Venue.HYPERLIQUID: dict(
        trigger_policy=TriggerPolicy.FUND_EXHAUSTED,
        ranking=RankingPolicy.HYPERLIQUID,
        adl_price=AdlPrice.MARK,
        lights=LightsRule.NONE,
        mark_policy=MarkPolicy.MEDIAN,
        liquidation_band=50_000,
    ),
    Venue.DYDX: dict(
        trigger_policy=TriggerPolicy.FUND_EXHAUSTED,
        ranking=RankingPolicy.RANDOM,
        adl_price=AdlPrice.BANKRUPTCY,
        lights=LightsRule.NONE,
        mark_policy=MarkPolicy.INDEX,
        liquidation_band=15_000,
    ),
}

# What each venue documents about its funding: the premium's sampling and averaging,
# the interval, interest and clamp (per 8 h), and the cap per interval.
FUNDING: dict[Venue, dict[str, object]] = {
    Venue.BITMEX: dict(sample_every=60 * SECOND, average="mean", cap=3_750),
    Venue.BINANCE: dict(sample_every=5 * SECOND, average="weighted", cap=None),  # 0.75 × MMR
    Venue.BYBIT: dict(sample_every=60 * SECOND, average="weighted", cap=3_750),
    Venue.OKX: dict(sample_every=60 * SECOND, average="mean", interest=0, clamp=0, cap=3_750),
    Venue.HYPERLIQUID: dict(interval=HOUR, sample_every=5 * SECOND, average="mean", cap=40_000),
    Venue.DYDX: dict(interval=HOUR, sample_every=60 * SECOND, average="mean", cap=6_000),
}

SOURCES: dict[Venue, str] = {
    Venue.BITMEX: "bitmex.com/app/autoDeleveraging, /app/liquidation, /app/fairPriceMarking, "
    "/app/perpetualContractsGuide#Funding",
    Venue.BINANCE: "binance.com FAQ 360033525471 (ADL), 360033525371 (insurance fund: take-over "
    "up to 100 % of the fund), 360033525031 (funding: 5 s samples, weight i, cap 0.75 × MMR)",
    Venue.BYBIT: "bybit-exchange.github.io/docs/v5/market/adl-alert (8 h, −30 %), help centre "
    "'Auto-Deleveraging', 'What is funding rate' (weights 1…480), 'Dual Price mechanism'",
    Venue.OKX: "okx.com/help/iv-introduction-to-auto-deleveraging-adl (30 % from the 8 h peak, "
    "ADL at the mark), okx.com/help/360053909272 (funding: plain average, interest 0, ±0.375 %)",
    Venue.HYPERLIQUID: "hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging, "
    "/liquidations, /funding (hourly, 5 s samples, cap 4 %/h)",
    Venue.DYDX: "dydxprotocol/v4-chain protocol/x/clob/keeper/deleveraging.go and "
    "liquidations.go (random start, skip who would go bankrupt, bankruptcy price)",
}


def preset(venue: Venue | str) -> MarketSettings:
    """The settings ``venue`` runs its waterfall with."""
    name = Venue(venue)
    return replace(MarketSettings(), venue=name, funding_rule=name, **PRESETS[name])


def switch(settings: MarketSettings, **changes: str) -> MarketSettings:
    """``settings`` with policies switched by name; a ``venue`` resets every setting
    its preset covers first, then the other changes apply. ``PolicyError`` names the
    first unknown setting or value."""
    changes = dict(changes)
    if "venue" in changes:
        venue = POLICY_BY_FIELD["venue"].parse(changes.pop("venue"))
        kept = {
            field: getattr(settings, field) for field in ("loss_policy", "stepwise_liquidation")
        }
        settings = replace(preset(venue), **kept)
    return settings.switched(**changes)


def funding_for(instrument: Instrument, rule: Venue | None) -> FundingSettings:
    """The funding settings a market uses: the instrument's, or a venue's rule on it."""
    if rule is None:
        return instrument.funding
    changes = dict(FUNDING[Venue(rule)])
    if changes.get("cap", 0) is None:  # Binance: 0.75 × the first tier's MMR
        changes["cap"] = 750_000 * instrument.tiers[0].mmr // PPM
    return replace(instrument.funding, **changes)
