"""One seed under several policies, simulated once as far as the policies agree.

The lab's policies differ only in a few of the market's waterfall settings (the ADL
ranking, the loss policy, the clawback's haircut and severity), and until the engine
first reads one of those, a run is the same under each: in a flash crash, the first
third of the hour. So the first policy's run goes from the start with those settings
watched and its state kept every ``KEEP_EVERY`` steps; the other policies go on from
the last state kept before the first read of a setting they differ in, with their own
market put in force, and in turn fork among themselves the same way. A policy whose
settings were never read ran the very same run. The measures are those of a run from
the start, which ``tests/engine/test_lab_fork.py`` checks for every policy.

Policies that part ways may also meet again, and a branch then ends early with the
measures of the run it met (``engine/lab_trail.py``).

A state is kept by pickling the run (a few milliseconds for a crowd of 200): the
engine's parts hold their state in plain objects for that reason.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace

from engine.lab_run import Run, RunMeasures, RunTask
from engine.lab_trail import Trail, differing, digest, fingerprint
from engine.policies import MarketSettings
from engine.units import PPM

KEEP_EVERY = 60  # steps between kept states: a forked policy re-runs fewer than this


@dataclass(frozen=True, slots=True)
class SeedTask:
    """The runs of one seed: a task per policy, all else alike."""

    scenario: str
    seed: int
    policies: tuple[str, ...]
    duration: int | None = None
    severity: int = PPM

    def task(self, policy: str) -> RunTask:
        return RunTask(self.scenario, self.seed, policy, self.duration, self.severity)


def by_seed(tasks: list[RunTask]) -> list[SeedTask]:
    """``tasks`` gathered by what they share but the policy, in the order first met."""
    gathered: dict[tuple, list[str]] = {}
    for task in tasks:
        key = (task.scenario, task.seed, task.duration, task.severity)
        gathered.setdefault(key, []).append(task.policy)
    return [
        SeedTask(scenario, seed, tuple(dict.fromkeys(policies)), duration, severity)
        for (scenario, seed, duration, severity), policies in gathered.items()
    ]


def pieces(tasks: list[RunTask], workers: int) -> list[SeedTask]:
    """``tasks`` by seed, and split further while there are fewer pieces than
    ``workers``: a comparison of one seed on two workers uses both, each half of its
    policies forking on its own."""
    found = by_seed(tasks)
    while len(found) < workers:
        biggest = max(found, key=lambda piece: len(piece.policies))
        if len(biggest.policies) < 2:
            break
        half = (len(biggest.policies) + 1) // 2
        at = found.index(biggest)
        found[at : at + 1] = [
            replace(biggest, policies=biggest.policies[:half]),
            replace(biggest, policies=biggest.policies[half:]),
        ]
    return found


@dataclass(frozen=True, slots=True)
class Trunk:
    """One policy's run to the end, the states kept on the way, and for each other
    policy the steps completed before the engine first read a setting in which it
    differs (None: never read, the run is the same)."""

    run: Run
    kept: dict[int, bytes]  # steps completed → the run pickled then
    forks_at: dict[str, int | None]
    measures: RunMeasures  # this policy's: its own, or those of the trail it met
    trail: Trail | None  # None when it met another run's trail (it ended early)

    def goes_on_from(self, policy: str) -> int | None:
        """The steps of the last state kept before ``policy`` parts ways (None: never)."""
        forks_at = self.forks_at[policy]
        if forks_at is None:
            return None
        return max(steps for steps in self.kept if steps <= forks_at)


def trunk(run: Run, others: tuple[str, ...], trails: list[Trail] | None = None) -> Trunk:
    """Run ``run`` (not yet stepped past where ``others`` part from its policy) to the
    end, watching the settings in which they differ; once every one of them has parted,
    it ends early where it meets one of ``trails``."""
    policy = run.task.policy
    own = run.market(policy)
    differs = {p: differing(own, run.market(p)) for p in others}
    watch = Watch(own, set().union(*differs.values()), run.simulation)
    run.simulation.exchange.use_market(watch)
    kept = {run.simulation.steps: _pickled(run, policy, watch)}
    states: dict[int, tuple[tuple, bytes]] = {}
    meetable = [(t, names) for t in trails or () if (names := t.parts_in(own)) is not None]
    met = None
    while met is None and run.step():
        steps = run.simulation.steps
        if steps % KEEP_EVERY:
            continue
        settled = watch.settled(differs.values())
        if not settled:
            kept[steps] = _pickled(run, policy, watch)
        if watch.read_since(steps - KEEP_EVERY):
            states[steps] = (fingerprint(run), kept.get(steps) or _pickled(run, policy, watch))
        if settled:
            met = _met(run, steps, meetable, watch)
    run.simulation.exchange.use_market(own)
    forks_at = {p: watch.first_read(names) for p, names in differs.items()}
    if met is not None:
        return Trunk(run, kept, forks_at, replace(met.measures, policy=policy), None)
    measures = run.meter.measures(run.task)
    trail = Trail(policy, own, measures, frozenset(watch.watched), dict(watch.last_read), states)
    return Trunk(run, kept, forks_at, measures, trail)


def _met(run: Run, steps: int, meetable, watch: Watch) -> Trail | None:
    """The trail ``run`` meets at ``steps``, if any, of the (trail, settings it differs
    in) ``meetable`` (``engine/lab_trail.py``)."""
    mark = None
    for trail, names in meetable:
        if not trail.meets_at(steps, names):
            continue
        mark = mark or fingerprint(run)
        if trail.states[steps][0] == mark and trail.digest(steps) == _pickled(
            run, trail.policy, watch, digest
        ):
            return trail
    return None


def _pickled(run: Run, policy: str, watch: Watch, how=pickle.dumps) -> bytes:
    """``run`` pickled as it would be under ``policy`` (its own: a state to keep; another:
    to compare with a run under that one), then back under ``watch``."""
    own = run.task
    run.switch(policy)
    state = how(run)
    run.task = own
    # the settings ``use_market`` copies into the parts (the mark and funding rules, the
    # fund's trigger) are read here, through the watch: one in which two policies differ
    # counts as read at every state kept, so their runs never meet
    run.simulation.exchange.use_market(watch)
    return state


def run_seed(seed_task: SeedTask) -> list[RunMeasures]:
    """Every policy's measures, in the order asked."""
    first, *others = seed_task.policies
    results = _grown(Run(seed_task.task(first)), tuple(others), [])
    return [results[policy] for policy in seed_task.policies]


def _grown(run: Run, others: tuple[str, ...], trails: list[Trail]) -> dict[str, RunMeasures]:
    """The measures of ``run``'s policy and of ``others``: the policies that go on from
    the same kept state form a branch of their own, its first policy the branch's
    trunk (the clawbacks leave the rankings at the first liquidation, and part among
    themselves only at the first clawback). ``trails``: the runs finished so far."""
    base = trunk(run, others, trails)
    if base.trail is not None:
        trails.append(base.trail)
    measures = base.measures
    results = {measures.policy: measures}
    branches: dict[int, list[str]] = {}
    for policy in others:
        state = base.goes_on_from(policy)
        if state is None:
            results[policy] = replace(measures, policy=policy)
        else:
            branches.setdefault(state, []).append(policy)
    for state, (policy, *rest) in branches.items():
        branch = pickle.loads(base.kept[state])
        branch.switch(policy)
        results |= _grown(branch, tuple(rest), trails)
    return results


class Watch:
    """A market's settings that note, for each watched one, how many steps the run had
    completed when the engine first and last read it. Pickled, it is the market itself:
    a kept state holds no watch."""

    __slots__ = ("_market", "watched", "_simulation", "_read", "last_read")

    def __init__(self, market: MarketSettings, watched: set[str], simulation) -> None:
        self._market, self.watched, self._simulation = market, watched, simulation
        self._read: dict[str, int] = {}
        self.last_read: dict[str, int] = {}

    def __getattr__(self, name: str):
        if name in self.watched:
            steps = self._simulation.steps
            self._read.setdefault(name, steps)
            self.last_read[name] = steps
        return getattr(self._market, name)

    def __reduce__(self):
        return _plain, (self._market,)

    def settled(self, groups) -> bool:
        """Whether each group of names has had one read: its first is then known."""
        return all(not names or any(name in self._read for name in names) for names in groups)

    def first_read(self, names: set[str]) -> int | None:
        """Steps completed before the first read of any of ``names``; None: never read."""
        steps = [self._read[name] for name in names if name in self._read]
        return min(steps, default=None)

    def read_since(self, steps: int) -> bool:
        """Whether a watched setting was read with ``steps`` or more completed."""
        return any(last >= steps for last in self.last_read.values())


def _plain(market: MarketSettings) -> MarketSettings:
    return market
