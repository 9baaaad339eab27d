"""The market's rules, in one place: which policies exist, their defaults, their names.

A scenario's ``[market]`` table, the exchange's configuration, a live switch from
the command palette and the screens that name the rules in force all read this
module, so a policy is added (or its default changed) here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from engine.adl import AdlPrice, RankingPolicy
from engine.errors import UserFacingError
from engine.pricing import MarkPolicy
from engine.units import PPM


class TriggerPolicy(StrEnum):
    """When the insurance fund may no longer absorb a loss (SPEC §5.3)."""

    FUND_EXHAUSTED = "fund_exhausted"
    FUND_DRAWDOWN = "fund_drawdown"
    TAKEOVER_CAP = "takeover_cap"


class LossPolicy(StrEnum):
    """What covers a loss the fund may not absorb (SPEC §5.4, §5.7)."""

    ADL = "adl"
    CLAWBACK = "clawback"


class Haircut(StrEnum):
    """How a clawback splits the fund's shortfall among the winners (SPEC §5.7–8,
    ``engine/allocation.py``), positions left open: profit space, no lot grid (so
    ``min_max`` would be ``pnl_pro_rata``)."""

    PNL_PRO_RATA = "pnl_pro_rata"  # one rate on every winner's profit: the classic clawback
    CAPPED_PRO_RATA = "capped_pro_rata"  # at most half of a winner's profit per round
    RISK_PRO_RATA = "risk_pro_rata"  # weighted by leverage


class Venue(StrEnum):
    """A venue whose loss waterfall one word sets (SPEC §5.9; ``engine/venues.py``)."""

    BITMEX = "bitmex"
    BINANCE = "binance"
    BYBIT = "bybit"
    OKX = "okx"
    HYPERLIQUID = "hyperliquid"
    DYDX = "dydx"


class LightsRule(StrEnum):
    """How the ADL indicator buckets a side's queue into five lights."""

    SIZE = "size"  # BitMEX: the cumulative share of the side's size, in 20 % steps
    COUNT = "count"  # Binance: the rank over the number of positions, in 20 % steps
    NONE = "none"  # Hyperliquid, dYdX: no indicator is published


@dataclass(frozen=True, slots=True)
class MarketSettings:
    """The rules a market runs under; a scenario sets them, a user may switch the
    policies among them while it runs."""

    venue: Venue = Venue.BITMEX  # the preset the rest started from (engine/venues.py)
    mark_policy: MarkPolicy = MarkPolicy.FAIR
    trigger_policy: TriggerPolicy = TriggerPolicy.FUND_EXHAUSTED
    drawdown: int = 300_000  # ppm below the trailing 8 h peak (fund_drawdown)
    ranking: RankingPolicy = RankingPolicy.BITMEX
    adl_price: AdlPrice = AdlPrice.BANKRUPTCY
    loss_policy: LossPolicy = LossPolicy.ADL
    liquidation_band: int = 50_000  # ppm around the mark within which the backstop trades
    takeover_share: int = PPM  # takeover_cap: the most the fund may hold, ppm of its balance
    stepwise_liquidation: bool = False  # cut positions above tier 1 a tier at a time
    lights: LightsRule = LightsRule.SIZE
    funding_rule: Venue | None = None  # whose funding averaging and cap; None: the instrument's
    haircut: Haircut = Haircut.PNL_PRO_RATA  # clawback: how the shortfall is split
    severity: int = PPM  # clawback: θ, the share of each shortfall the winners are asked for

    def switched(self, **changes: str) -> MarketSettings:
        """These settings with some policies switched by name; ``PolicyError`` names the
        first unknown setting or value."""
        values = {}
        for name, value in changes.items():
            policy = POLICY_BY_FIELD.get(name)
            if policy is None:
                raise PolicyError(f"unknown setting {name!r}")
            values[name] = policy.parse(value)
        return replace(self, **values)

    def describe(self) -> str:
        """The policies in force, as one line: ``bitmex@bankruptcy · fund_exhausted``."""
        line = f"{self.ranking}@{self.adl_price} · {self.trigger_policy}"
        if self.loss_policy is not LossPolicy.ADL:
            line += f" · {self.loss_policy}"
        return line


class PolicyError(UserFacingError):
    """A policy name or value that does not exist."""


@dataclass(frozen=True, slots=True)
class Policy:
    """One switchable rule: its field in ``MarketSettings``, its key in a scenario file,
    its choices, and how the screen names it."""

    field: str
    key: str
    choices: type[StrEnum]
    title: str
    meaning: str

    @property
    def default(self) -> StrEnum:
        return getattr(MarketSettings(), self.field)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def parse(self, value: str) -> StrEnum:
        try:
            return self.choices(value)
        except ValueError:
            raise PolicyError(
                f"{value!r} is not a {self.field}: choose {', '.join(self.names)}"
            ) from None


POLICIES: tuple[Policy, ...] = (
    Policy("venue", "venue", Venue, "Venue", "one word for a venue's whole waterfall"),
    Policy("ranking", "adl_ranking", RankingPolicy, "ADL ranking", "who is deleveraged first"),
    Policy("adl_price", "adl_price", AdlPrice, "ADL price", "the price ADL closes positions at"),
    Policy(
        "trigger_policy",
        "adl_trigger",
        TriggerPolicy,
        "ADL trigger",
        "when the insurance fund stops paying",
    ),
    Policy(
        "loss_policy",
        "loss_policy",
        LossPolicy,
        "Loss policy",
        "ADL, or clawback of the winners' profit",
    ),
    Policy("mark_policy", "mark_policy", MarkPolicy, "Mark price", "how the mark price is made"),
)
POLICY_BY_FIELD = {policy.field: policy for policy in POLICIES}
