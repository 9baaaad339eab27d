"""Read-only views: what the screen, the reports and the calculator may see of the engine.

Plain frozen dataclasses of integers in engine units; formatting happens at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.instrument import Tier
from engine.margin import UNBOUNDED_RATIO


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
    whole: bool = False  # a position's TP/SL: its size is the position's, whatever it becomes


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
    realized: int = 0  # since the position opened: realized PnL less fees, plus funding
    break_even: Fraction | None = None  # ticks: closing there at market leaves it even
    fees: int = 0  # paid since the position opened
    funding: int = 0  # received (+) or paid (−) since it opened

    @property
    def unbounded(self) -> bool:
        """Equity is gone (≤ 0): the margin ratio has no finite value to show."""
        return self.ratio >= UNBOUNDED_RATIO

    @property
    def position_margin(self) -> int:
        """The margin that is the position's own: isolated, its margin; cross, its share
        of the wallet, the initial margin it holds (the wallet backs every position)."""
        return self.margin if self.mode == "isolated" else self.initial_margin

    @property
    def roe(self) -> Fraction:
        """Return on the position's margin (``position_margin``), as a fraction (0.1 = 10 %)."""
        base = self.position_margin
        return Fraction(self.unrealized, base) if base > 0 else Fraction(0)


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
    max_leverage: int = 125  # the tier's limit at the position's present size


@dataclass(frozen=True, slots=True)
class PricePoint:
    """Where the prices stood after one step: what the chart keeps."""

    time: int
    mark: int
    index: int
    fund_equity: int = 0  # the insurance fund's balance + what its backstop holds, at the mark
    fund_balance: int = 0
    fund_floor: int = 0  # the lowest balance the ADL trigger in force lets the fund reach


@dataclass(frozen=True, slots=True)
class OrderPreview:
    """An order as typed, before it is sent: what it would commit."""

    notional: int
    initial_margin: int
    leverage: int
    filled: int = 0  # lots the estimate fills: what the book takes, the rest at its price
    taken: int = 0  # of them, lots taken from the book now
    average: Fraction | None = None  # ticks: the estimated average fill
    slippage: int | None = None  # ppm of the average taken price beyond the touch
    liquidation: Fraction | None = None  # ticks, of the position after the fill
    bankruptcy: Fraction | None = None
    side: int = 0  # of the position after the fill: its prices are shown on the mark's side
    cross: bool = False  # cross margin: the wallet, not the leverage, sets the liq. price
    closes: bool = False  # the fill closes the position


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
class HeldSide:
    """What the backstop holds on one side: the liquidated positions it took over at their
    bankruptcy prices and has not yet worked off, summed (SPEC §5.2)."""

    side: int
    positions: int
    lots: int
    cost: int  # money: Σ lots × take-over price
    entry: Fraction  # ticks: the average take-over price
    unrealized: int  # money: their profit or loss at the mark, the fund's


@dataclass(frozen=True, slots=True)
class MarketView:
    time: int
    index: int
    mark: int
    last: int | None
    funding_rate: int  # ppm, predicted for the next settlement
    next_funding: int
    insurance_fund: int  # the fund's balance
    insurance_peak: int  # its highest balance of the trailing 8 h
    open_interest: int  # lots on each side
    fund_equity: int = 0  # balance + the profit or loss of what the backstop holds, at mark
    backstop_long: int = 0  # lots of liquidated longs the backstop holds
    backstop_short: int = 0  # lots of liquidated shorts it holds
    fund_floor: int = 0  # the lowest balance the ADL trigger in force lets the fund reach
    fund_in: int = 0  # money the fund received since its initial deposit, gross
    fund_out: int = 0  # money it paid out, gross
    backstop: tuple[HeldSide, ...] = ()  # what the backstop holds, a side a line


# -- why a position stands where it does (engine/explain.py fills these) -----------


@dataclass(frozen=True, slots=True)
class LiquidationTerms:
    """LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q), with the tier the engine used.

    ``top`` is money units; ``bottom`` is in base units (lots × lot size), so
    ``top / MONEY_SCALE / bottom`` is the price in the quote currency.
    """

    tier: Tier  # the tier at the liquidation price's notional
    wallet: int  # WB
    other_maintenance: int  # TMM: one instrument, so always 0 here
    other_unrealized: int  # UPNL of other positions: 0 here
    cost_value: int  # s·Q·P_e in money units
    top: int
    bottom: Fraction
    price: Fraction | None  # ticks; None when no positive price liquidates
    maintenance_at_price: int | None  # MM at LP, which equals the equity there


@dataclass(frozen=True, slots=True)
class BankruptcyTerms:
    """P_bk = P_e − s·WB/Q: where equity is zero."""

    entry: Fraction  # ticks
    collateral: int  # WB, money units
    price: Fraction  # ticks


@dataclass(frozen=True, slots=True)
class QueuePlace:
    """A position's place in its side's ADL queue ranked at one mark, now (not as the
    lights last published it): ``engine/ranking_at.py``."""

    rank: int
    lights: int  # 0 when the venue publishes no lights
    score: float
    share: int  # ppm: size ranked ahead plus own size, over the side's total


@dataclass(frozen=True, slots=True)
class AdlTerms:
    """The position's place in its side's ADL queue and how its score is made."""

    policy: str
    rank: int | None  # in the queue the lights last published; None before the first
    lights: int
    published_score: float | None
    share: int | None  # ppm: size ranked ahead plus own size, over the side's total
    band: tuple[int, int] | None  # (low, high] ppm of that share which gives these lights
    queue_length: int  # positions on the same side now
    score: float  # the policy's score at the current mark
    terms: tuple[tuple[str, float], ...]  # the factors the score is made of
    grouped: bool  # pro-rata and random: lights show a group's share, not a place
    now: QueuePlace | None = None  # ranked at the explained mark (what-if): every score there


@dataclass(frozen=True, slots=True)
class Explanation:
    account: str
    mode: str
    leverage: int
    side: int
    lots: int
    entry: Fraction  # ticks
    mark: int
    notional: int
    collateral: int  # WB: the isolated margin or the cross wallet
    unrealized: int
    equity: int
    tier: Tier  # at the current notional
    maintenance: int  # MM now
    ratio: int  # ppm, MM / equity
    initial_margin: int
    liquidation: LiquidationTerms
    bankruptcy: BankruptcyTerms
    adl: AdlTerms


# -- one side's ADL queue, ranked now (engine/queue_view.py fills these) -----------


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One position of the queue as the queue view lists it."""

    index: int  # 0 for the first to be deleveraged
    rank: int  # as the policy ranks it (pro-rata's groups share one)
    account: str
    score: float
    lights: int  # 0 when the venue publishes none
    lots: int
    unrealized: int  # money, at the mark
    equity: int  # collateral + uPnL, at the mark
    notional: int  # money, at the mark: notional / equity is its leverage
    published_rank: int | None  # in the queue the lights last published
    you: bool


@dataclass(frozen=True, slots=True)
class QueueView:
    """The user's side's ADL queue ranked at the live mark under the policy in force:
    its head and the rows around the user, never the whole side (100,000 positions)."""

    side: int
    policy: str
    lights_rule: str
    mark: int
    length: int  # positions on the side
    rows: tuple[QueueRow, ...]  # in queue order; a gap in ``index`` is rows left out
    you: QueuePlace | None  # None: the user holds no position on this side
    has_position: bool  # False: the user is flat, and ``side`` is the longs'


# -- one ADL event split by every policy (engine/counterfactual.py) ----------------


@dataclass(frozen=True, slots=True)
class PolicySplit:
    policy: str
    haircuts: tuple[tuple[str, int], ...]  # (account, money given up), largest first
    touched: int
    top_share: int  # ppm of the deficit (of the lots, when there is no deficit) on the top one
    top10_share: int
    sizes: tuple[tuple[str, int], ...] = ()  # (account, lots it would close), largest first


@dataclass(frozen=True, slots=True)
class Counterfactual:
    adl_id: int
    deficit: int
    actual: str
    splits: tuple[PolicySplit, ...]
