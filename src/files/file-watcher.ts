// Watching the projects clients work in: a change on disk, whoever made it, is published as
// file.watcher.updated (add / change / unlink), and a branch switch as vcs.branch.updated, as
// upstream's watcher does. One watch of the tree per git worktree (./tree-watch.ts), started by
// the first request about a directory in it; .git internals other than HEAD and node_modules are
// left out.
import type { PublishTo } from "../bus/event-bus.js";
import { existsSync, watch } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { EventBus } from "../bus/event-bus.js";
import { currentBranch } from "../git/vcs.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";
import { watchTree, type TreeWatch } from "./tree-watch.js";

/** Folders whose changes are never reported, so never watched. */
const UNWATCHED_FOLDERS = new Set([".git", "node_modules"]);

type Publish = PublishTo<string>;

/** Changes are reported this long after the disk says so, and a file reported within it (by a tool that changed it, or a burst of writes) is reported once. */
const QUIET_MS = 150;

export class FileWatchers {
  private readonly watchers = new Map<string, TreeWatch>();
  private readonly branches = new Map<string, string | undefined>();
  /** file -> when it was last reported, by anyone (the tools report their own writes). */
  private readonly reported = new Map<string, number>();
  private readonly stopListening: () => void;
  /**
   * Directories already looked at: their worktree is found once, as upstream starts an instance's
   * watcher once (finding it walks up the tree with a stat per level, on every request before).
   */
  private readonly looked = new Set<string>();

  constructor(
    bus: EventBus,
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {
    this.stopListening = bus.subscribeAll(
      ({ payload }) => {
        if (payload.type === "file.watcher.updated") this.reported.set(String((payload.properties as { file?: unknown }).file), Date.now());
      },
      { internal: true },
    );
  }

  /** Watches the worktree of `directory`, once. */
  ensure(directory: string): void {
    if (this.looked.has(directory)) return;
    // Directories come from clients; a client naming endless ones costs a lookup each, not memory.
    if (this.looked.size >= 1000) this.looked.clear();
    this.looked.add(directory);
    const root = findWorktree(directory);
    if (root === NO_WORKTREE || this.watchers.has(root)) return;
    try {
      const watcher = watchTree(
        root,
        (name) => UNWATCHED_FOLDERS.has(name),
        (kind, name) => this.changed(root, kind, name),
        (error) => this.log.warn({ err: error, root }, "file watcher failed"),
      );
      this.watchers.set(root, watcher);
      this.watchHead(root);
      void currentBranch(root).then((branch) => this.branches.set(root, branch));
    } catch (error) {
      this.log.warn({ err: error, root }, "cannot watch the project");
    }
  }

  private changed(root: string, kind: string, name: string): void {
    const relative = name.split(path.sep).join("/");
    if (relative === ".git" || relative.startsWith(".git/") || relative.split("/").includes("node_modules")) return;
    const file = path.join(root, name);
    const seen = Date.now();
    setTimeout(() => {
      if ((this.reported.get(file) ?? 0) >= seen - QUIET_MS) return;
      if (this.reported.size > 1000) this.reported.clear();
      this.reported.set(file, Date.now());
      const event = kind === "change" ? "change" : existsSync(file) ? "add" : "unlink";
      this.publish(root, "file.watcher.updated", { file, event });
    }, QUIET_MS).unref();
  }

  /**
   * git replaces HEAD (written as HEAD.lock, renamed into place), which a recursive watch loses
   * track of after the first time; a watch of the .git folder itself sees every replacement.
   */
  private watchHead(root: string): void {
    const gitDir = path.join(root, ".git");
    if (!existsSync(path.join(gitDir, "HEAD"))) return; // a linked worktree: .git is a file
    const watcher = watch(gitDir, (_kind, name) => {
      if (name?.toString().startsWith("HEAD"))
        setTimeout(
          () => void this.branchMayHaveChanged(root).catch((error: unknown) => this.log.warn({ err: error, root }, "branch check failed")),
          QUIET_MS,
        ).unref();
    });
    watcher.on("error", (error) => this.log.warn({ err: error, root }, "git HEAD watcher failed"));
    this.watchers.set(`${root}\0HEAD`, watcher);
  }

  private async branchMayHaveChanged(root: string): Promise<void> {
    const branch = await currentBranch(root);
    if (branch === this.branches.get(root)) return;
    this.branches.set(root, branch);
    this.publish(root, "vcs.branch.updated", branch ? { branch } : {});
  }

  /** Stops watching the worktree of a directory (a later request watches it again). */
  forget(directory: string): void {
    const root = findWorktree(directory);
    for (const key of [root, `${root}\0HEAD`]) {
      this.watchers.get(key)?.close();
      this.watchers.delete(key);
    }
    this.branches.delete(root);
    this.looked.clear();
  }

  /** Stops every watch (a later request watches its worktree again). */
  closeAll(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.branches.clear();
    this.looked.clear();
  }

  /** Stops for good (server shutdown). */
  close(): void {
    this.stopListening();
    this.closeAll();
  }
}
