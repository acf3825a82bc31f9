"""A lean HTTP/1.1 keep-alive client for load loops that must not eat the server's CPU.

On two shared cores the load generator competes with the server and PostgreSQL: httpx spent
about 1.4 ms of CPU per request in the claims bench, a quarter of each cycle. This client
writes a request and reads `Content-Length` framed answers on one connection, and nothing
else (no redirects, no chunked bodies, no TLS): enough for epicflow's JSON answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson


class LeanHTTPError(Exception):
    """The connection failed or the answer was not framed as this client expects."""


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> object:
        return orjson.loads(self.content)


class LeanClient:
    """One keep-alive connection to `base` (http://host:port), reconnected after a failure."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float = 30.0) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        fixed = {"Host": f"{self.host}:{self.port}", **headers}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items()).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, json: object) -> Answer:
        body = orjson.dumps(json)
        request = (
            f"POST {path} HTTP/1.1\r\n".encode()
            + self._head
            + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        try:
            return await asyncio.wait_for(self._exchange(request), self.timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            await self.close()
            raise LeanHTTPError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(self, request: bytes) -> Answer:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        closing = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise ValueError("chunked answers are not supported")
            elif name == "connection" and value.strip().lower() == "close":
                closing = True
        content = await self._reader.readexactly(length) if length else b""
        if closing:
            await self.close()
        return Answer(status, content)

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
