"""`ApiClient`: one async method per API call, returning the API's parsed JSON.

Every failure is an `ApiError` carrying the API's problem `code`, `status` and `detail` (a server
that cannot be reached is status 0, code `unreachable`). Optional fields that a server older
than this client refuses as unknown (`wait_seconds`, `reason`, `summary`) are dropped and
the call is sent again, so a task is still released or completed; `dropped` names them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

PREFIX = "/api/v1"
Queue = Literal["drained", "waiting"]
OPEN_STATUSES = ("open", "in_progress", "blocked")  # work that may still become ready (§10.3)


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, body: dict[str, Any] | None = None):
        super().__init__(f"{code}: {detail}")
        self.status, self.code, self.detail = status, code, detail
        self.body = body if body is not None else {"status": status, "code": code, "detail": detail}


@dataclass
class ClaimResult:
    """A claim's 201 body, or None with why the queue gave nothing (the 204's `Epicflow-Queue`)."""

    body: dict[str, Any] | None
    queue: Queue | None = None

    def shown(self) -> dict[str, Any]:
        """The API's JSON; for a 204, `{"task": null, "queue": ...}`."""
        return self.body if self.body is not None else {"task": None, "queue": self.queue}


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = response.text.strip()[:200] or response.reason_phrase
        return ApiError(response.status_code, f"http_{response.status_code}", text)
    code = str(body.get("code") or f"http_{response.status_code}")
    detail = str(body.get("detail") or body.get("title") or response.reason_phrase)
    return ApiError(response.status_code, code, detail, body)


def _refused_fields(error: ApiError, optional: set[str]) -> set[str]:
    """The optional body fields a 422 refuses as unknown, when it refuses nothing else."""
    if error.status != 422:
        return set()
    names = set()
    for item in error.body.get("errors") or []:
        loc = item.get("loc") or []
        if item.get("type") != "extra_forbidden" or len(loc) != 2 or loc[1] not in optional:
            return set()
        names.add(loc[1])
    return names


@dataclass
class ApiClient:
    """The API at `url`, as the holder of `token`. Pass `transport` to talk to an app in-process."""

    url: str
    token: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 30.0
    dropped: list[str] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> ApiClient:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._http = httpx.AsyncClient(
            base_url=self.url + PREFIX,
            headers=headers,
            transport=self.transport,
            timeout=self.timeout,
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        assert self._http is not None, "use `async with ApiClient(...)`"
        try:
            response = await self._http.request(method, path, **options)
        except httpx.TransportError as exc:
            raise ApiError(0, "unreachable", f"cannot reach {self.url}: {exc}") from None
        if response.status_code >= 400:
            raise _error(response)
        return response

    async def _json(self, method: str, path: str, **options: Any) -> Any:
        return (await self._send(method, path, **options)).json()

    async def _post(self, path: str, body: dict[str, Any], optional: set[str]) -> httpx.Response:
        """POST `body`; when the server refuses some `optional` fields as unknown, once more
        without them."""
        try:
            return await self._send("POST", path, json=body)
        except ApiError as error:
            refused = _refused_fields(error, optional & body.keys())
            if not refused:
                raise
        self.dropped.extend(sorted(refused))
        return await self._send(
            "POST", path, json={k: v for k, v in body.items() if k not in refused}
        )

    # accounts

    async def log_in(self, email: str, password: str) -> str:
        """An access token for e-mail and password (to create an API token with)."""
        form = {"username": email, "password": password}
        tokens = await self._json("POST", "/auth/token", data=form)
        return str(tokens["access_token"])

    async def create_api_token(self, name: str, access_token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        return await self._json("POST", "/users/me/tokens", json={"name": name}, headers=headers)

    async def me(self) -> Any:
        return await self._json("GET", "/users/me")

    # projects and tasks

    async def projects(self, limit: int = 200) -> Any:
        return await self._json("GET", "/projects", params={"limit": limit})

    async def tasks(self, project: str, **filters: Any) -> Any:
        params = {name: value for name, value in filters.items() if value not in (None, [], False)}
        return await self._json("GET", f"/projects/{project}/tasks", params=params)

    async def task(self, key: str) -> Any:
        return await self._json("GET", f"/tasks/{key}")

    async def create_task(self, project: str, body: dict[str, Any]) -> Any:
        return await self._json("POST", f"/projects/{project}/tasks", json=body)

    async def update_task(self, key: str, changes: dict[str, Any]) -> Any:
        return await self._json("PATCH", f"/tasks/{key}", json=changes)

    async def plan(self, project: str, workers: int | None = None) -> Any:
        params = {"workers": workers} if workers else {}
        return await self._json("GET", f"/projects/{project}/plan", params=params)

    async def graph(self, project: str, format: str = "json") -> Any:
        response = await self._send("GET", f"/projects/{project}/graph", params={"format": format})
        return response.json() if format == "json" else response.text

    async def comment(self, key: str, body: str, claim_token: str | None = None) -> Any:
        sent: dict[str, Any] = {"body": body}
        if claim_token:
            sent["claim_token"] = claim_token
        return (await self._post(f"/tasks/{key}/comments", sent, {"claim_token"})).json()

    # claims

    async def claim_next(
        self,
        project: str,
        worker: str,
        *,
        lease_seconds: int | None = None,
        wait_seconds: int = 0,
        epic: str | None = None,
        labels: list[str] | None = None,
    ) -> ClaimResult:
        body: dict[str, Any] = {"worker": worker}
        if lease_seconds is not None:
            body["lease_seconds"] = lease_seconds
        if wait_seconds:
            body["wait_seconds"] = wait_seconds
        if epic:
            body["epic"] = epic
        if labels:
            body["labels"] = labels
        response = await self._post(f"/projects/{project}/claims", body, {"wait_seconds"})
        if response.status_code == 201:
            return ClaimResult(response.json())
        queue = response.headers.get("Epicflow-Queue")
        if queue in ("drained", "waiting"):
            return ClaimResult(None, queue)
        return ClaimResult(None, await self._queue_of(project, epic, labels or []))

    async def _queue_of(self, project: str, epic: str | None, labels: list[str]) -> Queue:
        """For a server that does not say: `drained` when no task of the scope is open, in
        progress or blocked, else `waiting`."""
        page = await self.tasks(
            project, status=list(OPEN_STATUSES), epic=epic, label=labels, limit=1
        )
        return "waiting" if page["items"] else "drained"

    async def claim_task(self, key: str, worker: str, lease_seconds: int | None = None) -> Any:
        body: dict[str, Any] = {"worker": worker}
        if lease_seconds is not None:
            body["lease_seconds"] = lease_seconds
        return await self._json("POST", f"/tasks/{key}/claim", json=body)

    async def heartbeat(self, key: str, claim_token: str, lease_seconds: int | None = None) -> Any:
        body: dict[str, Any] = {"claim_token": claim_token}
        if lease_seconds is not None:
            body["lease_seconds"] = lease_seconds
        return await self._json("POST", f"/tasks/{key}/heartbeat", json=body)

    async def release(self, key: str, claim_token: str, reason: str | None = None) -> Any:
        body: dict[str, Any] = {"claim_token": claim_token}
        if reason:
            body["reason"] = reason
        return (await self._post(f"/tasks/{key}/release", body, {"reason"})).json()

    async def complete(
        self,
        key: str,
        claim_token: str,
        summary: str | None = None,
        links: list[str] | None = None,
    ) -> Any:
        body: dict[str, Any] = {"claim_token": claim_token}
        if summary:
            body["summary"] = summary
        if links:
            body["links"] = [{"url": url} for url in links]
        # Links are never dropped: a server that refuses them would lose them without a word.
        return (await self._post(f"/tasks/{key}/complete", body, {"summary"})).json()
