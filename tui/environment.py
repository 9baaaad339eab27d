"""The environment variables the command line and the app read, in one table.

``--help`` prints it as its epilog and the README repeats it, so a variable the code
reads is never a secret: add a row here when the code reads a new one.
"""

from __future__ import annotations

import textwrap

WIDTH = 79  # columns of --help's epilog

VARIABLES = (
    (
        "ADL_SANDBOX_HOME",
        "folder for saved sessions (sessions/), crash reports (crashes/) and, unless "
        "ADL_SANDBOX_CONFIG says otherwise, config.toml; default: the user data directory",
    ),
    (
        "ADL_SANDBOX_CONFIG",
        "the config file (theme, speed, venue); default: config.toml in "
        "ADL_SANDBOX_HOME if set, else in the user config directory",
    ),
    ("NO_COLOR", "set to anything: the app draws without colour (Textual honours it)"),
)


def epilog() -> str:
    """The table as ``--help`` shows it: one variable a line, its meaning beside it."""
    width = max(len(name) for name, _ in VARIABLES)
    rows = [
        textwrap.fill(
            meaning,
            WIDTH,
            initial_indent=f"  {name:<{width}}  ",
            subsequent_indent=" " * (width + 4),
        )
        for name, meaning in VARIABLES
    ]
    return "environment variables:\n" + "\n".join(rows)
