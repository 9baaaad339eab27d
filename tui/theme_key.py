"""Write the theme chosen in the app into the user's config file, and nothing else.

The file is the user's: its other keys, its comments and its layout are kept byte
for byte; only the top-level ``theme = …`` line is replaced (or added before the
first table). The new text is checked by parsing it back (every other key unchanged,
the theme the one chosen) before it replaces the file, and it replaces it
atomically (written beside, then renamed over), so a crash never leaves half a
file. A file that is not valid TOML is left alone: the user has a mistake to fix,
and writing over it would lose their text. A symlinked file (dotfiles) is written
where the link points, so the link stays.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

THEME_LINE = re.compile(r"^(\s*theme\s*=\s*)(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^#\s]+)(.*)$")
TABLE_LINE = re.compile(r"^\s*\[")


class ThemeNotKept(Exception):
    """The theme could not be written; ``str()`` is the one-line reason."""


def keep_theme(path: Path, theme: str) -> bool:
    """Set ``theme`` in the file at ``path`` (made if missing); False if it was already."""
    target = path.resolve()
    text = _read(target)
    before = _parse(text, target)
    if before.get("theme") == theme:
        return False
    after = with_theme(text, theme)
    try:
        same_but_theme = _parse(after, target) == {**before, "theme": theme}
    except ThemeNotKept:
        same_but_theme = False
    if not same_but_theme:
        raise ThemeNotKept(f"{target}: its layout is unusual; set theme = {_quoted(theme)} there")
    _replace(target, after)
    return True


def with_theme(text: str, theme: str) -> str:
    """``text`` with its top-level theme line set to ``theme`` (added if there is none)."""
    lines = text.splitlines(keepends=True)
    top = next((i for i, line in enumerate(lines) if TABLE_LINE.match(line)), len(lines))
    for i, line in enumerate(lines[:top]):
        found = THEME_LINE.match(line.rstrip("\r\n"))
        if found:
            ending = line[len(line.rstrip("\r\n")) :] or "\n"
            lines[i] = f"{found[1]}{_quoted(theme)}{found[3]}{ending}"
            return "".join(lines)
    if top and not lines[top - 1].endswith("\n"):
        lines[top - 1] += "\n"
    lines.insert(top, f"theme = {_quoted(theme)}\n")
    return "".join(lines)


def _quoted(theme: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, for everything json emits here)."""
    return json.dumps(theme, ensure_ascii=False)


def _read(target: Path) -> str:
    try:
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeNotKept(f"{target}: cannot read it ({_why(error)})") from None


def _parse(text: str, target: Path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeNotKept(f"{target}: not valid TOML ({error}); the theme is not saved") from None


def _replace(target: Path, text: str) -> None:
    """Write beside the file, flush to disk, keep its mode, then rename over it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise ThemeNotKept(f"{target}: cannot write there ({_why(error)})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ThemeNotKept(f"{target}: cannot write it ({_why(error)})") from None


def _why(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)
