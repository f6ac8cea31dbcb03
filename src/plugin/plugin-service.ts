// A directory's plugins and custom tools, loaded once on the directory's first request (as upstream
// loads them when an instance starts), kept until the instance is disposed. Loading never throws:
// a file or package that fails is logged and published as upstream publishes it (session.error
// with an UnknownError naming it), and the rest keeps working. The hook points the prompt loop,
// the model call and the permission service use are here, one call each (see PluginHooks).
import type { PublishTo } from "../bus/event-bus.js";
import type { Hooks, PluginInput } from "@opencode-ai/plugin";
import type { Logger } from "pino";
import type { Config, Part, PermissionRequest, Project, UserMessage } from "../../generated/schemas.js";
import type { EventBus } from "../bus/event-bus.js";
import type { ProjectLocation } from "../project/projects.js";
import type { ToolContext, ToolDefinition, ToolResult } from "../tool/tool.js";
import { findWorktree } from "../git/worktree.js";
import { fromPluginTool, loadCustomTools } from "./custom-tools.js";
import { modelCallAdjuster, type ModelCallContext, type ModelCallOptions } from "./model-call.js";
import { loadPlugins, pluginSpecs } from "./plugin-loader.js";

/** What plugins may do to a run, as the prompt loop, model calls and permissions call it. */
export interface PluginHooks {
  /** Custom tools and plugins' tools of the directory. */
  tools(directory: string): Promise<ToolDefinition<never>[]>;
  /** Runs a tool call between `tool.execute.before` (may change the args) and `tool.execute.after` (may change the result). */
  runTool(
    tool: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    run: (args: Record<string, unknown>) => Promise<ToolResult>,
  ): Promise<ToolResult>;
  /** `chat.params` and `chat.headers` for each model call of a turn. */
  modelCall(directory: string, context: ModelCallContext): (options: ModelCallOptions) => Promise<ModelCallOptions>;
  /** `permission.ask`: whether plugins allow or deny what the rules would ask the user. */
  permission(directory: string, request: PermissionRequest): Promise<"ask" | "allow" | "deny">;
  /** `tool.definition`: each tool's description and JSON Schema as plugins would have the model see them. */
  toolDefinitions(directory: string, tools: ToolDefinition<never>[]): Promise<ToolDefinition<never>[]>;
  /** `command.execute.before`: the parts a command is about to send; answers them as plugins left them. */
  commandParts<P>(directory: string, input: { command: string; sessionID: string; arguments: string }, parts: P[]): Promise<P[]>;
  /** `chat.message`: a new user message and its parts, before they are stored (plugins may change them in place). */
  chatMessage(directory: string, input: ChatMessageInput, output: { message: UserMessage; parts: Part[] }): Promise<void>;
}

export interface ChatMessageInput {
  sessionID: string;
  agent?: string;
  model?: { providerID: string; modelID: string };
  messageID?: string;
  variant?: string;
}

/** No plugins: what code without a plugin service runs with. */
export const NO_PLUGINS: PluginHooks = {
  tools: async () => [],
  runTool: (_tool, args, _ctx, run) => run(args),
  modelCall: () => async (options) => options,
  permission: async () => "ask",
  toolDefinitions: async (_directory, tools) => tools,
  chatMessage: async () => {},
  commandParts: async (_directory, _input, parts) => parts,
};

export interface PluginServiceDeps {
  configs: { forDirectory(directory: string): Promise<Config> };
  projects: { locate(directory: string): Promise<ProjectLocation>; forDirectory(directory: string): Promise<Project> };
  bus: Pick<EventBus, "subscribe">;
  /** Publishes an event of the directory (a load failure's session.error). */
  publish: PublishTo<string>;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

interface DirectoryState {
  hooks: Hooks[];
  tools: ToolDefinition<never>[];
  stop(): Promise<void>;
}

const EMPTY: DirectoryState = { hooks: [], tools: [], stop: async () => {} };

export class PluginService implements PluginHooks {
  private readonly directories = new Map<string, Promise<DirectoryState>>();
  private serverUrl = new URL("http://localhost:4096");

  constructor(private readonly deps: PluginServiceDeps) {}

  /** Where plugins' SDK clients reach this server (known once it listens). */
  setServerUrl(url: string): void {
    this.serverUrl = new URL(url);
  }

  /** Starts loading a directory's plugins (a request for it came in); never fails. */
  ensure(directory: string): void {
    void this.state(directory);
  }

  private state(directory: string): Promise<DirectoryState> {
    let state = this.directories.get(directory);
    if (!state) {
      state = this.load(directory).catch((error: unknown) => {
        this.deps.log.warn({ err: error, directory }, "plugins could not be loaded");
        return EMPTY;
      });
      this.directories.set(directory, state);
    }
    return state;
  }

  private async load(directory: string): Promise<DirectoryState> {
    const { log, env } = this.deps;
    const config = await this.deps.configs.forDirectory(directory);
    // The worktree straight from git's folders: locating the project (which announces it) waits for a plugin that needs it.
    const worktree = findWorktree(directory);
    const report = (message: string, error: unknown) => {
      log.error({ err: error, directory }, message);
      this.deps.publish(directory, "session.error", { error: { name: "UnknownError", data: { message } } });
    };

    const custom = await loadCustomTools(directory, worktree, env);
    for (const { file, error } of custom.failures)
      report(`Failed to load tool ${file}: ${error instanceof Error ? error.message : String(error)}`, error);

    const specs = await pluginSpecs(config.plugin as unknown[] | undefined, directory, worktree, env);
    if (!specs.length) return { ...EMPTY, tools: custom.tools as ToolDefinition<never>[] };
    const loaded = await loadPlugins(specs, await this.input(directory, await this.deps.projects.locate(directory)));
    for (const failure of loaded.failures) {
      if (failure.reported) report(failure.message, failure.error);
      else log.error({ err: failure.error, directory }, failure.message);
    }
    // As upstream, each plugin that loaded is announced (the TUI lists them).
    for (const { spec } of specs)
      if (!loaded.failures.some((failure) => failure.spec === spec)) this.deps.publish(directory, "plugin.added", { id: spec });
    for (const hooks of loaded.hooks) {
      try {
        await hooks.config?.(config as never);
      } catch (error) {
        log.error({ err: error, directory }, "plugin config hook failed");
      }
    }
    const pluginTools: ToolDefinition<never>[] = [];
    for (const [id, def] of loaded.hooks.flatMap((hooks) => Object.entries(hooks.tool ?? {}))) {
      try {
        pluginTools.push(fromPluginTool(id, def) as ToolDefinition<never>);
      } catch (error) {
        report(`Failed to load tool ${id}: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    }
    const unsubscribe = this.deps.bus.subscribe(directory, (event) => {
      const { id, type, properties } = event.payload;
      // Each plugin gets its own event object, as upstream's (the properties are shared).
      for (const hooks of loaded.hooks)
        void this.safely(directory, "event", () => hooks.event?.({ event: { id, type, properties } as never }));
    });
    log.info({ directory, plugins: loaded.hooks.length, tools: custom.tools.length + pluginTools.length }, "plugins loaded");
    return {
      hooks: loaded.hooks,
      tools: [...custom.tools, ...pluginTools] as ToolDefinition<never>[],
      stop: async () => {
        unsubscribe();
        for (const hooks of loaded.hooks) await this.safely(directory, "dispose", () => hooks.dispose?.());
      },
    };
  }

  /** What each plugin function is given. `$` is undefined: upstream gives Bun's shell, and nothing outside Bun. */
  private async input(directory: string, location: ProjectLocation): Promise<PluginInput> {
    const auth = this.deps.env?.OPENCODE_SERVER_PASSWORD ?? process.env.OPENCODE_SERVER_PASSWORD;
    const username = this.deps.env?.OPENCODE_SERVER_USERNAME ?? process.env.OPENCODE_SERVER_USERNAME ?? "opencode";
    const service = this;
    return {
      client: (await import("@opencode-ai/sdk")).createOpencodeClient({
        baseUrl: this.serverUrl.href.replace(/\/$/, ""),
        directory,
        ...(auth ? { headers: { Authorization: `Basic ${Buffer.from(`${username}:${auth}`).toString("base64")}` } } : {}),
      }),
      project: (await this.deps.projects.forDirectory(directory)) as never,
      directory,
      worktree: location.worktree,
      experimental_workspace: { register: () => {} },
      get serverUrl() {
        return service.serverUrl;
      },
      $: undefined as never,
    };
  }

  /** Runs a hook whose failure must not spread (events, dispose): logged. */
  private async safely(directory: string, hook: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.deps.log.error({ err: error, directory, hook }, "plugin hook failed");
    }
  }

  /** Calls a hook of every plugin in turn with the same output object, as upstream's trigger does; answers the output. */
  async trigger<Name extends keyof Hooks>(directory: string, name: Name, input: unknown, output: object): Promise<typeof output> {
    for (const hooks of (await this.state(directory)).hooks) {
      const hook = hooks[name] as ((input: unknown, output: unknown) => Promise<void>) | undefined;
      if (typeof hook === "function") await hook(input, output);
    }
    return output;
  }

  async tools(directory: string): Promise<ToolDefinition<never>[]> {
    return (await this.state(directory)).tools;
  }

  async runTool(
    tool: string,
    args: Record<string, unknown>,
    ctx: ToolContext,
    run: (args: Record<string, unknown>) => Promise<ToolResult>,
  ) {
    const call = { tool, sessionID: ctx.sessionID, callID: ctx.callID };
    const before = await this.trigger(ctx.directory, "tool.execute.before", call, { args });
    const input = (before as { args: Record<string, unknown> }).args;
    const result = await run(input);
    return (await this.trigger(ctx.directory, "tool.execute.after", { ...call, args: input }, { ...result })) as ToolResult;
  }

  modelCall(directory: string, context: ModelCallContext) {
    return modelCallAdjuster(context, (name, input, output) => this.trigger(directory, name, input, output));
  }

  async permission(directory: string, request: PermissionRequest): Promise<"ask" | "allow" | "deny"> {
    const output = { status: "ask" as "ask" | "allow" | "deny" };
    // The hook's input is the permission as OpenCode's v1 SDK describes it.
    const permission = {
      id: request.id,
      type: request.permission,
      pattern: request.patterns,
      sessionID: request.sessionID,
      messageID: request.tool?.messageID ?? "",
      ...(request.tool ? { callID: request.tool.callID } : {}),
      title: request.permission,
      metadata: request.metadata,
      time: { created: Date.now() },
    };
    await this.trigger(directory, "permission.ask", permission, output);
    return output.status;
  }

  async toolDefinitions(directory: string, tools: ToolDefinition<never>[]): Promise<ToolDefinition<never>[]> {
    if (!(await this.state(directory)).hooks.some((hooks) => hooks["tool.definition"])) return tools;
    const changed: ToolDefinition<never>[] = [];
    for (const tool of tools) {
      const output = { description: tool.description, parameters: tool.parameters };
      await this.trigger(directory, "tool.definition", { toolID: tool.id }, output);
      changed.push({ ...tool, description: output.description, parameters: output.parameters });
    }
    return changed;
  }

  async commandParts<P>(directory: string, input: { command: string; sessionID: string; arguments: string }, parts: P[]): Promise<P[]> {
    const output = { parts };
    await this.trigger(directory, "command.execute.before", input, output);
    return output.parts;
  }

  async chatMessage(directory: string, input: ChatMessageInput, output: { message: UserMessage; parts: Part[] }): Promise<void> {
    await this.trigger(directory, "chat.message", input, output);
  }

  /** Drops a directory's plugins (instance.dispose): they stop hearing events, their dispose hooks run. */
  async forget(directory: string): Promise<void> {
    const state = this.directories.get(directory);
    this.directories.delete(directory);
    await (await state)?.stop();
  }

  async closeAll(): Promise<void> {
    for (const directory of [...this.directories.keys()]) await this.forget(directory);
  }
}
