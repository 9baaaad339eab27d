"""``adl-sandbox scenarios``: the shipped scenarios, by name, with what each shows."""

from __future__ import annotations

import argparse

from engine.scenario import shipped
from tui.arguments import described


def add_parser(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "scenarios", help="list the shipped scenarios", description=described(__doc__)
    )


def run(args: argparse.Namespace) -> int:
    entries = shipped()
    width = max(len(name) for name, _ in entries)
    for name, description in entries:
        print(f"{name:<{width}}  {description}")
    print(
        "\nRun one with `adl-sandbox --scenario NAME` or `adl-sandbox simulate --scenario NAME`;"
        "\ncopy its TOML file to make your own and pass the path instead."
    )
    return 0
