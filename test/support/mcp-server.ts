// A small MCP server for the tests, with the SDK's server side: tools (`add`, `echo`, and
// `unlock`, which adds a `secret` tool and so changes the tool list), a prompt and a resource.
// Run directly it serves stdio (appending its pid to $MCP_START_LOG when set, so a test can count
// its starts and end it); `startHttpMcpServer` serves streamable HTTP on loopback,
// `startSseMcpServer` only the older SSE transport, `startUnauthorizedServer` answers 401 to all.
import { appendFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export function createTestMcpServer(): McpServer {
  const server = new McpServer({ name: "test-mcp", version: "1.0.0" });
  server.registerTool("add", { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: "text", text: `${a} + ${b} = ${a + b}` }],
  }));
  server.registerTool("echo", { description: "Echoes its text", inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: "text", text: `echo: ${text}` }],
  }));
  server.registerTool("unlock", { description: "Adds the secret tool" }, async () => {
    server.registerTool("secret", { description: "A tool that appears later" }, async () => ({ content: [{ type: "text", text: "42" }] }));
    return { content: [{ type: "text", text: "unlocked" }] };
  });
  server.registerPrompt("greet", { description: "Greets someone", argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Say hello to ${name}` } }],
  }));
  server.registerResource("readme", "memo://readme", { description: "The test readme", mimeType: "text/plain" }, async (uri) => ({
    contents: [{ uri: uri.href, text: "hello from a resource" }],
  }));
  return server;
}

/** The server over streamable HTTP (stateless: one transport per request) on 127.0.0.1. */
export async function startHttpMcpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const httpServer = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const server = createTestMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req, res, raw ? JSON.parse(raw) : undefined);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}

type Closable = { url: string; close(): Promise<void> };

async function listen(httpServer: http.Server, pathname: string): Promise<Closable> {
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}${pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}

/** The server over the SSE transport only (GET /sse, POST /messages): a POST to /sse is a 405. */
export async function startSseMcpServer(): Promise<Closable & { posts: () => number }> {
  const transports = new Map<string, SSEServerTransport>();
  let posts = 0;
  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      res.on("close", () => transports.delete(transport.sessionId));
      await createTestMcpServer().connect(transport);
      return;
    }
    if (req.method === "POST" && url.pathname === "/messages") {
      const transport = transports.get(url.searchParams.get("sessionId") ?? "");
      if (!transport) return void res.writeHead(404).end();
      await transport.handlePostMessage(req, res);
      return;
    }
    if (url.pathname === "/sse") posts++;
    res.writeHead(405, { allow: "GET" }).end("Method Not Allowed");
  });
  return { ...(await listen(httpServer, "/sse")), posts: () => posts };
}

/** A remote server that wants credentials: 401 with a Bearer challenge to every request. */
export async function startUnauthorizedServer(): Promise<Closable & { requests: () => string[] }> {
  const requests: string[] = [];
  const httpServer = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(401, { "www-authenticate": 'Bearer realm="test"', "content-type": "application/json" });
    res.end(JSON.stringify({ error: "unauthorized" }));
  });
  return { ...(await listen(httpServer, "/mcp")), requests: () => requests };
}

if (process.argv.includes("--stdio")) {
  if (process.env.MCP_START_LOG) appendFileSync(process.env.MCP_START_LOG, `${process.pid}\n`);
  await createTestMcpServer().connect(new StdioServerTransport());
}
