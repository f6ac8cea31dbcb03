// MCP servers, as OpenCode runs them: the `mcp` config key (local servers over stdio, remote ones
// over streamable HTTP) plus those added at run time (mcp.add), connected per directory on first
// use. Their tools are offered to LLM agents as `<server>_<tool>`, their prompts are commands,
// their resources are listed; a server's tool list change is published as mcp.tools.changed.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Logger } from "pino";
import type { Command, McpLocalConfig, McpRemoteConfig, McpResource, MCPStatus } from "../../generated/schemas.js";
import type { ConfigSource } from "../config/config-source.js";
import { NotFoundError } from "../domain-errors.js";
import type { ToolDefinition } from "../tool/tool.js";

export type McpServerConfig = McpLocalConfig | McpRemoteConfig;

interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

interface ServerState {
  config: McpServerConfig;
  status: MCPStatus;
  client?: Client;
  tools: ListedTool[];
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Upstream's tool names: server and tool with anything but letters, digits, `_` and `-` made `_`. */
export function mcpToolName(server: string, tool: string): string {
  const clean = (text: string) => text.replace(/[^a-zA-Z0-9_-]/g, "_");
  return `${clean(server)}_${clean(tool)}`;
}

export function serverNotFound(name: string): NotFoundError {
  return new NotFoundError("McpServer", name);
}

export class McpService {
  /** directory -> server name -> state; filled from the config on first use. */
  private readonly directories = new Map<string, Promise<Map<string, ServerState>>>();

  constructor(
    private readonly configs: ConfigSource,
    private readonly publish: (directory: string, type: string, properties: Record<string, unknown>) => void,
    private readonly log: Logger,
  ) {}

  private servers(directory: string): Promise<Map<string, ServerState>> {
    let servers = this.directories.get(directory);
    if (!servers) {
      servers = this.load(directory);
      this.directories.set(directory, servers);
    }
    return servers;
  }

  private async load(directory: string): Promise<Map<string, ServerState>> {
    const config = await this.configs.forDirectory(directory);
    const servers = new Map<string, ServerState>();
    const entries = Object.entries((config.mcp ?? {}) as Record<string, McpServerConfig | { enabled: boolean }>).filter(
      (entry): entry is [string, McpServerConfig] => "type" in entry[1],
    );
    for (const [name, entry] of entries) servers.set(name, { config: entry, status: { status: "disabled" }, tools: [] });
    await Promise.all(entries.filter(([, entry]) => entry.enabled !== false).map(([name]) => this.start(directory, servers, name)));
    return servers;
  }

  private async start(directory: string, servers: Map<string, ServerState>, name: string): Promise<void> {
    const state = servers.get(name)!;
    await this.stop(state);
    // The MCP SDK loads with the first MCP server started, not with every server start.
    const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }, { ToolListChangedNotificationSchema }] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/client/stdio.js"),
      import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
      import("@modelcontextprotocol/sdk/types.js"),
    ]);
    const client = new Client({ name: "agentpool-server", version: "0.1.0" });
    const transport =
      state.config.type === "local"
        ? new StdioClientTransport({
            command: state.config.command[0]!,
            args: state.config.command.slice(1),
            cwd: state.config.cwd ?? directory,
            env: { ...(process.env as Record<string, string>), ...state.config.environment },
            stderr: "pipe",
          })
        : new StreamableHTTPClientTransport(new URL(state.config.url), { requestInit: { headers: state.config.headers ?? {} } });
    const timeout = state.config.timeout ?? DEFAULT_TIMEOUT_MS;
    try {
      await client.connect(transport, { timeout });
      state.client = client;
      state.tools = await this.listTools(client, timeout);
      state.status = { status: "connected" };
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        state.tools = await this.listTools(client, timeout).catch(() => state.tools);
        this.publish(directory, "mcp.tools.changed", { server: name });
      });
    } catch (error) {
      await client.close().catch(() => undefined);
      state.client = undefined;
      state.tools = [];
      state.status = { status: "failed", error: (error as Error).message || String(error) };
      this.log.warn({ err: error, server: name }, "MCP server failed to connect");
    }
  }

  private async listTools(client: Client, timeout: number): Promise<ListedTool[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    return (await client.listTools(undefined, { timeout })).tools as ListedTool[];
  }

  private async stop(state: ServerState): Promise<void> {
    const client = state.client;
    state.client = undefined;
    state.tools = [];
    await client?.close().catch(() => undefined);
  }

  async status(directory: string): Promise<Record<string, MCPStatus>> {
    return Object.fromEntries([...(await this.servers(directory))].map(([name, state]) => [name, state.status]));
  }

  /** Adds (or replaces) a server for this directory at run time, and connects it unless disabled. */
  async add(directory: string, name: string, config: McpServerConfig): Promise<Record<string, MCPStatus>> {
    const servers = await this.servers(directory);
    const previous = servers.get(name);
    if (previous) await this.stop(previous);
    servers.set(name, { config, status: { status: "disabled" }, tools: [] });
    if (config.enabled !== false) await this.start(directory, servers, name);
    this.publish(directory, "mcp.tools.changed", { server: name });
    return this.status(directory);
  }

  async connect(directory: string, name: string): Promise<void> {
    const servers = await this.servers(directory);
    if (!servers.has(name)) throw serverNotFound(name);
    await this.start(directory, servers, name);
    this.publish(directory, "mcp.tools.changed", { server: name });
  }

  async disconnect(directory: string, name: string): Promise<void> {
    const state = (await this.servers(directory)).get(name);
    if (!state) throw serverNotFound(name);
    await this.stop(state);
    state.status = { status: "disabled" };
    this.publish(directory, "mcp.tools.changed", { server: name });
  }

  async has(directory: string, name: string): Promise<boolean> {
    return (await this.servers(directory)).has(name);
  }

  private async connected(directory: string): Promise<[string, ServerState & { client: Client }][]> {
    return [...(await this.servers(directory))].filter((entry): entry is [string, ServerState & { client: Client }] => !!entry[1].client);
  }

  /** The tools of the connected servers, for an agent's model; each call asks the permission named like the tool. */
  async tools(directory: string): Promise<ToolDefinition<never>[]> {
    return (await this.connected(directory)).flatMap(([server, state]) =>
      state.tools.map((tool): ToolDefinition<Record<string, unknown>> => ({
        id: mcpToolName(server, tool.name),
        description: tool.description ?? `${tool.name} (MCP server ${server})`,
        parameters: tool.inputSchema as ToolDefinition["parameters"],
        async execute(args, ctx) {
          const id = mcpToolName(server, tool.name);
          await ctx.ask({ permission: id, patterns: ["*"], always: ["*"], metadata: {} });
          const result = (await state.client.callTool({ name: tool.name, arguments: args }, undefined, {
            signal: ctx.signal,
            timeout: state.config.timeout ?? DEFAULT_TIMEOUT_MS,
          })) as { content?: { type: string; text?: string }[]; isError?: boolean };
          const output = (result.content ?? []).map((item) => (item.type === "text" ? (item.text ?? "") : `[${item.type}]`)).join("\n");
          if (result.isError) throw new Error(output || `${tool.name} failed`);
          return { title: tool.name, output, metadata: {} };
        },
      })),
    ) as ToolDefinition<never>[];
  }

  /** The servers' prompts as commands (`<server>:<prompt>`), as upstream lists them. */
  async commands(directory: string): Promise<Command[]> {
    const lists = await Promise.all(
      (await this.connected(directory)).map(async ([server, state]) => {
        if (!state.client.getServerCapabilities()?.prompts) return [];
        const { prompts } = await state.client.listPrompts().catch(() => ({ prompts: [] }));
        return prompts.map((prompt): Command => ({
          name: `${server}:${prompt.name}`,
          ...(prompt.description ? { description: prompt.description } : {}),
          source: "mcp",
          template: prompt.description ?? prompt.name,
          hints: (prompt.arguments ?? []).map((_argument, i) => `$${i + 1}`),
        }));
      }),
    );
    return lists.flat();
  }

  /** The servers' resources, keyed `<server>:<uri>`. */
  async resources(directory: string): Promise<Record<string, McpResource>> {
    const lists = await Promise.all(
      (await this.connected(directory)).map(async ([server, state]) => {
        if (!state.client.getServerCapabilities()?.resources) return [];
        const { resources } = await state.client.listResources().catch(() => ({ resources: [] }));
        return resources.map((resource): [string, McpResource] => [
          `${server}:${resource.uri}`,
          {
            name: resource.name,
            uri: resource.uri,
            ...(resource.description ? { description: resource.description } : {}),
            ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
            client: server,
          },
        ]);
      }),
    );
    return Object.fromEntries(lists.flat());
  }

  /** Drops a directory's servers (instance.dispose); they connect again on next use. */
  async forget(directory: string): Promise<void> {
    const servers = this.directories.get(directory);
    this.directories.delete(directory);
    if (servers) await Promise.all([...(await servers).values()].map((state) => this.stop(state)));
  }

  async closeAll(): Promise<void> {
    const all = [...this.directories.keys()];
    await Promise.all(all.map((directory) => this.forget(directory)));
  }
}
