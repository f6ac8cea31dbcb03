// The language servers of each directory: the ones configured under `lsp` in opencode.json
// ({command, extensions, env, initialization, disabled}). As upstream, a server starts when a
// file it handles is touched (here: changed by the edit or write tool, file.edited), and
// GET /lsp reports the servers started so far: connected, or in error when they failed.
// They stop when the instance is disposed or the server closes.
import type { Symbol as WorkspaceSymbol } from "../../generated/schemas.js";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../../generated/schemas.js";
import type { EventBus } from "../bus/event-bus.js";
import type { ConfigService } from "../config/config-service.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";
import { LspClient, type LspServerConfig } from "./lsp-client.js";

type LspEntry = {
  disabled?: boolean;
  command?: string[];
  extensions?: string[];
  env?: Record<string, string>;
  initialization?: Record<string, unknown>;
};

/** The configured servers that are not disabled, with the extensions each handles. */
export function configuredLspServers(config: Config): [string, LspServerConfig & { extensions: string[] }][] {
  const setting = config.lsp as boolean | Record<string, LspEntry> | undefined;
  if (!setting || setting === true) return [];
  return Object.entries(setting)
    .filter(([, entry]) => !entry.disabled && entry.command?.length)
    .map(([id, entry]) => [
      id,
      { command: entry.command!, env: entry.env, initialization: entry.initialization, extensions: entry.extensions ?? [] },
    ]);
}

export class LspService {
  /** Per directory, the clients by server id. */
  private readonly clients = new Map<string, Map<string, LspClient>>();
  private readonly stopListening: () => void;

  constructor(bus: EventBus, configs: ConfigService, log: Logger) {
    this.stopListening = bus.subscribeAll(
      (frame) => {
        if (frame.payload.type !== "file.edited" || !frame.directory || frame.directory === "global") return;
        const file = (frame.payload as { properties: { file?: unknown } }).properties.file;
        if (typeof file !== "string") return;
        const directory = frame.directory;
        configs
          .forDirectory(directory)
          .then((config) => this.touch(directory, file, config))
          .catch((error: unknown) => log.error({ err: error, file }, "language server start failed"));
      },
      { internal: true },
    );
  }

  /** Starts the servers that handle this file and are not running for the directory yet. */
  touch(directory: string, file: string, config: Config): void {
    const extension = path.extname(file);
    const worktree = findWorktree(directory);
    const root = worktree === NO_WORKTREE ? directory : worktree;
    const running = this.clients.get(directory) ?? new Map<string, LspClient>();
    this.clients.set(directory, running);
    for (const [id, server] of configuredLspServers(config)) {
      if (running.has(id) || !server.extensions.includes(extension)) continue;
      running.set(id, new LspClient(id, root, server));
    }
  }

  /** The directory's servers that have answered (connected) or failed (error); starting ones are not listed yet. */
  status(directory: string) {
    return [...(this.clients.get(directory)?.values() ?? [])]
      .filter((client) => client.state !== "starting")
      .map((client) => ({
        id: client.id,
        name: client.id,
        root: path.relative(directory, client.root) || ".",
        status: client.state === "connected" ? ("connected" as const) : ("error" as const),
      }));
  }

  /** The workspace symbols matching `query` from the directory's connected servers (none answer: none). */
  async workspaceSymbols(directory: string, query: string): Promise<WorkspaceSymbol[]> {
    const clients = [...(this.clients.get(directory)?.values() ?? [])].filter((client) => client.state === "connected");
    const answers = await Promise.all(clients.map((client) => client.request("workspace/symbol", { query }).catch(() => [])));
    return answers.flatMap((answer) =>
      (Array.isArray(answer) ? (answer as WorkspaceSymbol[]) : [])
        .filter((symbol) => symbol?.location?.range)
        .map(({ name, kind, location }) => ({ name, kind, location: { uri: location.uri, range: location.range } })),
    );
  }

  /** Stops the servers of one directory, or of all. */
  async shutdown(directory?: string): Promise<void> {
    const directories = directory ? [directory] : [...this.clients.keys()];
    const stopping: Promise<void>[] = [];
    for (const dir of directories) {
      for (const client of this.clients.get(dir)?.values() ?? []) stopping.push(client.stop());
      this.clients.delete(dir);
    }
    await Promise.all(stopping);
  }

  /** Stops a directory's servers (its instance is disposed); the next request starts them again. */
  forget(directory: string): Promise<void> {
    return this.shutdown(directory);
  }

  closeAll(): Promise<void> {
    return this.shutdown();
  }

  /** Stops listening for edits and stops every server. */
  async close(): Promise<void> {
    this.stopListening();
    await this.shutdown();
  }
}
