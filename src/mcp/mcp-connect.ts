// Reaching one MCP server, as upstream does: a local server over stdio; a remote one over
// streamable HTTP, then the older SSE transport; a 401 is `needs_auth` and no other transport is
// tried. The MCP SDK loads with the first server started, not with the server.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import path from "node:path";
import type { McpLocalConfig, McpRemoteConfig, MCPStatus } from "../../generated/schemas.js";

export type McpServerConfig = McpLocalConfig | McpRemoteConfig;

export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** The SDK's modules, loaded once on first use. */
const sdk = () =>
  Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/client/sse.js"),
    import("@modelcontextprotocol/sdk/client/auth.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);

function message(error: unknown): string {
  return (error as Error).message || String(error);
}

/** A connected client, or why there is none (`failed`, or `needs_auth` for a 401 the config does not turn off). */
export async function connectServer(
  directory: string,
  config: McpServerConfig,
  timeout: number,
): Promise<{ client: Client } | { failure: MCPStatus }> {
  const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }, { SSEClientTransport }, { UnauthorizedError }] =
    await sdk();
  const transports: (() => Transport)[] = [];
  try {
    if (config.type === "local")
      transports.push(
        () =>
          new StdioClientTransport({
            command: config.command[0]!,
            args: config.command.slice(1),
            cwd: config.cwd ? path.resolve(directory, config.cwd) : directory,
            env: { ...(process.env as Record<string, string>), ...config.environment },
            stderr: "pipe",
          }),
      );
    else {
      const url = new URL(config.url);
      const requestInit = { headers: config.headers ?? {} };
      transports.push(
        () => new StreamableHTTPClientTransport(url, { requestInit }),
        () => new SSEClientTransport(url, { requestInit }),
      );
    }
  } catch (error) {
    return { failure: { status: "failed", error: message(error) } }; // a bad URL
  }
  let failure: MCPStatus = { status: "failed", error: "Unknown error" };
  for (const transport of transports) {
    const attempt = new Client({ name: "agentpool-server", version: "0.1.0" });
    try {
      await attempt.connect(transport(), { timeout });
      return { client: attempt };
    } catch (error) {
      await attempt.close().catch(() => undefined);
      const unauthorized = error instanceof UnauthorizedError || (error as { code?: unknown } | null)?.code === 401;
      if (unauthorized && !(config.type === "remote" && config.oauth === false)) return { failure: { status: "needs_auth" } };
      failure = { status: "failed", error: message(error) };
    }
  }
  return { failure };
}

export async function listTools(client: Client, timeout: number): Promise<ListedTool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  return (await client.listTools(undefined, { timeout })).tools as ListedTool[];
}

/** Calls `changed` when the server says its tool list changed. */
export async function onToolListChanged(client: Client, changed: () => Promise<void>): Promise<void> {
  const { ToolListChangedNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
  client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
}
