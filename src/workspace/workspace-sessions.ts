// What workspaces do to sessions: warping one into a workspace (or back to the project's own
// checkout), and taking a workspace's sessions with it when the workspace is removed.
import path from "node:path";
import type { Workspace } from "../../generated/schemas.js";
import type { SessionDeps } from "../session/session-deps.js";
import type { SessionLifecycle } from "../session/session-lifecycle.js";
import type { Workspaces } from "./workspaces.js";
import { NamedError, NotFoundError } from "../domain-errors.js";
import { SessionMoveError, moveSession } from "../session/session-move.js";
import { NO_WORKTREE } from "../git/worktree.js";

type WorkspaceSessionServices = Pick<SessionDeps, "sessions" | "projects" | "runs" | "store"> & {
  lifecycle: Pick<SessionLifecycle, "delete">;
  workspaces: Workspaces;
};

function warpError(message: string): NamedError {
  return new NamedError("WorkspaceWarpError", message);
}

/** Moves a session into a workspace's folder (with its uncommitted changes if asked), or with id null back to the project's checkout. */
export async function warpSession(
  services: WorkspaceSessionServices,
  input: { id: string | null; sessionID: string; copyChanges?: boolean },
): Promise<void> {
  const session = await services.sessions.get(input.sessionID);
  let directory: string;
  if (input.id) {
    const workspace = await services.workspaces.get(input.id);
    if (!workspace) throw new NotFoundError("Workspace", input.id);
    if (workspace.projectID !== session.projectID || !workspace.directory) throw warpError("The workspace belongs to another project");
    directory = workspace.directory;
  } else {
    const project = await services.store.getProject(session.projectID);
    if (!project || project.worktree === NO_WORKTREE) throw warpError("The session's project has no checkout to return to");
    directory = path.join(project.worktree, session.path ?? "");
  }
  try {
    await moveSession(services, {
      sessionID: input.sessionID,
      directory,
      workspaceID: input.id ?? undefined,
      moveChanges: input.copyChanges,
    });
  } catch (error) {
    if (error instanceof SessionMoveError) throw warpError(error.message);
    throw error;
  }
  if (input.id) await services.workspaces.touch(input.id);
}

/** Removes a workspace, its worktree and, as upstream does, the sessions that belong to it. */
export async function removeWorkspace(services: WorkspaceSessionServices, directory: string, id: string): Promise<Workspace> {
  const workspace = await services.workspaces.get(id);
  if (workspace) {
    for (const session of await services.store.listSessions({ projectID: workspace.projectID })) {
      // A child may already have gone with its parent.
      if (session.workspaceID !== id || !(await services.store.getSession(session.id))) continue;
      await services.lifecycle.delete(session.id);
    }
  }
  return services.workspaces.remove(directory, id);
}
