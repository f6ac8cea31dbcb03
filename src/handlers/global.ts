// Handlers of the spec tag "global".
import type { HandlerMap } from "../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";
import { streamGlobalEvents } from "../server/event-streams.js";
import { UPSTREAM_VERSION } from "../version.js";
import { CONFIG_SCHEMA_URL } from "../config/config-service.js";

export const globalHandlers = {
  "global.health": () => ({ healthy: true as const, version: UPSTREAM_VERSION }),
  "global.config.get": async (_input, ctx) => ({ $schema: CONFIG_SCHEMA_URL, ...(await ctx.services.configs.global()).config }),
  "global.event": (_input, ctx) => {
    void streamGlobalEvents(ctx);
    return STREAMED;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
