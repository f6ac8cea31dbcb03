// Handlers of the spec tag "config".
import type { HandlerMap } from "../../generated/handlers.js";
import { CONFIG_SCHEMA_URL, withDefaults } from "../config/config-service.js";
import { writeConfigChange } from "../config/config-writer.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { withFlatModelFlags } from "../legacy/python-sdk-shapes.js";
import { isLegacyClient } from "../server/legacy-client.js";

export const configHandlers = {
  "config.get": async (_input, ctx) => withDefaults(await ctx.services.configs.forDirectory(ctx.directory)),
  "config.update": async ({ body }, ctx) => {
    const { configs } = ctx.services;
    await writeConfigChange(await configs.projectFile(ctx.directory), body as Record<string, unknown>, CONFIG_SCHEMA_URL);
    configs.invalidate();
    return withDefaults(await configs.forDirectory(ctx.directory));
  },
  "config.providers": async (_input, ctx) => {
    const list = ctx.services.models.providers(await ctx.services.configs.forDirectory(ctx.directory));
    const providers = [...list.byID.values()];
    const defaults = Object.fromEntries(list.connected.map((id) => [id, list.default[id]!]));
    return { providers: isLegacyClient(ctx.req) ? providers.map(withFlatModelFlags) : providers, default: defaults };
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
