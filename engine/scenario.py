"""Scenarios: TOML files that set the market, the feed, the population and the user.

Shipped scenarios live in ``engine/scenarios/``; a user may pass a path to a copy of
their own. Sizes and balances are in the quote currency, so one population works
for a 90,000 BTC feed and a 1.1 FX replay alike. Every mistake in a file names the
file, the key and the problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path

from engine.datafile import DataFileError, Table, load_toml, packaged, require_regular
from engine.feeds.random_walk import Shock
from engine.instrument import Instrument, instrument_from_table, load_instrument
from engine.policies import POLICIES, LightsRule, MarketSettings, Venue
from engine.scripted import AccountSpec, accounts_from, path_from
from engine.units import PPM, parse_decimal, parse_duration, parse_rate, to_money
from engine.venues import preset


@dataclass(frozen=True, slots=True)
class MakerSpec:
    count: int = 3
    levels: int = 10
    spread: int = 200  # ppm of the index between best bid and best ask
    step: int = 200  # ppm between levels
    notional: int = 20_000 * 10**8  # quote money per level
    balance: int = 10_000_000 * 10**8
    leverage: int = 10
    skew: int = 2_000  # ppm the ladder shifts per 100 % of the inventory limit
    inventory: int = 500_000 * 10**8  # inventory (notional) at which the skew is full
    widen: float = 3.0  # spread and step multiplier in a volatile regime
    thin: float = 0.3  # size multiplier in a volatile regime
    refresh: int = 30  # steps between forced requotes


@dataclass(frozen=True, slots=True)
class NoiseSpec:
    count: int = 8
    rate: float = 0.05  # market orders per trader per step
    notional: int = 5_000 * 10**8
    balance: int = 200_000 * 10**8
    leverage: int = 5


@dataclass(frozen=True, slots=True)
class CrowdSpec:
    count: int = 120
    balance: int = 2_000 * 10**8
    long_share: float = 0.5
    isolated_share: float = 0.5
    leverage: tuple[tuple[int, float], ...] = ((2, 1), (5, 2), (10, 3), (20, 3), (50, 2), (100, 1))
    margin_fraction: float = 0.5  # share of the balance put up as initial margin
    activity: float = 0.01  # chance per step that a trader acts
    take_profit: int = 300_000  # ROE (ppm) at which a winner closes
    comeback: int = 30 * 60 * 10**6  # µs a liquidated trader waits before re-depositing


@dataclass(frozen=True, slots=True)
class MomentumSpec:
    count: int = 0
    balance: int = 20_000 * 10**8
    leverage: int = 10
    notional: int = 20_000 * 10**8
    window: int = 60 * 10**6
    threshold: int = 3_000  # ppm move over the window that starts a chase
    rate: float = 0.05


@dataclass(frozen=True, slots=True)
class Population:
    makers: MakerSpec = MakerSpec()
    noise: NoiseSpec = NoiseSpec()
    crowd: CrowdSpec = CrowdSpec()
    momentum: MomentumSpec = MomentumSpec()


NO_POPULATION = Population(
    MakerSpec(count=0), NoiseSpec(count=0), CrowdSpec(count=0), MomentumSpec(count=0)
)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    kind: str = "random_walk"  # or "replay"
    start_price: Decimal = Decimal("50000")
    step: int = 10**6
    calm_volatility: float = 0.5
    volatile_volatility: float = 1.5
    calm_duration: int = 2 * 3600 * 10**6
    volatile_duration: int = 20 * 60 * 10**6
    jumps_per_hour: float = 0.2
    jump_size: float = 0.01
    shocks: tuple[Shock, ...] = ()
    replay: Path | None = None
    format: str | None = None
    sort: bool = False
    path: tuple[tuple[int, Decimal], ...] = ()  # (µs after the start, price): a scripted index


DEFAULT_FUND = 500_000 * 10**8  # a scenario's insurance fund when it names none


@dataclass(frozen=True, slots=True)
class UserSpec:
    balance: int = 10_000 * 10**8
    leverage: int = 10
    mode: str = "cross"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    path: Path
    seed: int
    duration: int | None  # µs; None: to the end of a replay
    instrument: Instrument
    tick_fixed: bool  # False: a replay may derive the tick from its data
    feed: FeedSpec
    market: MarketSettings
    insurance_fund: int  # money units the fund starts with
    user: UserSpec = UserSpec()
    population: Population = field(default_factory=Population)
    accounts: tuple[AccountSpec, ...] = ()  # declared traders, with positions and orders


# -- finding scenarios ------------------------------------------------------------------


def shipped() -> list[tuple[str, str]]:
    """(name, description) of every scenario shipped with the sandbox."""
    folder = resources.files("engine") / "scenarios"
    names = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))
    return [(name, load_scenario(name).description) for name in names]


def scenario_path(name_or_path: str | Path) -> Path:
    """A shipped name (``flash-crash``) or a path to a TOML file of one's own."""
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or candidate.parent != Path("."):
        require_regular(candidate, DataFileError, "scenario file")
        return candidate
    shipped_path = Path(str(resources.files("engine") / "scenarios" / f"{text}.toml"))
    if not shipped_path.is_file() and (candidate.exists() or candidate.is_symlink()):
        require_regular(candidate, DataFileError, "scenario file")  # one's own, named bare
        return candidate
    if not shipped_path.is_file():
        names = ", ".join(sorted(p.stem for p in shipped_path.parent.glob("*.toml")))
        raise DataFileError(f"unknown scenario {text!r}; shipped: {names}")
    return shipped_path


def load_scenario(name_or_path: str | Path) -> Scenario:
    path = scenario_path(name_or_path)
    table = Table(load_toml(path), path)
    table.check_known(
        {"name", "description", "seed", "duration", "instrument", "feed", "market", "user"}
        | {"population", "accounts", "lesson"}  # a lesson is a scenario with a story
    )
    accounts = accounts_from(table)
    instrument, tick_fixed = _instrument(table.table("instrument", required=False), path.parent)
    market = table.table("market", required=False)
    return Scenario(
        name=table.get("name", str, path.stem),
        description=table.get("description", str, ""),
        path=path,
        seed=_non_negative(table, "seed", 0),
        duration=table.parse("duration", parse_duration, None),
        instrument=instrument,
        tick_fixed=tick_fixed,
        feed=_feed(table.table("feed", required=False), path.parent),
        market=_market(market),
        insurance_fund=_money(market, "insurance_fund", DEFAULT_FUND),
        user=_user(table.table("user", required=False)),
        population=_population(table.table("population", required=False), bool(accounts)),
        accounts=accounts,
    )


# -- sections ---------------------------------------------------------------------------


def _instrument(table: Table, base: Path) -> tuple[Instrument, bool]:
    if table.has("file"):
        known = {"file", "tiers"}
        table.check_known(known)
        name = table.get("file", str)
        path = base / name if (base / name).is_file() else packaged("instruments", name)
        if not path.is_file():
            raise table.fail("file", f"no instrument file named {name!r}")
        tiers = table.get("tiers", str, None)
        tiers_path = None
        if tiers is not None:
            tiers_path = base / tiers if (base / tiers).is_file() else packaged("tiers", tiers)
            if not tiers_path.is_file():
                raise table.fail("tiers", f"no tier file named {tiers!r}")
        return load_instrument(path, tiers_path), True
    if not table.data:
        return load_instrument(), False
    defaults = Table(load_toml(packaged("instruments", "btcusdt.toml")), "btcusdt.toml")
    merged = Table({**defaults.data, **table.data}, table.file, table.where)
    return instrument_from_table(merged, base), table.has("tick_size")


def _feed(table: Table, base: Path) -> FeedSpec:
    table.check_known(
        {"kind", "start_price", "step", "calm_volatility", "volatile_volatility"}
        | {"calm_duration", "volatile_duration", "jumps_per_hour", "jump_size", "shocks"}
        | {"file", "format", "sort", "points"}
    )
    kind = table.get("kind", str, "random_walk")
    if kind not in ("random_walk", "replay", "path"):
        raise table.fail("kind", f"{kind!r} is not random_walk, replay or path")
    d = FeedSpec()
    spec = FeedSpec(
        kind=kind,
        start_price=table.parse("start_price", lambda s: _positive_decimal(s), d.start_price),
        step=table.parse("step", parse_duration, d.step),
        calm_volatility=_fraction(table, "calm_volatility", d.calm_volatility, upper=20.0),
        volatile_volatility=_fraction(table, "volatile_volatility", d.volatile_volatility, 20.0),
        calm_duration=table.parse("calm_duration", parse_duration, d.calm_duration),
        volatile_duration=table.parse("volatile_duration", parse_duration, d.volatile_duration),
        jumps_per_hour=_fraction(table, "jumps_per_hour", d.jumps_per_hour, upper=3600.0),
        jump_size=_fraction(table, "jump_size", d.jump_size, upper=1.0),
        shocks=tuple(_shock(t) for t in table.tables("shocks")) if table.has("shocks") else (),
        replay=_replay_path(table, base) if kind == "replay" else None,
        format=table.get("format", str, None),
        sort=table.get("sort", bool, False),
        path=path_from(table) if kind == "path" else (),
    )
    if kind == "replay" and spec.replay is None:
        raise table.fail("file", "a replay feed needs a file")
    return spec


def _replay_path(table: Table, base: Path) -> Path | None:
    if not table.has("file"):
        return None
    name = table.get("file", str)
    for candidate in (base / name, Path(str(resources.files("engine") / "data" / name))):
        if candidate.is_file():
            return candidate
    raise table.fail("file", f"no replay file {name!r} next to the scenario")


def _shock(table: Table) -> Shock:
    table.check_known({"at", "change", "over"})
    change = table.parse("change", parse_rate)
    if not -PPM < change <= 10 * PPM:
        raise table.fail("change", "must be above −100% and at most +1000%")
    return Shock(
        at=table.parse("at", _offset),
        change=change / PPM,
        over=table.parse("over", parse_duration),
    )


def _market(table: Table) -> MarketSettings:
    """A venue's preset (``venue``, default ``bitmex``), then each setting written beside
    it, which overrides the preset's."""
    numbers = {"drawdown", "liquidation_band", "takeover_share"}
    table.check_known(
        {policy.key for policy in POLICIES}
        | numbers
        | {"insurance_fund", "stepwise_liquidation", "lights", "funding_rule"}
    )
    base = preset(_choice(table, "venue", Venue, Venue.BITMEX))
    changes = {
        policy.field: _choice(table, policy.key, policy.choices, None)
        for policy in POLICIES
        if policy.field != "venue"
    }
    changes |= {key: _rate(table, key, None) for key in numbers}
    changes["lights"] = _choice(table, "lights", LightsRule, None)
    changes["funding_rule"] = _choice(table, "funding_rule", Venue, None)
    changes["stepwise_liquidation"] = table.get("stepwise_liquidation", bool, None)
    return replace(base, **{key: value for key, value in changes.items() if value is not None})


def _user(table: Table) -> UserSpec:
    table.check_known({"balance", "leverage", "mode"})
    d = UserSpec()
    mode = table.get("mode", str, d.mode)
    if mode not in ("cross", "isolated"):
        raise table.fail("mode", f"{mode!r} is not cross or isolated")
    return UserSpec(
        balance=_money(table, "balance", d.balance),
        leverage=_leverage(table, "leverage", d.leverage),
        mode=mode,
    )


def _population(table: Table, scripted: bool) -> Population:
    """The simulated traders; a scenario that declares its own accounts has none unless it
    asks for them."""
    if scripted and not table.data:
        return NO_POPULATION
    table.check_known({"makers", "noise", "crowd", "momentum"})
    return Population(
        makers=_makers(table.table("makers", required=False)),
        noise=_noise(table.table("noise", required=False)),
        crowd=_crowd(table.table("crowd", required=False)),
        momentum=_momentum(table.table("momentum", required=False)),
    )


def _makers(table: Table) -> MakerSpec:
    d = MakerSpec()
    table.check_known(set(MakerSpec.__slots__))
    return MakerSpec(
        count=_count(table, "count", d.count),
        levels=_count(table, "levels", d.levels, minimum=1),
        spread=_rate(table, "spread", d.spread),
        step=_rate(table, "step", d.step),
        notional=_money(table, "notional", d.notional),
        balance=_money(table, "balance", d.balance),
        leverage=_leverage(table, "leverage", d.leverage),
        skew=_rate(table, "skew", d.skew),
        inventory=_money(table, "inventory", d.inventory),
        widen=_fraction(table, "widen", d.widen, upper=100.0),
        thin=_fraction(table, "thin", d.thin, upper=1.0),
        refresh=_count(table, "refresh", d.refresh, minimum=1),
    )


def _noise(table: Table) -> NoiseSpec:
    d = NoiseSpec()
    table.check_known(set(NoiseSpec.__slots__))
    return NoiseSpec(
        count=_count(table, "count", d.count),
        rate=_fraction(table, "rate", d.rate, upper=1.0),
        notional=_money(table, "notional", d.notional),
        balance=_money(table, "balance", d.balance),
        leverage=_leverage(table, "leverage", d.leverage),
    )


def _crowd(table: Table) -> CrowdSpec:
    d = CrowdSpec()
    table.check_known(set(CrowdSpec.__slots__))
    return CrowdSpec(
        count=_count(table, "count", d.count),
        balance=_money(table, "balance", d.balance),
        long_share=_fraction(table, "long_share", d.long_share, upper=1.0),
        isolated_share=_fraction(table, "isolated_share", d.isolated_share, upper=1.0),
        leverage=_leverage_mix(table, d.leverage),
        margin_fraction=_fraction(table, "margin_fraction", d.margin_fraction, upper=1.0),
        activity=_fraction(table, "activity", d.activity, upper=1.0),
        take_profit=_rate(table, "take_profit", d.take_profit),
        comeback=table.parse("comeback", parse_duration, d.comeback),
    )


def _momentum(table: Table) -> MomentumSpec:
    d = MomentumSpec()
    table.check_known(set(MomentumSpec.__slots__))
    return MomentumSpec(
        count=_count(table, "count", d.count),
        balance=_money(table, "balance", d.balance),
        leverage=_leverage(table, "leverage", d.leverage),
        notional=_money(table, "notional", d.notional),
        window=table.parse("window", parse_duration, d.window),
        threshold=_rate(table, "threshold", d.threshold),
        rate=_fraction(table, "rate", d.rate, upper=1.0),
    )


# -- values -----------------------------------------------------------------------------


def _count(table: Table, key: str, default: int, minimum: int = 0) -> int:
    value = table.get(key, int, default)
    if not minimum <= value <= 100_000:
        raise table.fail(key, f"must be a whole number from {minimum} to 100000")
    return value


def _non_negative(table: Table, key: str, default: int) -> int:
    value = table.get(key, int, default)
    if value < 0:
        raise table.fail(key, "must not be negative")
    return value


def _leverage(table: Table, key: str, default: int) -> int:
    value = table.get(key, int, default)
    if not 1 <= value <= 125:
        raise table.fail(key, "must be a whole number from 1 to 125")
    return value


def _leverage_mix(table: Table, default: tuple[tuple[int, float], ...]):
    if not table.has("leverage"):
        return default
    rows = table.get("leverage", list)
    mix = []
    for row in rows:
        ok = (
            isinstance(row, list)
            and len(row) == 2
            and isinstance(row[0], int)
            and not isinstance(row[0], bool)
            and isinstance(row[1], int | float)
        )
        if not ok or not 1 <= row[0] <= 125 or not 0 <= row[1] < math.inf:
            raise table.fail("leverage", f"{row!r} is not a [leverage 1–125, weight ≥ 0] pair")
        mix.append((row[0], float(row[1])))
    if not mix or not sum(w for _, w in mix):
        raise table.fail("leverage", "needs at least one pair with a positive weight")
    return tuple(mix)


def _money(table: Table, key: str, default: int) -> int:
    value = table.parse(key, lambda s: to_money(s, key), default)
    if value < 0:
        raise table.fail(key, "must not be negative")
    return value


def _rate(table: Table, key: str, default: int | None) -> int | None:
    value = table.parse(key, lambda s: parse_rate(s, key), default)
    if value is not None and value < 0:
        raise table.fail(key, "must not be negative")
    return value


def _fraction(table: Table, key: str, default: float, upper: float) -> float:
    """A plain number that steers randomness (a share, a rate, a volatility)."""
    value = table.parse(key, lambda s: float(parse_decimal(s, key)), default)
    if not 0 <= value <= upper:
        raise table.fail(key, f"must be between 0 and {upper:g}")
    return value


def _offset(text: str) -> int:
    """A time after the start: like a duration, but 0 is allowed."""
    return 0 if text.strip() in ("0", "0s") else parse_duration(text)


def _positive_decimal(text: str) -> Decimal:
    value = parse_decimal(text, "start_price")
    if value <= 0:
        raise ValueError("must be positive")
    return value


def _choice(table: Table, key: str, enum: type, default):
    value = table.get(key, str, None)
    if value is None:
        return default
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(member.value for member in enum)
        raise table.fail(key, f"{value!r} is not one of {names}") from None
