"""``adl-sandbox serve``, end to end on 127.0.0.1 (no other address is ever used).

The server runs as a user runs it, in a process of its own; a "browser" fetches the
page, opens the app's websocket, reads the app's screen and leaves: after a visit,
after a drop mid-load (the socket closed at once, or cut without a close frame), and
with the server stopped while a visitor is there. Each time, no app process may be
left. An app process is found by its environment (each visitor's home lies under
this test's TMPDIR), so an app that outlived its server, re-parented elsewhere,
is found too.

Then the two sides of the fix on their own: an app whose server vanished (its stdin
ended, its stdout broken) ends by itself; an app that ignores "quit" and SIGTERM is
killed, with everything in its process group.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from tui.cli import main

pytest.importorskip(
    "textual_serve", reason="adl-sandbox serve needs the web extra (in .[test]: make test)"
)
import aiohttp  # noqa: E402  (textual-serve's own dependency)

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LIMIT = 30.0  # seconds: the longest any one wait may take (a loaded 2-core machine)
GANGLION = b"__GANGLION__\n"  # what Textual's web driver prints once the app is up


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def eventually(condition, what: str, limit: float = LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit}s: {what}")
        time.sleep(0.1)


def apps_under(folder: Path) -> list[int]:
    """Every live process whose ADL_SANDBOX_HOME lies under ``folder``."""
    marker = f"ADL_SANDBOX_HOME={folder}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:  # gone meanwhile, or not ours
                continue
            if state != "Z" and any(v.startswith(marker) for v in environment.split(b"\0")):
                found.append(int(entry.name))
    return found


def listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port`` (IPv4 and IPv6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


class Served:
    """``adl-sandbox serve --port PORT`` in a process of its own, its output in files."""

    def __init__(self, tmp_path: Path) -> None:
        self.port, self.temp = free_port(), tmp_path / "tmp"
        self.temp.mkdir()
        self.out, self.err = tmp_path / "serve.out", tmp_path / "serve.err"
        environment = dict(os.environ, ADL_SANDBOX_HOME=str(tmp_path / "home"))
        environment["TMPDIR"] = str(self.temp)  # where the visitors' homes go
        environment.pop("ADL_SANDBOX_CONFIG", None)
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tui.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=environment,
                start_new_session=True,
            )
        eventually(self.listening, "the server listens")

    def listening(self) -> bool:
        assert self.process.poll() is None, self.err.read_text()
        with socket.socket() as probe:
            return probe.connect_ex((HOST, self.port)) == 0

    def said(self) -> str:
        return self.out.read_text()

    def no_app_left(self) -> None:
        eventually(lambda: apps_under(self.temp) == [], "every visitor's app has ended")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(LIMIT)

    def kill(self) -> None:
        """Whatever happened in the test: nothing of ours stays behind."""
        for pid in [self.process.pid, *apps_under(self.temp)]:  # each leads its group
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.process.wait(LIMIT)


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    server = Served(tmp_path)
    try:
        yield server
    finally:
        server.kill()


async def visit(port: int, leave_at_once: bool = False) -> int:
    """Open the app's websocket as the page does; read its screen until a few KB have
    come (or not at all); close. Returns the bytes received."""
    url = f"ws://{HOST}:{port}/ws?width=100&height=30"
    received = 0
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        if leave_at_once:
            return 0
        await websocket.send_json(["resize", {"width": 100, "height": 30}])
        async with asyncio.timeout(LIMIT):
            async for message in websocket:
                if message.type == aiohttp.WSMsgType.BINARY:
                    received += len(message.data)
                if received > 4096:
                    break
    return received


def cut(port: int) -> None:
    """A browser that vanishes mid-handshake: the upgrade asked, then the connection
    reset (no close frame, no FIN)."""
    with socket.create_connection((HOST, port)) as connection:
        connection.sendall(
            b"GET /ws?width=100&height=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:  # upgraded: the server is starting the app
            answer += connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 101"), answer
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_visit_and_dropped_browsers_leave_no_process(served):
    assert listening_addresses(served.port) == ["0100007F"]  # 127.0.0.1, and nothing else
    page = urllib.request.urlopen(f"http://{HOST}:{served.port}/", timeout=LIMIT).read()
    assert f'data-session-websocket-url="ws://{HOST}:{served.port}/ws"'.encode() in page

    assert asyncio.run(visit(served.port)) > 4096  # the app drew its screen
    served.no_app_left()
    assert asyncio.run(visit(served.port, leave_at_once=True)) == 0  # dropped mid-load
    served.no_app_left()
    cut(served.port)
    served.no_app_left()

    for number in (1, 2, 3):
        eventually(lambda n=number: f"visitor {n} left" in served.said(), f"visitor {number} left")
    assert [p for p in served.temp.glob("adl-sandbox-serve-*/*")] == []  # homes removed
    assert served.stop() in (0, 143)
    assert list(served.temp.iterdir()) == []


def test_stopping_the_server_ends_the_apps_of_visitors_still_there(served):
    async def stay_while_stopped() -> bool:
        url = f"ws://{HOST}:{served.port}/ws?width=100&height=30"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
            async with asyncio.timeout(LIMIT):
                async for message in websocket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        break  # the app is up
            assert apps_under(served.temp) != []
            served.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(LIMIT):
                async for _ in websocket:
                    pass
            return websocket.closed

    assert asyncio.run(stay_while_stopped())  # the server closed the visitor's page
    assert served.process.wait(LIMIT) in (0, 143)
    assert apps_under(served.temp) == []
    assert list(served.temp.iterdir()) == []


# -- the app's side: a server that vanished ----------------------------------------------


@pytest.mark.parametrize("closed", ["stdin", "stdin and stdout"])
def test_an_app_whose_server_vanished_ends_by_itself(tmp_path, closed):
    environment = dict(
        os.environ,
        ADL_SANDBOX_HOME=str(tmp_path),
        TEXTUAL_DRIVER="tui.web.driver:VisitorDriver",
        COLUMNS="100",
        ROWS="30",
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "tui.cli"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        assert GANGLION in [app.stdout.readline() for _ in range(10)]  # the app is up
        app.stdin.close()
        app.stdin = None
        if "stdout" in closed:
            app.stdout.close()
            app.stdout = None
        app.communicate(timeout=LIMIT)  # stdout (if open) read on, as a server would
        assert app.returncode == 0  # ended as q ends it
        assert list((tmp_path / "sessions").glob("*.jsonl")), "the session was saved"
    finally:
        app.kill()
        app.wait()


# -- the server's side: an app that will not listen ---------------------------------------

STUBBORN = """
import pathlib, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # its helper inherits that too
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
pathlib.Path(sys.argv[1]).write_text(str(helper.pid))
print("__GANGLION__", flush=True)
time.sleep(60)
"""


def test_an_app_deaf_to_quit_and_sigterm_is_killed_with_its_group(tmp_path):
    from textual_serve.download_manager import DownloadManager

    from tui.web.visitor import Visitor

    async def nothing(*_: object) -> None:
        return None

    async def start_and_stop() -> tuple[Visitor, int, float]:
        visitor = Visitor(
            [sys.executable, "-c", STUBBORN, str(tmp_path / "helper")],
            tmp_path,
            grace=0.5,
            write_bytes=nothing,
            write_str=nothing,
            close=nothing,
            download_manager=DownloadManager(),
        )
        await visitor.start(80, 24)
        while not (tmp_path / "helper").exists():
            await asyncio.sleep(0.05)
        helper = int((tmp_path / "helper").read_text())
        began = time.monotonic()
        await visitor.stop()
        return visitor, helper, time.monotonic() - began

    visitor, helper, took = asyncio.run(start_and_stop())
    assert visitor.exit_status == -signal.SIGKILL
    assert took < 5
    eventually(lambda: not alive(helper), "the app's helper, in its group, is gone", limit=5)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_visitor_app_gets_its_own_home_and_the_web_driver(tmp_path, monkeypatch):
    from textual_serve.download_manager import DownloadManager

    from tui.web.homes import Homes
    from tui.web.visitor import Visitor

    config = tmp_path / "teacher.toml"
    config.write_text('venue = "okx"\n')
    monkeypatch.setenv("ADL_SANDBOX_CONFIG", str(config))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    homes = Homes()
    first, second = homes.make(), homes.make()
    assert first != second and (first / "config.toml").read_text() == 'venue = "okx"\n'
    environment = Visitor(
        ["adl-sandbox"],
        first,
        write_bytes=None,
        write_str=None,
        close=None,
        download_manager=DownloadManager(),
    )._build_environment(100, 30)
    assert environment["ADL_SANDBOX_HOME"] == str(first)
    assert environment["TEXTUAL_DRIVER"] == "tui.web.driver:VisitorDriver"
    assert "ADL_SANDBOX_CONFIG" not in environment  # a visitor's theme goes to their copy
    homes.close()
    assert not homes.root.exists()


# -- mistakes: one line, exit 2 -----------------------------------------------------------


@pytest.fixture
def refused(capsys):
    def run(args: list[str], fragment: str) -> None:
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 2, (args, out, err)
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
        assert fragment in err, err

    return run


@pytest.mark.parametrize(
    ("port", "fragment"),
    [("0", "not a port"), ("65536", "not a port"), ("http", "not a port number")],
)
def test_a_bad_port(refused, port, fragment):
    refused(["serve", "--port", port], fragment)


def test_a_port_in_use(refused):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused(["serve", "--port", str(port)], f"cannot listen on {HOST} port {port}")


def test_without_the_web_extra(refused, monkeypatch):
    monkeypatch.setattr("tui.commands.serve.find_spec", lambda name: None)
    refused(["serve"], "pip install 'adl-sandbox[web]'")
