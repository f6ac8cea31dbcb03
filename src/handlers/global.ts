// Handlers of the spec tag "global".
import type { HandlerMap } from "../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";
import { streamGlobalEvents } from "../server/event-streams.js";
import { UPSTREAM_VERSION } from "../version.js";
import { CONFIG_SCHEMA_URL } from "../config/config-service.js";
import { writeConfigChange } from "../config/config-writer.js";

export const globalHandlers = {
  "global.health": () => ({ healthy: true as const, version: UPSTREAM_VERSION }),
  "global.config.get": async (_input, ctx) => ({ $schema: CONFIG_SCHEMA_URL, ...(await ctx.services.configs.global()).config }),
  "global.config.update": async ({ body }, ctx) => {
    const { configs } = ctx.services;
    await writeConfigChange(configs.globalFile(), body as Record<string, unknown>, CONFIG_SCHEMA_URL);
    configs.invalidate();
    return { $schema: CONFIG_SCHEMA_URL, ...(await configs.global()).config };
  },
  "global.event": (_input, ctx) => {
    void streamGlobalEvents(ctx);
    return STREAMED;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
