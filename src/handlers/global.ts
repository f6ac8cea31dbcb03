// Handlers of the spec tag "global".
import type { HandlerMap } from "../../generated/handlers.js";
import { STREAMED, type HandlerReply, type RequestContext } from "../server/context.js";
import { streamGlobalEvents } from "../server/event-streams.js";
import { UPSTREAM_VERSION } from "../version.js";
import { CONFIG_SCHEMA_URL } from "../config/config-service.js";
import { writeConfigChange } from "../config/config-writer.js";
import { disposeAllInstances } from "../instance/instance-lifecycle.js";
import { badRequest } from "../server/errors.js";

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
  "global.dispose": async (_input, ctx) => {
    await disposeAllInstances(ctx.services);
    return true;
  },
  // Upstream upgrades its own installation (npm, brew, ...); this server is not one.
  "global.upgrade": () => {
    throw badRequest(
      "Upgrade is not available: this is agentpool-server, not an installed opencode; upgrade it with its own package manager",
      "Payload",
    );
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
