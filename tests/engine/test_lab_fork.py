"""The lab simulates a seed once as far as its policies agree: each policy's measures are
those of its own run from the start, whichever policy went first."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from engine.lab_fork import SeedTask, by_seed, pieces, run_seed, trunk
from engine.lab_run import RUN_POLICIES, Run, RunTask, run
from engine.policies import MarketSettings
from engine.units import MINUTE

CRASH = 25 * MINUTE  # flash-crash drops at 20 min: every policy has ADL events to split


@pytest.mark.parametrize("seed", [2, 5])
def test_every_policy_forked_measures_what_its_own_run_from_the_start_does(seed):
    seed_task = SeedTask("flash-crash", seed, RUN_POLICIES, CRASH)
    forked = run_seed(seed_task)
    alone = [run(seed_task.task(policy)) for policy in RUN_POLICIES]
    assert forked == alone
    assert all(m.adl_events for m in alone)  # the runs part ways, so the forks were tried


def test_the_policies_share_the_run_until_a_setting_they_differ_in_is_read():
    base = trunk(Run(RunTask("flash-crash", 2, "bitmex", CRASH)), ("pro_rata", "clawback"))
    # the rankings part at the first ADL, in the crash (20 min = 1,200 steps in);
    # the loss policy already when the backstop first works a liquidated position
    assert 1_200 <= base.forks_at["pro_rata"] < 1_300
    assert 0 < base.forks_at["clawback"] < base.forks_at["pro_rata"]
    kept = pickle.loads(base.kept[max(base.kept)])
    assert type(kept.simulation.exchange.settings) is MarketSettings  # no watch kept in it


def test_the_clawbacks_share_their_own_run_until_their_split_is_first_read():
    # they leave the rankings at the first liquidation the backstop works; their split
    # (the haircut) is read only at the first clawback, in the crash
    clawback = Run(RunTask("flash-crash", 2, "clawback", CRASH))
    base = trunk(clawback, ("capped_pro_rata", "risk_pro_rata"))
    assert 1_200 <= base.forks_at["capped_pro_rata"] == base.forks_at["risk_pro_rata"] < 1_300


def test_a_policy_whose_settings_are_never_read_runs_the_same_run():
    # ten minutes of a calm hour: the waterfall never reaches ADL, so no ranking is read
    seed_task = SeedTask("flash-crash", 3, ("bitmex", "hyperliquid"), 10 * MINUTE)
    assert trunk(Run(seed_task.task("bitmex")), ("hyperliquid",)).forks_at == {"hyperliquid": None}
    bitmex, hyperliquid = run_seed(seed_task)
    assert hyperliquid == run(seed_task.task("hyperliquid"))
    assert hyperliquid.steps == bitmex.steps and hyperliquid.policy == "hyperliquid"


def test_a_branch_that_meets_a_finished_run_again_ends_with_its_measures():
    # capped_pro_rata asks no winner for more than half its profit; in this crash no
    # round comes near that, so after the plain clawback's last split the two runs are
    # in the same state, and the capped one stops there with the same measures
    seed_task, plain, capped = _branching_from_the_plain_clawback("capped_pro_rata")
    met = trunk(capped, (), [plain.trail])
    assert met.trail is None
    assert plain.trail.last_read["haircut"] < met.run.simulation.steps < 3_600
    assert met.measures == run(seed_task.task("capped_pro_rata"))
    assert met.measures == replace(plain.measures, policy="capped_pro_rata")


def test_a_branch_never_meets_a_run_that_reads_their_difference_later():
    # risk_pro_rata weighs by leverage: its rounds take from other winners than the plain
    # clawback's, and the two runs never meet again
    seed_task, plain, risk = _branching_from_the_plain_clawback("risk_pro_rata")
    alone = trunk(risk, (), [plain.trail])
    assert alone.trail is not None and alone.run.simulation.steps == 3_601
    assert alone.measures == run(seed_task.task("risk_pro_rata"))
    # after the plain clawback's last split the rule lets them meet; their states differ
    after = min(steps for steps in plain.trail.states if steps > plain.trail.last_read["haircut"])
    assert plain.trail.meets_at(after, plain.trail.parts_in(risk.market("risk_pro_rata")))


def _branching_from_the_plain_clawback(policy: str):
    """Flash-crash seed 1: the plain clawback run to its end, and ``policy``'s branch
    from the state kept before the two part ways."""
    seed_task = SeedTask("flash-crash", 1, ("clawback", policy))
    plain = trunk(Run(seed_task.task("clawback")), (policy,))
    branch = pickle.loads(plain.kept[plain.goes_on_from(policy)])
    branch.switch(policy)
    return seed_task, plain, branch


def test_tasks_gather_by_seed_in_the_order_met():
    tasks = [
        RunTask("flash-crash", seed, policy, CRASH)
        for policy in ("bitmex", "pro_rata")
        for seed in (7, 3)
    ]
    assert by_seed(tasks) == [
        SeedTask("flash-crash", 7, ("bitmex", "pro_rata"), CRASH),
        SeedTask("flash-crash", 3, ("bitmex", "pro_rata"), CRASH),
    ]


def test_fewer_seeds_than_workers_split_their_policies_so_every_worker_has_work():
    one_seed = [RunTask("flash-crash", 4, policy, CRASH) for policy in RUN_POLICIES]
    halves = pieces(one_seed, workers=2)
    assert [len(piece.policies) for piece in halves] == [5, 4]
    assert sum((piece.policies for piece in halves), ()) == RUN_POLICIES
    assert len(pieces(one_seed, workers=4)) == 4
    two_seeds = one_seed + [RunTask("flash-crash", 5, p, CRASH) for p in RUN_POLICIES]
    assert pieces(two_seeds, workers=2) == by_seed(two_seeds)  # a seed each already
    assert len(pieces(one_seed[:1], workers=2)) == 1  # one run cannot be split
