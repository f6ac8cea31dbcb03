// Copies of a project (upstream's v2 project copies): extra checkouts of the project's repository
// made by a copy strategy. The one strategy upstream builds in, and the one here, is
// "git_worktree": a detached git worktree of HEAD. Copies are recorded as the project's extra
// directories (sandboxes), announced with project.directories.updated.
import { git } from "../git/git.js";
import { existsSync, statSync } from "node:fs";
import { mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { publishForDirectory } from "../bus/instance-events.js";
import type { EventBus } from "../bus/event-bus.js";
import type { Store } from "../storage/store.js";
import type { Projects } from "./projects.js";
import { NamedError } from "../domain-errors.js";


export const GIT_WORKTREE_STRATEGY = "git_worktree";

export function projectCopyError(message: string, forceRequired?: boolean): NamedError {
  return new NamedError("ProjectCopyError", message, forceRequired ? { forceRequired } : {});
}

/** The folder with symlinks resolved, or an error naming it when it is not a folder. */
async function canonicalFolder(directory: string): Promise<string> {
  const absolute = path.resolve(directory);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) throw projectCopyError(`Project copy directory unavailable: ${absolute}`);
  return realpath(absolute);
}

/** A linked git worktree has a .git file (the main checkout has a .git folder). */
function isLinkedWorktree(directory: string): boolean {
  const marker = path.join(directory, ".git");
  return existsSync(marker) && statSync(marker).isFile();
}

type CopyServices = { projects: Projects; store: Store; bus: EventBus };

export class ProjectCopies {
  constructor(private readonly services: CopyServices) {}

  /** The project's main checkout, checked against the projectID the route names. */
  private async source(projectID: string, directory: string): Promise<string> {
    const project = await this.services.projects.locate(directory);
    if (project.id !== projectID || project.vcs !== "git") throw projectCopyError(`Project copy source not found: ${directory}`);
    return project.worktree;
  }

  private async changed(projectID: string, worktree: string): Promise<void> {
    await publishForDirectory(this.services, worktree, "project.directories.updated", { projectID });
  }

  async create(
    projectID: string,
    directory: string,
    input: { strategy: string; directory: string; name?: string },
  ): Promise<{ directory: string }> {
    if (input.strategy !== GIT_WORKTREE_STRATEGY) throw projectCopyError(`Unknown project copy strategy: ${input.strategy}`);
    if (!input.name?.trim()) throw projectCopyError("Project copy directory and name could not be resolved");
    const source = await this.source(projectID, directory);
    await mkdir(path.resolve(input.directory), { recursive: true });
    const copy = path.join(path.resolve(input.directory), input.name.trim());
    if (existsSync(copy)) throw projectCopyError(`Project copy destination already exists: ${copy}`);
    try {
      await git(source, ["worktree", "add", "--detach", copy, "HEAD"]);
    } catch (error) {
      throw projectCopyError((error as Error).message);
    }
    const created = await realpath(copy);
    await this.services.projects.addSandbox(projectID, created);
    await this.changed(projectID, source);
    return { directory: created };
  }

  async remove(projectID: string, directory: string, input: { directory: string; force: boolean }): Promise<void> {
    const source = await this.source(projectID, directory);
    const copy = await canonicalFolder(input.directory);
    if (!isLinkedWorktree(copy)) throw projectCopyError(`Project copy strategy not found for: ${copy}`);
    try {
      await git(source, ["worktree", "remove", ...(input.force ? ["--force"] : []), copy]);
    } catch (error) {
      const message = (error as Error).message;
      throw projectCopyError(message, /contains modified or untracked files|is dirty/i.test(message));
    }
    await this.services.projects.removeSandbox(projectID, copy);
    await this.changed(projectID, source);
  }

  /** Records the worktrees git knows and forgets recorded ones whose folder is gone. */
  async refresh(projectID: string, directory: string): Promise<void> {
    const source = await this.source(projectID, directory);
    const main = await realpath(source);
    const listed = (await git(source, ["worktree", "list", "--porcelain"]))
      .split("\n")
      .filter((line) => line.startsWith("worktree "))
      .map((line) => path.resolve(source, line.slice("worktree ".length).trim()));
    let changed = false;
    for (const entry of listed) {
      const canonical = await realpath(entry).catch(() => entry);
      if (canonical === main || !existsSync(canonical)) continue;
      const before = (await this.services.store.getProject(projectID))?.sandboxes ?? [];
      if (before.includes(canonical)) continue;
      await this.services.projects.addSandbox(projectID, canonical);
      changed = true;
    }
    for (const stored of (await this.services.store.getProject(projectID))?.sandboxes ?? []) {
      if (existsSync(stored)) continue;
      await this.services.projects.removeSandbox(projectID, stored);
      changed = true;
    }
    if (changed) await this.changed(projectID, source);
  }
}
