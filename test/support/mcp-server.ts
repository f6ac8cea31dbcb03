// A small MCP server for the tests, with the SDK's server side: tools (`add`, `echo`, and
// `unlock`, which adds a `secret` tool and so changes the tool list), a prompt and a resource.
// Run directly it serves stdio; `startHttpMcpServer` serves streamable HTTP on loopback.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
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

if (process.argv.includes("--stdio")) {
  await createTestMcpServer().connect(new StdioServerTransport());
}
