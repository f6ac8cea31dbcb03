// Handlers of the spec tag "projectCopy": copies of a project (git worktrees) and their names.
import type { HandlerMap } from "../../generated/handlers.js";
import { generateCopyName } from "../project/copy-name.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const projectCopyHandlers = {
  "v2.projectCopy.create": ({ params, body }, ctx) => ctx.services.projectCopies.create(params.projectID, ctx.directory, body!),
  "v2.projectCopy.remove": async ({ params, body }, ctx) => {
    await ctx.services.projectCopies.remove(params.projectID, ctx.directory, body!);
  },
  "v2.projectCopy.refresh": async ({ params }, ctx) => {
    await ctx.services.projectCopies.refresh(params.projectID, ctx.directory);
  },
  "experimental.projectCopy.generateName": async ({ body }, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return { name: await generateCopyName(ctx.services.models, config, body?.context, ctx.log) };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
