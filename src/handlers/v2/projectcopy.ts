// Handlers of the spec tag "projectCopy" (v2): copies of a project (git worktrees).
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";

export const projectCopyV2Handlers = {
  "v2.projectCopy.create": ({ params, body }, ctx) => ctx.services.projectCopies.create(params.projectID, ctx.directory, body!),
  "v2.projectCopy.remove": async ({ params, body }, ctx) => {
    await ctx.services.projectCopies.remove(params.projectID, ctx.directory, body!);
  },
  "v2.projectCopy.refresh": async ({ params }, ctx) => {
    await ctx.services.projectCopies.refresh(params.projectID, ctx.directory);
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
