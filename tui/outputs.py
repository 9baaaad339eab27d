"""Files the command line writes, made so that an output never destroys an input.

A path the user names for output is refused when it is one of the run's inputs
(even with ``--force``), when it already exists (unless ``--force``), and when it is
a symbolic link (writing would land on whatever it points at). A set of files is
written under temporary names and renamed into place only once every one of them
is complete, so a failure halfway (a full disk) leaves the folder as it was.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from tui.arguments import UserError


def check_output(path: Path, flag: str, inputs: Iterable[Path | None], force: bool) -> None:
    """Refuse to write ``path`` (named by ``flag``) over an input, a link or, without
    ``force``, any existing file."""
    for source in inputs:
        if source is not None and _same_file(path, source):
            raise UserError(f"{path} is an input of this run: {flag} would destroy it")
    if path.is_symlink():
        raise UserError(f"{path} is a symbolic link: {flag} writes only to a file itself")
    if path.exists():
        if not path.is_file():
            raise UserError(f"{path} exists and is not a regular file: {flag} cannot replace it")
        if not force:
            raise UserError(f"{path} already exists (add --force to replace it)")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class ReplacedTogether:
    """Files written under temporary names in one folder, renamed into place together
    by ``commit``; closing without committing removes every temporary file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: list[tuple[IO[str], Path]] = []

    def open(self, name: str) -> IO[str]:
        temporary = self.folder / f".{name}.{secrets.token_hex(4)}.part"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        stream = os.fdopen(handle, "w", newline="", encoding="utf-8")
        self._pending.append((stream, temporary))
        return stream

    def commit(self, names: Iterable[str]) -> None:
        """Flush every file to disk, then give each its final name (``names`` in the
        order the files were opened)."""
        for stream, _ in self._pending:
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
        for (_, temporary), name in zip(self._pending, names, strict=True):
            os.replace(temporary, self.folder / name)
        self._pending = []

    def discard(self) -> None:
        for stream, temporary in self._pending:
            stream.close()
            temporary.unlink(missing_ok=True)
        self._pending = []

    def __enter__(self) -> ReplacedTogether:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()
