// Handlers of the spec tag "reference" (v2): the `reference` config key.
import path from "node:path";
import type { HandlerMap } from "../../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../server/context.js";
import { configOf } from "./catalog.js";
import { referencesOf } from "../../v2/catalog-shapes.js";
import { located } from "./location.js";

export const referenceHandlers = {
  "v2.reference.list": async (_input, ctx) =>
    located(ctx, referencesOf(await configOf(ctx), ctx.directory, path.join(ctx.services.config.dataDirectory, "reference"))),
} satisfies HandlerMap<RequestContext, HandlerReply>;
