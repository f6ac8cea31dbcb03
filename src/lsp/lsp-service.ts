// The language servers of each directory: the ones configured under `lsp` in opencode.json
// ({command, extensions, env, initialization, disabled}). They start on first need (GET /lsp)
// and stop when the instance is disposed or the server closes.
import path from "node:path";
import type { Config } from "../../generated/schemas.js";
import { NO_WORKTREE, findWorktree } from "../workspace/worktree.js";
import { LspClient, type LspServerConfig } from "./lsp-client.js";

type LspEntry = {
  disabled?: boolean;
  command?: string[];
  extensions?: string[];
  env?: Record<string, string>;
  initialization?: Record<string, unknown>;
};

/** The configured servers that are not disabled. */
export function configuredLspServers(config: Config): [string, LspServerConfig][] {
  const setting = config.lsp as boolean | Record<string, LspEntry> | undefined;
  if (!setting || setting === true) return [];
  return Object.entries(setting)
    .filter(([, entry]) => !entry.disabled && entry.command?.length)
    .map(([id, entry]) => [id, { command: entry.command!, env: entry.env, initialization: entry.initialization }]);
}

export class LspService {
  /** Per directory, the clients by server id. */
  private readonly clients = new Map<string, Map<string, LspClient>>();

  /** Starts the configured servers not started yet and reports every server of the directory. */
  async status(directory: string, config: Config) {
    const worktree = findWorktree(directory);
    const root = worktree === NO_WORKTREE ? directory : worktree;
    const running = this.clients.get(directory) ?? new Map<string, LspClient>();
    this.clients.set(directory, running);
    for (const [id, server] of configuredLspServers(config)) if (!running.has(id)) running.set(id, new LspClient(id, root, server));
    await Promise.all([...running.values()].map((client) => client.ready));
    return [...running.values()].map((client) => ({
      id: client.id,
      name: client.id,
      root: path.relative(directory, client.root) || ".",
      status: client.state === "connected" ? ("connected" as const) : ("error" as const),
    }));
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
}
