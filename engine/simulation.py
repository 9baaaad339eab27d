"""A scenario brought to life: the feed, the simulated traders and the exchange, stepped.

One step: the feed gives the next index point; every trader acts on it through the
exchange's commands; the exchange runs its pipeline (mark, funding, liquidations,
ADL, lights). All randomness comes from one generator seeded by the scenario's
seed, split into one stream per part in a fixed order, so the same scenario and
seed replay the same market, event for event.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from engine import venues
from engine.adl_queue import NO_LIGHTS
from engine.agents.base import Agent, MarketState
from engine.agents.crowd import Crowd
from engine.agents.makers import MarketMaker
from engine.agents.momentum import MomentumTrader
from engine.agents.noise import NoiseTrader
from engine.agents.schedule import SCHEDULED
from engine.agents.scripted import ScriptedTraders
from engine.datafile import DataFileError
from engine.exchange import Exchange, ExchangeConfig
from engine.feasibility import check_tradable
from engine.feeds.path import PricePath
from engine.feeds.random_walk import RandomWalk, WalkSettings
from engine.feeds.replay import ReplayError, open_replay
from engine.instrument import Instrument
from engine.scenario import Scenario
from engine.slices import Slices, finish
from engine.units import HOUR, MONEY_SCALE, UnitError, is_calendar

USER = "you"
DEFAULT_DURATION = 6 * HOUR
WALK_START = 7 * HOUR  # a random walk starts at 07:00, an hour before the 08:00 funding


class Simulation:
    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        duration: int | None = None,
        replay: str | Path | None = None,
        replay_format: str | None = None,
        sort: bool = False,
        start: int | None = None,
        end: int | None = None,
        venue: str | None = None,
        crowd_schedule: str = SCHEDULED,
        headless: bool = False,
    ) -> None:
        """``venue`` runs the scenario under another venue's preset (its whole market);
        ``crowd_schedule`` is how the crowd's acts are drawn (``engine/agents/schedule.py``:
        a journal from before scheduling replays with ``every_step``); ``headless``
        publishes no ADL lights and tells no margin warnings (a lab run: nobody reads
        them, and they never change what happens, ``tests/cli/test_compare.py``; not for
        a journaled run)."""
        if venue is not None:
            scenario = replace(scenario, market=venues.switch(scenario.market, venue=venue))
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.settings = {  # what a journal must record to rebuild this run
            "duration": duration,
            "replay": None if replay is None else str(Path(replay).resolve()),
            "format": replay_format,
            "sort": sort,
            "start": start,
            "end": end,
            "venue": venue,
            "crowd_schedule": crowd_schedule,
        }
        rng = random.Random(self.seed)
        feed = scenario.feed
        replay = replay if replay is not None else feed.replay
        self.replay = None
        instrument = scenario.instrument
        if replay is not None:
            self.replay = open_replay(
                replay,
                replay_format or (feed.format if feed.replay else None),
                sort or feed.sort,
                start,
                end,
            )
            if not scenario.tick_fixed:  # the grid follows the whole file, scanned on open
                instrument = regrid(instrument, self.replay.tick(), self.replay.highest)
        self._points, self._walk = self._feed(rng, instrument)
        first = next(self._points, None)
        if first is None:
            raise ReplayError(f"{replay}: no price points in the chosen window")
        check_tradable(scenario, instrument, first[1])
        self.instrument = instrument
        self._pending: tuple[int, int] | None = first
        self.start_time = first[0]
        # a replay's times are the file's, real dates: the screen shows them as such
        self.dated = self.replay is not None and is_calendar(self.start_time)
        if duration is None and self.replay is None:  # a replay runs to the end of its file
            duration = scenario.duration or self._path_length or DEFAULT_DURATION
        self.settings["duration"] = duration
        self.duration = duration
        self.end_time = None if duration is None else self.start_time + duration
        self.exchange = Exchange(
            instrument,
            ExchangeConfig(
                market=scenario.market,
                start_time=self.start_time,
                seed=rng.randrange(1 << 62),
                insurance_fund=scenario.insurance_fund,
                **({"lights_every": NO_LIGHTS, "warnings": False} if headless else {}),
            ),
        )
        self.agents: list[Agent] = self._population(rng)
        if scenario.accounts:  # declared traders first: the user may be one of them
            scripted = ScriptedTraders(scenario.accounts, self.start_time, str(scenario.path))
            scripted.setup(self.exchange)
        if USER not in {spec.id for spec in scenario.accounts}:
            user = scenario.user
            self.exchange.open_account(USER, user.balance, user.mode, user.leverage)
        for agent in self.agents:
            agent.setup(self.exchange)
        if scenario.accounts:
            self.agents.append(scripted)  # its later orders go in as the run reaches them
        self.steps = 0
        self.finished = False
        self._volatility = _VolatilityWatch()

    # -- running ------------------------------------------------------------------------

    @property
    def time(self) -> int:
        return self.exchange.time

    def progress(self) -> float | None:
        """Share of the run done, when its end is known."""
        if self.end_time is None or self.end_time == self.start_time:
            return None
        return min(1.0, (self.exchange.time - self.start_time) / (self.end_time - self.start_time))

    def next_time(self) -> int | None:
        """When the next step happens in market time (None once the run is over): a
        replay's rows are unevenly spaced, and its pace follows them
        (``tui/app/market.py``). The step that ends the run is due at the end of its
        duration, or at once when the file has no more rows."""
        if self.finished:
            return None
        if self._pending is None:
            self._pending = next(self._points, None)
        if self._pending is None:
            return self.exchange.time
        if self.end_time is not None:
            return min(self._pending[0], self.end_time)
        return self._pending[0]

    def step(self) -> bool:
        """Run one step; False once the run is over (then nothing more happens)."""
        return finish(self.stepping())

    def stepping(self) -> Slices[bool]:
        """``step`` in slices: one after each trader type acts, then the exchange's
        (``engine/slices.py``)."""
        if self.finished:
            return False
        point = self._pending if self._pending is not None else next(self._points, None)
        self._pending = None
        if point is None:
            self._finish("the replay file ended")
            return False
        time, index = point
        if self.end_time is not None and time > self.end_time:
            self._pending = point  # kept: ``extend`` may let the run go on from here
            self._finish("the run reached its duration")
            return False
        exchange = self.exchange
        exchange.begin(time)
        volatile = self._walk.volatile if self._walk else self._volatility.update(index)
        state = MarketState(time, index, exchange.prices.mark or index, volatile, self.steps)
        for agent in self.agents:
            agent.act(state, exchange)
            yield
        yield from exchange.advancing(time, index)
        self.steps += 1
        return True

    def run(self, on_step=None) -> None:
        """Step to the end; ``on_step(simulation, events)`` sees each step's events."""
        while self.step():
            events = self.exchange.drain_events()
            if on_step is not None:
                on_step(self, events)
        events = self.exchange.drain_events()
        if on_step is not None and events:
            on_step(self, events)

    def extend(self, duration: int) -> None:
        """Let a run go on to a longer total ``duration`` (µs from its start)."""
        if duration < self.exchange.time - self.start_time:
            raise ValueError("the run has already passed that duration")
        self.duration = self.settings["duration"] = duration
        self.end_time = self.start_time + duration
        if self._pending is not None:  # stopped by its duration, not by the end of a file
            self.finished = False

    def _finish(self, reason: str) -> None:
        self.finished = True
        self.exchange.end_feed(reason)

    # -- set-up -------------------------------------------------------------------------

    def _feed(self, rng: random.Random, instrument: Instrument):
        feed_rng = random.Random(rng.randrange(1 << 62))
        self._path_length = 0
        if self.replay is not None:
            return self.replay.points(instrument.tick_size), None
        spec = self.scenario.feed
        if spec.kind == "path":
            path = PricePath(_path_ticks(self.scenario, instrument), spec.step, WALK_START)
            self._path_length = path.length
            return path, None
        walk = RandomWalk(
            WalkSettings(
                start_price=_start_ticks(self.scenario, instrument),
                step=spec.step,
                calm_volatility=spec.calm_volatility,
                volatile_volatility=spec.volatile_volatility,
                calm_duration=spec.calm_duration,
                volatile_duration=spec.volatile_duration,
                jumps_per_hour=spec.jumps_per_hour,
                jump_size=spec.jump_size,
                shocks=spec.shocks,
            ),
            feed_rng,
            start_time=WALK_START,
        )
        return walk, walk

    def _population(self, rng: random.Random) -> list[Agent]:
        population = self.scenario.population
        agents: list[Agent] = []
        for n in range(population.makers.count):
            agents.append(MarketMaker(f"maker-{n + 1}", population.makers, _stream(rng)))
        for n in range(population.noise.count):
            agents.append(NoiseTrader(f"noise-{n + 1}", population.noise, _stream(rng)))
        if population.crowd.count:
            crowd_schedule = self.settings["crowd_schedule"]
            agents.append(Crowd("crowd-", population.crowd, _stream(rng), crowd_schedule))
        for n in range(population.momentum.count):
            agents.append(MomentumTrader(f"momentum-{n + 1}", population.momentum, _stream(rng)))
        return agents


MIN_START_TICKS = 100  # a walk moves in ticks: below 100 a tick is over 1 % of the price


def _start_ticks(scenario: Scenario, instrument: Instrument) -> int:
    """A random walk's start on the tick grid, with room to move, or the file's mistake."""
    start = scenario.feed.start_price
    try:
        ticks = instrument.ticks(start)
    except UnitError as error:
        raise DataFileError(f"{scenario.path}: feed.start_price: {error}") from None
    if ticks < MIN_START_TICKS:
        raise DataFileError(
            f"{scenario.path}: feed.start_price: {start} is only {ticks} tick(s) of "
            f"{instrument.tick_size}: a walk needs at least {MIN_START_TICKS} to move by less "
            "than 1 % a tick"
        )
    return ticks


def _path_ticks(scenario: Scenario, instrument: Instrument) -> tuple[tuple[int, int], ...]:
    """A scripted path on the instrument's tick grid, or the file's mistake."""
    points = []
    for n, (at, price) in enumerate(scenario.feed.path):
        try:
            points.append((at, instrument.ticks(price)))
        except UnitError as error:
            raise DataFileError(f"{scenario.path}: feed.points[{n}]: {error}") from None
    return tuple(points)


def _stream(rng: random.Random) -> random.Random:
    return random.Random(rng.randrange(1 << 62))


def regrid(instrument: Instrument, tick: Decimal, highest: Decimal) -> Instrument:
    """A replayed file's grid: its tick, and a lot worth 10–100 of the quote currency at
    the file's highest price (0.001 BTC at 90,000; 10 EUR at 1.1): one lot never costs more
    than 100 anywhere in the file, so a small trader's order stays possible however far
    the price climbs from its start. One lot at one tick must still be worth a money unit;
    the replay's tick is never finer than that allows, and the loop is only a guard."""
    lot = Decimal(1).scaleb((Decimal(100) / highest).adjusted())  # 100/highest, floored
    while tick * lot * MONEY_SCALE < 1:
        lot *= 10
    return replace(instrument, tick_size=tick, lot_size=lot)


class _VolatilityWatch:
    """For replays, which carry no regime: volatile while the short-run variance of the
    index runs four times above its long-run level."""

    def __init__(self) -> None:
        self._last = 0
        self._fast = self._slow = 0.0

    def update(self, index: int) -> bool:
        if self._last:
            r = math.log(index / self._last) ** 2
            self._fast += 0.2 * (r - self._fast)
            self._slow += 0.002 * (r - self._slow)
        self._last = index
        return self._slow > 0 and self._fast > 4 * self._slow
