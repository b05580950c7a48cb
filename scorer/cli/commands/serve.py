"""``coprod serve``: the what-if page on a local web server."""

from __future__ import annotations

import os
import re
import secrets
import socket
import sys

import click

from scorer.cli.commands.options import (
    CONTEXT,
    fail,
    like_field,
    load,
    note,
    reports_errors,
    scenario_argument,
    warn,
)
from scorer.inputs.models import SolverSettings

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SHUTDOWN_SECONDS = 1  # how long Ctrl-C or SIGTERM waits for requests still being answered
# uvicorn's own messages (warnings and errors only) on stderr in coprod's voice; its default
# configuration would send an access log to stdout, which carries data only.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"coprod": {"format": "coprod: server: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "coprod", "stream": "ext://sys.stderr"}},
    "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{8,200}")


def _token(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _TOKEN.fullmatch(value):
        raise click.BadParameter("must be 8 to 200 of the characters A-Z a-z 0-9 . _ ~ - (it goes into the address)")
    return value


@click.command("serve", context_settings=CONTEXT)
@scenario_argument
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines reach the page (with the token).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--token", callback=_token, metavar="T",
              help="The secret the page's address carries (default: a new random one each run).")
@click.option("--time-limit", type=like_field(SolverSettings, "time_limit"), metavar="S",
              help="Stop each solve after S seconds and show the best portfolio found, with its gap "
                   "(default: the scenario's).")
@click.option("--threads", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Solves that may run at once (tabs and requests beyond wait their turn).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@reports_errors
def serve_command(scenario: str | None, host: str, port: int, token: str | None, time_limit: float | None,
                  threads: int, open_browser: bool) -> None:
    """Serve the what-if page of SCENARIO: move the weights, the method, the budget and the year caps and see
    the ranking and the portfolio change; with perspectives, each partner's view and the bargain.

    Prints 'coprod: serving http://HOST:PORT/?token=TOKEN' on stderr; the page and
    every API call need the token. Ctrl-C stops the server (exit 130).
    """
    import uvicorn

    from scorer.study.whatif import WhatIf
    from scorer.web.app import create_app
    from scorer.web.security import served_hosts

    sock = _bound(host, port)  # first: a busy port is said at once, not after the scenario's solve
    port = sock.getsockname()[1]
    whatif = WhatIf(load(scenario), time_limit=time_limit)
    whatif.baseline  # noqa: B018 - the scenario as written, solved before the page asks (and checked now)
    token = token or secrets.token_urlsafe(24)
    app = create_app(whatif, token=token, hosts=served_hosts(host, port, _names(host)), threads=threads)
    if host not in LOOPBACK:
        warn(f"listening on {host}: other machines can reach the page (anyone with its address and token)")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/?token={token}"
    click.echo(f"coprod: serving {url}", err=True)
    note("Ctrl-C stops the server")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    # A request waiting on a long solve must not hold the shutdown: after a second it is dropped.
    server = uvicorn.Server(uvicorn.Config(app, log_config=LOG_CONFIG, access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=SHUTDOWN_SECONDS))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn hands Ctrl-C back once it has shut down
        pass
    # SIGTERM ends the process by that signal (uvicorn re-raises it); Ctrl-C lands here.
    # Solves still running in the pool hold no file open: the process ends without waiting for them.
    click.echo("coprod: interrupted", err=True)
    sys.stderr.flush()
    os._exit(130)


def _bound(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on connections of that protocol, and with it
    # on every answer after the first on a kept-alive connection waited ~40 ms for the client's delayed ACK
    # (measured with benchmarks/bench_serve.py: GET /api/scenario 44 ms against 2 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _names(host: str) -> list[str]:
    """The names a server bound to every interface is reached by (this machine's names and addresses)."""
    if host not in ("0.0.0.0", "::"):
        return []
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return sorted(names)
