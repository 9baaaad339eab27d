"""Reading TOML data files with errors that name the file, the key and the problem.

Tiers, instruments and scenarios are data a user can copy and edit; a mistake in
one must come back as one plain line, never a traceback.
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import IO, Any

from engine.errors import UserFacingError
from engine.units import UnitError


class DataFileError(UserFacingError):
    """A data file that cannot be used; ``str()`` is the one-line reason."""


def packaged(folder: str, name: str) -> Path:
    """Path of a data file shipped inside ``engine/data/<folder>/``."""
    return Path(str(resources.files("engine") / "data" / folder / name))


NOT_REGULAR = (
    (stat.S_ISDIR, "is a directory, not a {noun}"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def require_regular(path: Path, error: type[Exception], noun: str = "file") -> None:
    """Refuse, without opening it, anything but a regular file: opening a FIFO waits for
    a writer forever, and a pipe or a device cannot be read a second time (a journal
    and a replay are)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{path}: no such {noun}") from None
    except OSError as failure:
        raise error(f"{path}: cannot be read ({failure.strerror or failure})") from None
    for test, problem in NOT_REGULAR:
        if test(mode):
            raise error(f"{path}: {problem.format(noun=noun)}")
    if not stat.S_ISREG(mode):
        raise error(f"{path}: not a regular file")


def open_file(path: str | Path, error: type[Exception], noun: str = "file", **options: Any) -> IO:
    """``path`` opened (binary unless ``encoding`` is given), or ``error`` with one plain
    line: no such file, not a regular file, or why the system would not open it."""
    path = Path(path)
    require_regular(path, error, noun)
    try:
        return path.open("r" if "encoding" in options else "rb", **options)
    except FileNotFoundError:
        raise error(f"{path}: no such {noun}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {noun}") from None
    except OSError as failure:
        raise error(f"{path}: cannot be read ({failure.strerror or failure})") from None


def load_toml(path: str | Path) -> dict[str, Any]:
    with open_file(path, DataFileError) as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise DataFileError(f"{path}: not valid TOML ({error})") from None
        except (UnicodeDecodeError, OSError) as error:
            raise DataFileError(f"{path}: cannot be read ({error})") from None
        except RecursionError:
            raise DataFileError(f"{path}: not valid TOML (nested too deeply)") from None


class Table:
    """A TOML table that knows where it came from, so every error can say so."""

    def __init__(self, data: Any, file: str | Path, where: str = "") -> None:
        if not isinstance(data, dict):
            raise DataFileError(f"{file}: {where or 'file'} must be a table")
        self.data, self.file, self.where = data, str(file), where

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> DataFileError:
        return DataFileError(f"{self.file}: {self._key(key)}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"expected {_kind_name(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"expected {_kind_name(kinds)}, got {value!r}")
        return value

    def parse(self, key: str, parser: Callable[[Any], Any], default: Any = ...) -> Any:
        """Read a value through a unit parser (rate, duration, money), naming the key on error."""
        if key not in self.data and default is not ...:
            return default
        raw = self.get(key, (str, int, float))
        try:
            return parser(str(raw))
        except (UnitError, ValueError) as error:
            raise self.fail(key, str(error)) from None

    def table(self, key: str, required: bool = True) -> Table:
        if key not in self.data and not required:
            return Table({}, self.file, self._key(key))
        return Table(self.get(key, dict), self.file, self._key(key))

    def tables(self, key: str) -> list[Table]:
        items = self.get(key, list)
        return [Table(item, self.file, f"{self._key(key)}[{i}]") for i, item in enumerate(items)]

    def check_known(self, known: set[str]) -> None:
        """Refuse keys the reader does not know: a typo must not be silently ignored."""
        for key in self.data:
            if key not in known:
                raise self.fail(key, f"unknown key (known: {', '.join(sorted(known))})")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {str: "text", int: "an integer", float: "a number", dict: "a table", list: "a list"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)
