"""The traded contract: tick, lot, fees, funding settings and the margin tier table.

A linear (USDT-margined) perpetual. Prices are ticks and sizes lots; one lot at
one tick is worth ``contract_value`` money units, so notional and PnL stay exact
integers: ``money = lots × ticks × contract_value``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from engine.datafile import DataFileError, Table, load_toml, packaged
from engine.units import (
    HOUR,
    MINUTE,
    MONEY_SCALE,
    PPM,
    UnitError,
    ceil_div,
    format_money_short,
    parse_decimal,
    parse_duration,
    parse_rate,
    to_money,
)

DEFAULT_TIERS = "binance-btcusdt-2021-03.toml"
DEFAULT_INSTRUMENT = "btcusdt.toml"


@dataclass(frozen=True, slots=True)
class Tier:
    """One row of the risk-limit table; ``cum`` is the maintenance amount."""

    number: int
    floor: int  # notional floor, money units
    max_leverage: int
    mmr: int  # ppm
    cum: int  # money units


@dataclass(frozen=True, slots=True)
class FundingSettings:
    interval: int = 8 * HOUR
    interest: int = 100  # ppm per interval (0.01 %)
    clamp: int = 500  # ppm (0.05 %)
    cap: int = 7500  # ppm (0.75 %)
    impact_notional: int = 25_000 * MONEY_SCALE
    sample_every: int = MINUTE
    average: str = "mean"  # of the interval's premium samples; "weighted": sample i weighs i


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str
    tick_size: Decimal
    lot_size: Decimal
    maker_fee: int  # ppm
    taker_fee: int  # ppm
    tiers: tuple[Tier, ...]
    funding: FundingSettings = FundingSettings()
    quote: str = "USDT"
    contract_value: int = field(init=False)  # money units of one lot at one tick
    floors: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "contract_value", int(self.tick_size * self.lot_size * MONEY_SCALE)
        )
        object.__setattr__(self, "floors", tuple(t.floor for t in self.tiers))

    @property
    def price_decimals(self) -> int:
        return max(0, -self.tick_size.as_tuple().exponent)

    @property
    def qty_decimals(self) -> int:
        return max(0, -self.lot_size.as_tuple().exponent)

    def tier_for(self, notional: int) -> Tier:
        """The tier whose floor is the highest not above ``notional`` (money units)."""
        index = bisect_right(self.floors, notional) - 1
        return self.tiers[max(index, 0)]

    def notional(self, lots: int, ticks: int) -> int:
        return abs(lots) * ticks * self.contract_value

    # -- edges: text in, integers out ------------------------------------------------

    def lots(self, text: str | int | Decimal) -> int:
        """Base-currency size → lots; refuses sizes off the lot grid."""
        value = parse_decimal(text, "size")
        if value <= 0:
            raise UnitError(f"size {text} must be positive")
        lots = value / self.lot_size
        if lots != lots.to_integral_value():
            raise UnitError(f"size {text} is not a multiple of the lot size {self.lot_size}")
        return int(lots)

    def ticks(self, text: str | int | Decimal) -> int:
        """Quote price → ticks; refuses prices off the tick grid."""
        value = parse_decimal(text, "price")
        if value <= 0:
            raise UnitError(f"price {text} must be positive")
        ticks = value / self.tick_size
        if ticks != ticks.to_integral_value():
            raise UnitError(f"price {text} is not a multiple of the tick size {self.tick_size}")
        return int(ticks)

    def money_text(self, units: int) -> str:
        """Money for a message: ``12,345.68 USDT``."""
        return f"{format_money_short(units)} {self.quote}"

    def price_text(self, ticks: int) -> str:
        return f"{ticks * self.tick_size:.{self.price_decimals}f}"

    def qty_text(self, lots: int) -> str:
        return f"{lots * self.lot_size:.{self.qty_decimals}f}"


def build_tiers(rows: list[tuple[int, int, int]]) -> tuple[Tier, ...]:
    """Tiers from (floor money, max leverage, mmr ppm) rows; maintenance amounts by recurrence.

    cum_0 = 0; cum_n = floor_n · (MMR_n − MMR_{n−1}) + cum_{n−1}, rounded up to the
    money unit (exact for any floor in whole cents).
    """
    tiers: list[Tier] = []
    for number, (floor, max_leverage, mmr) in enumerate(rows, start=1):
        if tiers:
            previous = tiers[-1]
            cum = ceil_div(floor * (mmr - previous.mmr), PPM) + previous.cum
        else:
            cum = 0
        tiers.append(Tier(number, floor, max_leverage, mmr, cum))
    return tuple(tiers)


def load_tiers(path: str | Path | None = None) -> tuple[Tier, ...]:
    """Read a tier table file (``[[tiers]]`` rows of floor, max_leverage, mmr)."""
    path = path or packaged("tiers", DEFAULT_TIERS)
    table = Table(load_toml(path), path)
    return _tiers_from(table)


def _tiers_from(table: Table) -> tuple[Tier, ...]:
    rows = []
    for row in table.tables("tiers"):
        row.check_known({"floor", "max_leverage", "mmr"})
        floor = row.parse("floor", lambda s: to_money(s, "floor"))
        max_leverage = row.get("max_leverage", int)
        mmr = row.parse("mmr", lambda s: parse_rate(s, "mmr"))
        if max_leverage < 1:
            raise row.fail("max_leverage", "must be at least 1")
        if not 0 < mmr < PPM:
            raise row.fail("mmr", "must be between 0% and 100%")
        if rows and floor <= rows[-1][0]:
            raise row.fail("floor", "floors must increase from one tier to the next")
        if rows and mmr < rows[-1][2]:
            raise row.fail("mmr", "maintenance rates must not decrease with the tier")
        rows.append((floor, max_leverage, mmr))
    if not rows:
        raise table.fail("tiers", "needs at least one tier")
    if rows[0][0] != 0:
        raise table.fail("tiers", "the first tier's floor must be 0")
    return build_tiers(rows)


def load_instrument(path: str | Path | None = None, tiers_path: str | Path | None = None):
    """Read an instrument file; its tiers come from ``tiers = "<file>"`` or ``tiers_path``."""
    path = path or packaged("instruments", DEFAULT_INSTRUMENT)
    table = Table(load_toml(path), path)
    return instrument_from_table(table, Path(path).parent, tiers_path)


def instrument_from_table(
    table: Table, base: Path, tiers_path: str | Path | None = None
) -> Instrument:
    if table.has("liquidation_fee"):
        raise table.fail(
            "liquidation_fee",
            "is not a setting: a liquidated trader loses the whole margin, and whatever the "
            "backstop closes better than bankruptcy goes to the insurance fund (the clearance, "
            "SPEC §5.2); delete the line",
        )
    table.check_known(
        {"symbol", "quote", "tick_size", "lot_size", "maker_fee", "taker_fee", "tiers", "funding"}
    )
    tick = table.parse("tick_size", lambda s: parse_decimal(s, "tick_size"))
    lot = table.parse("lot_size", lambda s: parse_decimal(s, "lot_size"))
    for key, value in (("tick_size", tick), ("lot_size", lot)):
        if value <= 0:
            raise table.fail(key, "must be positive")
    if (tick * lot * MONEY_SCALE) != (tick * lot * MONEY_SCALE).to_integral_value():
        raise table.fail("lot_size", "tick_size × lot_size is finer than 1e-8 of the quote")
    fees = {
        key: table.parse(key, lambda s, k=key: parse_rate(s, k), default)
        for key, default in (("maker_fee", 200), ("taker_fee", 400))
    }
    for key, value in fees.items():
        if not 0 <= value < PPM // 10:
            raise table.fail(key, "must be between 0% and 10%")
    tiers = _resolve_tiers(table, base, tiers_path)
    return Instrument(
        symbol=table.get("symbol", str, "BTCUSDT"),
        tick_size=tick,
        lot_size=lot,
        maker_fee=fees["maker_fee"],
        taker_fee=fees["taker_fee"],
        tiers=tiers,
        funding=_funding_from(table.table("funding", required=False)),
        quote=table.get("quote", str, "USDT"),
    )


def _resolve_tiers(table: Table, base: Path, tiers_path: str | Path | None) -> tuple[Tier, ...]:
    if tiers_path is not None:
        return load_tiers(tiers_path)
    if not table.has("tiers"):
        return load_tiers()
    value = table.data["tiers"]
    if isinstance(value, list):
        return _tiers_from(table)
    name = table.get("tiers", str)
    for candidate in (base / name, packaged("tiers", name)):
        if candidate.is_file():
            return load_tiers(candidate)
    raise table.fail("tiers", f"no tier file named {name!r}")


def _funding_from(table: Table) -> FundingSettings:
    table.check_known({"interval", "interest", "clamp", "cap", "impact_notional", "sample_every"})
    d = FundingSettings()
    settings = FundingSettings(
        interval=table.parse("interval", parse_duration, d.interval),
        interest=table.parse("interest", parse_rate, d.interest),
        clamp=table.parse("clamp", parse_rate, d.clamp),
        cap=table.parse("cap", parse_rate, d.cap),
        impact_notional=table.parse("impact_notional", to_money, d.impact_notional),
        sample_every=table.parse("sample_every", parse_duration, d.sample_every),
    )
    if settings.sample_every > settings.interval:
        raise table.fail("sample_every", "must not exceed the funding interval")
    return settings


def default_instrument() -> Instrument:
    try:
        return load_instrument()
    except DataFileError as error:  # a broken install, not a user mistake
        raise RuntimeError(f"shipped instrument file is broken: {error}") from error
