"""``adl-sandbox learn``: the lessons listed, and a lesson that is not one refused in a line."""

from __future__ import annotations

from engine.scenario import scenario_path
from tui.cli import main
from tui.commands.learn import choose


def test_learn_lists_the_lessons_and_how_to_open_one(capsys):
    assert main(["learn"]) == 0
    out = capsys.readouterr().out
    assert " 1. Leverage and the margin ratio" in out
    assert "adl-sandbox learn N" in out


def test_a_lesson_number_past_the_last_is_one_line(capsys):
    assert main(["learn", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no lesson 99: the lessons are 1 to" in err


def test_a_scenario_is_not_a_lesson(capsys):
    assert main(["learn", str(scenario_path("calm"))]) == 2
    assert "no [lesson] table: this is a scenario, not a lesson" in capsys.readouterr().err


def test_at_a_terminal_learn_asks_which_lesson_and_enter_is_lesson_1(capsys):
    answers = iter(["7x", "99", "", "3"])
    assert choose(lambda _prompt: next(answers)).number == 1
    out = capsys.readouterr().out
    assert "'7x' is not a lesson number" in out and "no lesson 99: the lessons are 1 to" in out
    assert choose(lambda _prompt: "3").number == 3
    assert choose(lambda _prompt: "q") is None


def test_the_prompt_closed_leaves_quietly():
    def closed(_prompt):
        raise EOFError

    assert choose(closed) is None
