// Workspaces of a project (upstream's control plane): named places a session can run in, made
// by an adapter. The one adapter here is upstream's built-in "worktree": a workspace is an extra
// git worktree. Remote adapters (OpenCode's cloud) do not exist here. Workspaces are kept in
// workspace.json in the data folder, so they survive a restart.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Workspace } from "../../generated/schemas.js";
import { createId } from "../id.js";
import { NamedError, NotFoundError } from "../domain-errors.js";
import type { EventBus } from "../bus/event-bus.js";
import type { GitWorktrees } from "../worktree/git-worktrees.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";

export const WORKSPACE_ADAPTERS = [{ type: "worktree", name: "Worktree", description: "Create a git worktree" }];

export function workspaceCreateError(message: string): NamedError {
  return new NamedError("WorkspaceCreateError", message);
}

export class Workspaces {
  private loaded: Promise<Workspace[]> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The last status announced per workspace. */
  private readonly announced = new Map<string, "connected" | "error">();

  constructor(
    private readonly file: string,
    private readonly worktrees: GitWorktrees,
    private readonly bus: EventBus,
  ) {}

  private all(): Promise<Workspace[]> {
    this.loaded ??= readFile(this.file, "utf8")
      .then((text) => JSON.parse(text) as Workspace[])
      .catch(() => []);
    return this.loaded;
  }

  /** Writes the list whole, through a temporary file, one write at a time. */
  private save(list: Workspace[]): Promise<void> {
    this.loaded = Promise.resolve(list);
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, JSON.stringify(list, null, 2));
      await rename(`${this.file}.tmp`, this.file);
    });
    return this.writing;
  }

  /** A project's workspaces, by id (oldest first). */
  async list(projectID: string): Promise<Workspace[]> {
    return (await this.all()).filter((w) => w.projectID === projectID).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Workspace | undefined> {
    return (await this.all()).find((w) => w.id === id);
  }

  /** A local workspace is connected while its folder is there, in error when it is gone (as upstream judges local ones). */
  async status(projectID: string) {
    return (await this.list(projectID)).map((w) => ({ workspaceID: w.id, status: statusOf(w) }));
  }

  /** Creates a worktree workspace for the directory's project; in a subfolder, the workspace is the same subfolder of the new worktree. */
  async create(directory: string, projectID: string, input: { id?: string; type: string; extra?: unknown }): Promise<Workspace> {
    if (!WORKSPACE_ADAPTERS.some((a) => a.type === input.type)) throw workspaceCreateError(`Unknown workspace adapter: ${input.type}`);
    if (input.id && (await this.get(input.id))) throw workspaceCreateError(`Workspace already exists: ${input.id}`);
    let created;
    try {
      created = await this.worktrees.create(directory);
    } catch (error) {
      throw workspaceCreateError(error instanceof Error ? error.message : "Workspace creation failed");
    }
    const worktree = findWorktree(directory);
    const relative = worktree === NO_WORKTREE ? "" : path.relative(worktree, directory);
    const inside = relative && !relative.startsWith("..") && !path.isAbsolute(relative);
    const workspace: Workspace = {
      id: input.id ?? createId("wrk"),
      type: input.type,
      name: created.name,
      branch: created.branch,
      directory: inside ? path.join(created.directory, relative) : created.directory,
      extra: inside ? { ...(isObject(input.extra) ? input.extra : {}), root: created.directory } : (input.extra ?? null),
      projectID,
      timeUsed: Date.now(),
    };
    await this.save([...(await this.all()), workspace]);
    this.announceStatus(workspace);
    return workspace;
  }

  /** Publishes workspace.status when a workspace's connection status changed since last told. */
  private announceStatus(workspace: Workspace): void {
    const status = statusOf(workspace);
    if (this.announced.get(workspace.id) === status) return;
    this.announced.set(workspace.id, status);
    this.bus.publish({ directory: "global", workspace: workspace.id }, "workspace.status", { workspaceID: workspace.id, status });
  }

  /**
   * sync.start: checks the workspaces of a project that have sessions and announces their status.
   * Local workspaces have nothing to stream from; remote ones do not exist here.
   */
  async startSyncing(projectID: string, sessionWorkspaces: Set<string>): Promise<void> {
    for (const workspace of await this.list(projectID)) if (sessionWorkspaces.has(workspace.id)) this.announceStatus(workspace);
  }

  /** Removes a workspace and its worktree; answers what was removed. */
  async remove(directory: string, id: string): Promise<Workspace> {
    const workspace = await this.get(id);
    if (!workspace) throw new NotFoundError("Workspace", id);
    const root = isObject(workspace.extra) && typeof workspace.extra.root === "string" ? workspace.extra.root : workspace.directory;
    // A worktree already gone (removed on its own) is no reason to keep the workspace.
    if (root)
      await this.worktrees.remove(directory, { directory: root }).catch((error: unknown) => {
        if (existsSync(root)) throw error;
      });
    await this.save((await this.all()).filter((w) => w.id !== id));
    this.announced.delete(id);
    return workspace;
  }

  /** Marks a workspace used now (a session went there). */
  async touch(id: string): Promise<void> {
    const list = await this.all();
    await this.save(list.map((w) => (w.id === id ? { ...w, timeUsed: Date.now() } : w)));
  }
}

function statusOf(workspace: Workspace): "connected" | "error" {
  return workspace.directory && existsSync(workspace.directory) ? "connected" : "error";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
