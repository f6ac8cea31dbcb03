// Extra git worktrees of a project (upstream's "sandboxes"): created in our data folder under
// worktree/<projectID>/<name> on a new branch opencode/<name>, recorded on the project, filled
// (checked out) in the background, announced with worktree.ready or worktree.failed, and then
// the project's start command and the caller's own one run inside them.
// Only worktrees made here (recorded, under that folder) are ever removed.
import { slugify } from "../session/slug.js";
import { tryGit, type GitResult } from "../git/git.js";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, realpath, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { Logger } from "pino";
import { publishForDirectory } from "../bus/instance-events.js";
import type { EventBus } from "../bus/event-bus.js";
import type { Projects } from "../project/projects.js";
import type { Store } from "../storage/store.js";
import { NamedError } from "../domain-errors.js";
import { createSlug } from "../session/slug.js";
import type { ProjectLocation } from "../project/projects.js";

const run = promisify(execFile);

/** Linux's PATH_MAX: no longer path names a folder. */
const MAX_PATH_LENGTH = 4096;

type WorktreeErrorName =
  | "WorktreeNotGitError"
  | "WorktreeNameGenerationFailedError"
  | "WorktreeCreateFailedError"
  | "WorktreeRemoveFailedError"
  | "WorktreeResetFailedError";

export function worktreeError(name: WorktreeErrorName, message: string): NamedError {
  return new NamedError(name, message);
}

export interface WorktreeInfo {
  name: string;
  branch: string;
  directory: string;
}

/** git in a worktree, never throwing (see tryGit). */
function git(cwd: string, ...args: string[]): Promise<GitResult> {
  return tryGit(cwd, args);
}

/** A path with symlinks resolved, so /tmp and /private/tmp style aliases compare equal. */
async function canonical(directory: string): Promise<string> {
  const absolute = path.resolve(directory);
  return realpath(absolute).catch(() => absolute);
}

/** The entries of `git worktree list --porcelain`: their folder and branch (refs/heads/... dropped). */
async function listGitWorktrees(worktree: string, fail: (message: string) => NamedError): Promise<{ path: string; branch?: string }[]> {
  const listed = await git(worktree, "worktree", "list", "--porcelain");
  if (!listed.ok) throw fail(listed.problem || "Failed to read git worktrees");
  const entries: { path: string; branch?: string }[] = [];
  for (const line of listed.stdout.split("\n").map((l) => l.trim())) {
    if (line.startsWith("worktree ")) entries.push({ path: line.slice("worktree ".length) });
    else if (line.startsWith("branch ") && entries.length)
      entries.at(-1)!.branch = line.slice("branch ".length).replace(/^refs\/heads\//, "");
  }
  return entries;
}

async function findEntry(worktree: string, directory: string, fail: (message: string) => NamedError) {
  const wanted = await canonical(directory);
  for (const entry of await listGitWorktrees(worktree, fail)) if ((await canonical(entry.path)) === wanted) return entry;
  return undefined;
}

type WorktreeServices = { bus: EventBus; projects: Projects; store: Store; log: Logger; dataDirectory: string };

export class GitWorktrees {
  constructor(private readonly services: WorktreeServices) {}

  private async gitProject(directory: string): Promise<ProjectLocation> {
    const project = await this.services.projects.locate(directory);
    if (project.vcs !== "git") throw worktreeError("WorktreeNotGitError", "Worktrees are only supported for git projects");
    return project;
  }

  /** The project's extra worktrees, as recorded on it. */
  async list(directory: string): Promise<string[]> {
    return (await this.services.projects.forDirectory(directory)).sandboxes;
  }

  /** A free name: the requested one (as a slug), else adjective-noun, with a branch that does not exist yet. */
  private async pickName(project: ProjectLocation, root: string, requested?: string): Promise<WorktreeInfo> {
    const base = requested ? slugify(requested) : "";
    for (let attempt = 0; attempt < 26; attempt++) {
      const name = base ? (attempt === 0 ? base : `${base}-${createSlug()}`) : createSlug();
      const info = { name, branch: `opencode/${name}`, directory: path.join(root, name) };
      if (existsSync(info.directory)) continue;
      if ((await git(project.worktree, "show-ref", "--verify", "--quiet", `refs/heads/${info.branch}`)).ok) continue;
      return info;
    }
    throw worktreeError("WorktreeNameGenerationFailedError", "Failed to generate a unique worktree name");
  }

  async create(directory: string, input: { name?: string; startCommand?: string } = {}): Promise<WorktreeInfo> {
    const project = await this.gitProject(directory);
    const root = path.join(this.services.dataDirectory, "worktree", project.id);
    await mkdir(root, { recursive: true });
    const info = await this.pickName(project, root, input.name);
    const added = await git(project.worktree, "worktree", "add", "--no-checkout", "-b", info.branch, info.directory);
    if (!added.ok) throw worktreeError("WorktreeCreateFailedError", added.problem || "Failed to create git worktree");
    await this.services.projects.addSandbox(project.id, info.directory);
    // Checking out a large tree takes a while: the answer does not wait for it.
    void this.populate(project, info, input.startCommand?.trim()).catch((error: unknown) =>
      this.services.log.error({ err: error, directory: info.directory }, "worktree start task failed"),
    );
    return info;
  }

  private async populate(project: ProjectLocation, info: WorktreeInfo, extraCommand: string | undefined): Promise<void> {
    const checkedOut = await git(info.directory, "reset", "--hard");
    if (!checkedOut.ok) {
      const message = checkedOut.problem || "Failed to populate worktree";
      this.services.log.error({ directory: info.directory, message }, "worktree checkout failed");
      await publishForDirectory(this.services, info.directory, "worktree.failed", { message });
      return;
    }
    await publishForDirectory(this.services, info.directory, "worktree.ready", { name: info.name, branch: info.branch });
    const stored = await this.services.store.getProject(project.id);
    // The project's own start command first; the caller's runs only if that one succeeded.
    if (!(await this.runStartCommand(info.directory, stored?.commands?.start, "project"))) return;
    await this.runStartCommand(info.directory, extraCommand, "worktree");
  }

  private async runStartCommand(directory: string, command: string | undefined, kind: string): Promise<boolean> {
    if (!command?.trim()) return true;
    try {
      await run("bash", ["-lc", command], { cwd: directory, maxBuffer: 64 * 1024 * 1024 });
      return true;
    } catch (error) {
      this.services.log.error(
        { kind, directory, message: (error as { stderr?: string }).stderr ?? String(error) },
        "worktree start command failed",
      );
      return false;
    }
  }

  /**
   * The recorded sandbox `requested` names, if this server created it: an absolute path, recorded
   * on the project, inside this server's worktree folder for the project. Anything else is refused.
   */
  private async ownWorktree(project: ProjectLocation, requested: string, fail: (message: string) => NamedError): Promise<string> {
    const shown = requested.length > 200 ? `${requested.slice(0, 200)}… (${requested.length} characters)` : requested;
    if (requested.length > MAX_PATH_LENGTH || requested.includes("\0")) throw fail(`Not a worktree directory: ${shown}`);
    if (!path.isAbsolute(requested)) throw fail(`The worktree directory must be an absolute path: ${shown}`);
    const wanted = await canonical(requested);
    if (wanted === (await canonical(project.worktree))) throw fail("Cannot remove the primary workspace");
    const root = await canonical(path.join(this.services.dataDirectory, "worktree", project.id));
    const inside = path.relative(root, wanted);
    const recorded = (await this.services.store.getProject(project.id))?.sandboxes ?? [];
    for (const sandbox of recorded)
      if (inside && !inside.startsWith("..") && !path.isAbsolute(inside) && (await canonical(sandbox)) === wanted) return sandbox;
    throw fail(`Not a worktree this server created: ${shown}`);
  }

  /** Removes a worktree this server created (forced) and its branch; if git no longer knows it, its folder is deleted. */
  async remove(directory: string, input: { directory: string }): Promise<void> {
    const project = await this.gitProject(directory);
    const fail = (message: string) => worktreeError("WorktreeRemoveFailedError", message);
    const sandbox = await this.ownWorktree(project, input.directory, fail);
    const entry = await findEntry(project.worktree, sandbox, fail);
    if (!entry) {
      await rm(await canonical(sandbox), { recursive: true, force: true });
    } else {
      const removed = await git(project.worktree, "worktree", "remove", "--force", entry.path);
      if (!removed.ok) throw fail(removed.problem || "Failed to remove git worktree");
      if (entry.branch) {
        const deleted = await git(project.worktree, "branch", "-D", entry.branch);
        if (!deleted.ok) throw fail(deleted.problem || "Failed to delete worktree branch");
      }
    }
    await this.services.projects.removeSandbox(project.id, sandbox);
    if (entry) await this.services.projects.removeSandbox(project.id, entry.path);
  }

  /** Puts a worktree back on the project's default branch: the remote's default if there is one, else main or master. */
  async reset(directory: string, input: { directory: string }): Promise<void> {
    const project = await this.gitProject(directory);
    const fail = (message: string) => worktreeError("WorktreeResetFailedError", message);
    if ((await canonical(input.directory)) === (await canonical(project.worktree))) throw fail("Cannot reset the primary workspace");
    const entry = await findEntry(project.worktree, input.directory, fail);
    if (!entry) throw fail("Worktree not found");
    const target = await this.defaultBranch(project.worktree, fail);
    const steps: string[][] = [
      ["reset", "--hard", target],
      ["clean", "-ffdx"],
      ["submodule", "update", "--init", "--recursive", "--force"],
    ];
    for (const args of steps) {
      const done = await git(entry.path, ...args);
      if (!done.ok) throw fail(done.problem || `git ${args[0]} failed`);
    }
  }

  private async defaultBranch(worktree: string, fail: (message: string) => NamedError): Promise<string> {
    const remotes = (await git(worktree, "remote")).stdout.split("\n").filter(Boolean);
    const remote = remotes.includes("origin")
      ? "origin"
      : remotes.length === 1
        ? remotes[0]
        : remotes.includes("upstream")
          ? "upstream"
          : "";
    if (remote) {
      const head = await git(worktree, "symbolic-ref", `refs/remotes/${remote}/HEAD`);
      const branch = head.ok ? head.stdout.replace(`refs/remotes/${remote}/`, "") : "";
      if (branch) {
        const fetched = await git(worktree, "fetch", remote, branch);
        if (!fetched.ok) throw fail(fetched.problem || `Failed to fetch ${remote}/${branch}`);
        return `${remote}/${branch}`;
      }
    }
    for (const local of ["main", "master"])
      if ((await git(worktree, "show-ref", "--verify", "--quiet", `refs/heads/${local}`)).ok) return local;
    throw fail("Default branch not found");
  }
}
