"""An HTTP client of the epicflow API, shared by the worker's command line and the MCP server.

It speaks only HTTP: nothing here imports the server's code."""

from epicflow.client.api import ApiClient, ApiError, ClaimResult
from epicflow.client.config import ClientConfig

__all__ = ["ApiClient", "ApiError", "ClaimResult", "ClientConfig"]
