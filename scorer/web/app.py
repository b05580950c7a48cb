"""The routes of ``coprod serve``: each parses its request, asks the library, and answers JSON (or a file).

Solves run on a small pool of threads, off the event loop, so the page stays
responsive and several tabs can ask at once; each thread re-solves its own
live model (:class:`scorer.study.whatif.WhatIf`). A :class:`CoprodError`
becomes HTTP 400 with the library's one-line message (and, like the command
line's hint, the request fields it names); nothing a request holds can stop
the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from scorer.errors import CoprodError
from scorer.present.output import to_json
from scorer.study.whatif import WhatIf
from scorer.web.requests import parse_save, parse_settings
from scorer.web.security import Guard

# The request field behind each setting the library names (the page's side of scorer.cli.hints).
FIELDS = {"weights": "weights", "budget.total": "budget", "year_caps": "year_caps", "objective": "objective"}
STATIC = Path(__file__).resolve().parent / "static"


def create_app(whatif: WhatIf, *, token: str, hosts: Iterable[str], threads: int = 2) -> Any:
    """The ASGI application of the page and its API, behind :class:`scorer.web.security.Guard`.

    Parameters
    ----------
    whatif : WhatIf
        The scenario the page works on.
    token : str
        The secret every data request must carry.
    hosts : iterable of str
        The ``Host`` values that name this server (:func:`scorer.web.security.served_hosts`).
    threads : int
        Solves that may run at once.
    """
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="coprod-solve")
    api = _Api(whatif, pool)
    routes = [
        Route("/", _index),
        Route("/api/scenario", api.scenario),
        Route("/api/evaluate", api.evaluate, methods=["POST"]),
        Route("/api/flips", api.flips, methods=["POST"]),
        Route("/api/bargain", api.bargain, methods=["POST"]),
        Route("/api/save-weights", api.save_weights, methods=["POST"]),
        Route("/api/export", api.export, methods=["POST"]),
        Route("/api/report", api.report, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.shutdown(wait=False, cancel_futures=True)

    app = Starlette(routes=routes, lifespan=lifespan)
    return Guard(app, token, hosts)


async def _index(request: Request) -> Response:
    return FileResponse(str(STATIC / "index.html"), media_type="text/html; charset=utf-8")


class _Api:
    """The API's handlers over one :class:`WhatIf` and the pool its solves run on."""

    def __init__(self, whatif: WhatIf, pool: ThreadPoolExecutor) -> None:
        self.whatif = whatif
        self.pool = pool

    async def _run(self, work: Callable[[], Response]) -> Response:
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, work)
        except CoprodError as exc:
            return _error(exc)
        except asyncio.CancelledError:
            # The server is stopping (Ctrl-C, SIGTERM) and dropped the wait: the solve's answer is not coming.
            return Response(json.dumps({"error": "the server is stopping", "fields": []}), status_code=503,
                            media_type="application/json")
        except Exception as exc:  # noqa: BLE001 - a defect of coprod's, not of the request: said in one line, the server goes on
            sys.stderr.write(f"coprod: error: internal error answering {work.__qualname__}: {exc!r}\n")
            return Response(json.dumps({"error": f"internal error: {exc!r}", "fields": []}), status_code=500,
                            media_type="application/json")

    async def scenario(self, request: Request) -> Response:
        from scorer.present.whatif_documents import scenario_document

        return await self._run(lambda: _json(scenario_document(self.whatif)))

    async def evaluate(self, request: Request) -> Response:
        from scorer.present.whatif_documents import answer_document

        body = await request.body()

        def work() -> Response:
            study = self.whatif.study(**parse_settings(body))
            return _json(answer_document(self.whatif.evaluate(study), self.whatif.baseline))

        return await self._run(work)

    async def flips(self, request: Request) -> Response:
        from scorer.present.whatif_documents import flips_document

        body = await request.body()
        return await self._run(lambda: _json(flips_document(self.whatif.study(**parse_settings(body)))))

    async def bargain(self, request: Request) -> Response:
        from scorer.present.bargain import bargain_document

        body = await request.body()
        return await self._run(lambda: _json(bargain_document(self.whatif.study(**parse_settings(body)).bargain())))

    async def save_weights(self, request: Request) -> Response:
        from scorer.inputs.weights_edit import write_weights

        body = await request.body()

        def work() -> Response:
            changes = parse_save(body)
            path = self.whatif.inputs.files.get("criteria")
            if path is None:
                raise CoprodError("the criteria were read from standard input: there is no file to save into")
            self.whatif.study(weights=changes)  # the library's checks first: ids, numbers, nothing left weighing
            write_weights(path, changes)
            return _json({"path": str(path), "saved": changes})

        return await self._run(work)

    async def export(self, request: Request) -> Response:
        from scorer.present.whatif_documents import EXPORT_FORMATS, export_file

        body = await request.body()
        what, fmt = request.query_params.get("what", ""), request.query_params.get("format", "")

        def work() -> Response:
            answer = self.whatif.evaluate(self.whatif.study(**parse_settings(body)))
            data, name = export_file(answer, what, fmt)
            return _file(data, name, EXPORT_FORMATS[fmt])

        return await self._run(work)

    async def report(self, request: Request) -> Response:
        from scorer.present.whatif_documents import briefing_html

        body = await request.body()
        return await self._run(lambda: _file(briefing_html(self.whatif.study(**parse_settings(body))),
                                             "briefing.html", "text/html; charset=utf-8"))


def _json(document: Any) -> Response:
    return Response(to_json(document), media_type="application/json")


def _file(data: bytes, name: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"content-disposition": f'attachment; filename="{name}"'})


def _error(exc: CoprodError) -> Response:
    fields = list(dict.fromkeys(FIELDS[s] for s in exc.settings if s in FIELDS))
    body = {"error": str(exc), "fields": fields}
    return Response(json.dumps(body, ensure_ascii=False), status_code=400, media_type="application/json")
