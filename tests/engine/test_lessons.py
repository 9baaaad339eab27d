"""Lessons keep their promises: each shipped lesson, played by its own solution, reaches
its end, and the moments its story names happen (engine/lesson.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.datafile import DataFileError
from engine.events import (
    AutoDeleveraged,
    FundingPayment,
    Liquidation,
    LiquidationSettled,
    SocializedLoss,
    SocializedLossCharged,
    event_class,
)
from engine.lesson import Figure, find_lesson, load_lesson, shipped_lessons
from engine.lesson_progress import LessonProgress, figure_value, goal_met
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import MONEY_SCALE

MAX_STEPS = 600  # market seconds a step may take before the lesson is broken


def play(number: int) -> tuple[LessonProgress, list, list[int]]:
    """Play lesson ``number`` by its solution, as "show me" does: each command, then the
    market until the step is done. Returns the progress, the frame that ended each
    step and the highest margin ratio (ppm) seen during each."""
    lesson = find_lesson(str(number))
    session = Session(Simulation(load_scenario(lesson.path)))
    session.step()  # the makers' first quotes, as the app's warm-up gives them
    progress = LessonProgress(lesson, session.user)
    ends, highest = [], []  # the frame that ended each step; the highest ratio seen in it
    while not progress.finished:
        step = progress.step
        if step.question is None:  # a step done before the learner acts teaches nothing
            assert not goal_met(step.done, session.frame().account, set(), 0), progress.index + 1
        for command in step.show:
            if command.verb == "answer":
                value = progress.figure(session.frame(explained=True))
                assert progress.answer(str(float(value)), session.frame()).right
            elif command.verb != "run":
                _command(session, command.verb, command.argument)
        ratios = [0]
        for _ in range(MAX_STEPS):
            frame = session.frame()
            position = frame.account.position
            ratios.append(position.ratio if position else 0)
            if progress.see(frame):
                ends.append(frame)
                highest.append(max(ratios))
                break
            assert session.step(), f"the run ended at step {progress.index + 1}"
        else:
            pytest.fail(f"step {progress.index + 1} was never done")
    return progress, ends, highest


def _command(session: Session, verb: str, argument: str) -> None:
    if verb in ("buy", "sell"):
        session.submit(verb, argument, order_type="market")
    elif verb == "close":
        session.close_position()
    elif verb == "leverage":
        session.set_leverage(int(argument))
    elif verb == "mode":
        session.set_margin_mode(argument)
    elif verb == "set":
        field, value = argument.split()
        session.configure(**{field: value})


def test_every_shipped_lesson_loads_in_order():
    lessons = shipped_lessons()
    assert [lesson.number for lesson in lessons] == list(range(1, len(lessons) + 1))


def test_lesson_1_the_same_fall_at_5x_and_50x():
    """The description's claims: the 2 % fall barely moves the ratio at 5x, takes it past
    50 % and 80 % at 50x isolated (and the lesson stops it before liquidation), and at
    50x cross it stays as low as at 5x."""
    progress, ends, highest = play(1)
    assert all(record.done for record in progress.records)
    assert ends[3].account.position.leverage == 5 and highest[3] < 30_000  # under 3 %
    assert ends[3].market.mark < ends[2].market.mark * 1.001  # a whole fall and back
    assert ends[6].account.position.ratio >= 500_000
    assert ends[7].account.position.ratio >= 800_000
    assert ends[7].account.position is not None
    assert ends[9].account.position.mode == "cross" and highest[9] < 30_000


def test_lesson_2_the_margin_is_lost_and_no_more_and_the_fund_pays_the_gap():
    """The description's claims: the gap liquidates the 20x long past its bankruptcy
    price; the learner loses exactly the position's margin; the fund pays the rest."""
    progress, ends, _ = play(2)
    assert all(record.done for record in progress.records)
    before, at = ends[3], ends[4]
    (liquidation,) = [e for e in at.own_events() if type(e) is Liquidation]
    assert at.market.mark < liquidation.bankruptcy_price  # a gap past the bankruptcy price
    assert before.account.wallet - at.account.wallet == liquidation.margin_lost
    assert liquidation.margin_lost == before.account.position.margin
    assert at.account.position is None and at.account.wallet > 0
    assert at.market.insurance_fund < before.market.insurance_fund  # the fund paid the gap


def test_lesson_3_a_slow_fall_pays_the_fund_and_a_gap_draws_on_it():
    """The description's claims: the same 20x long liquidated twice; in the slow fall the
    backstop sells above the bankruptcy price and the surplus goes to the fund (not to
    the learner); in the gap it sells below and the fund pays; the learner loses the
    margin both times, never more."""
    progress, ends, _ = play(3)
    assert all(record.done for record in progress.records)
    for before, at in ((ends[0], ends[1]), (ends[3], ends[4])):
        (liquidation,) = [e for e in at.own_events() if type(e) is Liquidation]
        (settled,) = [e for e in at.own_events() if type(e) is LiquidationSettled]
        assert liquidation.margin_lost == before.account.position.margin
        assert before.account.wallet - at.account.wallet == liquidation.margin_lost
        fund_change = at.market.insurance_fund - before.market.insurance_fund
        assert fund_change == settled.fund_in - settled.fund_out
    first, second = _settled(ends[1]), _settled(ends[4])
    assert first.fund_in > 0 and first.fund_out == 0  # a slow fall: a surplus
    assert second.fund_in == 0 and second.fund_out > 0  # a gap: the fund pays
    assert ends[4].market.mark < _liquidation(ends[4]).bankruptcy_price


def _settled(frame) -> LiquidationSettled:
    return next(e for e in frame.own_events() if type(e) is LiquidationSettled)


def _liquidation(frame) -> Liquidation:
    return next(e for e in frame.own_events() if type(e) is Liquidation)


def test_lesson_4_the_top_winner_is_deleveraged_at_rank_1():
    """The description's claims: the learner's short heads the queue, and the gap's
    liquidation deleverages it, at a price worse than the mark for it."""
    progress, ends, _ = play(4)
    assert all(record.done for record in progress.records)
    assert ends[0].account.position.adl_rank == 1 and ends[0].account.position.adl_lights == 5
    (hit,) = [e for e in ends[1].own_events() if type(e) is AutoDeleveraged]
    assert hit.rank == 1 and hit.forgone > 0 and hit.price > hit.mark  # a short buys back dearer


def test_lesson_5_pro_rata_spreads_the_first_loss_and_clawback_the_second():
    """The description's claims: with pro rata in force, the first bankrupt long's loss
    is taken by ADL from every winning short (the learner among them, in part); with
    clawback, the second is taken from every winner's profit at one rate, positions
    left open."""
    progress, ends, _ = play(5)
    assert all(record.done for record in progress.records)
    assert ends[0].settings.ranking == "pro_rata"
    adl = [e for e in ends[1].events if type(e) is AutoDeleveraged]
    assert {e.account for e in adl} >= {"you", "S2", "S3"} and len(adl) >= 3
    assert {e.policy for e in adl} == {"pro_rata"}
    mine = next(e for e in adl if e.account == "you")
    assert 0 < mine.qty < ends[0].account.position.lots  # in part: still short
    assert ends[3].settings.loss_policy == "clawback"
    losses = [e for e in ends[4].events if type(e) is SocializedLoss]
    assert losses and all(loss.accounts >= 3 for loss in losses)
    charged = [e for e in ends[4].events if type(e) is SocializedLossCharged]
    assert {e.account for e in charged} >= {"you", "S2", "S3"}
    assert ends[4].account.position is not None  # clawback leaves positions open
    # step 6 asks for the learner's charges, every one of that step's (two losses)
    assert figure_value(Figure.CLAWED_BACK, ends[4], progress.last) == Fraction(
        sum(e.amount for e in charged if e.account == "you"), MONEY_SCALE
    )


def test_lesson_6_a_spike_on_the_book_does_not_liquidate_and_a_long_pays_funding():
    """The description's claims: the whale's sale takes the last price below the
    learner's liquidation price while the mark stays near the index, and the learner is
    not liquidated; funding settles within the lesson and the long pays it."""
    progress, ends, _ = play(6)
    assert all(record.done for record in progress.records)
    position = ends[2].account.position
    assert position is not None
    assert ends[2].market.last < position.liquidation_price < ends[2].market.mark
    assert abs(ends[2].market.mark - ends[2].market.index) * 1000 < ends[2].market.index
    (paid,) = [e for e in ends[4].own_events() if type(e) is FundingPayment]
    assert paid.amount < 0 and ends[4].account.position is not None


def test_a_typed_answer_is_checked_against_the_engines_figure():
    lesson = find_lesson("1")
    session = Session(Simulation(load_scenario(lesson.path)))
    session.step()
    progress = LessonProgress(lesson, session.user)
    session.set_leverage(5)
    assert progress.see(session.frame())
    session.submit("buy", "1", order_type="market")
    assert progress.see(session.frame())
    frame = session.frame()
    right = figure_value(Figure.LIQUIDATION_PRICE, frame)
    assert Fraction(39_000) < right < Fraction(41_000)
    assert not progress.answer("45,000", frame).right
    assert not progress.see(frame)  # a wrong answer does not finish the step
    verdict = progress.answer(f"{float(right) * 1.003:,.1f} USDT", frame)
    assert verdict.right and verdict.value == right
    assert progress.see(frame)
    assert progress.records[2].attempts == 2


def test_event_kinds_name_their_classes():
    assert event_class("liquidation") is Liquidation
    assert event_class("no_such_event") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", r"no \[lesson\] table"),
        ("[lesson]\ntitle = 'x'\nsteps = []", "at least one step"),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\nlook = 'nose'",
            "look: expected one of",
        ),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\ndone = { event = 'boom' }",
            "no event is called 'boom'",
        ),
        ("[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\nshow = ['dance']", "unknown command"),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\ndone = { side = 'up' }",
            "side: expected long or short, got 'up'",
        ),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\nshow = ['set ranking fair']",
            "'fair' is not a ranking",
        ),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\n"
            "done = { settings = { rank = 'x' } }",
            "settings.rank: unknown key",
        ),
        ("[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\nanswer = 'pi'", "ask: missing"),
        ("[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\nshow = ['answer']", "needs the step"),
        (
            "[lesson]\ntitle = 'x'\n[[lesson.steps]]\nsay = 'a'\ndone = { event = 'event' }",
            "no event is called 'event'",
        ),
    ],
)
def test_a_bad_lesson_file_is_refused_naming_the_key(tmp_path, text, problem):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(DataFileError, match=problem):
        load_lesson(path)
