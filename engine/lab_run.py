"""One whole run of a scenario under one ADL policy, measured (SPEC §6): the unit of work
of ``adl-sandbox compare``.

A run is a pure function of (scenario, seed, policy, duration): the same task gives the
same ``RunMeasures`` in any process on any machine, so a comparison is identical
whether it ran in one process, in a pool or on a Dask cluster. ADL feeds back into
prices and later liquidations, which is why the whole run is re-simulated, not only
each event's split.

Per ADL event the profit taken H is the profit of the lots closed at the ADL price
(ADL-POLICIES: closing k lots takes k·|price − entry|), the budget B = min(D, U) at
θ = 1, the haircut of a winner its H over its profit at the mark before the event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from engine import allocation, venues
from engine.adl import RankingPolicy
from engine.events import (
    AdlExecuted,
    AutoDeleveraged,
    Liquidation,
    PositionChanged,
    SocializedLoss,
    SocializedLossCharged,
)
from engine.policies import Haircut, LossPolicy
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import PPM, SECOND

CLAWBACK = "clawback"  # pnl_pro_rata of the shortfall, positions left open
HAIRCUTS = (Haircut.CAPPED_PRO_RATA.value, Haircut.RISK_PRO_RATA.value)  # other clawbacks
RUN_POLICIES = (*(p.value for p in RankingPolicy), CLAWBACK, *HAIRCUTS)  # whole runs run these
AFTER_ADL = 60 * SECOND  # a liquidation this soon after an ADL fill counts as following it
_READ = frozenset(  # the events the meter reads
    (
        Liquidation,
        AutoDeleveraged,
        PositionChanged,
        AdlExecuted,
        SocializedLossCharged,
        SocializedLoss,
    )
)


@dataclass(frozen=True, slots=True)
class RunTask:
    """What one run is a function of."""

    scenario: str  # a shipped scenario's name or a TOML file's path
    seed: int
    policy: str
    duration: int | None = None  # µs; None: the scenario's
    severity: int = PPM  # θ in ppm, for the clawbacks (ADL runs at the venue's, ``queue``)


@dataclass(frozen=True, slots=True)
class RunMeasures:
    """One run's metrics (money in units; the haircut in ppm, rounded up)."""

    policy: str
    seed: int
    steps: int
    liquidations: int
    adl_events: int
    accounts_hit: int
    deficit: int  # Σ D over ADL events
    capacity: int  # Σ U
    budget: int  # Σ B
    taken: int  # Σ H
    overshoot: int  # Σ [H − B]+
    undershoot: int  # Σ [B − H]+
    largest_haircut_ppm: int  # the largest fraction of one winner's profit taken at once
    fund_min: int
    fund_end: int
    bad_debt: int  # what the fund's equity could not pay at the end
    liquidations_after_adl: int  # within AFTER_ADL of an ADL fill

    @property
    def signed(self) -> int:
        return self.taken - self.budget


def market_for(policy: str, market, severity: int = PPM):
    """The scenario's market with ``policy`` in force: a ranking for ADL, or a clawback
    split (``capped_pro_rata``, ``risk_pro_rata``: profit space, positions left open)
    asking the winners for ``severity`` (ppm) of each shortfall."""
    if policy == CLAWBACK or policy in HAIRCUTS:
        haircut = Haircut(policy) if policy in HAIRCUTS else Haircut.PNL_PRO_RATA
        clawback = venues.switch(market, loss_policy=LossPolicy.CLAWBACK.value)
        return replace(clawback, haircut=haircut, severity=severity)
    return venues.switch(market, ranking=policy, loss_policy=LossPolicy.ADL.value)


def run(task: RunTask, headless: bool = True) -> RunMeasures:
    """Simulate ``task`` to its end and measure it. Headless: without the ADL lights and
    the margin warnings, which no one reads here and which never change what happens
    (a third of a crash run's work)."""
    return Run(task, headless).finish()


class Run:
    """One run under way, its simulation and its meter together: picklable whole, so
    that a run can be copied at a step and go on under another policy
    (``engine/lab_fork.py``)."""

    def __init__(self, task: RunTask, headless: bool = True) -> None:
        scenario = load_scenario(task.scenario)
        self.task = task
        self.scenario_market = scenario.market  # before any policy is put in force
        market = market_for(task.policy, scenario.market, task.severity)
        self.simulation = Simulation(
            replace(scenario, market=market),
            seed=task.seed,
            duration=task.duration,
            headless=headless,
        )
        self.meter = _Meter(self.simulation, task.severity)

    def market(self, policy: str):
        """The scenario's market under ``policy``, at this run's severity."""
        return market_for(policy, self.scenario_market, self.task.severity)

    def switch(self, policy: str) -> None:
        """Go on under ``policy``: as if it had been in force from the start, which holds
        only while nothing has read a setting in which the two policies differ."""
        self.task = replace(self.task, policy=policy)
        self.simulation.exchange.use_market(self.market(policy))

    def step(self) -> bool:
        """One step, measured; False once the run is over."""
        stepped = self.simulation.step()
        self.meter.observe(self.simulation.exchange.drain_events())
        return stepped

    def finish(self) -> RunMeasures:
        """Run to the end; the measures."""
        while self.step():
            pass
        return self.meter.measures(self.task)


class _Meter:
    """Watches a run's events and the exchange's own records."""

    def __init__(self, simulation: Simulation, severity: int) -> None:
        self.simulation = simulation
        self.severity = severity  # the clawbacks' θ, ppm
        self.exchange = simulation.exchange
        self.cv = self.exchange.instrument.contract_value
        self.fund_min = self.exchange.fund.balance
        self.sums = dict.fromkeys(("deficit", "capacity", "budget", "taken"), 0)
        self.overshoot = self.undershoot = self.events = self.liquidations = 0
        self.largest = (0, 1)  # the largest haircut so far: (numerator, denominator > 0)
        self.hit: set[str] = set()
        self.last_adl: int | None = None
        self.after_adl = 0
        self._fill: AutoDeleveraged | None = None  # an ADL fill, until its position changes
        self._taken = 0  # the profit the current ADL event's fills took, so far

    def observe(self, events: list) -> None:
        self.fund_min = min(self.fund_min, self.exchange.fund.balance)
        charged: dict[str, int] = {}
        for event in events:
            kind = type(event)
            if kind not in _READ:  # most of a step's events: orders placed and cancelled
                continue
            if kind is Liquidation:
                self.liquidations += 1
                if self.last_adl is not None and event.time - self.last_adl <= AFTER_ADL:
                    self.after_adl += 1
            elif kind is AutoDeleveraged:
                self._fill = event
            elif kind is PositionChanged and self._fill is not None:
                self._filled(self._fill, event)
                self._fill = None
            elif kind is AdlExecuted:
                self._event(event.deficit, event.capacity, event.budget, self._taken, event.time)
                self._taken = 0
            elif kind is SocializedLossCharged:
                charged[event.account] = charged.get(event.account, 0) + event.amount
            elif kind is SocializedLoss:
                self._clawback(event, charged)
                charged = {}

    def _filled(self, fill: AutoDeleveraged, changed: PositionChanged) -> None:
        """One ADL fill, from its own events (a crash step may hold more ADL events than
        the exchange keeps records of): the profit of the lots closed at the ADL price is
        what the fill realized; the winner's profit before, at the mark, is rebuilt from
        the position left and what was removed."""
        side, lots, cv = fill.side, fill.qty, self.cv
        removed = lots * fill.price - side * changed.realized // cv
        before_lots = abs(changed.qty) + lots
        before = side * (before_lots * fill.mark - (changed.cost + removed)) * cv
        profit = max(0, changed.realized)
        self._taken += profit
        if before > 0:
            self._haircut(profit, before)
        self.hit.add(fill.account)

    def _clawback(self, event: SocializedLoss, charged: dict[str, int]) -> None:
        self.hit.update(charged)
        collected = event.collected
        self._haircut(event.rate, 10**6)
        capacity = collected * 10**6 // event.rate if event.rate else 0
        budget = allocation.budget(event.deficit, capacity, Fraction(self.severity, PPM))
        self._event(event.deficit, capacity, budget, collected, event.time)

    def _haircut(self, taken: int, of: int) -> None:
        """A haircut of ``taken``/``of`` (``of`` > 0): the largest yet? Compared multiplied
        out, as every ADL fill of a crash asks."""
        top, below = self.largest
        if taken * below > top * of:
            self.largest = (taken, of)

    def _event(self, deficit: int, capacity: int, budget: int, taken: int, time: int) -> None:
        self.events += 1
        for name, value in zip(
            ("deficit", "capacity", "budget", "taken"),
            (deficit, capacity, budget, taken),
            strict=True,
        ):
            self.sums[name] += value
        self.overshoot += max(0, taken - budget)
        self.undershoot += max(0, budget - taken)
        self.last_adl = time

    def measures(self, task: RunTask) -> RunMeasures:
        top, below = self.largest
        return RunMeasures(
            task.policy,
            task.seed,
            self.simulation.steps,
            self.liquidations,
            self.events,
            len(self.hit),
            self.sums["deficit"],
            self.sums["capacity"],
            self.sums["budget"],
            self.sums["taken"],
            self.overshoot,
            self.undershoot,
            -(-top * 10**6 // below),
            self.fund_min,
            self.exchange.fund.balance,
            max(0, -self.exchange.fund_equity()),
            self.after_adl,
        )
