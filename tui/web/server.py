"""The web server of ``adl-sandbox serve``: textual-serve's page and websocket, with
a visitor's app that cannot outlive them.

What differs from textual-serve's ``Server``:

- each websocket gets a ``Visitor`` (an app process in a group and a home of its
  own, ended within bounds) instead of an ``AppService``;
- the server's end (SIGINT, SIGTERM, SIGHUP) ends every visitor's app before the
  server returns, and removes their folders;
- the page points its websocket at the address the browser used, so a classroom
  reaching the machine by its LAN address (``--host 0.0.0.0``) is sent back there,
  not to ``0.0.0.0``;
- one line per visitor arriving and leaving instead of a log line per request.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from tui.web.homes import Homes
from tui.web.visitor import GRACE, Visitor

log = logging.getLogger("textual-serve")
HEARTBEAT = 15  # seconds: a browser that vanished without a word is noticed within two
SHUTDOWN = 10  # seconds the server waits for connections once every app has ended
CLIENT_GONE = 499  # the status nginx logs for a client that left before the answer
MAX_COLUMNS, MAX_ROWS = 500, 200  # the screen size a browser may ask for, at most


class ClassroomServer(Server):
    """Serve ``argv`` (the app's command line), one process per browser connection."""

    def __init__(self, argv: list[str], host: str, port: int, grace: float = GRACE) -> None:
        super().__init__(" ".join(argv), host=host, port=port, title="ADL Sandbox")
        self.argv, self.grace = argv, grace
        self.visitors: set[Visitor] = set()
        self.homes = Homes()
        self._arrivals = 0

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT, SIGTERM or SIGHUP; every visitor's app has ended on return."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(number, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=None,
                access_log=None,
                shutdown_timeout=SHUTDOWN,
            )
        finally:
            asyncio.set_event_loop(None)
            self.homes.close()

    async def on_startup(self, app: web.Application) -> None:
        print(
            f"adl-sandbox: serving the app on {self.public_url} (one session per visitor; "
            "Ctrl+C stops it and every visitor's app)",
            flush=True,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """End every visitor's app (each within its grace periods), all at once."""
        await asyncio.gather(*(visitor.stop() for visitor in list(self.visitors)))

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """textual-serve's page, its URLs built on the address the browser used."""
        router, origin = request.app.router, f"{request.scheme}://{request.host}"
        socket_scheme = "wss" if request.scheme == "https" else "ws"
        statics = f"{origin}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{socket_scheme}://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": statics}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One visitor: their app runs while their websocket is open, and ends after."""
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        try:
            await websocket.prepare(request)
        except ConnectionError:  # gone before the handshake's answer: no app to start
            return web.Response(status=CLIENT_GONE)  # for the access log; nobody reads it
        self._arrivals += 1
        number, home = self._arrivals, self.homes.make()
        visitor = Visitor(
            self.argv,
            home,
            self.grace,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.visitors.add(visitor)
        print(f"adl-sandbox: visitor {number} arrived ({len(self.visitors)} here)", flush=True)
        try:
            await visitor.start(*_size(request))
            await self._process_messages(websocket, visitor)
        except Exception as error:  # a malformed message: this visitor ends, the server goes on
            log.warning("visitor %d: %s", number, error)
        finally:
            await visitor.stop()
            self.visitors.discard(visitor)
            self.homes.remove(home)
            ended = f"exit status {visitor.exit_status}"
            print(f"adl-sandbox: visitor {number} left; their app ended ({ended})", flush=True)
        return websocket


def _size(request: web.Request) -> tuple[int, int]:
    """The screen the browser asks for, within bounds (a huge one is a huge frame)."""
    width = to_int(request.query.get("width", "80"), 80)
    height = to_int(request.query.get("height", "24"), 24)
    return max(20, min(width, MAX_COLUMNS)), max(10, min(height, MAX_ROWS))
