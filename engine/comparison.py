"""Many runs under each policy, summed up per policy (SPEC §6): the mean over seeds of
every metric, with its spread (standard deviation across seeds), least and most.

Means and spreads are exact fractions until they are written, so the summary of the
same runs is the same bytes however the runs were scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from math import isqrt

from engine.lab_run import RunMeasures

METRICS = tuple(f.name for f in fields(RunMeasures) if f.name not in ("policy", "seed"))
MONEY = (
    "deficit",
    "capacity",
    "budget",
    "taken",
    "overshoot",
    "undershoot",
    "fund_min",
    "fund_end",
    "bad_debt",
    "signed",
)
MEANING = {
    "steps": "steps simulated",
    "liquidations": "positions liquidated",
    "adl_events": "ADL (or clawback) events",
    "accounts_hit": "winners ever hit",
    "deficit": "Σ D: loss beyond bankruptcy the fund could not absorb",
    "capacity": "Σ U: the winners' profit at each event",
    "budget": "Σ B = min(D, U) (θ = 1)",
    "taken": "Σ H: profit of the lots closed (or clawed back)",
    "overshoot": "Σ [H − B]+: taken beyond the budget",
    "undershoot": "Σ [B − H]+: budget left untaken",
    "signed": "Σ (H − B), signed",
    "largest_haircut_ppm": "largest share of one winner's profit taken at once, ppm",
    "fund_min": "the insurance fund's lowest balance",
    "fund_end": "the insurance fund at the end",
    "bad_debt": "what the fund's equity could not pay at the end",
    "liquidations_after_adl": "liquidations within 60 s after an ADL fill",
}


SCALE = 10**8  # the spread's square root is taken in integers, to this fraction


@dataclass(frozen=True, slots=True)
class Spread:
    """One metric over the seeds of one policy."""

    mean: Fraction
    sd: Fraction  # the sample standard deviation, rounded down to 1/SCALE
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class PolicySummary:
    policy: str
    runs: int
    metrics: dict[str, Spread]


def summarize(measures: Iterable[RunMeasures], policies: Sequence[str] = ()) -> list[PolicySummary]:
    """Per policy, in the order of ``policies`` (then any other, by name), each
    policy's runs taken by seed: the same runs summarize the same, in any order."""
    ordered = sorted(measures, key=lambda m: (m.policy, m.seed))
    by_policy: dict[str, list[RunMeasures]] = {policy: [] for policy in policies}
    for m in ordered:
        by_policy.setdefault(m.policy, []).append(m)
    return [
        PolicySummary(
            policy,
            len(runs),
            {name: _spread([_value(r, name) for r in runs]) for name in (*METRICS, "signed")},
        )
        for policy, runs in by_policy.items()
        if runs
    ]


def _value(measures: RunMeasures, name: str) -> int:
    return getattr(measures, name)


def _spread(values: list[int]) -> Spread:
    n = len(values)
    mean = Fraction(sum(values), n)
    if n < 2:
        return Spread(mean, Fraction(0), min(values), max(values))
    squares = sum((v * n - sum(values)) ** 2 for v in values)  # Σ (n·v − Σv)², exact
    variance_n2 = Fraction(squares, n - 1)  # n² · variance
    sd = Fraction(isqrt(int(variance_n2 * SCALE**2)), n * SCALE)
    return Spread(mean, sd, min(values), max(values))


def decimal_text(value: Fraction, places: int = 0) -> str:
    """A fraction as a decimal string, rounded half-even to ``places``."""
    with localcontext() as context:
        context.prec = 60
        number = Decimal(value.numerator) / Decimal(value.denominator)
        return str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
