"""``adl-sandbox --version``: the version of the package that is really installed.

It is read from the package metadata (``engine.journal.project_version``, the same
figure every journal records), so a wheel, a ``pipx`` or ``uv tool`` install and an
editable checkout each name what runs. Reading the metadata scans the installed
packages, so it waits until the flag is given instead of slowing every start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from engine.journal import project_version


class VersionFlag(argparse.Action):
    """argparse's ``version`` action, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: Any):
        super().__init__(
            option_strings,
            dest=dest,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the installed version and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {project_version()}", file=sys.stdout)
        parser.exit()
