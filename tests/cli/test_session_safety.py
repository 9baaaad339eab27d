"""A session belongs to one process, gets a name of its own, and survives its end.

The app runs in a pseudo-terminal, as a user's terminal would run it (the approach of
``benchmarks/ui_bench.py``): a second process on an open session is refused without
writing a byte, two sessions started in the same second never share a file, a
crash leaves ``--resume`` pointing at the session that crashed, and SIGTERM or
SIGHUP (a closed terminal) end the app the way ``q`` does. Every wait has a limit.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime
from pathlib import Path

import pytest

from engine.journal import JournalError, JournalWriter, header_for
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import SECOND
from tui import cli, sessions
from tui.app import SandboxApp

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "from tui.cli import entry; entry()"
SIZE = (160, 48)
LIMIT = 20  # seconds: the longest any one wait may take
LEAVE_ALT_SCREEN = b"\x1b[?1049l"  # what Textual writes when it restores the terminal


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    monkeypatch.setattr("tui.runtime.settle_heap", lambda: None)  # keep pytest's heap as is
    return tmp_path


def command(*args: str, timeout: float = LIMIT) -> subprocess.CompletedProcess:
    """``adl-sandbox ARGS`` from this source tree, without a terminal."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Terminal:
    """``adl-sandbox ARGS`` in a pseudo-terminal of 160×48; ``controlling`` makes it the
    process's controlling terminal, so closing it hangs up the app as a closed window
    would."""

    def __init__(self, *args: str, controlling: bool = False) -> None:
        self.args, self.controlling, self.seen = args, controlling, b""
        self.master: int | None = None

    def __enter__(self) -> Terminal:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
        take_terminal = (lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if self.controlling else None
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, *self.args],
            cwd=ROOT,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=take_terminal,
        )
        os.close(slave)
        self.master = master
        self.wait_for(b"BTCUSDT")  # the first frame
        return self

    def wait_for(self, word: bytes, after: int = 0) -> None:
        deadline = time.monotonic() + LIMIT
        while word not in self.seen[after:]:
            if time.monotonic() > deadline or not self._read(0.05):
                raise AssertionError(f"{word!r} never appeared: {self.seen[-400:]!r}")

    def _read(self, seconds: float) -> bool:
        """Read what is there within ``seconds``; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], seconds)
        if ready:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the app is gone and the terminal with it
                return False
            self.seen += data
            return bool(data)
        return self.process.poll() is None

    def watch(self, seconds: float) -> None:
        """Let the app run (and keep reading, so that it never blocks on a full terminal)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read(0.02):
            pass

    def press(self, key: bytes, then: bytes) -> None:
        mark = len(self.seen)
        os.write(self.master, key)
        self.wait_for(then, after=mark)

    def finish(self) -> int:
        """Read until the app ends, and its exit status."""
        deadline = time.monotonic() + LIMIT
        while self._read(0.05) and time.monotonic() < deadline:
            pass
        return self.process.wait(max(0.1, deadline - time.monotonic()))

    def hang_up(self) -> None:
        os.close(self.master)
        self.master = None

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        if self.master is not None:
            os.close(self.master)


def saved_session(home: Path, steps: int = 30) -> Path:
    """A session of the app's, played and saved (``q``) in this process."""
    session, journal = sessions.start(Simulation(load_scenario("calm"), seed=7))
    for _ in range(steps):
        session.step()
    session.set_leverage(10)
    session.submit("buy", "0.01", order_type="market")
    return sessions.save(journal)


def standing_still(app: Terminal, path: Path, quiet: float = 0.3) -> bytes:
    """The file once it has not changed for ``quiet`` seconds: a pause starts no new
    step, but the step already under way (in slices) still ends and is recorded."""
    deadline = time.monotonic() + LIMIT
    before = path.read_bytes()
    while time.monotonic() < deadline:
        app.watch(quiet)
        now = path.read_bytes()
        if now == before:
            return now
        before = now
    raise AssertionError(f"{path.name} kept changing for {LIMIT} s after the pause")


def shown_time(screen: bytes) -> int:
    """Seconds of the clock the header drew last, just before its "paused"."""
    before = screen[: screen.rfind(b"paused")][-400:]
    *_, clock = re.findall(rb"(?:(\d+)d )?(\d\d):(\d\d):(\d\d)", before)
    days, hours, minutes, seconds = (int(part or 0) for part in clock)
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def clock(session) -> int:
    return session.exchange.market_view().time // SECOND


def events_up_to(session, seconds: int) -> list:
    """Step a resumed session on to the clock the app showed: the events those steps
    make. The journal records a step only if it made events, so a session resumes at
    its last step that made any; the steps after it, made again, must make none."""
    made: list = []
    session.listeners[:] = [lambda step, time, command, events: made.extend(events)]
    while clock(session) < seconds and session.step():
        pass
    return made


def saved_path(output: str | bytes) -> Path:
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    return Path(text.split("Session saved to ")[1].split()[0])


def resume_in_process(capsys, *args: str) -> tuple[Path, SandboxApp]:
    """``adl-sandbox --resume [PATH]`` here, quitting at once: the path it saved to and
    the app it would have shown."""
    opened: list[SandboxApp] = []
    original = SandboxApp.run
    SandboxApp.run = lambda self: opened.append(self)  # type: ignore[method-assign]
    try:
        capsys.readouterr()
        assert cli.main(["--resume", *args]) == 0
    finally:
        SandboxApp.run = original  # type: ignore[method-assign]
    return saved_path(capsys.readouterr().out), opened[0]


def identical(capsys, path: Path) -> bool:
    capsys.readouterr()
    code = cli.main(["verify", str(path)])
    out, err = capsys.readouterr()
    return code == 0 and out.startswith("identical") and err == ""


def test_a_second_process_on_an_open_session_is_refused_and_writes_nothing(home, capsys):
    path = saved_session(home)
    with Terminal("--resume", str(path), "--speed", "20") as first:
        first.press(b" ", then=b"paused")
        before = standing_still(first, path)
        for args in (["--resume", str(path)], ["simulate", "--resume", str(path)]):
            second = command(*args)
            assert second.returncode == 2, second.stderr
            assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
            assert f"this session is open in another adl-sandbox (pid {first.process.pid})" in (
                second.stderr
            )
            assert path.read_bytes() == before
        with pytest.raises(
            JournalError, match=f"open in another adl-sandbox .pid {first.process.pid}"
        ):  # simulate --journal
            JournalWriter(path, header_for(Simulation(load_scenario("calm"))))
        assert path.read_bytes() == before
        first.press(b"q", then=b"Session saved to")
        assert first.finish() == 0
    assert identical(capsys, path) and not Path(f"{path}.pid").exists()


def test_two_sessions_started_in_the_same_second_never_share_a_file(monkeypatch, capsys):
    """Another start takes the name between this one's choice and its file: the file is
    created O_EXCL, so this one moves on to the next name."""
    monkeypatch.setattr(sessions, "datetime", SameSecond)
    racing: list = []
    real = sessions.JournalWriter

    def another_start_first(*args, **options):
        if not racing:
            racing.append(None)
            racing[0] = sessions.start(Simulation(load_scenario("calm")))[1]
        return real(*args, **options)

    monkeypatch.setattr(sessions, "JournalWriter", another_start_first)
    _, mine = sessions.start(Simulation(load_scenario("calm")))
    (theirs,) = racing
    assert theirs.path.name == "20300102-030405-calm.jsonl"
    assert mine.path.name == "20300102-030405-calm-2.jsonl"
    for journal in (mine, theirs):
        journal.close()
        assert identical(capsys, journal.path)  # each file holds one session, whole


class SameSecond(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2030, 1, 2, 3, 4, 5)


RACER = """
import sys, time
from datetime import datetime
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import SECOND
from tui import sessions

class SameSecond(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2030, 1, 2, 3, 4, 5)

sessions.datetime = SameSecond
simulation = Simulation(load_scenario("calm"))
while time.time() < float(sys.argv[1]):
    pass
session, journal = sessions.start(simulation)
for _ in range(20):
    session.step()
print(sessions.save(journal))
"""


def test_sessions_started_at_once_by_four_processes_get_four_files(home, capsys):
    at = time.time() + 2.0  # time enough for all four to be waiting at the line
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    paths = []
    for racer in racers:
        out, err = racer.communicate(timeout=LIMIT)
        assert racer.returncode == 0, err
        paths.append(Path(out.strip()))
    assert len(set(paths)) == 4
    assert all(path.name.startswith("20300102-030405-calm") for path in paths)
    assert all(identical(capsys, path) for path in paths)


def test_resume_after_a_crash_opens_the_session_that_crashed(home, capsys):
    older = saved_session(home)  # quit with q: the pointer names it
    with Terminal("--speed", "20") as app:
        app.watch(0.5)
        app.press(b" ", then=b"paused")
        (crashed,) = set((home / "sessions").glob("*.jsonl")) - {older}
        os.killpg(app.process.pid, signal.SIGKILL)
        assert app.process.wait(LIMIT) == -signal.SIGKILL
    resumed, _ = resume_in_process(capsys)
    assert resumed == crashed
    assert identical(capsys, crashed)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_app_as_q_does(home, capsys, number):
    saved_session(home)  # an older session: the pointer must move off it
    with Terminal("--speed", "20") as app:
        app.watch(0.5)
        app.press(b" ", then=b"paused")
        shown = shown_time(app.seen)
        mark = len(app.seen)
        os.kill(app.process.pid, number)
        assert app.finish() == 0
        ending = app.seen[mark:]
    assert LEAVE_ALT_SCREEN in ending and b"Traceback" not in ending
    assert b"Session saved to " in ending.split(LEAVE_ALT_SCREEN)[-1]  # after the screen
    path = saved_path(ending)
    assert identical(capsys, path) and not Path(f"{path}.pid").exists()
    resumed, app = resume_in_process(capsys)
    assert resumed == path
    assert shown - 5 <= clock(app.session) <= shown
    assert events_up_to(app.session, shown) == []  # the steps after the last record made none


def test_a_closed_terminal_saves_the_session_and_points_resume_at_it(home, capsys):
    older = saved_session(home)
    with Terminal("--speed", "20", controlling=True) as app:
        app.watch(0.5)
        app.press(b" ", then=b"paused")
        (path,) = set((home / "sessions").glob("*.jsonl")) - {older}
        app.hang_up()
        assert app.process.wait(LIMIT) == 0
    assert identical(capsys, path) and not Path(f"{path}.pid").exists()
    assert resume_in_process(capsys)[0] == path


def test_simulate_stopped_by_sigterm_closes_its_journal_with_one_line(tmp_path, capsys):
    path = tmp_path / "run.jsonl"
    run = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "simulate", "--scenario", "volatile"]
        + ["--duration", "6h", "--journal", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 100_000):
        time.sleep(0.01)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=LIMIT)
    assert run.returncode == 128 + signal.SIGTERM
    assert err == "adl-sandbox: stopped by SIGTERM\n"
    assert identical(capsys, path) and not Path(f"{path}.pid").exists()
