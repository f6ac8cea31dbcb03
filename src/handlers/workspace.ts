// Handlers of the spec tag "workspace": worktree-backed workspaces of the request's project.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { WORKSPACE_ADAPTERS } from "../workspace/workspaces.js";
import { removeWorkspace, warpSession } from "../workspace/workspace-sessions.js";

const projectOf = async (ctx: RequestContext) => (await ctx.services.projects.locate(ctx.directory)).id;

export const workspaceHandlers = {
  "experimental.workspace.adapter.list": () => WORKSPACE_ADAPTERS,
  "experimental.workspace.list": async (_input, ctx) => ctx.services.workspaces.list(await projectOf(ctx)),
  "experimental.workspace.status": async (_input, ctx) => ctx.services.workspaces.status(await projectOf(ctx)),
  "experimental.workspace.create": async ({ body }, ctx) => ctx.services.workspaces.create(ctx.directory, await projectOf(ctx), body!),
  "experimental.workspace.remove": ({ params }, ctx) => removeWorkspace(ctx.services, ctx.directory, params.id),
  // The worktree adapter has no list of its own to take missing workspaces from: nothing to register.
  "experimental.workspace.syncList": () => undefined,
  "experimental.workspace.warp": async ({ body }, ctx) => {
    await warpSession(ctx.services, body!);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
