// Package mcp is reel's Model Context Protocol server: typed tools over the
// domain services (search and read stored sessions, walk a session between
// checkpoints, see and, when enabled, control supervised agent sessions),
// served over stdio for `reel mcp` and over streamable HTTP for the
// daemon's /mcp endpoint. It is built on the official MCP Go SDK.
//
// A tool is listed only when the services it needs were given. Tool errors
// are results with isError set, their text "code: message" and their
// structured content {"error": {"code", "message", "hint"}}, with reel's
// error codes; internal details are logged, never returned.
package mcp
