"""The command line as completion needs it: commands, their flags and the words they take.

The scripts are written from the argparse parser itself (``tui/cli.py``
``build_parser``), never by hand, so a flag added there is completed at once and a
flag removed there is never offered. This module walks the parser once into frozen
values; each shell's writer (``bash.py``, ``zsh.py``, ``fish.py``) only renders them.
argparse has no public way to list a parser's actions, so ``_actions`` is read here
and nowhere else.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    """One option: its spellings, whether it takes a value, the values it allows."""

    names: tuple[str, ...]
    takes_value: bool
    choices: tuple[str, ...]
    help: str


@dataclass(frozen=True)
class Command:
    """A command or subcommand: ``path`` from the program's name down, e.g.
    ``("adl-sandbox", "calc", "liq")``; ``words`` are the values its positional
    arguments allow; ``files`` whether a positional takes any other word (a file)."""

    path: tuple[str, ...]
    help: str
    flags: tuple[Flag, ...]
    commands: tuple[Command, ...]
    words: tuple[str, ...]
    files: bool

    @property
    def name(self) -> str:
        return self.path[-1]

    def walk(self) -> tuple[Command, ...]:
        """This command and every command under it, parents first."""
        return (self, *(c for sub in self.commands for c in sub.walk()))


def command_tree(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help: str = ""
) -> Command:
    """Every command under ``parser``, with its flags, as frozen values."""
    path = path or (parser.prog,)
    actions = [a for a in parser._actions if a.help != argparse.SUPPRESS]
    flags = tuple(_flag(a) for a in actions if a.option_strings)
    positionals = [a for a in actions if not a.option_strings]
    subparsers = [a for a in positionals if isinstance(a, argparse._SubParsersAction)]
    plain = [a for a in positionals if a not in subparsers]
    helps = {c.dest: c.help or "" for s in subparsers for c in s._choices_actions}
    commands = tuple(
        command_tree(sub, (*path, name), helps.get(name, ""))
        for s in subparsers
        for name, sub in s.choices.items()
    )
    words = tuple(str(w) for a in plain if a.choices for w in a.choices)
    files = any(not a.choices for a in plain)
    return Command(path, short(help), flags, commands, words, files)


def _flag(action: argparse.Action) -> Flag:
    takes_value = action.nargs != 0
    choices = tuple(str(c) for c in action.choices) if action.choices else ()
    return Flag(tuple(action.option_strings), takes_value, choices, short(action.help or ""))


def short(help: str) -> str:
    """A help text cut to what fits beside a completion: its first clause, without
    argparse's ``%(default)s`` placeholders or anything a shell would read."""
    text = re.sub(r"%\([a-z_]+\)s", "", help).split(" (")[0].split(";")[0].strip()
    text = re.sub(r"[`$\\\"']", "", text)
    return text if len(text) <= 60 else text[:57].rstrip() + "..."
