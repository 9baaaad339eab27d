"""The user's config file: the app's own defaults for theme, speed and venue.

A TOML file in the platformdirs config directory (``ADL_SANDBOX_CONFIG`` names
another, as tests do), for instance::

    theme = "nord"      # any of Textual's themes (ctrl+p, "theme", saves it here)
    speed = 10          # engine steps per second, or "max"
    venue = "okx"       # the waterfall the app's market runs by

It only sets defaults: a flag on the command line beats it, and a resumed session
keeps the venue its journal recorded. A mistake in it never stops the app: each is
one line naming the file and the key, and that key keeps its default. Nothing here
writes the file (``theme_key.py`` rewrites the theme key alone).

The default terminal size is not a setting: the app draws in the terminal it is
given and cannot size it (Textual's ``size`` applies to headless runs only).
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_dir

from engine.errors import UserFacingError
from engine.policies import Venue

KEYS = ("theme", "speed", "venue")


@dataclass(frozen=True)
class Preferences:
    """What the file sets (None: not set, or set wrong); ``path`` is where it is read
    and where a theme chosen in the app is written."""

    path: Path
    theme: str | None = None
    speed: str | None = None  # as ``--speed`` takes it: checked by the app's own rule
    venue: str | None = None


def config_path() -> Path:
    """``$ADL_SANDBOX_CONFIG`` if set; else ``config.toml`` in ``$ADL_SANDBOX_HOME`` if
    that is set (a home of its own, as tests make, reads nobody else's settings);
    else ``config.toml`` in the user config directory."""
    named, home = os.environ.get("ADL_SANDBOX_CONFIG"), os.environ.get("ADL_SANDBOX_HOME")
    if named:
        return Path(named).expanduser()
    if home:
        return Path(home).expanduser() / "config.toml"
    return Path(user_config_dir("adl-sandbox", appauthor=False)) / "config.toml"


def read_preferences(path: Path | None = None) -> tuple[Preferences, tuple[str, ...]]:
    """The file's settings and one line per problem in it (a missing file is none)."""
    path = path or config_path()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences(path), ()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        return Preferences(path), (f"{path}: cannot read it ({reason}); defaults used",)
    except tomllib.TOMLDecodeError as error:
        return Preferences(path), (f"{path}: not valid TOML ({error}); defaults used",)
    values, problems = {}, []
    for key, value in table.items():
        reason = _problem(key, value)
        if reason:
            problems.append(f"{path}: {key}: {reason}")
        else:
            values[key] = str(value)
    return Preferences(path, **values), tuple(problems)


def _problem(key: str, value: object) -> str | None:
    """Why a key cannot be taken, or None."""
    if key not in KEYS:
        return f"unknown key (known: {', '.join(KEYS)}); ignored"
    if key == "speed":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return f"{value!r} is not a number or max; the default is used"
        return None
    if not isinstance(value, str) or not value:
        return f"{value!r} is not a name in quotes; the default is used"
    if key == "venue" and value not in {v.value for v in Venue}:
        return f"{value!r} is not one of {', '.join(v.value for v in Venue)}; the default is used"
    return None


def under_flags(
    args: argparse.Namespace, preferences: Preferences, speed_rule: Callable[[str], object]
) -> tuple[argparse.Namespace, tuple[str, ...]]:
    """The app's arguments with the file's speed and venue wherever no flag gave one
    (a resumed session keeps its journal's venue), and one line if the file's speed
    breaks ``speed_rule`` (``--speed``'s own check, whose reason it repeats)."""
    changes: dict[str, str] = {}
    problems = []
    if args.speed is None and preferences.speed is not None:
        try:
            speed_rule(preferences.speed)
            changes["speed"] = preferences.speed
        except UserFacingError as error:
            reason = str(error).removeprefix("--speed: ")
            problems.append(f"{preferences.path}: speed: {reason}; the default is used")
    if args.venue is None and args.resume is None and preferences.venue is not None:
        changes["venue"] = preferences.venue
    return argparse.Namespace(**{**vars(args), **changes}), tuple(problems)
