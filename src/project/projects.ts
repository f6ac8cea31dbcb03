// Projects as upstream defines them: a git worktree, identified by the hash of its first commit
// (so clones and moved checkouts keep their sessions), or the "global" project outside any
// repository. Seen projects are stored, so /project lists them after a restart.
import { git, GitError } from "../git/git.js";
import { stat } from "node:fs/promises";
import type { Project } from "../../generated/schemas.js";
import { NotFoundError } from "../domain-errors.js";
import type { Store } from "../storage/store.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";


export const GLOBAL_PROJECT_ID = "global";

/** The sorted first root commit of the repository, or undefined without commits (or without git). */
async function rootCommit(worktree: string): Promise<string | undefined> {
  try {
    const stdout = await git(worktree, ["rev-list", "--max-parents=0", "--all"]);
    return stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .sort()[0];
  } catch {
    return undefined;
  }
}

export interface ProjectLocation {
  id: string;
  worktree: string;
  vcs?: "git";
}

export class Projects {
  private readonly located = new Map<string, Promise<ProjectLocation>>();

  constructor(
    private readonly store: Store,
    /** Told of a project seen for the first time, or changed (for project.updated). */
    private readonly announce: (project: Project) => void = () => {},
  ) {}

  /** Which project a directory belongs to. Cached per worktree for the life of the process. */
  locate(directory: string): Promise<ProjectLocation> {
    const worktree = findWorktree(directory);
    let found = this.located.get(worktree);
    if (!found) {
      found = this.resolve(worktree);
      this.located.set(worktree, found);
      found.catch(() => this.located.delete(worktree));
    }
    return found;
  }

  private async resolve(worktree: string): Promise<ProjectLocation> {
    const id = worktree === NO_WORKTREE ? undefined : await rootCommit(worktree);
    const location: ProjectLocation = id ? { id, worktree, vcs: "git" } : { id: GLOBAL_PROJECT_ID, worktree: NO_WORKTREE };
    if (!(await this.store.getProject(location.id))) {
      const now = Date.now();
      const project: Project = {
        id: location.id,
        worktree: location.worktree,
        ...(location.vcs ? { vcs: location.vcs } : {}),
        time: { created: now, updated: now },
        sandboxes: [],
      };
      await this.store.putProject(project);
      this.announce(project);
    }
    return location;
  }

  /** The stored project record of a directory. */
  async forDirectory(directory: string): Promise<Project> {
    const { id } = await this.locate(directory);
    return (await this.store.getProject(id))!;
  }

  list(): Promise<Project[]> {
    return this.store.listProjects();
  }

  /** Changes a project's name, icon or commands; publishes project.updated. */
  async update(id: string, change: Partial<Pick<Project, "name" | "icon" | "commands">>): Promise<Project> {
    const current = await this.store.getProject(id);
    if (!current) throw new NotFoundError("Project", id);
    const next: Project = { ...current, ...change, time: { ...current.time, updated: Date.now() } };
    await this.store.putProject(next);
    this.announce(next);
    return next;
  }

  /** Records when the project was first initialised by a client (the old API's app.init); once. */
  async markInitialized(directory: string): Promise<Project> {
    const project = await this.forDirectory(directory);
    if (project.time.initialized) return project;
    const next: Project = { ...project, time: { ...project.time, initialized: Date.now() } };
    await this.store.putProject(next);
    return next;
  }

  /** Records an extra git worktree of a project (worktree.create); publishes project.updated. */
  async addSandbox(id: string, directory: string): Promise<void> {
    const current = await this.store.getProject(id);
    if (!current || current.sandboxes.includes(directory)) return;
    const next: Project = { ...current, sandboxes: [...current.sandboxes, directory], time: { ...current.time, updated: Date.now() } };
    await this.store.putProject(next);
    this.announce(next);
  }

  /** Forgets an extra git worktree of a project (worktree.remove); publishes project.updated. */
  async removeSandbox(id: string, directory: string): Promise<void> {
    const current = await this.store.getProject(id);
    if (!current || !current.sandboxes.includes(directory)) return;
    const next: Project = {
      ...current,
      sandboxes: current.sandboxes.filter((d) => d !== directory),
      time: { ...current.time, updated: Date.now() },
    };
    await this.store.putProject(next);
    this.announce(next);
  }

  /** Forgets cached locations (instance.dispose, or after `git init`). */
  reset(): void {
    this.located.clear();
  }
}

/** Why `git init` could not run: the directory is missing or not a folder, or git refused. */
export class GitInitError extends Error {}

/** `git init` in a directory that is not inside a repository yet (project.initGit). */
export async function initGitRepository(directory: string): Promise<void> {
  const info = await stat(directory).catch(() => undefined);
  if (!info) throw new GitInitError(`Directory does not exist: ${directory}`);
  if (!info.isDirectory()) throw new GitInitError(`Not a directory: ${directory}`);
  if (findWorktree(directory) !== NO_WORKTREE) return;
  try {
    await git(directory, ["init", "--quiet"]);
  } catch (error) {
    if (!(error instanceof GitError)) throw error; // no git on this machine: the server's problem, not the request's
    throw new GitInitError(`git init failed in ${directory}: ${error.message}`);
  }
}
