// Handlers of the spec tag "provider".
import type { HandlerMap } from "../../generated/handlers.js";
import { providerAuthMethods, providerCatalog } from "../agent/llm/catalog.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

async function catalogFor(ctx: RequestContext) {
  return providerCatalog(await ctx.services.configSource.forDirectory(ctx.directory), process.env, ctx.services.credentials);
}

export const providerHandlers = {
  "provider.list": (_input, ctx) => catalogFor(ctx),
  "provider.auth": async (_input, ctx) => providerAuthMethods(await catalogFor(ctx)),
} satisfies HandlerMap<RequestContext, HandlerReply>;
