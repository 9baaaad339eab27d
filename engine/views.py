"""Read-only views: what the screen, the reports and the calculator may see of the engine.

Plain frozen dataclasses of integers in engine units; formatting happens at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class BookView:
    bids: tuple[tuple[int, int], ...]  # (price ticks, lots), best first
    asks: tuple[tuple[int, int], ...]
    last: int | None
    own_orders: frozenset[int] = frozenset()  # prices where the viewing account rests orders

    @property
    def spread(self) -> int | None:
        if self.bids and self.asks:
            return self.asks[0][0] - self.bids[0][0]
        return None


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: int
    side: int
    order_type: str
    qty: int
    price: int | None
    reduce_only: bool
    trigger: int | None = None


@dataclass(frozen=True, slots=True)
class PositionView:
    side: int
    lots: int
    cost: int
    entry: Fraction  # average entry price, ticks
    mark: int
    notional: int
    leverage: int
    mode: str
    margin: int  # collateral behind the position: isolated margin, or the cross wallet
    maintenance: int
    tier: int
    mmr: int
    equity: int
    ratio: int  # ppm of MM / equity
    unrealized: int
    liquidation_price: Fraction | None
    bankruptcy_price: Fraction
    opened_at: int
    initial_margin: int  # N at entry / leverage: the base of ROE
    adl_rank: int | None = None
    adl_lights: int = 0
    adl_score: float | None = None

    @property
    def roe(self) -> Fraction:
        """Return on the initial margin, as a fraction (0.1 = 10 %)."""
        return (
            Fraction(self.unrealized, self.initial_margin) if self.initial_margin else Fraction(0)
        )


@dataclass(frozen=True, slots=True)
class AccountView:
    id: str
    mode: str
    leverage: int
    wallet: int  # wallet including any margin isolated in the position
    isolated_margin: int
    available: int
    reserved: int  # initial margin held for open orders
    position: PositionView | None
    orders: tuple[OrderView, ...]
    bankrupt: bool = False


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    deposits: int
    withdrawals: int
    wallets: int  # Σ wallets, isolated margin included
    unrealized: int
    insurance_fund: int
    fees: int
    settlement: int
    funding_pool: int
    long_lots: int
    short_lots: int

    @property
    def conserved(self) -> bool:
        """SPEC §1: Σ wallets + Σ uPnL + insurance fund + fee pool = deposits − withdrawals."""
        held = self.wallets + self.unrealized + self.insurance_fund + self.fees + self.funding_pool
        return held == self.deposits - self.withdrawals

    @property
    def balanced(self) -> bool:
        return self.long_lots == self.short_lots


@dataclass(frozen=True, slots=True)
class MarketView:
    time: int
    index: int
    mark: int
    last: int | None
    funding_rate: int  # ppm, predicted for the next settlement
    next_funding: int
    insurance_fund: int
    insurance_peak: int
    open_interest: int  # lots on each side
