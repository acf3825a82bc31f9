"""MCP for coding agents (SPEC §10.7): the same twelve tools over stdio (`epicflow mcp`) and over
streamable HTTP at `/mcp`. The tools call the API through `epicflow.client`, never the database."""
