// Snapshots of a project's files, as upstream takes them around every model step: a git tree
// written into a separate git directory per project (under our data folder), never touching
// the user's own repository. Diffs between snapshots feed session.diff and user message
// summaries; restoring a snapshot's files is how revert and unrevert undo changes.
import { git } from "../git/git.js";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createPatch } from "diff";
import type { SnapshotFileDiff } from "../../generated/schemas.js";


export interface SnapshotOptions {
  /**
   * The index file's name in each snapshot directory, when not git's own. Nodes of a pool that
   * share the data folder (a shared volume) each keep their own index: git's objects may be
   * written by several processes at once, one index may not.
   */
  indexName?: string;
}

export class Snapshots {
  /** One queue per snapshot directory: git's index is not safe for concurrent commands. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly root: string,
    private readonly options: SnapshotOptions = {},
  ) {}

  private gitDir(projectID: string): string {
    return path.join(this.root, projectID);
  }

  private serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(job);
    this.queues.set(key, next);
    return next;
  }

  private git(projectID: string, worktree: string, args: string[]): Promise<string> {
    const { indexName } = this.options;
    const env = { GIT_CONFIG_NOSYSTEM: "1", ...(indexName ? { GIT_INDEX_FILE: path.join(this.gitDir(projectID), indexName) } : {}) };
    return git(worktree, ["--git-dir", this.gitDir(projectID), "--work-tree", worktree, ...args], { env });
  }

  /** Removes this node's own index files (a pool's node that stops); git's own index stays. */
  async close(): Promise<void> {
    const { indexName } = this.options;
    if (!indexName) return;
    await Promise.allSettled([...this.queues.keys()].map((projectID) => rm(path.join(this.gitDir(projectID), indexName), { force: true })));
  }

  private async ensure(projectID: string): Promise<void> {
    const dir = this.gitDir(projectID);
    if (existsSync(path.join(dir, "HEAD"))) return;
    // Made aside and moved into place: another node sharing the folder may be making it too.
    const aside = `${dir}.${randomUUID()}`;
    await mkdir(aside, { recursive: true });
    try {
      await git(aside, ["init", "--quiet", "--bare", aside]);
      // Line endings and file modes exactly as on disk; no hooks of the user's.
      for (const [key, value] of [
        ["core.autocrlf", "false"],
        ["core.fileMode", "true"],
        ["core.quotepath", "false"],
      ]) {
        await git(aside, ["--git-dir", aside, "config", key, value]);
      }
      await rename(aside, dir);
    } catch (error) {
      if (!existsSync(path.join(dir, "HEAD"))) throw error;
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
  }

  /** Writes the current files of the worktree as a tree; answers its hash. */
  track(projectID: string, worktree: string): Promise<string> {
    return this.serial(projectID, async () => {
      await this.ensure(projectID);
      await this.git(projectID, worktree, ["add", "--all", "."]);
      return (await this.git(projectID, worktree, ["write-tree"])).trim();
    });
  }

  /** Paths (relative to the worktree) that differ between two trees. */
  async changedFiles(projectID: string, worktree: string, from: string, to: string): Promise<string[]> {
    const out = await this.serial(projectID, () => this.git(projectID, worktree, ["diff", "--no-renames", "--name-only", "-z", from, to]));
    return out.split("\0").filter(Boolean);
  }

  private async fileAt(projectID: string, worktree: string, tree: string, file: string): Promise<string | undefined> {
    try {
      return await this.git(projectID, worktree, ["show", `${tree}:${file}`]);
    } catch {
      return undefined;
    }
  }

  /** Per-file diffs between two trees, with upstream's patch text and line counts. */
  diff(projectID: string, worktree: string, from: string, to: string): Promise<SnapshotFileDiff[]> {
    return this.serial(projectID, async () => {
      if (from === to) return [];
      const numstat = await this.git(projectID, worktree, ["diff", "--no-renames", "--numstat", "-z", from, to]);
      const diffs: SnapshotFileDiff[] = [];
      for (const record of numstat.split("\0").filter(Boolean)) {
        const [added, deleted, file] = record.split("\t") as [string, string, string];
        const before = await this.fileAt(projectID, worktree, from, file);
        const after = await this.fileAt(projectID, worktree, to, file);
        const binary = added === "-";
        diffs.push({
          file,
          patch: binary ? "" : createPatch(file, before ?? "", after ?? "", "", ""),
          additions: binary ? 0 : Number(added),
          deletions: binary ? 0 : Number(deleted),
          status: before === undefined ? "added" : after === undefined ? "deleted" : "modified",
        });
      }
      return diffs;
    });
  }

  /** git's own diff text between two trees (what session.revert.diff carries). */
  rawDiff(projectID: string, worktree: string, from: string, to: string): Promise<string> {
    return this.serial(projectID, async () => (await this.git(projectID, worktree, ["diff", "--no-renames", from, to])).replace(/\n$/, ""));
  }

  /** Puts the given files back as they were in a tree: rewritten, or deleted if the tree lacks them. */
  restore(projectID: string, worktree: string, tree: string, files: string[]): Promise<void> {
    return this.serial(projectID, async () => {
      for (const file of files) {
        const inTree = (await this.git(projectID, worktree, ["ls-tree", "--name-only", tree, "--", file])).trim() !== "";
        if (inTree) await this.git(projectID, worktree, ["checkout", tree, "--", file]);
        else await rm(path.join(worktree, file), { force: true });
      }
    });
  }
}
