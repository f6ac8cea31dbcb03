// Moving a session to another folder of the same project (a worktree, a subfolder, back to the
// main checkout): later turns run there. With `moveChanges`, the uncommitted changes of the
// session's checkout go along: applied in the destination, then discarded at the source.
import { git } from "../git/git.js";
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Session } from "../../generated/schemas.js";
import type { SessionDeps } from "./session-deps.js";
import { NO_WORKTREE, findWorktree } from "../git/worktree.js";
import { SessionBusyError } from "../domain-errors.js";

export interface SessionMove {
  sessionID: string;
  directory: string;
  /** The workspace the destination belongs to; undefined detaches the session from any. */
  workspaceID?: string;
  moveChanges?: boolean;
}

/** Why a move cannot happen, in words for the user. */
export class SessionMoveError extends Error {}

/** Carries the uncommitted changes (tracked edits and new files) from one checkout to another. */
async function carryChanges(source: string, destination: string): Promise<void> {
  let patch: string;
  let untracked: string[];
  try {
    patch = await git(source, ["diff", "--binary", "HEAD"]);
    untracked = (await git(source, ["ls-files", "--others", "--exclude-standard", "-z"])).split("\0").filter(Boolean);
  } catch (error) {
    throw new SessionMoveError(`Unable to read your changes in the source directory: ${(error as Error).message}`);
  }
  try {
    if (patch) await git(destination, ["apply", "--binary", "-"], { input: patch });
    for (const file of untracked) {
      await mkdir(path.dirname(path.join(destination, file)), { recursive: true });
      await copyFile(path.join(source, file), path.join(destination, file));
    }
  } catch {
    throw new SessionMoveError("Unable to apply your changes in the destination directory. The files may conflict with existing changes.");
  }
  await git(source, ["reset", "--hard", "--quiet", "HEAD"]);
  for (const file of untracked) await rm(path.join(source, file), { force: true });
}

export async function moveSession(services: Pick<SessionDeps, "sessions" | "projects" | "runs">, move: SessionMove): Promise<Session> {
  const current = await services.sessions.get(move.sessionID);
  const directory = path.resolve(move.directory);
  if (current.directory === directory && current.workspaceID === move.workspaceID) return current;
  if (services.runs.isBusy(current.id)) throw new SessionBusyError(current.id);
  const destination = await services.projects.locate(directory);
  if (destination.id !== current.projectID) throw new SessionMoveError("Destination directory belongs to another project");
  if (move.moveChanges && destination.vcs === "git") {
    const source = findWorktree(current.directory);
    const target = findWorktree(directory);
    if (source !== NO_WORKTREE && target !== NO_WORKTREE && source !== target) await carryChanges(source, target);
  }
  const worktree = findWorktree(directory);
  return services.sessions.mutate(current.id, (session) => {
    const { workspaceID: _previous, ...rest } = session;
    return {
      ...rest,
      directory,
      path: worktree === NO_WORKTREE ? "" : path.relative(worktree, directory),
      ...(move.workspaceID ? { workspaceID: move.workspaceID } : {}),
      time: { ...rest.time, updated: Date.now() },
    };
  });
}
