// Handlers of the spec tag "projectCopy" (v1): a name for a copy of a project.
import type { HandlerMap } from "../../generated/handlers.js";
import { generateCopyName } from "../project/copy-name.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const projectCopyHandlers = {
  "experimental.projectCopy.generateName": async ({ body }, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return { name: await generateCopyName(ctx.services.models, config, body?.context, ctx.log) };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
