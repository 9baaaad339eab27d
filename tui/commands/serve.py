"""``adl-sandbox serve``: the app in a browser, for a classroom.

Each browser that opens the page gets an app of its own: a new session on the
calm market, in a folder of its own that is removed when the tab closes (nothing
is kept: a browser cannot resume). A tab closed at any moment, even while its app
is still starting, ends that app; stopping the server (Ctrl+C, SIGTERM) ends them
all. Needs the web extra: pip install 'adl-sandbox[web]'.

  adl-sandbox serve                       http://127.0.0.1:8000, this machine only
  adl-sandbox serve --host 0.0.0.0        the class's browsers too (no login!)
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from importlib.util import find_spec

from tui.arguments import HelpText, UserError, described

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
EXTRA = "adl-sandbox serve needs the web extra: pip install 'adl-sandbox[web]'"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="the app in a browser, each visitor their own session",
        description=described(__doc__),
        formatter_class=HelpText,
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return port


def run(args: argparse.Namespace) -> int:
    """Check what can be checked before anything starts, then serve until stopped."""
    if find_spec("textual_serve") is None:
        raise UserError(EXTRA)
    check_listen(args.host, args.port)
    if not loopback(args.host):
        print(
            f"adl-sandbox: warning: --host {args.host}: anyone who can reach this machine "
            "can open the app (there is no login)",
            file=sys.stderr,
        )
    from tui.web.server import ClassroomServer

    try:
        ClassroomServer(app_command(), args.host, args.port).serve()
    except OSError as error:  # taken between the check and the bind
        raise UserError(_cannot_listen(args.host, args.port, error)) from None
    return 0


def app_command() -> list[str]:
    """A visitor's app: this interpreter running this command line (not whatever
    ``adl-sandbox`` the PATH finds first), with no arguments: the plain app, which
    welcomes a first-time user with lesson 1."""
    return [sys.executable, "-m", "tui.cli"]


def check_listen(host: str, port: int) -> None:
    """One line, before anything starts, if the server could not listen there."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UserError(f"--host {host}: {error.strerror}") from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            try:
                probe.bind(address)
            except OSError as error:
                raise UserError(_cannot_listen(host, port, error)) from None


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    return f"--port {port}: cannot listen on {host} port {port}: {error.strerror or error}"


def loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
