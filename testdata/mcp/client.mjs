// client.mjs runs the official TypeScript MCP client against a server
// started as a subprocess over stdio, and prints what it saw as one JSON
// object. Usage: node client.mjs QUERY COMMAND [ARG...]
// The environment is passed on to the server. The client validates every
// structured result against the tool's output schema.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [query, command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" });
const client = new Client({ name: "reel-test-client", version: "1.0.0" });
await client.connect(transport);

const out = { server: client.getServerVersion() };
out.tools = (await client.listTools()).tools.map((t) => t.name).sort();

const sessions = await client.callTool({ name: "list_sessions", arguments: { limit: 5 } });
out.sessions = sessions.structuredContent.sessions.map((s) => s.id);

const search = await client.callTool({ name: "search", arguments: { query, limit: 3 } });
out.hits = search.structuredContent.hits.map((h) => ({ session_id: h.session_id, seq: h.seq }));

if (out.hits.length > 0) {
  const h = out.hits[0];
  const page = await client.callTool({ name: "get_session", arguments: { session: h.session_id, offset: h.seq, limit: 2 } });
  out.page = { seqs: page.structuredContent.events.map((e) => e.seq), next_offset: page.structuredContent.next_offset ?? null };
}

const missing = await client.callTool({ name: "get_session", arguments: { session: "ffffffffffff" } });
out.error = { isError: missing.isError === true, structured: missing.structuredContent, text: missing.content[0].text };

await client.close();
console.log(JSON.stringify(out));
