// Handlers of the spec tag "workspace": worktree-backed workspaces of the request's project.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { HttpError, notFound } from "../server/errors.js";
import { SessionMoveError, moveSession } from "../session/session-move.js";
import { WORKSPACE_ADAPTERS } from "../workspace/workspaces.js";
import { NO_WORKTREE } from "../workspace/worktree.js";
import path from "node:path";

const projectOf = async (ctx: RequestContext) => (await ctx.services.projects.locate(ctx.directory)).id;

function warpError(message: string): HttpError {
  return new HttpError(400, { name: "WorkspaceWarpError", data: { message } });
}

export const workspaceHandlers = {
  "experimental.workspace.adapter.list": () => WORKSPACE_ADAPTERS,
  "experimental.workspace.list": async (_input, ctx) => ctx.services.workspaces.list(await projectOf(ctx)),
  "experimental.workspace.status": async (_input, ctx) => ctx.services.workspaces.status(await projectOf(ctx)),
  "experimental.workspace.create": async ({ body }, ctx) => ctx.services.workspaces.create(ctx.directory, await projectOf(ctx), body!),
  // The workspace's sessions go with it, as upstream removes them.
  "experimental.workspace.remove": async ({ params }, ctx) => {
    const workspace = await ctx.services.workspaces.get(params.id);
    if (workspace) {
      for (const session of await ctx.services.store.listSessions({ projectID: workspace.projectID })) {
        // A child may already have gone with its parent.
        if (session.workspaceID !== params.id || !(await ctx.services.store.getSession(session.id))) continue;
        ctx.services.permissions.dropSession(session.id);
        ctx.services.questions.dropSession(session.id);
        ctx.services.runs.abort(session.id);
        await ctx.services.sessions.remove(session.id);
      }
    }
    return ctx.services.workspaces.remove(ctx.directory, params.id);
  },
  // The worktree adapter has no list of its own to take missing workspaces from: nothing to register.
  "experimental.workspace.syncList": () => undefined,
  // Moves the session into the workspace's folder, or (id null) back to the project's own checkout.
  "experimental.workspace.warp": async ({ body }, ctx) => {
    const { id, sessionID, copyChanges } = body!;
    const session = await ctx.services.sessions.get(sessionID);
    let directory: string;
    if (id) {
      const workspace = await ctx.services.workspaces.get(id);
      if (!workspace) throw notFound(`Workspace not found: ${id}`);
      if (workspace.projectID !== session.projectID || !workspace.directory) throw warpError("The workspace belongs to another project");
      directory = workspace.directory;
    } else {
      const project = await ctx.services.store.getProject(session.projectID);
      if (!project || project.worktree === NO_WORKTREE) throw warpError("The session's project has no checkout to return to");
      directory = path.join(project.worktree, session.path ?? "");
    }
    try {
      await moveSession(ctx.services, { sessionID, directory, workspaceID: id ?? undefined, moveChanges: copyChanges });
    } catch (error) {
      if (error instanceof SessionMoveError) throw warpError(error.message);
      throw error;
    }
    if (id) await ctx.services.workspaces.touch(id);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
