"""``adl-sandbox completion bash|zsh|fish``: scripts made from the parser, never stale.

Every subcommand and flag the parser has (walked here with argparse itself, not with
the generator's walk) is in each script; each script is valid for its shell; and
bash's (and fish's, where fish is installed) complete the words a user would type.
"""

import argparse
import re
import shutil
import subprocess

import pytest

from tui.cli import build_parser, main
from tui.commands.completion import SHELLS


def names(parser: argparse.ArgumentParser) -> set[str]:
    """Every subcommand name and every flag spelling under ``parser``."""
    found = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= {name} | names(sub)
    return found


def script(shell: str, capsys) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_every_subcommand_and_flag_is_in_the_script(shell, capsys):
    text = script(shell, capsys)
    everything = names(build_parser())
    assert {"completion", "sessions", "prune", "--version", "--older-than"} <= everything
    words = set(re.findall(r"-{0,2}[A-Za-z][\w-]*", text))
    if shell == "fish":  # fish spells --keep as -l keep and -h as -s h
        missing = {n for n in everything if f" {fish(n)} " not in text}
    else:
        missing = everything - words
    assert missing == set()


def fish(name: str) -> str:
    if name.startswith("--"):
        return f"-l {name[2:]}"
    return f"-s {name[1:]}" if name.startswith("-") else f"-a {name}"


@pytest.mark.parametrize(
    ("shell", "check"),
    [("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])],
)
def test_the_script_is_valid_for_its_shell(shell, check, capsys, tmp_path):
    if shutil.which(check[0]) is None:
        pytest.skip(f"{check[0]} is not installed here")
    path = tmp_path / f"adl-sandbox.{shell}"
    path.write_text(script(shell, capsys))
    done = subprocess.run([*check, str(path)], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (0, "")


BASH_CASES = [
    (["calc", ""], "liq adl split -h --help"),
    (["calc", "liq", "--si"], "--side"),
    (["calc", "liq", "--side", ""], "long short"),
    (["--venue", "o"], "okx"),
    (["sessions", ""], "prune -h --help"),
    (["sessions", "prune", "--"], "--help --keep --older-than"),
    (["completion", ""], "bash fish zsh -h --help"),
    (["--ver"], "--version"),
]


@pytest.mark.parametrize(("typed", "offered"), BASH_CASES)
def test_bash_completes_what_a_user_types(typed, offered, capsys, tmp_path):
    path = tmp_path / "adl-sandbox.bash"
    path.write_text(script("bash", capsys))
    words = " ".join(f"'{w}'" for w in ["adl-sandbox", *typed])
    program = (
        f"source {path}; COMP_WORDS=({words}); COMP_CWORD={len(typed)}; "
        '_adl_sandbox; echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == offered.split(), done.stderr


def test_bash_leaves_a_free_value_to_its_own_file_completion(capsys, tmp_path):
    path = tmp_path / "adl-sandbox.bash"
    path.write_text(script("bash", capsys))
    program = (
        f"source {path}; COMP_WORDS=(adl-sandbox --replay ''); COMP_CWORD=2; "
        '_adl_sandbox; echo "[${COMPREPLY[@]}]"; complete -p adl-sandbox'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert done.stdout.splitlines() == ["[]", "complete -o default -F _adl_sandbox adl-sandbox"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed here")
def test_fish_completes_subcommands_and_choices(capsys, tmp_path):
    path = tmp_path / "adl-sandbox.fish"
    path.write_text(script("fish", capsys))
    program = (
        f"source {path}; complete -C 'adl-sandbox calc '; echo ===; "
        "complete -C 'adl-sandbox simulate --venue '"
    )
    done = subprocess.run(["fish", "-c", program], capture_output=True, text=True, timeout=30)
    calc, venues = done.stdout.split("===\n")
    assert {line.split("\t")[0] for line in calc.splitlines()} == {"liq", "adl", "split"}
    assert {line.split("\t")[0] for line in venues.splitlines()} >= {"okx", "all", "dydx"}


def test_an_unknown_shell_is_one_line(capsys):
    assert main(["completion", "powershell"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'powershell'" in err
