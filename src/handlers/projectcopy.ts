// Handlers of the spec tag "projectCopy". Creating, refreshing and removing copies stay stubs:
// upstream makes them with pluggable copy strategies this server does not have.
import type { HandlerMap } from "../../generated/handlers.js";
import { generateCopyName } from "../project/copy-name.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const projectCopyHandlers = {
  "experimental.projectCopy.generateName": async ({ body }, ctx) => {
    const config = await ctx.services.configs.forDirectory(ctx.directory);
    return { name: await generateCopyName(config, body?.context, ctx.services.credentials, ctx.log) };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
