"""Where the client finds its server and credential, and keeps claim tokens between commands.

Files live in ``$XDG_CONFIG_HOME/epicflow`` (``~/.config/epicflow``), readable by their owner only:
``credentials.toml`` holds one API token per server, ``claims.json`` one claim token per server
and task, so ``heartbeat``, ``release`` and ``complete`` need only the task key."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8000"
CREDENTIALS_FILE = "credentials.toml"
CLAIMS_FILE = "claims.json"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "epicflow"


def _write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read, replacing it in one step."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, 0o600)
    partial.replace(path)


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


@dataclass
class ClientConfig:
    """The server, and the files beside the credentials; `folder` defaults to `config_dir()`."""

    url: str
    folder: Path

    @classmethod
    def load(cls, url: str | None = None) -> ClientConfig:
        server = url or os.environ.get("EPICFLOW_URL") or DEFAULT_URL
        return cls(server.rstrip("/"), config_dir())

    # credentials

    def _credentials(self) -> dict[str, Any]:
        path = self.folder / CREDENTIALS_FILE
        if not path.exists():
            return {}
        return tomllib.loads(path.read_text(encoding="utf-8"))

    def token(self) -> str | None:
        """`EPICFLOW_TOKEN`, else the token `epicflow login` stored for this server."""
        found = os.environ.get("EPICFLOW_TOKEN") or self._credentials().get(self.url, {}).get(
            "token"
        )
        return str(found) if found else None

    def store_token(self, token: str, email: str | None) -> Path:
        servers = self._credentials()
        servers[self.url] = {"token": token, **({"email": email} if email else {})}
        return self._save_credentials(servers)

    def forget_token(self) -> bool:
        """Forget this server's stored token; False when none was stored."""
        servers = self._credentials()
        if servers.pop(self.url, None) is None:
            return False
        self._save_credentials(servers)
        return True

    def _save_credentials(self, servers: dict[str, Any]) -> Path:
        lines: list[str] = []
        for server, entry in servers.items():
            lines.append(f"[{_toml_string(server)}]")
            lines.extend(f"{name} = {_toml_string(str(value))}" for name, value in entry.items())
            lines.append("")
        path = self.folder / CREDENTIALS_FILE
        _write_private(path, "\n".join(lines))
        return path

    # claim tokens

    def _claims(self) -> dict[str, dict[str, str]]:
        path = self.folder / CLAIMS_FILE
        if not path.exists():
            return {}
        loaded: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def claim_token(self, task: str) -> str | None:
        return self._claims().get(self.url, {}).get(task)

    def keep_claim(self, task: str, token: str) -> None:
        claims = self._claims()
        claims.setdefault(self.url, {})[task] = token
        _write_private(self.folder / CLAIMS_FILE, json.dumps(claims, indent=2))

    def drop_claim(self, task: str) -> None:
        claims = self._claims()
        if claims.get(self.url, {}).pop(task, None) is not None:
            _write_private(self.folder / CLAIMS_FILE, json.dumps(claims, indent=2))
