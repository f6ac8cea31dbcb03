// MCP servers, as OpenCode runs them: the `mcp` config key (local servers over stdio, remote ones
// over streamable HTTP, falling back to the older SSE transport) plus those added at run time
// (mcp.add), connected per directory on first use. Their tools are offered to LLM agents as
// `<server>_<tool>`, their prompts are commands, their resources are listed; a server's tool list
// change is published as mcp.tools.changed.
//
// As upstream: a remote server that answers 401 is `needs_auth` (no other transport is tried);
// a server whose connection ends (a crashed process) is `failed` ("Connection closed") and its
// tools are withdrawn (mcp.tools.changed). When the configuration changes, only the entries that
// changed (added, removed, edited) reconnect; the others keep their connection.
import type { PublishTo } from "../bus/event-bus.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { connectServer, listTools, onToolListChanged, type ListedTool, type McpServerConfig } from "./mcp-connect.js";
import type { Logger } from "pino";
import type { Command, McpResource, MCPStatus } from "../../generated/schemas.js";
import type { ConfigSource } from "../config/config-source.js";
import { NotFoundError } from "../domain-errors.js";
import type { ToolDefinition } from "../tool/tool.js";

/** A 401 from a remote server: the SDK's UnauthorizedError, or a transport error with that code. */
interface ServerState {
  config: McpServerConfig;
  status: MCPStatus;
  client?: Client;
  tools: ListedTool[];
  /** Whether the entry comes from the config (else from mcp.add, which the config does not override). */
  fromConfig: boolean;
  /** The entry's config as text, to tell a changed entry from an unchanged one. */
  fingerprint: string;
}

/** A directory's servers and the config they were last brought in line with. */
interface DirectoryServers {
  servers: Map<string, ServerState>;
  /** The `mcp` config applied last (as text); undefined before the first load. */
  applied?: string;
  /** Config changes are applied one after the other. */
  pending: Promise<void>;
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
  /** directory -> its servers; filled from the config on first use, kept in line with it after. */
  private readonly directories = new Map<string, DirectoryServers>();

  constructor(
    private readonly configs: ConfigSource,
    private readonly publish: PublishTo<string>,
    private readonly log: Logger,
  ) {}

  /** The directory's servers, after bringing them in line with its config (only changed entries reconnect). */
  private async servers(directory: string): Promise<Map<string, ServerState>> {
    let entry = this.directories.get(directory);
    if (!entry) {
      entry = { servers: new Map(), pending: Promise.resolve() };
      this.directories.set(directory, entry);
    }
    const wanted = await this.configured(directory);
    const text = JSON.stringify(wanted);
    if (entry.applied !== text) {
      const target = entry;
      target.pending = target.pending.then(() => this.apply(directory, target, wanted, text)).catch(() => undefined);
    }
    await entry.pending;
    return entry.servers;
  }

  private async configured(directory: string): Promise<[string, McpServerConfig][]> {
    const config = await this.configs.forDirectory(directory);
    return Object.entries((config.mcp ?? {}) as Record<string, McpServerConfig | { enabled: boolean }>).filter(
      (entry): entry is [string, McpServerConfig] => typeof entry[1] === "object" && entry[1] !== null && "type" in entry[1],
    );
  }

  private async apply(directory: string, entry: DirectoryServers, wanted: [string, McpServerConfig][], text: string): Promise<void> {
    if (entry.applied === text || this.directories.get(directory) !== entry) return;
    const first = entry.applied === undefined;
    entry.applied = text;
    const { servers } = entry;
    const changed: string[] = [];
    const names = new Set(wanted.map(([name]) => name));
    for (const [name, state] of [...servers]) {
      if (!state.fromConfig || names.has(name)) continue;
      await this.stop(state);
      servers.delete(name);
      changed.push(name);
    }
    const starting: Promise<void>[] = [];
    for (const [name, config] of wanted) {
      const fingerprint = JSON.stringify(config);
      const current = servers.get(name);
      if (current && (!current.fromConfig || current.fingerprint === fingerprint)) continue;
      if (current) await this.stop(current);
      servers.set(name, { config, status: { status: "disabled" }, tools: [], fromConfig: true, fingerprint });
      if (!first) changed.push(name);
      if (config.enabled !== false) starting.push(this.start(directory, servers, name));
    }
    await Promise.all(starting);
    for (const name of changed) this.publish(directory, "mcp.tools.changed", { server: name });
  }

  private async start(directory: string, servers: Map<string, ServerState>, name: string): Promise<void> {
    const state = servers.get(name)!;
    await this.stop(state);
    const timeout = state.config.timeout ?? DEFAULT_TIMEOUT_MS;
    const connected = await connectServer(directory, state.config, timeout);
    if ("failure" in connected) {
      state.status = connected.failure;
      if (connected.failure.status === "needs_auth")
        this.publish(directory, "tui.toast.show", {
          title: "MCP Authentication Required",
          message: `Server "${name}" requires authentication. Run: opencode mcp auth ${name}`,
          variant: "warning",
          duration: 8000,
        });
      this.log.warn({ server: name, status: connected.failure }, "MCP server unavailable");
      return;
    }
    const { client } = connected;
    try {
      state.tools = await listTools(client, timeout);
    } catch (error) {
      await client.close().catch(() => undefined);
      state.status = { status: "failed", error: (error as Error).message || String(error) };
      return;
    }
    if (servers.get(name) !== state) {
      await client.close().catch(() => undefined); // replaced meanwhile
      return;
    }
    state.client = client;
    state.status = { status: "connected" };
    client.onclose = () => {
      if (state.client !== client) return; // closed here (disconnect, a config change)
      state.client = undefined;
      state.tools = [];
      state.status = { status: "failed", error: "Connection closed" };
      this.log.warn({ server: name }, "MCP connection closed");
      this.publish(directory, "mcp.tools.changed", { server: name });
    };
    await onToolListChanged(client, async () => {
      if (state.client !== client) return;
      const tools = await listTools(client, timeout).catch(() => undefined);
      if (!tools || state.client !== client) return;
      state.tools = tools;
      this.publish(directory, "mcp.tools.changed", { server: name });
    });
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
    servers.set(name, { config, status: { status: "disabled" }, tools: [], fromConfig: false, fingerprint: JSON.stringify(config) });
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
    const entry = this.directories.get(directory);
    this.directories.delete(directory);
    if (!entry) return;
    await entry.pending;
    await Promise.all([...entry.servers.values()].map((state) => this.stop(state)));
  }

  async closeAll(): Promise<void> {
    const all = [...this.directories.keys()];
    await Promise.all(all.map((directory) => this.forget(directory)));
  }
}
